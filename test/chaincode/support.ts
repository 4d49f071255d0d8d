/**
 * Test support for the contract: a fresh embedded ledger in a temporary folder running the
 * real contract, certificate authorities for three MSPs, a registered cast of participants
 * (one per role, plus spares), GS1 identifiers with valid check digits, and helpers that
 * submit and evaluate JSON and expect a typed error.
 *
 * With ZFC_TEST_LEDGER=fabric (read here only) each world is instead a fresh chaincode on one
 * Fabric network per run (see fabric-world.ts); what only the embedded ledger can show is
 * declared in the world's {@link Capability} set, and the few tests that need it ask for it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { blockEvents, createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity, type Ledger } from '../../ledger-tools';
import { contracts, decodeEvent, x509IdOf, ZfcError, type AnyEventEnvelope, type ErrorCode, type Role } from '../../chaincode';
import { gs1CheckDigit } from '../../chaincode/gs1';
import { openFabricWorldLedger, stopFabricNetwork } from './fabric-world';

/** Which ledger the worlds run on: the one switch, ZFC_TEST_LEDGER (`embedded` by default). */
export const TEST_LEDGER: 'embedded' | 'fabric' = process.env['ZFC_TEST_LEDGER'] === 'fabric' ? 'fabric' : 'embedded';

if (TEST_LEDGER === 'fabric') {
  // A root hook: the run's network goes down once, after every test file.
  after(async function () {
    this.timeout(120_000);
    await stopFabricNetwork();
  });
}

/**
 * What a world's ledger lets a test look at beyond the Ledger port.
 * - `blocks`: the committed blocks with each transaction's read-write set (EmbeddedLedger.block).
 * - `ownChain`: the world has a chain of its own, so a fresh one has height 0 (on Fabric the
 *   channel is shared with earlier worlds and lifecycle transactions).
 * - `inProcess`: the contract runs in this process on the EmbeddedStub, so a test can count
 *   its calls (on Fabric it runs in the organisations' chaincode servers).
 * Tests check only these assertions under `world.capabilities.has(…)`; everything else they
 * assert holds on every ledger.
 */
export type Capability = 'blocks' | 'ownChain' | 'inProcess';
const EMBEDDED_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>(['blocks', 'ownChain', 'inProcess']);
const FABRIC_CAPABILITIES: ReadonlySet<Capability> = new Set<Capability>();

/** A GS1 identifier of `length` digits from a body, with its check digit. */
export function withCheckDigit(body: string): string {
  return `${body}${gs1CheckDigit(body)}`;
}
/** GTIN-14 number `n` of the test company. */
export const gtin = (n: number): string => withCheckDigit(`0950600${String(n).padStart(6, '0')}`);
/** GLN number `n`. */
export const gln = (n: number): string => withCheckDigit(`695000${String(n).padStart(6, '0')}`);
/** SSCC number `n`. */
export const sscc = (n: number): string => withCheckDigit(`069500000${String(n).padStart(8, '0')}`);

/** The folder that holds package.json, walking up from here (works from dist/ and .build/). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above ' + __dirname);
    dir = up;
  }
  return dir;
}

/** A participant of the test cast: its record ID, role, GLN and identity. */
export interface Actor {
  readonly id: string;
  readonly role: Role;
  readonly gln: string;
  readonly identity: Identity;
}

/** A running test world. */
export interface World {
  readonly ledger: Ledger;
  readonly dir: string;
  readonly admin: Identity;
  readonly actors: Record<string, Actor>;
  /** An identity no participant acts for. */
  readonly stranger: Identity;
  /** What this world's ledger shows beyond the Ledger port. */
  readonly capabilities: ReadonlySet<Capability>;
  submit<T = Record<string, unknown>>(fn: string, input: unknown, who: Actor | Identity): Promise<T>;
  evaluate<T = Record<string, unknown>>(fn: string, input: unknown, who: Actor | Identity): Promise<T>;
  /** Issues a new identity in the given MSP. */
  issue(mspId: string, commonName: string, ou?: string): Promise<Identity>;
  close(): Promise<void>;
}

const MSPS = { regulator: 'RegulatorMSP', producers: 'ProducersMSP', trade: 'TradeMSP' } as const;

/** The default cast: one or two of each role. */
export const CAST: readonly { id: string; role: Role; msp: keyof typeof MSPS }[] = [
  { id: 'samr', role: 'regulator', msp: 'regulator' },
  { id: 'farm-a', role: 'producer', msp: 'producers' },
  { id: 'farm-b', role: 'producer', msp: 'producers' },
  { id: 'mill', role: 'processor', msp: 'producers' },
  { id: 'bakery', role: 'processor', msp: 'producers' },
  { id: 'lab', role: 'lab', msp: 'producers' },
  { id: 'dist', role: 'distributor', msp: 'trade' },
  { id: 'shop', role: 'retailer', msp: 'trade' },
  { id: 'shop-b', role: 'retailer', msp: 'trade' },
];

function isActor(who: Actor | Identity): who is Actor {
  return 'identity' in who;
}

/** A clock that starts at `start` and advances one second per reading (deterministic times). */
export function steppingClock(start = '2026-03-01T08:00:00.000Z'): () => Date {
  let t = Date.parse(start);
  return () => new Date((t += 1000));
}

/** A fresh embedded ledger in a temporary folder, with certificate authorities of its own. */
async function openEmbeddedWorldLedger(options: { clock?: () => Date; batchTimeoutMs?: number }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'zfc-chaincode-'));
  const ledger = await openEmbeddedLedger({ dir, contracts, batchTimeoutMs: options.batchTimeoutMs ?? 0, clock: options.clock ?? steppingClock() });
  const cas = {
    regulator: await createCertificateAuthority(MSPS.regulator),
    producers: await createCertificateAuthority(MSPS.producers),
    trade: await createCertificateAuthority(MSPS.trade),
  };
  const byMsp = (mspId: string) => Object.values(cas).find((ca) => ca.mspId === mspId) ?? cas.trade;
  const issue = (mspId: string, commonName: string, ou = 'client'): Promise<Identity> => byMsp(mspId).issue({ commonName, organizationalUnit: ou });
  return { ledger, dir, issue };
}

/** Opens a fresh ledger, initialises it with the regulator and registers the cast. */
export async function openWorld(options: { register?: boolean; clock?: () => Date; batchTimeoutMs?: number } = {}): Promise<World> {
  const base = TEST_LEDGER === 'fabric' ? await openFabricWorldLedger() : await openEmbeddedWorldLedger(options);
  const { ledger, dir, issue } = base;
  const admin = await issue(MSPS.regulator, 'Admin@regulator', 'admin');
  const stranger = await issue(MSPS.trade, 'stranger');
  const actors: Record<string, Actor> = {};
  let n = 0;
  for (const c of CAST) {
    const identity = await issue(MSPS[c.msp], `${c.id}@zfc`);
    actors[c.id] = { id: c.id, role: c.role, gln: gln(++n), identity };
  }
  const call = async <T>(kind: 'submit' | 'evaluate', fn: string, input: unknown, who: Actor | Identity): Promise<T> => {
    const identity = isActor(who) ? who.identity : who;
    const arg = typeof input === 'string' ? input : JSON.stringify(input);
    const bytes = kind === 'submit' ? (await ledger.submit(fn, [arg], identity)).payload : await ledger.evaluate(fn, [arg], identity);
    const text = Buffer.from(bytes).toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const world: World = {
    ledger, dir, admin, actors, stranger,
    capabilities: TEST_LEDGER === 'fabric' ? FABRIC_CAPABILITIES : EMBEDDED_CAPABILITIES,
    submit: (fn, input, who) => call('submit', fn, input, who),
    evaluate: (fn, input, who) => call('evaluate', fn, input, who),
    issue,
    close: async () => {
      await ledger.close();
      if (TEST_LEDGER === 'embedded') await rm(dir, { recursive: true, force: true });
    },
  };
  if (options.register !== false) {
    try {
      await registerCast(world);
    } catch (err) {
      await world.close(); // leave no temporary folder behind when the world cannot start
      throw err;
    }
  }
  return world;
}

/** The participant input of an actor. */
export function participantInput(actor: Actor): Record<string, unknown> {
  return {
    id: actor.id, name: `${actor.id} 公司`, role: actor.role, licence: `LIC-${actor.id}`, gln: actor.gln,
    identities: [{ mspId: actor.identity.mspId, id: x509IdOf(actor.identity.mspId, actor.identity.certificate) }],
  };
}

async function registerCast(world: World): Promise<void> {
  const regulator = world.actors['samr'] as Actor;
  await world.submit('Init', { regulator: participantInput(regulator) }, world.admin);
  for (const actor of Object.values(world.actors)) {
    if (actor.id !== regulator.id) await world.submit('RegisterParticipant', participantInput(actor), regulator);
  }
}

/** Expects a promise to fail with a ZfcError of `code`; returns the error. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<ZfcError> {
  try {
    await promise;
  } catch (err) {
    expect(err, String(err)).to.be.instanceOf(ZfcError);
    expect((err as ZfcError).code, (err as Error).message).to.equal(code);
    return err as ZfcError;
  }
  expect.fail(`expected ${code}, but it succeeded`);
}

/** The world state's block height, to check that a refusal changed nothing. */
export async function stateProbe(world: World, lots: readonly { gtin: string; lot: string }[], who: Actor): Promise<string> {
  const parts: unknown[] = [];
  for (const l of lots) parts.push(await world.evaluate('GetLot', l, who).catch((e: Error) => e.message));
  return JSON.stringify(parts);
}

/** Actor by id, asserting it exists. */
export function actor(world: World, id: string): Actor {
  const a = world.actors[id];
  if (!a) throw new Error(`no actor ${id}`);
  return a;
}

/** Every committed chaincode event so far, decoded, with its ledger position (read block by block). */
export async function allEvents(world: World): Promise<(AnyEventEnvelope & { blockNumber: number; txIndex: number; eventName: string })[]> {
  const out: (AnyEventEnvelope & { blockNumber: number; txIndex: number; eventName: string })[] = [];
  if (!world.capabilities.has('blocks')) {
    // Through the Ledger port: the world's events up to the last block (its last write).
    const height = await world.ledger.height();
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 30_000);
    try {
      for await (const e of world.ledger.events({ signal: ac.signal })) {
        out.push({ ...decodeEvent(e.payload), blockNumber: e.blockNumber, txIndex: e.txIndex, eventName: e.eventName });
        if (e.blockNumber >= height - 1) break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    return out;
  }
  const ledger = world.ledger as EmbeddedLedger;
  const height = await ledger.height();
  for (let n = 0; n < height; n++) {
    for (const e of blockEvents(await ledger.block(n))) {
      out.push({ ...decodeEvent(e.payload), blockNumber: e.blockNumber, txIndex: e.txIndex, eventName: e.eventName });
    }
  }
  return out;
}
