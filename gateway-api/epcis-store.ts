/**
 * The EventStore port: where the EPCIS routes capture events and read them back. The routes
 * never know whether answers come from the chaincode (through the Ledger port's submit and
 * evaluate) or from an index kept by the gateway; {@link LedgerEventStore} is the first, and
 * any index only has to answer the same query plan with chaincode/epcis-match.ts.
 */
import type { CaptureErrorBehaviour } from '../chaincode/epcis-capture';
import type { CaptureResult, EventPage, StoredEpcisEvent } from '../chaincode/epcis-ledger';
import type { EpcisQueryPlan } from '../chaincode/epcis-match';
import type { EpcFormat, EventOrder } from './epcis-query';
import type { EpcisDocument } from '../chaincode/epcis-validate';
import { ZfcError } from '../chaincode/errors';
import type { Identity, Ledger } from '../ledger-tools/ledger';
import { CompanyPrefixes } from './company-prefixes';
import { submitRetrying } from './submit-retrying';

/** Captures and reads EPCIS events on behalf of an identity. */
export interface EventStore {
  /**
   * Captures a validated document — all or nothing, or (`behaviour` proceed) every event the
   * rules accept, naming the others in the result's `rejected` — given as the document, or the
   * JSON text it was parsed from (what a request carried), which is then submitted as it is.
   * `committed`, if given, is called once the ledger has committed the capture's transaction,
   * which may be before the returned promise settles (a store that answers only once its own
   * followers have the events): capture jobs then let the next document into the ledger.
   */
  capture(document: EpcisDocument | string, identity: Identity, behaviour?: CaptureErrorBehaviour, committed?: () => void): Promise<CaptureResult>;
  /**
   * One event by eventID, or undefined (also when `viewer`, a participant ID, may not read it;
   * stores that cannot tell who may read what ignore `viewer`).
   */
  get(eventID: string, identity: Identity, viewer?: string): Promise<StoredEpcisEvent | undefined>;
  /**
   * One page of the events matching the plan that `viewer` may read, in `order` if given
   * (stores that keep no order refuse one with NOT_IMPLEMENTED).
   */
  query(plan: EpcisQueryPlan, pageToken: string, identity: Identity, viewer?: string, order?: EventOrder): Promise<EventPage>;
  /**
   * One page of the identifiers of a kind that events name (the EPCIS 2.0 top-level resources
   * `/epcs`, `/readPoints`, `/bizLocations`), canonical, each named by an event `viewer` may
   * read. Stores without an index of them leave it out, and those resources answer 501.
   */
  members?(kind: MemberKind, pageToken: string, perPage: number, viewer?: string): Promise<MemberPage>;
  /**
   * The company prefix lengths answers in EPC URN form are written by (`GS1-EPC-Format:
   * Always_EPC_URN`); a store without them answers such a request only for events that name no
   * GS1 key.
   */
  companyPrefixes?(): CompanyPrefixes;
}

/**
 * The company prefixes an answer in `format` writes EPC URNs by: the store's, asked only for that
 * format (asking makes a store start learning them), none known for a store without them.
 */
export function answerPrefixes(store: Pick<EventStore, 'companyPrefixes'>, format: EpcFormat): CompanyPrefixes | undefined {
  if (format !== 'Always_EPC_URN') return undefined;
  return store.companyPrefixes?.() ?? new CompanyPrefixes();
}

/** The kinds of identifier the top-level resources list. */
export type MemberKind = 'epcs' | 'readPoints' | 'bizLocations';

/** A page of identifiers, and the token of the next page ('' when there is none). */
export interface MemberPage {
  readonly members: readonly string[];
  readonly nextPageToken: string;
  /** When `nextPageToken` expires (RFC 3339), for stores whose tokens do (GS1-Next-Page-Token-Expires). */
  readonly nextPageTokenExpires?: string;
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** The contract's capture function for a capture error behaviour: all or nothing, or proceeding past refused events. */
export function captureFunction(behaviour: CaptureErrorBehaviour): string {
  return behaviour === 'proceed' ? 'CaptureEventsProceeding' : 'CaptureEvents';
}

/** The JSON text a capture submits: a document's own text as received, or the document encoded. */
export function documentText(document: EpcisDocument | string): string {
  return typeof document === 'string' ? document : JSON.stringify(document);
}

/**
 * An EventStore over the `epcis` contract.
 *
 * @example
 * const store = new LedgerEventStore(ledger);
 * await store.capture(doc, identity);
 */
export class LedgerEventStore implements EventStore {
  constructor(private readonly ledger: Ledger, private readonly contract = 'epcis') {}

  async capture(document: EpcisDocument | string, identity: Identity, behaviour: CaptureErrorBehaviour = 'rollback', committed?: () => void): Promise<CaptureResult> {
    const { payload } = await submitRetrying(this.ledger, `${this.contract}:${captureFunction(behaviour)}`, [documentText(document)], identity);
    committed?.();
    return JSON.parse(text(payload)) as CaptureResult;
  }

  async get(eventID: string, identity: Identity): Promise<StoredEpcisEvent | undefined> {
    try {
      return JSON.parse(text(await this.ledger.evaluate(`${this.contract}:GetEvent`, [eventID], identity))) as StoredEpcisEvent;
    } catch (err) {
      if (err instanceof ZfcError && err.code === 'EVENT_NOT_FOUND') return undefined;
      throw err;
    }
  }

  async query(plan: EpcisQueryPlan, pageToken: string, identity: Identity, _viewer?: string, order?: EventOrder): Promise<EventPage> {
    if (order) throw new ZfcError('NOT_IMPLEMENTED', 'the contract answers queries in the order of its keys: orderBy and orderDirection need the gateway\'s event store');
    const raw = await this.ledger.evaluate(`${this.contract}:QueryEvents`, [JSON.stringify(plan), pageToken], identity);
    return JSON.parse(text(raw)) as EventPage;
  }
}
