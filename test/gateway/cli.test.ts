/**
 * The gateway's `zfc` commands as a user runs them, in child processes: `demo seed`, `keys
 * create|list|revoke`, `ledger reindex`, and a bad setting stopping a command with its message.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeDir } from './support';

const CLI = path.join(__dirname, '..', '..', 'cli', 'zfc.js');

/**
 * Runs `zfc args` as bin/zfc.js does. With `collecting`, the process also runs a full garbage
 * collection every few milliseconds, so that the heap guards (heap-room.ts), which judge the heap
 * live after the last full collection, have a figure on a ledger too small to need one.
 */
function zfc(args: string[], env: Record<string, string>, collecting = false): { code: number | null; out: string; err: string } {
  const prelude = collecting ? 'setInterval(() => gc(), 2).unref(); ' : '';
  const script = `${prelude}require(${JSON.stringify(CLI)}).main(process.argv).catch((e) => { process.stderr.write('zfc: ' + e.message + '\\n'); process.exitCode = 1; })`;
  const r = spawnSync(process.execPath, [...(collecting ? ['--expose-gc'] : []), '-e', script, 'zfc', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('gateway: zfc commands', function () {
  this.timeout(120_000);
  let dir: string;

  before(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-cli-'));
  });

  after(async () => {
    await removeDir(dir);
  });

  it('seeds the demo, manages keys and rebuilds the index', () => {
    const env = { ZFC_DATA: dir };
    const seeded = zfc(['demo', 'seed'], env);
    expect(seeded.code, seeded.err).to.equal(0);
    expect(seeded.out).to.match(/regulator\s+zfc_/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'demo-keys.json'), 'utf8'))).to.have.property('retailer');
    expect(zfc(['demo', 'seed'], env).code, 'a second seed into the same folder is refused').to.not.equal(0);

    const created = zfc(['keys', 'create', '--participant', 'hefang-shop', '--label', 'till 2'], env);
    expect(created.code, created.err).to.equal(0);
    const [id, key] = created.out.trim().split('\t');
    expect(id).to.match(/^k_[0-9a-f]{12}$/);
    expect(key).to.match(/^zfc_/);
    const listed = zfc(['keys', 'list'], env);
    expect(listed.out).to.include(`${id}\thefang-shop\tactive\ttill 2`);
    expect(listed.out).to.not.include(key as string);
    expect(zfc(['keys', 'revoke', id as string], env).out).to.include(`revoked ${id}`);
    expect(zfc(['keys', 'list'], env).out).to.match(new RegExp(`${id}\\thefang-shop\\trevoked`));
    expect(zfc(['keys', 'create', '--participant', 'nobody'], env).code).to.not.equal(0);

    const reindexed = zfc(['ledger', 'reindex'], env);
    expect(reindexed.code, reindexed.err).to.equal(0);
    expect(reindexed.out).to.match(/rebuilt the trace index from \d+ events \(4 lots\)/);
  });

  it('stops a rebuild of the trace index the heap has no room for, and rebuilds it whole with room', () => {
    const env = { ZFC_DATA: dir };
    const full = zfc(['ledger', 'reindex'], { ...env, TRACE_INDEX_HEAP_LIMIT_MB: '1' }, true);
    expect(full.code, full.out).to.equal(1);
    expect(full.err).to.match(/zfc: the trace index stopped .*TRACE_INDEX_HEAP_LIMIT_MB.*The index holds the ledger's first \d+ events/);
    expect(full.out, 'no rebuild is claimed').to.not.include('rebuilt');
    const whole = zfc(['ledger', 'reindex'], env, true);
    expect(whole.code, whole.err).to.equal(0);
    expect(whole.out).to.match(/rebuilt the trace index from \d+ events \(4 lots\)/);
  });

  it('stops on a bad setting with a message naming it', () => {
    const r = zfc(['keys', 'list'], { ZFC_DATA: dir, PORT: 'eighty', LEDGER: 'paper' });
    expect(r.code).to.equal(2);
    expect(r.err).to.include('PORT="eighty"').and.to.include('LEDGER="paper"');
  });
});
