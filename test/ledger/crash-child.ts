/**
 * The child process of the crash test: opens the embedded ledger in the folder given as its
 * first argument and submits Puts in a loop, many at a time, printing "key txId" on stdout
 * only after each submit resolved (its block is durable). The parent kills it with SIGKILL at
 * a random moment; every line it printed must then be on the ledger. Blocks of 24 KiB or more go
 * to the block file (a full block of 50 Puts is larger, a block cut short smaller), so kills
 * land in both kinds of commit.
 */
import { readFile } from 'node:fs/promises';
import { CertificateAuthority, openEmbeddedLedger } from '../../ledger-tools';
import { contracts } from './kv-contract';

async function main(): Promise<void> {
  const [dir, caFile, prefix] = process.argv.slice(2);
  if (!dir || !caFile || !prefix) throw new Error('usage: crash-child <dir> <ca.json> <prefix>');
  const ca = await CertificateAuthority.fromPem(JSON.parse(await readFile(caFile, 'utf8')));
  const alice = await ca.issue({ commonName: 'alice' });
  const ledger = await openEmbeddedLedger({ dir, contracts, batchSize: 50, blockFileMinBytes: 24 * 1024 });
  process.stdout.write('ready\n');
  let seq = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = `${prefix}-${seq++}`;
      const { txId } = await ledger.submit('Put', [key, `value of ${key}`], alice);
      process.stdout.write(`${key} ${txId}\n`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-child: ${String(err)}\n`);
  process.exit(2);
});
