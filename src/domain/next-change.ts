/**
 * The next instant at which a verdict can change with `now` alone (no new input): the sweep reads only
 * the records whose instant has come (issue #14), so a store that holds a million closed clocks costs
 * a sweep nothing. Pure: the same snapshot, verdict, policy and calendar give the same instant.
 *
 * What changes a verdict with time alone (src/domain/deadlines.ts `measureClock`, evaluate.ts):
 * - an open clock that is `running` turns `at-risk` once the used share of its working time from
 *   registration to the deadline reaches `policy.atRiskShare`;
 * - an open clock that is `running` or `at-risk` turns `breached` the first millisecond after its
 *   deadline (`now > due`);
 * - an instant of the snapshot later than `now` (a reaction, estimate or resolution dated in the
 *   future: clocks of another system running ahead) counts once `now` reaches it: the clock stops and
 *   the `instant-in-future` warning goes.
 * Stopped clocks (met, breached with a stop), undated clocks and incomplete verdicts have no such
 * instant: only a new input changes them, and that arrives as an event.
 */
import type { WorkingCalendar } from './calendar/types';
import { parseInstant } from './calendar';
import type { Policy } from './policy';
import type { Clock, Snapshot, Verdict } from './snapshot';

/** Epoch ms of an ISO instant, or null (absent or unparseable). */
function ms(iso: string | null | undefined): number | null {
  if (!iso) return null;
  try {
    return parseInstant(iso);
  } catch {
    return null;
  }
}

/**
 * When one open clock changes state next, or null (stopped, undated, or already breached).
 * At risk: the earliest instant by which `ceil(atRiskShare × total)` working minutes have passed since
 * `start` (the rounding up keeps the instant on or after the true threshold, so the clock evaluated
 * then is at risk). Breach: `due + 1 ms`.
 * @example clockChange({ due: '2026-03-10T16:30:00+03:00', state: 'running', at: null }, FRI_1630, 0.75, cal)
 * // => epoch ms of 2026-03-10T14:30:00+03:00 (360 of the 480 working minutes)
 */
export function clockChange(
  clock: Clock | null,
  start: number,
  atRiskShare: number,
  calendar: WorkingCalendar,
): number | null {
  if (!clock || clock.at || clock.due === null) return null;
  if (clock.state !== 'running' && clock.state !== 'at-risk') return null;
  const due = ms(clock.due);
  if (due === null) return null;
  const breach = due + 1;
  if (clock.state === 'at-risk') return breach;
  const total = calendar.workingMinutesBetween(start, due);
  if (total <= 0) return breach;
  let atRisk: number;
  try {
    atRisk = calendar.addWorkingMinutes(start, Math.ceil(atRiskShare * total));
  } catch {
    // Beyond the calendar's compiled years: the deadline itself is the next change to look at.
    return breach;
  }
  return Math.min(atRisk, breach);
}

/**
 * The verdict's next state change after `now` (epoch ms), or null when time alone changes nothing.
 * @example nextStateChange(incident, evaluate(incident, DEFAULT_POLICY, cal, now), DEFAULT_POLICY, cal, now)
 * // => the at-risk instant of the running reaction clock
 */
export function nextStateChange(
  snapshot: Snapshot,
  verdict: Verdict,
  policy: Readonly<Policy>,
  calendar: WorkingCalendar,
  now: number,
): number | null {
  if (!verdict.complete) return null;
  const start = ms(snapshot.registeredAt);
  if (start === null) return null;
  const candidates: number[] = [];
  for (const clock of [verdict.reaction, verdict.verification, verdict.fix]) {
    const t = clockChange(clock, start, policy.atRiskShare, calendar);
    if (t !== null) candidates.push(t);
  }
  // Instants dated after `now` are not counted yet; each starts to count when `now` reaches it.
  const stops = [...(snapshot.reactions ?? []).map((r) => r.at), snapshot.estimateAt, snapshot.resolvedAt];
  for (const iso of stops) {
    const t = ms(iso);
    if (t !== null && t > now && t >= start) candidates.push(t);
  }
  const future = candidates.filter((t) => t > now);
  // A candidate at or before `now` (a threshold passed between two evaluations) is due at once.
  if (future.length < candidates.length) return now;
  return future.length > 0 ? Math.min(...future) : null;
}
