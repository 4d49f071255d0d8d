/**
 * CBV values as rules read them. A captured event may name a business step, a disposition or a
 * type by its bare word (`retail_selling`) or by the word's CBV 2.0 Web URI
 * (`https://ref.gs1.org/cbv/BizStep-retail_selling`): GS1's schema takes the URI as a "URI
 * outside the CBV" (it excludes only the CBV URNs), yet it is the same business step. Every rule
 * that acts on one — the recall gate, the holder rule, a shipment's link, the trace's custody
 * hops, the query matcher — reads the bare word, whichever form was captured; the event itself is
 * kept as it came.
 */
import { CBV_URN_WEB, expandCurie } from './epcis-event-hash';

/** The CBV vocabularies rules read, by the name their Web URIs use. */
export type CbvVocabulary = 'BizStep' | 'Disp' | 'BTT' | 'SDT' | 'ER';

/** Each vocabulary's name in its Web URIs, by the name its CBV 1.x URNs use (`bizstep` → `BizStep`), from the event hash's own table of them. */
export const CBV_VOCABULARY_OF_URN: ReadonlyMap<string, CbvVocabulary> = new Map(
  [...CBV_URN_WEB].map(([urn, web]) => [urn, web.slice(web.lastIndexOf('/') + 1, -1) as CbvVocabulary]), // https://ref.gs1.org/cbv/BizStep- → BizStep
);

/** Each vocabulary's Web URI or CBV 1.x URN form of a word. */
const PATTERNS = new Map<string, RegExp>(
  [...CBV_VOCABULARY_OF_URN].map(([urn, name]) => [name, new RegExp(`^(?:https?://ref\\.gs1\\.org/cbv/${name}-|urn:epcglobal:cbv:${urn}:)([A-Za-z_]+)$`)]),
);

/**
 * The bare word a CBV value names in `vocabulary`: the word of its Web URI or URN form, or of a
 * compact IRI that expands to one (`cbv:BizStep-shipping`, or a prefix `prefixes` — the event's
 * JSON-LD @context — declares); the value itself otherwise (a bare word, or a URI outside the
 * CBV); undefined for a non-string.
 *
 * @example
 * cbvWord('BizStep', 'https://ref.gs1.org/cbv/BizStep-shipping') // 'shipping'
 * cbvWord('BizStep', 'cbv:BizStep-shipping') // 'shipping'
 * cbvWord('BizStep', 'shipping') // 'shipping'
 */
export function cbvWord(vocabulary: CbvVocabulary, value: unknown, prefixes: Prefixes = NO_PREFIXES): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.includes(':')) return value; // a bare word: the form nearly every event uses
  const pattern = PATTERNS.get(vocabulary) as RegExp;
  return pattern.exec(value)?.[1] ?? pattern.exec(expandCurie(value, typeof prefixes === 'function' ? prefixes() : prefixes))?.[1] ?? value;
}

/** Namespace prefixes by name, or a function that gives them (asked only for a compact IRI). */
export type Prefixes = Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>);

const NO_PREFIXES: Readonly<Record<string, string>> = Object.freeze(Object.create(null) as Record<string, string>);
