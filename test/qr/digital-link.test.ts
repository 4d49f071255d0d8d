/**
 * The identifier syntax every part relies on, checked against GS1's published examples (Tag
 * Data Standard, Digital Link, check-digit calculator), GS1's EPCIS 2.0 example documents, and
 * GS1's own Digital Link validator (digital-link.js), plus hostile input.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ZfcError } from '../../chaincode/errors';
import {
  fromGs1Date, glnUri, gtinLink, itemUri, lotUri, normalizeEpc, parseIdentifier, partyUri, productUri,
  ssccUri, toEpcUrn, toGs1Date, tryParseIdentifier, withBase,
} from '../../chaincode/digital-link';
import { expectInvalid as expectInvalidArgument, gs1Validates, repoRoot } from './support';

/** INVALID_ARGUMENT (naming `field` when given) whose details also carry the refused value. */
function expectInvalid(fn: () => unknown, field?: string): ZfcError {
  const z = expectInvalidArgument(fn, field);
  expect(z.details).to.have.property('value');
  return z;
}


/** Published pairs: EPC URN ↔ element string (EPC Tag Data Standard 2.x worked examples). */
const TDS_PAIRS: Array<[string, string, string]> = [
  ['urn:epc:id:sgtin:0614141.812345.6789', '(01)80614141123458(21)6789', 'https://id.gs1.org/01/80614141123458/21/6789'],
  ['urn:epc:id:sscc:0614141.1234567890', '(00)106141412345678908', 'https://id.gs1.org/00/106141412345678908'],
  ['urn:epc:id:sgln:0614141.12345.400', '(414)0614141123452(254)400', 'https://id.gs1.org/414/0614141123452/254/400'],
  ['urn:epc:id:grai:0614141.12345.400', '(8003)00614141123452400', 'https://id.gs1.org/8003/00614141123452400'],
  ['urn:epc:id:giai:0614141.12345400', '(8004)061414112345400', 'https://id.gs1.org/8004/061414112345400'],
  ['urn:epc:id:gsrn:0614141.1234567890', '(8018)061414112345678902', 'https://id.gs1.org/8018/061414112345678902'],
  ['urn:epc:id:gdti:0614141.12345.006847', '(253)0614141123452006847', 'https://id.gs1.org/253/0614141123452006847'],
  ['urn:epc:id:pgln:0614141.12345', '(417)0614141123452', 'https://id.gs1.org/417/0614141123452'],
  ['urn:epc:class:lgtin:4012345.012345.998877', '(01)04012345123456(10)998877', 'https://id.gs1.org/01/04012345123456/10/998877'],
];

/** Deterministic pseudo-random strings of GS1 character set 82. */
function* cset82Samples(count: number): Generator<string> {
  const chars = '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
  let seed = 20260001;
  for (let i = 0; i < count; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const len = 1 + ((seed >>> 8) % 20);
    let s = '';
    for (let j = 0; j < len; j++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      s += chars[(seed >>> 8) % chars.length];
    }
    yield s;
  }
}

describe('digital-link: building URIs', () => {
  it('builds the canonical forms of product, lot, item, SSCC, GLN and party', () => {
    expect(productUri('9506000134352')).to.equal('https://id.gs1.org/01/09506000134352');
    expect(lotUri('09506000134352', 'ABC1')).to.equal('https://id.gs1.org/01/09506000134352/10/ABC1');
    expect(itemUri('09506000134352', '12345')).to.equal('https://id.gs1.org/01/09506000134352/21/12345');
    expect(ssccUri('106141412345678908')).to.equal('https://id.gs1.org/00/106141412345678908');
    expect(glnUri('0614141123452')).to.equal('https://id.gs1.org/414/0614141123452');
    expect(glnUri('0614141123452', '400')).to.equal('https://id.gs1.org/414/0614141123452/254/400');
    expect(partyUri('0614141123452')).to.equal('https://id.gs1.org/417/0614141123452');
  });

  it('pads GTIN-8, -12 and -13 to 14 digits (GS1 check digit calculator examples)', () => {
    expect(productUri('6291041500213')).to.equal('https://id.gs1.org/01/06291041500213');
    expect(productUri('96385074')).to.equal('https://id.gs1.org/01/00000096385074');
    expect(productUri('614141000036')).to.equal('https://id.gs1.org/01/00614141000036');
    expect(ssccUri('376104250021234569')).to.equal('https://id.gs1.org/00/376104250021234569');
  });

  it('percent-encodes every set-82 character outside the URI unreserved set', () => {
    expect(lotUri('09506000134352', 'A/B(1)!*\'+,;:=?&%"<>')).to.equal(
      'https://id.gs1.org/01/09506000134352/10/A%2FB%281%29%21%2A%27%2B%2C%3B%3A%3D%3F%26%25%22%3C%3E',
    );
    expect(itemUri('09506000134352', 'a-b.c_d')).to.equal('https://id.gs1.org/01/09506000134352/21/a-b.c_d');
  });

  it('builds package links on the deployment domain with expiry as ?17=', () => {
    const uri = gtinLink({ gtin: '09506000134352', lot: 'L2026/01', serial: '000123', expiry: '261231' }, 'https://zfc.example.cn/');
    expect(uri).to.equal('https://zfc.example.cn/01/09506000134352/10/L2026%2F01/21/000123?17=261231');
    expect(gs1Validates(uri)).to.equal(true);
    expect(withBase(itemUri('09506000134352', '7'), 'https://zfc.example.cn', { '17': '261231' }))
      .to.equal('https://zfc.example.cn/01/09506000134352/21/7?17=261231');
  });

  it('uses an oracle that can fail', () => {
    expect(gs1Validates('https://id.gs1.org/01/09506000134353')).to.equal(false);
    expect(gs1Validates('https://id.gs1.org/01/09506000134352/10/A B')).to.equal(false);
    expect(gs1Validates('https://id.gs1.org/01/09506000134352/10/A/B')).to.equal(false);
  });

  it('round-trips 300 generated set-82 lots and serials through build, parse and GS1 validation', () => {
    const samples = [...cset82Samples(300)];
    expect(new Set(samples.join('')).size, 'samples cover set 82').to.equal(82);
    for (const value of samples) {
      const uri = gtinLink({ gtin: '09506000134352', lot: value, serial: value }, 'https://zfc.example.cn/p');
      const parsed = parseIdentifier(uri);
      expect(parsed.lot, uri).to.equal(value);
      expect(parsed.serial, uri).to.equal(value);
      expect(gs1Validates(uri), uri).to.equal(true);
      expect(parseIdentifier(toEpcUrn(uri, 7)).canonical).to.equal(parsed.canonical);
    }
  });
});

describe('digital-link: parsing', () => {
  it('parses TDS examples in URN, element-string and Digital Link form to one canonical URI', () => {
    for (const [urn, elements, dl] of TDS_PAIRS) {
      expect(parseIdentifier(urn).canonical, urn).to.equal(dl);
      expect(parseIdentifier(elements).canonical, elements).to.equal(dl);
      expect(parseIdentifier(dl).canonical, dl).to.equal(dl);
      expect(toEpcUrn(dl, 7), dl).to.equal(urn);
    }
  });

  it('moves the indicator digit: the first digit of the URN item reference leads the GTIN', () => {
    // 0614141.812345 is GTIN 8 0614141 12345 8; 0614141.112345 is 1 0614141 12345 9, a different GTIN
    expect(parseIdentifier('urn:epc:id:sgtin:0614141.112345.400').canonical).to.equal('https://id.gs1.org/01/10614141123459/21/400');
    expect(parseIdentifier('urn:epc:id:sgtin:0614141.812345.400').canonical).to.equal('https://id.gs1.org/01/80614141123458/21/400');
    expect(toEpcUrn('https://id.gs1.org/01/80614141123458/21/400', 7)).to.equal('urn:epc:id:sgtin:0614141.812345.400');
  });

  it('accepts Digital Links on any domain, with path prefixes, short names and data attributes', () => {
    const p = parseIdentifier('https://example.com/some/prefix/01/9506000134352/10/ABC%2F1/21/x9?17=260228&linkType=gs1:pip&foo=bar');
    expect(p).to.include({ kind: 'item', gtin: '09506000134352', lot: 'ABC/1', serial: 'x9', expiry: '260228', linkType: 'gs1:pip' });
    expect(p.canonical).to.equal('https://id.gs1.org/01/09506000134352/21/x9');
    expect(p.attributes).to.deep.equal({ '17': '260228' });
    const prefixLooksLikeKey = parseIdentifier('https://r.example/01/x/01/09506000134352/10/L1');
    expect(prefixLooksLikeKey).to.include({ kind: 'lot', lot: 'L1' });
    expect(parseIdentifier('https://id.example/gtin/09506000134352/lot/L1').canonical).to.equal(lotUri('09506000134352', 'L1'));
    expect(parseIdentifier('https://id.example/01/09506000134352/22/2A/10/L1')).to.include({ kind: 'lot', cpv: '2A' });
    expect(parseIdentifier('http://id.gs1.org/8004/4000001111').kind).to.equal('giai');
    expect(parseIdentifier('https://id.gs1.org/8018/061414112345678902/8019/12').qualifiers).to.deep.equal({ '8019': '12' });
  });

  it('parses element strings bracketed and with FNC1 separators and symbology identifiers', () => {
    const expected = { kind: 'item', gtin: '09506000134352', lot: 'ABC', serial: '12', expiry: '261231' };
    expect(parseIdentifier('(01)09506000134352(17)261231(10)ABC(21)12')).to.include(expected);
    expect(parseIdentifier('010950600013435217261231' + '10ABC\u001d2112')).to.include(expected);
    expect(parseIdentifier(']d2010950600013435210ABC\u001d2112\u001d17261231')).to.include(expected);
    expect(parseIdentifier(']Q3' + '00106141412345678908')).to.include({ kind: 'sscc', sscc: '106141412345678908' });
    expect(parseIdentifier('(00)106141412345678908(02)09506000134352(37)10').kind).to.equal('sscc');
  });

  it('parses EPC tag URIs and patterns', () => {
    expect(parseIdentifier('urn:epc:tag:sgtin-96:3.0614141.812345.6789').canonical).to.equal('https://id.gs1.org/01/80614141123458/21/6789');
    expect(parseIdentifier('urn:epc:tag:sscc-96:0.0614141.1234567890').canonical).to.equal('https://id.gs1.org/00/106141412345678908');
    expect(parseIdentifier('urn:epc:idpat:sgtin:4012345.066666.*')).to.include({ kind: 'product', canonical: 'https://id.gs1.org/01/04012345666663' });
    expect(toEpcUrn('https://id.gs1.org/01/04012345666663', 7)).to.equal('urn:epc:idpat:sgtin:4012345.066666.*');
    expect(toEpcUrn(itemUri('09506000134352', 'A/B'), 7)).to.equal('urn:epc:id:sgtin:9506000.013435.A%2FB');
    expect(parseIdentifier('urn:epc:id:sgtin:9506000.013435.A%2FB').serial).to.equal('A/B');
    expect(toEpcUrn(glnUri('0614141123452'), 7)).to.equal('urn:epc:id:sgln:0614141.12345.0');
  });

  it('converts GS1 dates both ways (DD=00 is the last day of the month)', () => {
    expect(toGs1Date('2026-12-31')).to.equal('261231');
    expect(fromGs1Date('261231')).to.equal('2026-12-31');
    expect(fromGs1Date('240200')).to.equal('2024-02-29');
    expectInvalid(() => toGs1Date('2026-02-30'), 'date');
  });
});

describe('digital-link: GS1 EPCIS 2.0 examples', () => {
  const dir = path.join(repoRoot(), '..', 'shared', 'data', 'epcis');
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.jsonld')) : [];
  const all = files.flatMap((f) => {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    return [...text.matchAll(/"(urn:epc:(?:id|class|idpat):[^"]+|https:\/\/id\.gs1\.org\/[^"]+)"/g)].map((m) => m[1] as string);
  });
  const ids = [...new Set(all)];

  before(function () {
    if (files.length === 0) {
      console.log(`    GS1 EPCIS examples skipped: ${dir} is not there (the shared reference data sits beside the repository)`);
      this.skip();
    }
  });

  it('finds the examples', () => {
    expect(files.length).to.be.greaterThan(8);
    expect(ids.length).to.be.greaterThan(30);
  });

  it('parses every GS1 identifier in them, and normalisation is idempotent', () => {
    for (const id of ids) {
      const canonical = normalizeEpc(id);
      expect(normalizeEpc(canonical), id).to.equal(canonical);
      expect(gs1Validates(canonical), canonical).to.equal(true);
      if (id.startsWith('https://')) expect(canonical).to.equal(id);
    }
  });

  it('round-trips every URN in them back from its Digital Link (company prefix length 7)', () => {
    for (const id of ids.filter((x) => x.startsWith('urn:'))) expect(toEpcUrn(normalizeEpc(id), 7), id).to.equal(id);
  });

  it('maps the URN and Digital Link forms that name the same thing to one node', () => {
    const pairs: Array<[string, string]> = [
      ['urn:epc:id:giai:4000001.111', 'https://id.gs1.org/8004/4000001111'],
      ['urn:epc:class:lgtin:4012345.012345.998877', 'https://id.gs1.org/01/04012345123456/10/998877'],
      ['urn:epc:class:lgtin:0614141.077777.987', 'https://id.gs1.org/01/00614141777778/10/987'],
      ['urn:epc:idpat:sgtin:4012345.066666.*', 'https://id.gs1.org/01/04012345666663'],
      ['urn:epc:idpat:sgtin:4012345.098765.*', 'https://id.gs1.org/01/04012345987652'],
    ];
    for (const [urn, dl] of pairs) {
      expect(ids).to.include(urn);
      expect(ids).to.include(dl);
      expect(normalizeEpc(urn)).to.equal(normalizeEpc(dl));
    }
  });

  it('leaves identifiers that are not GS1 keys unchanged', () => {
    expect(normalizeEpc('urn:uuid:2b6f1a5e-0000-4000-8000-000000000001')).to.equal('urn:uuid:2b6f1a5e-0000-4000-8000-000000000001');
    expect(normalizeEpc('https://example.com/assets/42')).to.equal('https://example.com/assets/42');
  });
});

describe('digital-link: hostile input', () => {
  it('refuses wrong check digits with the field named', () => {
    expectInvalid(() => productUri('09506000134353'), 'gtin');
    expectInvalid(() => ssccUri('106141412345678909'), 'sscc');
    expectInvalid(() => glnUri('0614141123453'), 'gln');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134353/10/A'), 'gtin');
    expectInvalid(() => parseIdentifier('(414)0614141123453'), 'gln');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/8018/061414112345678903'), 'gsrn');
  });

  it('refuses over-long lots and serials and characters outside set 82', () => {
    expectInvalid(() => lotUri('09506000134352', 'A'.repeat(21)), 'lot');
    expectInvalid(() => itemUri('09506000134352', '1'.repeat(21)), 'serial');
    for (const bad of ['A B', 'A#B', 'A\u001dB', 'A\nB', '批号1', 'A\u00e9', '😀', 'A~B', '', 'A\\B', 'A[B]', 'A`B', 'A{B}', 'A|B', 'A^B', 'A$B', 'A@B']) {
      expectInvalid(() => lotUri('09506000134352', bad), 'lot');
      expectInvalid(() => itemUri('09506000134352', bad), 'serial');
    }
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352/10/L%E4%B8%AD'), 'lot');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352/10/L%1D1'), 'lot');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352/21/%ZZ'), 'serial');
  });

  it('refuses malformed GTINs, wrong lengths, non-strings and malformed structures', () => {
    expectInvalid(() => productUri('0950600013435'), 'gtin');
    expectInvalid(() => productUri('0950600013435a'), 'gtin');
    expectInvalid(() => productUri(123 as unknown as string), 'gtin');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352/21/1/10/A'), 'identifier');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352?10=A'), 'identifier');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352?17=261301'), 'expiry');
    expectInvalid(() => parseIdentifier('https://id.gs1.org/01/09506000134352?17=1&17=2'), 'expiry');
    expectInvalid(() => parseIdentifier('https://example.com/hello'), 'identifier');
    expectInvalid(() => parseIdentifier('(01)09506000134352(01)09506000134352'), 'gtin');
    expectInvalid(() => parseIdentifier('(17)261231'), 'identifier');
    expectInvalid(() => parseIdentifier('0109506000134'), 'gtin');
    expectInvalid(() => parseIdentifier('urn:epc:id:sgtin:0614141.812345'), 'identifier');
    expectInvalid(() => parseIdentifier('urn:epc:id:sgtin:0614141.8123456.1'), 'gtin');
    expectInvalid(() => parseIdentifier('urn:epc:id:sgtin:0614141.812345.A%2'), 'serial');
    expectInvalid(() => parseIdentifier('urn:epc:id:usdod:1.2.3'), 'identifier');
    expectInvalid(() => parseIdentifier('urn:epc:idpat:sgtin:0614141.*.*'), 'identifier');
    expectInvalid(() => parseIdentifier(`https://id.gs1.org/01/09506000134352/10/${'A'.repeat(5000)}`), 'identifier');
    expectInvalid(() => parseIdentifier('   '), 'identifier');
    expectInvalid(() => parseIdentifier('javascript:alert(1)'), 'identifier');
    expectInvalid(() => toEpcUrn(itemUri('09506000134352', '1'), 13), 'companyPrefixLength');
    expectInvalid(() => gtinLink({ gtin: '09506000134352' }, 'ftp://x'), 'baseUrl');
    expectInvalid(() => gtinLink({ gtin: '09506000134352' }, 'https://x.cn/?a=1'), 'baseUrl');
    expect(tryParseIdentifier('nonsense')).to.equal(undefined);
  });

  it('throws nothing but ZfcError on 20,000 generated near-identifiers, and what it accepts round-trips', () => {
    const prefixes = [
      'https://id.gs1.org/01/', 'https://x.cn/p/01/09506000134352/', 'urn:epc:id:sgtin:', 'urn:epc:tag:sgtin-96:', 'urn:epc:class:lgtin:',
      '(01)', '(00)', ']d2', '01', 'urn:epc:idpat:sgtin:', 'https://a/00/', 'https://a/414/0614141123452/254/', 'urn:epc:id:sgln:',
      'urn:epc:id:grai:', '(8003)', '(253)', 'urn:epc:id:sgtin:0614141.', 'https://id.gs1.org/01/09506000134352/10/',
    ];
    const alphabet = '0123456789012345678901234567890123456789./()%?=&#:;ABCxyz\u001d \u4e2d-_*!"\\\'';
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed >>> 8) / 8388608;
    };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = prefixes[Math.floor(rnd() * prefixes.length)] as string;
      for (let j = Math.floor(rnd() * 30); j > 0; j--) text += alphabet[Math.floor(rnd() * alphabet.length)];
      const id = (() => {
        try {
          return parseIdentifier(text);
        } catch (err) {
          if (!(err instanceof ZfcError)) throw new Error(`${JSON.stringify(text)} threw ${String(err)}`);
          return undefined;
        }
      })();
      if (id === undefined) continue;
      accepted++;
      expect(normalizeEpc(id.canonical), text).to.equal(id.canonical);
      const urn = tryUrn(id.canonical);
      if (urn !== undefined) expect(parseIdentifier(urn).canonical, `${text} ${urn}`).to.equal(id.canonical);
    }
    expect(accepted).to.be.greaterThan(300);
  });
});

function tryUrn(canonical: string): string | undefined {
  try {
    return toEpcUrn(canonical, 7);
  } catch (err) {
    if (err instanceof ZfcError) return undefined;
    throw err;
  }
}
