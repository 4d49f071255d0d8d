/**
 * Query schedules of scheduled subscriptions: the `schedule` of the EPCIS 2.0 REST binding, the
 * QuerySchedule of EPCIS §8.2.5.3. Each field is a list of numbers and ranges (`0,30`,
 * `[1-5]`, `[0-9],30`) that the same part of a time must match; an omitted field matches any
 * value. Times are taken in UTC (the standard leaves the zone to the service). A schedule with
 * no field matches every second: legal, and what the client asked for.
 *
 * @example
 * const daily = parseSchedule({ second: '0', minute: '5', hour: '1' }); // 01:05:00 UTC each day
 * daily.matches(new Date('2026-03-01T01:05:00Z')) === true
 */
import { ZfcError } from '../chaincode/errors';

/** The fields of a schedule and the values each may take. */
export const SCHEDULE_FIELDS = {
  second: [0, 59],
  minute: [0, 59],
  hour: [0, 23],
  dayOfMonth: [1, 31],
  month: [1, 12],
  dayOfWeek: [1, 7], // 1 is Monday, 7 Sunday
} as const;

/** A schedule field's name. */
export type ScheduleField = keyof typeof SCHEDULE_FIELDS;

/** A schedule as a client gives it (and reads it back). */
export type QuerySchedule = Partial<Record<ScheduleField, string>>;

/** A schedule parsed: the values each given field matches. */
export interface Schedule {
  readonly given: QuerySchedule;
  /** True if the time's UTC second, minute, hour, day of month, month and day of week all match. */
  matches(time: Date): boolean;
}

const ELEMENT = /^(?:(\d{1,2})|\[(\d{1,2})-(\d{1,2})\])$/;
const MAX_FIELD_LENGTH = 256;

function bad(path: string, message: string): ZfcError {
  return new ZfcError('INVALID_ARGUMENT', `${path} ${message}`, { errors: [{ path, message }] });
}

/** The values a field's text matches, or INVALID_ARGUMENT naming the field. */
function fieldValues(field: ScheduleField, text: unknown, path: string): Set<number> {
  const [min, max] = SCHEDULE_FIELDS[field];
  const rule = `must be numbers and ranges [a-b] from ${min} to ${max}, comma-separated`;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_FIELD_LENGTH) throw bad(path, rule);
  const values = new Set<number>();
  for (const element of text.split(',')) {
    const m = ELEMENT.exec(element);
    if (!m) throw bad(path, rule);
    const lo = Number(m[1] ?? m[2]);
    const hi = Number(m[1] ?? m[3]);
    if (lo < min || hi > max || lo > hi) throw bad(path, rule);
    for (let v = lo; v <= hi; v++) values.add(v);
  }
  return values;
}

/** Parses a client's schedule; INVALID_ARGUMENT names the field at fault (`/schedule/hour`). */
export function parseSchedule(value: unknown, path = '/schedule'): Schedule {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw bad(path, 'must be an object of schedule fields');
  const given: QuerySchedule = {};
  const allowed: Partial<Record<ScheduleField, Set<number>>> = {};
  for (const [name, text] of Object.entries(value)) {
    if (!Object.hasOwn(SCHEDULE_FIELDS, name)) throw bad(`${path}/${name}`, `is not a schedule field (${Object.keys(SCHEDULE_FIELDS).join(', ')})`);
    const field = name as ScheduleField;
    allowed[field] = fieldValues(field, text, `${path}/${name}`);
    given[field] = text as string;
  }
  const test = (field: ScheduleField, v: number): boolean => allowed[field]?.has(v) ?? true;
  return {
    given,
    matches: (t) =>
      test('second', t.getUTCSeconds()) &&
      test('minute', t.getUTCMinutes()) &&
      test('hour', t.getUTCHours()) &&
      test('dayOfMonth', t.getUTCDate()) &&
      test('month', t.getUTCMonth() + 1) &&
      test('dayOfWeek', ((t.getUTCDay() + 6) % 7) + 1),
  };
}
