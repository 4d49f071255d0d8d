/**
 * The gateway's own level database (`$ZFC_DATA/gateway`): API key hashes, the wallet of
 * participant identities, idempotency records and the embedded deployment's certificate
 * authorities. Apart from the ledger and the trace index, which are derived or shared.
 */
import { Level } from 'level';
import type { CertificateAuthorityPem } from '../ledger-tools/certificate-authority';
import type { Identity } from '../ledger-tools/ledger';
import { ApiKeys, type ApiKeyRecord } from './api-keys';
import { EpcisRecords } from './epcis-records';
import { IdempotencyStore, type RecordedAnswer } from './idempotency';
import { Wallet } from './wallet';

/** The opened gateway database and the stores on it. */
export class GatewayStore {
  readonly wallet: Wallet;
  readonly keys: ApiKeys;
  readonly idempotency: IdempotencyStore;
  /** EPCIS named queries, subscriptions, undone deliveries and capture jobs. */
  readonly epcis: EpcisRecords;

  private constructor(private readonly db: Level<string, unknown>) {
    this.wallet = new Wallet(db.sublevel<string, Identity>('wallet', { valueEncoding: 'json' }));
    this.keys = new ApiKeys(db.sublevel<string, ApiKeyRecord>('keys', { valueEncoding: 'json' }), this.wallet);
    this.idempotency = new IdempotencyStore(db.sublevel<string, RecordedAnswer>('idempotency', { valueEncoding: 'json' }));
    this.epcis = new EpcisRecords(db.sublevel<string, unknown>('epcis', { valueEncoding: 'json' }));
  }

  /** Opens (creating) the database in `dir`. */
  static async open(dir: string): Promise<GatewayStore> {
    const db = new Level<string, unknown>(dir, { valueEncoding: 'json' });
    await db.open();
    return new GatewayStore(db);
  }

  /** A saved certificate authority of an MSP (embedded deployments issue identities with it). */
  async getCa(mspId: string): Promise<CertificateAuthorityPem | undefined> {
    return (await this.db.get(`ca|${mspId}`)) as CertificateAuthorityPem | undefined;
  }

  async putCa(ca: CertificateAuthorityPem): Promise<void> {
    await this.db.put(`ca|${ca.mspId}`, ca);
  }

  /** A small named value (demo seeding state and the like). */
  async getMeta(name: string): Promise<unknown> {
    return this.db.get(`meta|${name}`);
  }

  async putMeta(name: string, value: unknown): Promise<void> {
    await this.db.put(`meta|${name}`, value);
  }

  async close(): Promise<void> {
    await this.epcis.settled();
    await this.db.close();
  }
}
