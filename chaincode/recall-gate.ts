/**
 * Keeps a recall in progress ahead of the goods. A recall larger than one transaction's budget
 * marks lots over several transactions; until it is complete, a lot it has not reached yet is
 * still `active`. So while any recall is incomplete, every use of a lot (ship, transform, pack,
 * sale, scan) walks the lot's ancestors through the lineage edges, bounded, and refuses it with
 * LOT_RECALLED if it is, or descends from, a lot an incomplete recall names: exactly the lots
 * that recall will mark. The common case costs one point read of a small key listing the open
 * recalls (absent when none is open): cheaper than a range read, and on Fabric a use racing a
 * recall that opens fails on MVCC, so it is retried and then sees the recall.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { LIMITS } from './schemas';
import type { LineageEdge, LotRef } from './records';
import type { Tx } from './tx';

/** What an incomplete recall leaves under `zfc.openrecall`: its ID and the lots it names. */
export interface OpenRecall {
  readonly recallId: string;
  readonly lots: readonly LotRef[];
}

/** What `zfc.meta openrecalls` holds: the IDs of the incomplete recalls, absent when there are none. */
interface OpenRecalls {
  readonly recallIds: readonly string[];
}

const SUMMARY = ['openrecalls'];

interface Gate {
  /** Lot named by an open recall → that recall's ID. */
  readonly named: Map<string, string>;
  /** Verdicts already reached in this transaction, by lot. */
  readonly verdicts: Map<string, Hit | undefined>;
}

interface Hit {
  readonly recallId: string;
  readonly via: LotRef;
}

const gates = new WeakMap<Tx, Gate>();

const lotKey = (ref: LotRef): string => `${ref.gtin}\u0000${ref.lot}`;

/** The open recalls, read once per transaction. */
async function gateOf(tx: Tx): Promise<Gate> {
  const known = gates.get(tx);
  if (known) return known;
  const named = new Map<string, string>();
  for (const recallId of (await tx.get<OpenRecalls>(KEY.meta, SUMMARY))?.recallIds ?? []) {
    for (const ref of (await tx.get<OpenRecall>(KEY.openRecall, [recallId]))?.lots ?? []) named.set(lotKey(ref), recallId);
  }
  const gate: Gate = { named, verdicts: new Map() };
  gates.set(tx, gate);
  return gate;
}

/** Walks `lot` and its ancestors breadth first until one is named by an open recall. */
async function namedAncestor(tx: Tx, gate: Gate, lot: LotRef): Promise<Hit | undefined> {
  const queue: LotRef[] = [{ gtin: lot.gtin, lot: lot.lot }];
  const seen = new Set<string>([lotKey(lot)]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const recallId = gate.named.get(lotKey(next));
    if (recallId !== undefined) return { recallId, via: next };
    for (const { value } of await tx.list<LineageEdge>(KEY.input, [next.gtin, next.lot])) {
      if (seen.has(lotKey(value.input))) continue;
      if (seen.size >= LIMITS.recallGateLots) {
        throw new ZfcError('CONFLICT', `a recall is in progress and lot ${lot.gtin}/${lot.lot} has more than ${LIMITS.recallGateLots} ancestors to check: complete the recall first`, {
          gtin: lot.gtin, lot: lot.lot, limit: LIMITS.recallGateLots, recallIds: [...new Set(gate.named.values())],
        });
      }
      seen.add(lotKey(value.input));
      queue.push(value.input);
    }
  }
  return undefined;
}

/** Refuses a lot that an incomplete recall will reach (LOT_RECALLED, with `pending: true`). */
export async function assertNotUnderOpenRecall(tx: Tx, lot: LotRef, action: string): Promise<void> {
  const gate = await gateOf(tx);
  if (gate.named.size === 0) return;
  const key = lotKey(lot);
  const hit = gate.verdicts.has(key) ? gate.verdicts.get(key) : await namedAncestor(tx, gate, lot);
  gate.verdicts.set(key, hit);
  if (!hit) return;
  throw new ZfcError('LOT_RECALLED', `lot ${lot.gtin}/${lot.lot} is made from lot ${hit.via.gtin}/${hit.via.lot}, under recall ${hit.recallId} (in progress)`, {
    gtin: lot.gtin, lot: lot.lot, action, recallId: hit.recallId, via: { ...hit.via }, pending: true,
  });
}

async function openIds(tx: Tx): Promise<string[]> {
  return [...((await tx.get<OpenRecalls>(KEY.meta, SUMMARY))?.recallIds ?? [])];
}

/** Records that a recall is incomplete, so the gate stops lots it has not reached yet. */
export async function openRecall(tx: Tx, recall: OpenRecall): Promise<void> {
  await tx.put(KEY.openRecall, [recall.recallId], { recallId: recall.recallId, lots: recall.lots.map((l) => ({ gtin: l.gtin, lot: l.lot })) });
  const recallIds = await openIds(tx);
  if (!recallIds.includes(recall.recallId)) await tx.put(KEY.meta, SUMMARY, { recallIds: [...recallIds, recall.recallId].sort() });
}

/** Records that a recall is complete: every lot it reaches is marked, so the gate lets go. */
export async function closeRecall(tx: Tx, recallId: string): Promise<void> {
  await tx.del(KEY.openRecall, [recallId]);
  const recallIds = (await openIds(tx)).filter((id) => id !== recallId);
  if (recallIds.length > 0) await tx.put(KEY.meta, SUMMARY, { recallIds });
  else await tx.del(KEY.meta, SUMMARY);
}
