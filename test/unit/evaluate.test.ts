/**
 * evaluate(): SPEC §3 (reaction) and §5 (verification, fix) on the default Moscow calendar with the
 * Russian production calendar. Every expected deadline below was counted by hand from
 * shared/calendars/ru-production-calendar.md (2026: 9 Mar, 1 May, 11 May, 12 Jun, 4 Nov, 31 Dec off;
 * 30 Apr, 8 May, 11 Jun, 3 Nov end at 17:00; 2027: 1–8 Jan off) and the 09–13 + 14–18 working day.
 */
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, parseInstant } from '../../src/domain/calendar';
import { evaluate, reactionInstant, slaRecordOf } from '../../src/domain/evaluate';
import { AS_PRINTED_POLICY, DEFAULT_POLICY, clonePolicy } from '../../src/domain/policy';
import type { Snapshot, VersionInfo } from '../../src/domain/snapshot';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
const at = (iso: string): number => parseInstant(iso);

/** SPEC §8 example 1: Friday 2026-03-06 16:30 MSK. */
const FRI = '2026-03-06T16:30:00+03:00';

function incident(patch: Partial<Snapshot> = {}): Snapshot {
  return {
    key: 'SUP-101',
    kind: 'incident',
    registeredAt: FRI,
    impact: 'high',
    urgency: 'high',
    mode: 'operation',
    nature: 'failure',
    ...patch,
  };
}

/** Errors registered on Monday 2026-03-02 10:00 MSK. */
const MON = '2026-03-02T10:00:00+03:00';

function error(patch: Partial<Snapshot> = {}): Snapshot {
  return {
    key: 'ERR-7',
    kind: 'error',
    registeredAt: MON,
    impact: 'high',
    urgency: 'high',
    mode: 'operation',
    workaround: 'none',
    ...patch,
  };
}

/** Inputs giving each error class under the default policy (score in brackets). */
const CRITICAL = { impact: 'high', urgency: 'high', mode: 'operation', workaround: 'none' } as const; // 10
const HIGH = { impact: 'high', urgency: 'medium', mode: 'operation', workaround: 'none' } as const; // 8
const MEDIUM = { impact: 'high', urgency: 'medium', mode: 'operation', workaround: 'moderate' } as const; // 8−3 = 5
const LOW = { impact: 'low', urgency: 'medium', mode: 'operation', workaround: 'none' } as const; // 4
const PLANNED = { impact: 'low', urgency: 'low', mode: 'operation', workaround: 'none' } as const; // 2

describe('incident reaction deadline (SPEC §3), registered Fri 2026-03-06 16:30 MSK', () => {
  // 1.5 h on Friday; Mon 9 Mar is the moved 8 March holiday; then whole 8-hour days from Tue 10 Mar.
  it.each<[number, string, Partial<Snapshot>, string]>([
    [5, 'critical, 8 h', { impact: 'high', urgency: 'high' }, '2026-03-10T16:30:00+03:00'],
    [4, 'high, 16 h', { impact: 'medium', urgency: 'high' }, '2026-03-11T16:30:00+03:00'],
    [3, 'medium, 24 h', { impact: 'medium', urgency: 'medium' }, '2026-03-12T16:30:00+03:00'],
    [2, 'low, 40 h', { impact: 'low', urgency: 'high' }, '2026-03-16T16:30:00+03:00'],
    [1, 'planned, 80 h', { impact: 'low', urgency: 'medium' }, '2026-03-23T16:30:00+03:00'],
  ])('level %i (%s) is due %s', (level, _name, inputs, due) => {
    const v = evaluate(incident(inputs), DEFAULT_POLICY, cal, at('2026-03-06T17:00:00+03:00'));
    expect(v.complete).toBe(true);
    expect(v.priority?.value).toBe(level);
    expect(v.reaction?.due).toBe(due);
    expect(v.reaction?.state).toBe('running');
    expect(v.verification).toBeNull();
    expect(v.fix).toBeNull();
  });

  it('SPEC §8 example 1: critical, priority 5, due 2026-03-10 16:30 MSK, met by a status change at 10:00', () => {
    const v = evaluate(
      incident({ reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'status' }] }),
      DEFAULT_POLICY,
      cal,
      at('2026-03-12T12:00:00+03:00'),
    );
    expect(v).toMatchObject({
      key: 'SUP-101',
      complete: true,
      missing: [],
      priority: { kind: 'incident', value: 5, class: 'critical', computed: 5, overridden: false },
      reaction: {
        due: '2026-03-10T16:30:00+03:00',
        state: 'met',
        at: '2026-03-10T10:00:00+03:00',
        usedMinutes: 150, // 16:30–18:00 Fri + 09:00–10:00 Tue
        leftMinutes: 330, // 10:00–13:00 + 14:00–16:30
      },
      warnings: [],
      evaluatedAt: '2026-03-12T12:00:00+03:00',
    });
    expect(v.priority?.breakdown.map((s) => s.text)).toEqual(['base: urgency high × impact high = 5']);
  });

  it('a deadline across a short pre-holiday day and the 1 May holiday', () => {
    // Thu 30 Apr ends at 17:00 (2 h from 15:00); 1 May (Fri) holiday; Mon 4 May 09–13 + 14–16.
    const v = evaluate(
      incident({ registeredAt: '2026-04-30T15:00:00+03:00' }),
      DEFAULT_POLICY,
      cal,
      at('2026-04-30T15:00:00+03:00'),
    );
    expect(v.reaction?.due).toBe('2026-05-04T16:00:00+03:00');
  });

  it('output instants carry the calendar zone offset whatever offset came in', () => {
    const v = evaluate(
      incident({ registeredAt: '2026-03-06T13:30:00Z' }),
      DEFAULT_POLICY,
      cal,
      at('2026-03-06T14:00:00Z'),
    );
    expect(v.reaction?.due).toBe('2026-03-10T16:30:00+03:00');
    expect(v.evaluatedAt).toBe('2026-03-06T17:00:00+03:00');
  });
});

describe('reaction events (SPEC §3)', () => {
  const NOW = at('2026-03-12T12:00:00+03:00');
  const react = (reactions: Snapshot['reactions'], policy = DEFAULT_POLICY, now = NOW) =>
    evaluate(incident({ reactions }), policy, cal, now).reaction;

  it('a comment by the reporter is not a reaction', () => {
    expect(
      react([{ at: '2026-03-10T09:30:00+03:00', type: 'comment', authorRole: 'reporter' }]),
    ).toMatchObject({
      state: 'breached',
      at: null,
    });
  });

  it('an agent comment after the deadline breaches it; the reporter comment before it does not count', () => {
    expect(
      react([
        { at: '2026-03-10T09:30:00+03:00', type: 'comment', authorRole: 'reporter' },
        { at: '2026-03-10T17:00:00+03:00', type: 'comment', authorRole: 'agent' },
      ]),
    ).toMatchObject({
      state: 'breached',
      at: '2026-03-10T17:00:00+03:00',
      usedMinutes: 510,
      leftMinutes: -30,
    });
  });

  // Issue #12 item 7: an assignment counts only when the policy says so (off by default).
  const withAssignee = clonePolicy(DEFAULT_POLICY);
  withAssignee.reaction.events = ['status', 'comment', 'assignee'];

  it('an assignment alone is no reaction by default (default assignees, automation)', () => {
    expect(react([{ at: '2026-03-10T10:00:00+03:00', type: 'assignee', authorRole: 'agent' }])).toMatchObject(
      {
        state: 'breached',
        at: null,
      },
    );
  });

  it('support staff only: a participant, customer or automation (other) never reacts', () => {
    expect(
      react(
        [
          { at: '2026-03-10T09:30:00+03:00', type: 'comment', authorRole: 'other' },
          { at: '2026-03-10T09:40:00+03:00', type: 'status', authorRole: 'reporter' },
          { at: '2026-03-10T09:50:00+03:00', type: 'assignee', authorRole: 'other' },
          { at: '2026-03-10T11:00:00+03:00', type: 'comment', authorRole: 'agent' },
        ],
        withAssignee,
      ),
    ).toMatchObject({ state: 'met', at: '2026-03-10T11:00:00+03:00' });
  });

  it('assignment exactly at the deadline meets it (policy counts assignments)', () => {
    expect(react([{ at: '2026-03-10T16:30:00+03:00', type: 'assignee' }], withAssignee)).toMatchObject({
      state: 'met',
      leftMinutes: 0,
      usedMinutes: 480,
    });
  });

  it('the earliest counted event wins, whatever the list order', () => {
    expect(
      react([
        { at: '2026-03-10T17:00:00+03:00', type: 'status' },
        { at: '2026-03-10T10:00:00+03:00', type: 'comment' },
      ]),
    ).toMatchObject({ state: 'met', at: '2026-03-10T10:00:00+03:00' });
  });

  it('only the event types the policy counts', () => {
    const statusOnly = clonePolicy(DEFAULT_POLICY);
    statusOnly.reaction.events = ['status'];
    expect(
      react(
        [
          { at: '2026-03-10T10:00:00+03:00', type: 'assignee' },
          { at: '2026-03-10T17:00:00+03:00', type: 'status' },
        ],
        statusOnly,
      ),
    ).toMatchObject({ state: 'breached', at: '2026-03-10T17:00:00+03:00' });
  });

  it('an event after `now` has not happened yet', () => {
    expect(
      react(
        [{ at: '2026-03-10T15:00:00+03:00', type: 'status' }],
        DEFAULT_POLICY,
        at('2026-03-10T12:00:00+03:00'),
      ),
    ).toMatchObject({ state: 'running', at: null, usedMinutes: 270 });
  });

  it('a resolution with no recorded reaction stops the clock', () => {
    const v = evaluate(incident({ resolvedAt: '2026-03-10T11:00:00+03:00' }), DEFAULT_POLICY, cal, NOW);
    expect(v.reaction).toMatchObject({ state: 'met', at: '2026-03-10T11:00:00+03:00' });
    expect(reactionInstant(incident(), DEFAULT_POLICY, NOW)).toBeNull();
  });
});

describe('clock state while open: running, at-risk (≥ 75 % of working time used), breached', () => {
  // Due 2026-03-10 16:30; 480 working minutes in all, 90 of them on Friday.
  it.each<[string, string, number, number]>([
    ['2026-03-06T17:00:00+03:00', 'running', 30, 450],
    ['2026-03-10T12:00:00+03:00', 'running', 270, 210],
    ['2026-03-10T14:29:00+03:00', 'running', 359, 121],
    ['2026-03-10T14:30:00+03:00', 'at-risk', 360, 120], // 360/480 = 0.75 exactly
    ['2026-03-10T16:30:00+03:00', 'at-risk', 480, 0],
    ['2026-03-10T16:31:00+03:00', 'breached', 481, -1],
    ['2026-03-11T09:00:00+03:00', 'breached', 570, -90],
  ])('at %s: %s, used %i, left %i', (now, state, used, left) => {
    const r = evaluate(incident(), DEFAULT_POLICY, cal, at(now)).reaction;
    expect(r).toMatchObject({ state, at: null, usedMinutes: used, leftMinutes: left });
    expect(r?.usedShare).toBeCloseTo(used / 480, 10);
  });

  it('follows the policy threshold', () => {
    const p = clonePolicy(DEFAULT_POLICY);
    p.atRiskShare = 0.5;
    expect(evaluate(incident(), p, cal, at('2026-03-10T12:00:00+03:00')).reaction?.state).toBe('at-risk');
  });
});

describe('priority changes and overrides (SPEC §2, §3)', () => {
  it('a priority changed mid-way is recomputed from registration, not from the change', () => {
    const now = at('2026-03-11T10:00:00+03:00');
    // Registered as medium (level 3): due Thu 12 Mar 16:30.
    expect(
      evaluate(incident({ impact: 'medium', urgency: 'medium' }), DEFAULT_POLICY, cal, now).reaction,
    ).toMatchObject({
      due: '2026-03-12T16:30:00+03:00',
      state: 'running',
    });
    // Raised to critical on 11 Mar: 8 h from registration (10 Mar 16:30) — already breached,
    // not 8 h from the change (12 Mar 10:00).
    expect(evaluate(incident(), DEFAULT_POLICY, cal, now).reaction).toMatchObject({
      due: '2026-03-10T16:30:00+03:00',
      state: 'breached',
    });
  });

  it('an override replaces the computed level and keeps both visible', () => {
    const v = evaluate(
      incident({
        impact: 'medium',
        urgency: 'medium',
        priorityOverride: { value: 5, reason: 'customer request' },
      }),
      DEFAULT_POLICY,
      cal,
      at('2026-03-06T17:00:00+03:00'),
    );
    expect(v.priority).toMatchObject({
      value: 5,
      class: 'critical',
      computed: 3,
      overridden: true,
      reason: 'customer request',
    });
    expect(v.priority?.breakdown.at(-1)).toMatchObject({ code: 'override', computed: 3, value: 5 });
    expect(v.reaction?.due).toBe('2026-03-10T16:30:00+03:00');
  });

  it('an error override picks the fix rule of the overridden class', () => {
    const v = evaluate(
      error({ ...MEDIUM, priorityOverride: { value: 10, reason: 'key customer' } }),
      DEFAULT_POLICY,
      cal,
      at(MON),
    );
    expect(v.priority).toMatchObject({ value: 10, class: 'critical', computed: 5, overridden: true });
    expect(v.fix).toMatchObject({ rule: 'working-days', due: '2026-03-17T18:00:00+03:00' });
  });
});

describe('missing inputs', () => {
  it('an incident without urgency, mode and nature is incomplete, with no priority or clocks', () => {
    const v = evaluate(
      { key: 'SUP-9', kind: 'incident', registeredAt: FRI, impact: 'high' },
      DEFAULT_POLICY,
      cal,
      at(FRI),
    );
    expect(v).toEqual({
      key: 'SUP-9',
      complete: false,
      missing: ['urgency', 'mode', 'nature'],
      priority: null,
      reaction: null,
      verification: null,
      fix: null,
      warnings: [
        {
          code: 'incomplete',
          message: 'Missing urgency, mode, nature: no priority or deadlines until they are set.',
        },
      ],
      evaluatedAt: '2026-03-06T16:30:00+03:00',
    });
  });

  it('the as-printed preset does not need urgency (its rows are the usage mode)', () => {
    const v = evaluate(
      {
        key: 'SUP-9',
        kind: 'incident',
        registeredAt: FRI,
        impact: 'medium',
        mode: 'implementation',
        nature: 'failure',
      },
      AS_PRINTED_POLICY,
      cal,
      at(FRI),
    );
    // modeMatrix.implementation.medium = 3, implementation −1 → 2 (40 h).
    expect(v.complete).toBe(true);
    expect(v.priority?.value).toBe(2);
    expect(v.reaction?.due).toBe('2026-03-16T16:30:00+03:00');
  });

  it("linked incidents do not fill an error's own missing input (strict)", () => {
    const { impact: _drop, ...withoutImpact } = error();
    const v = evaluate(
      { ...withoutImpact, linkedIncidents: [{ impact: 'high', urgency: 'high', mode: 'operation' }] },
      DEFAULT_POLICY,
      cal,
      at(MON),
    );
    expect(v).toMatchObject({
      complete: false,
      missing: ['impact'],
      priority: null,
      verification: null,
      fix: null,
    });
    expect(v.warnings).toEqual([
      { code: 'incomplete', message: 'Missing impact: no priority or deadlines until it is set.' },
    ]);
  });
});

describe('error verification (SPEC §5, source §2.9.2): 5 working days from Mon 2026-03-02 10:00 → Tue 10 Mar 18:00', () => {
  // Counting starts on 3 Mar: 3, 4, 5, 6, (9 off), 10. Working minutes 2 Mar 10:00 → 10 Mar 18:00:
  // 420 + 4 × 480 + 480 = 2820.
  const verify = (patch: Partial<Snapshot>, now: string) =>
    evaluate(error(patch), DEFAULT_POLICY, cal, at(now)).verification;

  it('met when the estimate is recorded on the last day', () => {
    expect(verify({ estimateAt: '2026-03-10T17:00:00+03:00' }, '2026-03-20T12:00:00+03:00')).toMatchObject({
      due: '2026-03-10T18:00:00+03:00',
      state: 'met',
      at: '2026-03-10T17:00:00+03:00',
      leftMinutes: 60,
    });
  });

  it('breached when the estimate comes the next morning', () => {
    expect(verify({ estimateAt: '2026-03-11T09:30:00+03:00' }, '2026-03-20T12:00:00+03:00')).toMatchObject({
      state: 'breached',
      leftMinutes: -30,
    });
  });

  it('running, then at risk, then breached while no estimate is recorded', () => {
    // Thu 5 Mar 12:00: 420 + 480 + 480 + 180 = 1560 of 2820 (55 %).
    expect(verify({}, '2026-03-05T12:00:00+03:00')).toMatchObject({
      state: 'running',
      usedMinutes: 1560,
      leftMinutes: 1260,
    });
    // Fri 6 Mar 17:00: 420 + 3 × 480 + 420 = 2280 of 2820 (80.9 %).
    expect(verify({}, '2026-03-06T17:00:00+03:00')).toMatchObject({ state: 'at-risk', usedMinutes: 2280 });
    expect(verify({}, '2026-03-11T10:00:00+03:00')).toMatchObject({ state: 'breached', usedMinutes: 2880 });
  });

  it('a fix before the verification deadline without an estimate stops it too', () => {
    expect(verify({ resolvedAt: '2026-03-06T12:00:00+03:00' }, '2026-03-20T12:00:00+03:00')).toMatchObject({
      state: 'met',
      at: '2026-03-06T12:00:00+03:00',
    });
  });
});

describe('error fix deadlines by class (SPEC §5), registered Mon 2026-03-02 10:00 MSK', () => {
  const fix = (patch: Partial<Snapshot>, now = '2026-03-02T12:00:00+03:00') =>
    evaluate(error(patch), DEFAULT_POLICY, cal, at(now)).fix;
  const update = (name: string, releaseDate: string | null, released = false): VersionInfo => ({
    name,
    releaseDate,
    released,
  });

  describe('critical (9–10): 10 working days → Tue 17 Mar 18:00', () => {
    // 3, 4, 5, 6, (9 off), 10, 11, 12, 13, 16, 17.
    it('due date and rule', () => {
      expect(fix(CRITICAL)).toMatchObject({
        rule: 'working-days',
        due: '2026-03-17T18:00:00+03:00',
        state: 'running',
        agreed: false,
        version: null,
        ruleText: '10 working days from registration',
      });
    });
    it('met by a fix a minute before the close, breached a minute into the next day', () => {
      expect(
        fix({ ...CRITICAL, resolvedAt: '2026-03-17T17:59:00+03:00' }, '2026-04-01T12:00:00+03:00'),
      ).toMatchObject({
        state: 'met',
        at: '2026-03-17T17:59:00+03:00',
        leftMinutes: 1,
      });
      expect(
        fix({ ...CRITICAL, resolvedAt: '2026-03-18T09:01:00+03:00' }, '2026-04-01T12:00:00+03:00'),
      ).toMatchObject({
        state: 'breached',
        leftMinutes: -1,
      });
      expect(fix(CRITICAL, '2026-03-18T09:01:00+03:00')).toMatchObject({ state: 'breached', at: null });
    });
    it('linked incidents raise an error to critical (SPEC §4, source §5.5)', () => {
      const v = evaluate(
        error({
          impact: 'low',
          urgency: 'low',
          mode: 'implementation',
          linkedIncidents: [{ impact: 'high', urgency: 'high', mode: 'operation' }],
        }),
        DEFAULT_POLICY,
        cal,
        at(MON),
      );
      expect(v.priority).toMatchObject({ value: 10, class: 'critical', computed: 10 });
      expect(v.priority?.breakdown.filter((s) => s.code === 'linked')).toHaveLength(3);
      expect(v.fix?.due).toBe('2026-03-17T18:00:00+03:00');
      // Without the links: 2 − 2 → clamped to 1, planned: no deadline.
      const alone = evaluate(
        error({ impact: 'low', urgency: 'low', mode: 'implementation' }),
        DEFAULT_POLICY,
        cal,
        at(MON),
      );
      expect(alone.priority?.value).toBe(1);
      expect(alone.fix).toMatchObject({ rule: 'none', due: null });
    });
  });

  describe('high (7–8): the later of 15 working days (Tue 24 Mar 18:00) and the next update', () => {
    // 15 working days: …, 17 (10th), 18, 19, 20, 23, 24.
    it('no versions at all → 15 working days', () => {
      expect(fix(HIGH)).toMatchObject({
        rule: 'later-of-days-and-update',
        due: '2026-03-24T18:00:00+03:00',
        version: null,
        ruleText: '15 working days (2026-03-24T18:00:00+03:00); no dated update after registration',
      });
    });
    it('next update before the 15-day mark → 15 working days', () => {
      expect(fix({ ...HIGH, versions: [update('5.2.1', '2026-03-20')] })).toMatchObject({
        due: '2026-03-24T18:00:00+03:00',
        version: null,
        ruleText:
          'later of 15 working days (2026-03-24T18:00:00+03:00) and the next update 5.2.1 (2026-03-20T18:00:00+03:00)',
      });
    });
    it('next update after the 15-day mark → its release date', () => {
      expect(fix({ ...HIGH, versions: [update('5.2.1', '2026-04-10')] })).toMatchObject({
        due: '2026-04-10T18:00:00+03:00',
        version: '5.2.1',
      });
    });
    it('an update dated on a Saturday counts until the close of Monday', () => {
      expect(fix({ ...HIGH, versions: [update('5.2.1', '2026-04-11')] })?.due).toBe(
        '2026-04-13T18:00:00+03:00',
      );
    });
    it('the earliest dated update on/after registration; earlier, undated and release versions are ignored', () => {
      const versions = [
        update('5.3', '2026-05-15'),
        update('5.1.9', '2026-02-27'), // before registration
        update('5.2.0.1', null), // no date
        update('6.0', '2026-04-03'), // a release, not an update
        update('5.2.2', '2026-04-17'),
      ];
      expect(fix({ ...HIGH, versions })).toMatchObject({
        due: '2026-04-17T18:00:00+03:00',
        version: '5.2.2',
      });
    });
    it('a version already released (after registration) still counts as that update', () => {
      expect(fix({ ...HIGH, versions: [update('5.2.1', '2026-04-10', true)] })?.due).toBe(
        '2026-04-10T18:00:00+03:00',
      );
    });
    it('a postponed update moves the deadline with it', () => {
      const fixedOn = { resolvedAt: '2026-04-10T12:00:00+03:00' };
      const planned = fix(
        { ...HIGH, ...fixedOn, versions: [update('5.2.1', '2026-03-27')] },
        '2026-04-20T12:00:00+03:00',
      );
      expect(planned).toMatchObject({ due: '2026-03-27T18:00:00+03:00', state: 'breached' });
      const postponed = fix(
        { ...HIGH, ...fixedOn, versions: [update('5.2.1', '2026-04-17')] },
        '2026-04-20T12:00:00+03:00',
      );
      expect(postponed).toMatchObject({ due: '2026-04-17T18:00:00+03:00', state: 'met', version: '5.2.1' });
    });
  });

  describe('medium (5–6, SPEC §8 example 3): the earlier of the next update and 4 months (Thu 2 Jul 18:00)', () => {
    it('SPEC §8 example 3 is medium; no versions → 4 months', () => {
      const v = evaluate(error(MEDIUM), DEFAULT_POLICY, cal, at(MON));
      expect(v.priority).toMatchObject({ value: 5, class: 'medium' });
      expect(v.fix).toMatchObject({
        rule: 'earlier-of-update-and-months',
        due: '2026-07-02T18:00:00+03:00',
        version: null,
        ruleText: '4 months (2026-07-02T18:00:00+03:00); no dated update after registration',
      });
    });
    it('an update within 4 months → the update', () => {
      expect(fix({ ...MEDIUM, versions: [update('5.2.1', '2026-04-10')] })).toMatchObject({
        due: '2026-04-10T18:00:00+03:00',
        version: '5.2.1',
      });
    });
    it('an update after 4 months → 4 months', () => {
      expect(fix({ ...MEDIUM, versions: [update('5.4', '2026-08-14')] })).toMatchObject({
        due: '2026-07-02T18:00:00+03:00',
        version: null,
      });
    });
    it('a postponed update moves the deadline, onto a short day, and never past 4 months', () => {
      expect(fix({ ...MEDIUM, versions: [update('5.3', '2026-05-15')] })?.due).toBe(
        '2026-05-15T18:00:00+03:00',
      );
      // Thu 11 Jun is a pre-holiday day ending at 17:00.
      expect(fix({ ...MEDIUM, versions: [update('5.3', '2026-06-11')] })?.due).toBe(
        '2026-06-11T17:00:00+03:00',
      );
      expect(fix({ ...MEDIUM, versions: [update('5.3', '2026-07-31')] })?.due).toBe(
        '2026-07-02T18:00:00+03:00',
      );
    });
  });

  describe('low (3–4): the next release', () => {
    it('the next release date', () => {
      expect(
        fix({ ...LOW, versions: [update('5.2.1', '2026-04-10'), update('6.0', '2026-06-01')] }),
      ).toMatchObject({
        rule: 'next-release',
        due: '2026-06-01T18:00:00+03:00',
        version: '6.0',
        state: 'running',
      });
    });
    it('a release on the 12 June holiday counts until the close of Mon 15 Jun', () => {
      expect(fix({ ...LOW, versions: [update('6.0.0', '2026-06-12')] })?.due).toBe(
        '2026-06-15T18:00:00+03:00',
      );
    });
    it('no dated release → no dated deadline (not-applicable)', () => {
      expect(fix({ ...LOW, versions: [update('5.2.1', '2026-04-10'), update('7.0', null)] })).toMatchObject({
        rule: 'next-release',
        due: null,
        state: 'not-applicable',
        leftMinutes: null,
        usedShare: null,
      });
    });
  });

  describe('planned (1–2): no deadline', () => {
    it('rule none, not-applicable even once fixed', () => {
      expect(fix(PLANNED)).toMatchObject({ rule: 'none', due: null, state: 'not-applicable' });
      expect(
        fix({ ...PLANNED, resolvedAt: '2026-05-05T12:00:00+03:00' }, '2026-06-01T12:00:00+03:00'),
      ).toMatchObject({
        state: 'not-applicable',
        at: '2026-05-05T12:00:00+03:00',
      });
    });
  });

  describe('individually agreed deadline (source §5.6.3)', () => {
    it('replaces the computed one, which stays visible in ruleText', () => {
      const f = fix(
        { ...CRITICAL, agreedDeadline: '2026-04-01T18:00:00+03:00', resolvedAt: '2026-03-25T12:00:00+03:00' },
        '2026-04-02T12:00:00+03:00',
      );
      expect(f).toMatchObject({
        rule: 'agreed',
        agreed: true,
        due: '2026-04-01T18:00:00+03:00',
        state: 'met',
      });
      expect(f?.ruleText).toContain('working-days gives 2026-03-17T18:00:00+03:00');
    });
    it('an agreed date (no time) means the close of that working day', () => {
      // Sat 4 Apr → Mon 6 Apr 18:00.
      expect(fix({ ...CRITICAL, agreedDeadline: '2026-04-04' })?.due).toBe('2026-04-06T18:00:00+03:00');
    });
    it('dates a planned error too', () => {
      expect(fix({ ...PLANNED, agreedDeadline: '2026-09-30T18:00:00+03:00' })).toMatchObject({
        rule: 'agreed',
        due: '2026-09-30T18:00:00+03:00',
        state: 'running',
      });
    });
  });
});

describe('warnings', () => {
  it('a deadline in 2027 carries the secondary-source warning', () => {
    // Registered Mon 2026-12-21. Verification: 22, 23, 24, 25, 28 Dec. Fix (10 days): 22, 23, 24, 25, 28, 29,
    // 30 Dec (31 Dec off, 1–8 Jan 2027 holidays, 9–10 weekend), 11, 12, 13 Jan.
    const v = evaluate(
      error({ ...CRITICAL, registeredAt: '2026-12-21T10:00:00+03:00' }),
      DEFAULT_POLICY,
      cal,
      at('2026-12-21T11:00:00+03:00'),
    );
    expect(v.verification?.due).toBe('2026-12-28T18:00:00+03:00');
    expect(v.fix?.due).toBe('2027-01-13T18:00:00+03:00');
    expect(v.warnings.map((w) => w.code)).toEqual(['year-secondary-source']);
    expect(v.warnings[0]?.message).toContain('2027');
  });

  it('a fix version shipping after the fix deadline is flagged', () => {
    const late = evaluate(
      error({ ...CRITICAL, fixVersion: '5.3', versions: [{ name: '5.3', releaseDate: '2026-04-10' }] }),
      DEFAULT_POLICY,
      cal,
      at(MON),
    );
    expect(late.warnings).toEqual([
      {
        code: 'fix-version-after-deadline',
        message:
          'The fix version 5.3 is scheduled for 2026-04-10, after the fix deadline 2026-03-17T18:00:00+03:00.',
      },
    ]);
    const inTime = evaluate(
      error({ ...CRITICAL, fixVersion: '5.3', versions: [{ name: '5.3', releaseDate: '2026-03-13' }] }),
      DEFAULT_POLICY,
      cal,
      at(MON),
    );
    expect(inTime.warnings).toEqual([]);
  });
});

describe('slaRecordOf', () => {
  it('takes the reaction for incidents and the fix for errors', () => {
    const now = at('2026-03-20T12:00:00+03:00');
    const s = incident({ project: 'SUP', reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'status' }] });
    expect(slaRecordOf(s, evaluate(s, DEFAULT_POLICY, cal, now))).toEqual({
      key: 'SUP-101',
      kind: 'incident',
      class: 'critical',
      due: '2026-03-10T16:30:00+03:00',
      doneAt: '2026-03-10T10:00:00+03:00',
      agreed: false,
      registeredAt: FRI,
      project: 'SUP',
    });
    const e = error({ ...HIGH, agreedDeadline: '2026-04-30T17:00:00+03:00' });
    expect(slaRecordOf(e, evaluate(e, DEFAULT_POLICY, cal, now))).toMatchObject({
      kind: 'error',
      class: 'high',
      due: '2026-04-30T17:00:00+03:00',
      doneAt: null,
      agreed: true,
    });
    const incomplete = { key: 'X', kind: 'error', registeredAt: MON } as Snapshot;
    expect(slaRecordOf(incomplete, evaluate(incomplete, DEFAULT_POLICY, cal, now))).toBeNull();
  });
});
