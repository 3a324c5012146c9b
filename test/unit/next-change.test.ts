/**
 * nextStateChange(): the instant a verdict changes with time alone (issue #14), with the SPEC's
 * numbers on the default Moscow calendar (09–13 + 14–18, Mon 9 Mar 2026 a holiday).
 */
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, parseInstant } from '../../src/domain/calendar';
import { evaluate } from '../../src/domain/evaluate';
import { nextStateChange } from '../../src/domain/next-change';
import { DEFAULT_POLICY, clonePolicy } from '../../src/domain/policy';
import type { Snapshot } from '../../src/domain/snapshot';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
const at = (iso: string): number => parseInstant(iso);

/** SPEC §8 example 1: critical incident, Friday 2026-03-06 16:30 MSK, reaction 8 working hours. */
const incident: Snapshot = {
  key: 'SUP-101',
  kind: 'incident',
  registeredAt: '2026-03-06T16:30:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  nature: 'failure',
};

const next = (s: Snapshot, now: number, policy = DEFAULT_POLICY): number | null =>
  nextStateChange(s, evaluate(s, policy, cal, now), policy, cal, now);

describe('nextStateChange: incident reaction (8 working hours, due Tue 2026-03-10 16:30)', () => {
  it('running: the at-risk instant, 75 % = 360 of 480 working minutes (Fri 90 min + Tue 09–13 + 14:00–14:30)', () => {
    const now = at('2026-03-06T17:00:00+03:00');
    expect(evaluate(incident, DEFAULT_POLICY, cal, now).reaction!.state).toBe('running');
    expect(next(incident, now)).toBe(at('2026-03-10T14:30:00+03:00'));
  });

  it('evaluated at that instant the clock is at risk, a minute earlier it is running', () => {
    expect(evaluate(incident, DEFAULT_POLICY, cal, at('2026-03-10T14:30:00+03:00')).reaction!.state).toBe(
      'at-risk',
    );
    expect(evaluate(incident, DEFAULT_POLICY, cal, at('2026-03-10T14:29:00+03:00')).reaction!.state).toBe(
      'running',
    );
  });

  it('at risk: the first millisecond after the deadline (breach)', () => {
    const now = at('2026-03-10T15:00:00+03:00');
    expect(evaluate(incident, DEFAULT_POLICY, cal, now).reaction!.state).toBe('at-risk');
    expect(next(incident, now)).toBe(at('2026-03-10T16:30:00+03:00') + 1);
    expect(evaluate(incident, DEFAULT_POLICY, cal, at('2026-03-10T16:30:00+03:00') + 1).reaction!.state).toBe(
      'breached',
    );
  });

  it('the policy share moves the at-risk instant: 50 % = 240 minutes -> Tue 11:30', () => {
    const half = { ...clonePolicy(DEFAULT_POLICY), atRiskShare: 0.5 };
    expect(next(incident, at('2026-03-06T17:00:00+03:00'), half)).toBe(at('2026-03-10T11:30:00+03:00'));
  });

  it('breached and still open, met, or closed: no change with time alone', () => {
    expect(next(incident, at('2026-03-11T10:00:00+03:00'))).toBeNull();
    const reacted: Snapshot = {
      ...incident,
      reactions: [{ type: 'comment', at: '2026-03-10T10:00:00+03:00', authorRole: 'agent' }],
    };
    expect(evaluate(reacted, DEFAULT_POLICY, cal, at('2026-03-10T11:00:00+03:00')).reaction!.state).toBe(
      'met',
    );
    expect(next(reacted, at('2026-03-10T11:00:00+03:00'))).toBeNull();
  });

  it('a reaction dated after now counts from its instant: that instant is the next change', () => {
    const ahead: Snapshot = {
      ...incident,
      reactions: [{ type: 'comment', at: '2026-03-06T17:05:00+03:00', authorRole: 'agent' }],
    };
    expect(next(ahead, at('2026-03-06T17:00:00+03:00'))).toBe(at('2026-03-06T17:05:00+03:00'));
  });

  it('an incomplete verdict (inputs missing) has none', () => {
    const { impact: _impact, ...noImpact } = incident;
    expect(next(noImpact, at('2026-03-06T17:00:00+03:00'))).toBeNull();
  });
});

describe('nextStateChange: error verification (5 working days from Mon 2026-03-02 10:00, due Tue 10 Mar 18:00)', () => {
  /** Low error (score 4): the fix follows the next release, undated here; verification alone runs. */
  const error: Snapshot = {
    key: 'ERR-7',
    kind: 'error',
    registeredAt: '2026-03-02T10:00:00+03:00',
    impact: 'low',
    urgency: 'medium',
    mode: 'operation',
    workaround: 'none',
  };
  const now = at('2026-03-02T11:00:00+03:00');

  it('running: 75 % of 2,820 working minutes = 2,115 -> Fri 2026-03-06 14:15 (the undated fix clock adds none)', () => {
    const v = evaluate(error, DEFAULT_POLICY, cal, now);
    expect(v.verification!.due).toBe('2026-03-10T18:00:00+03:00');
    expect(v.fix!.due).toBeNull();
    expect(next(error, now)).toBe(at('2026-03-06T14:15:00+03:00'));
  });

  it('estimated: the verification clock stopped, the undated fix clock never changes with time -> none', () => {
    expect(next({ ...error, estimateAt: '2026-03-02T10:30:00+03:00' }, now)).toBeNull();
  });

  it('an agreed fix deadline makes the fix clock dated: its at-risk instant counts', () => {
    const agreed = {
      ...error,
      estimateAt: '2026-03-02T10:30:00+03:00',
      agreedDeadline: '2026-03-03T18:00:00+03:00',
    };
    const v = evaluate(agreed, DEFAULT_POLICY, cal, now);
    expect(v.fix!.due).toBe('2026-03-03T18:00:00+03:00');
    // 900 working minutes (Mon 420 + Tue 480); 75 % = 675 -> Tue 09:00 + 255 = 14:15.
    expect(next(agreed, now)).toBe(at('2026-03-03T14:15:00+03:00'));
  });
});
