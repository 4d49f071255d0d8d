/**
 * The chaincode as a service: `fabric-chaincode-node server` (what `npm run chaincode:serve`
 * runs, and what a Fabric peer's ccaas builder connects to) loads this package's contracts
 * and listens on the given address. Checked by starting it on a free loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { repoRoot } from './support';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

describe('chaincode: served as a chaincode service', function () {
  this.timeout(30000);
  let dir: string;
  let child: ChildProcess | undefined;
  after(async () => {
    child?.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fabric-chaincode-node server loads the contracts and listens', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zfc-ccaas-'));
    const main = path.resolve(__dirname, '..', '..', 'chaincode', 'index.js');
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'zfc-ccaas-test', version: '0.0.0', main }));
    const port = await freePort();
    const bin = path.join(repoRoot(), 'node_modules', '.bin', 'fabric-chaincode-node');
    let output = '';
    child = spawn(bin, ['server', '--chaincode-address', `127.0.0.1:${port}`, '--chaincode-id', 'zfc:test'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    let listening = false;
    for (let i = 0; i < 100 && !listening && child.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 100));
      listening = await canConnect(port);
    }
    expect(listening, output).to.equal(true);
    expect(output).to.not.match(/Error/);
  });
});
