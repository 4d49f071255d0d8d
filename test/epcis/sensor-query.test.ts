/**
 * The query language's sensor, quantity, persistent disposition and error declaration time
 * parameters (EPCIS 2.0 §8.2.7.1), on a cold chain: a reefer's temperature readings, a humidity
 * logger, a lab's microbiology result. Parsed into plans (with `|` lists, as the REST binding
 * writes them), matched by the one matcher, and answered the same by the contract's QueryEvents
 * and by the gateway over HTTP. All sensor conditions of a query hold for one sensor report:
 * "a temperature above 8 °C" is never a temperature reading and some other reading above 8.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { EpcisContract } from '../../chaincode/epcis-contract';
import { ZfcError } from '../../chaincode/errors';
import { eventIdentifiers } from '../../chaincode/epcis-identifiers';
import type { EventPage, StoredEpcisEvent } from '../../chaincode/epcis-ledger';
import { matchesPlan, type EpcisQueryPlan } from '../../chaincode/epcis-match';
import { extensionPrefixes, parseEpcisQuery } from '../../gateway-api/epcis-query';
import { createCertificateAuthority, openEmbeddedLedger, type EmbeddedLedger, type Identity } from '../../ledger-tools';
import { call, removeDir, startTestGateway, type TestGateway } from '../gateway/support';
import { documentOf, example, objectEvent } from './fixtures';
import { SeedContract } from './seed-contract';

type Json = Record<string, unknown>;
const id = (n: number): string => `urn:uuid:5e115e11-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`;
const reading = (type: string, uom: string, values: Json = {}): Json => ({ type, uom, ...values });

/** The cold chain: each event names its own item, and carries the sensor data or quantities given. */
const EVENTS: Json[] = [
  // 1: a reefer's temperature, too warm for a while (max 9.5 °C)
  objectEvent(1, { eventID: id(1), sensorElementList: [{ sensorMetadata: { time: '2026-03-01T10:00:00+08:00', deviceID: 'urn:epc:id:giai:4000001.111', bizRules: 'https://example.org/rules/chilled' }, sensorReport: [reading('Temperature', 'CEL', { minValue: 3.1, maxValue: 9.5, meanValue: 5.2 })] }] }),
  // 2: within limits (max 6 °C), the same device named by Digital Link in the report itself
  objectEvent(2, { eventID: id(2), sensorElementList: [{ sensorMetadata: { time: '2026-03-01T11:00:00Z' }, sensorReport: [reading('gs1:Temperature', 'CEL', { maxValue: 6, deviceID: 'https://id.gs1.org/8004/4000001111' })] }] }),
  // 3: a humidity logger at 9.5 (percent), and a temperature of 6 °C in the same element: no one report is both
  objectEvent(3, { eventID: id(3), sensorElementList: [{ sensorReport: [reading('RelativeHumidity', 'P1', { maxValue: 95 }), reading('Temperature', 'CEL', { maxValue: 6 })] }] }),
  // 4: a lab result: Listeria found, a string and a boolean value, a hex value
  objectEvent(4, { eventID: id(4), sensorElementList: [{ sensorMetadata: { startTime: '2026-03-01T00:00:00Z', endTime: '2026-03-02T00:00:00Z' }, sensorReport: [{ type: 'gs1:Count', microorganism: 'https://www.ncbi.nlm.nih.gov/taxonomy/1639', value: 120, uom: 'H79', stringValue: 'positive', booleanValue: true, hexBinaryValue: 'F0F0F0', percRank: 90 }] }] }),
  // 5, 6: quantities: 200 kg of one lot and 12 cases counted without a unit; 40 kg
  objectEvent(5, { eventID: id(5), epcList: [], quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 200, uom: 'KGM' }, { epcClass: 'urn:epc:class:lgtin:4012345.012345.998878', quantity: 12 }] }),
  objectEvent(6, { eventID: id(6), epcList: [], quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: 40, uom: 'KGM' }] }),
  // 7: the producer's own fields (the documents' @context declares ex:)
  objectEvent(7, { eventID: id(7), 'ex:harvest': { 'ex:field': 'north-7', 'ex:moisture': 12.5 }, 'ex:grade': 'A' }),
];

/** The expected answers, by hand from the events above. */
const CASES: Array<[string, Record<string, string>, number[]]> = [
  ['any sensor data', { EXISTS_sensorElementList: '' }, [1, 2, 3, 4]],
  ['a temperature above 8 °C', { EQ_type: 'Temperature', GT_maxValue_CEL: '8' }, [1]],
  ['above 8 °C, whatever was measured', { GT_maxValue_CEL: '8' }, [1]],
  ['a humidity reading above 8 °C (one report must be both: none)', { EQ_type: 'gs1:RelativeHumidity', GT_maxValue_CEL: '8' }, []],
  ['a temperature (any form of the type)', { EQ_type: 'https://gs1.org/voc/Temperature' }, [1, 2, 3]],
  ['a reading between 5 and 6 °C, bounds on one field', { GE_maxValue_CEL: '5', LE_maxValue_CEL: '6' }, [2, 3]],
  ['a mean of exactly 5.2 or 7 °C', { EQ_meanValue_CEL: '5.2|7' }, [1]],
  ['a device, named by EPC URN, in the metadata or the report', { EQ_deviceID: 'urn:epc:id:giai:4000001.111' }, [1, 2]],
  ['read at 11:00 UTC or later', { GE_time: '2026-03-01T03:00:00Z' }, [2]],
  ['read before 03:00 UTC (10:00 at +08:00 is 02:00 UTC)', { LT_time: '2026-03-01T03:00:00Z' }, [1]],
  ['a business rule', { EQ_bizRules: 'https://example.org/rules/chilled' }, [1]],
  ['a Listeria count', { EQ_microorganism: 'https://www.ncbi.nlm.nih.gov/taxonomy/1639', GT_value_H79: '100' }, [4]],
  ['a string, a boolean, hex in any case', { EQ_stringValue: 'positive', EQ_booleanValue: 'true', EQ_hexBinaryValue: 'f0f0f0' }, [4]],
  ['a percentile rank of 90 or more', { GE_percRank: '90' }, [4]],
  ['a measurement window inside March 1', { GE_startTime: '2026-03-01T00:00:00Z', LT_endTime: '2026-03-02T00:00:01Z' }, [4]],
  ['100 kg or more of a lot', { GE_quantity_KGM: '100' }, [5]],
  ['between 30 and 50 kg', { GT_quantity_KGM: '30', LT_quantity_KGM: '50' }, [6]],
  ['12 counted without a unit', { EQ_quantity: '12' }, [5]],
  ['12 kg (none: the 12 has no unit)', { EQ_quantity_KGM: '12' }, []],
  ['an extension field', { 'EQ_ex:grade': 'A|B' }, [7]],
  ['a number inside one', { 'GT_INNER_ex:moisture': '12' }, [7]],
  ['present or not', { 'EXISTS_ex:harvest': '' }, [7]],
];

function stored(event: Json, n: number): StoredEpcisEvent {
  return { eventID: String(event['eventID']), generatedID: false, recordTime: `2026-06-01T00:00:0${n}.000Z`, eventTime: new Date(Date.parse(String(event['eventTime']))).toISOString(), capturedBy: 'P-1', txId: 'tx', ids: eventIdentifiers(event), event };
}

function refusedAt(query: Record<string, string>): string {
  try {
    parseEpcisQuery(query);
  } catch (err) {
    expect(err).to.be.instanceOf(ZfcError);
    return ((err as ZfcError).details['errors'] as Array<{ path: string }>)[0]?.path ?? '';
  }
  return 'accepted';
}

const numbersOf = (eventIDs: readonly string[]): number[] => eventIDs.map((e) => EVENTS.findIndex((x) => x['eventID'] === e) + 1).sort((a, b) => a - b);

describe('EPCIS queries of sensor data, quantities, persistent dispositions and declaration times', function () {
  this.timeout(120_000);

  it('parses them into plans: one test per unit, and per sensor field and unit, with | lists', () => {
    const { plan } = parseEpcisQuery({ GT_maxValue_CEL: '8', LE_maxValue_CEL: '12.5', EQ_value_KGM: '1|2', GE_quantity_KGM: '1e2', EQ_quantity: '3', EQ_type: 'Temperature|gs1:RelativeHumidity', GE_percRank: '-1.5', EQ_bizStep: 'shipping|receiving' });
    expect(plan.sensor?.values).to.deep.equal([
      { field: 'maxValue', uom: 'CEL', test: { gt: 8, le: 12.5 } },
      { field: 'value', uom: 'KGM', test: { eq: [1, 2] } },
    ]);
    expect(plan.sensor?.types).to.deep.equal(['https://gs1.org/voc/Temperature', 'https://gs1.org/voc/RelativeHumidity']);
    expect(plan.sensor?.percRank).to.deep.equal({ ge: -1.5 });
    expect(plan.quantities).to.deep.equal([{ uom: 'KGM', test: { ge: 100 } }, { test: { eq: [3] } }]);
    expect(plan.bizSteps).to.deep.equal(['shipping', 'receiving']);
  });

  it('refuses what they cannot mean, naming the parameter', () => {
    expect(refusedAt({ GT_maxValue_CEL: 'warm' })).to.equal('/query/GT_maxValue_CEL');
    expect(refusedAt({ GT_maxValue_CEL: '8|9' })).to.equal('/query/GT_maxValue_CEL');
    expect(refusedAt({ GT_maxValue_CEL: 'Infinity' })).to.equal('/query/GT_maxValue_CEL');
    expect(refusedAt({ GT_maxValue_CEL: '1e999' })).to.equal('/query/GT_maxValue_CEL');
    expect(refusedAt({ GT_maxValue_cel: '8' })).to.equal('/query/GT_maxValue_cel'); // units are upper case codes
    expect(refusedAt({ GT_maxValue_CELSIUS: '8' })).to.equal('/query/GT_maxValue_CELSIUS');
    expect(refusedAt({ GT_maxValue: '8' })).to.equal('/query/GT_maxValue');
    expect(refusedAt({ EQ_percRank: '8' })).to.equal('/query/EQ_percRank'); // not in the standard
    expect(refusedAt({ GT_quantity: ['1', '2'] as unknown as string })).to.equal('/query/GT_quantity');
    expect(refusedAt({ EQ_booleanValue: 'yes' })).to.equal('/query/EQ_booleanValue');
    expect(refusedAt({ EQ_hexBinaryValue: 'f0f' })).to.equal('/query/EQ_hexBinaryValue');
    expect(refusedAt({ EQ_type: 'not a type' })).to.equal('/query/EQ_type');
    expect(refusedAt({ EQ_microorganism: 'listeria' })).to.equal('/query/EQ_microorganism');
    expect(refusedAt({ GE_time: 'yesterday' })).to.equal('/query/GE_time');
    expect(refusedAt({ EXISTS_sensorElementList: 'false' })).to.equal('/query/EXISTS_sensorElementList');
    expect(refusedAt({ GE_errorDeclaration_Time: '2026-03-01' })).to.equal('/query/GE_errorDeclaration_Time');
  });

  it('matches one sensor report, one quantity element, as the cases say', () => {
    const events = EVENTS.map(stored);
    for (const [what, query, expected] of CASES) {
      const { plan } = parseEpcisQuery(query);
      expect(numbersOf(events.filter((e) => matchesPlan(e, plan)).map((e) => e.eventID)), what).to.deep.equal(expected);
    }
  });

  it('matches persistent dispositions and the time an error was declared (GS1\'s all-fields example)', () => {
    const event = (example('object_event_all_possible_fields.jsonld')['epcisBody'] as { eventList: Json[] }).eventList[0] as Json;
    const e = stored(event, 0);
    const hit = (query: Record<string, string>): boolean => matchesPlan(e, parseEpcisQuery(query).plan);
    expect(hit({ EQ_persistentDisposition_set: 'completeness_verified' })).to.equal(true);
    expect(hit({ EQ_persistentDisposition_set: 'https://ref.gs1.org/cbv/Disp-completeness_verified' })).to.equal(true);
    expect(hit({ EQ_persistentDisposition_set: 'completeness_inferred' })).to.equal(false);
    expect(hit({ EQ_persistentDisposition_unset: 'completeness_inferred' })).to.equal(true);
    // declared at 14:00 +01:00, i.e. 13:00 UTC
    expect(hit({ GE_errorDeclaration_Time: '2006-11-07T13:00:00Z' })).to.equal(true);
    expect(hit({ GE_errorDeclaration_Time: '2006-11-07T13:00:00.001Z' })).to.equal(false);
    expect(hit({ LT_errorDeclaration_Time: '2006-11-07T13:00:00.001Z' })).to.equal(true);
    // the REST binding's OpenAPI spells them without the underscore: the same conditions
    expect(hit({ GE_errorDeclarationTime: '2006-11-07T13:00:00Z' })).to.equal(true);
    expect(hit({ GE_errorDeclarationTime: '2006-11-07T13:00:00.001Z' })).to.equal(false);
    expect(hit({ LT_errorDeclarationTime: '2006-11-07T13:00:00Z' })).to.equal(false);
    expect(hit({ LT_errorDeclarationTime: '2006-11-07T13:00:00.001Z' })).to.equal(true);
    expect(hit({ EQ_quantity_KGM: '200', EXISTS_sensorElementList: '', EQ_type: 'Temperature', GE_maxValue_CEL: '26.2', EQ_deviceID: 'urn:epc:id:giai:4000001.111' })).to.equal(true);
    expect(matchesPlan(stored(objectEvent(99), 0), parseEpcisQuery({ GE_errorDeclaration_Time: '2000-01-01T00:00:00Z' }).plan)).to.equal(false);
  });

  describe('answered alike by the contract and by the gateway', () => {
    let dir: string;
    let ledger: EmbeddedLedger;
    let alice: Identity;
    let t: TestGateway;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'zfc-sensor-'));
      ledger = await openEmbeddedLedger({ dir, contracts: [EpcisContract, SeedContract] });
      alice = await (await createCertificateAuthority('Org1MSP')).issue({ commonName: 'alice', organizationalUnit: 'client' });
      await ledger.submit('seed:Participant', [JSON.stringify({ id: 'P-ALICE', name: 'Alice Foods', role: 'distributor', status: 'active', identities: [] })], alice);
      await ledger.submit('epcis:CaptureEvents', [JSON.stringify(documentOf(EVENTS))], alice);
      t = await startTestGateway();
      const r = await call(t.gw.url, 'POST', '/epcis/capture', { key: t.regulatorKey, body: documentOf(EVENTS) });
      expect(r.status, r.text).to.equal(202);
      for (let i = 0; i < 400 && (await call(t.gw.url, 'GET', String(r.headers.get('location')), { key: t.regulatorKey })).body.running; i++) await new Promise((res) => setTimeout(res, 25));
    });

    after(async () => {
      await ledger?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
      await t?.gw.close();
      if (t) await removeDir(t.dir);
    });

    it('every case, through QueryEvents and through GET /epcis/events', async () => {
      for (const [what, query, expected] of CASES) {
        const plan: EpcisQueryPlan = parseEpcisQuery(query).plan;
        const page = JSON.parse(Buffer.from(await ledger.evaluate('epcis:QueryEvents', [JSON.stringify(plan), ''], alice)).toString('utf8')) as EventPage;
        expect(numbersOf(page.events.map((e) => e.eventID)), `contract: ${what}`).to.deep.equal(expected);
        const answer = await call(t.gw.url, 'GET', `/epcis/events?${new URLSearchParams(query).toString()}`, { key: t.regulatorKey });
        expect(answer.status, answer.text).to.equal(200);
        const ids = (answer.body.epcisBody.queryResults.resultsBody.eventList as Array<{ eventID: string }>).map((e) => e.eventID);
        expect(numbersOf(ids), `gateway: ${what}`).to.deep.equal(expected);
      }
    });
  });
});

describe('EPCIS queries of extension fields (GS1\'s all-fields example)', function () {
  const doc = example('object_event_all_possible_fields.jsonld');
  const event = (doc['epcisBody'] as { eventList: Json[] }).eventList[0] as Json;
  const e = { ...stored(event, 0), context: doc['@context'] };
  const hit = (query: Record<string, string>, header?: string): boolean => matchesPlan(e, parseEpcisQuery(query, {}, extensionPrefixes(header)).plan);

  it('finds top-level, inner, ilmd, sensor element, metadata and report fields, comparing numbers and times by value', () => {
    // ext1 fields at the top of the event's ilmd: the number 20 written as text, a time, a boolean
    expect(hit({ 'EQ_ILMD_ext1:float': '20' })).to.equal(true);
    expect(hit({ 'EQ_ILMD_ext1:float': '20.0' })).to.equal(true); // by value
    expect(hit({ 'GT_ILMD_ext1:float': '19.5', 'LE_ILMD_ext1:float': '20' })).to.equal(true);
    expect(hit({ 'GT_ILMD_ext1:float': '20' })).to.equal(false);
    expect(hit({ 'GE_ILMD_ext1:time': '2013-06-08T22:58:56.591+08:00' })).to.equal(true); // the same instant
    expect(hit({ 'LT_ILMD_ext1:time': '2013-06-08T14:58:56Z' })).to.equal(false);
    expect(hit({ 'EQ_ILMD_ext1:boolean': 'true' })).to.equal(true);
    expect(hit({ 'EXISTS_ILMD_ext1:object': '' })).to.equal(true);
    expect(hit({ 'EXISTS_ILMD_ext3:string': '' })).to.equal(false); // not at the top of the ilmd …
    expect(hit({ 'EXISTS_INNER_ILMD_ext3:string': '' })).to.equal(true); // … but inside its extension fields
    expect(hit({ 'EQ_INNER_ILMD_ext2:array': '23.0' })).to.equal(true); // an element of a nested list
    expect(hit({ 'EQ_INNER_ILMD_ext3:string': 'stringInObjectInObject|nothing' })).to.equal(true);
    // the same fields on the sensor element, its metadata, its report
    expect(hit({ 'EQ_SENSORELEMENT_ext1:int': '10' })).to.equal(true);
    expect(hit({ 'EQ_SENSORMETADATA_ext1:someFurtherMetadata': 'someText' })).to.equal(true);
    expect(hit({ 'EQ_SENSORREPORT_ext1:someFurtherReportData': 'someText' })).to.equal(true);
    expect(hit({ 'EQ_SENSORREPORT_ext1:someFurtherMetadata': 'someText' })).to.equal(false); // that one is the metadata's
    // the event's own: ext1:int at its top, ext2:int only deep inside ext1:array
    expect(hit({ 'EQ_ext1:int': '10' })).to.equal(true);
    expect(hit({ 'EXISTS_INNER_ext1:int': '' })).to.equal(false);
    expect(hit({ 'EXISTS_ext2:int': '' })).to.equal(false);
    expect(hit({ 'EQ_INNER_ext2:int': '13' })).to.equal(true);
  });

  it('reads the query\'s prefixes from GS1-Extensions, and otherwise as each event\'s own document declared them', () => {
    expect(hit({ 'EQ_ILMD_x:int': '10' }, 'x=http://example.com/ext1/')).to.equal(true); // another prefix, the same namespace
    expect(hit({ 'EQ_ILMD_ext1:int': '10' }, 'ext1=http://example.org/other/')).to.equal(false); // the same prefix, another namespace
    expect(hit({ 'EQ_ILMD_x:int': '10' })).to.equal(false); // an undeclared prefix the event does not use
    expect(parseEpcisQuery({ 'EQ_ILMD_x:int': '10' }, {}, extensionPrefixes('x=http://example.com/ext1/, bad, y=not a uri')).plan.fields).to.deep.equal([
      { scope: 'ilmd', inner: false, name: 'x:int', iri: 'http://example.com/ext1/int', op: 'EQ', values: ['10'] },
    ]);
  });

  it('refuses what the families do not allow', () => {
    expect(refusedAt({ 'GT_ILMD_ext1:float': '1|2' })).to.equal('/query/GT_ILMD_ext1:float');
    expect(refusedAt({ 'EXISTS_ILMD_ext1:float': 'false' })).to.equal('/query/EXISTS_ILMD_ext1:float');
    expect(refusedAt({ 'GT_readPoint_ext1:zone': '1' })).to.equal('/query/GT_readPoint_ext1:zone'); // only EQ there
    expect(refusedAt({ 'EQ_ILMD_Ext1:float': '1' })).to.equal('/query/EQ_ILMD_Ext1:float'); // prefixes start lower case
  });
});
