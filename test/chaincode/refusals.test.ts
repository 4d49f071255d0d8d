/**
 * Every refusal: each role against each action it may not take, unknown and suspended
 * callers, foreign lots, double spends, over-receipts, the test gate, held and recalled lots,
 * duplicate IDs. Each refusal is a typed error and commits nothing (the height is unchanged).
 */
import { expect } from 'chai';
import type { ErrorCode, Holding } from '../../chaincode';
import { actor, expectCode, gln, gtin, openWorld, participantInput, sscc, type Actor, type World } from './support';
import { EGGS, FLOUR, WHEAT, seed, testInput } from './scenario';

const ROLE_ACTOR = { regulator: 'samr', producer: 'farm-a', processor: 'mill', lab: 'lab', distributor: 'dist', retailer: 'shop' } as const;
type RoleName = keyof typeof ROLE_ACTOR;
const ALL: RoleName[] = ['regulator', 'producer', 'processor', 'lab', 'distributor', 'retailer'];

/** Actions guarded by role, with an input that passes validation, and who may take them. */
const MATRIX: { fn: string; allowed: RoleName[]; input: unknown; evaluate?: boolean }[] = [
  { fn: 'RegisterParticipant', allowed: ['regulator'], input: { id: 'newco', name: 'New Co', role: 'retailer', licence: 'L1', gln: gln(500), identities: [{ mspId: 'TradeMSP', id: 'x509::/CN=newco::/CN=ca' }] } },
  { fn: 'SuspendParticipant', allowed: ['regulator'], input: { id: 'shop-b', reason: 'r' } },
  { fn: 'ReinstateParticipant', allowed: ['regulator'], input: { id: 'shop-b', reason: 'r' } },
  { fn: 'RegisterProduct', allowed: ['producer', 'processor'], input: { gtin: FLOUR, name: 'x', category: 'x', unit: 'KGM', requiresTest: false } },
  { fn: 'CreateLot', allowed: ['producer'], input: { gtin: WHEAT, lot: 'NEW', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } } },
  { fn: 'RecordTest', allowed: ['lab'], input: testInput('T-X', { gtin: WHEAT, lot: 'W2' }) },
  { fn: 'TransformLots', allowed: ['processor', 'producer'], input: { transformationId: 'X', inputs: [{ gtin: WHEAT, lot: 'W1', quantity: 1 }], output: { gtin: FLOUR, lot: 'FX', quantity: 1, productionDate: '2026-02-25' }, location: { gln: gln(90) } } },
  { fn: 'Aggregate', allowed: ['producer', 'processor', 'distributor', 'retailer'], input: { sscc: sscc(9), lots: [{ gtin: WHEAT, lot: 'W1', quantity: 1 }], location: { gln: gln(90) } } },
  { fn: 'Disaggregate', allowed: ['producer', 'processor', 'distributor', 'retailer'], input: { sscc: sscc(9), location: { gln: gln(90) } } },
  { fn: 'Ship', allowed: ['producer', 'processor', 'distributor', 'retailer'], input: { shipmentId: 'SX', to: 'dist', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 1 }], origin: { gln: gln(90) } } },
  { fn: 'PlaceHold', allowed: ['regulator'], input: { gtin: WHEAT, lot: 'W2', reason: 'r' } },
  { fn: 'ReleaseHold', allowed: ['regulator'], input: { gtin: WHEAT, lot: 'W2', reason: 'r' } },
  { fn: 'ListWarnings', allowed: ['regulator'], input: {}, evaluate: true },
];

describe('chaincode: refusals', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await seed(w);
  });
  after(async () => w?.close());

  /** Expects a submit to be refused with `code` and to commit nothing. */
  async function refused(fn: string, input: unknown, who: Actor | Parameters<World['submit']>[2], code: ErrorCode): Promise<void> {
    const height = await w.ledger.height();
    await expectCode(w.submit(fn, input, who), code);
    expect(await w.ledger.height(), `${fn} committed a block`).to.equal(height);
  }

  describe('role × action matrix', () => {
    for (const row of MATRIX) {
      for (const role of ALL.filter((r) => !row.allowed.includes(r))) {
        it(`${role} may not ${row.fn}`, async () => {
          const who = actor(w, ROLE_ACTOR[role]);
          if (row.evaluate) await expectCode(w.evaluate(row.fn, row.input, who), 'FORBIDDEN');
          else await refused(row.fn, row.input, who, 'FORBIDDEN');
        });
      }
    }
    const scanRules: [string, RoleName[]][] = [['sale', ['retailer']], ['receive', ['producer', 'processor', 'distributor', 'retailer']], ['dispatch', ['producer', 'processor', 'distributor', 'retailer']]];
    for (const [kind, allowed] of scanRules) {
      for (const role of ALL.filter((r) => !allowed.includes(r))) {
        it(`${role} may not record a ${kind} scan`, async () => {
          await refused('RecordScans', { scans: [{ kind, gtin: EGGS, serial: 'E0001', location: { gln: gln(90) } }] }, actor(w, ROLE_ACTOR[role]), 'FORBIDDEN');
        });
      }
    }
  });

  describe('identity', () => {
    it('refuses an unknown identity on writes and reads', async () => {
      await refused('RegisterProduct', { gtin: FLOUR, name: 'x', category: 'x', unit: 'KGM', requiresTest: false }, w.stranger, 'UNKNOWN_IDENTITY');
      await expectCode(w.evaluate('GetLot', { gtin: WHEAT, lot: 'W1' }, w.stranger), 'UNKNOWN_IDENTITY');
    });

    it('refuses a second Init, and an Init by a non-admin or another MSP\'s admin', async () => {
      const regulator = participantInput(actor(w, 'samr'));
      await refused('Init', { regulator: { ...regulator, id: 'samr2' } }, w.admin, 'CONFLICT');
      const fresh = await openWorld({ register: false });
      try {
        const height = await fresh.ledger.height();
        if (fresh.capabilities.has('ownChain')) expect(height).to.equal(0);
        const nonAdmin = await fresh.issue('RegulatorMSP', 'user1', 'client');
        const otherAdmin = await fresh.issue('TradeMSP', 'Admin@trade', 'admin');
        const input = { regulator: participantInput(actor(fresh, 'samr')) };
        await expectCode(fresh.submit('Init', input, nonAdmin), 'FORBIDDEN');
        await expectCode(fresh.submit('Init', input, otherAdmin), 'FORBIDDEN');
        await expectCode(fresh.submit('Init', { regulator: { ...input.regulator, role: 'retailer' } }, fresh.admin), 'INVALID_ARGUMENT');
        expect(await fresh.ledger.height()).to.equal(height);
        await fresh.submit('Init', input, fresh.admin);
      } finally {
        await fresh.close();
      }
    });

    it('refuses duplicate participants and identities already in use', async () => {
      const shop = participantInput(actor(w, 'shop'));
      await refused('RegisterParticipant', shop, actor(w, 'samr'), 'PARTICIPANT_EXISTS');
      await refused('RegisterParticipant', { ...shop, id: 'shop-clone' }, actor(w, 'samr'), 'IDENTITY_IN_USE');
      // a GLN identifies one participant: EPCIS events name parties by it
      const clone = { ...shop, id: 'shop-clone', identities: [{ mspId: 'TradeMSP', id: 'x509::/CN=shop-clone::/CN=ca' }] };
      await refused('RegisterParticipant', clone, actor(w, 'samr'), 'GLN_IN_USE');
      await expectCode(w.evaluate('GetParticipant', { id: 'shop-clone' }, actor(w, 'samr')), 'PARTICIPANT_NOT_FOUND');
    });

    it('a suspended participant can do nothing, and cannot be shipped to', async () => {
      await w.submit('SuspendParticipant', { id: 'shop-b', reason: 'audit' }, actor(w, 'samr'));
      await expectCode(w.evaluate('GetCaller', {}, actor(w, 'shop-b')), 'PARTICIPANT_SUSPENDED');
      await refused('RecordScans', { scans: [{ kind: 'check', gtin: EGGS, serial: 'E0001', location: { gln: gln(90) } }] }, actor(w, 'shop-b'), 'PARTICIPANT_SUSPENDED');
      await refused('Ship', { shipmentId: 'S-susp', to: 'shop-b', lines: [{ gtin: EGGS, lot: 'E1', quantity: 1 }], origin: { gln: gln(91) } }, actor(w, 'farm-b'), 'PARTICIPANT_SUSPENDED');
      await refused('SuspendParticipant', { id: 'shop-b', reason: 'again' }, actor(w, 'samr'), 'INVALID_STATE');
      await refused('SuspendParticipant', { id: 'samr', reason: 'self' }, actor(w, 'samr'), 'INVALID_STATE');
      await refused('SuspendParticipant', { id: 'nobody', reason: 'x' }, actor(w, 'samr'), 'PARTICIPANT_NOT_FOUND');
      await w.submit('ReinstateParticipant', { id: 'shop-b', reason: 'ok' }, actor(w, 'samr'));
    });
  });

  describe('ownership and quantities', () => {
    it('refuses a product that exists, and lots of another\'s product or in the wrong unit', async () => {
      await refused('RegisterProduct', { gtin: WHEAT, name: 'x', category: 'x', unit: 'KGM', requiresTest: false }, actor(w, 'farm-b'), 'PRODUCT_EXISTS');
      await refused('CreateLot', { gtin: WHEAT, lot: 'X', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } }, actor(w, 'farm-b'), 'NOT_OWNER');
      await refused('CreateLot', { gtin: WHEAT, lot: 'X', quantity: 1, unit: 'LTR', productionDate: '2026-02-20', origin: { gln: gln(90) } }, actor(w, 'farm-a'), 'UNIT_MISMATCH');
      await refused('CreateLot', { gtin: WHEAT, lot: 'W1', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } }, actor(w, 'farm-a'), 'LOT_EXISTS');
      await refused('CreateLot', { gtin: FLOUR, lot: 'X', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } }, actor(w, 'farm-a'), 'NOT_OWNER');
      await refused('CreateLot', { gtin: WHEAT, lot: 'X', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', expiryDate: '2026-01-01', origin: { gln: gln(90) } }, actor(w, 'farm-a'), 'INVALID_ARGUMENT');
      await refused('CreateLot', { gtin: gtin(999), lot: 'X', quantity: 1, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } }, actor(w, 'farm-a'), 'PRODUCT_NOT_FOUND');
    });

    it('refuses commissioning by someone else, and serials already commissioned', async () => {
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1', serials: ['Z1'] }, actor(w, 'farm-a'), 'NOT_OWNER');
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1', serials: ['E0005'] }, actor(w, 'farm-b'), 'ITEM_EXISTS');
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1', ranges: [{ prefix: 'E', from: 15, to: 30, width: 4 }] }, actor(w, 'farm-b'), 'ITEM_EXISTS');
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1', ranges: [{ prefix: 'Q', from: 1, to: 3 }], serials: ['Q2'] }, actor(w, 'farm-b'), 'INVALID_ARGUMENT');
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1', ranges: [{ from: 5, to: 1 }] }, actor(w, 'farm-b'), 'INVALID_ARGUMENT');
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1', ranges: [{ from: 1, to: 20000 }] }, actor(w, 'farm-b'), 'INVALID_ARGUMENT');
      await refused('CommissionItems', { gtin: EGGS, lot: 'E1' }, actor(w, 'farm-b'), 'INVALID_ARGUMENT');
      // E + 0001..0020 width 4 vs. unpadded 'E1' are different serials: allowed
      await w.submit('CommissionItems', { gtin: EGGS, lot: 'E1', serials: ['E1'] }, actor(w, 'farm-b'));
    });

    it('refuses shipping a foreign lot, more than held, to oneself, to nobody, or a shipment ID twice', async () => {
      const line = (quantity: number) => [{ gtin: WHEAT, lot: 'W1', quantity }];
      await refused('Ship', { shipmentId: 'S-f', to: 'mill', lines: line(1), origin: { gln: gln(1) } }, actor(w, 'dist'), 'NOT_OWNER');
      await refused('Ship', { shipmentId: 'S-f', to: 'dist', lines: line(1000.5), origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'QUANTITY_EXCEEDS_HOLDING');
      await refused('Ship', { shipmentId: 'S-f', to: 'farm-a', lines: line(1), origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'INVALID_ARGUMENT');
      await refused('Ship', { shipmentId: 'S-f', to: 'ghost', lines: line(1), origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'PARTICIPANT_NOT_FOUND');
      await refused('Ship', { shipmentId: 'S-f', to: 'dist', lines: [...line(1), ...line(2)], origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'INVALID_ARGUMENT');
      await w.submit('Ship', { shipmentId: 'S-ok', to: 'mill', lines: line(600), origin: { gln: gln(1) } }, actor(w, 'farm-a'));
      await refused('Ship', { shipmentId: 'S-ok', to: 'dist', lines: line(1), origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'SHIPMENT_EXISTS');
    });

    it('refuses a double spend: what is shipped is gone from the sender', async () => {
      await refused('Ship', { shipmentId: 'S-dbl', to: 'dist', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 401 }], origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'QUANTITY_EXCEEDS_HOLDING');
      const both = await Promise.allSettled([
        w.submit('Ship', { shipmentId: 'S-race-1', to: 'dist', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 300 }], origin: { gln: gln(1) } }, actor(w, 'farm-a')),
        w.submit('Ship', { shipmentId: 'S-race-2', to: 'shop', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 300 }], origin: { gln: gln(1) } }, actor(w, 'farm-a')),
      ]);
      expect(both.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const rejected = both.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(['MVCC_READ_CONFLICT', 'QUANTITY_EXCEEDS_HOLDING']).to.include((rejected.reason as { code: string }).code);
      const holdings = (await w.evaluate<{ holdings: Holding[] }>('GetLot', { gtin: WHEAT, lot: 'W1' }, actor(w, 'samr'))).holdings;
      expect(holdings.find((h) => h.holder === 'farm-a')?.quantity).to.equal(100);
    });

    it('refuses receipts by anyone but the recipient, over-receipts, unshipped lots and receiving twice', async () => {
      await refused('Receive', { shipmentId: 'S-ok', location: { gln: gln(2) } }, actor(w, 'dist'), 'NOT_OWNER');
      await refused('Receive', { shipmentId: 'S-ok', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 600.001 }], location: { gln: gln(2) } }, actor(w, 'mill'), 'RECEIPT_EXCEEDS_SHIPMENT');
      await refused('Receive', { shipmentId: 'S-ok', lines: [{ gtin: WHEAT, lot: 'W2', quantity: 1 }], location: { gln: gln(2) } }, actor(w, 'mill'), 'RECEIPT_EXCEEDS_SHIPMENT');
      await refused('Receive', { shipmentId: 'S-none', location: { gln: gln(2) } }, actor(w, 'mill'), 'SHIPMENT_NOT_FOUND');
      await w.submit('Receive', { shipmentId: 'S-ok', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 599 }], location: { gln: gln(2) } }, actor(w, 'mill'));
      await refused('Receive', { shipmentId: 'S-ok', location: { gln: gln(2) } }, actor(w, 'mill'), 'SHIPMENT_NOT_IN_TRANSIT');
    });

    it('refuses transforming foreign lots, more than held, an existing output lot, or a lot named twice', async () => {
      const t = (inputs: unknown[], lot = 'F-x') => ({ transformationId: 'TX', inputs, output: { gtin: FLOUR, lot, quantity: 10, productionDate: '2026-02-25' }, location: { gln: gln(3) } });
      await refused('TransformLots', t([{ gtin: WHEAT, lot: 'W2', quantity: 10 }]), actor(w, 'mill'), 'NOT_OWNER');
      await refused('TransformLots', t([{ gtin: WHEAT, lot: 'W1', quantity: 600 }]), actor(w, 'mill'), 'QUANTITY_EXCEEDS_HOLDING');
      await refused('TransformLots', t([{ gtin: WHEAT, lot: 'W1', quantity: 1 }, { gtin: WHEAT, lot: 'W1', quantity: 1 }]), actor(w, 'mill'), 'INVALID_ARGUMENT');
      await w.submit('TransformLots', t([{ gtin: WHEAT, lot: 'W1', quantity: 14 }], 'F-1'), actor(w, 'mill'));
      await refused('TransformLots', t([{ gtin: WHEAT, lot: 'W1', quantity: 14 }], 'F-1'), actor(w, 'mill'), 'LOT_EXISTS');
    });

    it('refuses selling what the shop does not hold, a sold item twice, and a lot sale without quantity', async () => {
      await refused('RecordScans', { scans: [{ kind: 'sale', gtin: EGGS, serial: 'E0001', location: { gln: gln(4) } }] }, actor(w, 'shop'), 'NOT_OWNER');
      await w.submit('Ship', { shipmentId: 'S-eggs', to: 'shop', lines: [{ gtin: EGGS, lot: 'E1', quantity: 2 }], origin: { gln: gln(91) } }, actor(w, 'farm-b'));
      await w.submit('Receive', { shipmentId: 'S-eggs', location: { gln: gln(4) } }, actor(w, 'shop'));
      await w.submit('RecordScans', { scans: [{ kind: 'sale', gtin: EGGS, serial: 'E0001', location: { gln: gln(4) } }] }, actor(w, 'shop'));
      const err = await expectCode(w.submit('RecordScans', { scans: [
        { kind: 'sale', gtin: EGGS, serial: 'E0002', location: { gln: gln(4) } },
        { kind: 'sale', gtin: EGGS, serial: 'E0001', location: { gln: gln(4) } },
      ] }, actor(w, 'shop')), 'INVALID_STATE');
      expect(err.details['index']).to.equal(1);
      await refused('RecordScans', { scans: [{ kind: 'sale', gtin: EGGS, lot: 'E1', location: { gln: gln(4) } }] }, actor(w, 'shop'), 'INVALID_ARGUMENT');
      await refused('RecordScans', { scans: [{ kind: 'sale', gtin: EGGS, lot: 'E1', quantity: 2, location: { gln: gln(4) } }] }, actor(w, 'shop'), 'QUANTITY_EXCEEDS_HOLDING');
      await refused('RecordScans', { scans: [{ kind: 'check', gtin: EGGS, serial: 'NOPE', location: { gln: gln(4) } }] }, actor(w, 'shop'), 'ITEM_NOT_FOUND');
      await refused('RecordScans', { scans: [{ kind: 'check', gtin: EGGS, serial: 'E0003', lot: 'OTHER', location: { gln: gln(4) } }] }, actor(w, 'shop'), 'INVALID_ARGUMENT');
      await refused('RecordScans', { scans: [{ kind: 'check', sscc: sscc(77), location: { gln: gln(4) } }] }, actor(w, 'shop'), 'CONTAINER_NOT_FOUND');
    });

    it('refuses packing what is not held, and packing an item twice', async () => {
      await refused('Aggregate', { sscc: sscc(20), items: [{ gtin: EGGS, serial: 'E0010' }], location: { gln: gln(4) } }, actor(w, 'dist'), 'NOT_OWNER');
      await refused('Aggregate', { sscc: sscc(20), lots: [{ gtin: WHEAT, lot: 'W2', quantity: 1001 }], location: { gln: gln(4) } }, actor(w, 'farm-a'), 'QUANTITY_EXCEEDS_HOLDING');
      await w.submit('Aggregate', { sscc: sscc(20), items: [{ gtin: EGGS, serial: 'E0010' }], location: { gln: gln(91) } }, actor(w, 'farm-b'));
      await refused('Aggregate', { sscc: sscc(21), items: [{ gtin: EGGS, serial: 'E0010' }], location: { gln: gln(91) } }, actor(w, 'farm-b'), 'CONFLICT');
      await refused('Aggregate', { sscc: sscc(20), items: [{ gtin: EGGS, serial: 'E0011' }], location: { gln: gln(91) } }, actor(w, 'farm-a'), 'NOT_OWNER');
      await refused('Aggregate', { sscc: sscc(20), containers: [sscc(20)], location: { gln: gln(91) } }, actor(w, 'farm-b'), 'INVALID_ARGUMENT');
      await refused('Disaggregate', { sscc: sscc(20), items: [{ gtin: EGGS, serial: 'E0011' }], location: { gln: gln(91) } }, actor(w, 'farm-b'), 'INVALID_ARGUMENT');
      await refused('Disaggregate', { sscc: sscc(99), location: { gln: gln(91) } }, actor(w, 'farm-b'), 'CONTAINER_NOT_FOUND');
    });
  });

  describe('test gate, holds and recalls', () => {
    it('refuses shipping a lot that requires a test and has none (TEST_REQUIRED)', async () => {
      await refused('Ship', { shipmentId: 'S-gate', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W2', quantity: 1 }], origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'TEST_REQUIRED');
    });

    it('refuses a pass verdict with an analyte beyond its limit', async () => {
      const input = { ...testInput('T-bad', { gtin: WHEAT, lot: 'W2' }), analytes: [{ name: 'lead', value: 1, unit: 'mg/kg', limit: 0.2 }] };
      await refused('RecordTest', input, actor(w, 'lab'), 'INVALID_ARGUMENT');
      await refused('RecordTest', testInput('T-W1', { gtin: WHEAT, lot: 'W1' }), actor(w, 'lab'), 'CONFLICT');
    });

    it('a failed test puts the lot on hold: ship, transform, pack and scan are refused with LOT_ON_HOLD', async () => {
      const answer = await w.submit<{ body: { held: boolean } }>('RecordTest', testInput('T-W2', { gtin: WHEAT, lot: 'W2' }, 'fail'), actor(w, 'lab'));
      expect(answer.body.held).to.equal(true);
      await w.submit('RecordTest', testInput('T-W2b', { gtin: WHEAT, lot: 'W2' }, 'pass'), actor(w, 'lab'));
      await refused('Ship', { shipmentId: 'S-held', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W2', quantity: 1 }], origin: { gln: gln(1) } }, actor(w, 'farm-a'), 'LOT_ON_HOLD');
      await refused('TransformLots', { transformationId: 'TH', inputs: [{ gtin: WHEAT, lot: 'W2', quantity: 1 }], output: { gtin: FLOUR, lot: 'F-h', quantity: 0.7, productionDate: '2026-02-25' }, location: { gln: gln(1) } }, actor(w, 'farm-a'), 'LOT_ON_HOLD');
      await refused('Aggregate', { sscc: sscc(30), lots: [{ gtin: WHEAT, lot: 'W2', quantity: 1 }], location: { gln: gln(1) } }, actor(w, 'farm-a'), 'LOT_ON_HOLD');
      await refused('RecordScans', { scans: [{ kind: 'check', gtin: WHEAT, lot: 'W2', location: { gln: gln(1) } }] }, actor(w, 'farm-a'), 'LOT_ON_HOLD');
      await refused('PlaceHold', { gtin: WHEAT, lot: 'W2', reason: 'again' }, actor(w, 'samr'), 'INVALID_STATE');
      await w.submit('ReleaseHold', { gtin: WHEAT, lot: 'W2', reason: 'retested' }, actor(w, 'samr'));
      await refused('ReleaseHold', { gtin: WHEAT, lot: 'W2', reason: 'again' }, actor(w, 'samr'), 'INVALID_STATE');
      await w.submit('Ship', { shipmentId: 'S-released', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W2', quantity: 1 }], origin: { gln: gln(1) } }, actor(w, 'farm-a'));
    });

    it('a recalled lot refuses ship, transform, sale and scan with LOT_RECALLED; only a regulator or its producer may recall', async () => {
      await refused('IssueRecall', { recallId: 'R-x', lots: [{ gtin: EGGS, lot: 'E1' }], reason: 'x', class: 'II' }, actor(w, 'shop'), 'FORBIDDEN');
      await refused('IssueRecall', { recallId: 'R-x', lots: [{ gtin: EGGS, lot: 'E1' }], reason: 'x', class: 'II' }, actor(w, 'farm-a'), 'FORBIDDEN');
      await refused('IssueRecall', { recallId: 'R-x', lots: [{ gtin: EGGS, lot: 'NOPE' }], reason: 'x', class: 'II' }, actor(w, 'samr'), 'LOT_NOT_FOUND');
      const answer = await w.submit<{ body: { recall: { voluntary: boolean; status: string } } }>('IssueRecall', { recallId: 'R-eggs', lots: [{ gtin: EGGS, lot: 'E1' }], reason: 'salmonella', class: 'I' }, actor(w, 'farm-b'));
      expect(answer.body.recall).to.include({ voluntary: true, status: 'complete' });
      await refused('IssueRecall', { recallId: 'R-eggs', lots: [{ gtin: EGGS, lot: 'E1' }], reason: 'x', class: 'I' }, actor(w, 'samr'), 'RECALL_EXISTS');
      await refused('RecordScans', { scans: [{ kind: 'sale', gtin: EGGS, serial: 'E0002', location: { gln: gln(4) } }] }, actor(w, 'shop'), 'LOT_RECALLED');
      await refused('RecordScans', { scans: [{ kind: 'check', gtin: EGGS, serial: 'E0002', location: { gln: gln(4) } }] }, actor(w, 'shop'), 'LOT_RECALLED');
      await refused('RecordScans', { scans: [{ kind: 'check', sscc: sscc(20), location: { gln: gln(91) } }] }, actor(w, 'farm-b'), 'LOT_RECALLED');
      await refused('Ship', { shipmentId: 'S-rec', to: 'dist', lines: [{ gtin: EGGS, lot: 'E1', quantity: 1 }], origin: { gln: gln(91) } }, actor(w, 'farm-b'), 'LOT_RECALLED');
      await refused('TransformLots', { transformationId: 'TR', inputs: [{ gtin: EGGS, lot: 'E1', quantity: 1 }], output: { gtin: EGGS, lot: 'E2', quantity: 1, productionDate: '2026-02-25' }, location: { gln: gln(91) } }, actor(w, 'farm-b'), 'LOT_RECALLED');
      await refused('PlaceHold', { gtin: EGGS, lot: 'E1', reason: 'x' }, actor(w, 'samr'), 'INVALID_STATE');
      await refused('ContinueRecall', { recallId: 'R-eggs' }, actor(w, 'samr'), 'INVALID_STATE');
      await refused('ContinueRecall', { recallId: 'R-none' }, actor(w, 'samr'), 'RECALL_NOT_FOUND');
    });
  });

  it('refuses shipping, transforming and selling an expired lot with LOT_EXPIRED', async () => {
    await w.submit('CreateLot', { gtin: EGGS, lot: 'OLD', quantity: 5, unit: 'EA', productionDate: '2026-01-01', expiryDate: '2026-02-01', origin: { gln: gln(91) } }, actor(w, 'farm-b'));
    await refused('Ship', { shipmentId: 'S-old', to: 'dist', lines: [{ gtin: EGGS, lot: 'OLD', quantity: 1 }], origin: { gln: gln(91) } }, actor(w, 'farm-b'), 'LOT_EXPIRED');
    await refused('TransformLots', { transformationId: 'T-old', inputs: [{ gtin: EGGS, lot: 'OLD', quantity: 1 }], output: { gtin: EGGS, lot: 'NEW-E', quantity: 1, productionDate: '2026-03-01' }, location: { gln: gln(91) } }, actor(w, 'farm-b'), 'LOT_EXPIRED');
  });

  it('lets only a regulator or the issuer continue a recall', async () => {
    await w.submit('CreateLot', { gtin: EGGS, lot: 'R2', quantity: 5, unit: 'EA', productionDate: '2026-02-20', origin: { gln: gln(91) } }, actor(w, 'farm-b'));
    await w.submit('CreateLot', { gtin: EGGS, lot: 'R3', quantity: 5, unit: 'EA', productionDate: '2026-02-20', origin: { gln: gln(91) } }, actor(w, 'farm-b'));
    await w.submit('IssueRecall', { recallId: 'R-vol', lots: [{ gtin: EGGS, lot: 'R2' }, { gtin: EGGS, lot: 'R3' }], reason: 'label error', class: 'III', budget: 1 }, actor(w, 'farm-b'));
    await refused('ContinueRecall', { recallId: 'R-vol' }, actor(w, 'farm-a'), 'FORBIDDEN');
    await refused('ContinueRecall', { recallId: 'R-vol' }, actor(w, 'shop'), 'FORBIDDEN');
    const done = await w.submit<{ body: { recall: { status: string } } }>('ContinueRecall', { recallId: 'R-vol' }, actor(w, 'farm-b'));
    expect(done.body.recall.status).to.equal('complete');
  });

  it('refuses unknown transaction functions with UNKNOWN_TRANSACTION', async () => {
    await refused('DropAllTables', {}, actor(w, 'samr'), 'UNKNOWN_TRANSACTION');
  });
});
