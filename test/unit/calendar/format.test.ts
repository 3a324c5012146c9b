/**
 * The table-driven ISO formatter (src/domain/calendar/format.ts) against Luxon's own formatting, for
 * zones with and without daylight saving, odd offsets, and zones whose rules changed (Moscow 2011/2014).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { formatInstant } from '../../../src/domain/calendar/instant';
import { fastIso } from '../../../src/domain/calendar/format';

const ZONES = [
  'Europe/Moscow',
  'Europe/Kaliningrad',
  'Asia/Vladivostok',
  'Asia/Kamchatka',
  'Europe/Samara',
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Africa/Casablanca',
];
const luxon = (ms: number, zone: string) =>
  DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });

describe('fastIso equals Luxon', () => {
  it.each(ZONES)('%s: random instants 1990–2040 (with and without milliseconds)', (zone) => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.boolean(),
        (t, whole) => {
          const ms = whole ? t - (t % 60_000) : t;
          expect(fastIso(ms, zone)).toBe(luxon(ms, zone));
        },
      ),
      { seed: 20261130, numRuns: 2000 },
    );
  });

  it('every minute around the 2026 transitions in Berlin and New York, and Moscow 2011 and 2014', () => {
    const around = [
      ['Europe/Berlin', Date.UTC(2026, 2, 29, 1)],
      ['Europe/Berlin', Date.UTC(2026, 9, 25, 1)],
      ['America/New_York', Date.UTC(2026, 2, 8, 7)],
      ['America/New_York', Date.UTC(2026, 10, 1, 6)],
      ['Europe/Moscow', Date.UTC(2011, 2, 26, 23)],
      ['Europe/Moscow', Date.UTC(2014, 9, 25, 22)],
    ] as const;
    for (const [zone, at] of around) {
      for (let ms = at - 3_600_000; ms <= at + 3_600_000; ms += 60_000) {
        expect(fastIso(ms, zone)).toBe(luxon(ms, zone));
      }
    }
  });

  it('SPEC §8 example 1 due, and zones Luxon does not read as IANA go to Luxon', () => {
    expect(formatInstant(1773149400000, 'Europe/Moscow')).toBe('2026-03-10T16:30:00+03:00');
    expect(fastIso(1773149400000, 'UTC')).toBeNull();
    expect(formatInstant(1773149400000, 'UTC')).toBe(luxon(1773149400000, 'UTC'));
    expect(formatInstant(1773149400123, 'Europe/Moscow')).toBe('2026-03-10T16:30:00.123+03:00');
  });
});
