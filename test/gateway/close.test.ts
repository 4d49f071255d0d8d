/**
 * A closed gateway leaves nothing of itself behind in the process: a restart, a CLI command or a
 * test opens and closes gateways in one process, and each holds its EPCIS event store and trace
 * graph (about 2 kB per event). The process's own metrics are served by each gateway once.
 * Real gateways on real embedded ledgers in a temporary folder; real garbage collection.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { initialiseRegulator } from '../../gateway-api/bootstrap';
import { loadConfig } from '../../gateway-api/config';
import { listen, openGateway } from '../../gateway-api/server';
import { call, removeDir, withCheck } from './support';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Opens a gateway in `dir`, captures and scrapes through it, closes it, and gives weak references to its parts. */
async function openUseAndClose(dir: string): Promise<{ refs: Array<WeakRef<object>>; metrics: string }> {
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ZFC_DATA: dir, RATE_LIMIT: '100000', RATE_BURST: '100000' });
  const parts = await openGateway(config);
  const running = await listen(parts, config);
  try {
    await parts.epcisReady;
    const { key } = await initialiseRegulator(running, { id: 'samr', name: 'Market Regulator', licence: 'REG-1', gln: withCheck('695000000001') });
    const event = { '@context': 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', type: 'ObjectEvent', eventTime: '2026-11-29T08:00:00Z', eventTimeZoneOffset: '+08:00', action: 'OBSERVE', epcList: [`urn:epc:id:sgtin:0614141.107346.${path.basename(dir).replace(/\W/g, '')}`] };
    const posted = await call(running.url, 'POST', '/epcis/events', { key, body: event });
    expect(posted.status, posted.text).to.equal(201);
    const metrics = await call(running.url, 'GET', '/metrics');
    expect(metrics.status).to.equal(200);
    // the event store's size, which grows with the ledger and is all in memory
    expect(parts.epcis.size, 'the event captured at least').to.be.at.least(1);
    expect(metrics.text).to.match(new RegExp(`^zfc_epcis_events ${parts.epcis.size}$`, 'm'));
    return { refs: [new WeakRef(parts.epcis), new WeakRef(parts.index), new WeakRef(parts.captureJobs), new WeakRef(running)], metrics: metrics.text };
  } finally {
    await running.close();
  }
}

describe('gateway: closing', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await removeDir(dir);
  });

  it('lets the garbage collector take every part of a closed gateway, gateway after gateway', async () => {
    const scrapes: string[] = [];
    const refs: Array<WeakRef<object>> = [];
    for (let i = 0; i < 3; i++) {
      const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'zfc-close-'));
      dirs.push(dir);
      const used = await openUseAndClose(dir);
      refs.push(...used.refs);
      scrapes.push(used.metrics);
    }
    // A WeakRef's target lives to the end of the job that made or read it: collect between turns.
    for (let turn = 0; turn < 5 && refs.some((r) => r.deref() !== undefined); turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    expect(refs.map((r) => r.deref() === undefined)).to.deep.equal(refs.map(() => true));
    for (const text of scrapes) {
      // Each scrape has the process's metrics once, then the gateway's own.
      expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).to.have.length(1);
      expect(text.match(/^# TYPE nodejs_gc_duration_seconds /gm)).to.have.length(1);
      expect(text.match(/^# TYPE zfc_http_requests_total /gm)).to.have.length(1);
      expect(text).to.match(/^zfc_http_requests_total\{method="POST",route="\/epcis\/events",status="201"\} 1$/m);
    }
  });
});
