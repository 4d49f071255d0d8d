/**
 * Starts and stops a throw-away Fabric network for the tests and the benchmark, through the
 * same network/up, network/down and network/node scripts that people use, in a temporary
 * folder and on a port block of its own, so it never touches network/data.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { loadFabricNetwork, type FabricNetwork } from '../../ledger-tools/fabric-profile';

const run = promisify(execFile);
const TOOLS = ['peer', 'orderer', 'configtxgen', 'cryptogen', 'osnadmin'] as const;

/** The repository root: the first folder above this file that holds package.json. */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
  return dir;
}

/** The root of the compiled tree this file runs from (dist/ or .build/<name>/). */
export function compiledRoot(): string {
  return join(__dirname, '..', '..');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Fabric's programs that are neither in $FABRIC_BIN nor on PATH (none: Fabric tests can run). */
export function missingFabricTools(): string[] {
  const dirs = [process.env['FABRIC_BIN'], ...(process.env['PATH'] ?? '').split(delimiter)].filter((d): d is string => !!d);
  return TOOLS.filter((tool) => !dirs.some((dir) => isExecutable(join(dir, tool))));
}

/** Options of {@link startNetwork}. */
export interface StartOptions {
  /** 1 or 3 Raft orderers. */
  readonly orderers?: 1 | 3;
  /** Chaincode name → compiled .js module exporting `contracts`. */
  readonly chaincodes: Readonly<Record<string, string>>;
  /** First port of the network's block (default 27000). */
  readonly portBase?: number;
}

/** A running test network. */
export interface TestNetwork {
  readonly dataDir: string;
  readonly network: FabricNetwork;
  /** Stops or starts one node (orderer1, peer.trade, cc.kv, …) through network/node. */
  node(action: 'stop' | 'start', name: string): Promise<void>;
  /** Stops every node and removes the data folder. */
  down(): Promise<void>;
}

/**
 * Starts a network with network/up in a temporary folder.
 *
 * @example
 * const net = await startNetwork({ chaincodes: { kv: join(compiledRoot(), 'test/ledger/kv-contract.js') } });
 * try { … } finally { await net.down(); }
 */
export async function startNetwork(options: StartOptions): Promise<TestNetwork> {
  const root = repoRoot();
  const dataDir = mkdtempSync(join(tmpdir(), 'zfc-fabric-'));
  const env = { ...process.env, ZFC_NETWORK_DATA: dataDir, ZFC_PORT_BASE: String(options.portBase ?? 27000) };
  const script = (name: string): string => join(root, 'network', name);
  const args = ['--orderers', String(options.orderers ?? 1)];
  for (const [name, path] of Object.entries(options.chaincodes)) args.push('--chaincode', `${name}=${path}`);
  const down = async (): Promise<void> => {
    await run(script('down'), ['--purge'], { env }).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await run(script('up'), args, { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    await down();
    throw new Error(`network/up failed: ${stderr.split('\n').slice(-15).join('\n')}`);
  }
  return {
    dataDir,
    network: loadFabricNetwork(dataDir),
    async node(action, name) {
      await run(script('node'), [action, name], { env });
    },
    down,
  };
}
