/**
 * Who is calling: the caller's X.509 identity is mapped to a participant, and the
 * participant's status and role are checked, before any rule runs.
 *
 * "Admin" (for Init only) is recognised as Fabric's NodeOUs recognise it: the certificate's
 * subject carries `OU=admin`, as cryptogen's `Admin@…` certificates and Fabric CA identities
 * registered with `--id.type admin` do.
 */
import { ClientIdentity } from 'fabric-shim';
import { ZfcError } from './errors';
import { KEY, identityHash } from './keys';
import type { Participant, Role } from './records';
import type { Tx } from './tx';

/** The caller's MSP ID and X.509 ID, as `ctx.clientIdentity` gives them. */
export function callerIdentity(tx: Tx): { mspId: string; id: string } {
  return { mspId: tx.ctx.clientIdentity.getMSPID(), id: tx.ctx.clientIdentity.getID() };
}

/** True if the caller's certificate subject has `OU=admin`. */
export function callerIsAdmin(tx: Tx): boolean {
  const subject = callerIdentity(tx).id.split('::')[1] ?? '';
  return subject.split('/').some((rdn) => rdn.toLowerCase() === 'ou=admin');
}

/**
 * What an identity key holds: the participant's ID and, kept in step by participant.ts, a copy
 * of the participant, so that mapping a caller costs one read (records without the copy fall
 * back to reading the participant).
 */
export interface IdentityLink {
  readonly participant: string;
  readonly snapshot?: Participant;
}

/** The participant an identity acts for, or undefined. */
export async function participantOf(tx: Tx, mspId: string, x509Id: string): Promise<Participant | undefined> {
  const link = await tx.get<IdentityLink>(KEY.identity, [identityHash(mspId, x509Id)]);
  if (!link) return undefined;
  return link.snapshot ?? tx.get<Participant>(KEY.participant, [link.participant]);
}

/** Maps the caller to an active participant and remembers it on the transaction. */
export async function requireParticipant(tx: Tx): Promise<Participant> {
  const { mspId, id } = callerIdentity(tx);
  const participant = await participantOf(tx, mspId, id);
  if (!participant) throw new ZfcError('UNKNOWN_IDENTITY', 'the caller is not registered as a participant', { mspId });
  if (participant.status !== 'active') {
    throw new ZfcError('PARTICIPANT_SUSPENDED', `participant ${participant.id} is suspended`, { participant: participant.id });
  }
  tx.setCaller(participant);
  return participant;
}

/** As {@link requireParticipant}, and the participant must have one of `roles`. */
export async function requireRole(tx: Tx, roles: readonly Role[], action: string): Promise<Participant> {
  const participant = await requireParticipant(tx);
  assertRole(participant, roles, action);
  return participant;
}

/** FORBIDDEN unless the participant has one of `roles`. */
export function assertRole(participant: Participant, roles: readonly Role[], action: string): void {
  if (!roles.includes(participant.role)) {
    throw new ZfcError('FORBIDDEN', `a ${participant.role} may not ${action}`, { role: participant.role, allowed: [...roles], action });
  }
}

/**
 * The X.509 ID that `ctx.clientIdentity.getID()` gives for a certificate
 * (`x509::{subject}::{issuer}`), computed with fabric-shim's own ClientIdentity, so the
 * gateway and tools can register identities exactly as the chaincode will see them.
 */
export function x509IdOf(mspId: string, certificatePem: string): string {
  const stub = {
    getChannelID: () => '',
    getTxID: () => '',
    getCreator: () => ({ mspid: mspId, idBytes: Buffer.from(certificatePem, 'utf8') }),
  };
  return new ClientIdentity(stub as unknown as ConstructorParameters<typeof ClientIdentity>[0]).getID();
}
