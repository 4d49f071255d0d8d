/**
 * `npm run bench`: runs every compiled `*.bench.js` beside this file, one after another, each
 * printing its own table. An argument filters by file name (`npm run bench -- ledger`).
 * A bench module exports `async function run(): Promise<void>`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

/** Runs the benches whose file names contain `filter` (all when absent). */
export async function runBenches(filter?: string): Promise<void> {
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js') && (!filter || f.includes(filter)))
    .sort();
  if (files.length === 0) throw new Error(`no bench matches ${JSON.stringify(filter ?? '')}`);
  for (const file of files) {
    process.stdout.write(`\n## ${file.replace(/\.bench\.js$/, '')}\n\n`);
    const started = Date.now();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bench = require(join(__dirname, file)) as Partial<BenchModule>;
    if (typeof bench.run !== 'function') throw new Error(`${file} exports no run()`);
    await bench.run();
    process.stdout.write(`\n(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

if (require.main === module) {
  runBenches(process.argv[2]).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
