/**
 * Reads what `network/up` writes for clients — the connection profile and one identity file
 * per demo participant — into {@link FabricLedgerOptions}, so that `LEDGER=fabric npm start`,
 * the tests and the benchmark open the ledger the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZfcError } from '../chaincode/errors';
import type { FabricLedgerOptions, FabricPeer } from './fabric-ledger';
import type { Identity } from './ledger';

/** A demo participant's identity, as network/up writes it to <data>/identities/<name>.json. */
export interface FabricParticipant extends Identity {
  readonly name: string;
  readonly role: string;
  readonly privateKey: string;
  readonly peerEndpoint: string;
  readonly tlsRootCert: string;
}

/** A network as network/up left it: its profile, ready to open, and its participants. */
export interface FabricNetwork {
  readonly channel: string;
  /** Chaincodes deployed on the channel, the first being the default. */
  readonly chaincodes: readonly string[];
  readonly peers: readonly FabricPeer[];
  /** By participant name: regulator, inspector, farm, processor, lab, distributor, retailer. */
  readonly participants: Readonly<Record<string, FabricParticipant>>;
  /** Ledger options for one chaincode (the first by default), signing as the regulator. */
  ledgerOptions(chaincode?: string): FabricLedgerOptions;
}

interface ProfileFile {
  channel: string;
  chaincodes: string[];
  peers: Record<string, { url: string; mspId: string; tlsCACerts: { pem: string }; grpcOptions?: { 'ssl-target-name-override'?: string } }>;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new ZfcError('LEDGER_UNAVAILABLE', `no Fabric network profile at ${path} (run network/up): ${(err as Error).message}`, { path });
  }
}

/**
 * Loads the network that network/up described in `dataDir` (default network/data).
 *
 * @example
 * const net = loadFabricNetwork('network/data');
 * const ledger = await openFabricLedger(net.ledgerOptions());
 * await ledger.submit('RegisterParticipant', [json], net.participants.regulator!);
 */
export function loadFabricNetwork(dataDir: string): FabricNetwork {
  const profile = readJson<ProfileFile>(join(dataDir, 'connection-profile.json'));
  const peers: FabricPeer[] = Object.values(profile.peers).map((p) => ({
    mspId: p.mspId,
    endpoint: p.url.replace(/^grpcs?:\/\//, ''),
    tlsRootCert: p.tlsCACerts.pem,
    ...(p.grpcOptions?.['ssl-target-name-override'] ? { hostOverride: p.grpcOptions['ssl-target-name-override'] } : {}),
  }));
  const dir = join(dataDir, 'identities');
  const participants: Record<string, FabricParticipant> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const participant = readJson<FabricParticipant>(join(dir, file));
    participants[participant.name] = Object.freeze(participant);
  }
  const signer = participants['regulator'] ?? Object.values(participants)[0];
  if (!signer) throw new ZfcError('LEDGER_UNAVAILABLE', `no identities in ${dir}`, { path: dir });
  return Object.freeze({
    channel: profile.channel,
    chaincodes: profile.chaincodes,
    peers,
    participants: Object.freeze(participants),
    ledgerOptions(chaincode = profile.chaincodes[0] ?? 'zfc'): FabricLedgerOptions {
      return { peers, channel: profile.channel, chaincode, identity: signer };
    },
  });
}
