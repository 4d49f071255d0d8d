/**
 * Each ledger event's payload is decoded once for both followers (the trace index's projection
 * and the EPCIS projection): the same decoding for the same payload bytes, captured events read
 * through the capture contract's decoder only, and payloads that are not ours, or an
 * `EpcisCaptured` envelope that decoder refuses, give nothing to either follower.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { CaptureWritesMissingError } from '../../chaincode/epcis-capture';
import { EpcisContract } from '../../chaincode/epcis-contract';
import { validateEpcisDocument } from '../../chaincode/epcis-validate';
import { epcisEventsOf } from '../../gateway-api/epcis-projection';
import { decodedPayload } from '../../gateway-api/ledger-payload';
import { projectEvent } from '../../gateway-api/projection';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity, type LedgerEvent } from '../../ledger-tools';
import { documentOf, objectEvent } from './fixtures';
import { SeedContract } from './seed-contract';

function ledgerEvent(payload: string, eventName = 'EpcisCaptured'): LedgerEvent {
  return { blockNumber: 1, txIndex: 0, txId: 'ab'.repeat(32), eventName, payload: Buffer.from(payload, 'utf8'), timestamp: '2026-03-01T00:00:00.000Z' };
}

/** The chaincode event of a committed transaction, as followers receive it. */
async function committedEvent(ledger: EmbeddedLedger, txId: string): Promise<LedgerEvent> {
  for await (const e of ledger.events()) if (e.txId === txId) return e;
  throw new Error(`no event of ${txId}`);
}

describe('Ledger payloads decoded once for every follower', function () {
  this.timeout(60_000);
  let dir: string;
  let ledger: EmbeddedLedger;
  let alice: Identity;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-epcis-payload-'));
    ledger = await openEmbeddedLedger({ dir, contracts: [EpcisContract, SeedContract] });
    alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
    await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-A', name: 'A', role: 'producer', status: 'active', identities: [] })], alice);
  });

  after(async () => {
    await ledger.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives both followers the one decoding of a capture, read by the capture contract', async () => {
    const commissioning = objectEvent(5, { action: 'ADD', bizStep: 'commissioning', epcList: [], quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.107346.L42', quantity: 10, uom: 'KGM' }] });
    const doc = validateEpcisDocument(documentOf([commissioning, objectEvent(6)]));
    const { txId } = await ledger.submit('epcis:CaptureEvents', [JSON.stringify(doc)], alice);
    const e = await committedEvent(ledger, txId);
    const decoded = decodedPayload(e);
    expect(decoded.kind).to.equal('captured');
    expect(decodedPayload({ ...e })).to.equal(decoded); // same payload bytes, same decoding
    const { events } = epcisEventsOf(e);
    expect(events.map((s) => s.txId)).to.deep.equal([txId, txId]);
    if (decoded.kind === 'captured') expect(events).to.equal(decoded.captured.body.events);
    const facts = projectEvent(e);
    expect(facts.filter((f) => f.type === 'lot').map((f) => (f.type === 'lot' ? `${f.gtin}/${f.lot}/${f.quantity}` : ''))).to.deep.equal(['10614141073464/L42/10']);
    // another copy of the bytes is decoded on its own, to the same answer
    const copy = { ...e, payload: Buffer.from(e.payload) };
    expect(decodedPayload(copy)).to.not.equal(decoded);
    expect(projectEvent(copy)).to.deep.equal(facts);
  });

  it('refuses a capture whose event came without its writes (a ledger that dropped them), to both followers', async () => {
    const { txId } = await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf([objectEvent(7)]))], alice);
    const e = await committedEvent(ledger, txId);
    expect(e.writes?.length).to.equal(2); // the event's record and the capture's
    const bare: LedgerEvent = { blockNumber: e.blockNumber, txIndex: e.txIndex, txId: e.txId, eventName: e.eventName, payload: Buffer.from(e.payload), timestamp: e.timestamp };
    expect(() => decodedPayload(bare)).to.throw(CaptureWritesMissingError);
    expect(() => epcisEventsOf(bare)).to.throw(CaptureWritesMissingError);
    expect(() => projectEvent(bare)).to.throw(CaptureWritesMissingError);
    expect(epcisEventsOf(e).events.map((s) => s.txId)).to.deep.equal([txId]); // with them, the event is there
  });

  it('gives nothing for payloads that are not ours or not a capture the contract wrote', () => {
    for (const e of [ledgerEvent('not json'), ledgerEvent('{"v":2,"type":"Shipped"}', 'Shipped'), ledgerEvent('{"v":1,"type":"EpcisCaptured","body":{"events":"no"}}')]) {
      expect(projectEvent(e)).to.deep.equal([]);
      expect(epcisEventsOf(e).events).to.deep.equal([]);
    }
  });
});
