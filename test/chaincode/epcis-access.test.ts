/**
 * Who reads whose EPCIS events, answered by the `epcis` contract itself (epcis:GetEvent,
 * epcis:QueryEvents): a participant reads its own events and those of every participant whose
 * events name it as a trading party (captured source and destination lists, and the ledger's
 * own Ship and Receive); a regulator reads all, and everyone reads a regulator's. Naming a party
 * never opens the party's events to the namer. The gateway's projection, following the same
 * ledger, answers by the same rule (chaincode/epcis-access.ts), and the test holds the two to
 * the same answers.
 */
import { expect } from 'chai';
import { glnUri, lotUri, partyUri } from '../../chaincode/digital-link';
import type { EventPage } from '../../chaincode/epcis-ledger';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import { BREAD, buildChain } from './chain';
import { actor, expectCode, openWorld, type World } from './support';

type Json = Record<string, unknown>;
const eventID = (n: number): string => `urn:uuid:ac0e0000-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
/** The events of this test, by number: who captures each, and what it names. */
const CAPTURES: ReadonlyArray<{ n: number; who: string; to?: string; from?: string; at?: string }> = [
  { n: 1, who: 'dist', to: 'shop' }, // the distributor ships to the shop: the shop reads the distributor's events
  { n: 2, who: 'dist' }, // names no one: still the shop's to read, being the distributor's
  { n: 3, who: 'shop-b', to: 'dist' }, // shop-b names the distributor: the distributor reads shop-b's, never the reverse
  { n: 4, who: 'samr' }, // a regulator's: everyone's to read
  { n: 5, who: 'farm-b', at: 'farm-a' }, // a location of farm-a's GLN named as the source: farm-a reads farm-b's
  { n: 6, who: 'farm-a' }, // the farm shipped to the mill on the ledger (Ship names the mill): the mill reads it
];

/** The numbers of this test's events among `events` (the ledger's own events are others), sorted. */
const numbersOf = (events: ReadonlyArray<{ eventID: string }>): number[] => CAPTURES.filter((c) => events.some((e) => e.eventID === eventID(c.n))).map((c) => c.n);

describe('chaincode: who reads whose EPCIS events', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await buildChain(w); // farm-a ships to the mill, the mill to the bakery, …, the distributor to the shop
    for (const c of CAPTURES) {
      const event: Json = {
        type: 'ObjectEvent', eventID: eventID(c.n), eventTime: '2026-03-03T10:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE',
        epcList: [`urn:epc:id:sgtin:0614141.107346.ACC${c.n}`], bizStep: 'inspecting',
        ...(c.to ? { destinationList: [{ type: 'owning_party', destination: partyUri(actor(w, c.to).gln) }] } : {}),
        ...(c.from ? { sourceList: [{ type: 'owning_party', source: partyUri(actor(w, c.from).gln) }] } : {}),
        ...(c.at ? { sourceList: [{ type: 'location', source: glnUri(actor(w, c.at).gln) }] } : {}),
      };
      const document = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-03T00:00:00Z', epcisBody: { eventList: [event] } };
      await w.submit('epcis:CaptureEvents', document, actor(w, c.who));
    }
  });
  after(async () => w?.close());

  /** The test's event numbers `who` reads through QueryEvents: by a scan of every event, and by eventID. */
  async function readBy(who: string): Promise<{ scanned: number[]; byId: number[] }> {
    const numbers = (page: EventPage): number[] => numbersOf(page.events);
    const scanned: number[] = [];
    let token = '';
    do {
      const page = JSON.parse(Buffer.from(await w.ledger.evaluate('epcis:QueryEvents', [JSON.stringify({ perPage: 2, bizSteps: ['inspecting'] }), token], actor(w, who).identity)).toString('utf8')) as EventPage;
      scanned.push(...numbers(page));
      token = page.nextPageToken;
    } while (token);
    const byIds = JSON.parse(Buffer.from(await w.ledger.evaluate('epcis:QueryEvents', [JSON.stringify({ perPage: 100, eventIDs: CAPTURES.map((c) => eventID(c.n)) }), ''], actor(w, who).identity)).toString('utf8')) as EventPage;
    return { scanned: scanned.sort((a, b) => a - b), byId: numbers(byIds) };
  }

  const EXPECTED: Readonly<Record<string, number[]>> = {
    dist: [1, 2, 3, 4], // its own, shop-b's (named it), the regulator's
    shop: [1, 2, 4], // the distributor's (named it), the regulator's
    'shop-b': [3, 4], // its own and the regulator's: naming the distributor opened nothing of the distributor's
    'farm-a': [4, 5, 6], // farm-b named its location
    'farm-b': [4, 5],
    mill: [4, 6], // farm-a's Ship named the mill
    samr: [1, 2, 3, 4, 5, 6],
  };

  it('answers QueryEvents with only the events the caller may read, by scan and by eventID', async () => {
    for (const [who, expected] of Object.entries(EXPECTED)) {
      const read = await readBy(who);
      expect(read.scanned, `${who}, by scan`).to.deep.equal(expected);
      expect(read.byId, `${who}, by eventID`).to.deep.equal(expected);
    }
  });

  it('answers GetEvent only to a caller that may read the event, as if absent to any other', async () => {
    const get = (who: string, n: number): Promise<Uint8Array> => w.ledger.evaluate('epcis:GetEvent', [eventID(n)], actor(w, who).identity);
    const mine = JSON.parse(Buffer.from(await get('shop', 1)).toString('utf8')) as Json;
    expect(mine).to.include({ eventID: eventID(1), capturedBy: 'dist' });
    const hidden = await expectCode(get('shop-b', 1), 'EVENT_NOT_FOUND');
    const absent = await expectCode(w.ledger.evaluate('epcis:GetEvent', [eventID(77)], actor(w, 'shop-b').identity), 'EVENT_NOT_FOUND');
    expect(hidden.message.replace(eventID(1), 'ID'), 'the same answer as for an event that does not exist').to.equal(absent.message.replace(eventID(77), 'ID'));
    expect(hidden.details).to.deep.equal({ eventID: eventID(1) });
    await expectCode(get('dist', 5), 'EVENT_NOT_FOUND');
    expect(JSON.parse(Buffer.from(await get('mill', 6)).toString('utf8'))).to.include({ capturedBy: 'farm-a' });
  });

  it('writes a grant once: a second capture naming the same party reads it and writes none', async () => {
    const document = { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-03T00:00:00Z',
      epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: '2026-03-03T11:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0614141.107346.ACC99'], destinationList: [{ type: 'owning_party', destination: partyUri(actor(w, 'shop').gln) }] }] } };
    const { txId } = await w.submit<{ txId: string }>('epcis:CaptureEvents', document, actor(w, 'dist'));
    const ac = new AbortController();
    let keys: string[] | undefined;
    for await (const e of w.ledger.events({ signal: ac.signal })) {
      if (e.txId !== txId) continue;
      keys = (e.writes ?? []).map((x) => x.key);
      break;
    }
    ac.abort();
    expect(keys?.some((k) => k.startsWith('epcis.e|')), 'the capture\'s writes, its event among them').to.equal(true);
    expect(keys?.filter((k) => k.includes('zfc.readgrant')), 'the distributor→shop grant exists already').to.deep.equal([]);
  });

  it('gives a lot\'s history the captured events only of capturers the caller may read, and says how many it withholds', async () => {
    // the distributor's captured shipment of bread it holds: the holder rule judges it, so BR1's history has an entry for it
    const shipped = { type: 'ObjectEvent', eventID: eventID(30), eventTime: '2026-03-03T12:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', bizStep: 'shipping', epcList: [], quantityList: [{ epcClass: lotUri(BREAD, 'BR1'), quantity: 10, uom: 'EA' }] };
    const { txId } = await w.submit<{ txId: string }>('epcis:CaptureEvents', { '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2026-03-03T00:00:00Z', epcisBody: { eventList: [shipped] } }, actor(w, 'dist'));
    type Entry = { txId: string; eventIDs: string[]; epcis: Array<{ eventID?: string }>; epcisWithheld?: number };
    const entryFor = async (who: string): Promise<Entry | undefined> =>
      (await w.evaluate<{ entries: Entry[] }>('GetLotHistory', { gtin: BREAD, lot: 'BR1', pageSize: 500 }, actor(w, who))).entries.find((e) => e.txId === txId);
    for (const who of ['dist', 'shop', 'samr']) {
      const entry = await entryFor(who);
      expect(entry?.epcis.map((e) => e.eventID), who).to.deep.equal([eventID(30)]);
      expect(entry, who).to.not.have.property('epcisWithheld');
    }
    const withheld = await entryFor('shop-b');
    expect(withheld, 'the entry is there: the custody it moved is the trace\'s').to.deep.include({ eventIDs: [eventID(30)], epcis: [], epcisWithheld: 1 });
  });

  it('is the rule the gateway\'s projection answers by, on the same ledger', async () => {
    const store = await ProjectedEventStore.open(w.ledger);
    try {
      for (const [who, expected] of Object.entries(EXPECTED)) {
        const page = await store.query({ perPage: 100, bizSteps: ['inspecting'] }, '', undefined, who);
        expect(numbersOf(page.events), who).to.deep.equal(expected);
      }
    } finally {
      await store.close();
    }
  });
});
