/**
 * SHA-256 as hex, the cheapest way the running Node offers: the one-shot `crypto.hash` (Node
 * 20.12+) costs far less than a Hash object per call, which matters where every captured event
 * is hashed; Fabric's Node 18 chaincode image lacks it, so `createHash` stays the fallback.
 * Deterministic either way (same bytes, same digest).
 */
import * as crypto from 'node:crypto';

const oneShot = (crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;

/** The hex SHA-256 of bytes, or of a string's UTF-8 bytes. */
export function sha256Hex(data: string | Buffer): string {
  if (oneShot !== undefined) return oneShot('sha256', data, 'hex');
  return crypto.createHash('sha256').update(data).digest('hex');
}
