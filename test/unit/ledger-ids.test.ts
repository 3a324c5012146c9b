/**
 * Fact ids do not change when the ledger's canonical text is built another way (issue #14: the text
 * is built by concatenation now, for speed). Stored facts keep their ids only if the text is the same
 * byte for byte: (1) the ids of a real ledger equal the ids computed by the code before the change
 * (written down below), (2) over generated data, `factId` equals the hash of the previous canonical
 * text, kept here as the reference.
 */
import fc from 'fast-check';
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, parseInstant } from '../../src/domain/calendar';
import { evaluate } from '../../src/domain/evaluate';
import { EMPTY_LEDGER, factId, observe } from '../../src/domain/ledger';
import { DEFAULT_POLICY } from '../../src/domain/policy';
import type { Snapshot } from '../../src/domain/snapshot';

/** The canonical text of the ledger before issue #14's change (arrays built, then joined). */
function referenceCanonical(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(referenceCanonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${referenceCanonical(o[k])}`)
    .join(',')}}`;
}

/** The ledger's 64-bit hash (two FNV-1a lanes), as before. */
function referenceHash(text: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h2 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

describe('fact ids are the same as before', () => {
  it('a ledger of an error with history, stops, an agreed deadline and an override keeps its ids', () => {
    const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
    const snapshot: Snapshot = {
      key: 'ERR-7',
      kind: 'error',
      registeredAt: '2026-03-02T10:00:00+03:00',
      updatedAt: '2026-03-20T12:00:00+03:00',
      impact: 'high',
      urgency: 'medium',
      mode: 'operation',
      workaround: 'none',
      history: [
        { field: 'urgency', from: 'high', to: 'medium', at: '2026-03-03T11:00:00+03:00', by: 'agent' },
      ],
      priorityOverride: { value: 3, reason: 'the customer "asked"' },
      agreedDeadline: '2026-04-30',
      reactions: [{ at: '2026-03-02T12:00:00+03:00', type: 'comment', authorRole: 'agent' }],
    };
    const now = parseInstant('2026-03-25T09:00:00+03:00');
    const verdict = evaluate(snapshot, DEFAULT_POLICY, cal, now);
    const { facts } = observe(EMPTY_LEDGER, {
      issueId: '10007',
      snapshot,
      verdict,
      policy: DEFAULT_POLICY,
      calendar: cal,
      now,
    });
    expect(facts.map((f) => `${f.type}/${f.clock ?? '-'} ${f.id}`)).toEqual(GOLDEN);
  });

  it('over generated data, ids equal the hash of the previous canonical text', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.constantFrom('registered', 'deadline', 'stopped', 'breached'),
        fc.constantFrom(undefined, 'reaction', 'fix'),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.dictionary(fc.string(), fc.anything({ withSparseArray: true, withNullPrototype: true })),
        (issueId, type, clock, ms, data) => {
          const at = new Date(ms).toISOString();
          const expected = `f-${referenceHash(referenceCanonical([issueId, type, clock ?? null, parseInstant(at), data]))}`;
          expect(factId({ issueId, type, ...(clock ? { clock } : {}), at, data })).toBe(expected);
        },
      ),
      { seed: 14, numRuns: 3000 },
    );
  });
});

/** The ids computed by the code before the change (main at 18dc0dc). */
const GOLDEN: string[] = [
  'registered/- f-ecae8ad257a26334',
  'inputs-changed/- f-d12e072b5560f381',
  'priority/- f-d5ef50b264f84380',
  'deadline/verification f-8bb478aea18ef04b',
  'deadline/fix f-ded22c4018c4f7ef',
  'agreed/fix f-c7e7dbd61601513c',
  'override/- f-b795e09a679ba52d',
  'breached/verification f-7420c3944d6e58c7',
];
