/**
 * The projection-backed EventStore on its own: it follows the embedded ledger, answers a plan
 * from the identifier index or a full scan in eventTime order, pages with tokens, waits for its
 * own captures, and is rebuilt identically from the ledger by a second instance.
 */
import { expect } from 'chai';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import type { EpcisQueryPlan } from '../../chaincode/epcis-match';
import { ProjectedEventStore } from '../../gateway-api/epcis-projection';
import type { EmbeddedLedger, Identity } from '../../ledger-tools';
import { queryDocument } from '../../gateway-api/epcis-query';
import { openProjectionWorld, type ProjectionWorld } from './projection-world';
import { documentOf, objectEvent, officialSchema } from './fixtures';

describe('EPCIS projection store', function () {
  this.timeout(60_000);
  let world: ProjectionWorld;
  let ledger: EmbeddedLedger;
  let alice: Identity;
  let store: ProjectedEventStore;
  const item = 'https://id.gs1.org/01/10614141073464/21/P1';

  async function all(s: ProjectedEventStore, plan: Partial<EpcisQueryPlan>, perPage: number): Promise<string[]> {
    const out: string[] = [];
    let token = '';
    for (let pages = 0; pages < 50; pages++) {
      const page = await s.query({ perPage, ...plan }, token, alice);
      out.push(...page.events.map((e) => e.eventTime));
      token = page.nextPageToken;
      if (!token) break;
    }
    return out;
  }

  before(async () => {
    world = await openProjectionWorld('proj');
    ({ ledger, alice, store } = world);
  });

  after(async () => {
    await world.close();
  });

  it('answers its own capture at once, in eventTime order, through the identifier index and by scan', async () => {
    // captured out of time order, interleaved with events about other items
    const mine = [30, 10, 20, 50, 40, 0, 59].map((m) => objectEvent(m * 60, { epcList: ['urn:epc:id:sgtin:0614141.107346.P1'], bizStep: 'storing' }));
    const others = Array.from({ length: 12 }, (_, i) => objectEvent(i * 60 + 30, { bizStep: 'storing' }));
    await store.capture(validateEpcisDocument(documentOf([...mine.slice(0, 4), ...others.slice(0, 6)])), alice);
    await store.capture(validateEpcisDocument(documentOf([...others.slice(6), ...mine.slice(4)])), alice);
    const times = await all(store, { epcs: [{ value: item, prefix: false }] }, 3);
    expect(times).to.have.length(7); // (the declaration test below adds an eighth)
    expect([...times].sort()).to.deep.equal(times);
    const scanned = await all(store, { bizSteps: ['storing'] }, 4);
    expect(scanned).to.have.length(19);
    expect([...scanned].sort()).to.deep.equal(scanned);
  });

  it('shows an error declaration made later on the event, in place', async () => {
    const original = objectEvent(5000, { eventID: 'urn:uuid:0b7e7a40-5d0c-4c2f-8d8c-1f5f3d1b2c01', epcList: ['urn:epc:id:sgtin:0614141.107346.P1'], bizStep: 'storing' });
    await store.capture(validateEpcisDocument(documentOf([original])), alice);
    const declaredOnes = async (): Promise<string[]> => (await store.query({ perPage: 100, errorDeclared: true, errorReasons: ['did_not_occur'] }, '', alice)).events.map((e) => e.eventID);
    expect(await declaredOnes()).to.deep.equal([]);
    const declaration = { declarationTime: '2026-03-02T00:00:00Z', reason: 'did_not_occur' };
    const result = await store.capture(validateEpcisDocument(documentOf([{ ...original, errorDeclaration: declaration }])), alice);
    expect(result.declared).to.have.length(1);
    expect(await declaredOnes()).to.deep.equal([original['eventID']]); // EXISTS_errorDeclaration and EQ_errorReason see the later declaration
    const got = await store.get(String(original['eventID']));
    expect(got?.declaration?.errorDeclaration).to.deep.equal(declaration);
    const doc = queryDocument(got ? [got] : [], '2026-06-01T00:00:00Z');
    const [answered] = (doc['epcisBody'] as { queryResults: { resultsBody: { eventList: Array<Record<string, unknown>> } } }).queryResults.resultsBody.eventList;
    expect(answered?.['errorDeclaration']).to.deep.equal(declaration);
    expect(officialSchema()(doc)).to.equal(true);
    const page = await store.query({ perPage: 100, epcs: [{ value: item, prefix: false }] }, '', alice);
    expect(page.events.find((e) => e.eventID === original['eventID'])?.declaration).to.not.equal(undefined);
  });

  it('answers an identifier named by one event, shows a declaration on it, and keeps order once a second event names it', async () => {
    const lone = 'urn:epc:id:sgtin:0614141.107346.LONE';
    const plan = { perPage: 10, epcs: [{ value: 'https://id.gs1.org/01/10614141073464/21/LONE', prefix: false }] };
    const ids = async (): Promise<string[]> => (await store.query(plan, '', alice)).events.map((e) => e.eventID);
    expect(await ids()).to.deep.equal([]);
    const later = objectEvent(6000, { eventID: 'urn:uuid:7d1f0e2a-4c3b-4a5d-9e6f-0a1b2c3d4e5f', epcList: [lone], bizStep: 'storing' });
    await store.capture(validateEpcisDocument(documentOf([later])), alice);
    expect(await ids()).to.deep.equal([later['eventID']]);
    const declaration = { declarationTime: '2026-03-02T00:00:00Z', reason: 'incorrect_data' };
    await store.capture(validateEpcisDocument(documentOf([{ ...later, errorDeclaration: declaration }])), alice);
    const declared = (await store.query(plan, '', alice)).events;
    expect(declared.map((e) => e.declaration?.errorDeclaration)).to.deep.equal([declaration]);
    const earlier = objectEvent(5940, { eventID: 'urn:uuid:1a2b3c4d-5e6f-4a0b-8c1d-2e3f4a5b6c7d', epcList: [lone], bizStep: 'storing' });
    await store.capture(validateEpcisDocument(documentOf([earlier])), alice);
    expect(await ids()).to.deep.equal([earlier['eventID'], later['eventID']]);
    const both = (await store.query(plan, '', alice)).events;
    expect(both[1]?.declaration?.errorDeclaration).to.deep.equal(declaration);
    const paged = await store.query({ ...plan, perPage: 1 }, '', alice);
    expect(paged.events.map((e) => e.eventID)).to.deep.equal([earlier['eventID']]);
    expect((await store.query({ ...plan, perPage: 1 }, paged.nextPageToken, alice)).events.map((e) => e.eventID)).to.deep.equal([later['eventID']]);
  });

  it('answers latest first, page after page, from the identifier index and by scan', async () => {
    const pagesOf = async (plan: Partial<EpcisQueryPlan>, direction: 'ASC' | 'DESC'): Promise<string[]> => {
      const out: string[] = [];
      let token = '';
      for (let pages = 0; pages < 50; pages++) {
        const page = await store.query({ perPage: 3, ...plan }, token, alice, undefined, { by: 'eventTime', direction });
        out.push(...page.events.map((e) => `${e.eventTime} ${e.eventID}`));
        token = page.nextPageToken;
        if (!token) break;
      }
      return out;
    };
    for (const plan of [{ bizSteps: ['storing'] }, { epcs: [{ value: item, prefix: false }] }]) {
      const ascending = await pagesOf(plan, 'ASC');
      expect(ascending.length, JSON.stringify(plan)).to.be.greaterThan(3); // more than one page
      expect([...ascending].sort()).to.deep.equal(ascending);
      expect(await pagesOf(plan, 'DESC'), JSON.stringify(plan)).to.deep.equal([...ascending].reverse());
    }
  });

  it('forgets a reader that stopped waiting for a transaction it never applied, and keeps none for one it applied', async () => {
    const waits = [store.applied('never-committed', 20), store.applied('never-committed', 40), store.applied('also-never', 20)];
    expect(store.awaitedTransactions).to.equal(2);
    await Promise.all(waits);
    expect(store.awaitedTransactions, 'a timed-out waiter is not kept').to.equal(0);
    const { txId } = await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf([objectEvent(3600, { bizStep: 'storing' })]))], alice);
    await store.applied(txId, 30_000);
    expect(store.awaitedTransactions).to.equal(0);
  });

  it('is rebuilt identically from the ledger by a new instance', async () => {
    const again = await ProjectedEventStore.open(ledger);
    try {
      expect(await all(again, { bizSteps: ['storing'] }, 100)).to.deep.equal(await all(store, { bizSteps: ['storing'] }, 100));
    } finally {
      await again.close();
    }
  });

  it('refuses a forged page token', async () => {
    let code = '';
    try {
      await store.query({ perPage: 5 }, 'bm90LWpzb24', alice);
    } catch (err) {
      code = (err as { code: string }).code;
    }
    expect(code).to.equal('INVALID_ARGUMENT');
  });

  it('lists the EPCs events name a page at a time, each once, looking at no more than 10,000 for a viewer who may read none of them', async () => {
    const fresh = Array.from({ length: 10_050 }, (_, i) => objectEvent(i, { epcList: [`urn:epc:id:sgtin:0614141.107346.L${i}`], bizStep: 'storing' }));
    await store.capture(validateEpcisDocument(documentOf(fresh.slice(0, 5_000))), alice);
    await store.capture(validateEpcisDocument(documentOf(fresh.slice(5_000))), alice);
    const pages = async (s: ProjectedEventStore, perPage: number, viewer?: string): Promise<string[][]> => {
      const out: string[][] = [];
      let token = '';
      do {
        const page = await s.members('epcs', token, perPage, viewer);
        out.push([...page.members]);
        token = page.nextPageToken;
      } while (token && out.length < 100);
      return out;
    };
    const everyone = (await pages(store, 1000)).flat();
    expect(new Set(everyone).size).to.equal(everyone.length);
    expect(everyone.slice(-10_050)).to.deep.equal(fresh.map((_, i) => `https://id.gs1.org/01/10614141073464/21/L${i}`)); // in the order first named
    expect(everyone).to.include(item).and.not.include('https://id.gs1.org/414/0614141073467'); // EPCs only, not read points
    expect((await pages(store, 1000, 'P-A')).flat()).to.deep.equal(everyone); // P-A captured them all
    const stranger = await pages(store, 10, 'P-NOBODY');
    expect(stranger.flat()).to.deep.equal([]);
    expect(stranger).to.have.length(Math.ceil(everyone.length / 10_000)); // empty pages, each after looking at 10,000
    const again = await ProjectedEventStore.open(ledger);
    try {
      expect((await pages(again, 1000)).flat()).to.deep.equal(everyone); // rebuilt in the same order
      expect((await again.members('readPoints', '', 10)).members).to.deep.equal(['https://id.gs1.org/414/0614141073467']);
    } finally {
      await again.close();
    }
  });
});
