/**
 * Query schedules (EPCIS §8.2.5.3): which UTC times a schedule matches, and the texts refused,
 * each naming its field.
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { parseSchedule } from '../../gateway-api/epcis-schedule';

const at = (iso: string): Date => new Date(iso);

describe('EPCIS query schedules', function () {
  it('matches the times every given field matches; an omitted field matches anything', () => {
    const daily = parseSchedule({ second: '0', minute: '5', hour: '1' });
    expect(daily.matches(at('2026-03-01T01:05:00Z'))).to.equal(true);
    expect(daily.matches(at('2026-03-02T01:05:00.999Z'))).to.equal(true);
    expect(daily.matches(at('2026-03-01T01:05:01Z'))).to.equal(false);
    expect(daily.matches(at('2026-03-01T02:05:00Z'))).to.equal(false);
    expect(daily.matches(at('2026-03-01T09:05:00+08:00'))).to.equal(true); // UTC, whatever zone the time was written in
    const everySecond = parseSchedule({});
    expect(everySecond.matches(at('2031-12-31T23:59:59Z'))).to.equal(true);
    expect(parseSchedule({ hour: '2' }).matches(at('2026-03-01T02:37:12Z'))).to.equal(true); // the standard's example 4: each second of that hour
  });

  it('reads lists and ranges, and counts days of the week from Monday (1) to Sunday (7)', () => {
    const weekdays = parseSchedule({ second: '0', minute: '0,30', dayOfWeek: '[1-5]' });
    expect(weekdays.matches(at('2026-11-27T10:30:00Z'))).to.equal(true); // a Friday
    expect(weekdays.matches(at('2026-11-28T10:30:00Z'))).to.equal(false); // a Saturday
    expect(weekdays.matches(at('2026-11-27T10:15:00Z'))).to.equal(false);
    expect(parseSchedule({ dayOfWeek: '7' }).matches(at('2026-11-29T00:00:00Z'))).to.equal(true); // a Sunday
    const months = parseSchedule({ month: '[1-3],12', dayOfMonth: '31' });
    expect(months.matches(at('2026-12-31T08:00:00Z'))).to.equal(true);
    expect(months.matches(at('2026-03-31T08:00:00Z'))).to.equal(true);
    expect(months.matches(at('2026-07-31T08:00:00Z'))).to.equal(false);
    expect(parseSchedule({ second: '[0-59]' }).given).to.deep.equal({ second: '[0-59]' });
  });

  it('refuses what the grammar or the field\'s range does not allow, naming the field', () => {
    const refusedAt = (schedule: unknown): string => {
      try {
        parseSchedule(schedule);
      } catch (err) {
        expect(err).to.be.instanceOf(ZfcError);
        expect((err as ZfcError).code).to.equal('INVALID_ARGUMENT');
        return ((err as ZfcError).details['errors'] as Array<{ path: string }>)[0]?.path ?? '';
      }
      return 'accepted';
    };
    expect(refusedAt({ second: '60' })).to.equal('/schedule/second');
    expect(refusedAt({ hour: '24' })).to.equal('/schedule/hour');
    expect(refusedAt({ dayOfMonth: '0' })).to.equal('/schedule/dayOfMonth');
    expect(refusedAt({ month: '13' })).to.equal('/schedule/month');
    expect(refusedAt({ dayOfWeek: '[0-6]' })).to.equal('/schedule/dayOfWeek');
    expect(refusedAt({ minute: '[30-10]' })).to.equal('/schedule/minute');
    for (const text of ['', ' 5', '5,', '1-5', '[1-5', '*', '*/5', '٥', '5\u0000']) expect(refusedAt({ minute: text }), JSON.stringify(text)).to.equal('/schedule/minute');
    expect(refusedAt({ minute: 5 })).to.equal('/schedule/minute');
    expect(refusedAt({ minute: '1,'.repeat(200) + '1' })).to.equal('/schedule/minute');
    expect(refusedAt({ everyday: '1' })).to.equal('/schedule/everyday');
    expect(refusedAt({ __proto__: { hour: '1' }, constructor: '1' })).to.equal('/schedule/constructor');
    for (const bad of [null, [], '0 5 1 * * *', 5]) expect(refusedAt(bad)).to.equal('/schedule');
  });
});
