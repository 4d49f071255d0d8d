/**
 * The `zfc ledger …` commands: verify, proof, verify-proof, inspect, export, import. Each opens
 * the embedded ledger's level folder directly (so the ledger must not be running in another
 * process), prints JSON or a short report, and sets a non-zero exit code on any failure.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { ZfcError } from '../chaincode/errors';
import { exportBlocks, importBlocks } from './archive';
import { inspectBlock, inspectKey, inspectTransaction } from './inspect';
import { proveTransaction, verifyTransactionProof, type TransactionProof } from './proof';
import { LedgerStore } from './store';
import { verifyLedger, type VerifyReport } from './verify';

const DEFAULT_DIR = 'data/ledger';

interface DirOption {
  dir: string;
}

/**
 * Registers `zfc ledger …` on a commander program.
 *
 * @example
 * const program = new Command('zfc');
 * registerLedgerCommands(program);
 * await program.parseAsync(process.argv);
 */
export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('verify, prove, inspect, export and import the embedded ledger');
  const dirOption = ['-d, --dir <dir>', 'the embedded ledger folder', DEFAULT_DIR] as const;

  ledger
    .command('verify')
    .description('recompute every hash, check the chain, replay the state; exit 1 on any mismatch')
    .option(...dirOption)
    .option('--json', 'print the full report as JSON')
    .action((opts: DirOption & { json?: boolean }) => withStore(opts.dir, (store) => runVerify(store, opts.json === true)));

  ledger
    .command('proof <txId>')
    .description('print the Merkle inclusion proof of a transaction (JSON)')
    .option(...dirOption)
    .option('-o, --out <file>', 'write the proof to a file')
    .action((txId: string, opts: DirOption & { out?: string }) =>
      withStore(opts.dir, async (store) => {
        const json = `${JSON.stringify(await proveTransaction(store, txId), null, 2)}\n`;
        if (opts.out) await writeAll(createWriteStream(opts.out), [json]);
        else process.stdout.write(json);
      }),
    );

  ledger
    .command('verify-proof <file>')
    .description('check a proof file with SHA-256 alone; exit 1 if it fails')
    .option('--block-hash <hash>', 'a block hash you trust, which the proof must match')
    .action(async (file: string, opts: { blockHash?: string }) => {
      const proof = JSON.parse(await readFile(file, 'utf8')) as TransactionProof;
      const check = verifyTransactionProof(proof, opts.blockHash);
      if (check.valid) process.stdout.write(`valid: transaction ${proof.txId} is in block ${proof.blockNumber} (block hash ${proof.blockHash})\n`);
      else {
        process.stdout.write(`INVALID proof:\n${check.problems.map((p) => `  - ${p}`).join('\n')}\n`);
        process.exitCode = 1;
      }
    });

  const inspect = ledger.command('inspect').description('show a block, a transaction or a key');
  inspect
    .command('block <number>')
    .option(...dirOption)
    .action((number: string, opts: DirOption) => withStore(opts.dir, async (store) => printJson(await inspectBlock(store, parseBlockNumber(number)))));
  inspect
    .command('tx <txId>')
    .option(...dirOption)
    .action((txId: string, opts: DirOption) => withStore(opts.dir, async (store) => printJson(await inspectTransaction(store, txId))));
  inspect
    .command('key <key>')
    .description('a key with its history; give a JSON string ("\\u0000lot\\u0000…") for composite keys')
    .option(...dirOption)
    .action((key: string, opts: DirOption) => withStore(opts.dir, async (store) => printJson(await inspectKey(store, parseKey(key)))));

  ledger
    .command('export')
    .description('write every block as NDJSON (one canonical JSON block per line)')
    .option(...dirOption)
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action((opts: DirOption & { out?: string }) =>
      withStore(opts.dir, async (store) => {
        await writeAll(opts.out ? createWriteStream(opts.out) : process.stdout, exportBlocks(store));
      }),
    );

  ledger
    .command('import <file>')
    .description('rebuild a ledger in an empty folder from NDJSON blocks ("-" for standard input), then verify it')
    .option(...dirOption)
    .action(async (file: string, opts: DirOption) => {
      const input = file === '-' ? process.stdin : createReadStream(file);
      const report = await importBlocks(opts.dir, input);
      printReport(report);
    });
}

async function withStore(dir: string, run: (store: LedgerStore) => Promise<void>): Promise<void> {
  const store = await LedgerStore.open(dir, { create: false });
  try {
    await run(store);
  } finally {
    await store.close();
  }
}

async function runVerify(store: LedgerStore, json: boolean): Promise<void> {
  const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr, format: 'verify [{bar}] {value}/{total} blocks' }, Presets.shades_classic) : undefined;
  let started = false;
  const report = await verifyLedger(store, {
    onProgress: (done, total) => {
      if (!bar) return;
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
  });
  if (started) bar?.stop();
  if (json) printJson(report);
  else printReport(report);
}

function printReport(report: VerifyReport): void {
  if (report.ok) {
    process.stdout.write(`ok: ${report.height} blocks, ${report.transactions} transactions, ${report.stateKeys} state keys verified\n`);
    return;
  }
  const where = report.firstBadBlock === null ? 'outside any block' : `first bad block: ${report.firstBadBlock}`;
  process.stdout.write(`FAILED (${where}): ${report.problems.length} problem(s)\n`);
  for (const p of report.problems.slice(0, 50)) process.stdout.write(`  - ${p.message}\n`);
  process.exitCode = 1;
}

function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function parseBlockNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new ZfcError('INVALID_ARGUMENT', `not a block number: ${text}`, { block: text });
  return Number(text);
}

function parseKey(text: string): string {
  if (!text.startsWith('"')) return text;
  try {
    return JSON.parse(text) as string;
  } catch {
    throw new ZfcError('INVALID_ARGUMENT', 'the key looks like a JSON string but does not parse', { key: text });
  }
}

async function writeAll(out: Writable, chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>): Promise<void> {
  for await (const chunk of chunks) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
}
