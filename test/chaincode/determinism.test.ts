/**
 * Guards of determinism: the chaincode's sources never read the clock, randomness, the
 * environment or the file system (every peer must compute the same bytes), and canonical
 * JSON gives the same bytes whatever the key order of the input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { canonicalJson, epcisEventId } from '../../chaincode';
import { repoRoot } from './support';

const FORBIDDEN = [/Date\.now\(/, /new Date\(\s*\)/, /Math\.random\(/, /process\.env/, /from 'node:fs'/, /from 'fs'/, /require\('fs'\)/, /performance\.now\(/, /setTimeout\(/, /setInterval\(/, /crypto\.random/, /randomBytes|randomUUID/];

describe('chaincode: determinism', () => {
  it('no chaincode source reads the clock, randomness, the environment or files', () => {
    const dir = path.join(repoRoot(), 'chaincode');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).to.be.greaterThan(20);
    for (const file of files) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      for (const pattern of FORBIDDEN) expect(pattern.test(text), `${file} matches ${pattern}`).to.equal(false);
    }
  });

  it('derives the same EPCIS event ID from the same transaction and index, a different one otherwise', () => {
    expect(epcisEventId('tx1', 0)).to.equal(epcisEventId('tx1', 0));
    expect(epcisEventId('tx1', 0)).to.not.equal(epcisEventId('tx1', 1));
    expect(epcisEventId('tx1', 0)).to.match(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('canonical JSON does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: '批' } })).to.equal(canonicalJson({ a: { c: '批', d: [2, 1] }, b: 1 }));
  });
});
