/**
 * What every bench shares: how it prints its lines, and how it runs alone
 * (`node dist/bench/<name>.bench.js`) as well as under `npm run bench` (bench/run.ts).
 */

/** Prints one line of a bench's figures. */
export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/**
 * Runs `run` when `mod` is the module node was started with (the bench run alone); a failure is
 * printed with its stack and sets exit code 1.
 */
export function runAlone(mod: NodeModule, run: () => Promise<void>): void {
  if (require.main !== mod) return;
  run().catch((err: unknown) => {
    process.stderr.write(`${String(err instanceof Error ? (err.stack ?? err.message) : err)}\n`);
    process.exitCode = 1;
  });
}
