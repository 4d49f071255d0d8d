/**
 * API keys: each bound to one participant; the gateway submits as that participant's identity.
 *
 * A key is `zfc_` + 32 random bytes (base64url), shown once at creation. Only its SHA-256 is
 * stored, so a copy of the database does not give anyone a working key; a lookup by hash
 * needs no comparison loop that could leak timing.
 *
 * @example
 * const { id, key } = await keys.create({ participant: 'farm-1', label: 'till 3' });
 * const caller = await keys.authenticate(`Bearer ${key}`);
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AbstractSublevel } from 'abstract-level';
import { ZfcError } from '../chaincode/errors';
import type { Identity } from '../ledger-tools/ledger';
import type { Wallet } from './wallet';

/** A stored key (never the key itself). */
export interface ApiKeyRecord {
  readonly id: string;
  readonly participant: string;
  readonly label: string;
  readonly createdAt: string;
  readonly revokedAt?: string;
}

/** An authenticated caller. */
export interface Caller {
  readonly keyId: string;
  readonly participant: string;
  readonly identity: Identity;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, any, string, ApiKeyRecord>;

/** SHA-256 of a key, hex. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Callers remembered before the memory starts afresh. */
const REMEMBERED = 10_000;

/** The API key store. */
export class ApiKeys {
  /**
   * Callers already authenticated, by key hash, with the wallet version they were read at: every
   * request authenticates, and two database reads a request were a large part of a small one's
   * cost. Keys are revoked through {@link revoke} (in this process: the database has one
   * process), which forgets them all.
   */
  private readonly known = new Map<string, { readonly caller: Caller; readonly walletVersion: number }>();

  constructor(
    private readonly db: Sub,
    private readonly wallet: Wallet,
  ) {}

  /** Creates a key for a participant that has an identity in the wallet; returns the key once. */
  async create(options: { participant: string; label?: string }): Promise<{ id: string; key: string; record: ApiKeyRecord }> {
    if (!(await this.wallet.get(options.participant))) {
      throw new ZfcError('PARTICIPANT_NOT_FOUND', `no identity in the wallet for participant ${options.participant}`, { participant: options.participant });
    }
    const key = `zfc_${randomBytes(32).toString('base64url')}`;
    const hash = hashKey(key);
    const record: ApiKeyRecord = { id: `k_${hash.slice(0, 12)}`, participant: options.participant, label: (options.label ?? '').slice(0, 100), createdAt: new Date().toISOString() };
    await this.db.put(hash, record);
    return { id: record.id, key, record };
  }

  /** The caller a `Bearer` Authorization header names; UNAUTHENTICATED otherwise. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    const m = /^Bearer\s+(zfc_[A-Za-z0-9_-]{43})\s*$/.exec(authorization ?? '');
    if (!m) throw new ZfcError('UNAUTHENTICATED', 'an API key is required (Authorization: Bearer zfc_…)');
    const hash = hashKey(m[1] as string);
    const known = this.known.get(hash);
    if (known && known.walletVersion === this.wallet.version) return known.caller;
    const walletVersion = this.wallet.version;
    const record = await this.db.get(hash);
    if (!record || record.revokedAt) throw new ZfcError('UNAUTHENTICATED', 'the API key is unknown or revoked');
    const identity = await this.wallet.get(record.participant);
    if (!identity) throw new ZfcError('UNAUTHENTICATED', 'the API key has no identity');
    const caller: Caller = { keyId: record.id, participant: record.participant, identity };
    if (this.known.size >= REMEMBERED) this.known.clear();
    this.known.set(hash, { caller, walletVersion });
    return caller;
  }

  /** Revokes a key by its ID; true if it existed and was active. */
  async revoke(id: string): Promise<boolean> {
    this.known.clear();
    for await (const [hash, record] of this.db.iterator()) {
      if (record.id !== id || record.revokedAt) continue;
      await this.db.put(hash, { ...record, revokedAt: new Date().toISOString() });
      return true;
    }
    return false;
  }

  /** Every key record (active and revoked). */
  async list(): Promise<ApiKeyRecord[]> {
    const out: ApiKeyRecord[] = [];
    for await (const record of this.db.values()) out.push(record);
    return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }
}
