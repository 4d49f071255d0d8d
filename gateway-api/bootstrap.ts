/**
 * The first regulator of an embedded deployment: Init, submitted once by the regulator
 * organisation's admin, registers it; its identity goes to the wallet and it gets an API key,
 * with which every other participant can then be registered over HTTP.
 */
import { x509IdOf } from '../chaincode/access';
import type { Ledger } from '../ledger-tools/ledger';
import type { EmbeddedIssuer } from './embedded-identities';
import type { GatewayStore } from './gateway-store';
import type { TraceIndex } from './trace-index';

/** The first regulator's registration details. */
export interface RegulatorDetails {
  readonly id: string;
  readonly name: string;
  readonly licence: string;
  readonly gln: string;
}

/** Registers the first regulator (if not yet) and returns a new API key for it. */
export async function initialiseRegulator(
  parts: { ledger: Ledger; index: TraceIndex; store: GatewayStore; issuer: EmbeddedIssuer | undefined },
  details: RegulatorDetails,
): Promise<{ key: string; id: string }> {
  const { ledger, index, store, issuer } = parts;
  if (!issuer) throw new TypeError('initialiseRegulator: only embedded deployments issue identities');
  if (!(await store.getMeta('regulator'))) {
    const identity = await issuer.issue(details.id, 'regulator');
    const regulator = { ...details, role: 'regulator', identities: [{ mspId: identity.mspId, id: x509IdOf(identity.mspId, identity.certificate) }] };
    const res = await ledger.submit('Init', [JSON.stringify({ regulator })], await issuer.admin());
    await index.waitFor(res.txId, 5000);
    await store.wallet.put(details.id, identity);
    await store.putMeta('regulator', details.id);
  }
  const created = await store.keys.create({ participant: details.id, label: 'first regulator' });
  return { key: created.key, id: created.id };
}
