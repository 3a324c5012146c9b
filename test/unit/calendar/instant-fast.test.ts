/**
 * parseInstant reads a valid instant from its fields, without building a Luxon DateTime (issue #14:
 * Luxon's `fromISO` was ~2 % of the server's CPU per webhook event, each event's instants being new
 * text). Luxon stays the rule: over generated text, in range or not, the answer (epoch ms) or the
 * refusal's text is Luxon's.
 */
import { DateTime } from 'luxon';
import { parseInstant } from '../../../src/domain/calendar/instant';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mulberry32 } = require('../../../bench/mulberry32.js') as {
  mulberry32: (seed: number) => () => number;
};

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('parseInstant without Luxon', () => {
  it('reads new valid text without calling DateTime.fromISO, to the same epoch ms', () => {
    const spy = jest.spyOn(DateTime, 'fromISO');
    try {
      expect(parseInstant('2043-02-28T23:59:59.999+03:00')).toBe(Date.UTC(2043, 1, 28, 20, 59, 59, 999));
      expect(parseInstant('2044-02-29T00:00Z')).toBe(Date.UTC(2044, 1, 29));
      expect(parseInstant('2045-07-01T05:30:00-0930')).toBe(Date.UTC(2045, 6, 1, 15, 0));
      expect(parseInstant('2046-01-01T00:00:00.1234567-00:30')).toBe(Date.UTC(2046, 0, 1, 0, 30, 0, 123));
      expect(parseInstant('2047-12-31T12:00:00+14')).toBe(Date.UTC(2047, 11, 30, 22));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('leaves out-of-range fields to the checks and Luxon: offset 24 h refused, hour 24 is the next midnight, February 29 of 2049 refused', () => {
    expect(() => parseInstant('2048-03-01T10:00:00+24:00')).toThrow(
      'instant "2048-03-01T10:00:00+24:00" has an invalid offset: hours must be 00–23 and minutes 00–59',
    );
    expect(() => parseInstant('2048-03-01T10:00:00-03:60')).toThrow('has an invalid offset');
    expect(parseInstant('2048-03-01T24:00:00+03:00')).toBe(Date.UTC(2048, 2, 1, 21));
    expect(() => parseInstant('2049-02-29T10:00:00Z')).toThrow(
      'instant "2049-02-29T10:00:00Z" is not a valid date-time: you specified 29 (of type number) as a day, which is invalid',
    );
  });

  it('equals Luxon over 5,000 generated texts, valid or not (seeded)', () => {
    const rnd = mulberry32(20261201);
    const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
    const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
    let valid = 0;
    for (let i = 0; i < 5_000; i++) {
      const year = rnd() < 0.05 ? int(0, 999) : int(1900, 2100);
      const date = `${pad(year, 4)}-${pad(int(0, 13), 2)}-${pad(int(0, 32), 2)}`;
      const seconds = pick(['', `:${pad(int(0, 60), 2)}`]);
      const fraction =
        seconds === '' || rnd() < 0.6 ? '' : `.${pad(int(0, 999_999_999), int(1, 9)).slice(-int(1, 9))}`;
      const time = `${pad(rnd() < 0.1 ? 24 : int(0, 23), 2)}:${pad(int(0, 60), 2)}${seconds}${fraction}`;
      const sign = pick(['+', '-']);
      const offset = pick([
        'Z',
        `${sign}${pad(int(0, 14), 2)}`,
        `${sign}${pad(int(0, 14), 2)}${pad(pick([0, 30, 45]), 2)}`,
        `${sign}${pad(int(0, 14), 2)}:${pad(pick([0, 30, 45, int(0, 59)]), 2)}`,
      ]);
      const text = `${date}T${time}${offset}`;
      const luxon = DateTime.fromISO(text, { setZone: true });
      if (luxon.isValid) {
        valid += 1;
        expect([text, parseInstant(text)]).toEqual([text, luxon.toMillis()]);
      } else {
        expect(() => parseInstant(text)).toThrow(
          `instant ${JSON.stringify(text)} is not a valid date-time: ${luxon.invalidExplanation ?? luxon.invalidReason}`,
        );
      }
    }
    // Both sides are exercised: roughly half of the texts are valid.
    expect(valid).toBeGreaterThan(1_250);
    expect(valid).toBeLessThan(3_750);
  });
});
