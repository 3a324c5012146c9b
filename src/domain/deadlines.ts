/**
 * The deadline rules of the regulation as small pure functions: reaction (SPEC §3), verification and
 * fix (SPEC §5), the choice of the "next update" / "next release" from the project's versions, and the
 * state of a clock at a moment. Instants are epoch ms; the calendar does all working-time arithmetic.
 * The readings chosen where the regulation is ambiguous are listed in docs/rules.md.
 */
import { formatInstant } from './calendar/instant';
import type { WorkingCalendar } from './calendar/types';
import { isReleaseVersion, type FixRule, type FixRuleType, type Policy } from './policy';
import type { ClockState, VersionInfo } from './snapshot';

/**
 * `formatInstant` under the name the deadline code uses (the zone is checked once per zone, and the
 * offset comes from a per-zone table: calendar/format.ts).
 * @example isoInZone(1773149400000, 'Europe/Moscow') // '2026-03-10T16:30:00+03:00'
 */
export function isoInZone(ms: number, zone: string): string {
  return formatInstant(ms, zone);
}

/** A version is a release (`X.0`, `X.0.0` by default) or an update (any other name). */
export type VersionKind = 'release' | 'update';

/** A version with a release date, as the deadline rules use it. */
export interface DatedVersion {
  name: string;
  /** 'YYYY-MM-DD' in the calendar's zone. */
  releaseDate: string;
  kind: VersionKind;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether a version name is a release or an update under the policy's `versions.releasePattern`.
 * @example versionKind(DEFAULT_POLICY, '6.0') // 'release'
 * @example versionKind(DEFAULT_POLICY, '5.2.1') // 'update'
 */
export function versionKind(policy: Readonly<Policy>, name: string): VersionKind {
  return isReleaseVersion(policy, name) ? 'release' : 'update';
}

/**
 * The "next update" or "next release" of an error registered on `registeredDate` (SPEC §5): among
 * the versions of that kind with a release date on or after the registration date, the one with the
 * earliest date (the first listed on a tie). Versions without a release date are ignored. The
 * `released` flag does not change the choice: a version released on or after the registration date
 * was still unreleased when the error came in, so the deadline does not jump to a later version once
 * the fix ships. A postponed version (its date moved later) is simply read with its current date.
 * @example nextVersion([{ name: '5.2.1', releaseDate: '2026-03-20' }, { name: '6.0', releaseDate: '2026-03-10' }], 'update', '2026-03-02', DEFAULT_POLICY)
 * // => { name: '5.2.1', releaseDate: '2026-03-20', kind: 'update' }
 */
export function nextVersion(
  versions: readonly VersionInfo[] | undefined,
  kind: VersionKind,
  registeredDate: string,
  policy: Readonly<Policy>,
): DatedVersion | undefined {
  let best: DatedVersion | undefined;
  for (const v of versions ?? []) {
    const date = v.releaseDate;
    if (typeof date !== 'string' || !DATE_RE.test(date) || date < registeredDate) continue;
    if (versionKind(policy, v.name) !== kind) continue;
    if (!best || date < best.releaseDate) best = { name: v.name, releaseDate: date, kind };
  }
  return best;
}

/** What a fix rule gives: the deadline (or null), the version it is tied to, and why (English). */
export interface FixDeadline {
  rule: FixRuleType;
  due: number | null;
  /** The version whose date is the deadline, when a version governs it. */
  version: string | null;
  text: string;
}

/** Inputs of the fix rules. */
export interface FixContext {
  registeredAt: number;
  versions: readonly VersionInfo[] | undefined;
  policy: Readonly<Policy>;
  calendar: WorkingCalendar;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The fix deadline of an error class's rule (SPEC §5). A version's date counts until the close of that
 * day's working hours (the next working day's when it is not one); day and month periods follow the
 * Civil Code rules of the calendar (`addWorkingDays`, `addMonths`). A version dated on the registration
 * day counts as next only when that day's working hours close after the registration.
 *
 * - `working-days` N: N working days from registration.
 * - `later-of-days-and-update` N: met when fixed within N working days or in the next update, so the
 *   deadline is the later of the two; N days when no dated update is known.
 * - `earlier-of-update-and-months` N: the next update, but no later than N months; N months when no
 *   dated update is known.
 * - `next-release`: the next release's date; null (undated) when none is known.
 * - `none`: null.
 *
 * @example fixDeadline({ type: 'working-days', days: 10 }, { registeredAt: parseInstant('2026-03-02T10:00:00+03:00'), versions: [], policy: DEFAULT_POLICY, calendar })
 * // => { rule: 'working-days', due: <2026-03-17T18:00:00+03:00>, version: null, text: '10 working days from registration' }
 */
export function fixDeadline(rule: FixRule, ctx: FixContext): FixDeadline {
  const { calendar, registeredAt } = ctx;
  const fmt = (ms: number): string => isoInZone(ms, calendar.zone);
  const registeredDate = calendar.dateOf(registeredAt);
  // A version dated on the registration day whose working hours closed at or before the registration
  // (an error registered at 18:15 on an update's release date) had already shipped: it is not "next",
  // and taking it would put the deadline before the registration.
  const shipsAfterRegistration = (v: VersionInfo): boolean =>
    typeof v.releaseDate !== 'string' ||
    !DATE_RE.test(v.releaseDate) ||
    v.releaseDate > registeredDate ||
    calendar.closeOfDate(v.releaseDate) > registeredAt;
  const next = (kind: VersionKind): { v: DatedVersion; due: number } | undefined => {
    const v = nextVersion(ctx.versions?.filter(shipsAfterRegistration), kind, registeredDate, ctx.policy);
    return v && { v, due: calendar.closeOfDate(v.releaseDate) };
  };
  switch (rule.type) {
    case 'working-days': {
      const due = calendar.addWorkingDays(registeredAt, rule.days);
      return {
        rule: rule.type,
        due,
        version: null,
        text: `${plural(rule.days, 'working day')} from registration`,
      };
    }
    case 'later-of-days-and-update': {
      const days = calendar.addWorkingDays(registeredAt, rule.days);
      const update = next('update');
      const period = `${plural(rule.days, 'working day')} (${fmt(days)})`;
      if (!update) {
        return {
          rule: rule.type,
          due: days,
          version: null,
          text: `${period}; no dated update after registration`,
        };
      }
      const byUpdate = update.due > days;
      return {
        rule: rule.type,
        due: byUpdate ? update.due : days,
        version: byUpdate ? update.v.name : null,
        text: `later of ${period} and the next update ${update.v.name} (${fmt(update.due)})`,
      };
    }
    case 'earlier-of-update-and-months': {
      const months = calendar.addMonths(registeredAt, rule.months);
      const update = next('update');
      const cap = `${plural(rule.months, 'month')} (${fmt(months)})`;
      if (!update) {
        return {
          rule: rule.type,
          due: months,
          version: null,
          text: `${cap}; no dated update after registration`,
        };
      }
      const byUpdate = update.due <= months;
      return {
        rule: rule.type,
        due: byUpdate ? update.due : months,
        version: byUpdate ? update.v.name : null,
        text: `earlier of the next update ${update.v.name} (${fmt(update.due)}) and ${cap}`,
      };
    }
    case 'next-release': {
      const release = next('release');
      if (!release) {
        return {
          rule: rule.type,
          due: null,
          version: null,
          text: 'the next release; no dated release after registration, so no dated deadline',
        };
      }
      return {
        rule: rule.type,
        due: release.due,
        version: release.v.name,
        text: `the next release ${release.v.name} (${fmt(release.due)})`,
      };
    }
    case 'none':
      return { rule: rule.type, due: null, version: null, text: 'planned: no deadline' };
  }
}

/**
 * Reaction deadline of an incident (SPEC §3): `hours` working hours counted in exact working minutes
 * from the registration instant.
 * @example reactionDue(parseInstant('2026-03-06T16:30:00+03:00'), 8, calendar) // 2026-03-10T16:30:00+03:00
 */
export function reactionDue(registeredAt: number, hours: number, calendar: WorkingCalendar): number {
  return calendar.addWorkingMinutes(registeredAt, Math.round(hours * 60));
}

/**
 * Verification deadline of an error (SPEC §5, source §2.9.2): `days` working days from registration.
 * @example verificationDue(parseInstant('2026-03-02T10:00:00+03:00'), 5, calendar) // 2026-03-10T18:00:00+03:00
 */
export function verificationDue(registeredAt: number, days: number, calendar: WorkingCalendar): number {
  return calendar.addWorkingDays(registeredAt, days);
}

/** A clock measured at `now` (instants still epoch ms). */
export interface ClockReading {
  state: ClockState;
  due: number | null;
  /** When the clock stopped, or null while it runs. */
  stoppedAt: number | null;
  usedMinutes: number;
  leftMinutes: number | null;
  usedShare: number | null;
}

/**
 * State of a clock at `now`. A stop after `now` has not happened yet and is ignored; a stop before the
 * start counts as at the start.
 * - undated (`due` null): `not-applicable`, whether stopped or not;
 * - stopped: `met` when on or before `due`, else `breached`;
 * - open: `breached` once `now` is after `due`; `at-risk` when the used share of the working time from
 *   start to `due` is at least `atRiskShare`; otherwise `running`.
 * `usedMinutes` = working minutes from start to the stop (or `now`); `leftMinutes` = working minutes from
 * the stop (or `now`) to `due`, negative once past; `usedShare` = used ÷ (start → due).
 * @example measureClock(start, due, null, now, 0.75, calendar).state // 'running'
 */
export function measureClock(
  start: number,
  due: number | null,
  stop: number | null,
  now: number,
  atRiskShare: number,
  calendar: WorkingCalendar,
): ClockReading {
  const stoppedAt = stop !== null && stop <= now ? Math.max(stop, start) : null;
  const ref = stoppedAt ?? Math.max(now, start);
  const used = calendar.workingMinutesBetween(start, ref);
  if (due === null) {
    return { state: 'not-applicable', due, stoppedAt, usedMinutes: used, leftMinutes: null, usedShare: null };
  }
  const total = calendar.workingMinutesBetween(start, due);
  const left = calendar.workingMinutesBetween(ref, due);
  const share = total > 0 ? used / total : ref >= due ? 1 : 0;
  let state: ClockState;
  if (stoppedAt !== null) state = stoppedAt <= due ? 'met' : 'breached';
  else if (now > due) state = 'breached';
  else state = share >= atRiskShare ? 'at-risk' : 'running';
  return { state, due, stoppedAt, usedMinutes: used, leftMinutes: left, usedShare: share };
}
