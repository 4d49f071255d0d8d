/**
 * Inspections: a regulator records that it inspected a participant's site, when, and what it
 * found, as evidence on the ledger beside everything the site recorded. The gateway's
 * inspection plan (gateway-api/inspection-plan.ts) then ranks each site by what happened since
 * it was last inspected, and a site found non-compliant stays high on it until inspected again.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { getParticipant } from './participant';
import { inspected } from './epcis-event';
import type { Inspection } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** A regulator records an inspection of a participant's site. */
export async function recordInspection(tx: Tx, input: TransactionInputs['RecordInspection']): Promise<EventBodies['InspectionRecorded']> {
  const inspector = await requireRole(tx, ['regulator'], 'record inspections');
  const site = await getParticipant(tx, input.participant);
  if (site.role === 'regulator') {
    throw new ZfcError('INVALID_ARGUMENT', '/participant: a regulator is not a site to inspect', { field: '/participant' });
  }
  if (Date.parse(input.inspectedAt) > Date.parse(tx.time)) {
    throw new ZfcError('INVALID_ARGUMENT', `/inspectedAt: ${input.inspectedAt} is after this transaction (${tx.time}); record an inspection once it took place`, { field: '/inspectedAt' });
  }
  if (input.outcome !== 'compliant' && !input.findings?.trim()) {
    throw new ZfcError('INVALID_ARGUMENT', `/findings: an inspection with the outcome ${input.outcome} says what was found`, { field: '/findings' });
  }
  if (await tx.get(KEY.inspection, [input.inspectionId])) {
    throw new ZfcError('CONFLICT', `inspection ${input.inspectionId} is already recorded`, { inspectionId: input.inspectionId });
  }
  const inspection: Inspection = {
    inspectionId: input.inspectionId, participant: site.id, inspectedAt: input.inspectedAt, outcome: input.outcome,
    ...(input.findings !== undefined ? { findings: input.findings } : {}),
    ...(input.report ? { report: { sha256: input.report.sha256, uri: input.report.uri } } : {}),
    inspector: inspector.id, recordedAt: tx.time, txId: tx.txId,
  };
  await tx.put(KEY.inspection, [inspection.inspectionId], inspection);
  inspected(tx, inspection, site);
  return { inspection, site: { id: site.id, name: site.name, role: site.role, gln: site.gln } };
}
