/**
 * A committed chaincode event's payload, decoded once for every follower of the ledger. The
 * trace index and the EPCIS projection both read each event; decoding is a JSON parse of the
 * whole payload (all the events of a capture), so each decoding is remembered against the
 * payload's bytes and handed to the second reader. The embedded ledger gives followers at its
 * head the same event objects; another ledger's followers each decode their own (no harm).
 *
 * Captured EPCIS events are read only through decodeEpcisCaptured (the contract's own decoder:
 * the payload's format is the contract's business), with the event's write set, which holds the
 * captured events' records (the payload names them); every other payload through decodeEvent.
 */
import { decodeEpcisCaptured, type EpcisCapturedEnvelope } from '../chaincode/epcis-capture';
import { decodeEvent, type AnyEventEnvelope } from '../chaincode/events';
import type { LedgerEvent } from '../ledger-tools/ledger';

/** What a payload holds: a capture of EPCIS events, an envelope of the main contract, or neither. */
export type DecodedPayload =
  | { readonly kind: 'captured'; readonly captured: EpcisCapturedEnvelope }
  | { readonly kind: 'envelope'; readonly envelope: AnyEventEnvelope }
  | { readonly kind: 'foreign' };

const FOREIGN: DecodedPayload = { kind: 'foreign' };

const decoded = new WeakMap<Uint8Array, DecodedPayload>();

/**
 * The decoded payload of a ledger event (the same object for every caller with the same
 * payload bytes). Callers must not change what it holds.
 *
 * @throws CaptureWritesMissingError (chaincode/epcis-capture.ts) for a capture whose event came
 *   without the writes that hold its events (`event.writes`): a ledger's bug, never hidden by
 *   answering with no events.
 * @example
 * const d = decodedPayload(event);
 * if (d.kind === 'captured') for (const stored of d.captured.body.events) index(stored);
 */
export function decodedPayload(event: LedgerEvent): DecodedPayload {
  const known = decoded.get(event.payload);
  if (known) return known;
  const fresh = decode(event);
  decoded.set(event.payload, fresh);
  return fresh;
}

function decode(event: LedgerEvent): DecodedPayload {
  const captured = decodeEpcisCaptured(event.payload, event.writes);
  if (captured) return { kind: 'captured', captured };
  try {
    return { kind: 'envelope', envelope: decodeEvent(event.payload) };
  } catch {
    return FOREIGN;
  }
}
