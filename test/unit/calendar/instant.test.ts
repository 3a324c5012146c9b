/**
 * parseInstant keeps its last answers (issue #14: parsing instants with luxon was ~5 % of the server's
 * CPU per webhook, the same text parsed several times per event). Kept answers equal fresh ones;
 * refusals are never kept.
 */
import { DateTime } from 'luxon';
import { parseInstant } from '../../../src/domain/calendar/instant';

describe('parseInstant', () => {
  it('parses a text once: the second call answers the same without luxon', () => {
    const spy = jest.spyOn(DateTime, 'fromISO');
    try {
      // Hour 24 is left to luxon (plain text is read without it, see instant-fast.test.ts).
      const text = '2031-07-09T24:00:00+03:00';
      expect(parseInstant(text)).toBe(Date.UTC(2031, 6, 9, 21));
      const calls = spy.mock.calls.length;
      expect(calls).toBeGreaterThan(0);
      expect(parseInstant(text)).toBe(Date.UTC(2031, 6, 9, 21));
      expect(spy.mock.calls.length).toBe(calls);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a bad text every time, naming it', () => {
    for (let i = 0; i < 2; i++) {
      expect(() => parseInstant('2031-02-30T10:00:00Z')).toThrow(
        /instant "2031-02-30T10:00:00Z" is not a valid date-time/,
      );
      expect(() => parseInstant('2031-07-09T16:30')).toThrow(/got "2031-07-09T16:30"/);
    }
  });

  it('gives the same answers when more texts than it keeps are parsed', () => {
    const texts = Array.from({ length: 5000 }, (_, i) =>
      new Date(Date.UTC(2030, 0, 1) + i * 60_000).toISOString(),
    );
    const first = texts.map(parseInstant);
    expect(texts.map(parseInstant)).toEqual(first);
    expect(first[4999]).toBe(Date.UTC(2030, 0, 1) + 4999 * 60_000);
  });
});
