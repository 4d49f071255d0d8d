/**
 * The EPCIS evidence of a RecordScans transaction: scans of one kind at one place and time are
 * one observation (a gate reading a pallet's worth of codes at once), so they are recorded as
 * one ObjectEvent OBSERVE listing every code, not one event per scan. On Fabric each stored
 * event is a round trip from the chaincode to the peer, so a batch of scans at one gate costs
 * one event key instead of one per scan; each scan keeps its own key beside it (scan.ts).
 */
import { scanned, type ScannedCode } from './epcis-event';
import type { Location, ScanKind } from './records';
import type { Tx } from './tx';

interface Observation { readonly kind: ScanKind; readonly location: Location; readonly time: string; readonly codes: ScannedCode[] }

/** Scans collected in order, recorded as one EPCIS event per kind, location (GLN) and event time. */
export class ScanEvidence {
  private readonly observations = new Map<string, Observation>();

  /** Adds a scan's code to the observation of its kind, place and time. */
  add(kind: ScanKind, location: Location, time: string, code: ScannedCode): void {
    const key = `${kind}\u0000${location.gln}\u0000${time}`;
    const known = this.observations.get(key);
    if (known) known.codes.push(code);
    else this.observations.set(key, { kind, location, time, codes: [code] });
  }

  /** Records the events on the transaction, in order of each observation's first scan. */
  record(tx: Tx): void {
    for (const o of this.observations.values()) scanned(tx, o.kind, o.codes, o.location, o.time);
  }
}
