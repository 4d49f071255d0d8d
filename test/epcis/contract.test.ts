/**
 * The `epcis` contract on the real embedded ledger: capture of GS1's twelve examples read back
 * field by field, content-hash IDs and duplicates, one chaincode event per capture, all-or-nothing
 * on bad input, the ledger's lot rules (a captured shipment of a recalled lot is refused), and
 * queries that find an item whichever identifier form its events used.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { canonicalJson } from '../../chaincode/canonical-json';
import { ZfcError } from '../../chaincode/errors';
import { CaptureWritesMissingError, decodeEpcisCaptured } from '../../chaincode/epcis-capture';
import { eventIdentifiers } from '../../chaincode/epcis-identifiers';
import { EpcisContract } from '../../chaincode/epcis-contract';
import { eventKeyHash, type StoredEpcisEvent, type EventPage } from '../../chaincode/epcis-ledger';
import type { EpcisQueryPlan } from '../../chaincode/epcis-match';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity, type LedgerEvent } from '../../ledger-tools';
import { documentOf, example, exampleNames, objectEvent } from './fixtures';
import { SeedContract } from './seed-contract';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

async function rejection(p: Promise<unknown>): Promise<ZfcError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ZfcError);
    return err as ZfcError;
  }
  throw new Error('expected a rejection');
}

describe('EPCIS contract on the embedded ledger', function () {
  this.timeout(120_000);
  let dir: string;
  let ledger: EmbeddedLedger;
  let alice: Identity;
  let stranger: Identity;

  const capture = async (doc: unknown, who: Identity = alice) =>
    JSON.parse(text((await ledger.submit('epcis:CaptureEvents', [JSON.stringify(doc)], who)).payload)) as {
      captured: Array<{ index: number; eventID: string; generatedID: boolean }>;
      duplicates: Array<{ index: number; eventID: string }>;
      declared: Array<{ index: number; eventID: string }>;
      capturedBy: string;
    };
  const query = async (plan: Partial<EpcisQueryPlan>, token = '') =>
    JSON.parse(text(await ledger.evaluate('epcis:QueryEvents', [JSON.stringify({ perPage: 100, ...plan }), token], alice))) as EventPage;
  const get = async (eventID: string) => JSON.parse(text(await ledger.evaluate('epcis:GetEvent', [eventID], alice))) as StoredEpcisEvent;
  /** The chaincode event of a committed transaction. */
  const ledgerEventOf = async (r: { txId: string; blockNumber: number }): Promise<LedgerEvent> => {
    const abort = new AbortController();
    try {
      for await (const e of ledger.events({ after: { blockNumber: r.blockNumber - 1, txIndex: Number.MAX_SAFE_INTEGER }, signal: abort.signal })) if (e.txId === r.txId) return e;
    } finally {
      abort.abort();
    }
    throw new Error(`no event of ${r.txId}`);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-epcis-'));
    ledger = await openEmbeddedLedger({ dir, contracts: [EpcisContract, SeedContract] });
    const ca = await createCertificateAuthority('Org1MSP');
    alice = await ca.issue({ commonName: 'alice', organizationalUnit: 'client' });
    stranger = await ca.issue({ commonName: 'mallory', organizationalUnit: 'client' });
    await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-ALICE', name: 'Alice Foods', role: 'distributor', status: 'active', identities: [] })], alice);
  });

  after(async () => {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('captures each of the twelve official examples and reads every event back field by field', async () => {
    for (const name of exampleNames()) {
      const doc = example(name);
      const result = await capture(doc);
      const events = doc['epcisBody'].eventList as Array<Record<string, unknown>>;
      expect(result.captured.length + result.duplicates.length, name).to.equal(events.length);
      for (const c of result.captured) {
        const stored = await get(c.eventID);
        expect(stored.event, `${name} #${c.index}`).to.deep.equal(events[c.index]);
        expect(stored.capturedBy).to.equal('P-ALICE');
        if (typeof events[c.index]?.['eventID'] === 'string') expect(stored.eventID).to.equal(events[c.index]?.['eventID']);
      }
    }
  });

  it('writes one key per event and one per capture: the event as captured and what names it', async () => {
    const doc = documentOf([objectEvent(300), objectEvent(301), objectEvent(302)]);
    const { blockNumber, txId } = await ledger.submit('epcis:CaptureEvents', [JSON.stringify(doc)], alice);
    const tx = (await ledger.block(blockNumber)).transactions.find((t) => t.txId === txId);
    const writes = tx?.rwset.writes ?? [];
    expect(writes.filter((w) => w.key.startsWith('epcis.e|'))).to.have.length(3);
    expect(writes.filter((w) => !w.key.startsWith('epcis.e|')).map((w) => w.key)).to.deep.equal([`epcis.c|${txId}`]);
    for (const w of writes.filter((x) => x.key.startsWith('epcis.e|'))) {
      const text = Buffer.from(String(w.value), 'base64').toString('utf8');
      expect(Object.keys(JSON.parse(text)).sort()).to.deep.equal(['event', 'eventID', 'generatedID', 'txId']);
      expect(text, 'canonical JSON').to.equal(canonicalJson(JSON.parse(text)));
    }
    expect(JSON.parse(Buffer.from(String(writes.find((w) => w.key.startsWith('epcis.c|'))?.value), 'base64').toString('utf8'))).to.deep.equal({ capturedBy: 'P-ALICE', context: doc['@context'], recordTime: tx?.timestamp });
  });

  it('captures an event at a leap second, which the schema allows and Date cannot read, and reads it back', async () => {
    const leap = objectEvent(320, { eventTime: '2016-12-31T23:59:60Z', eventTimeZoneOffset: '+00:00' });
    const { captured } = await capture(documentOf([leap]));
    const stored = await get(captured[0]?.eventID ?? '');
    expect(stored.event).to.deep.equal(leap);
    expect(stored.eventTime).to.equal('2016-12-31T23:59:60Z');
  });

  it('still reads an event record of the first layout (capture fields and ids in the record)', async () => {
    const event = objectEvent(310, { eventID: 'urn:uuid:5a3c9e0e-0000-4000-8000-000000000310', epcList: ['urn:epc:id:sgtin:0614141.107346.310'] });
    const old = {
      eventID: event['eventID'], generatedID: false, recordTime: '2026-01-01T00:00:00.000Z', eventTime: new Date(String(event['eventTime'])).toISOString(),
      capturedBy: 'P-ALICE', txId: 'f'.repeat(64), ids: { epcList: ['https://id.gs1.org/01/10614141073464/21/310'], childEPCs: [], inputEPCList: [], outputEPCList: [], epcClasses: [], inputEPCClasses: [], outputEPCClasses: [], sources: [], destinations: [] },
      event,
    };
    await ledger.submit('seed:Raw', [`epcis.e|${eventKeyHash(String(event['eventID']))}`, canonicalJson(old)], alice);
    expect(await get(String(event['eventID']))).to.deep.equal(old);
    const found = await query({ epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/310', prefix: false }] });
    expect(found.events).to.deep.equal([old]);
    expect((await capture(documentOf([event]))).duplicates).to.have.length(1);
  });

  it('gives an event without eventID its content hash, and records a repeated event once', async () => {
    const doc = documentOf([objectEvent(1), objectEvent(2)]);
    const first = await capture(doc);
    expect(first.captured).to.have.length(2);
    expect(first.captured[0]?.eventID).to.match(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    expect(first.captured[0]?.generatedID).to.equal(true);
    const again = await capture(documentOf([objectEvent(2), objectEvent(1), objectEvent(3)]));
    expect(again.duplicates.map((d) => d.eventID).sort()).to.deep.equal(first.captured.map((c) => c.eventID).sort());
    expect(again.captured).to.have.length(1);
    const sameInOneDoc = await capture(documentOf([objectEvent(4), objectEvent(4)]));
    expect(sameInOneDoc.captured).to.have.length(1);
    expect(sameInOneDoc.duplicates).to.deep.equal([{ index: 1, eventID: sameInOneDoc.captured[0]?.eventID }]);
  });

  it('refuses a repeated eventID that names a different event (EVENT_ID_CONFLICT), by anyone, recorded or earlier in the document', async () => {
    const other = await (await createCertificateAuthority('Org2MSP')).issue({ commonName: 'carol', organizationalUnit: 'client' });
    await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-CAROL', name: 'Carol', role: 'retailer', status: 'active', identities: [] })], other);
    const mine = objectEvent(320, { eventID: 'urn:uuid:7c0ffee0-0000-4000-8000-000000000320', epcList: ['urn:epc:id:sgtin:0614141.107346.320'] });
    expect((await capture(documentOf([mine]))).captured).to.have.length(1);
    // the same event again, the same fields in another order and form (a Digital Link for the URN): recorded once, by anyone
    const reordered = Object.fromEntries(Object.entries({ ...mine, epcList: ['https://id.gs1.org/01/10614141073464/21/320'] }).reverse());
    expect((await capture(documentOf([reordered]), other)).duplicates).to.have.length(1);
    // another event under that eventID: refused, naming it, and nothing of the document is written
    const beside = objectEvent(321, { eventID: 'urn:uuid:7c0ffee0-0000-4000-8000-000000000321' });
    const taken = await rejection(capture(documentOf([beside, { ...mine, bizStep: 'shipping' }]), other));
    expect(taken.code).to.equal('EVENT_ID_CONFLICT');
    expect(taken.details).to.include({ path: '/epcisBody/eventList/1', eventID: mine['eventID'] });
    expect((await query({ eventIDs: [beside['eventID'] as string] })).events).to.deep.equal([]);
    expect((await get(mine['eventID'] as string)).capturedBy, 'the recorded event stands').to.equal('P-ALICE');
    // two different events under one new eventID in one document: the second is refused
    const fresh = 'urn:uuid:7c0ffee0-0000-4000-8000-000000000322';
    const twice = await rejection(capture(documentOf([objectEvent(322, { eventID: fresh }), objectEvent(323, { eventID: fresh })])));
    expect([twice.code, twice.details['path']]).to.deep.equal(['EVENT_ID_CONFLICT', '/epcisBody/eventList/1']);
    // proceeding: the conflicting event is left out and named, the rest captured
    const r = JSON.parse(text((await ledger.submit('epcis:CaptureEventsProceeding', [JSON.stringify(documentOf([objectEvent(324), { ...mine, bizStep: 'shipping' }]))], other)).payload)) as { captured: unknown[]; rejected: Array<{ index: number; code: string }> };
    expect(r.captured).to.have.length(1);
    expect(r.rejected.map((x) => [x.index, x.code])).to.deep.equal([[1, 'EVENT_ID_CONFLICT']]);
  });

  it('records an error declaration of a recorded event beside it, by its capturer only, for the same event only', async () => {
    const original = objectEvent(90, { eventID: 'urn:uuid:6a1a1f5e-0c3d-4c55-9a55-2a0d5b8f0a90' });
    expect((await capture(documentOf([original]))).captured).to.have.length(1);
    const declaration = { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:6a1a1f5e-0c3d-4c55-9a55-2a0d5b8f0a91'] };
    const changed = await rejection(capture(documentOf([{ ...original, bizStep: 'shipping', errorDeclaration: declaration }])));
    expect(changed.code).to.equal('INVALID_ARGUMENT');
    expect(changed.details['errors']).to.have.nested.property('[0].path', '/epcisBody/eventList/0/errorDeclaration');
    const declared = await capture(documentOf([{ ...original, errorDeclaration: declaration }]));
    expect(declared.declared).to.deep.equal([{ index: 0, eventID: original['eventID'] }]);
    expect(declared.duplicates).to.deep.equal([]);
    const stored = await get(String(original['eventID']));
    expect(stored.event).to.deep.equal(original);
    expect(stored.declaration).to.include({ declaredBy: 'P-ALICE' });
    expect(stored.declaration?.errorDeclaration).to.deep.equal(declaration);
    // declared once: restating it again is a plain duplicate
    expect((await capture(documentOf([{ ...original, errorDeclaration: declaration }]))).duplicates).to.have.length(1);
  });

  it('refuses an error declaration by a participant that did not capture the event', async () => {
    const other = await (await createCertificateAuthority('Org2MSP')).issue({ commonName: 'bob', organizationalUnit: 'client' });
    await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-BOB', name: 'Bob', role: 'retailer', status: 'active', identities: [] })], other);
    const original = objectEvent(91, { eventID: 'urn:uuid:6a1a1f5e-0c3d-4c55-9a55-2a0d5b8f0a92' });
    await capture(documentOf([original]));
    const err = await rejection(capture(documentOf([{ ...original, errorDeclaration: { declarationTime: '2026-03-02T00:00:00Z' } }]), other));
    expect(err.code).to.equal('FORBIDDEN');
  });

  it('emits exactly one chaincode event per capture, naming what was captured', async () => {
    const { blockNumber, txId } = await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf([objectEvent(10), objectEvent(11)]))], alice);
    const abort = new AbortController();
    const seen = [];
    for await (const e of ledger.events({ after: { blockNumber: blockNumber - 1, txIndex: Number.MAX_SAFE_INTEGER }, signal: abort.signal })) {
      if (e.txId === txId) seen.push(e);
      if (e.blockNumber >= blockNumber) break;
    }
    abort.abort();
    expect(seen).to.have.length(1);
    expect(seen[0]?.eventName).to.equal('EpcisCaptured');
    expect(canonicalJson(JSON.parse(text(seen[0]!.payload))), 'the payload is canonical JSON').to.equal(text(seen[0]!.payload));
    const envelope = decodeEpcisCaptured(seen[0]!.payload, seen[0]!.writes);
    if (!envelope) throw new Error('not an EpcisCaptured payload');
    expect(envelope.caller).to.equal('P-ALICE');
    expect(envelope.body.captured).to.have.length(2);
    expect(envelope.body.events.map((e) => e.ids.epcList[0])).to.deep.equal([
      'https://id.gs1.org/01/10614141073464/21/11',
      'https://id.gs1.org/01/10614141073464/21/12',
    ]);
  });

  it("carries the captured events in the transaction's writes, once, and names them in the payload", async () => {
    const marker = 'NOTE-IN-THE-RECORD-ONLY';
    const big = [objectEvent(40, { 'ex:note': `${marker} ${'x'.repeat(4000)}` }), objectEvent(41, { 'ex:note': `${marker} ${'y'.repeat(4000)}` })];
    const small = [objectEvent(42), objectEvent(43)];
    const eBig = await ledgerEventOf(await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf(big))], alice));
    const eSmall = await ledgerEventOf(await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf(small))], alice));
    // the payload names the events, whatever their size: no field of theirs is in it
    expect(text(eBig.payload)).to.not.include(marker);
    expect(text(eBig.payload)).to.not.include('"epcList"');
    expect(eBig.payload.length).to.equal(eSmall.payload.length);
    expect(eBig.payload.length).to.be.below(1000);
    const envelope = decodeEpcisCaptured(eBig.payload, eBig.writes);
    if (!envelope) throw new Error('not an EpcisCaptured payload');
    const ids = envelope.body.captured.map((c) => c.eventID);
    // the writes hold each event's record under its key, and the capture's record
    const written = new Map((eBig.writes ?? []).map((w) => [w.key, w.value ? JSON.parse(text(w.value)) : null]));
    ids.forEach((id, i) => expect(written.get(`epcis.e|${eventKeyHash(id)}`)).to.deep.equal({ event: big[i], eventID: id, generatedID: true, txId: eBig.txId }));
    expect(written.get(`epcis.c|${eBig.txId}`)).to.deep.equal({ capturedBy: 'P-ALICE', recordTime: eBig.timestamp, context: documentOf([])['@context'] });
    // ... from which the consumers get exactly what a read of world state gives
    expect(envelope.body.events).to.deep.equal([await get(ids[0] as string), await get(ids[1] as string)]);
    expect(envelope.body.events.map((e) => e.event)).to.deep.equal(big);
    // without them, a capture cannot be read: said out loud, never answered with no events
    expect(() => decodeEpcisCaptured(eBig.payload)).to.throw(CaptureWritesMissingError, eBig.txId);
    const withoutFirst = (eBig.writes ?? []).filter((w) => w.key !== `epcis.e|${eventKeyHash(ids[0] as string)}`);
    expect(() => decodeEpcisCaptured(eBig.payload, withoutFirst)).to.throw(CaptureWritesMissingError, ids[0]);
  });

  it("decodes a capture event of the second layout (each new event's record in the payload) as it was written", async () => {
    const e = await ledgerEventOf(await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf([objectEvent(44), objectEvent(45, { eventID: 'urn:uuid:5a3c9e0e-0000-4000-8000-000000000045' })]))], alice));
    const today = decodeEpcisCaptured(e.payload, e.writes);
    if (!today) throw new Error('not an EpcisCaptured payload');
    // the payload as the contract wrote it before: the records spliced in after the result
    const parsed = JSON.parse(text(e.payload)) as { body: Record<string, unknown> };
    const written = new Map((e.writes ?? []).map((w) => [w.key, w.value ? text(w.value) : '']));
    const records = today.body.captured.map((c) => JSON.parse(written.get(`epcis.e|${eventKeyHash(c.eventID)}`) ?? 'null') as unknown);
    const old = Buffer.from(canonicalJson({ ...parsed, body: { ...parsed.body, events: records } }), 'utf8');
    const decoded = decodeEpcisCaptured(old);
    expect(decoded?.body.events).to.deep.equal(today.body.events);
    expect(decoded?.body.events).to.deep.equal([await get(today.body.captured[0]?.eventID ?? ''), await get('urn:uuid:5a3c9e0e-0000-4000-8000-000000000045')]);
    expect(decoded?.body.captured).to.deep.equal(today.body.captured);
  });

  it('decodes a capture event of the first layout (whole records, no shared @context) as it was written', async () => {
    const event = objectEvent(330);
    const stored = {
      eventID: 'urn:uuid:5a3c9e0e-0000-4000-8000-000000000330', generatedID: false, recordTime: '2026-01-01T00:00:00.000Z', eventTime: '2026-03-01T08:05:30.000Z',
      capturedBy: 'P-OLD', txId: 'e'.repeat(64), ids: eventIdentifiers(event), context: ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], event,
    };
    const body = { txId: stored.txId, recordTime: stored.recordTime, capturedBy: 'P-OLD', captured: [{ index: 0, eventID: stored.eventID, generatedID: false }], duplicates: [], declared: [], events: [stored] };
    const payload = Buffer.from(canonicalJson({ v: 1, type: 'EpcisCaptured', txId: stored.txId, timestamp: stored.recordTime, caller: 'P-OLD', body, epcis: [] }), 'utf8');
    expect(decodeEpcisCaptured(payload)?.body.events).to.deep.equal([stored]);
  });

  it('refuses an invalid document with field pointers and records nothing of it', async () => {
    const events = [objectEvent(20), objectEvent(21, { action: 'TELEPORT' })];
    const err = await rejection(capture(documentOf(events)));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.details['errors']).to.deep.include({ path: '/epcisBody/eventList/1/action', message: 'must be one of OBSERVE, ADD, DELETE' });
    expect((await query({ epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/21', prefix: false }] })).events).to.deep.equal([]);
  });

  it('refuses a malformed GS1 identifier, naming the field', async () => {
    const err = await rejection(capture(documentOf([objectEvent(30, { epcList: ['https://id.gs1.org/01/10614141073465/21/1'] })])));
    expect(err.code).to.equal('INVALID_ARGUMENT');
    expect(err.details['errors']).to.have.nested.property('[0].path', '/epcisBody/eventList/0/epcList/0');
  });

  it('refuses capture by an identity that is not a participant', async () => {
    expect((await rejection(capture(documentOf([objectEvent(40)]), stranger))).code).to.equal('UNKNOWN_IDENTITY');
  });

  it('applies the ledger\'s lot rules: a captured shipment of a recalled lot is refused, nothing recorded', async () => {
    await ledger.submit('seed:Product', [JSON.stringify({ gtin: '04012345123456', name: 'Rice' })], alice);
    await ledger.submit('seed:Lot', [JSON.stringify({ gtin: '04012345123456', lot: 'RC1', status: 'recalled', recall: { recallId: 'R-1' } })], alice);
    const ok = objectEvent(50);
    const shipment = objectEvent(51, {
      bizStep: 'shipping',
      quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.RC1', quantity: 5, uom: 'KGM' }],
    });
    const err = await rejection(capture(documentOf([ok, shipment])));
    expect(err.code).to.equal('LOT_RECALLED');
    expect(err.details['path']).to.equal('/epcisBody/eventList/1');
    expect(err.details['recallId']).to.equal('R-1');
    expect((await query({ epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/51', prefix: false }] })).events).to.deep.equal([]);
    // observing (not shipping) a recalled lot is evidence, and is recorded
    const observed = await capture(documentOf([{ ...shipment, bizStep: 'holding' }]));
    expect(observed.captured).to.have.length(1);
  });

  it('refuses a captured packing of a recalled lot, with or without a bizStep, and records its unpacking', async () => {
    const pack = {
      type: 'AggregationEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+08:00', action: 'ADD', bizStep: 'packing',
      parentID: 'urn:epc:id:sscc:0614141.1234567890', childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.RC1', quantity: 2, uom: 'KGM' }],
    };
    const err = await rejection(capture(documentOf([pack])));
    expect(err.code).to.equal('LOT_RECALLED');
    expect(err.details).to.include({ path: '/epcisBody/eventList/0', recallId: 'R-1', action: 'pack' });
    const bare: Record<string, unknown> = { ...pack };
    delete bare['bizStep'];
    expect((await rejection(capture(documentOf([bare])))).code).to.equal('LOT_RECALLED');
    // taking the lot out of a case moves nothing the recall forbids
    expect((await capture(documentOf([{ ...pack, action: 'DELETE', bizStep: 'unpacking' }]))).captured).to.have.length(1);
    // an association with a case is a packing; with an asset (a sensor, a crate) it is evidence
    const associate = { ...bare, type: 'AssociationEvent', eventTime: '2026-03-01T10:00:00Z' };
    expect((await rejection(capture(documentOf([associate])))).code).to.equal('LOT_RECALLED');
    const sensor = { ...associate, parentID: 'urn:epc:id:giai:4000001.12345' };
    expect((await capture(documentOf([sensor]))).captured).to.have.length(1);
  });

  it('applies the contract\'s other shipping and selling checks to captures: the test gate and expiry', async () => {
    const SOUP = '04012345123470';
    await ledger.submit('seed:Product', [JSON.stringify({ gtin: SOUP, name: 'Soup', requiresTest: true, owner: 'P-OTHER' })], alice);
    const lot = (code: string, passed: number, expiryDate: string): Promise<unknown> =>
      ledger.submit('seed:Lot', [JSON.stringify({ gtin: SOUP, lot: code, status: 'active', unit: 'KGM', tests: { passed, failed: 0 }, expiryDate })], alice);
    await lot('U1', 0, '2099-12-31');
    await lot('X1', 1, '2020-01-01');
    await lot('OK1', 1, '2099-12-31');
    const move = (n: number, bizStep: string, code: string): Record<string, unknown> =>
      objectEvent(n, { bizStep, quantityList: [{ epcClass: `https://id.gs1.org/01/${SOUP}/10/${code}`, quantity: 1, uom: 'KGM' }] });
    const untested = await rejection(capture(documentOf([move(90, 'shipping', 'U1')])));
    expect(untested.code).to.equal('TEST_REQUIRED');
    expect(untested.details).to.include({ path: '/epcisBody/eventList/0', lot: 'U1' });
    expect((await rejection(capture(documentOf([move(91, 'retail_selling', 'X1')])))).code).to.equal('LOT_EXPIRED');
    expect((await rejection(capture(documentOf([move(92, 'shipping', 'X1')])))).code).to.equal('LOT_EXPIRED');
    // receiving an untested or expired lot moves nothing the rules forbid; a tested, fresh lot ships, by its holder
    await ledger.submit('seed:Raw', [`\u0000zfc.holding\u0000${SOUP}\u0000OK1\u0000P-ALICE\u0000`, canonicalJson({ gtin: SOUP, lot: 'OK1', holder: 'P-ALICE', quantity: 3, unit: 'KGM' })], alice);
    expect((await capture(documentOf([move(93, 'receiving', 'U1'), move(94, 'receiving', 'X1'), move(95, 'shipping', 'OK1')]))).captured).to.have.length(3);
  });

  it('lets a capture ship, sell, transform or pack a managed lot only by a participant that holds some of it (NOT_OWNER), and records nothing else', async () => {
    const JAM = '04012345123487';
    await ledger.submit('seed:Product', [JSON.stringify({ gtin: JAM, name: 'Jam', owner: 'P-OTHER' })], alice);
    await ledger.submit('seed:Lot', [JSON.stringify({ gtin: JAM, lot: 'J1', status: 'active', unit: 'KGM' })], alice);
    const jam = { epcClass: `https://id.gs1.org/01/${JAM}/10/J1`, quantity: 1, uom: 'KGM' };
    const uses: Array<[string, Record<string, unknown>]> = [
      ['ship', objectEvent(96, { bizStep: 'shipping', quantityList: [jam] })],
      ['sell', objectEvent(97, { bizStep: 'retail_selling', quantityList: [jam] })],
      ['transform', { type: 'TransformationEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+08:00', inputQuantityList: [jam], outputEPCList: ['urn:epc:id:sgtin:0614141.107346.jam-97'] }],
      ['pack', { type: 'AggregationEvent', eventTime: '2026-03-01T09:00:00Z', eventTimeZoneOffset: '+08:00', action: 'ADD', parentID: 'urn:epc:id:sscc:0614141.1234567897', childQuantityList: [jam] }],
    ];
    const before = await query({ eventTypes: ['ObjectEvent', 'TransformationEvent', 'AggregationEvent'] });
    for (const [action, event] of uses) {
      const err = await rejection(capture(documentOf([objectEvent(98), event])));
      expect(err.code, action).to.equal('NOT_OWNER');
      expect(err.details, action).to.include({ path: '/epcisBody/eventList/1', holder: 'P-ALICE', gtin: JAM, lot: 'J1' });
    }
    expect((await query({ eventTypes: ['ObjectEvent', 'TransformationEvent', 'AggregationEvent'] })).events).to.have.length(before.events.length);
    // observing or receiving it takes no holding: evidence, recorded
    expect((await capture(documentOf([objectEvent(99, { bizStep: 'receiving', quantityList: [jam] })]))).captured).to.have.length(1);
    // the holder does all four
    await ledger.submit('seed:Raw', [`\u0000zfc.holding\u0000${JAM}\u0000J1\u0000P-ALICE\u0000`, canonicalJson({ gtin: JAM, lot: 'J1', holder: 'P-ALICE', quantity: 5, unit: 'KGM' })], alice);
    expect((await capture(documentOf(uses.map(([, e]) => e)))).captured).to.have.length(4);
  });

  it('refuses selling a commissioned item of a recalled lot, named by its Digital Link', async () => {
    await ledger.submit('seed:Product', [JSON.stringify({ gtin: '10614141073464', name: 'Tea' })], alice);
    await ledger.submit('seed:Lot', [JSON.stringify({ gtin: '10614141073464', lot: 'TEA-9', status: 'recalled', recall: { recallId: 'R-2' } })], alice);
    await ledger.submit('seed:Item', [JSON.stringify({ gtin: '10614141073464', serial: 'X9', lot: 'TEA-9' })], alice);
    const sale = objectEvent(70, { bizStep: 'retail_selling', epcList: ['https://shop.example.cn/01/10614141073464/21/X9'] });
    const err = await rejection(capture(documentOf([sale])));
    expect(err.code).to.equal('LOT_RECALLED');
    expect(err.details).to.include({ path: '/epcisBody/eventList/0', identifier: 'https://id.gs1.org/01/10614141073464/21/X9', recallId: 'R-2' });
    // an item of a held lot: LOT_ON_HOLD, the same rule function
    await ledger.submit('seed:Lot', [JSON.stringify({ gtin: '10614141073464', lot: 'TEA-8', status: 'on_hold', hold: { reason: 'test' } })], alice);
    await ledger.submit('seed:Item', [JSON.stringify({ gtin: '10614141073464', serial: 'X8', lot: 'TEA-8' })], alice);
    const ship = objectEvent(71, { bizStep: 'shipping', epcList: ['urn:epc:id:sgtin:0614141.107346.X8'] });
    expect((await rejection(capture(documentOf([ship])))).code).to.equal('LOT_ON_HOLD');
    // the business step as its CBV Web URI (GS1's schema takes it: a URI outside the CBV's URNs) is the same step, gated alike
    const webSale = { ...sale, bizStep: 'https://ref.gs1.org/cbv/BizStep-retail_selling' };
    expect((await rejection(capture(documentOf([webSale])))).code).to.equal('LOT_RECALLED');
    expect((await rejection(capture(documentOf([{ ...ship, bizStep: 'http://ref.gs1.org/cbv/BizStep-shipping' }])))).code).to.equal('LOT_ON_HOLD');
    // and as a compact IRI: the standard's cbv: prefix, or a prefix the document declares for the CBV's namespace
    expect((await rejection(capture(documentOf([{ ...sale, bizStep: 'cbv:BizStep-retail_selling' }])))).code).to.equal('LOT_RECALLED');
    const declaring = { ...documentOf([{ ...sale, bizStep: 'steps:BizStep-retail_selling' }]), '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { steps: 'https://ref.gs1.org/cbv/' }] };
    expect((await rejection(capture(declaring))).code).to.equal('LOT_RECALLED');
    // a sale said only by its disposition (a till that sends the state, not the step) is a sale
    expect((await rejection(capture(documentOf([{ ...sale, bizStep: 'other', disposition: 'https://ref.gs1.org/cbv/Disp-retail_sold' }])))).code).to.equal('LOT_RECALLED');
    // a URI of no vocabulary word (one that only ends like one) gates nothing
    expect((await capture(documentOf([{ ...sale, eventTime: '2026-03-01T09:00:01Z', bizStep: 'https://example.org/steps/BizStep-retail_selling' }]))).captured).to.have.length(1);
  });

  it('matches a business step, disposition or type captured as its CBV Web URI as the bare word it stands for', async () => {
    const web = objectEvent(72, {
      eventID: 'urn:uuid:0e5a1b2c-0000-4000-8000-000000000072', bizStep: 'https://ref.gs1.org/cbv/BizStep-stocking', disposition: 'https://ref.gs1.org/cbv/Disp-sellable_accessible',
      bizTransactionList: [{ type: 'https://ref.gs1.org/cbv/BTT-po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:72' }],
      persistentDisposition: { set: ['cbv:Disp-completeness_verified'] },
    });
    await capture(documentOf([web]));
    const ids = async (plan: Record<string, unknown>): Promise<string[]> => (await query({ eventIDs: [web['eventID'] as string], ...plan })).events.map((e) => e.eventID);
    expect(await ids({ bizSteps: ['stocking'] })).to.have.length(1);
    expect(await ids({ dispositions: ['sellable_accessible'] })).to.have.length(1);
    expect(await ids({ bizTransactions: [{ type: 'po', values: ['urn:epcglobal:cbv:bt:0614141073467:72'] }] })).to.have.length(1);
    expect(await ids({ persistentDispositionsSet: ['completeness_verified'] })).to.have.length(1);
    expect(await ids({ bizSteps: ['storing'] })).to.have.length(0);
  });

  it('stops a case or pallet that captured events packed with a lot later recalled, however deep, until a capture unpacks it', async () => {
    const HONEY = '04012345123494';
    await ledger.submit('seed:Product', [JSON.stringify({ gtin: HONEY, name: 'Honey', owner: 'P-OTHER' })], alice);
    const honeyLot = (status: string): Promise<unknown> => ledger.submit('seed:Lot', [JSON.stringify({ gtin: HONEY, lot: 'H1', status, unit: 'KGM', ...(status === 'recalled' ? { recall: { recallId: 'R-H' } } : {}) })], alice);
    await honeyLot('active');
    await ledger.submit('seed:Raw', [`\u0000zfc.holding\u0000${HONEY}\u0000H1\u0000P-ALICE\u0000`, canonicalJson({ gtin: HONEY, lot: 'H1', holder: 'P-ALICE', quantity: 50, unit: 'KGM' })], alice);
    const CASE = 'urn:epc:id:sscc:0614141.1234567811';
    const PALLET = 'urn:epc:id:sscc:0614141.1234567828';
    const OTHER = 'urn:epc:id:sscc:0614141.1234567835';
    const at = (minute: number): Record<string, unknown> => ({ eventTime: `2026-03-04T10:${String(minute).padStart(2, '0')}:00Z`, eventTimeZoneOffset: '+08:00' });
    const aggregation = (minute: number, parentID: string, action: string, children: Record<string, unknown>): Record<string, unknown> => ({ type: 'AggregationEvent', ...at(minute), action, parentID, ...children });
    // packed before the recall: honey into a case, the case onto a pallet
    await capture(documentOf([
      aggregation(1, CASE, 'ADD', { bizStep: 'packing', childQuantityList: [{ epcClass: `https://id.gs1.org/01/${HONEY}/10/H1`, quantity: 10, uom: 'KGM' }] }),
      aggregation(2, PALLET, 'ADD', { childEPCs: [CASE] }),
      aggregation(3, OTHER, 'ADD', { childEPCs: ['urn:epc:id:sgtin:0614141.107346.honeyless'] }),
    ]));
    await honeyLot('recalled');
    const shipping = (minute: number, epc: string): Record<string, unknown> => objectEvent(minute, { ...at(minute), bizStep: 'shipping', epcList: [epc] });
    for (const unit of [CASE, PALLET]) {
      const err = await rejection(capture(documentOf([shipping(10, unit)])));
      expect(err.code, unit).to.equal('LOT_RECALLED');
      expect(err.details, unit).to.include({ recallId: 'R-H', lot: 'H1' });
    }
    expect((await capture(documentOf([shipping(11, OTHER)]))).captured, 'a unit of no recalled goods ships').to.have.length(1);
    // taking one named child out keeps the unit stopped (it may hold more of the lot); emptying it lets it ship
    await capture(documentOf([aggregation(12, CASE, 'DELETE', { childQuantityList: [{ epcClass: `https://id.gs1.org/01/${HONEY}/10/H1`, quantity: 1, uom: 'KGM' }] })]));
    expect((await rejection(capture(documentOf([shipping(13, CASE)])))).code).to.equal('LOT_RECALLED');
    await capture(documentOf([aggregation(14, CASE, 'DELETE', {})]));
    expect((await capture(documentOf([shipping(15, CASE)]))).captured).to.have.length(1);
  });

  it('finds an item by its canonical identifier whichever form its events used', async () => {
    await capture(documentOf([
      objectEvent(60, { epcList: ['urn:epc:id:sgtin:0614141.107346.777'], bizStep: 'shipping', eventTime: '2026-04-01T00:00:00Z' }),
      objectEvent(61, { epcList: ['https://shop.example.cn/01/10614141073464/21/777'], bizStep: 'receiving', eventTime: '2026-04-02T00:00:00Z' }),
    ]));
    const page = await query({ epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/777', prefix: false }] });
    // the contract answers in key order (a hash of the eventID); the gateway's projection in eventTime order
    expect(page.events.map((e) => e.event['bizStep']).sort()).to.deep.equal(['receiving', 'shipping']);
    const received = await query({ anyEpcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/777', prefix: false }], bizSteps: ['receiving'] });
    expect(received.events).to.have.length(1);
    const byProduct = await query({ epcs: [{ value: 'https://id.gs1.org/01/10614141073464', prefix: true }], geEventTime: '2026-04-01T12:00:00.000Z' });
    expect(byProduct.events.map((e) => e.event['bizStep'])).to.deep.equal(['receiving']);
  });

  it('pages through results with a token, every event once', async () => {
    await capture(documentOf(Array.from({ length: 7 }, (_, i) => objectEvent(100 + i, { bizStep: 'storing' }))));
    const seen: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const page = await query({ bizSteps: ['storing'], perPage: 3 }, token);
      seen.push(...page.events.map((e) => e.eventID));
      token = page.nextPageToken;
      pages++;
    } while (token && pages < 10);
    expect(seen).to.have.length(7);
    expect(new Set(seen).size).to.equal(7);
    expect(pages).to.equal(3);
  });

  it('refuses a malformed query plan from any client, naming the field', async () => {
    const ask = (plan: unknown) => ledger.evaluate('epcis:QueryEvents', [JSON.stringify(plan), ''], alice);
    const wrongType = await rejection(ask({ perPage: 10, epcs: 'https://id.gs1.org/01/10614141073464/21/1' }));
    expect(wrongType.code).to.equal('INVALID_ARGUMENT');
    expect(wrongType.details['errors']).to.have.nested.property('[0].path', '/epcs');
    expect((await rejection(ask({ perPage: 10, sql: 'DROP' }))).details['errors']).to.have.nested.property('[0].path', '/sql');
    expect((await rejection(ask({ perPage: 0 }))).details['errors']).to.have.nested.property('[0].path', '/perPage');
    expect((await rejection(ledger.evaluate('epcis:QueryEvents', ['{not json', ''], alice))).code).to.equal('INVALID_ARGUMENT');
    // master data conditions are answered from the declarations in world state (test/chaincode/epcis-master-data.test.ts); here none was declared
    const answered = async (plan: unknown): Promise<EventPage> => JSON.parse(text(await ask(plan))) as EventPage;
    expect((await answered({ perPage: 10, attributes: [{ field: 'readPoint', names: ['urn:epcglobal:cbv:mda#name'] }] })).events).to.deep.equal([]);
    expect((await rejection(ask({ perPage: 10, readPointsWithin: 'https://id.gs1.org/414/0614141073467' }))).details['errors']).to.have.nested.property('[0].path', '/readPointsWithin');
    expect((await rejection(ask({ perPage: 10, attributes: [{ field: 'epcClass', names: ['x'] }] }))).details['errors']).to.have.nested.property('[0].path', '/attributes/0/field');
  });

  it('captures 10,000 events in one document, in one transaction', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) => objectEvent(i, { epcList: [`urn:epc:id:sgtin:0614141.107346.B${i}`], bizStep: 'stocking' }));
    const result = await capture(documentOf(events));
    expect(result.captured).to.have.length(10_000);
    const page = await query({ epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/B9999', prefix: false }] });
    expect(page.events).to.have.length(1);
  });
});
