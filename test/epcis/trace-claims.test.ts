/**
 * Two participants capture the making of one lot of a product the ledger does not manage (the
 * contract has no owner to check it against): the trace keeps the first as the lot's producer,
 * live, after a restart that loads the index from disk, and after a rebuild from the ledger;
 * when the first is declared erroneous the second stands; and the ledger's own record of the
 * lot, once there is one, stands over both. Real gateway, real HTTP.
 */
import path from 'node:path';
import { expect } from 'chai';
import { Level } from 'level';
import { lotUri, toEpcUrn } from '../../chaincode/digital-link';
import { startGateway } from '../../gateway-api/server';
import { gln, removeDir, startTestGateway, withCheck, type TestGateway } from '../gateway/support';
import { ApiClient, traceIndexed } from './api-client';

const COCOA = withCheck('0695000000950');

describe('EPCIS capture: who made a lot, when several captures claim it', function () {
  this.timeout(120_000);
  let t: TestGateway;
  let gw: TestGateway['gw'];
  const api = new ApiClient(() => gw.url);
  const made = (eventID: string, hour: number, quantity: number): Record<string, unknown> => ({
    type: 'ObjectEvent', eventID, eventTime: `2026-08-01T0${hour}:00:00Z`, eventTimeZoneOffset: '+08:00', action: 'ADD', bizStep: 'commissioning', epcList: [],
    quantityList: [{ epcClass: toEpcUrn(lotUri(COCOA, 'C1'), 7), quantity, uom: 'KGM' }],
  });
  const first = made('urn:uuid:5a3c1e52-7a61-4c1b-9d0e-000000000001', 1, 100);
  const second = made('urn:uuid:5a3c1e52-7a61-4c1b-9d0e-000000000002', 2, 999);
  /** The lot's producer and quantity as the trace index shows them, once it has every block. */
  const lot = async (): Promise<[string, number]> => {
    await traceIndexed(gw);
    const r = await api.as('samr', 'GET', `/v1/lots/${COCOA}/C1`);
    expect(r.status, r.text).to.equal(200);
    return [r.body.producer, r.body.quantity];
  };
  const restart = async (): Promise<void> => {
    await gw.close();
    gw = await startGateway(t.config);
  };

  before(async () => {
    t = await startTestGateway();
    gw = t.gw;
    api.keys['samr'] = t.regulatorKey;
    await api.register('samr', [
      { id: 'coop-1', name: 'Cocoa Cooperative', role: 'producer', licence: 'SC-51', gln: gln(151) },
      { id: 'trader-1', name: 'Cocoa Trader', role: 'distributor', licence: 'JY-52', gln: gln(152) },
      { id: 'coop-3', name: 'Registered Cooperative', role: 'producer', licence: 'SC-54', gln: gln(154) },
    ]);
  });

  after(async () => {
    await gw.close();
    await removeDir(t.dir);
  });

  it('keeps the first capture as the maker; a later claim does not rename it, live or after a restart', async () => {
    await api.captureOk('coop-1', [first]);
    await api.captureOk('trader-1', [second]);
    expect(await lot()).to.deep.equal(['coop-1', 100]);
    await restart(); // the index loads from its own database
    expect(await lot()).to.deep.equal(['coop-1', 100]);
    await gw.index.rebuild(gw.ledger, 300); // and from the ledger's events (a rebuild stops following)
    expect(await lot()).to.deep.equal(['coop-1', 100]);
    await restart();
  });

  it('rebuilds, once, a trace index written by an earlier version (one key per lot: the last claim stood), so the first claim stands again', async () => {
    await gw.close();
    // the store as the earlier layout left it: the last claim under L|lot, no layout mark
    const db = new Level<string, unknown>(path.join(t.config.dataDir, 'index'), { valueEncoding: 'json' });
    const claims = await db.iterator({ gte: `L|${COCOA}|C1|`, lt: `L|${COCOA}|C1|~` }).all();
    expect(claims.map(([, v]) => (v as { producer: string }).producer)).to.deep.equal(['coop-1', 'trader-1']);
    await db.batch([...claims.map(([k]) => ({ type: 'del' as const, key: k })), { type: 'put', key: `L|${COCOA}|C1`, value: claims[1]?.[1] }, { type: 'del', key: 'M|layout' }]);
    await db.close();
    gw = await startGateway(t.config);
    expect(await lot()).to.deep.equal(['coop-1', 100]);
    await gw.close(); // the rebuilt store says its layout, so the next start does not rebuild it again
    const reopened = new Level<string, unknown>(path.join(t.config.dataDir, 'index'), { valueEncoding: 'json' });
    expect(await reopened.get('M|layout')).to.equal(2);
    expect((await reopened.iterator({ gte: `L|${COCOA}|C1|`, lt: `L|${COCOA}|C1|~` }).all()).length, 'the claims kept apart again').to.equal(2);
    await reopened.close();
    gw = await startGateway(t.config);
    expect(gw.index.olderLayout).to.equal(false);
    expect(await lot()).to.deep.equal(['coop-1', 100]);
  });

  it('lets the next claim stand once the first is declared erroneous, and keeps it so after a restart', async () => {
    await api.captureOk('coop-1', [{ ...first, errorDeclaration: { declarationTime: '2026-08-02T00:00:00Z', reason: 'did_not_occur' } }]);
    expect(await lot()).to.deep.equal(['trader-1', 999]);
    await restart();
    expect(await lot()).to.deep.equal(['trader-1', 999]);
  });

  it('stands the ledger\'s own record over every capture, once the product is registered and the lot created', async () => {
    expect((await api.as('coop-3', 'POST', '/v1/products', { gtin: COCOA, name: 'Cocoa beans', category: 'cocoa', unit: 'KGM', requiresTest: false })).status).to.equal(201);
    const created = await api.as('coop-3', 'POST', '/v1/lots', { gtin: COCOA, lot: 'C1', quantity: 40, unit: 'KGM', productionDate: '2026-08-03', origin: { gln: gln(154) } });
    expect(created.status, created.text).to.equal(201);
    expect(await lot()).to.deep.equal(['coop-3', 40]);
    await restart();
    expect(await lot()).to.deep.equal(['coop-3', 40]);
  });
});
