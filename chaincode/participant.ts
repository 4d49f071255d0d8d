/**
 * Participants: the first regulator (Init), registration by a regulator, suspension and
 * reinstatement, and identities added or removed later by a regulator (certificates are
 * renewed and people leave). Each identity acts for one participant only; its key is a hash
 * of MSP ID and X.509 ID, never the ID itself, and holds a copy of the participant that every
 * change here rewrites, so that the copy never lags.
 */
import { ZfcError } from './errors';
import { KEY, identityHash } from './keys';
import { callerIdentity, callerIsAdmin, requireRole, type IdentityLink } from './access';
import type { Participant, ParticipantIdentity } from './records';
import { LIMITS, type ParticipantInput, type TransactionInputs } from './schemas';
import type { Tx } from './tx';
import type { EventBodies } from './events';

/** Reads a participant or throws PARTICIPANT_NOT_FOUND. */
export function getParticipant(tx: Tx, id: string): Promise<Participant> {
  return tx.need<Participant>(KEY.participant, [id], () => new ZfcError('PARTICIPANT_NOT_FOUND', `participant ${id} not found`, { id }));
}

async function writeParticipant(tx: Tx, input: ParticipantInput, registeredBy?: string): Promise<Participant> {
  if (await tx.get(KEY.participant, [input.id])) {
    throw new ZfcError('PARTICIPANT_EXISTS', `participant ${input.id} is already registered`, { id: input.id });
  }
  const seen = new Set<string>();
  for (const identity of input.identities) {
    const hash = identityHash(identity.mspId, identity.id);
    if (seen.has(hash) || (await tx.get(KEY.identity, [hash]))) {
      throw new ZfcError('IDENTITY_IN_USE', 'an identity already acts for a participant', { mspId: identity.mspId, id: identity.id });
    }
    seen.add(hash);
  }
  await claimGln(tx, input.gln, input.id);
  const participant: Participant = {
    id: input.id, name: input.name, role: input.role, licence: input.licence, gln: input.gln,
    identities: input.identities.map((i) => ({ mspId: i.mspId, id: i.id })),
    status: 'active', registeredAt: tx.time, ...(registeredBy ? { registeredBy } : {}),
  };
  await putParticipant(tx, participant);
  return participant;
}

/**
 * The participants a GLN identifies: at most one on a ledger initialised with the GLN index
 * (every registration since claims its GLN there). A ledger initialised before the index has
 * participants registered without it, so there a GLN the index does not hold is looked for in
 * every participant (read in key order), and more than one may be found.
 */
export async function participantsWithGln(tx: Tx, gln: string): Promise<string[]> {
  const indexed = await tx.get<GlnClaim>(KEY.gln, [gln]);
  if (indexed) return [indexed.participant];
  if (await tx.get(KEY.meta, [GLN_INDEX])) return [];
  return (await tx.list<Participant>(KEY.participant, [])).filter((e) => e.value.gln === gln).map((e) => e.value.id);
}

/** What the GLN index holds for a GLN. */
interface GlnClaim {
  readonly participant: string;
}

/** The meta key that says every participant of the ledger is in the GLN index (written by Init). */
const GLN_INDEX = 'glnIndex';

/** Records that `gln` identifies participant `id`, or throws GLN_IN_USE if it identifies another already. */
async function claimGln(tx: Tx, gln: string, id: string): Promise<void> {
  const holders = await participantsWithGln(tx, gln);
  if (holders.length > 0) {
    throw new ZfcError('GLN_IN_USE', `GLN ${gln} already identifies participant ${holders[0]}`, { gln, participant: holders[0], field: '/gln' });
  }
  await tx.put(KEY.gln, [gln], { participant: id } satisfies GlnClaim);
}

/** Writes a participant and the copy of it that each of its identity keys holds. */
async function putParticipant(tx: Tx, participant: Participant): Promise<void> {
  await tx.put(KEY.participant, [participant.id], participant);
  for (const identity of participant.identities) {
    const link: IdentityLink = { participant: participant.id, snapshot: participant };
    await tx.put(KEY.identity, [identityHash(identity.mspId, identity.id)], link);
  }
}

/**
 * Init: registers the first regulator. Only once, and only by an admin (OU=admin) of the MSP
 * that the regulator's first identity belongs to, i.e. the regulator organisation's admin.
 */
export async function init(tx: Tx, input: TransactionInputs['Init']): Promise<EventBodies['ParticipantRegistered']> {
  if (await tx.get(KEY.meta, ['init'])) throw new ZfcError('CONFLICT', 'the ledger is already initialised');
  const regulator = input.regulator;
  if (regulator.role !== 'regulator') throw new ZfcError('INVALID_ARGUMENT', 'Init registers a regulator', { field: '/regulator/role' });
  const caller = callerIdentity(tx);
  if (!callerIsAdmin(tx) || !regulator.identities.every((i) => i.mspId === caller.mspId)) {
    throw new ZfcError('FORBIDDEN', 'only an admin of the regulator\'s MSP may initialise the ledger', { mspId: caller.mspId });
  }
  await tx.put(KEY.meta, [GLN_INDEX], { since: tx.txId }); // before the first registration: every participant is in the index
  const participant = await writeParticipant(tx, regulator);
  await tx.put(KEY.meta, ['init'], { regulator: participant.id, mspId: caller.mspId, at: tx.time, txId: tx.txId });
  tx.setCaller(participant);
  return { participant, init: true };
}

/** A regulator registers a participant. */
export async function register(tx: Tx, input: TransactionInputs['RegisterParticipant']): Promise<EventBodies['ParticipantRegistered']> {
  const regulator = await requireRole(tx, ['regulator'], 'register participants');
  return { participant: await writeParticipant(tx, input, regulator.id), init: false };
}

async function setStatus(tx: Tx, id: string, status: Participant['status'], reason: string): Promise<Participant> {
  const regulator = await requireRole(tx, ['regulator'], 'suspend or reinstate participants');
  const participant = await getParticipant(tx, id);
  if (participant.id === regulator.id) throw new ZfcError('INVALID_STATE', 'a regulator cannot change its own status', { id });
  if (participant.status === status) throw new ZfcError('INVALID_STATE', `participant ${id} is already ${status}`, { id, status });
  const updated: Participant = { ...participant, status, statusReason: reason };
  await putParticipant(tx, updated);
  return updated;
}

/** A regulator suspends a participant. */
export async function suspend(tx: Tx, input: TransactionInputs['SuspendParticipant']): Promise<EventBodies['ParticipantSuspended']> {
  return { participant: await setStatus(tx, input.id, 'suspended', input.reason), reason: input.reason };
}

/** A regulator reinstates a participant. */
export async function reinstate(tx: Tx, input: TransactionInputs['ReinstateParticipant']): Promise<EventBodies['ParticipantReinstated']> {
  return { participant: await setStatus(tx, input.id, 'active', input.reason), reason: input.reason };
}

/** The participant an identity key already names, or undefined. */
async function identityOwner(tx: Tx, identity: ParticipantIdentity): Promise<string | undefined> {
  return (await tx.get<IdentityLink>(KEY.identity, [identityHash(identity.mspId, identity.id)]))?.participant;
}

/** A regulator adds an identity to a participant; the identity must act for no one yet. */
export async function addIdentity(tx: Tx, input: TransactionInputs['AddIdentity']): Promise<EventBodies['IdentityAdded']> {
  await requireRole(tx, ['regulator'], 'add identities');
  const participant = await getParticipant(tx, input.participant);
  const identity: ParticipantIdentity = { mspId: input.identity.mspId, id: input.identity.id };
  const owner = await identityOwner(tx, identity);
  if (owner !== undefined) throw new ZfcError('IDENTITY_IN_USE', 'the identity already acts for a participant', { mspId: identity.mspId, id: identity.id, participant: owner });
  if (participant.identities.length >= LIMITS.identities) {
    throw new ZfcError('INVALID_STATE', `a participant has at most ${LIMITS.identities} identities`, { participant: participant.id, limit: LIMITS.identities });
  }
  const updated: Participant = { ...participant, identities: [...participant.identities, identity] };
  await putParticipant(tx, updated);
  return { participant: updated, identity };
}

/** A regulator removes one of a participant's identities; the participant keeps at least one. */
export async function removeIdentity(tx: Tx, input: TransactionInputs['RemoveIdentity']): Promise<EventBodies['IdentityRemoved']> {
  await requireRole(tx, ['regulator'], 'remove identities');
  const participant = await getParticipant(tx, input.participant);
  const identity: ParticipantIdentity = { mspId: input.identity.mspId, id: input.identity.id };
  const kept = participant.identities.filter((i) => i.mspId !== identity.mspId || i.id !== identity.id);
  if (kept.length === participant.identities.length) {
    throw new ZfcError('NOT_FOUND', `the identity does not act for participant ${participant.id}`, { participant: participant.id, mspId: identity.mspId });
  }
  if (kept.length === 0) throw new ZfcError('INVALID_STATE', `participant ${participant.id} must keep at least one identity`, { participant: participant.id });
  await tx.del(KEY.identity, [identityHash(identity.mspId, identity.id)]);
  const updated: Participant = { ...participant, identities: kept };
  await putParticipant(tx, updated);
  return { participant: updated, identity };
}
