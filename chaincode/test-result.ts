/**
 * Lab tests of lots ("every batch tested"): a lab records the analytes, limits, verdict and
 * the SHA-256 of its signed report. A verdict must agree with the analytes (no pass with a
 * value beyond its limit), and a failing test puts the lot on hold.
 */
import { ZfcError } from './errors';
import { KEY } from './keys';
import { requireRole } from './access';
import { getLot, putLot } from './lot';
import { testRecorded } from './epcis-event';
import type { Analyte, Lot, LotRef, TestResult } from './records';
import type { TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** True if an analyte's value is within its limit. */
export function withinLimit(a: Pick<Analyte, 'value' | 'limit' | 'limitType'>): boolean {
  return a.limitType === 'min' ? a.value >= a.limit : a.value <= a.limit;
}

/** Every test of a lot, in test ID order. */
export async function listTests(tx: Tx, ref: LotRef): Promise<TestResult[]> {
  return (await tx.list<TestResult>(KEY.test, [ref.gtin, ref.lot])).map((e) => e.value);
}

function heldLot(tx: Tx, lot: Lot, test: TestResult): Lot {
  if (lot.status !== 'active') return lot; // already held or recalled: keep the stronger state
  return { ...lot, status: 'on_hold', hold: { reason: `test ${test.testId} failed`, by: test.lab, at: tx.time, txId: tx.txId, testId: test.testId } };
}

/** A lab records a test of a lot. */
export async function recordTest(tx: Tx, input: TransactionInputs['RecordTest']): Promise<EventBodies['TestRecorded']> {
  const lab = await requireRole(tx, ['lab'], 'record tests');
  const lot = await getLot(tx, input);
  if (await tx.get(KEY.test, [lot.gtin, lot.lot, input.testId])) {
    throw new ZfcError('CONFLICT', `test ${input.testId} is already recorded for this lot`, { testId: input.testId });
  }
  const analytes: Analyte[] = input.analytes.map((a) => ({
    name: a.name, value: a.value, unit: a.unit, limit: a.limit, limitType: a.limitType ?? 'max',
    ...(a.measurementType ? { measurementType: a.measurementType } : {}), ...(a.substance ? { substance: a.substance } : {}),
  }));
  const failing = analytes.findIndex((a) => !withinLimit(a));
  if (input.verdict === 'pass' && failing >= 0) {
    throw new ZfcError('INVALID_ARGUMENT', `/analytes/${failing}: beyond its limit, but the verdict is pass`, { field: `/analytes/${failing}` });
  }
  const test: TestResult = {
    testId: input.testId, gtin: lot.gtin, lot: lot.lot, lab: lab.id, method: input.method,
    ...(input.standard ? { standard: input.standard } : {}), sampledAt: input.sampledAt, analytes,
    verdict: input.verdict, report: { sha256: input.report.sha256, uri: input.report.uri }, recordedAt: tx.time, txId: tx.txId,
  };
  await tx.put(KEY.test, [lot.gtin, lot.lot, test.testId], test);
  const counted: Lot = { ...lot, tests: { passed: lot.tests.passed + (test.verdict === 'pass' ? 1 : 0), failed: lot.tests.failed + (test.verdict === 'fail' ? 1 : 0) } };
  const updated = test.verdict === 'fail' ? heldLot(tx, counted, test) : counted;
  await putLot(tx, updated);
  testRecorded(tx, test, lab);
  return { test, lot: updated, held: updated.status === 'on_hold' && lot.status === 'active' };
}
