/**
 * The gateway's commands on the `zfc` CLI: `start`, `init`, `keys create|revoke|list`, `demo
 * seed` and `ledger reindex`. Each reads its configuration once through config.ts; a bad setting stops
 * the command with the message naming it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type GatewayConfig } from './config';
import { initialiseNetworkRegulator, initialiseRegulator, type RegulatorDetails } from './bootstrap';
import { DEMO, isSeeded, readDemoKeys, seedDemo, type DemoKeys } from './demo-seed';
import { GatewayStore } from './gateway-store';
import { heapRoomBelow } from './heap-room';
import { loadFabricNetwork } from '../ledger-tools';
import { openLedger } from './ledger-factory';
import { projectEvent } from './projection';
import { closeParts, listen, openGateway, type RunningGateway } from './server';
import { mountPublicParts } from './public-parts';
import { TraceIndex } from './trace-index';

type Out = (line: string) => void;
const out: Out = (line) => process.stdout.write(`${line}\n`);

/** Adds the gateway's commands to the `zfc` program. */
export function registerGatewayCommands(program: Command): void {
  program
    .command('start')
    .description('run the gateway, QR service and consumer pages on the configured ledger (seeds demo data on a first start)')
    .action(async () => {
      const running = await start(config());
      const stop = (): void => {
        out('stopping…');
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('init')
    .description('register the first regulator on a deployment without demo data (Init, by the regulator organisation\'s admin) and print its first API key')
    .requiredOption('--id <id>', 'the regulator\'s participant ID, e.g. zj-samr')
    .requiredOption('--name <name>', 'its name, e.g. "浙江省市场监管局 Zhejiang Market Regulation"')
    .requiredOption('--licence <licence>', 'its licence or registration number')
    .requiredOption('--gln <gln>', 'its GLN (13 digits, valid check digit)')
    .option('--admin-identity <name>', 'Fabric: the network identity that signs Init (an admin of the regulator MSP)', 'regulator-admin')
    .option('--identity <name>', 'Fabric: the network identity the regulator acts with', 'regulator')
    .action(async (opts: RegulatorDetails & { adminIdentity: string; identity: string }) => {
      const cfg = config();
      await fs.promises.mkdir(cfg.dataDir, { recursive: true });
      const details: RegulatorDetails = { id: opts.id, name: opts.name, licence: opts.licence, gln: opts.gln };
      const parts = await openGateway(cfg);
      try {
        const created = await initialise(cfg, parts, details, opts);
        out(`registered the first regulator ${details.id}; its API key (shown once):`);
        out(`${created.id}\t${created.key}`);
        out('register participants with it: POST /v1/participants (see /docs); more keys: POST /v1/keys while it runs, or zfc keys create --participant … while it is stopped');
      } finally {
        await closeParts(parts);
      }
    });

  const keys = program.command('keys').description('API keys (stop the server first: the gateway database is single-process)');
  keys
    .command('create')
    .requiredOption('--participant <id>', 'the participant the key acts for (must have an identity in the wallet)')
    .option('--label <text>', 'a note to recognise the key by', '')
    .description('create an API key; it is printed once')
    .action(async (opts: { participant: string; label: string }) => {
      await withStore(config(), async (store) => {
        const created = await store.keys.create({ participant: opts.participant, label: opts.label });
        out(`${created.id}\t${created.key}`);
      });
    });
  keys
    .command('revoke <id>')
    .description('revoke an API key by its ID (k_…)')
    .action(async (id: string) => {
      await withStore(config(), async (store) => {
        if (!(await store.keys.revoke(id))) throw new Error(`no active key ${id}`);
        out(`revoked ${id}`);
      });
    });
  keys
    .command('list')
    .description('list API keys (IDs, participants, labels; never the keys)')
    .action(async () => {
      await withStore(config(), async (store) => {
        for (const k of await store.keys.list()) out(`${k.id}\t${k.participant}\t${k.revokedAt ? `revoked ${k.revokedAt}` : 'active'}\t${k.label}`);
      });
    });

  program
    .command('demo')
    .description('demo data')
    .command('seed')
    .description('seed the demo supply chain into an empty data folder and print the keys')
    .action(async () => {
      const cfg = config();
      const parts = await openGateway(cfg);
      try {
        if (await isSeeded(parts.store)) throw new Error(`${cfg.dataDir} already holds data; use an empty ZFC_DATA`);
        printKeys(await seedDemo(parts, cfg.dataDir), cfg.dataDir);
      } finally {
        await closeParts(parts);
      }
    });

  const ledger = program.commands.find((c) => c.name() === 'ledger') ?? program.command('ledger').description('ledger tools');
  ledger
    .command('reindex')
    .description('rebuild the trace index from the ledger\'s events (anonymous scan counts and clone flags, which are not on the ledger, are kept)')
    .action(async () => {
      const cfg = config();
      const dir = path.join(cfg.dataDir, 'index');
      const opened = await openLedger(cfg);
      // the gateway's heap guard (TRACE_INDEX_HEAP_LIMIT_MB): a ledger whose graph outgrows the
      // heap stops the rebuild between batches, kept up to its checkpoint, instead of aborting Node
      // (the stored graph is not loaded: the rebuild replaces it; a stop is said once, below)
      const index = await TraceIndex.open({ dir, project: projectEvent, room: heapRoomBelow(cfg.traceIndexHeapLimitMb), load: false, log: () => undefined });
      try {
        const t = Date.now();
        const n = await index.rebuild(opened.ledger);
        if (index.stopped) {
          throw new Error(`${index.stopped.text}. The index holds the ledger's first ${n} events; a gateway started with more heap goes on from there (or run zfc ledger reindex again with more heap)`);
        }
        out(`rebuilt the trace index from ${n} events (${index.lotCount} lots) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      } finally {
        await index.close();
        await opened.ledger.close();
      }
    });
}

async function initialise(
  cfg: GatewayConfig,
  parts: Awaited<ReturnType<typeof openGateway>>,
  details: RegulatorDetails,
  names: { adminIdentity: string; identity: string },
): Promise<{ key: string; id: string }> {
  if (await isSeeded(parts.store)) throw new Error(`${cfg.dataDir} already has its first regulator (or the demo data); create more keys with zfc keys create`);
  if (parts.issuer) return initialiseRegulator(parts, details);
  const identities = loadFabricNetwork(cfg.fabricNetworkDir).participants;
  const admin = identities[names.adminIdentity];
  const regulator = identities[names.identity];
  if (!admin || !regulator) throw new Error(`${cfg.fabricNetworkDir}/identities has no ${!admin ? names.adminIdentity : names.identity}.json`);
  return initialiseNetworkRegulator(parts, details, { admin, regulator });
}

function config(): GatewayConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`zfc: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function withStore(cfg: GatewayConfig, fn: (store: GatewayStore) => Promise<void>): Promise<void> {
  let store: GatewayStore;
  try {
    store = await GatewayStore.open(path.join(cfg.dataDir, 'gateway'));
  } catch (err) {
    throw new Error(`cannot open ${path.join(cfg.dataDir, 'gateway')} (is the server running? stop it first): ${(err as Error).message}`);
  }
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

/** Opens everything, seeds demo data on a first embedded start, mounts the public parts, listens and prints how to use it. */
export async function start(cfg: GatewayConfig, print: Out = out): Promise<RunningGateway> {
  await fs.promises.mkdir(cfg.dataDir, { recursive: true });
  const parts = await openGateway(cfg);
  let keys: Partial<DemoKeys> | undefined;
  try {
    if (cfg.demoSeed && parts.issuer && !(await isSeeded(parts.store))) {
      print(`seeding demo data into ${cfg.dataDir} …`);
      keys = await seedDemo(parts, cfg.dataDir);
    } else {
      keys = (await readDemoKeys(cfg.dataDir)) ?? (await keysForNetwork(parts.store, parts.networkParticipants, cfg.dataDir));
    }
    mountPublicParts(parts.gateway, parts.index, cfg);
  } catch (err) {
    await closeParts(parts);
    throw err;
  }
  const running = await listen(parts, cfg);
  print(`Zhe Food Chain gateway on ${running.url} (ledger: ${cfg.ledger}, data: ${cfg.dataDir})`);
  print(`  open in a browser: ${running.url}/ (look a package up by its barcode number and lot; the latest recalls)`);
  print(`  API docs: ${running.url}/docs   OpenAPI: ${running.url}/openapi.json   health: ${running.url}/readyz`);
  if (keys) printKeys(keys, cfg.dataDir, running.url, print);
  else if (!(await isSeeded(parts.store))) print('No participants yet (DEMO_SEED=false): stop the server and run `zfc init --id … --name … --licence … --gln …` for the first regulator\'s API key.');
  return running;
}

/**
 * On a network's first start (Fabric), one API key per identity the network provided, by its
 * name (regulator, farm, …), bound to the participant it acts for, written to demo-keys.json
 * like the embedded demo's.
 */
async function keysForNetwork(store: GatewayStore, participants: Readonly<Record<string, string>>, dataDir: string): Promise<Record<string, string> | undefined> {
  const names = Object.keys(participants);
  if (names.length === 0) return undefined;
  const keys: Record<string, string> = {};
  for (const name of names) keys[name] = (await store.keys.create({ participant: participants[name] as string, label: `network identity ${name}` })).key;
  await fs.promises.writeFile(path.join(dataDir, 'demo-keys.json'), `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

function printKeys(keys: Partial<DemoKeys> & Record<string, string | undefined>, dataDir: string, url = 'http://127.0.0.1:8080', print: Out = out): void {
  print(`API keys (also in ${path.join(dataDir, 'demo-keys.json')}):`);
  for (const [role, key] of Object.entries(keys)) print(`  ${role.padEnd(12)} ${key ?? ''}`);
  if (!keys.regulator || !keys.retailer) return;
  print('Try:');
  print(`  curl -H "Authorization: Bearer ${keys.regulator}" "${url}/v1/trace/back?gtin=${DEMO.tea}&serial=B00011"`);
  print(`  curl -H "Authorization: Bearer ${keys.regulator}" "${url}/v1/trace/forward?gtin=${DEMO.leaf2}&lot=${DEMO.recalledFarmLot}&format=csv"`);
  print(`  curl -H "Authorization: Bearer ${keys.regulator}" "${url}/v1/inspections/plan"   # which sites to inspect first, and why`);
  print(`  curl -H "Authorization: Bearer ${keys.regulator}" "${url}/v1/recalls/RC-2026-001"   # what became of the recalled tea: sold, destroyed, still held and where`);
  print(`  curl -H "Authorization: Bearer ${keys.retailer}" "${url}/v1/lots/${DEMO.tea}/${DEMO.recalledTeaLot}"`);
  print(`  curl -H "Authorization: Bearer ${keys.retailer}" "${url}/v1/shipments?direction=incoming&status=in_transit"   # the shop's inbox: a restock on its way`);
  print(`  curl -X POST -H "Authorization: Bearer ${keys.retailer}" -H "Content-Type: application/json" -H "Idempotency-Key: till-1" \\`);
  print(`       -d '{"kind":"sale","gtin":"${DEMO.tea}","serial":"B00012","location":{"gln":"${DEMO.shopGln}"}}' ${url}/v1/scans   # refused: recalled`);
  print(`  curl -X POST -H "Authorization: Bearer ${keys.retailer}" "${url}/01/${DEMO.tea}/10/${DEMO.recalledTeaLot}/21/B00013?kind=sale"   # a till scanning the package URL: refused too`);
  print(`  curl -H "Authorization: Bearer ${keys.regulator}" -o labels.pdf "${url}/v1/lots/${DEMO.tea}/${DEMO.teaLot}/labels.pdf?limit=48"`);
  print(`  curl -H "Authorization: Bearer ${keys.regulator}" "${url}/epcis/events?EQ_bizTransaction_desadv=urn:zfc:shipment:SH-2001"   # EPCIS 2.0: a shipment's shipping and receiving events`);
  print(`  consumer page: ${url}/01/${DEMO.tea}/10/${DEMO.recalledTeaLot}/21/B00012   QR: ${url}/qr/png/01/${DEMO.tea}/10/${DEMO.teaLot}`);
  print(`  recall notices (public): ${url}/recalls`);
}
