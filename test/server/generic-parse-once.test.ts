/**
 * The worker parses a stored generic event once (issue #14): the item's payload, already parsed to
 * tell its kind, is not parsed a second time to pick the newest snapshot; the choice is the same.
 */
import { newestGeneric } from '../../src/server/generic';

const payload = (key: string, updatedAt: string): string =>
  JSON.stringify({
    snapshot: { key, kind: 'incident', registeredAt: '2026-03-06T16:30:00+03:00', updatedAt },
    verdict: { evaluatedAt: updatedAt },
  });

describe('newestGeneric', () => {
  it('does not parse again the payload the caller parsed, and picks the same one', () => {
    const older = payload('SUP-1', '2026-03-06T17:00:00+03:00');
    const newer = payload('SUP-1', '2026-03-06T18:00:00+03:00');
    const value = JSON.parse(newer) as Record<string, unknown>;
    const plain = newestGeneric([older, newer]);
    const spy = jest.spyOn(JSON, 'parse');
    try {
      const hinted = newestGeneric([older, newer], { text: newer, value });
      expect(spy.mock.calls.map((c) => c[0])).toEqual([older]);
      expect(hinted).toEqual(plain);
      expect(hinted?.snapshot.updatedAt).toBe('2026-03-06T18:00:00+03:00');
      // The caller's object is used as is.
      expect(hinted?.snapshot).toBe(value.snapshot);
    } finally {
      spy.mockRestore();
    }
  });
});
