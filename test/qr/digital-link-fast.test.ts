/**
 * The fast paths of `normalizeEpc` (canonicalEpcFast) against the full parsers
 * (normalizeEpcByParser) on generated identifiers of the forms they cover, valid and hostile:
 * wherever the fast path answers, the full parser accepts the input and gives the same URI;
 * wherever the full parser refuses, the fast path defers; and `normalizeEpc` as a whole answers
 * and refuses exactly as the full parser does (same result, or same error code, message and
 * details).
 */
import { expect } from 'chai';
import { canonicalEpcFast, itemUri, normalizeEpc, normalizeEpcByParser, parseIdentifier, parseIdentifierByParser } from '../../chaincode/digital-link';
import { ZfcError } from '../../chaincode/errors';
import { seededRandom as random } from '../seeded-random';

type Outcome = { ok: string } | { code: string; message: string; details: unknown };

function outcome(fn: () => string): Outcome {
  try {
    return { ok: fn() };
  } catch (err) {
    if (!(err instanceof ZfcError)) throw err;
    return { code: err.code, message: err.message, details: err.details };
  }
}

/** A GTIN-like key body with its check digit, sometimes spoiled. */
function keyWithCheck(rnd: () => number, body: string, spoil: boolean): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (Number(body[body.length - 1 - i]) || 0) * (i % 2 === 0 ? 3 : 1);
  const check = (10 - (sum % 10)) % 10;
  return body + String(spoil && rnd() < 0.3 ? (check + 1 + Math.floor(rnd() * 9)) % 10 : check);
}

const PLAIN = 'ABCXYZabcxyz0123456789-._';
const HOSTILE = ['%2F', '%25', '%', '%zz', '%41', '|', '\u0000', '\u4e2d', '\ud83d\ude00', ' ', '~', '/', '?', '#', '&', ':', '*', '!', '\n', '\u2028', '\u001d', 'é'];

/** Characters next to the digits in code order, and digits of other scripts, to put where a digit belongs. */
const NOT_DIGITS = ['/', ':', 'a', '\u0663', ' ', '+', '-', '.'];

/** `n` digits, now and then with one replaced by something that is not an ASCII digit. */
function digits(rnd: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rnd() * 10));
  if (n === 0 || rnd() >= 0.04) return s;
  const at = Math.floor(rnd() * n);
  return s.slice(0, at) + (NOT_DIGITS[Math.floor(rnd() * NOT_DIGITS.length)] as string) + s.slice(at + 1);
}

/** A lot, serial or extension: usually plain, sometimes with hostile characters, sometimes too long or empty. */
function value(rnd: () => number): string {
  const r = rnd();
  const len = r < 0.05 ? 0 : r < 0.15 ? 21 + Math.floor(rnd() * 10) : 1 + Math.floor(rnd() * 20);
  let s = '';
  for (let i = 0; i < len; i++) s += rnd() < 0.08 ? (HOSTILE[Math.floor(rnd() * HOSTILE.length)] as string) : (PLAIN[Math.floor(rnd() * PLAIN.length)] as string);
  return rnd() < 0.03 ? '0' : s;
}

/** `CP.Reference` where the two together should be `total` digits (sometimes are not). */
function cpRef(rnd: () => number, total: number): [string, string] {
  const cpLength = rnd() < 0.1 ? 4 + Math.floor(rnd() * 11) : 6 + Math.floor(rnd() * 7);
  const refLength = Math.max(0, total - cpLength + (rnd() < 0.1 ? Math.floor(rnd() * 3) - 1 : 0));
  const cp = digits(rnd, cpLength);
  const ref = digits(rnd, refLength);
  return rnd() < 0.03 ? [cp, `${ref}x`] : [cp, ref];
}

const URN_SCHEMES = ['urn:epc:id:sgtin:', 'urn:epc:class:lgtin:', 'urn:epc:id:sscc:', 'urn:epc:id:sgln:', 'urn:epc:id:pgln:', 'URN:EPC:ID:SGTIN:', 'urn:epc:id:SGLN:', 'urn:epc:idpat:sgtin:', 'urn:epc:id:giai:'];

function urn(rnd: () => number): string {
  const scheme = URN_SCHEMES[Math.floor(rnd() * URN_SCHEMES.length)] as string;
  const total = /sgtin|lgtin/i.test(scheme) ? 13 : /sscc/.test(scheme) ? 17 : 12;
  const [cp, ref] = cpRef(rnd, total);
  const pair = /sscc|pgln/.test(scheme) && rnd() < 0.8;
  return pair ? `${scheme}${cp}.${ref}` : `${scheme}${cp}.${ref}.${value(rnd)}`;
}

const HOSTS = ['https://id.gs1.org', 'http://id.gs1.org', 'https://example.com:8443', 'HTTPS://id.gs1.org', 'https://shop.example.cn/p', 'https://a_b.example', 'https://', 'https://user@x.org'];

function link(rnd: () => number): string {
  const host = HOSTS[Math.floor(rnd() * HOSTS.length)] as string;
  const r = rnd();
  let path: string;
  if (r < 0.55) {
    const len = [8, 12, 13, 14, 14, 14, 11, 15][Math.floor(rnd() * 8)] as number;
    path = `/01/${keyWithCheck(rnd, digits(rnd, len - 1), true)}`;
    const q = rnd();
    if (q < 0.35) path += `/21/${value(rnd)}`;
    else if (q < 0.6) path += `/10/${value(rnd)}`;
    else if (q < 0.75) path += `/10/${value(rnd)}/21/${value(rnd)}`;
    else if (q < 0.8) path += `/21/${value(rnd)}/10/${value(rnd)}`;
    else if (q < 0.85) path += `/22/${value(rnd)}`;
  } else if (r < 0.7) {
    path = `/00/${keyWithCheck(rnd, digits(rnd, rnd() < 0.9 ? 17 : 16), true)}`;
  } else if (r < 0.9) {
    path = `/414/${keyWithCheck(rnd, digits(rnd, 12), true)}${rnd() < 0.5 ? `/254/${value(rnd)}` : ''}`;
  } else {
    path = `/417/${keyWithCheck(rnd, digits(rnd, 12), true)}`;
  }
  const tail = rnd();
  const suffix = tail < 0.04 ? '/' : tail < 0.08 ? '?17=261231' : tail < 0.1 ? '#x' : tail < 0.12 ? ' ' : '';
  const doubled = rnd() < 0.03 ? path.replace('/', '//') : path;
  return (rnd() < 0.02 ? ' ' : '') + host + doubled + suffix;
}

/** One generated input, now and then cut short or with a character dropped or inserted. */
function generated(rnd: () => number): string {
  const text = rnd() < 0.4 ? urn(rnd) : link(rnd);
  const m = rnd();
  const at = Math.floor(rnd() * text.length);
  if (m < 0.05) return text.slice(0, at);
  if (m < 0.1) return text.slice(0, at) + text.slice(at + 1);
  if (m < 0.15) return text.slice(0, at) + (HOSTILE[Math.floor(rnd() * HOSTILE.length)] as string) + text.slice(at);
  return text;
}

describe('digital-link: fast paths agree with the full parsers', () => {
  it('on 30,000 generated identifiers: the fast path answers only as the parser does, and normalizeEpc is unchanged', () => {
    const rnd = random(20261128);
    let fastAnswers = 0;
    let refusals = 0;
    for (let i = 0; i < 30_000; i++) {
      const text = generated(rnd);
      const full = outcome(() => normalizeEpcByParser(text));
      const fast = canonicalEpcFast(text);
      if (fast !== undefined) {
        fastAnswers++;
        expect(full, JSON.stringify(text)).to.deep.equal({ ok: fast });
      }
      if (!('ok' in full)) refusals++;
      expect(outcome(() => normalizeEpc(text)), JSON.stringify(text)).to.deep.equal(full);
    }
    // both sides of the fence were exercised
    expect(fastAnswers).to.be.greaterThan(3_000);
    expect(refusals).to.be.greaterThan(3_000);
  });

  it('on 30,000 generated identifiers: parseIdentifier gives the full parser\'s object, field for field and in its order', () => {
    const rnd = random(77);
    let parsed = 0;
    for (let i = 0; i < 30_000; i++) {
      const text = generated(rnd);
      const full = outcome(() => JSON.stringify(parseIdentifierByParser(text)));
      expect(outcome(() => JSON.stringify(parseIdentifier(text))), JSON.stringify(text)).to.deep.equal(full);
      if ('ok' in full) parsed++;
    }
    expect(parsed).to.be.greaterThan(3_000);
  });

  it('answers for the common forms, so the capture takes the fast way', () => {
    const common = [
      'urn:epc:id:sgtin:0614141.107346.2017',
      'urn:epc:id:sgtin:0614141.812345.6.7-8_9',
      'urn:epc:class:lgtin:4012345.012345.998877',
      'urn:epc:id:sscc:0614141.1234567890',
      'urn:epc:id:sgln:0614141.07346.1234',
      'urn:epc:id:sgln:0614141.07346.0',
      'urn:epc:id:pgln:0614141.12345',
      'https://id.gs1.org/01/10614141073464/21/2017',
      'https://id.gs1.org/01/09506000134352/10/LOT-1',
      'https://example.com/01/09506000134352/10/L1/21/7',
      'https://id.gs1.org/01/9506000134352',
      'https://id.gs1.org/00/106141412345678908',
      'https://id.gs1.org/414/0614141073467/254/1234',
      'https://id.gs1.org/417/4012345002256',
    ];
    for (const text of common) {
      expect(canonicalEpcFast(text), text).to.be.a('string');
      expect(canonicalEpcFast(text)).to.equal(normalizeEpcByParser(text));
    }
    expect(canonicalEpcFast('urn:epc:id:sgtin:0614141.107346.2017')).to.equal(itemUri('10614141073464', '2017'));
  });

  it('defers what needs the full parser: encodings, other cases, prefixes, queries, whitespace', () => {
    const deferred = [
      'urn:epc:id:sgtin:0614141.107346.20%2F17', 'URN:EPC:ID:SGTIN:0614141.107346.2017', ' urn:epc:id:sgtin:0614141.107346.2017',
      'urn:epc:id:sgtin:0614141.107346.2017 ', 'https://id.gs1.org/01/10614141073464/21/2017?17=261231', 'https://x.org/p/01/10614141073464/21/2017',
      'https://id.gs1.org/gtin/10614141073464', 'https://id.gs1.org/01/10614141073464/21/', 'https://id.gs1.org/01/10614141073465/21/1',
      'urn:epc:id:sgtin:0614141.107346.123456789012345678901', 'urn:epc:id:sgln:0614141.07346.a|b', 'https://id.gs1.org/01/10614141073464/21/a\u0000',
    ];
    for (const text of deferred) expect(canonicalEpcFast(text), JSON.stringify(text)).to.equal(undefined);
  });
});
