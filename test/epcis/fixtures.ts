/* eslint-disable @typescript-eslint/no-explicit-any -- tests reach into arbitrary JSON documents to mutate them */
/**
 * Test helpers for the EPCIS suite: where GS1's reference material lives (read in place from
 * ../shared/data/epcis, never copied into the repository) and the official schema compiled with
 * ajv, so each test can check a document against both schemas.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/** The repository root: the first folder above this file holding package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** GS1's EPCIS reference folder (official schema and examples). */
export const GS1_DIR = join(repoRoot(), '..', 'shared', 'data', 'epcis');

/** The names of the twelve official example documents. */
export function exampleNames(): string[] {
  if (!existsSync(GS1_DIR)) {
    throw new Error(`GS1's EPCIS reference data is not at ${GS1_DIR}: these tests read the official schema and examples from ../shared/data/epcis beside the repository`);
  }
  return readdirSync(GS1_DIR).filter((f) => f.endsWith('.jsonld')).sort();
}

/** One example document, freshly parsed (safe to mutate). */
export function example(name: string): Record<string, any> {
  return JSON.parse(readFileSync(join(GS1_DIR, name), 'utf8')) as Record<string, any>;
}

let official: ValidateFunction | undefined;

/** GS1's official EPCIS 2.0 JSON Schema, compiled once with ajv. */
export function officialSchema(): ValidateFunction {
  if (!official) {
    const ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(ajv);
    official = ajv.compile(JSON.parse(readFileSync(join(GS1_DIR, 'EPCIS-JSON-Schema.json'), 'utf8')) as object);
  }
  return official;
}

/** A minimal valid ObjectEvent in EPC URN form, at a given second of 2026-03-01. */
export function objectEvent(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const second = String(i % 60).padStart(2, '0');
  const minute = String(Math.floor(i / 60) % 60).padStart(2, '0');
  return {
    type: 'ObjectEvent',
    eventTime: `2026-03-01T08:${minute}:${second}.000Z`,
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    bizStep: 'receiving',
    epcList: [`urn:epc:id:sgtin:0614141.107346.${i + 1}`],
    readPoint: { id: 'urn:epc:id:sgln:0614141.07346.0' },
    ...extra,
  };
}

/** An EPCISDocument around the given events. */
export function documentOf(events: unknown[]): Record<string, unknown> {
  return {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://example.org/ext/' }],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-03-01T09:00:00Z',
    epcisBody: { eventList: events },
  };
}
