/**
 * Hostile and malformed input: every transaction refuses non-JSON, non-objects, unknown
 * fields and oversize arguments; field mutations of the main transactions (wrong types,
 * missing fields, huge strings, control characters and the composite-key separator, bad check
 * digits, out-of-range numbers) are INVALID_ARGUMENT naming the field; none commits anything.
 * Unicode where text is free (names, reasons) is accepted.
 */
import { expect } from 'chai';
import { SCHEMAS, ZfcError, parseInput, type TransactionName } from '../../chaincode';
import { checkKeyPart } from '../../chaincode/keys';
import { actor, expectCode, gln, gtin, openWorld, participantInput, type World } from './support';
import { EGGS, WHEAT, seed } from './scenario';

const READS = new Set(['GetCaller', 'GetParticipant', 'GetProduct', 'GetLot', 'GetItem', 'GetContainer', 'GetShipment', 'GetRecall', 'GetLotHistory', 'GetLotLineage', 'TraceBack', 'TraceForward', 'ListWarnings', 'GetEpcisEvent']);
const NAMES = Object.keys(SCHEMAS) as TransactionName[];

const createLot = { gtin: WHEAT, lot: 'H1', quantity: 5, unit: 'KGM', productionDate: '2026-02-20', origin: { gln: gln(90) } };
const ship = { shipmentId: 'SH-H', to: 'mill', lines: [{ gtin: WHEAT, lot: 'W1', quantity: 1 }], origin: { gln: gln(90) } };
const scan = { scans: [{ kind: 'check', gtin: EGGS, serial: 'E0001', location: { gln: gln(90) } }] };

/** [description, transaction, who, input, the field the error must name]. */
const MUTATIONS: [string, string, string, unknown, string][] = [
  ['missing field', 'CreateLot', 'farm-a', { ...createLot, quantity: undefined }, '/quantity'],
  ['quantity as string', 'CreateLot', 'farm-a', { ...createLot, quantity: '5' }, '/quantity'],
  ['zero quantity', 'CreateLot', 'farm-a', { ...createLot, quantity: 0 }, '/quantity'],
  ['negative quantity', 'CreateLot', 'farm-a', { ...createLot, quantity: -1 }, '/quantity'],
  ['astronomical quantity', 'CreateLot', 'farm-a', { ...createLot, quantity: 1e300 }, '/quantity'],
  ['unknown unit', 'CreateLot', 'farm-a', { ...createLot, unit: 'BUSHEL' }, '/unit'],
  ['bad GTIN check digit', 'CreateLot', 'farm-a', { ...createLot, gtin: `${WHEAT.slice(0, 13)}${(Number(WHEAT[13]) + 1) % 10}` }, '/gtin'],
  ['GTIN-13', 'CreateLot', 'farm-a', { ...createLot, gtin: WHEAT.slice(1) }, '/gtin'],
  ['lot of 21 characters', 'CreateLot', 'farm-a', { ...createLot, lot: 'L'.repeat(21) }, '/lot'],
  ['lot with the composite-key separator', 'CreateLot', 'farm-a', { ...createLot, lot: 'A\u0000B' }, '/lot'],
  ['lot with a newline', 'CreateLot', 'farm-a', { ...createLot, lot: 'A\nB' }, '/lot'],
  ['lot in Chinese (outside GS1 set 82)', 'CreateLot', 'farm-a', { ...createLot, lot: '批次1' }, '/lot'],
  ['lot with a space', 'CreateLot', 'farm-a', { ...createLot, lot: 'A B' }, '/lot'],
  ['bad GLN', 'CreateLot', 'farm-a', { ...createLot, origin: { gln: '1234567890123' } }, '/origin/gln'],
  ['impossible date', 'CreateLot', 'farm-a', { ...createLot, productionDate: '2026-02-30' }, '/productionDate'],
  ['unknown field', 'CreateLot', 'farm-a', { ...createLot, owner: 'me' }, '/owner'],
  ['__proto__ field', 'CreateLot', 'farm-a', JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(createLot).slice(1)}`) as unknown, '/__proto__'],
  ['shipment ID with separator', 'Ship', 'farm-a', { ...ship, shipmentId: 'S\u0000X' }, '/shipmentId'],
  ['shipment ID of 65 characters', 'Ship', 'farm-a', { ...ship, shipmentId: 'S'.repeat(65) }, '/shipmentId'],
  ['recipient as object', 'Ship', 'farm-a', { ...ship, to: { id: 'mill' } }, '/to'],
  ['empty lines', 'Ship', 'farm-a', { ...ship, lines: [] }, '/lines'],
  ['lines as object', 'Ship', 'farm-a', { ...ship, lines: { 0: ship.lines[0] } }, '/lines'],
  ['201 lines', 'Ship', 'farm-a', { ...ship, lines: Array.from({ length: 201 }, (_, i) => ({ gtin: WHEAT, lot: `L${i}`, quantity: 1 })) }, '/lines'],
  ['unknown scan kind', 'RecordScans', 'shop', { scans: [{ ...scan.scans[0], kind: 'steal' }] }, '/scans/0/kind'],
  ['1001 scans', 'RecordScans', 'shop', { scans: Array.from({ length: 1001 }, () => scan.scans[0]) }, '/scans'],
  ['no scans', 'RecordScans', 'shop', { scans: [] }, '/scans'],
  ['scan naming nothing', 'RecordScans', 'shop', { scans: [{ kind: 'check', location: { gln: gln(90) } }] }, '/scans/0'],
  ['scan naming an item and an SSCC', 'RecordScans', 'shop', { scans: [{ ...scan.scans[0], sscc: '106141412345678908' }] }, '/scans/0'],
  ['huge reason', 'PlaceHold', 'samr', { gtin: WHEAT, lot: 'W1', reason: 'x'.repeat(1_000_000) }, '/reason'],
  ['reason with a control character', 'PlaceHold', 'samr', { gtin: WHEAT, lot: 'W1', reason: 'bad\u0007bell' }, '/reason'],
  ['reason with a lone surrogate', 'PlaceHold', 'samr', { gtin: WHEAT, lot: 'W1', reason: 'bad\ud800' }, '/reason'],
  ['participant ID with separator', 'RegisterParticipant', 'samr', { id: 'x\u0000y', name: 'n', role: 'retailer', licence: 'l', gln: gln(1), identities: [{ mspId: 'TradeMSP', id: 'x509::/CN=a::/CN=b' }] }, '/id'],
  ['identity that is not an X.509 ID', 'RegisterParticipant', 'samr', { id: 'xy', name: 'n', role: 'retailer', licence: 'l', gln: gln(1), identities: [{ mspId: 'TradeMSP', id: 'admin' }] }, '/identities/0/id'],
  ['unknown role', 'RegisterParticipant', 'samr', { id: 'xy', name: 'n', role: 'king', licence: 'l', gln: gln(1), identities: [{ mspId: 'TradeMSP', id: 'x509::/CN=a::/CN=b' }] }, '/role'],
  ['no identities', 'RegisterParticipant', 'samr', { id: 'xy', name: 'n', role: 'retailer', licence: 'l', gln: gln(1), identities: [] }, '/identities'],
  ['serial with a separator', 'CommissionItems', 'farm-b', { gtin: EGGS, lot: 'E1', serials: ['OK', 'A\u0000'] }, '/serials/1'],
  ['duplicate serials in a list', 'CommissionItems', 'farm-b', { gtin: EGGS, lot: 'E1', serials: ['Z1', 'Z1'] }, '/serials'],
  ['fractional range bound', 'CommissionItems', 'farm-b', { gtin: EGGS, lot: 'E1', ranges: [{ from: 1.5, to: 3 }] }, '/ranges/0/from'],
  ['report hash not hex', 'RecordTest', 'lab', { testId: 'T', gtin: WHEAT, lot: 'W2', method: 'm', sampledAt: '2026-02-21T09:00:00Z', analytes: [{ name: 'a', value: 1, unit: 'u', limit: 2 }], verdict: 'pass', report: { sha256: 'Z'.repeat(64), uri: 'https://x' } }, '/report/sha256'],
  ['recall class IV', 'IssueRecall', 'samr', { recallId: 'R', lots: [{ gtin: WHEAT, lot: 'W1' }], reason: 'r', class: 'IV' }, '/class'],
  ['recall budget of a million', 'IssueRecall', 'samr', { recallId: 'R', lots: [{ gtin: WHEAT, lot: 'W1' }], reason: 'r', class: 'I', budget: 1_000_000 }, '/budget'],
  ['duplicate lots in a recall', 'IssueRecall', 'samr', { recallId: 'R', lots: [{ gtin: WHEAT, lot: 'W1' }, { gtin: WHEAT, lot: 'W1' }], reason: 'r', class: 'I' }, '/lots'],
];

describe('chaincode: hostile input', function () {
  let w: World;
  before(async () => {
    w = await openWorld();
    await seed(w);
  });
  after(async () => w?.close());

  async function refusedWith(fn: string, arg: string, who: string, field?: string): Promise<void> {
    const height = await w.ledger.height();
    const call = READS.has(fn) ? w.evaluate(fn, arg, actor(w, who)) : w.submit(fn, arg, actor(w, who));
    const err = await expectCode(call, 'INVALID_ARGUMENT');
    expect(err.details['field'], err.message).to.be.a('string');
    if (field) expect(err.details['field'], err.message).to.equal(field);
    expect(await w.ledger.height()).to.equal(height);
  }

  it('every transaction refuses non-JSON, non-objects, unknown fields and oversize arguments', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(4 * 1024 * 1024 + 1) });
    for (const fn of NAMES) {
      for (const arg of ['not json', '{"a":', '[]', 'null', '42', '"text"', '{"zzz":1}', big]) await refusedWith(fn, arg, 'samr');
    }
  });

  it('refuses deeply nested input without exhausting the stack', async () => {
    const deep = (n: number) => `{"scans":${'['.repeat(n)}${']'.repeat(n)}}`;
    await refusedWith('RecordScans', deep(100), 'shop', '/scans/0');
    await refusedWith('RecordScans', deep(200_000), 'shop');
    await refusedWith('CreateLot', `{"gtin":"${WHEAT}","origin":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`, 'farm-a');
  });

  for (const [what, fn, who, input, field] of MUTATIONS) {
    it(`${fn}: ${what} → INVALID_ARGUMENT at ${field}`, async () => {
      await refusedWith(fn, JSON.stringify(input), who, field);
    });
  }

  it('a call with no argument or two is refused by fabric-contract-api before the contract runs', async () => {
    const height = await w.ledger.height();
    const id = actor(w, 'farm-a').identity;
    await expectCode(w.ledger.submit('CreateLot', [], id), 'ENDORSEMENT_FAILED');
    await expectCode(w.ledger.submit('CreateLot', [JSON.stringify(createLot), '{}'], id), 'ENDORSEMENT_FAILED');
    expect(await w.ledger.height()).to.equal(height);
  });

  it('accepts unicode where text is free: names, regions, reasons', async () => {
    const shop = actor(w, 'shop');
    const input = { ...participantInput({ ...shop, id: 'shop-uni' }), gln: gln(91), name: '杭州 菜市场 🥬 Ünïcödé', identities: [{ mspId: 'TradeMSP', id: 'x509::/CN=shop-uni/O=杭州::/CN=ca' }] };
    const answer = await w.submit<{ body: { participant: { name: string } } }>('RegisterParticipant', input, actor(w, 'samr'));
    expect(answer.body.participant.name).to.equal('杭州 菜市场 🥬 Ünïcödé');
    await w.submit('PlaceHold', { gtin: WHEAT, lot: 'W2', reason: '抽检 不合格 — 待复检' }, actor(w, 'samr'));
    await w.submit('CreateLot', { ...createLot, origin: { gln: gln(90), region: '浙江省 杭州市', name: 'Ферма №7' } }, actor(w, 'farm-a'));
  });

  it('parseInput names the field for a caller that validates before submitting (the gateway)', () => {
    try {
      parseInput('Ship', JSON.stringify({ ...ship, lines: [{ gtin: WHEAT, lot: 'W1', quantity: 'many' }] }));
      expect.fail('accepted');
    } catch (err) {
      expect(err).to.be.instanceOf(ZfcError);
      expect((err as ZfcError).details['field']).to.equal('/lines/0/quantity');
    }
  });

  it('composite-key parts refuse separators and control characters whatever validation ran before', () => {
    for (const bad of ['a\u0000b', 'a\u001fb', '\u007f', 'a\u2028', '\ufeffa', 'x\udc00', '', 'x'.repeat(257)]) {
      expect(() => checkKeyPart(bad), JSON.stringify(bad)).to.throw(ZfcError, 'INVALID_ARGUMENT');
    }
    expect(checkKeyPart('批次-1/α')).to.equal('批次-1/α');
  });

  it('refuses a lot of a product with a valid GTIN that is not registered', async () => {
    await expectCode(w.submit('CreateLot', { ...createLot, gtin: gtin(4242) }, actor(w, 'farm-a')), 'PRODUCT_NOT_FOUND');
  });
});
