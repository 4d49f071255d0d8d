/**
 * Test support for the contract: a fresh embedded ledger in a temporary folder running the
 * real contract, certificate authorities for three MSPs, a registered cast of participants
 * (one per role, plus spares), GS1 identifiers with valid check digits, and helpers that
 * submit and evaluate JSON and expect a typed error.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { blockEvents, createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity, type Ledger } from '../../ledger-tools';
import { contracts, decodeEvent, x509IdOf, ZfcError, type AnyEventEnvelope, type ErrorCode, type Role } from '../../chaincode';
import { gs1CheckDigit } from '../../chaincode/gs1';

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

/** Opens a fresh ledger, initialises it with the regulator and registers the cast. */
export async function openWorld(options: { register?: boolean; clock?: () => Date; batchTimeoutMs?: number } = {}): Promise<World> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zfc-chaincode-'));
  const ledger = await openEmbeddedLedger({ dir, contracts, batchTimeoutMs: options.batchTimeoutMs ?? 0, clock: options.clock ?? steppingClock() });
  const cas = {
    regulator: await createCertificateAuthority(MSPS.regulator),
    producers: await createCertificateAuthority(MSPS.producers),
    trade: await createCertificateAuthority(MSPS.trade),
  };
  const byMsp = (mspId: string) => Object.values(cas).find((ca) => ca.mspId === mspId) ?? cas.trade;
  const admin = await cas.regulator.issue({ commonName: 'Admin@regulator', organizationalUnit: 'admin' });
  const stranger = await cas.trade.issue({ commonName: 'stranger', organizationalUnit: 'client' });
  const actors: Record<string, Actor> = {};
  let n = 0;
  for (const c of CAST) {
    const identity = await cas[c.msp].issue({ commonName: `${c.id}@zfc`, organizationalUnit: 'client' });
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
    submit: (fn, input, who) => call('submit', fn, input, who),
    evaluate: (fn, input, who) => call('evaluate', fn, input, who),
    issue: (mspId, commonName, ou = 'client') => byMsp(mspId).issue({ commonName, organizationalUnit: ou }),
    close: async () => {
      await ledger.close();
      await rm(dir, { recursive: true, force: true });
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
  const ledger = world.ledger as EmbeddedLedger;
  const out: (AnyEventEnvelope & { blockNumber: number; txIndex: number; eventName: string })[] = [];
  const height = await ledger.height();
  for (let n = 0; n < height; n++) {
    for (const e of blockEvents(await ledger.block(n))) {
      out.push({ ...decodeEvent(e.payload), blockNumber: e.blockNumber, txIndex: e.txIndex, eventName: e.eventName });
    }
  }
  return out;
}
