/**
 * The contract's test worlds on a real Fabric network (ZFC_TEST_LEDGER=fabric): one network
 * per test run, started with network/up through test/fabric's helper, and for each world a
 * NEW chaincode name (a fresh world state) defined on the channel. Every name uses the
 * package that network/up installed for `zfc`, so the organisations' running chaincode
 * servers serve it: a world costs three approvals and one commit, not a new install.
 * The cast's certificates are issued by the CAs that cryptogen made for the organisations.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CertificateAuthority } from '../../ledger-tools/certificate-authority';
import { openFabricLedger } from '../../ledger-tools/fabric-ledger';
import type { Identity, Ledger } from '../../ledger-tools/ledger';
import { compiledRoot, repoRoot, startNetwork, type TestNetwork } from '../fabric/fabric-network';

const run = promisify(execFile);

/** The organisations' short names by MSP ID, as network/up names their folders. */
const ORG_OF: Readonly<Record<string, string>> = { RegulatorMSP: 'regulator', ProducersMSP: 'producers', TradeMSP: 'trade' };

/** Default first port of the tests' network (ZFC_PORT_BASE overrides it). */
const DEFAULT_PORT_BASE = 31000;

let starting: Promise<TestNetwork> | undefined;
let worlds = 0;

/** The run's network, started on first use; stopped and purged by {@link stopFabricNetwork}. */
function network(): Promise<TestNetwork> {
  starting ??= startNetwork({
    chaincodes: { zfc: join(compiledRoot(), 'chaincode', 'index.js') },
    portBase: Number(process.env['ZFC_PORT_BASE'] ?? DEFAULT_PORT_BASE),
  });
  return starting;
}

/** Stops and purges the run's network if one was started. */
export async function stopFabricNetwork(): Promise<void> {
  if (!starting) return;
  const net = await starting.catch(() => undefined);
  starting = undefined;
  await net?.down();
}

/** Defines chaincode `name` on the channel with the `zfc` package: each org approves, the regulator commits. */
const DEFINE = `
set -e
. "$NET_DIR/lib/common.sh"
load_state
name=$1
pids=""
for org in "\${ORGS[@]}"; do
  peer_admin "$org" lifecycle chaincode approveformyorg -o "127.0.0.1:$ORDERER1_PORT" --tls --cafile "$(orderer_tls_ca)" \\
    --channelID "$CHANNEL" --name "$name" --version 1 --sequence 1 \\
    --package-id "$(cat "$DATA/chaincode/zfc/$org/package-id")" 2>>"$DATA/logs/peer-cli.log" &
  pids="$pids $!"
done
for p in $pids; do wait "$p"; done
peers=()
for org in "\${ORGS[@]}"; do peers+=(--peerAddresses "127.0.0.1:$(peer_port "$org")" --tlsRootCertFiles "$(peer_tls_ca "$org")"); done
peer_admin regulator lifecycle chaincode commit -o "127.0.0.1:$ORDERER1_PORT" --tls --cafile "$(orderer_tls_ca)" \\
  --channelID "$CHANNEL" --name "$name" --version 1 --sequence 1 "\${peers[@]}" 2>>"$DATA/logs/peer-cli.log"
`;

async function defineChaincode(net: TestNetwork, name: string): Promise<void> {
  const env = { ...process.env, ZFC_NETWORK_DATA: net.dataDir, NET_DIR: join(repoRoot(), 'network') };
  try {
    await run('bash', ['-c', DEFINE, 'define', name], { env });
  } catch (err) {
    throw new Error(`defining chaincode ${name} failed (see ${net.dataDir}/logs/peer-cli.log): ${(err as { stderr?: string }).stderr ?? err}`);
  }
}

/** The CA that cryptogen made for an organisation, loaded to issue more identities. */
async function orgCa(net: TestNetwork, mspId: string): Promise<CertificateAuthority> {
  const dir = join(net.dataDir, 'crypto', 'peerOrganizations', `${ORG_OF[mspId]}.zfc.local`, 'ca');
  const file = (suffix: string): string => join(dir, readdirSync(dir).find((f) => f.endsWith(suffix)) ?? suffix);
  return CertificateAuthority.fromPem({ mspId, certificate: readFileSync(file('-cert.pem'), 'utf8'), privateKey: readFileSync(file('priv_sk'), 'utf8') });
}

/** A fresh world state on the run's network: its ledger and a way to issue identities of its MSPs. */
export interface FabricWorldLedger {
  readonly ledger: Ledger;
  readonly dir: string;
  issue(mspId: string, commonName: string, ou?: string): Promise<Identity>;
}

/** Defines a new chaincode name for one world and opens the Fabric ledger on it. */
export async function openFabricWorldLedger(): Promise<FabricWorldLedger> {
  const net = await network();
  const name = `zfcw${++worlds}`;
  await defineChaincode(net, name);
  const cas: Record<string, CertificateAuthority> = {};
  for (const mspId of Object.keys(ORG_OF)) cas[mspId] = await orgCa(net, mspId);
  const ledger = await openFabricLedger(net.network.ledgerOptions(name));
  return {
    ledger,
    dir: net.dataDir,
    issue: (mspId, commonName, ou = 'client') => (cas[mspId] ?? (cas['TradeMSP'] as CertificateAuthority)).issue({ commonName, organizationalUnit: ou }),
  };
}
