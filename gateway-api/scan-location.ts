/**
 * Where an anonymous scan happened, as far as the request can tell, for spotting cloned codes.
 * A phone page or app may say it in the URL (`?loc=lat,lon`, or `?lat=…&lon=…`); an edge
 * proxy or CDN that geolocates clients may say it in a header (`X-Scan-Location: lat,lon`, or
 * Cloudflare's `CF-IPLatitude` / `CF-IPLongitude`), read only when TRUST_PROXY is set, as
 * forwarded addresses are. Coarse is enough: only journeys of more than 50 km count. Anything
 * unreadable or out of range is ignored — a location never stops a scan from being answered.
 */
import type { Context } from 'koa';

/** A scan's place, degrees. */
export interface ScanPlace {
  readonly lat: number;
  readonly lon: number;
}

/** The scan's place from the request, or undefined. */
export function scanLocation(ctx: Context, trustProxy: boolean): ScanPlace | undefined {
  const q = ctx.query;
  const fromQuery = pair(one(q['loc'])) ?? place(one(q['lat']), one(q['lon']));
  if (fromQuery || !trustProxy) return fromQuery;
  return pair(ctx.get('x-scan-location')) ?? place(ctx.get('cf-iplatitude'), ctx.get('cf-iplongitude'));
}

function one(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function pair(text: string | undefined): ScanPlace | undefined {
  if (!text) return undefined;
  const [lat, lon, ...rest] = text.split(',');
  return rest.length === 0 ? place(lat, lon) : undefined;
}

function place(lat: string | undefined, lon: string | undefined): ScanPlace | undefined {
  if (!lat || !lon || lat.length > 20 || lon.length > 20) return undefined;
  const a = Number(lat.trim());
  const b = Number(lon.trim());
  if (!Number.isFinite(a) || !Number.isFinite(b) || Math.abs(a) > 90 || Math.abs(b) > 180) return undefined;
  return { lat: a, lon: b };
}
