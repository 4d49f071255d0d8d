/**
 * The check every call's identity passes before it reaches the chaincode: an MSP ID and an X.509
 * certificate that parses. A malformed identity is the caller's mistake (UNAUTHENTICATED), not a
 * chaincode failure. Parsed certificates are remembered, since callers reuse a few identities.
 */
import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { ZfcError } from '../chaincode/errors';
import type { Identity } from './ledger';

const MAX_REMEMBERED = 1000;
const known = new Set<string>();

/** Throws UNAUTHENTICATED unless `identity` has an MSP ID and a parseable X.509 certificate. */
export function checkIdentity(identity: Identity): void {
  if (!identity || typeof identity !== 'object') throw new ZfcError('UNAUTHENTICATED', 'no identity was given');
  if (typeof identity.mspId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(identity.mspId)) {
    throw new ZfcError('UNAUTHENTICATED', 'the identity has no valid MSP ID');
  }
  if (typeof identity.certificate !== 'string') throw new ZfcError('UNAUTHENTICATED', 'the identity has no certificate');
  if (known.has(identity.certificate)) return;
  try {
    new X509Certificate(identity.certificate);
  } catch {
    throw new ZfcError('UNAUTHENTICATED', 'the identity certificate is not a valid X.509 certificate');
  }
  if (known.size >= MAX_REMEMBERED) known.clear();
  known.add(identity.certificate);
}
