/**
 * The fast paths of document validation give the answers of the checks they stand in front of:
 * the `date-time` and `uri` formats against ajv-formats' full checks on generated text (valid
 * and hostile), and the limits walk — which now first asks whether any limit is broken at all —
 * finds a violation planted anywhere in a generated document, and none in a clean one.
 */
import { expect } from 'chai';
import { FULL_FORMATS, isDateTime, isUri } from '../../chaincode/epcis-formats';
import { checkLimits, EPCIS_LIMITS } from '../../chaincode/epcis-validate';
import { pick, seededRandom as random } from '../seeded-random';

const two = (rnd: () => number, max: number): string => String(Math.floor(rnd() * (max + 1))).padStart(2, '0');

function dateTime(rnd: () => number): string {
  const date = `${pick(rnd, ['2026', '2024', '1900', '2000', '0000', '9999', '202'])}-${two(rnd, 13)}-${two(rnd, 32)}`;
  const time = `${two(rnd, 25)}:${two(rnd, 61)}:${two(rnd, 61)}${pick(rnd, ['', '.1', '.123', '.123456789', '.'])}`;
  const zone = pick(rnd, ['Z', 'z', '+08:00', '-06:00', '+23:59', '+24:00', '-00:60', '+0800', '+08', '']);
  return `${date}${pick(rnd, ['T', 'T', 'T', 't', ' ', 'TT'])}${time}${zone}${pick(rnd, ['', '', '', ' ', '\n', 'x'])}`;
}

const URI_PIECES = ['urn:', 'urn:epc:id:sgtin:', 'urn:epcglobal:cbv:bt:', 'https://', 'http://', 'HTTPS://', 'ftp://', 'id.gs1.org', 'example.com:8443', '/01/', '/21/',
  '0614141.107346.2017', 'a', '%2F', '%zz', '%', ' ', '\u4e2d', '[::1]', '@', '?q=1', '#f', '//', ':', '~', '|', '\\', '"', '', 'x-y_z'];

function uri(rnd: () => number): string {
  let s = '';
  for (let i = 1 + Math.floor(rnd() * 6); i > 0; i--) s += pick(rnd, URI_PIECES);
  return s;
}

describe('EPCIS validation fast paths', () => {
  it('date-time answers as ajv-formats on 20,000 generated date-times', () => {
    const rnd = random(3339);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = dateTime(rnd);
      const full = FULL_FORMATS['date-time'](text);
      expect(isDateTime(text), JSON.stringify(text)).to.equal(full);
      if (full) accepted++;
    }
    expect(accepted).to.be.greaterThan(1_000);
    for (const text of ['2026-03-01T00:00:01.000Z', '2024-02-29T23:59:59+14:00', '2026-02-30T00:00:00Z', '2016-12-31T23:59:60Z']) {
      expect(isDateTime(text), text).to.equal(FULL_FORMATS['date-time'](text));
    }
  });

  it('uri answers as ajv-formats on 20,000 generated URIs', () => {
    const rnd = random(3986);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = uri(rnd);
      const full = FULL_FORMATS.uri(text);
      expect(isUri(text), JSON.stringify(text)).to.equal(full);
      if (full) accepted++;
    }
    expect(accepted).to.be.greaterThan(2_000);
  });

  it('finds a broken limit planted anywhere in a generated document, and none in a clean one', () => {
    const rnd = random(32);
    const violations = [
      (): unknown => 'x'.repeat(EPCIS_LIMITS.maxStringLength + 1),
      (): unknown => ({ ['k'.repeat(EPCIS_LIMITS.maxKeyLength + 1)]: 1 }),
      (): unknown => {
        let deep: unknown = 'leaf';
        for (let d = 0; d < EPCIS_LIMITS.maxDepth; d++) deep = rnd() < 0.5 ? [deep] : { 'ex:n': deep };
        return deep;
      },
    ];
    for (let i = 0; i < 300; i++) {
      const events = Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, n) => ({ type: 'ObjectEvent', epcList: [`urn:epc:id:sgtin:0614141.107346.${n}`], 'ex:x': { 'ex:y': [1, 'two', null, true] } }));
      const doc = { type: 'EPCISDocument', epcisBody: { eventList: events } };
      expect(checkLimits(doc)).to.equal(undefined);
      const target = pick(rnd, events) as Record<string, unknown>;
      target[pick(rnd, ['ex:bad', 'epcList'])] = pick(rnd, violations)();
      const found = checkLimits(doc);
      expect(found, JSON.stringify(doc).slice(0, 200)).to.not.equal(undefined);
      expect(found?.path).to.match(/^\/epcisBody\/eventList\/\d+\//);
    }
  });

  it('counts values up to the limit exactly', () => {
    const atLimit = new Array<number>(EPCIS_LIMITS.maxNodes - 1).fill(0); // the array itself is one value
    expect(checkLimits(atLimit)).to.equal(undefined);
    atLimit.push(0);
    expect(checkLimits(atLimit)?.message).to.match(/more than/);
  });
});
