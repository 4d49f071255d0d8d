/**
 * Identities that a ledger's network already has (Fabric's network/up writes one per demo
 * participant, by name: regulator, farm, …). Each is asked, through the ledger, which
 * participant it acts for (GetCaller), and goes into the wallet under that participant's ID,
 * so API keys, roles and traces all speak the ledger's own participant IDs.
 */
import { ZfcError } from '../chaincode/errors';
import type { Identity, Ledger } from '../ledger-tools/ledger';
import { decodePayload } from './routes-write';
import type { Wallet } from './wallet';

/** Imports the identities; returns name → participant ID for those the ledger knows. */
export async function importNetworkIdentities(ledger: Ledger, wallet: Wallet, identities: Readonly<Record<string, Identity>>): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for (const [name, identity] of Object.entries(identities)) {
    const participant = await participantOf(ledger, identity);
    if (participant === undefined) continue;
    if (!(await wallet.get(participant))) await wallet.put(participant, identity);
    found[name] = participant;
  }
  return found;
}

async function participantOf(ledger: Ledger, identity: Identity): Promise<string | undefined> {
  try {
    const answer = decodePayload(await ledger.evaluate('GetCaller', ['{}'], identity)) as { id?: unknown } | null;
    return typeof answer?.id === 'string' ? answer.id : undefined;
  } catch (err) {
    if (err instanceof ZfcError && (err.code === 'UNKNOWN_IDENTITY' || err.code === 'PARTICIPANT_SUSPENDED')) return undefined;
    throw err;
  }
}
