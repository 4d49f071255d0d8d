/**
 * The GS1 resolver's answer to a program: a linkset (RFC 9264, as the GS1 Digital Link resolver
 * standard profiles it) naming, by GS1 Web Vocabulary link type, where to find the consumer
 * page (gs1:pip), the trace (gs1:traceability), tests and certificates (gs1:certificationInfo)
 * and the recall status (gs1:recallStatus). All of them are served by this resolver at the
 * same URI with `?linkType=`.
 */
import type { Resolution } from './resolution';

const VOC = 'https://gs1.org/voc/';

/** The link types this resolver serves itself, besides the linkset. */
export const LINK_TYPES = ['gs1:pip', 'gs1:traceability', 'gs1:certificationInfo', 'gs1:recallStatus'] as const;
export type ServedLinkType = (typeof LINK_TYPES)[number];

interface Link {
  readonly href: string;
  readonly title: string;
  readonly type: string;
  readonly hreflang?: readonly string[];
}

/** `anchor?linkType=…`. */
export function linkTo(anchor: string, linkType: string): string {
  return `${anchor}?linkType=${linkType}`;
}

function pipLinks(res: Resolution): Link[] {
  const own: Link = {
    href: linkTo(res.anchor, 'gs1:pip'), title: `${res.product.name.zh} ${res.product.name.en}`.trim(),
    type: 'text/html', hreflang: ['zh', 'en'],
  };
  const brand = res.product.pipUrl === undefined ? [] : [{ href: res.product.pipUrl, title: res.product.name.en || res.product.name.zh, type: 'text/html' }];
  return [own, ...brand];
}

/**
 * The linkset document for a resolution. With `epcisBase` (the gateway's EPCIS query interface,
 * e.g. `https://zfc.example.cn/epcis`), a gs1:epcis link to the identifier's events is added.
 */
export function linkset(res: Resolution, epcisBase?: string): { linkset: Array<Record<string, unknown>> } {
  const entry: Record<string, unknown> = {
    anchor: res.anchor,
    itemDescription: `${res.product.name.zh} / ${res.product.name.en}`,
    [`${VOC}defaultLink`]: [pipLinks(res)[0]],
    [`${VOC}pip`]: pipLinks(res),
  };
  const json = (linkType: ServedLinkType, title: string): Link[] => [{ href: linkTo(res.anchor, linkType), title, type: 'application/json' }];
  if (res.lot !== undefined) {
    entry[`${VOC}traceability`] = json('gs1:traceability', 'Trace: origin, processing and custody of this lot');
    entry[`${VOC}recallStatus`] = json('gs1:recallStatus', `Recall status: ${res.lot.status}`);
  }
  if (res.lot !== undefined || (res.product.certifications?.length ?? 0) > 0) {
    entry[`${VOC}certificationInfo`] = json('gs1:certificationInfo', 'Test results and certificates');
  }
  if (epcisBase !== undefined) {
    entry[`${VOC}epcis`] = [{
      href: `${epcisBase.replace(/\/+$/, '')}/epcs/${encodeURIComponent(res.identifier.canonical)}/events`,
      title: 'EPCIS events (GS1 EPCIS 2.0 query interface)', type: 'application/ld+json',
    }];
  }
  return { linkset: [entry] };
}

/** The body behind `?linkType=gs1:traceability`. */
export function traceabilityDocument(res: Resolution): Record<string, unknown> {
  return {
    identifier: res.identifier.canonical, requested: res.requested, resolved: res.level,
    product: res.product, ...(res.lot === undefined ? {} : { lot: res.lot }), ...(res.item === undefined ? {} : { item: res.item }),
  };
}

/** The body behind `?linkType=gs1:certificationInfo`. */
export function certificationDocument(res: Resolution): Record<string, unknown> {
  return {
    identifier: res.identifier.canonical,
    tests: res.lot?.tests ?? [],
    certifications: [...(res.product.certifications ?? []), ...(res.lot?.certifications ?? [])],
  };
}

/** The body behind `?linkType=gs1:recallStatus`: `doNotEat` is true for a recalled or held lot. */
export function recallDocument(res: Resolution): Record<string, unknown> {
  const status = res.lot?.status ?? 'unknown';
  return {
    identifier: res.identifier.canonical, status, doNotEat: status === 'recalled' || status === 'on_hold',
    ...(res.lot?.recall === undefined ? {} : { recall: res.lot.recall }),
  };
}
