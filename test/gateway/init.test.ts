/**
 * Bootstrap without demo data: on an empty folder with DEMO_SEED=false a start says how to
 * begin, `zfc init` (a child process, as a user runs it) registers the first regulator by the
 * regulator organisation's admin and prints its first API key, which then works over HTTP; a
 * second init and a bad one are refused and change nothing.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { start } from '../../gateway-api/commands';
import { loadConfig } from '../../gateway-api/config';
import { call, removeDir, withCheck } from './support';

const CLI = path.join(__dirname, '..', '..', 'cli', 'zfc.js');

function zfc(args: string[], env: Record<string, string>): { code: number | null; out: string; err: string } {
  const script = `require(${JSON.stringify(CLI)}).main(process.argv).catch((e) => { process.stderr.write('zfc: ' + e.message + '\\n'); process.exitCode = 1; })`;
  const r = spawnSync(process.execPath, ['-e', script, 'zfc', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('gateway: zfc init on a deployment without demo data', function () {
  this.timeout(120_000);
  let dir = '';

  before(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-init-'));
  });

  after(async () => {
    await removeDir(dir);
  });

  const env = (): Record<string, string> => ({ ZFC_DATA: dir, DEMO_SEED: 'false' });
  const regulator = ['init', '--id', 'samr', '--name', '市场监管总局 Market Regulation', '--licence', 'GOV-1', '--gln', withCheck('695000000001')];

  it('an empty start has no participants and says how to begin', async () => {
    const lines: string[] = [];
    const gw = await start(loadConfig({ ...env(), PORT: '0', HOST: '127.0.0.1' }), (l) => lines.push(l));
    try {
      expect(lines.join('\n')).to.contain('zfc init');
      expect(fs.existsSync(path.join(dir, 'demo-keys.json'))).to.equal(false);
    } finally {
      await gw.close();
    }
  });

  it('refuses a bad GLN and registers nothing', () => {
    const bad = zfc([...regulator.slice(0, -1), '6950000000010'], env());
    expect(bad.code).to.not.equal(0);
    expect(bad.err).to.match(/INVALID_ARGUMENT/);
  });

  it('registers the first regulator and prints its key, which works over HTTP; a second init is refused', async () => {
    const first = zfc(regulator, env());
    expect(first.code, first.err).to.equal(0);
    const key = /\tzfc_\S+/.exec(first.out)?.[0].trim();
    expect(key, first.out).to.match(/^zfc_/);
    const again = zfc(regulator, env());
    expect(again.code).to.not.equal(0);
    expect(again.err).to.contain('already has its first regulator');

    const gw = await start(loadConfig({ ...env(), PORT: '0', HOST: '127.0.0.1' }), () => undefined);
    try {
      const farm = { id: 'farm-1', name: 'Longjing Farm', role: 'producer', licence: 'SC-1', gln: withCheck('695000000011') };
      const r = await call(gw.url, 'POST', '/v1/participants', { key: key as string, body: farm });
      expect(r.status, r.text).to.equal(201);
      expect(r.body.apiKey).to.match(/^zfc_/);
      expect((await call(gw.url, 'GET', '/v1/warnings', { key: key as string })).status).to.equal(200);
      expect((await call(gw.url, 'GET', '/v1/warnings', { key: r.body.apiKey })).status, 'the farm is no regulator').to.equal(403);
    } finally {
      await gw.close();
    }
  });
});
