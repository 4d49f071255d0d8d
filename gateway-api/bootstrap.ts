/**
 * The first regulator: Init, submitted once by the regulator organisation's admin, registers
 * it; its identity goes to the wallet and it gets an API key, with which every other
 * participant can then be registered over HTTP. Embedded deployments issue the identities
 * from their own CAs; on Fabric they are the network's (network/up writes `regulator-admin`
 * and `regulator`). `zfc init` runs this on a deployment started without demo data.
 */
import { x509IdOf } from '../chaincode/access';
import { ZfcError } from '../chaincode/errors';
import type { Identity, Ledger } from '../ledger-tools/ledger';
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

/**
 * Registers the first regulator on a network whose identities exist already (Fabric): Init
 * signed by `admin` (OU=admin of the regulator's MSP) names `regulator` as the regulator's
 * identity. Refused with ALREADY_EXISTS if this gateway already has a first regulator.
 */
export async function initialiseNetworkRegulator(
  parts: { ledger: Ledger; index: TraceIndex; store: GatewayStore },
  details: RegulatorDetails,
  identities: { admin: Identity; regulator: Identity },
): Promise<{ key: string; id: string }> {
  const { ledger, index, store } = parts;
  if (await store.getMeta('regulator')) throw new ZfcError('CONFLICT', 'this deployment already has its first regulator', { participant: String(await store.getMeta('regulator')) });
  const { admin, regulator: identity } = identities;
  const regulator = { ...details, role: 'regulator', identities: [{ mspId: identity.mspId, id: x509IdOf(identity.mspId, identity.certificate) }] };
  const res = await ledger.submit('Init', [JSON.stringify({ regulator })], admin);
  await index.waitFor(res.txId, 30_000);
  await store.wallet.put(details.id, identity);
  await store.putMeta('regulator', details.id);
  const created = await store.keys.create({ participant: details.id, label: 'first regulator' });
  return { key: created.key, id: created.id };
}
