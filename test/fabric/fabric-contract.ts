/**
 * The contract on Fabric: the same cast and inputs as the contract's own tests
 * (test/chaincode/support.ts), but on a real network — identities issued by the
 * organisations' CAs that cryptogen made, endorsement by a majority of organisations — and
 * the trace index following the Fabric ledger across a gateway restart with no gap and no
 * duplicate (compared with an index rebuilt from the ledger).
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEpcisCaptured } from '../../chaincode/epcis-capture';
import { eventKeyHash, type StoredEpcisEvent } from '../../chaincode/epcis-ledger';
import { decodedPayload } from '../../gateway-api/ledger-payload';
import { TraceIndex } from '../../gateway-api/trace-index';
import { projectEvent } from '../../gateway-api/projection';
import { CertificateAuthority } from '../../ledger-tools/certificate-authority';
import { openFabricLedger } from '../../ledger-tools/fabric-ledger';
import type { Identity, Ledger, LedgerEvent } from '../../ledger-tools/ledger';
import { CAST, expectCode, gln, gtin, participantInput, type Actor, type World } from '../chaincode/support';
import { documentOf, objectEvent } from '../epcis/fixtures';
import type { TestNetwork } from './fabric-network';

const ORG_OF: Readonly<Record<string, string>> = { RegulatorMSP: 'regulator', ProducersMSP: 'producers', TradeMSP: 'trade' };

/** The CA that cryptogen made for an organisation, loaded to issue more identities. */
async function orgCa(net: TestNetwork, mspId: string): Promise<CertificateAuthority> {
  const dir = join(net.dataDir, 'crypto', 'peerOrganizations', `${ORG_OF[mspId]}.zfc.local`, 'ca');
  const file = (suffix: string): string => join(dir, readdirSync(dir).find((f) => f.endsWith(suffix)) ?? suffix);
  return CertificateAuthority.fromPem({ mspId, certificate: readFileSync(file('-cert.pem'), 'utf8'), privateKey: readFileSync(file('priv_sk'), 'utf8') });
}

/** A contract test world (the shape of test/chaincode/support.ts) on the network's zfc chaincode. */
async function openFabricWorld(net: TestNetwork, ledger: () => Ledger): Promise<World> {
  const cas: Record<string, CertificateAuthority> = {};
  for (const mspId of Object.keys(ORG_OF)) cas[mspId] = await orgCa(net, mspId);
  const mspOf = { regulator: 'RegulatorMSP', producers: 'ProducersMSP', trade: 'TradeMSP' } as const;
  const issue = (mspId: string, commonName: string, ou = 'client'): Promise<Identity> =>
    (cas[mspId] as CertificateAuthority).issue({ commonName, organizationalUnit: ou });
  const actors: Record<string, Actor> = {};
  let n = 0;
  for (const c of CAST) actors[c.id] = { id: c.id, role: c.role, gln: gln(++n), identity: await issue(mspOf[c.msp], `${c.id}@zfc`) };
  const call = async <T>(kind: 'submit' | 'evaluate', fn: string, input: unknown, who: Actor | Identity): Promise<T> => {
    const identity = 'identity' in who ? who.identity : who;
    const arg = typeof input === 'string' ? input : JSON.stringify(input);
    const bytes = kind === 'submit' ? (await ledger().submit(fn, [arg], identity)).payload : await ledger().evaluate(fn, [arg], identity);
    const text = Buffer.from(bytes).toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    get ledger() {
      return ledger();
    },
    dir: net.dataDir,
    admin: await issue('RegulatorMSP', 'Admin2@regulator', 'admin'),
    actors,
    stranger: await issue('TradeMSP', 'stranger'),
    capabilities: new Set(),
    submit: (fn, input, who) => call('submit', fn, input, who),
    evaluate: (fn, input, who) => call('evaluate', fn, input, who),
    issue,
    close: () => ledger().close(),
  };
}

const WHEAT = gtin(101);
const FLOUR = gtin(102);
const actorOf = (w: World, id: string): Actor => w.actors[id] as Actor;

/** Contract tests on a network started with the zfc chaincode (and kv). */
export function contractTests(net: () => TestNetwork): void {
  let ledger: Ledger;
  let w: World;
  let indexDir: string;

  before(async () => {
    indexDir = mkdtempSync(join(tmpdir(), 'zfc-fabric-index-'));
    ledger = await openFabricLedger(net().network.ledgerOptions('zfc'));
    w = await openFabricWorld(net(), () => ledger);
  });
  after(async () => {
    await ledger?.close();
    if (indexDir) rmSync(indexDir, { recursive: true, force: true });
  });

  it('initialises through an admin of the regulator and registers the cast (two organisations endorse each)', async () => {
    await w.submit('Init', { regulator: participantInput(actorOf(w, 'samr')) }, w.admin);
    for (const actor of Object.values(w.actors)) {
      if (actor.id !== 'samr') await w.submit('RegisterParticipant', participantInput(actor), actorOf(w, 'samr'));
    }
    await expectCode(w.submit('Init', { regulator: participantInput(actorOf(w, 'samr')) }, w.admin), 'CONFLICT');
    await expectCode(w.submit('RegisterProduct', { gtin: WHEAT, name: 'x', category: 'grain', unit: 'KGM', requiresTest: false }, w.stranger), 'UNKNOWN_IDENTITY');
  });

  it('runs a lot from farm to mill: product, lot, test, shipment, receipt, transformation', async () => {
    await w.submit('RegisterProduct', { gtin: WHEAT, name: '小麦 wheat', category: 'grain', unit: 'KGM', requiresTest: true }, actorOf(w, 'farm-a'));
    await w.submit('RegisterProduct', { gtin: FLOUR, name: 'flour', category: 'flour', unit: 'KGM', requiresTest: false, yield: { min: 0.7, max: 0.8 } }, actorOf(w, 'mill'));
    await w.submit('CreateLot', { gtin: WHEAT, lot: 'W1', quantity: 1000, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(50), name: 'Field 7', country: 'CN' } }, actorOf(w, 'farm-a'));
    await expectCode(w.submit('Ship', { shipmentId: 'S-0', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 10 }], origin: { gln: gln(50) } }, actorOf(w, 'farm-a')), 'TEST_REQUIRED');
    await w.submit('RecordTest', {
      testId: 'T1', gtin: WHEAT, lot: 'W1', method: 'GB 2763', sampledAt: '2026-02-21T09:00:00+08:00',
      analytes: [{ name: 'lead', value: 0.05, unit: 'mg/kg', limit: 0.2 }], verdict: 'pass',
      report: { sha256: 'a'.repeat(64), uri: 'https://lab.example/reports/T1.pdf' },
    }, actorOf(w, 'lab'));
    await w.submit('Ship', { shipmentId: 'S-1', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 600 }], origin: { gln: gln(50) } }, actorOf(w, 'farm-a'));
    await expectCode(w.submit('Ship', { shipmentId: 'S-2', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 401 }], origin: { gln: gln(50) } }, actorOf(w, 'farm-a')), 'QUANTITY_EXCEEDS_HOLDING');
    await w.submit('Receive', { shipmentId: 'S-1', location: { gln: gln(60) } }, actorOf(w, 'mill'));
    await w.submit('TransformLots', {
      transformationId: 'MILL-1', inputs: [{ gtin: WHEAT, lot: 'W1', quantity: 600 }],
      output: { gtin: FLOUR, lot: 'F1', quantity: 450, productionDate: '2026-02-22' }, location: { gln: gln(60) },
    }, actorOf(w, 'mill'));
    const got = await w.evaluate<{ lot: { quantity: number; producer: string } }>('GetLot', { gtin: FLOUR, lot: 'F1' }, actorOf(w, 'shop'));
    expect(got.lot).to.include({ quantity: 450, producer: 'mill' });
  });

  it('follows the ledger into the trace index and resumes after a gateway restart with no gap and no duplicate', async function () {
    this.timeout(120_000);
    const samr = actorOf(w, 'samr').identity;
    const first = await TraceIndex.open({ dir: indexDir, project: projectEvent });
    const following = first.follow(ledger);
    const held = await ledger.submit('PlaceHold', [JSON.stringify({ gtin: FLOUR, lot: 'F1', reason: 'inspection' })], samr);
    expect(await first.waitFor(held.txId, 30_000)).to.equal(true);
    first.stop();
    await following.catch(() => undefined);
    await first.close();
    await ledger.close(); // the gateway goes down

    // Writes go on through another client while this gateway is down.
    const other = await openFabricLedger(net().network.ledgerOptions('zfc'));
    await other.submit('ReleaseHold', [JSON.stringify({ gtin: FLOUR, lot: 'F1', reason: 'cleared' })], samr);
    const recall = await other.submit('IssueRecall', [JSON.stringify({ recallId: 'R-1', lots: [{ gtin: WHEAT, lot: 'W1' }], reason: 'aflatoxin', class: 'I' })], samr);
    await other.close();

    ledger = await openFabricLedger(net().network.ledgerOptions('zfc'));
    const resumed = await TraceIndex.open({ dir: indexDir, project: projectEvent });
    const rebuiltDir = mkdtempSync(join(tmpdir(), 'zfc-fabric-index-'));
    const rebuilt = await TraceIndex.open({ dir: rebuiltDir, project: projectEvent });
    try {
      const resuming = resumed.follow(ledger);
      const building = rebuilt.follow(ledger);
      expect(await resumed.waitFor(recall.txId, 60_000)).to.equal(true);
      expect(await rebuilt.waitFor(recall.txId, 60_000)).to.equal(true);
      const flour = { gtin: FLOUR, lot: 'F1' };
      expect(resumed.lot(flour).recallId).to.equal('R-1');
      expect(await resumed.history(flour)).to.deep.equal(await rebuilt.history(flour));
      expect(resumed.traceBack({ lot: flour }, `${FLOUR}/F1`)).to.deep.equal(rebuilt.traceBack({ lot: flour }, `${FLOUR}/F1`));
      resumed.stop();
      rebuilt.stop();
      await Promise.all([resuming.catch(() => undefined), building.catch(() => undefined)]);
    } finally {
      await resumed.close();
      await rebuilt.close();
      rmSync(rebuiltDir, { recursive: true, force: true });
    }
  });

  it('captures EPCIS documents through the epcis contract: content-hash IDs, duplicates once, reads, the capture event, lot rules', async function () {
    this.timeout(120_000);
    const dist = actorOf(w, 'dist').identity;
    const shipped = objectEvent(1, { bizStep: 'shipping', epcList: ['urn:epc:id:sgtin:0614141.107346.901'] });
    const doc = documentOf([shipped, objectEvent(2, { epcList: ['https://example.cn/dl/01/10614141073464/21/901'] }), objectEvent(3, { eventID: 'urn:uuid:6f1f8a1e-0000-4000-8000-000000000003' })]);
    const first = await ledger.submit('epcis:CaptureEvents', [JSON.stringify(doc)], dist);
    const result = JSON.parse(Buffer.from(first.payload).toString('utf8')) as { captured: Array<{ eventID: string; generatedID: boolean }>; duplicates: unknown[] };
    expect(result.captured.map((c) => c.generatedID)).to.deep.equal([true, true, false]);
    const again = JSON.parse(Buffer.from((await ledger.submit('epcis:CaptureEvents', [JSON.stringify(doc)], dist)).payload).toString('utf8')) as { captured: unknown[]; duplicates: unknown[] };
    expect(again.captured).to.have.length(0);
    expect(again.duplicates).to.have.length(3);

    const id = result.captured[0]?.eventID ?? '';
    const stored = JSON.parse(Buffer.from(await ledger.evaluate('epcis:GetEvent', [id], dist)).toString('utf8')) as StoredEpcisEvent;
    expect(stored.event).to.deep.equal(shipped);
    expect(stored).to.include({ capturedBy: 'dist', txId: first.txId });
    const item = 'https://id.gs1.org/01/10614141073464/21/901';
    const page = JSON.parse(Buffer.from(await ledger.evaluate('epcis:QueryEvents', [JSON.stringify({ perPage: 10, epcs: [{ value: item, prefix: false }] }), ''], dist)).toString('utf8')) as { events: StoredEpcisEvent[] };
    expect(page.events.map((e) => e.eventID).sort()).to.deep.equal(result.captured.slice(0, 2).map((c) => c.eventID).sort());

    // the one chaincode event of the capture names its events; their records come with it, in
    // the transaction's writes read from the block, and give the events as a read does
    const abort = new AbortController();
    let event: LedgerEvent | undefined;
    for await (const e of ledger.events({ after: { blockNumber: first.blockNumber - 1, txIndex: Number.MAX_SAFE_INTEGER }, signal: abort.signal })) {
      if (e.txId !== first.txId) continue;
      event = e;
      abort.abort();
    }
    expect(Buffer.from(event?.payload ?? []).toString('utf8')).to.not.include('"epcList"');
    const written = new Map((event?.writes ?? []).map((w) => [w.key, w.value ? JSON.parse(Buffer.from(w.value).toString('utf8')) as unknown : null]));
    expect(written.get(`epcis.e|${eventKeyHash(id)}`)).to.deep.equal({ event: shipped, eventID: id, generatedID: true, txId: first.txId });
    expect(written.get(`epcis.c|${first.txId}`)).to.deep.include({ capturedBy: 'dist' });
    const decoded = decodedPayload(event as LedgerEvent);
    const captured = decoded.kind === 'captured' ? decoded.captured.body.events : [];
    expect(captured.map((e) => e.eventID)).to.deep.equal(result.captured.map((c) => c.eventID));
    expect(captured.find((e) => e.eventID === id)).to.deep.equal(stored);
    expect(decodeEpcisCaptured(event?.payload ?? new Uint8Array(), event?.writes)?.body.events).to.deep.equal(captured);

    // W1 was recalled: a captured shipment of it is refused like a native one, and nothing is written
    const recalledShipment = documentOf([objectEvent(4, { bizStep: 'shipping', epcList: [], quantityList: [{ epcClass: `https://id.gs1.org/01/${WHEAT}/10/W1`, quantity: 5, uom: 'KGM' }] })]);
    await expectCode(ledger.submit('epcis:CaptureEvents', [JSON.stringify(recalledShipment)], dist), 'LOT_RECALLED');
  });

  it('refuses to sell or ship what a recall reached downstream', async () => {
    await expectCode(w.submit('Ship', { shipmentId: 'S-3', to: 'bakery', lines: [{ gtin: FLOUR, lot: 'F1', quantity: 10 }], origin: { gln: gln(60) } }, actorOf(w, 'mill')), 'LOT_RECALLED');
    await expectCode(w.submit('RecordScans', { scans: [{ kind: 'check', gtin: FLOUR, lot: 'F1', location: { gln: gln(60) } }] }, actorOf(w, 'mill')), 'LOT_RECALLED');
  });
}
