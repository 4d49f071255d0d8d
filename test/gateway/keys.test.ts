/**
 * API keys over HTTP on a real gateway, while it runs: a participant lists, issues and revokes
 * its own keys (a revoked key fails at once; its last active key stays), a regulator does so for
 * anyone, a new key is shown once (a retry gets it as null), and bad requests change nothing.
 */
import { expect } from 'chai';
import { call, gln, startTestGateway, type Reply, type TestGateway } from './support';

describe('gateway: API keys over HTTP', function () {
  this.timeout(60_000);
  let t: TestGateway;
  let base = '';
  const keys: Record<string, string> = {};

  const as = (key: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    call(base, method, url, { key, ...(body !== undefined ? { body } : {}), headers });
  const keyIds = (r: Reply): string[] => (r.body.keys as { id: string }[]).map((k) => k.id);

  before(async () => {
    t = await startTestGateway();
    base = t.gw.url;
    keys['samr'] = t.regulatorKey;
    for (const p of [
      { id: 'farm', name: 'Longjing Farm', role: 'producer', licence: 'SC-1', gln: gln(81) },
      { id: 'shop', name: 'West Lake Market', role: 'retailer', licence: 'JY-1', gln: gln(82) },
    ]) {
      const r = await as(keys['samr'] as string, 'POST', '/v1/participants', p);
      expect(r.status, r.text).to.equal(201);
      keys[p.id] = r.body.apiKey;
    }
  });

  after(async () => {
    await t.stop();
  });

  it('lets a participant issue a key, see it once, list its keys and revoke one, which fails at once', async () => {
    const farm = keys['farm'] as string;
    const mine = await as(farm, 'GET', '/v1/keys');
    expect(mine.status, mine.text).to.equal(200);
    expect(mine.body.keys).to.have.length(1);
    expect(mine.body.keys[0]).to.include({ participant: 'farm', label: 'issued at registration', current: true });
    const first = mine.body.keys[0].id as string;

    const issued = await as(farm, 'POST', '/v1/keys', { label: '收银台 till 2' }, { 'idempotency-key': 'till-2' });
    expect(issued.status, issued.text).to.equal(201);
    expect(issued.body).to.include({ participant: 'farm', label: '收银台 till 2', current: false });
    expect(issued.body.key).to.match(/^zfc_[A-Za-z0-9_-]{43}$/);
    const till = issued.body.key as string;
    // a retry gets the same answer without the key, and issues none
    const retried = await as(farm, 'POST', '/v1/keys', { label: '收银台 till 2' }, { 'idempotency-key': 'till-2' });
    expect([retried.status, retried.headers.get('idempotent-replayed'), retried.body.id, retried.body.key]).to.deep.equal([201, 'true', issued.body.id, null]);
    expect((await as(till, 'GET', '/v1/lots')).status, 'the new key works').to.equal(200);
    const listed = await as(till, 'GET', '/v1/keys');
    expect(keyIds(listed)).to.have.members([first, issued.body.id]);
    expect(listed.body.keys.find((k: { id: string }) => k.id === issued.body.id).current).to.equal(true);
    expect(listed.text, 'keys are never listed').to.not.include(till).and.not.include(farm);

    const revoked = await as(farm, 'POST', `/v1/keys/${issued.body.id}/revocation`);
    expect(revoked.status, revoked.text).to.equal(200);
    expect(revoked.body.revokedAt).to.be.a('string');
    const refused = await as(till, 'GET', '/v1/lots');
    expect([refused.status, refused.body.error.code], 'revoked at once, no restart').to.deep.equal([401, 'UNAUTHENTICATED']);
    // revoking it again changes nothing; the farm's own last active key it may not revoke
    expect((await as(farm, 'POST', `/v1/keys/${issued.body.id}/revocation`, {})).body.revokedAt).to.equal(revoked.body.revokedAt);
    const last = await as(farm, 'POST', `/v1/keys/${first}/revocation`);
    expect([last.status, last.body.error.code]).to.deep.equal([409, 'CONFLICT']);
    expect((await as(farm, 'GET', '/v1/lots')).status, 'still works').to.equal(200);
  });

  it('keeps each participant to its own keys', async () => {
    const shopKeys = keyIds(await as(keys['samr'] as string, 'GET', '/v1/keys?participant=shop'));
    expect(shopKeys).to.have.length(1);
    const theirs = await as(keys['farm'] as string, 'POST', `/v1/keys/${shopKeys[0]}/revocation`);
    expect([theirs.status, theirs.body.error.code], 'another\'s key is as absent as an unknown one').to.deep.equal([404, 'NOT_FOUND']);
    expect((await as(keys['farm'] as string, 'POST', '/v1/keys/k_000000000000/revocation')).status).to.equal(404);
    const list = await as(keys['farm'] as string, 'GET', '/v1/keys?participant=shop');
    expect([list.status, list.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    const issue = await as(keys['farm'] as string, 'POST', '/v1/keys', { participant: 'shop' });
    expect([issue.status, issue.body.error.code]).to.deep.equal([403, 'FORBIDDEN']);
    expect(keyIds(await as(keys['samr'] as string, 'GET', '/v1/keys?participant=shop')), 'nothing changed').to.deep.equal(shopKeys);
  });

  it('lets a regulator list anyone\'s keys, issue one to a participant and revoke any', async () => {
    const samr = keys['samr'] as string;
    const all = await as(samr, 'GET', '/v1/keys');
    expect([...new Set((all.body.keys as { participant: string }[]).map((k) => k.participant))]).to.have.members(['samr', 'farm', 'shop']);
    const issued = await as(samr, 'POST', '/v1/keys', { participant: 'shop', label: 'reissued' });
    expect(issued.status, issued.text).to.equal(201);
    expect(issued.body).to.include({ participant: 'shop', label: 'reissued' });
    const asShop = await as(issued.body.key, 'GET', '/v1/keys');
    expect((asShop.body.keys as { participant: string }[]).every((k) => k.participant === 'shop')).to.equal(true);
    // in an incident: every key of the shop revoked, the last one too
    for (const id of keyIds(asShop)) expect((await as(samr, 'POST', `/v1/keys/${id}/revocation`)).status).to.equal(200);
    expect((await as(issued.body.key, 'GET', '/v1/lots')).status).to.equal(401);
    expect((await as(keys['shop'] as string, 'GET', '/v1/lots')).status).to.equal(401);
    const unknown = await as(samr, 'POST', '/v1/keys', { participant: 'nobody' });
    expect([unknown.status, unknown.body.error.code]).to.deep.equal([404, 'PARTICIPANT_NOT_FOUND']);
  });

  it('refuses bad requests with the field named, and issues nothing', async () => {
    const farm = keys['farm'] as string;
    const before = keyIds(await as(farm, 'GET', '/v1/keys'));
    for (const [body, field] of [
      [[], '/'], ['"till"', '/'], [{ label: 'x'.repeat(101) }, '/label'], [{ label: 'a\u0000b' }, '/label'], [{ label: 5 }, '/label'],
      [{ participant: 'a|b' }, '/participant'], [{ participant: '' }, '/participant'], [{ role: 'regulator' }, '/role'], [{ __proto__: { admin: true }, label: 'x', admin: true }, '/admin'],
    ] as const) {
      const r = await as(farm, 'POST', '/v1/keys', body);
      expect([r.status, r.body.error?.code, r.body.error?.details?.field], JSON.stringify(body)).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
    for (const [method, url, body, field] of [
      ['POST', '/v1/keys/farm/revocation', undefined, 'id'],
      ['POST', `/v1/keys/${before[0] ?? ''}/revocation`, { reason: 'x' }, '/'],
      ['GET', '/v1/keys?owner=farm', undefined, 'owner'],
      ['GET', '/v1/keys?participant=a%7Cb', undefined, 'participant'],
      ['GET', '/v1/keys?participant=farm&participant=shop', undefined, 'participant'],
    ] as const) {
      const r = await as(farm, method, url, body);
      expect([r.status, r.body.error?.code, r.body.error?.details?.field], `${method} ${url}`).to.deep.equal([400, 'INVALID_ARGUMENT', field]);
    }
    const huge = await call(base, 'POST', '/v1/keys', { key: farm, body: JSON.stringify({ label: 'x'.repeat(3_000_000) }) });
    expect(huge.status).to.equal(413);
    expect(keyIds(await as(farm, 'GET', '/v1/keys')), 'nothing issued').to.deep.equal(before);
    expect((await call(base, 'GET', '/v1/keys')).status, 'no key, no keys').to.equal(401);
  });
});
