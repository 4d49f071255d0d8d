/**
 * Subscription callbacks go to the public internet only: the gateway refuses a callback URL on
 * its own machine or network (loopback, private, link-local, IPv4 in IPv6, `localhost`) when the
 * subscription is made, and a name that resolves to such an address when a delivery connects,
 * unless the operator allows the host (EPCIS_HTTP_CALLBACK_HOSTS). Real gateway, real DNS
 * lookups of `localhost`, a real callback server on loopback.
 */
import { expect } from 'chai';
import { isPublicAddress, isPublicHost, publicLookup } from '../../gateway-api/public-address';
import { startTestGateway, withCheck, type TestGateway } from '../gateway/support';
import { ApiClient } from './api-client';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver';
import { startEpcisFront, type EpcisFront } from './gateway-front';
import { objectEvent } from './fixtures';

const TOKEN = 'callback-destination-token-0123456789';

describe('EPCIS subscriptions call back public addresses only', function () {
  this.timeout(60_000);

  it('tells public addresses from the gateway\'s own machine and networks', () => {
    for (const a of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '[2606:4700::1111]']) expect(isPublicAddress(a), a).to.equal(true);
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1',
      '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '[::1]', 'localhost', 'not an address']) {
      expect(isPublicAddress(a), a).to.equal(false);
    }
    expect(isPublicHost('example.com')).to.equal(true);
    for (const h of ['localhost', 'LOCALHOST', 'shop.localhost', '127.0.0.1', '[::1]', '10.0.0.5']) expect(isPublicHost(h), h).to.equal(false);
    expect(isPublicHost('10.0.0.5', new Set(['10.0.0.5']))).to.equal(true);
  });

  it('refuses, when a delivery connects, a name that resolves inside the network, unless the operator allows it', async () => {
    const resolve = (allowed: string[]): Promise<string> => new Promise((done) => {
      publicLookup(new Set(allowed))('localhost', {}, (err, address) => done(err ? String(err.code) : String(address)));
    });
    expect(await resolve([])).to.equal('ENOTPUBLIC');
    expect(await resolve(['localhost'])).to.match(/^(127\.0\.0\.1|::1)$/);
  });

  describe('through the gateway', () => {
    let t: TestGateway;
    let front: EpcisFront | undefined;
    let callback: CallbackReceiver;
    const api = new ApiClient((url) => (url.startsWith('/epcis') && front ? front.url : t.gw.url));

    before(async () => {
      t = await startTestGateway(); // no EPCIS_HTTP_CALLBACK_HOSTS: every callback must be public
      api.keys['samr'] = t.regulatorKey;
      await api.register('samr', [{ id: 'shop-c', name: 'Shop', role: 'retailer', licence: 'JY-C', gln: withCheck('695000000070') }]);
      expect((await api.as('shop-c', 'POST', '/epcis/queries', { name: 'mine', query: { EQ_bizStep: 'receiving' } })).status).to.equal(201);
      callback = await startCallbackReceiver('/hook');
    });

    after(async () => {
      await front?.close();
      await callback?.close();
      await t.stop();
    });

    it('refuses a callback URL on the gateway\'s machine or network when subscribing, naming the field', async () => {
      for (const dest of ['https://127.0.0.1:8443/hook', 'https://10.0.0.5/hook', 'https://[::1]/hook', 'https://localhost/hook', 'https://[::ffff:a00:5]/hook', 'https://169.254.169.254/latest', 'http://example.com/hook']) {
        const r = await api.as('shop-c', 'POST', '/epcis/queries/mine/subscriptions', { dest, signatureToken: TOKEN, stream: true });
        expect(r.status, dest).to.equal(400);
        expect(r.body.error.details.errors[0].path, dest).to.equal('/dest');
      }
      const ok = await api.as('shop-c', 'POST', '/epcis/queries/mine/subscriptions', { dest: 'https://callbacks.example.com/hook', signatureToken: TOKEN, stream: true });
      expect(ok.status, ok.text).to.equal(201);
    });

    it('delivers nothing to a name that resolves to loopback, and delivers once the operator allows the name', async () => {
      const dest = callback.url.replace('127.0.0.1', 'localhost');
      for (const allowed of [[], ['localhost']]) {
        await front?.close();
        front = await startEpcisFront(t, { allowDestination: () => true, lookup: publicLookup(new Set(allowed)), attempts: 1 });
        expect((await api.as('shop-c', 'POST', '/epcis/queries', { name: 'mine', query: { EQ_bizStep: 'receiving' } })).status).to.equal(201);
        const sub = await api.as('shop-c', 'POST', '/epcis/queries/mine/subscriptions', { dest, signatureToken: TOKEN, stream: true });
        expect(sub.status, sub.text).to.equal(201);
        await api.captureOk('shop-c', [objectEvent(allowed.length, { eventTime: `2026-08-0${allowed.length + 1}T00:00:00Z`, epcList: [`urn:epc:id:sgtin:0614141.107346.CB${allowed.length}`] })]);
        const path = `/epcis/queries/mine/subscriptions/${sub.body.subscriptionID}`;
        let read = await api.as('shop-c', 'GET', path);
        for (let i = 0; i < 200 && read.body.delivered === 0 && read.body.failed === 0; i++) {
          await new Promise((r) => setTimeout(r, 25));
          read = await api.as('shop-c', 'GET', path);
        }
        if (allowed.length === 0) {
          expect([read.body.delivered, read.body.failed, read.body.lastDelivery?.status], JSON.stringify(read.body)).to.deep.equal([0, 1, 0]);
          expect(callback.deliveries, 'nothing reached the loopback server').to.deep.equal([]);
        } else {
          expect(read.body.delivered, JSON.stringify(read.body)).to.equal(1);
          expect(callback.deliveries).to.have.length(1);
        }
      }
    });
  });
});
