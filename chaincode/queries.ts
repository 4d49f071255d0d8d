/**
 * The read-only transactions: what the contract answers about participants, products, lots,
 * items, containers, shipments, recalls, histories, lineage and traces. Any active
 * participant may read; the warnings list is for regulators.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireParticipant, requireRole } from './access';
import { getParticipant } from './participant';
import { getProduct } from './product';
import { getLot, listHoldings } from './lot';
import { findItem } from './item';
import { listTests } from './test-result';
import { getContainer } from './aggregation';
import { getShipment } from './shipment';
import { getRecall, inputsOf, outputsOf } from './recall';
import { LedgerReadAccess } from './epcis-access';
import { getEpcisEvent, lotHistory } from './history';
import { trace, traceRoots, TRACE_DEFAULTS } from './trace';
import type { TransactionInputs } from './schemas';
import type { Inspection, Packed, Warning } from './records';
import type { Tx } from './tx';

/** The read transactions, by name: each returns a JSON-safe value. */
export const QUERIES = {
  GetCaller: async (tx: Tx, _input: TransactionInputs['GetCaller']) => requireParticipant(tx),
  GetParticipant: async (tx: Tx, input: TransactionInputs['GetParticipant']) => {
    await requireParticipant(tx);
    return getParticipant(tx, input.id);
  },
  GetProduct: async (tx: Tx, input: TransactionInputs['GetProduct']) => {
    await requireParticipant(tx);
    return getProduct(tx, input.gtin);
  },
  GetLot: async (tx: Tx, input: TransactionInputs['GetLot']) => {
    await requireParticipant(tx);
    const lot = await getLot(tx, input);
    const warnings = (await tx.list<Warning>(KEY.lotWarning, [lot.gtin, lot.lot])).map((e) => e.value);
    const packed = (await tx.list<Packed>(KEY.packed, [lot.gtin, lot.lot])).map((e) => e.value);
    return { lot, holdings: await listHoldings(tx, lot), packed, tests: await listTests(tx, lot), warnings };
  },
  GetItem: async (tx: Tx, input: TransactionInputs['GetItem']) => {
    await requireParticipant(tx);
    const item = await findItem(tx, input.gtin, input.serial);
    return { item, lot: await getLot(tx, item) };
  },
  GetContainer: async (tx: Tx, input: TransactionInputs['GetContainer']) => {
    await requireParticipant(tx);
    return getContainer(tx, input.sscc);
  },
  GetShipment: async (tx: Tx, input: TransactionInputs['GetShipment']) => {
    await requireParticipant(tx);
    return getShipment(tx, input.shipmentId);
  },
  GetRecall: async (tx: Tx, input: TransactionInputs['GetRecall']) => {
    await requireParticipant(tx);
    return getRecall(tx, input.recallId);
  },
  GetInspection: async (tx: Tx, input: TransactionInputs['GetInspection']) => {
    const caller = await requireParticipant(tx);
    const inspection = await tx.get<Inspection>(KEY.inspection, [input.inspectionId]);
    // another site's inspection is as absent: its findings are the regulator's and that site's
    if (!inspection || (caller.role !== 'regulator' && caller.id !== inspection.participant)) {
      throw new ZfcError('INSPECTION_NOT_FOUND', `inspection ${input.inspectionId} not found`, { inspectionId: input.inspectionId });
    }
    return inspection;
  },
  GetLotHistory: async (tx: Tx, input: TransactionInputs['GetLotHistory']) => {
    const access = new LedgerReadAccess(tx, await requireParticipant(tx));
    await getLot(tx, input);
    return lotHistory(tx, input, input.pageSize ?? TRACE_DEFAULTS.pageSize, input.bookmark ?? '', (recorder) => access.mayRead(recorder));
  },
  GetLotLineage: async (tx: Tx, input: TransactionInputs['GetLotLineage']) => {
    await requireParticipant(tx);
    await getLot(tx, input);
    return { inputs: await inputsOf(tx, input), outputs: await outputsOf(tx, input) };
  },
  TraceBack: async (tx: Tx, input: TransactionInputs['TraceBack']) => {
    await requireParticipant(tx);
    return trace(tx, await traceRoots(tx, input), 'back', input);
  },
  TraceForward: async (tx: Tx, input: TransactionInputs['TraceForward']) => {
    await requireParticipant(tx);
    return trace(tx, await traceRoots(tx, input), 'forward', input);
  },
  ListWarnings: async (tx: Tx, input: TransactionInputs['ListWarnings']) => {
    await requireRole(tx, ['regulator'], 'list warnings');
    const page = await tx.page<Warning>(KEY.warning, [], input.pageSize ?? TRACE_DEFAULTS.pageSize, input.bookmark ?? '');
    return { warnings: page.entries.map((e) => e.value), bookmark: page.bookmark };
  },
  GetEpcisEvent: async (tx: Tx, input: TransactionInputs['GetEpcisEvent']) => {
    await requireParticipant(tx);
    const event = await getEpcisEvent(tx, input.eventID);
    if (!event) throw new ZfcError('EVENT_NOT_FOUND', `event ${input.eventID} not found`, { eventID: input.eventID });
    return event;
  },
} as const;
