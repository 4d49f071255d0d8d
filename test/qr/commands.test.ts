/**
 * `zfc labels` and `zfc qr` through commander, writing real files into a temporary folder.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { ZfcError } from '../../chaincode/errors';
import { findCjkFont, registerQrCommands } from '../../qr-service';
import { decodeQrPng, readPdf } from './support';

describe('qr-service: zfc labels and zfc qr', function () {
  this.timeout(60_000);
  let dir: string;
  let stdout: string[];
  const write = process.stdout.write.bind(process.stdout);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zfc-qr-'));
    stdout = [];
  });
  afterEach(() => {
    process.stdout.write = write;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function zfc(...args: string[]): Promise<string> {
    const program = new Command('zfc').exitOverride();
    registerQrCommands(program);
    process.stdout.write = ((chunk: string) => (stdout.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'zfc', ...args]);
    } finally {
      process.stdout.write = write;
    }
    return stdout.join('');
  }

  it('prints a label sheet for a serial range', async function () {
    try {
      findCjkFont();
    } catch {
      console.log('    (skipped: no CJK font installed)');
      this.skip();
    }
    const out = path.join(dir, 'labels.pdf');
    await zfc('labels', '--gtin', '09506000134352', '--lot', 'LJ2026A', '--name-zh', '西湖龙井茶', '--name-en', 'Longjing tea',
      '--expiry', '2027-10-02', '--from', '1', '--to', '50', '--width', '6', '--base-url', 'https://zfc.example.cn', '--no-progress', '--out', out);
    expect(readPdf(fs.readFileSync(out)).pages).to.equal(3);
  });

  it('refuses a bad label request with a typed error and writes no file', async () => {
    const out = path.join(dir, 'labels.pdf');
    try {
      await zfc('labels', '--gtin', '09506000134353', '--lot', 'L1', '--name-zh', '茶', '--name-en', 'tea', '--serials', '1,2', '--out', out);
      expect.fail('expected an error');
    } catch (err) {
      expect(err).to.be.instanceOf(ZfcError);
      expect((err as ZfcError).details['field']).to.equal('gtin');
    }
    expect(fs.existsSync(out)).to.equal(false);
  });

  it('turns a URN into a code on this domain and writes its image', async () => {
    const out = path.join(dir, 'code.png');
    const printed = await zfc('qr', 'urn:epc:id:sgtin:0614141.812345.6789', '--base-url', 'https://zfc.example.cn', '--out', out, '--size', '200');
    expect(printed.trim()).to.equal('https://zfc.example.cn/01/80614141123458/21/6789');
    expect(decodeQrPng(fs.readFileSync(out))).to.equal('https://zfc.example.cn/01/80614141123458/21/6789');
    const element = await zfc('qr', '(01)09506000134352(17)271002(10)LJ2026A(21)000001', '--base-url', 'https://zfc.example.cn');
    expect(element.trim().split('\n').at(-1)).to.equal('https://zfc.example.cn/01/09506000134352/10/LJ2026A/21/000001?17=271002');
  });
});
