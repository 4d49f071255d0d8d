/**
 * Identities added to and removed from a participant after registration: a new certificate
 * acts at once, a removed one is refused at once, the identity keys' copies of the participant
 * follow every change (a suspension seen through the new identity too), an identity never acts
 * for two participants, a participant keeps at least one, and only a regulator may do any of it.
 */
import { expect } from 'chai';
import { x509IdOf, type Participant } from '../../chaincode';
import { actor, allEvents, expectCode, gtin, openWorld, type World } from './support';
import type { Identity } from '../../ledger-tools';

describe('chaincode: adding and removing identities', function () {
  let w: World;
  let renewed: Identity;
  const idOf = (i: Identity) => ({ mspId: i.mspId, id: x509IdOf(i.mspId, i.certificate) });
  before(async () => {
    w = await openWorld();
    renewed = await w.issue('TradeMSP', 'shop-renewed@zfc');
  });
  after(async () => w?.close());

  async function refused(fn: string, input: unknown, who: Parameters<World['submit']>[2], code: Parameters<typeof expectCode>[1]): Promise<void> {
    const height = await w.ledger.height();
    await expectCode(w.submit(fn, input, who), code);
    expect(await w.ledger.height(), `${fn} committed a block`).to.equal(height);
  }

  it('a regulator adds an identity; it acts for the participant at once, with its own event', async () => {
    await expectCode(w.evaluate('GetCaller', {}, renewed), 'UNKNOWN_IDENTITY');
    const answer = await w.submit<{ type: string; body: { participant: Participant } }>('AddIdentity', { participant: 'shop', identity: idOf(renewed) }, actor(w, 'samr'));
    expect(answer.type).to.equal('IdentityAdded');
    expect(answer.body.participant.identities).to.have.length(2);
    expect((await w.evaluate<Participant>('GetCaller', {}, renewed)).id).to.equal('shop');
    const events = await allEvents(w);
    const last = events[events.length - 1];
    expect(last?.eventName).to.equal('IdentityAdded');
    expect(last?.type === 'IdentityAdded' && last.body.identity).to.deep.equal(idOf(renewed));
  });

  it('the identity keys\' copies follow a suspension and a reinstatement', async () => {
    await w.submit('SuspendParticipant', { id: 'shop', reason: 'audit' }, actor(w, 'samr'));
    await expectCode(w.evaluate('GetCaller', {}, renewed), 'PARTICIPANT_SUSPENDED');
    await expectCode(w.evaluate('GetCaller', {}, actor(w, 'shop')), 'PARTICIPANT_SUSPENDED');
    await w.submit('ReinstateParticipant', { id: 'shop', reason: 'ok' }, actor(w, 'samr'));
    expect((await w.evaluate<Participant>('GetCaller', {}, renewed)).status).to.equal('active');
  });

  it('refuses an identity already acting for anyone (IDENTITY_IN_USE), and non-regulators', async () => {
    await refused('AddIdentity', { participant: 'shop-b', identity: idOf(renewed) }, actor(w, 'samr'), 'IDENTITY_IN_USE');
    await refused('AddIdentity', { participant: 'shop', identity: idOf(renewed) }, actor(w, 'samr'), 'IDENTITY_IN_USE');
    await refused('AddIdentity', { participant: 'shop-b', identity: idOf(actor(w, 'dist').identity) }, actor(w, 'samr'), 'IDENTITY_IN_USE');
    const spare = await w.issue('TradeMSP', 'spare@zfc');
    for (const who of ['shop', 'farm-a', 'mill', 'lab', 'dist']) {
      await refused('AddIdentity', { participant: who, identity: idOf(spare) }, actor(w, who), 'FORBIDDEN');
      await refused('RemoveIdentity', { participant: 'shop', identity: idOf(renewed) }, actor(w, who), 'FORBIDDEN');
    }
    await refused('AddIdentity', { participant: 'nobody', identity: idOf(spare) }, actor(w, 'samr'), 'PARTICIPANT_NOT_FOUND');
    await refused('AddIdentity', { participant: 'shop', identity: { mspId: 'TradeMSP', id: 'admin' } }, actor(w, 'samr'), 'INVALID_ARGUMENT');
    await refused('AddIdentity', { participant: 'shop', identity: idOf(spare), extra: 1 }, actor(w, 'samr'), 'INVALID_ARGUMENT');
    await refused('AddIdentity', { participant: 'a\u0000b', identity: idOf(spare) }, actor(w, 'samr'), 'INVALID_ARGUMENT');
    await expectCode(w.evaluate('GetCaller', {}, spare), 'UNKNOWN_IDENTITY');
  });

  it('removes an identity: refused at once, its key gone, and it may then act for another participant', async () => {
    const answer = await w.submit<{ type: string; body: { participant: Participant } }>('RemoveIdentity', { participant: 'shop', identity: idOf(actor(w, 'shop').identity) }, actor(w, 'samr'));
    expect(answer.type).to.equal('IdentityRemoved');
    expect(answer.body.participant.identities).to.deep.equal([idOf(renewed)]);
    await expectCode(w.evaluate('GetCaller', {}, actor(w, 'shop')), 'UNKNOWN_IDENTITY');
    await refused('RegisterProduct', { gtin: gtin(77), name: 'x', category: 'x', unit: 'KGM', requiresTest: false }, actor(w, 'shop'), 'UNKNOWN_IDENTITY');
    expect((await w.evaluate<Participant>('GetCaller', {}, renewed)).id).to.equal('shop');
    await w.submit('AddIdentity', { participant: 'shop-b', identity: idOf(actor(w, 'shop').identity) }, actor(w, 'samr'));
    expect((await w.evaluate<Participant>('GetCaller', {}, actor(w, 'shop'))).id).to.equal('shop-b');
  });

  it('a participant keeps at least one identity; removing one it does not have is NOT_FOUND', async () => {
    await refused('RemoveIdentity', { participant: 'shop', identity: idOf(renewed) }, actor(w, 'samr'), 'INVALID_STATE');
    await refused('RemoveIdentity', { participant: 'shop', identity: idOf(actor(w, 'dist').identity) }, actor(w, 'samr'), 'NOT_FOUND');
    await refused('RemoveIdentity', { participant: 'nobody', identity: idOf(renewed) }, actor(w, 'samr'), 'PARTICIPANT_NOT_FOUND');
    expect((await w.evaluate<Participant>('GetCaller', {}, renewed)).id).to.equal('shop');
  });
});
