/**
 * Cloned-code detection: real city pairs, plausible and impossible journeys, hostile points.
 */
import { expect } from 'chai';
import { ZfcError } from '../../chaincode/errors';
import { cloneWarning, distanceKm, impossibleTravel } from '../../qr-service';

const HANGZHOU = { lat: 30.2741, lon: 120.1551 };
const SHANGHAI = { lat: 31.2304, lon: 121.4737 };
const URUMQI = { lat: 43.8256, lon: 87.6168 };

describe('qr-service: cloned codes', () => {
  it('measures great-circle distances', () => {
    expect(distanceKm(HANGZHOU, SHANGHAI)).to.be.within(160, 170);
    expect(distanceKm(HANGZHOU, URUMQI)).to.be.within(3200, 3350);
    expect(distanceKm(HANGZHOU, HANGZHOU)).to.equal(0);
  });

  it('flags journeys faster than an airliner, not plausible ones', () => {
    const at = (iso: string, p: { lat: number; lon: number }): { at: string; lat: number; lon: number } => ({ at: iso, ...p });
    expect(impossibleTravel(at('2026-05-01T10:00:00Z', HANGZHOU), at('2026-05-01T13:00:00Z', SHANGHAI))).to.equal(undefined);
    expect(impossibleTravel(at('2026-05-01T10:00:00Z', HANGZHOU), at('2026-05-01T10:05:00Z', { lat: 30.28, lon: 120.16 }))).to.equal(undefined);
    const trip = impossibleTravel(at('2026-05-01T10:00:00Z', HANGZHOU), at('2026-05-01T10:10:00Z', URUMQI));
    expect(trip).to.include({ minutes: 10 });
    expect(trip?.distanceKm).to.be.within(3200, 3350);
    expect(impossibleTravel(at('2026-05-01T10:00:00Z', HANGZHOU), at('2026-05-01T10:00:00Z', SHANGHAI))?.speedKmh).to.be.greaterThan(1e6);
    const warning = cloneWarning([at('2026-05-01T09:00:00Z', SHANGHAI), at('2026-05-01T10:00:00Z', HANGZHOU)], at('2026-05-01T10:10:00Z', URUMQI));
    expect(warning?.code).to.equal('POSSIBLE_CLONE');
    expect(warning?.message.en).to.match(/^This code was scanned 3,\d{3} km apart within \d+ minutes/);
    expect(cloneWarning([at('2026-05-01T09:00:00Z', SHANGHAI)], at('2026-05-01T12:00:00Z', HANGZHOU))).to.equal(undefined);
  });

  it('refuses malformed scan points', () => {
    const ok = { at: '2026-05-01T10:00:00Z', ...HANGZHOU };
    for (const [bad, field] of [[{ ...ok, at: 'yesterday' }, 'at'], [{ ...ok, lat: 91 }, 'lat'], [{ ...ok, lon: Number.NaN }, 'lon']] as const) {
      try {
        impossibleTravel(ok, bad);
        expect.fail('expected INVALID_ARGUMENT');
      } catch (err) {
        expect(err).to.be.instanceOf(ZfcError);
        expect((err as ZfcError).details['field']).to.equal(field);
      }
    }
  });
});
