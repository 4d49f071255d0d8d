/**
 * /readyz on Fabric: a fresh network's blocks (channel configuration, chaincode deployment)
 * carry no chaincode events, yet the trace index following it must count them as processed
 * and be caught up — and stay so after an eventless block (a submitted read). Runs when
 * Fabric's programs are at hand (on PATH or in FABRIC_BIN); otherwise one pending test says why.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { join } from 'node:path';
import { expect } from 'chai';
import { openFabricLedger } from '../../ledger-tools/fabric-ledger';
import type { Ledger } from '../../ledger-tools/ledger';
import type { ZfcError } from '../../chaincode/errors';
import { initialiseNetworkRegulator } from '../../gateway-api/bootstrap';
import { GatewayStore } from '../../gateway-api/gateway-store';
import { projectEvent } from '../../gateway-api/projection';
import { TraceIndex } from '../../gateway-api/trace-index';
import { compiledRoot, missingFabricTools, startNetwork, type TestNetwork } from './fabric-network';

const missing = missingFabricTools();

async function until(what: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await what()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Without Fabric's programs this file registers nothing: fabric.test.ts says, in one line for
// every Fabric test, that they were skipped and why.
if (missing.length === 0) {
  describe('Fabric: trace index readiness on a fresh network', function () {
    this.timeout(300_000);
    let net: TestNetwork | undefined;
    let ledger: Ledger | undefined;
    let index: TraceIndex | undefined;
    let dir = '';

    before(async () => {
      net = await startNetwork({ chaincodes: { zfc: join(compiledRoot(), 'chaincode', 'index.js') }, portBase: 31000 });
      ledger = await openFabricLedger(net.network.ledgerOptions('zfc'));
      dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-fabric-index-'));
      index = await TraceIndex.open({ dir: path.join(dir, 'index'), project: projectEvent });
    });

    after(async () => {
      index?.stop();
      await ledger?.close();
      await index?.close();
      await net?.down();
      if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
    });

    it('reports the end of every block, the configuration block 0 included', async () => {
      const ac = new AbortController();
      const ended: number[] = [];
      const height = await (ledger as Ledger).height();
      const drain = (async () => {
        for await (const e of (ledger as Ledger).events({ signal: ac.signal, onBlockEnd: (n) => { ended.push(n); } })) void e;
      })();
      expect(await until(async () => ended.length >= height, 60_000)).to.equal(true);
      ac.abort();
      await drain;
      expect(ended.slice(0, height)).to.deep.equal([...Array(height).keys()]);
    });

    it('is caught up once the index has passed the eventless blocks, and again after a submitted read', async () => {
      const l = ledger as Ledger;
      const i = index as TraceIndex;
      void i.follow(l);
      expect(await until(() => i.caughtUp(l), 60_000), 'caught up on the fresh network').to.equal(true);
      expect(i.appliedThrough()).to.equal((await l.height()) - 1);
      const regulator = net?.network.participants['regulator'];
      const admin = net?.network.participants['regulator-admin'];
      if (!regulator || !admin) throw new Error('no regulator identities');
      // the first regulator, as `zfc init` registers it on Fabric: Init by the regulator MSP's admin
      const store = await GatewayStore.open(path.join(dir, 'gateway'));
      try {
        const details = { id: 'samr', name: 'Market Regulation', licence: 'GOV-1', gln: '6951234000011' };
        const created = await initialiseNetworkRegulator({ ledger: l, index: i, store }, details, { admin, regulator });
        expect(created.key).to.match(/^zfc_/);
        expect(i.participant('samr').role).to.equal('regulator');
        let refused: unknown;
        await initialiseNetworkRegulator({ ledger: l, index: i, store }, details, { admin, regulator }).catch((err: unknown) => (refused = err));
        expect((refused as ZfcError).code).to.equal('CONFLICT');
      } finally {
        await store.close();
      }
      const { blockNumber } = await l.submit('GetCaller', ['{}'], regulator);
      expect(await until(async () => i.appliedThrough() >= blockNumber, 60_000), 'the eventless block is passed').to.equal(true);
      expect(i.checkpoint?.blockNumber).to.be.lessThan(blockNumber);
      expect(await i.caughtUp(l)).to.equal(true);
    });
  });
}
