/**
 * The SLA ledger (src/domain/ledger.ts, docs/rules.md "The ledger"): recorded breaches stay breaches,
 * an agreed deadline is an exception to the standard one, data errors are warnings and never stops.
 * Numbers from SPEC §3, §5 and §8 (example 1: registered Fri 2026-03-06 16:30 MSK, critical incident,
 * reaction due Tue 2026-03-10 16:30 MSK).
 */
import fc from 'fast-check';
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, parseInstant } from '../../src/domain/calendar';
import { compliance } from '../../src/domain/compliance';
import type { SlaRecord } from '../../src/domain/compliance-types';
import { evaluate } from '../../src/domain/evaluate';
import {
  EMPTY_LEDGER,
  foldLedger,
  ledgerFacts,
  observe,
  summarize,
  waiverFact,
  type Fact,
  type LedgerState,
} from '../../src/domain/ledger';
import { DEFAULT_POLICY, type Policy } from '../../src/domain/policy';
import type { InputChange, Snapshot, Verdict } from '../../src/domain/snapshot';
import { recordOf } from '../../src/app/shown';
import type { Ticket } from '../../src/app/ports';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
const at = (iso: string): number => parseInstant(iso);

const incident = (over: Partial<Snapshot> = {}): Snapshot => ({
  key: 'SUP-1',
  kind: 'incident',
  registeredAt: '2026-03-06T16:30:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  nature: 'failure',
  ...over,
});

const criticalError = (over: Partial<Snapshot> = {}): Snapshot => ({
  key: 'ERR-1',
  kind: 'error',
  registeredAt: '2026-03-02T10:00:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  workaround: 'none',
  ...over,
});

function step(
  state: LedgerState,
  snapshot: Snapshot,
  nowIso: string,
  policy: Readonly<Policy> = DEFAULT_POLICY,
): { state: LedgerState; verdict: Verdict; facts: Fact[] } {
  const now = at(nowIso);
  const verdict = evaluate(snapshot, policy, cal, now);
  return observe(state, { issueId: snapshot.key, snapshot, verdict, policy, calendar: cal, now });
}

const ticketOf = (s: Snapshot): Ticket =>
  ({ id: s.key, key: s.key, project: 'SUP', issueType: s.kind, snapshot: s, shown: {} }) as unknown as Ticket;

function recordFrom(s: Snapshot, v: Verdict): SlaRecord {
  const r = recordOf(ticketOf(s), v, v.evaluatedAt);
  return {
    key: r.key,
    kind: r.kind,
    class: r.class,
    due: r.due,
    doneAt: r.doneAt,
    agreed: r.agreed,
    ...(r.agreed ? { agreedDue: v.agreed?.due ?? null } : {}),
    ...(r.state === 'breached' ? { breached: true } : {}),
    ...(r.state === 'waived' ? { waived: true } : {}),
  };
}

describe('SPEC §8 example 1 through the ledger', () => {
  it('records the deadline 2026-03-10 16:30 MSK from the registration, and a breach at it', () => {
    const s = incident();
    const a = step(EMPTY_LEDGER, s, '2026-03-10T12:00:00+03:00');
    expect(a.verdict.reaction).toMatchObject({ due: '2026-03-10T16:30:00+03:00', state: 'running' });
    expect(a.facts.map((f) => f.type)).toEqual(['registered', 'priority', 'deadline']);
    expect(summarize(a.state).clocks.reaction?.breach).toBeNull();
    const b = step(a.state, s, '2026-03-10T17:00:00+03:00');
    expect(b.facts.map((f) => f.type)).toEqual(['breached']);
    expect(b.facts[0]).toMatchObject({
      clock: 'reaction',
      at: '2026-03-10T16:30:00+03:00',
      data: { due: '2026-03-10T16:30:00+03:00', priority: 5, class: 'critical' },
    });
  });

  it('is idempotent: the same observation again adds nothing', () => {
    const s = incident();
    const a = step(EMPTY_LEDGER, s, '2026-03-10T17:00:00+03:00');
    expect(step(a.state, s, '2026-03-10T17:00:00+03:00').facts).toEqual([]);
    expect(step(a.state, s, '2026-03-10T17:30:00+03:00').facts).toEqual([]);
  });
});

describe('a breach that happened stays a breach', () => {
  it('incident breached its 8-hour reaction, then urgency lowered (no history): still breached', () => {
    const a = step(EMPTY_LEDGER, incident(), '2026-03-10T17:00:00+03:00');
    expect(a.verdict.reaction?.state).toBe('breached');
    // Later: urgency low (level 3, 24 working hours), a reaction on 2026-03-11 10:00.
    const lowered = incident({
      urgency: 'low',
      updatedAt: '2026-03-11T10:30:00+03:00',
      reactions: [{ at: '2026-03-11T10:00:00+03:00', type: 'comment' }],
    });
    // Without the ledger the current inputs say "met".
    expect(evaluate(lowered, DEFAULT_POLICY, cal, at('2026-03-11T11:00:00+03:00')).reaction?.state).toBe(
      'met',
    );
    const b = step(a.state, lowered, '2026-03-11T11:00:00+03:00');
    expect(b.verdict.reaction?.state).toBe('breached');
    expect(b.verdict.breaches).toEqual([
      {
        clock: 'reaction',
        at: '2026-03-10T16:30:00+03:00',
        due: '2026-03-10T16:30:00+03:00',
        priority: 5,
        class: 'critical',
        waived: null,
      },
    ]);
    // A breached clock is not running: its deadline is not recomputed.
    expect(b.facts.map((f) => [f.type, f.at, f.data.value ?? null])).toEqual([
      ['priority', '2026-03-11T10:30:00+03:00', 3],
      ['stopped', '2026-03-11T10:00:00+03:00', null],
    ]);
  });

  it('the same with a dated history: the change after the deadline does not move the breach', () => {
    const lowered = incident({
      urgency: 'low',
      history: [{ field: 'urgency', from: 'high', to: 'low', at: '2026-03-11T09:30:00+03:00', by: 'alice' }],
      reactions: [{ at: '2026-03-11T10:00:00+03:00', type: 'comment' }],
    });
    // Seen only once, after everything happened: the history still places the breach.
    const b = step(EMPTY_LEDGER, lowered, '2026-03-11T11:00:00+03:00');
    expect(b.verdict.reaction?.state).toBe('breached');
    expect(b.verdict.breaches?.[0]).toMatchObject({ at: '2026-03-10T16:30:00+03:00', priority: 5 });
    expect(b.facts.find((f) => f.type === 'inputs-changed')).toMatchObject({
      by: 'alice',
      data: { field: 'urgency', from: 'high', to: 'low' },
    });
  });

  it('a change before the deadline passes moves it, counted from the registration', () => {
    const lowered = incident({
      urgency: 'low',
      history: [{ field: 'urgency', from: 'high', to: 'low', at: '2026-03-10T10:00:00+03:00' }],
      reactions: [{ at: '2026-03-11T10:00:00+03:00', type: 'comment' }],
    });
    const b = step(EMPTY_LEDGER, lowered, '2026-03-11T11:00:00+03:00');
    expect(b.verdict.reaction?.state).toBe('met');
    expect(b.verdict.breaches).toEqual([]);
    const view = summarize(b.state).clocks.reaction!;
    expect(view.deadlines.map((d) => [d.reason, d.priority])).toEqual([
      ['registered', 5],
      ['inputs-changed', 3],
    ]);
    // Level 3: 24 working hours from Fri 16:30 → 1.5 h Fri, Tue 8 h, Wed 8 h, Thu 6.5 h → Thu 16:30.
    expect(view.due).toBe(at('2026-03-12T16:30:00+03:00'));
  });

  it('a priority rise that puts the deadline in the past breaches at the change', () => {
    // Planned (question, implementation): 80 h. Raised to critical on Wed 2026-03-11 12:00, past
    // the critical deadline of Tue 16:30: the breach is at the change, not before it.
    const raised = incident({
      history: [{ field: 'urgency', from: 'low', to: 'high', at: '2026-03-11T12:00:00+03:00' }],
    });
    const b = step(EMPTY_LEDGER, raised, '2026-03-11T13:00:00+03:00');
    expect(b.verdict.breaches?.[0]).toMatchObject({
      at: '2026-03-11T12:00:00+03:00',
      due: '2026-03-10T16:30:00+03:00',
      priority: 5,
    });
  });

  it('a settings change does not rewrite a recorded breach, but moves running clocks', () => {
    const a = step(EMPTY_LEDGER, incident(), '2026-03-10T17:00:00+03:00');
    const lenient: Policy = structuredClone(DEFAULT_POLICY) as Policy;
    lenient.incident.reactionHours[5] = 80;
    const b = step(a.state, incident(), '2026-03-10T18:00:00+03:00', lenient);
    expect(b.verdict.reaction?.state).toBe('breached');
    // A running clock is re-evaluated under the new settings.
    const other = incident({ key: 'SUP-2', registeredAt: '2026-03-10T10:00:00+03:00' });
    const c = step(EMPTY_LEDGER, other, '2026-03-10T11:00:00+03:00');
    const d = step(c.state, other, '2026-03-10T12:00:00+03:00', lenient);
    expect(d.facts.map((f) => [f.type, f.data.reason])).toEqual([['deadline', 'recomputed']]);
    expect(d.verdict.reaction?.state).toBe('running');
  });

  it('a waiver neutralises the breach for compliance and is shown next to it', () => {
    const a = step(EMPTY_LEDGER, incident(), '2026-03-10T17:00:00+03:00');
    const w = waiverFact(
      'SUP-1',
      'reaction',
      { by: 'admin', reason: 'customer outage' },
      at('2026-03-11T09:00:00+03:00'),
      'Europe/Moscow',
    );
    const state = foldLedger([w], a.state);
    const b = step(state, incident(), '2026-03-11T10:00:00+03:00');
    expect(b.verdict.breaches?.[0]?.waived).toEqual({
      at: '2026-03-11T09:00:00+03:00',
      by: 'admin',
      reason: 'customer outage',
    });
    const r = recordFrom(incident(), b.verdict);
    expect(r.waived).toBe(true);
    const c = compliance([r], 'incident', '2026-03-01', '2026-03-31', at('2026-03-31T12:00:00+03:00'), 0.8);
    expect(c.overall).toMatchObject({ counted: 0, late: 0, waived: 1 });
    expect(() => waiverFact('SUP-1', 'reaction', { by: 'admin', reason: ' ' }, 0, 'UTC')).toThrow(/reason/);
  });

  it('a stop dated before the breach that arrives late shows the breach never happened', () => {
    const a = step(EMPTY_LEDGER, incident(), '2026-03-10T17:00:00+03:00');
    expect(a.verdict.reaction?.state).toBe('breached');
    const late = incident({ reactions: [{ at: '2026-03-10T15:00:00+03:00', type: 'comment' }] });
    const b = step(a.state, late, '2026-03-10T17:30:00+03:00');
    expect(b.verdict.reaction?.state).toBe('met');
    expect(b.verdict.breaches).toEqual([]);
  });
});

describe('late facts: the ledger does not depend on the order of arrival', () => {
  // Registered Fri 16:30, reacted at 18:30 the same day; a snapshot taken at 17:30 (before the
  // reaction) is seen late, at Wed 12:00, after or before the complete one.
  const partial = incident({ updatedAt: '2026-03-06T17:30:00+03:00' });
  const complete = incident({
    updatedAt: '2026-03-06T18:45:00+03:00',
    reactions: [{ at: '2026-03-06T18:30:00+03:00', type: 'comment' }],
  });
  const when = '2026-03-11T12:00:00+03:00';

  it('a breach witnessed without the reaction is superseded once the reaction arrives', () => {
    const a = step(EMPTY_LEDGER, partial, when);
    expect(a.facts.find((f) => f.type === 'breached')).toMatchObject({ at: '2026-03-10T16:30:00+03:00' });
    const b = step(a.state, complete, when);
    expect(b.verdict.reaction?.state).toBe('met');
    expect(b.verdict.breaches).toEqual([]);
    // The store keeps the witness (what was believed); the ledger leaves it out.
    expect(b.state.facts.filter((f) => f.type === 'breached')).toHaveLength(1);
    expect(ledgerFacts(b.state).some((f) => f.type === 'breached')).toBe(false);
    // The other order: no witness at all; the same ledger and figures.
    const c = step(step(EMPTY_LEDGER, complete, when).state, partial, when);
    expect(c.state.facts.some((f) => f.type === 'breached')).toBe(false);
    expect(ledgerFacts(c.state).map((f) => f.id)).toEqual(ledgerFacts(b.state).map((f) => f.id));
    expect(summarize(c.state)).toEqual(summarize(b.state));
  });
});

describe('an agreed deadline is an exception to the standard one (source §5.6.3)', () => {
  // Critical error: 10 working days from Mon 2026-03-02 10:00, counted from Mar 3 (Mar 9 off) → Tue
  // 2026-03-17 18:00.
  const onTime = (i: number): SlaRecord => ({
    key: `OK-${i}`,
    kind: 'error',
    class: 'critical',
    due: '2026-03-17T18:00:00+03:00',
    doneAt: '2026-03-13T12:00:00+03:00',
  });

  it('fixed after its 10 working days, then given an agreed date it met: 4/5 = 80 %, agreed kept', () => {
    const s = criticalError({
      agreedDeadline: '2026-03-20',
      resolvedAt: '2026-03-19T15:00:00+03:00',
    });
    const a = step(EMPTY_LEDGER, s, '2026-03-20T10:00:00+03:00');
    expect(a.verdict.fix).toMatchObject({
      standardDue: '2026-03-17T18:00:00+03:00',
      rule: 'agreed',
      state: 'met',
    });
    expect(a.verdict.agreed).toEqual({ due: '2026-03-20T18:00:00+03:00', kept: true });
    const records = [0, 1, 2, 3].map(onTime).concat(recordFrom(s, a.verdict));
    const now = at('2026-03-31T12:00:00+03:00');
    const c = compliance(records, 'error', '2026-03-01', '2026-03-31', now, 0.8);
    expect(c.overall).toMatchObject({
      counted: 5,
      onTime: 4,
      late: 1,
      share: 0.8,
      agreed: 1,
      agreedKept: 1,
      agreedMissed: 0,
    });
    // The earlier reading, as a policy option: 5/5.
    const old = compliance(records, 'error', '2026-03-01', '2026-03-31', now, 0.8, 'Europe/Moscow', 'agreed');
    expect(old.overall).toMatchObject({ counted: 5, onTime: 5, late: 0 });
  });

  it('an agreed date missed is tallied as missed', () => {
    const s = criticalError({ agreedDeadline: '2026-03-20', resolvedAt: '2026-03-24T15:00:00+03:00' });
    const a = step(EMPTY_LEDGER, s, '2026-03-25T10:00:00+03:00');
    expect(a.verdict.agreed).toEqual({ due: '2026-03-20T18:00:00+03:00', kept: false });
    const c = compliance(
      [recordFrom(s, a.verdict)],
      'error',
      '2026-03-01',
      '2026-03-31',
      at('2026-03-31T12:00:00+03:00'),
      0.8,
    );
    expect(c.overall).toMatchObject({ counted: 1, late: 1, agreedKept: 0, agreedMissed: 1 });
  });
});

describe('data errors are warnings, never stops', () => {
  it.each([
    [
      'a reaction before the registration',
      { reactions: [{ at: '2026-03-05T10:00:00+03:00', type: 'comment' as const }] },
      'instant-before-registration',
      'reactions[].at 2026-03-05T10:00:00+03:00',
    ],
    [
      'a reaction after now',
      { reactions: [{ at: '2026-03-12T10:00:00+03:00', type: 'comment' as const }] },
      'instant-in-future',
      'reactions[].at 2026-03-12T10:00:00+03:00',
    ],
    [
      'resolved before registered',
      { resolvedAt: '2026-03-01T10:00:00+03:00' },
      'resolved-before-registered',
      'resolvedAt 2026-03-01T10:00:00+03:00',
    ],
  ])('%s', (_name, over, code, field) => {
    const v = evaluate(incident(over), DEFAULT_POLICY, cal, at('2026-03-11T10:00:00+03:00'));
    expect(v.reaction).toMatchObject({ state: 'breached', at: null });
    const w = v.warnings.find((x) => x.code === code);
    expect(w?.message).toContain(field);
  });

  it('an estimate before the registration does not stop the verification clock', () => {
    const v = evaluate(
      criticalError({ estimateAt: '2026-02-27T12:00:00+03:00' }),
      DEFAULT_POLICY,
      cal,
      at('2026-03-03T10:00:00+03:00'),
    );
    expect(v.verification).toMatchObject({ state: 'running', at: null });
    expect(v.warnings.map((w) => w.code)).toContain('instant-before-registration');
  });

  it('an agreed deadline before the registration is ignored with a warning', () => {
    const v = evaluate(
      criticalError({ agreedDeadline: '2026-02-20' }),
      DEFAULT_POLICY,
      cal,
      at('2026-03-03T10:00:00+03:00'),
    );
    expect(v.fix).toMatchObject({ rule: 'working-days', agreed: false, due: '2026-03-17T18:00:00+03:00' });
    expect(v.warnings.find((w) => w.code === 'agreed-before-registration')?.message).toContain('2026-02-20');
  });

  it('a history change before the registration is a warning and is not placed', () => {
    const s = incident({
      history: [{ field: 'urgency', from: 'low', to: 'high', at: '2026-03-01T10:00:00+03:00' }],
    });
    const b = step(EMPTY_LEDGER, s, '2026-03-10T12:00:00+03:00');
    expect(b.facts.some((f) => f.type === 'inputs-changed')).toBe(false);
    expect(b.verdict.warnings.map((w) => w.code)).toContain('instant-before-registration');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const URG = ['high', 'medium', 'low'] as const;
const REG = at('2026-03-06T16:30:00+03:00');
const HOUR = 3_600_000;

/** A random story of one incident: dated urgency changes and maybe a reaction, within 12 days. */
const story = fc.record({
  start: fc.constantFrom(...URG),
  changes: fc.array(fc.record({ h: fc.integer({ min: 1, max: 290 }), to: fc.constantFrom(...URG) }), {
    maxLength: 4,
  }),
  reaction: fc.option(fc.integer({ min: 1, max: 290 }), { nil: null }),
});

type Story = typeof story extends fc.Arbitrary<infer T> ? T : never;

/** The snapshot after the first `n` events of the story (in their dated order). */
function snapshotAfter(s: Story, upTo: number): Snapshot {
  const changes = [...s.changes].sort((a, b) => a.h - b.h).filter((c) => c.h <= upTo);
  let cur: string = s.start;
  const history: InputChange[] = [];
  for (const c of changes) {
    if (c.to === cur) continue;
    history.push({ field: 'urgency', from: cur, to: c.to, at: new Date(REG + c.h * HOUR).toISOString() });
    cur = c.to;
  }
  return incident({
    urgency: cur as Snapshot['urgency'],
    history,
    updatedAt: new Date(REG + upTo * HOUR).toISOString(),
    ...(s.reaction !== null && s.reaction <= upTo
      ? { reactions: [{ at: new Date(REG + s.reaction * HOUR).toISOString(), type: 'comment' as const }] }
      : {}),
  });
}

describe('ledger properties (seeded)', () => {
  it('no later event turns a recorded breach into met', () => {
    fc.assert(
      fc.property(story, fc.integer({ min: 1, max: 300 }), (s, cut) => {
        const now1 = REG + cut * HOUR;
        const first = step(EMPTY_LEDGER, snapshotAfter(s, cut), new Date(now1).toISOString());
        const breach = summarize(first.state).clocks.reaction?.breach;
        if (!breach) return;
        // Everything that happens after the breach, seen later.
        const after = {
          ...s,
          changes: s.changes.filter((c) => REG + c.h * HOUR > breach.at || c.h <= cut),
          reaction:
            s.reaction !== null && REG + s.reaction * HOUR > breach.at
              ? s.reaction
              : s.reaction !== null && s.reaction <= cut
                ? s.reaction
                : null,
        };
        const later = step(first.state, snapshotAfter(after, 300), new Date(REG + 301 * HOUR).toISOString());
        expect(later.verdict.reaction?.state).toBe('breached');
        expect(summarize(later.state).clocks.reaction?.breach?.at).toBe(breach.at);
      }),
      { seed: 11, numRuns: 150 },
    );
  });

  it('the same observations in any order give the same ledger and figures, breaches included', () => {
    const T = REG + 301 * HOUR;
    let breached = 0;
    let superseded = 0;
    fc.assert(
      fc.property(
        story,
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer(), { minLength: 5, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 5 }),
        fc.boolean(),
        (s, cuts, keys, gaps, oneInstant) => {
          const obs = [...cuts, 300].map((cut) => ({ cut, snapshot: snapshotAfter(s, cut) }));
          // Observed in the order of their updatedAt, and in a random order; each at T (a replay), or
          // at increasing instants, none before its snapshot's updatedAt, the last at T.
          const dated = [...obs].sort((a, b) => a.cut - b.cut);
          const shuffled = obs
            .map((o, i) => ({ o, k: keys[i]! }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.o);
          const run = (order: typeof obs) => {
            let state = EMPTY_LEDGER;
            let t = REG;
            order.forEach((o, i) => {
              t =
                i === order.length - 1 || oneInstant
                  ? T
                  : Math.min(T, Math.max(t, REG + o.cut * HOUR) + gaps[i]! * HOUR);
              ({ state } = step(state, o.snapshot, new Date(t).toISOString()));
            });
            // The figures: the newest snapshot observed once more at T, on the ledger the order left.
            const { verdict } = step(state, snapshotAfter(s, 300), new Date(T).toISOString());
            return { state, verdict };
          };
          const a = run(dated);
          const b = run(shuffled);
          const ids = (st: LedgerState) => ledgerFacts(st).map((f) => f.id);
          expect(ids(b.state)).toEqual(ids(a.state));
          expect(summarize(b.state)).toEqual(summarize(a.state));
          expect(b.verdict.reaction).toEqual(a.verdict.reaction);
          expect(b.verdict.breaches).toEqual(a.verdict.breaches);
          if (ledgerFacts(a.state).some((f) => f.type === 'breached')) breached++;
          for (const st of [a.state, b.state]) if (st.facts.length !== ledgerFacts(st).length) superseded++;
        },
      ),
      { seed: 12, numRuns: 300 },
    );
    // Not vacuous: breaches recorded, and witnesses superseded by facts that arrived late.
    expect(breached).toBeGreaterThan(30);
    expect(superseded).toBeGreaterThan(10);
  });
});
