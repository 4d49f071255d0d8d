/**
 * Spotting cloned codes: a genuine item is in one place at a time, so the same serial scanned
 * in two places farther apart than anyone could travel between the two scans is a copy of its
 * code. Pure arithmetic on scan points (where and when), for the gateway to run when it counts
 * anonymous scans in the trace index; what it finds is listed with the item's other warnings.
 */
import { ZfcError } from '../chaincode/errors';
import type { ItemWarning } from './resolver-source';

/** Where and when an item's code was scanned. */
export interface ScanPoint {
  /** ISO 8601 date-time. */
  readonly at: string;
  readonly lat: number;
  readonly lon: number;
}

export interface CloneCheckOptions {
  /** Fastest plausible travel, km/h (default 900, an airliner). */
  readonly maxSpeedKmh?: number;
  /** Distances below this are never suspicious (location noise, one city), km (default 50). */
  readonly minDistanceKm?: number;
}

/** Why two scans cannot both be of the genuine item. */
export interface ImpossibleTravel {
  readonly distanceKm: number;
  readonly minutes: number;
  readonly speedKmh: number;
}

const EARTH_RADIUS_KM = 6371.0088;

function checked(p: ScanPoint): { t: number; lat: number; lon: number } {
  const t = Date.parse(p.at);
  if (!Number.isFinite(t)) throw new ZfcError('INVALID_ARGUMENT', 'scan time must be an ISO date-time', { field: 'at', value: String(p.at) });
  if (!(Math.abs(p.lat) <= 90)) throw new ZfcError('INVALID_ARGUMENT', 'latitude must be within ±90', { field: 'lat', value: String(p.lat) });
  if (!(Math.abs(p.lon) <= 180)) throw new ZfcError('INVALID_ARGUMENT', 'longitude must be within ±180', { field: 'lon', value: String(p.lon) });
  return { t, lat: p.lat, lon: p.lon };
}

/** Great-circle distance between two points, km (haversine). */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The impossible journey between two scans, or undefined if one item could have made both. */
export function impossibleTravel(a: ScanPoint, b: ScanPoint, options: CloneCheckOptions = {}): ImpossibleTravel | undefined {
  const p = checked(a);
  const q = checked(b);
  const km = distanceKm(p, q);
  if (km < (options.minDistanceKm ?? 50)) return undefined;
  const hours = Math.abs(q.t - p.t) / 3_600_000;
  const speed = hours === 0 ? Infinity : km / hours;
  if (speed <= (options.maxSpeedKmh ?? 900)) return undefined;
  return { distanceKm: Math.round(km), minutes: Math.round(hours * 60), speedKmh: Math.round(Math.min(speed, 1e9)) };
}

/**
 * A POSSIBLE_CLONE warning if `scan` and any of the item's `recent` scans are an impossible
 * journey apart (the farthest such pair is reported), else undefined.
 */
export function cloneWarning(recent: readonly ScanPoint[], scan: ScanPoint, options: CloneCheckOptions = {}): ItemWarning | undefined {
  let worst: ImpossibleTravel | undefined;
  for (const earlier of recent.slice(-100)) {
    const trip = impossibleTravel(earlier, scan, options);
    if (trip !== undefined && (worst === undefined || trip.distanceKm > worst.distanceKm)) worst = trip;
  }
  if (worst === undefined) return undefined;
  const km = worst.distanceKm.toLocaleString('en');
  return {
    code: 'POSSIBLE_CLONE',
    message: {
      zh: `此码在相距 ${km} 公里的两地 ${worst.minutes} 分钟内被扫描，可能是仿冒的复制码。`,
      en: `This code was scanned ${km} km apart within ${worst.minutes} minutes; it may be a copied code.`,
    },
  };
}
