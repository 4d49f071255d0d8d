/**
 * Inspections (chaincode/inspection.ts): a regulator records an inspection of a participant's
 * site; the record, its chaincode event and its EPCIS event; who may read its findings; and
 * every refusal, each committing nothing. Runs on the embedded ledger and on Fabric alike.
 */
import { expect } from 'chai';
import type { ErrorCode, Inspection } from '../../chaincode';
import { actor, allEvents, expectCode, openWorld, type Actor, type World } from './support';

const SHA = 'c'.repeat(64);
/** Before every ledger's transaction time: the embedded world's clock starts on 2026-03-01, Fabric's is now. */
const INSPECTED_AT = '2026-02-28T09:30:00+08:00';

describe('chaincode: inspections', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
  });
  after(async () => w?.close());

  /** Expects a submit to be refused with `code` and to commit nothing. */
  async function refused(input: unknown, who: Actor, code: ErrorCode, field?: string): Promise<void> {
    const height = await w.ledger.height();
    const err = await expectCode(w.submit('RecordInspection', input, who), code);
    if (field) expect(err.details['field'], err.message).to.equal(field);
    expect(await w.ledger.height(), 'a refused inspection committed a block').to.equal(height);
  }

  it('records a regulator\'s inspection of a site, with an EPCIS event at the site\'s GLN', async () => {
    const samr = actor(w, 'samr');
    const mill = actor(w, 'mill');
    await w.submit('RecordInspection', {
      inspectionId: 'INS-1', participant: 'mill', inspectedAt: INSPECTED_AT, outcome: 'non_compliant',
      findings: '原料库温度记录缺失 No temperature records for the raw material store', report: { sha256: SHA, uri: 'https://samr.example.cn/ins/1.pdf' },
    }, samr);
    const record = await w.evaluate<Inspection>('GetInspection', { inspectionId: 'INS-1' }, samr);
    expect(record).to.include({ inspectionId: 'INS-1', participant: 'mill', inspectedAt: INSPECTED_AT, outcome: 'non_compliant', inspector: 'samr' });
    expect(record.findings).to.include('No temperature records');
    expect(record.txId).to.match(/^[0-9a-f]{64}$/);
    expect(await w.evaluate('GetInspection', { inspectionId: 'INS-1' }, mill), 'the site reads its own inspection').to.deep.equal(record);

    const events = (await allEvents(w)).filter((e) => e.eventName === 'InspectionRecorded');
    expect(events).to.have.length(1);
    const env = events[0] as (typeof events)[number] & { type: 'InspectionRecorded' };
    expect(env.body.inspection).to.deep.equal(record);
    expect(env.body.site).to.deep.equal({ id: 'mill', name: 'mill 公司', role: 'processor', gln: mill.gln });
    expect(env.epcis).to.have.length(1);
    const epcis = env.epcis[0] as unknown as Record<string, unknown>;
    expect(epcis).to.include({ type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', disposition: 'non_conformant', eventTime: INSPECTED_AT, eventTimeZoneOffset: '+08:00' });
    expect(epcis['bizLocation']).to.deep.equal({ id: `https://id.gs1.org/414/${mill.gln}` });
    expect(epcis).to.include({ 'zfc:inspectionId': 'INS-1', 'zfc:participant': 'mill', 'zfc:outcome': 'non_compliant', 'zfc:inspector': 'samr' });
    expect(JSON.stringify(epcis), 'the findings stay in the record').to.not.include('temperature');
  });

  it('answers another participant as if the inspection did not exist', async () => {
    const err = await expectCode(w.evaluate('GetInspection', { inspectionId: 'INS-1' }, actor(w, 'bakery')), 'INSPECTION_NOT_FOUND');
    expect(err.details).to.deep.equal({ inspectionId: 'INS-1' });
    await expectCode(w.evaluate('GetInspection', { inspectionId: 'INS-NONE' }, actor(w, 'samr')), 'INSPECTION_NOT_FOUND');
  });

  it('refuses what is not a regulator\'s inspection of a site that took place, each committing nothing', async () => {
    const ok = { inspectionId: 'INS-2', participant: 'shop', inspectedAt: INSPECTED_AT, outcome: 'compliant' };
    for (const who of ['farm-a', 'mill', 'lab', 'dist', 'shop']) await refused(ok, actor(w, who), 'FORBIDDEN');
    const samr = actor(w, 'samr');
    await refused({ ...ok, participant: 'nobody' }, samr, 'PARTICIPANT_NOT_FOUND');
    await refused({ ...ok, participant: 'samr' }, samr, 'INVALID_ARGUMENT', '/participant');
    await refused({ ...ok, inspectedAt: '2030-01-01T00:00:00Z' }, samr, 'INVALID_ARGUMENT', '/inspectedAt');
    await refused({ ...ok, outcome: 'non_compliant' }, samr, 'INVALID_ARGUMENT', '/findings');
    await refused({ ...ok, outcome: 'minor_findings', findings: ' \t ' }, samr, 'INVALID_ARGUMENT', '/findings');
    await refused({ ...ok, outcome: 'fine' }, samr, 'INVALID_ARGUMENT', '/outcome');
    await refused({ ...ok, inspectedAt: 'yesterday' }, samr, 'INVALID_ARGUMENT', '/inspectedAt');
    await refused({ ...ok, inspectionId: 'INS-1' }, samr, 'CONFLICT');
    await refused({ ...ok, inspectionId: 'INS|\u0000' }, samr, 'INVALID_ARGUMENT', '/inspectionId');
    await w.submit('RecordInspection', ok, samr); // the same input, valid, is recorded
    expect(await w.evaluate('GetInspection', { inspectionId: 'INS-2' }, actor(w, 'shop'))).to.include({ outcome: 'compliant', participant: 'shop' });
  });
});
