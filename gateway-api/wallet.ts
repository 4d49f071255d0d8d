/**
 * The gateway's wallet: the X.509 identity each participant acts through, by participant ID.
 * The gateway signs (Fabric) or presents (embedded) as that identity when an API key of the
 * participant calls. Kept in the gateway's own database under the data folder; protect the
 * folder as you would a private key store.
 */
import type { AbstractSublevel } from 'abstract-level';
import type { Identity } from '../ledger-tools/ledger';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sub = AbstractSublevel<any, any, string, Identity>;

/** Identities by participant ID. */
export class Wallet {
  /** Bumped by every put, so whoever remembers identities can tell when to read them again. */
  private puts = 0;

  constructor(private readonly db: Sub) {}

  /** How many identities this wallet has been given since it was opened. */
  get version(): number {
    return this.puts;
  }

  async put(participant: string, identity: Identity): Promise<void> {
    await this.db.put(participant, identity);
    this.puts++;
  }

  async get(participant: string): Promise<Identity | undefined> {
    return this.db.get(participant);
  }

  /** Participant IDs that have an identity. */
  async participants(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of this.db.keys()) out.push(k);
    return out;
  }
}
