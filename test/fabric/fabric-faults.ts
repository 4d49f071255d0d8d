/**
 * What only a real Fabric network can show: endorsement and ordering that survive a stopped
 * node, bounded MVCC retries, clear LEDGER_UNAVAILABLE errors instead of hangs, and event
 * streams that resume from a checkpoint — after a gateway restart or a dropped connection —
 * with no gap and no duplicate. Runs against the kv test contract (test/ledger/kv-contract.ts).
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { openFabricLedger } from '../../ledger-tools/fabric-ledger';
import type { Checkpoint, Ledger, LedgerEvent } from '../../ledger-tools/ledger';
import type { TestNetwork } from './fabric-network';

/** Collects events until `done` says so (or the deadline passes), then stops the stream. */
export async function collect(
  ledger: Ledger,
  after: Checkpoint | undefined,
  done: (events: LedgerEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for await (const event of ledger.events(after ? { after, signal: controller.signal } : { signal: controller.signal })) {
      events.push(event);
      if (done(events)) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

/** The txIds of kv.put events for keys that start with `prefix`. */
function putTxIds(events: readonly LedgerEvent[], prefix: string): string[] {
  return events
    .filter((e) => e.eventName === 'kv.put' && (JSON.parse(Buffer.from(e.payload).toString('utf8')) as { key: string }).key.startsWith(prefix))
    .map((e) => e.txId);
}

/** Waits until `condition` holds, checking every 100 ms, for at most `ms`. */
async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function rejection(promise: Promise<unknown>): Promise<ZfcError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(ZfcError);
    return err as ZfcError;
  }
  throw new Error('expected a rejection');
}

/** Puts `count` keys `${prefix}${i}` one after another; returns their txIds in commit order. */
async function putSeries(ledger: Ledger, network: TestNetwork, prefix: string, count: number, as = 'farm'): Promise<string[]> {
  const ids: string[] = [];
  const who = network.network.participants[as];
  if (!who) throw new Error(`no participant ${as}`);
  for (let i = 0; i < count; i++) ids.push((await ledger.submit('Put', [`${prefix}${i}`, String(i)], who)).txId);
  return ids;
}

/** Fault tests on a network started with one orderer and the kv chaincode. */
export function faultTests(net: () => TestNetwork): void {
  let ledger: Ledger;
  const p = (name: string) => {
    const participant = net().network.participants[name];
    if (!participant) throw new Error(`no participant ${name}`);
    return participant;
  };

  before(async () => {
    ledger = await openFabricLedger(net().network.ledgerOptions('kv'));
  });
  after(async () => ledger?.close());

  it('commits a write that a majority of organisations endorsed, and reads it back', async () => {
    const result = await ledger.submit('Put', ['fault-basic', 'v1'], p('distributor'));
    expect(result.txId).to.match(/^[0-9a-f]{64}$/);
    expect(result.blockNumber).to.be.greaterThan(0);
    expect(Buffer.from(await ledger.evaluate('Get', ['fault-basic'], p('lab'))).toString()).to.equal('v1');
  });

  it('brings a chaincode error back with its catalogue code and details', async () => {
    const error = await rejection(ledger.evaluate('Get', ['fault-missing'], p('farm')));
    expect(error.code).to.equal('NOT_FOUND');
    expect(error.details).to.deep.equal({ key: 'fault-missing' });
    const failed = await rejection(ledger.submit('PutThenFail', ['fault-ptf', 'x'], p('farm')));
    expect(failed.code).to.equal('CONFLICT');
    expect((await rejection(ledger.evaluate('Get', ['fault-ptf'], p('farm')))).code).to.equal('NOT_FOUND');
  });

  it('surfaces MVCC_READ_CONFLICT without retries, and absorbs it with bounded retries', async () => {
    const options = net().network.ledgerOptions('kv');
    const strict = await openFabricLedger({ ...options, mvccRetries: 0 });
    const patient = await openFabricLedger({ ...options, mvccRetries: 8 });
    try {
      const raced = await Promise.allSettled([1, 2, 3, 4].map(() => strict.submit('Increment', ['fault-counter-a'], p('farm'))));
      const codes = raced.map((r) => (r.status === 'rejected' ? (r.reason as ZfcError).code : 'OK'));
      expect(codes).to.include('MVCC_READ_CONFLICT');
      const wins = codes.filter((c) => c === 'OK').length;
      expect(Buffer.from(await strict.evaluate('Get', ['fault-counter-a'], p('farm'))).toString()).to.equal(String(wins));

      await Promise.all([1, 2, 3].map(() => patient.submit('Increment', ['fault-counter-b'], p('farm'))));
      expect(Buffer.from(await patient.evaluate('Get', ['fault-counter-b'], p('farm'))).toString()).to.equal('3');
    } finally {
      await strict.close();
      await patient.close();
    }
  });

  it('keeps committing writes while one organisation’s peer is stopped', async () => {
    await net().node('stop', 'peer.trade');
    try {
      // The retailer's own peer is down: its call moves to another organisation's peer,
      // and the two organisations still up satisfy the majority policy.
      const ids = await putSeries(ledger, net(), 'fault-peerdown-', 2, 'retailer');
      ids.push(...(await putSeries(ledger, net(), 'fault-peerdown-farm-', 1, 'farm')));
      expect(ids).to.have.length(3);
      expect(Buffer.from(await ledger.evaluate('Get', ['fault-peerdown-1'], p('regulator'))).toString()).to.equal('1');
    } finally {
      await net().node('start', 'peer.trade');
    }
  });

  it('fails with LEDGER_UNAVAILABLE, not a hang, when no peer can be reached', async () => {
    const options = net().network.ledgerOptions('kv');
    const tradeOnly = options.peers.filter((peer) => peer.mspId === 'TradeMSP');
    const ledgerOnTrade = await openFabricLedger({ ...options, peers: tradeOnly, timeouts: { evaluate: 3000, endorse: 3000 } });
    await net().node('stop', 'peer.trade');
    try {
      const started = Date.now();
      expect((await rejection(ledgerOnTrade.submit('Put', ['fault-unreachable', 'x'], p('retailer')))).code).to.equal('LEDGER_UNAVAILABLE');
      expect((await rejection(ledgerOnTrade.evaluate('Get', ['fault-basic'], p('retailer')))).code).to.equal('LEDGER_UNAVAILABLE');
      expect(Date.now() - started).to.be.lessThan(10_000);
    } finally {
      await ledgerOnTrade.close();
      await net().node('start', 'peer.trade');
    }
    const nowhere = { ...options, peers: [{ ...options.peers[0]!, endpoint: '127.0.0.1:9' }] };
    expect((await rejection(openFabricLedger(nowhere))).code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('fails with LEDGER_UNAVAILABLE, not a hang, while the only orderer is down, and recovers', async () => {
    await net().node('stop', 'orderer1');
    try {
      const started = Date.now();
      const error = await rejection(ledger.submit('Put', ['fault-noorderer', 'x'], p('farm')));
      expect(error.code).to.equal('LEDGER_UNAVAILABLE');
      expect(error.txId).to.match(/^[0-9a-f]{64}$/);
      expect(Date.now() - started).to.be.lessThan(20_000);
    } finally {
      await net().node('start', 'orderer1');
    }
    expect(await submitWithin(ledger, 'fault-orderer-back', p('farm'), 30_000)).to.equal('fault-orderer-back');
  });

  it('resumes events after a gateway restart from the checkpoint, with no gap and no duplicate', async () => {
    const prefix = `fault-restart-${Date.now()}-`;
    const first = await putSeries(ledger, net(), prefix, 3);
    const before = await collect(ledger, undefined, (events) => putTxIds(events, prefix).length >= 2);
    expect(putTxIds(before, prefix)).to.deep.equal(first.slice(0, 2));
    const checkpoint = before[before.length - 1]!;
    await ledger.close();

    ledger = await openFabricLedger(net().network.ledgerOptions('kv'));
    const more = await putSeries(ledger, net(), prefix + 'b', 3);
    const after = await collect(ledger, checkpoint, (events) => events.some((e) => e.txId === more[2]));
    const seen = after.map((e) => e.txId);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(putTxIds(after, prefix)).to.deep.equal([first[2], ...more]);
    expect(after.every((e) => e.blockNumber > checkpoint.blockNumber || e.txIndex > checkpoint.txIndex)).to.equal(true);
  });

  it('keeps an event stream going across a dropped peer connection, with no gap and no duplicate', async () => {
    const prefix = `fault-drop-${Date.now()}-`;
    const start = { blockNumber: (await ledger.height()) - 1, txIndex: Number.MAX_SAFE_INTEGER };
    const expected: string[] = [];
    const events: LedgerEvent[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      for await (const event of ledger.events({ after: start, signal: controller.signal })) events.push(event);
    })();
    try {
      expected.push(...(await putSeries(ledger, net(), prefix, 2)));
      // The stream reads through the regulator's peer (the ledger signs as the regulator).
      await net().node('stop', 'peer.regulator');
      expected.push(...(await putSeries(ledger, net(), prefix + 'x', 2)));
      await net().node('start', 'peer.regulator');
      expected.push(...(await putSeries(ledger, net(), prefix + 'y', 2)));
      await until(() => expected.every((id) => events.some((e) => e.txId === id)), 60_000);
    } finally {
      controller.abort();
      await reading;
    }
    const seen = events.map((e) => e.txId);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(putTxIds(events, prefix)).to.deep.equal(expected);
  });
}

/** Ordering with three Raft orderers, one of which (the leader) is stopped. */
export function ordererFaultTests(net: () => TestNetwork): void {
  it('keeps ordering with three orderers while the Raft leader is stopped', async () => {
    const ledger = await openFabricLedger(net().network.ledgerOptions('kv'));
    const farm = net().network.participants['farm']!;
    try {
      await ledger.submit('Put', ['raft-before', '1'], farm);
      const leader = await raftLeader(net());
      await net().node('stop', leader);
      try {
        // A new leader is elected within a few seconds; until then the gateway may refuse.
        const result = await submitWithin(ledger, 'raft-during', farm, 30_000);
        expect(result).to.equal('raft-during');
        expect(Buffer.from(await ledger.evaluate('Get', ['raft-during'], farm)).toString()).to.equal('raft-during');
      } finally {
        await net().node('start', leader);
      }
    } finally {
      await ledger.close();
    }
  });
}

/** The orderer that leads the Raft cluster, from its Prometheus metrics. */
async function raftLeader(net: TestNetwork): Promise<string> {
  const base = portBaseOf(net);
  for (let k = 1; k <= 3; k++) {
    const res = await fetch(`http://127.0.0.1:${base + 50 + 10 * (k - 1) + 4}/metrics`);
    if (/consensus_etcdraft_is_leader\{channel="zfc"\} 1/.test(await res.text())) return `orderer${k}`;
  }
  return 'orderer1';
}

function portBaseOf(net: TestNetwork): number {
  const peer = net.network.peers.find((p) => p.mspId === 'RegulatorMSP');
  return Number(peer?.endpoint.split(':')[1]) - 151;
}

async function submitWithin(ledger: Ledger, key: string, who: Parameters<Ledger['submit']>[2], ms: number): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return Buffer.from((await ledger.submit('Put', [key, key], who)).payload).toString();
    } catch (err) {
      if (!(err instanceof ZfcError) || err.code !== 'LEDGER_UNAVAILABLE' || Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
