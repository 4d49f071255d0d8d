/**
 * The crash test: a child process submitting in a loop is killed with SIGKILL at random moments,
 * many times, on the same ledger folder. After each kill the ledger reopens, every transaction
 * the child saw acknowledged is there (the key with its value, the transaction in the index),
 * and verify passes: no committed transaction lost, no half block — in level or in the block file.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, LedgerStore, verifyLedger } from '../../ledger-tools';
import { blockKey } from '../../ledger-tools/store';

const CHILD = join(__dirname, 'crash-child.js');
const KILLS = 15;

/** Runs the child until it has acknowledged some transactions, kills it after a random delay, returns its acknowledgements. */
async function runAndKill(dir: string, caFile: string, prefix: string, delayMs: number): Promise<Map<string, string>> {
  const child = spawn(process.execPath, [CHILD, dir, caFile, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks = new Map<string, string>();
  let buffer = '';
  let stderr = '';
  let timer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
      const [key, txId] = line.split(' ');
      if (key && txId) acks.set(key, txId);
    }
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(guard);
  if (timer) clearTimeout(timer);
  expect(signal, `child exited by itself (code ${code}): ${stderr}`).to.equal('SIGKILL');
  return acks;
}

describe('Embedded ledger crash safety', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'zfc-crash-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`loses no acknowledged transaction and leaves no half block across ${KILLS} SIGKILLs`, async () => {
    const ca = await createCertificateAuthority('Org1MSP');
    const caFile = join(dir, 'ca.json');
    await writeFile(caFile, JSON.stringify(await ca.toPem()));
    const ledgerDir = join(dir, 'ledger');
    let acknowledged = 0;
    let lastHeight = 0;
    const inFile: [number, number] = [0, 0]; // blocks seen in level, in the block file
    for (let round = 0; round < KILLS; round++) {
      const acks = await runAndKill(ledgerDir, caFile, `r${round}`, 50 + Math.floor(Math.random() * 400));
      acknowledged += acks.size;
      const store = await LedgerStore.open(ledgerDir);
      try {
        for (const [key, txId] of acks) {
          expect((await store.get(key))?.value.toString('utf8'), `round ${round}: ${key}`).to.equal(`value of ${key}`);
          expect(await store.txLocation(txId), `round ${round}: tx of ${key}`).to.not.equal(undefined);
        }
        const report = await verifyLedger(store);
        expect(report.problems, `round ${round}`).to.deep.equal([]);
        for (let n = 0; n < report.height; n++) inFile[(await store.db.get(blockKey(n)))?.[0] === 0x40 ? 1 : 0]++;
        expect(report.height).to.be.at.least(lastHeight);
        lastHeight = report.height;
      } finally {
        await store.close();
      }
    }
    expect(acknowledged, 'the children acknowledged transactions before being killed').to.be.greaterThan(KILLS);
    expect(inFile[0], 'blocks in level').to.be.greaterThan(0);
    expect(inFile[1], 'blocks in the block file').to.be.greaterThan(0);
  });
});
