/**
 * The evidence: every transaction of a full chain (every kind of event) emits exactly one
 * chaincode event whose name says what changed, and every EPCIS event it records is valid
 * against GS1's official EPCIS 2.0 JSON Schema (read from ../shared, never copied here), with
 * event IDs derived from the transaction, and stored so that GetEpcisEvent returns it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { EVENT_NAMES, epcisEventId, x509IdOf, type EpcisEvent } from '../../chaincode';
import { validateEpcisEvent } from '../../chaincode/epcis-validate';
import { decodedPayload } from '../../gateway-api/ledger-payload';
import type { LedgerEvent } from '../../ledger-tools/ledger';
import { actor, allEvents, gln, openWorld, repoRoot, sscc, type World } from './support';
import { BREAD, SUGAR, WHEAT, buildChain, ref } from './chain';
import { testInput } from './scenario';

function officialValidator(): (event: unknown) => string[] {
  const file = path.join(repoRoot(), '..', 'shared', 'data', 'epcis', 'EPCIS-JSON-Schema.json');
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(file, 'utf8')) as object);
  return (event) => (validate(event) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

async function everyKindOfEvent(w: World): Promise<void> {
  await buildChain(w);
  const farmB = actor(w, 'farm-b');
  await w.submit('CommissionItems', { gtin: SUGAR, lot: 'S1', ranges: [{ prefix: 'SG', from: 1, to: 50, width: 3 }], serials: ['A/1', 'B%2'] }, farmB);
  await w.submit('Aggregate', { sscc: sscc(1), items: [{ gtin: SUGAR, serial: 'SG001' }, { gtin: SUGAR, serial: 'A/1' }], lots: [{ ...ref(SUGAR, 'S1'), quantity: 10 }], location: { gln: farmB.gln } }, farmB);
  await w.submit('Aggregate', { sscc: sscc(2), containers: [sscc(1)], location: { gln: farmB.gln } }, farmB);
  await w.submit('RecordScans', { scans: [
    { kind: 'check', sscc: sscc(2), location: { gln: farmB.gln } },
    { kind: 'dispatch', gtin: SUGAR, serial: 'SG002', location: { gln: farmB.gln }, time: '2026-03-01T09:30:00.5+08:00' },
    { kind: 'receive', gtin: SUGAR, lot: 'S1', location: { gln: farmB.gln } },
  ] }, farmB);
  await w.submit('Disaggregate', { sscc: sscc(2), containers: [sscc(1)], location: { gln: farmB.gln } }, farmB);
  await w.submit('Disaggregate', { sscc: sscc(1), location: { gln: farmB.gln } }, farmB);
  await w.submit('RecordScans', { scans: [{ kind: 'sale', gtin: BREAD, lot: 'BR1', quantity: 3, location: { gln: gln(8) } }] }, actor(w, 'shop'));
  await w.submit('RecordTest', { ...testInput('T-S1', ref(SUGAR, 'S1'), 'fail'), standard: 'GB 13104', analytes: [
    { name: 'sulphur dioxide', value: 0.5, unit: 'g/kg', limit: 0.1, substance: 'https://pubchem.ncbi.nlm.nih.gov/compound/1119' },
    { name: 'moisture', value: 2, unit: '%', limit: 1, limitType: 'min', measurementType: 'Dimensionless' },
  ] }, actor(w, 'lab'));
  await w.submit('ReleaseHold', { ...ref(SUGAR, 'S1'), reason: 'retest ordered' }, actor(w, 'samr'));
  await w.submit('PlaceHold', { ...ref(WHEAT, 'W2'), reason: 'inspection' }, actor(w, 'samr'));
  await w.submit('IssueRecall', { recallId: 'R-1', lots: [ref(WHEAT, 'W1')], reason: 'aflatoxin', class: 'I', budget: 1 }, actor(w, 'samr'));
  await w.submit('ContinueRecall', { recallId: 'R-1', budget: 100 }, actor(w, 'samr'));
  await w.submit('RecordDisposal', { disposalId: 'D-1', ...ref(BREAD, 'BR1'), quantity: 20, method: 'destroyed', reason: 'recall R-1', location: { gln: gln(8) } }, actor(w, 'shop'));
  // labelled items among a disposal: instances beside the quantity
  await w.submit('RecordDisposal', { disposalId: 'D-2', ...ref(SUGAR, 'S1'), quantity: 2, method: 'disposed', reason: 'spoiled', location: { gln: farmB.gln }, serials: ['SG003', 'SG004'] }, farmB);
  await w.submit('RecordInspection', { inspectionId: 'INS-1', participant: 'mill', inspectedAt: '2026-02-27T10:00:00+08:00', outcome: 'minor_findings', findings: 'flour store door left open', report: { sha256: 'd'.repeat(64), uri: 'https://samr.example.cn/ins/1.pdf' } }, actor(w, 'samr'));
  // every character GS1 allows in a lot code that a URI must percent-encode
  await w.submit('CreateLot', { gtin: SUGAR, lot: 'Q"<>%&\'()*+,/:;=?!', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(101) } }, farmB);
  await w.submit('SuspendParticipant', { id: 'shop-b', reason: 'audit' }, actor(w, 'samr'));
  await w.submit('ReinstateParticipant', { id: 'shop-b', reason: 'done' }, actor(w, 'samr'));
  const renewed = await w.issue('TradeMSP', 'shop-b-renewed@zfc');
  const identity = { mspId: renewed.mspId, id: x509IdOf(renewed.mspId, renewed.certificate) };
  await w.submit('AddIdentity', { participant: 'shop-b', identity }, actor(w, 'samr'));
  await w.submit('RemoveIdentity', { participant: 'shop-b', identity }, actor(w, 'samr'));
  // an event captured through the EPCIS interface (the `epcis` contract): EpcisCaptured
  await w.submit('epcis:CaptureEvents', {
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-01T10:00:00Z',
    epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: '2026-03-01T10:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', epcList: ['urn:epc:id:sscc:0614141.1234567890'] }] },
  }, farmB);
}

describe('chaincode: EPCIS evidence and chaincode events', function () {
  let w: World;
  let events: Awaited<ReturnType<typeof allEvents>>;
  before(async () => {
    w = await openWorld();
    await everyKindOfEvent(w);
    events = await allEvents(w);
  });
  after(async () => w?.close());

  it('emits exactly one chaincode event per transaction, of every kind, named as its payload says', async () => {
    const height = await w.ledger.height();
    expect(height).to.be.greaterThan(0);
    const perTx = new Map<string, number>();
    for (const e of events) perTx.set(e.txId, (perTx.get(e.txId) ?? 0) + 1);
    expect([...perTx.values()].every((n) => n === 1)).to.equal(true);
    for (const e of events) expect(e.eventName).to.equal(e.type);
    expect(new Set(events.map((e) => e.type))).to.deep.equal(new Set(EVENT_NAMES));
  });

  it('records EPCIS events that GS1\'s official JSON Schema accepts', () => {
    const validate = officialValidator();
    const epcis = events.flatMap((e) => e.epcis);
    expect(epcis.length).to.be.greaterThan(25);
    const kinds = new Set(epcis.map((e) => `${e.type}/${e.action ?? ''}/${e.bizStep ?? ''}`));
    expect(kinds.size).to.be.greaterThan(10);
    for (const event of epcis) expect(validate(event), JSON.stringify(event)).to.deep.equal([]);
    // the check can fail: the same events, broken, are refused
    const sample = epcis[0] as EpcisEvent;
    expect(validate({ ...sample, eventTimeZoneOffset: '8h' })).to.not.deep.equal([]);
    expect(validate({ ...sample, bizStep: 'urn:epcglobal:cbv:bizstep:not a uri' })).to.not.deep.equal([]);
    const bare: Record<string, unknown> = { ...sample };
    delete bare['@context'];
    expect(validate(bare)).to.not.deep.equal([]);
  });

  it('records EPCIS events that the project\'s own capture validator accepts (so ours can be captured and queried like anyone\'s)', () => {
    for (const event of events.flatMap((e) => e.epcis)) expect(() => validateEpcisEvent(event), JSON.stringify(event)).to.not.throw();
  });

  it('derives each eventID from the transaction ID and the event\'s index, uniquely', () => {
    const ids = new Set<string>();
    for (const e of events) {
      e.epcis.forEach((x, i) => {
        expect(x.eventID).to.equal(epcisEventId(e.txId, i));
        expect(x.recordTime).to.equal(e.timestamp);
        ids.add(x.eventID);
      });
    }
    expect(ids.size).to.equal(events.flatMap((e) => e.epcis).length);
  });

  it('uses Digital Link identifiers and CBV short names, with the lot ILMD on commissioning', () => {
    const created = events.find((e) => e.type === 'LotCreated' && e.body.lot.lot === 'W1');
    const event = created?.epcis[0] as EpcisEvent;
    expect(event.quantityList).to.deep.equal([{ epcClass: `https://id.gs1.org/01/${WHEAT}/10/W1`, quantity: 1000, uom: 'KGM' }]);
    expect(event.bizLocation).to.deep.equal({ id: `https://id.gs1.org/414/${gln(100)}` });
    expect(event.ilmd).to.include({ 'cbvmda:lotNumber': 'W1', 'cbvmda:countryOfOrigin': 'CN', 'zfc:productionDate': '2026-02-20' });
    const shipped = events.find((e) => e.type === 'Shipped');
    expect(shipped?.epcis[0]?.sourceList?.[0]).to.deep.equal({ type: 'owning_party', source: `https://id.gs1.org/417/${actor(w, 'farm-a').gln}` });
    const items = events.find((e) => e.type === 'ItemsCommissioned');
    expect(items?.epcis[0]?.epcList).to.include(`https://id.gs1.org/01/${SUGAR}/21/A%2F1`);
  });

  it("carries a capture's events in its transaction's writes, from which the followers get exactly what a read gives", async () => {
    const envelope = events.find((e) => e.type === 'EpcisCaptured');
    if (!envelope) throw new Error('no EpcisCaptured event');
    expect(JSON.stringify(envelope)).to.not.include('sscc:0614141.1234567890'); // the event's epcList is not in the payload
    const abort = new AbortController();
    let raw: LedgerEvent | undefined;
    for await (const e of w.ledger.events({ after: { blockNumber: envelope.blockNumber - 1, txIndex: Number.MAX_SAFE_INTEGER }, signal: abort.signal })) {
      if (e.txIndex !== envelope.txIndex) continue;
      raw = e;
      abort.abort();
    }
    const record = raw?.writes?.find((x) => x.key.startsWith('epcis.e|'));
    expect(record?.value && JSON.parse(Buffer.from(record.value).toString('utf8'))).to.deep.include({ txId: envelope.txId, generatedID: true });
    const decoded = decodedPayload(raw as LedgerEvent);
    if (decoded.kind !== 'captured') throw new Error(`decoded as ${decoded.kind}`);
    const [stored] = decoded.captured.body.events;
    expect(decoded.captured.body.events).to.have.length(1);
    expect(stored?.event['epcList']).to.deep.equal(['urn:epc:id:sscc:0614141.1234567890']);
    expect(stored).to.deep.equal(await w.evaluate('epcis:GetEvent', stored?.eventID, actor(w, 'samr')));
  });

  it('stores every EPCIS event so GetEpcisEvent returns it byte for byte', async () => {
    for (const e of events.slice(-5)) {
      for (const x of e.epcis) expect(await w.evaluate('GetEpcisEvent', { eventID: x.eventID }, actor(w, 'samr'))).to.deep.equal(x);
    }
  });
});
