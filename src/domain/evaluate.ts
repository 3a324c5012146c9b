/**
 * The engine's one entry point: a ticket snapshot in, a verdict out (shared/design/CONTRACT.md) —
 * priority with its breakdown, the reaction clock of an incident (SPEC §3), the verification and fix
 * clocks of an error (SPEC §5), each with its state at `now`, and warnings.
 */
import { parseInstant } from './calendar/instant';
import type { WorkingCalendar } from './calendar/types';
import type { SlaRecord } from './compliance-types';
import {
  fixDeadline,
  isoInZone,
  measureClock,
  reactionDue,
  verificationDue,
  type ClockReading,
  type FixDeadline,
} from './deadlines';
import type { Policy } from './policy';
import { errorPriority, incidentPriority, type PriorityResult } from './priority';
import type { Clock, FixClock, Snapshot, Verdict, VerdictPriority, VerdictWarning } from './snapshot';

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The inputs a snapshot of this kind needs before a priority can be computed: incidents impact,
 * urgency (unless the policy reads the §4.6 rows as the usage mode), mode and nature; errors impact,
 * urgency, mode and workaround. Linked incidents do not fill an error's missing input.
 * @example requiredInputs('error', DEFAULT_POLICY) // => ['impact', 'urgency', 'mode', 'workaround']
 */
export function requiredInputs(
  kind: Snapshot['kind'],
  policy: Readonly<Policy>,
): ('impact' | 'urgency' | 'mode' | 'nature' | 'workaround')[] {
  if (kind === 'error') return ['impact', 'urgency', 'mode', 'workaround'];
  return policy.incident.rows === 'mode'
    ? ['impact', 'mode', 'nature']
    : ['impact', 'urgency', 'mode', 'nature'];
}

/** Working minutes shown whole (instants with seconds give fractional minutes). */
const whole = (n: number): number => Math.round(n) + 0;

function toClock(r: ClockReading, zone: string): Clock {
  return {
    due: r.due === null ? null : isoInZone(r.due, zone),
    state: r.state,
    at: r.stoppedAt === null ? null : isoInZone(r.stoppedAt, zone),
    usedMinutes: whole(r.usedMinutes),
    leftMinutes: r.leftMinutes === null ? null : whole(r.leftMinutes),
    usedShare: r.usedShare,
  };
}

/** Instant of an optional snapshot field, null when absent. */
const instantOf = (iso: string | null | undefined): number | null =>
  iso === null || iso === undefined ? null : parseInstant(iso);

/** The earliest of several optional instants at or before `now`, or null. */
function firstUpTo(now: number, ...instants: (number | null)[]): number | null {
  let best: number | null = null;
  for (const t of instants) if (t !== null && t <= now && (best === null || t < best)) best = t;
  return best;
}

/**
 * When a specialist started work on an incident (SPEC §3): the earliest reaction event whose type the
 * policy counts (`policy.reaction.events`), actions of the reporter and of non-staff ('other') excluded, at or before `now`.
 * A resolution also stops the clock (an incident resolved with no recorded reaction was worked on by
 * then at the latest).
 * @example reactionInstant({ ..., reactions: [{ at: '2026-03-10T10:00:00+03:00', type: 'status' }] }, DEFAULT_POLICY, now) // 2026-03-10T10:00+03:00
 */
export function reactionInstant(snapshot: Snapshot, policy: Readonly<Policy>, now: number): number | null {
  const counted = (snapshot.reactions ?? [])
    .filter((r) => policy.reaction.events.includes(r.type))
    // SPEC §3: only support staff react; the reporter, participants, customers and automation do not
    // ('other'). Events without a role (snapshots of other systems) count as the sender filtered them.
    .filter((r) => r.authorRole !== 'reporter' && r.authorRole !== 'other')
    .map((r) => parseInstant(r.at));
  const registeredAt = parseInstant(snapshot.registeredAt);
  const valid = (t: number | null): number | null => (t !== null && t >= registeredAt ? t : null);
  return firstUpTo(now, ...counted.map(valid), valid(instantOf(snapshot.resolvedAt)));
}

/**
 * Data errors of a snapshot's instants (docs/rules.md "Data errors"): a reaction, estimate or
 * resolution before the registration or after `now`, and an agreed deadline before the registration.
 * Each becomes a warning naming the field and its value; the instant is then not a stop (never "met
 * with 0 minutes used") and the agreed deadline is ignored.
 * @example instantProblems({ ..., registeredAt: '2026-03-06T16:30:00+03:00', estimateAt: '2026-03-01T10:00:00+03:00' }, now)
 * // => [{ code: 'instant-before-registration', message: 'estimateAt 2026-03-01T10:00:00+03:00 is before the registration …' }]
 */
export function instantProblems(
  snapshot: Snapshot,
  now: number,
  calendar?: WorkingCalendar,
): VerdictWarning[] {
  const out: VerdictWarning[] = [];
  const registeredAt = parseInstant(snapshot.registeredAt);
  const check = (field: string, iso: string | null | undefined): void => {
    if (iso === null || iso === undefined) return;
    const t = parseInstant(iso);
    if (t < registeredAt) {
      out.push({
        code: field === 'resolvedAt' ? 'resolved-before-registered' : 'instant-before-registration',
        message: `${field} ${iso} is before the registration ${snapshot.registeredAt}: a data error, not counted as a stop.`,
      });
    } else if (t > now) {
      out.push({
        code: 'instant-in-future',
        message: `${field} ${iso} is later than now: it has not happened yet and is not counted.`,
      });
    }
  };
  // Reactions by instant (not list position), so the warnings do not depend on the list's order.
  const reactionInstants = (snapshot.reactions ?? []).map((r) => r.at);
  reactionInstants.sort((a, b) => parseInstant(a) - parseInstant(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const at of reactionInstants) check('reactions[].at', at);
  check('estimateAt', snapshot.estimateAt);
  check('resolvedAt', snapshot.resolvedAt);
  const agreed = snapshot.agreedDeadline;
  if (agreed !== null && agreed !== undefined && calendar) {
    if (agreedInstant(agreed, calendar)! < registeredAt)
      out.push({
        code: 'agreed-before-registration',
        message: `agreedDeadline ${agreed} is before the registration ${snapshot.registeredAt}: a data error, the agreed deadline is ignored.`,
      });
  }
  return out;
}

function verdictPriority(p: PriorityResult): VerdictPriority {
  return {
    kind: p.kind,
    value: p.value,
    class: p.class,
    computed: p.computed,
    overridden: p.overridden,
    ...(p.override ? { reason: p.override.reason } : {}),
    breakdown: p.breakdown,
  };
}

/**
 * Evaluates a snapshot at `now` (epoch ms) under a policy and a working calendar (CONTRACT.md,
 * SPEC §3, §5). Every deadline is computed from the registration instant with the current inputs, so
 * a priority change simply moves the deadline as if the new priority had applied from the start.
 *
 * - Incidents: priority 1–5; reaction due = registration + the level's working hours.
 * - Errors: score 1–10 and class (linked incidents raise the inputs when the policy says so);
 *   verification due = registration + `verificationDays` working days, stopped by `estimateAt`
 *   (or the resolution); fix due by the class's rule (deadlines.ts `fixDeadline`), stopped by
 *   `resolvedAt`. An `agreedDeadline` (an instant, or a date meaning the close of that working day)
 *   replaces the computed fix deadline: rule `agreed`, the computed one kept in `ruleText`.
 * - Missing inputs: `complete: false`, `missing` lists them, priority and clocks are null.
 * - Warnings: the calendar's for each deadline's year (2027: secondary source; later years: not
 *   confirmed), `incomplete`, and `fix-version-after-deadline` when the fix version ships after the
 *   fix deadline.
 *
 * Throws a CalendarError when an instant lies outside the compiled calendar, and for snapshots that
 * `parseSnapshot` would reject (malformed instants, out-of-range overrides).
 * @example evaluate({ key: 'SUP-101', kind: 'incident', registeredAt: '2026-03-06T16:30:00+03:00', impact: 'high', urgency: 'high', mode: 'operation', nature: 'failure' }, DEFAULT_POLICY, calendar, parseInstant('2026-03-10T12:00:00+03:00')).reaction
 * // => { due: '2026-03-10T16:30:00+03:00', state: 'running', at: null, usedMinutes: 270, leftMinutes: 210, usedShare: 0.5625 }
 */
export function evaluate(
  snapshot: Snapshot,
  policy: Readonly<Policy>,
  calendar: WorkingCalendar,
  now: number,
): Verdict {
  const zone = calendar.zone;
  const registeredAt = parseInstant(snapshot.registeredAt);
  // The verdict's literals name every field (no `...base`): a spread followed by fields costs ~1 µs
  // a field on Node 20 (domain/aggregates.ts aggRowOf), and every event is evaluated.
  const key = snapshot.key;
  const evaluatedAt = isoInZone(now, zone);
  const missing = requiredInputs(snapshot.kind, policy).filter((f) => snapshot[f] == null);
  if (missing.length > 0) {
    return {
      key,
      evaluatedAt,
      complete: false,
      missing,
      priority: null,
      reaction: null,
      verification: null,
      fix: null,
      warnings: [
        {
          code: 'incomplete',
          message: `Missing ${missing.join(', ')}: no priority or deadlines until ${missing.length === 1 ? 'it is' : 'they are'} set.`,
        },
      ],
    };
  }
  const override = snapshot.priorityOverride ?? undefined;
  const measure = (due: number | null, stop: number | null): ClockReading =>
    measureClock(registeredAt, due, stop, now, policy.atRiskShare, calendar);
  const warnings: VerdictWarning[] = instantProblems(snapshot, now, calendar);
  const dues: number[] = [];
  /** An instant that is a valid stop: not before the registration (later than now is dropped by firstUpTo). */
  const stopOf = (iso: string | null | undefined): number | null => {
    const t = instantOf(iso);
    return t !== null && t >= registeredAt ? t : null;
  };

  if (snapshot.kind === 'incident') {
    const p = incidentPriority(
      {
        impact: snapshot.impact!,
        // rows = 'mode' ignores urgency; any value satisfies the type there.
        urgency: snapshot.urgency ?? 'medium',
        mode: snapshot.mode!,
        nature: snapshot.nature!,
      },
      policy,
      override,
    );
    const due = reactionDue(registeredAt, p.reactionHours, calendar);
    dues.push(due);
    const reaction = toClock(measure(due, reactionInstant(snapshot, policy, now)), zone);
    warnings.push(...calendar.warningsFor(...dues).map(({ code, message }) => ({ code, message })));
    return {
      key,
      evaluatedAt,
      complete: true,
      missing: [],
      priority: verdictPriority(p),
      reaction,
      verification: null,
      fix: null,
      warnings,
    };
  }

  const p = errorPriority(
    {
      impact: snapshot.impact!,
      urgency: snapshot.urgency!,
      mode: snapshot.mode!,
      workaround: snapshot.workaround!,
    },
    policy,
    override,
    snapshot.linkedIncidents ?? [],
  );
  const resolvedAt = stopOf(snapshot.resolvedAt);
  const vDue = verificationDue(registeredAt, policy.error.verificationDays, calendar);
  dues.push(vDue);
  const verification = toClock(measure(vDue, firstUpTo(now, stopOf(snapshot.estimateAt), resolvedAt)), zone);

  const computed = fixDeadline(policy.error.fix[p.class], {
    registeredAt,
    versions: snapshot.versions,
    policy,
    calendar,
  });
  const agreedRaw = agreedInstant(snapshot.agreedDeadline, calendar);
  const agreed = agreedRaw !== null && agreedRaw >= registeredAt ? agreedRaw : null;
  const fixDue = agreed ?? computed.due;
  if (fixDue !== null) dues.push(fixDue);
  const fix: FixClock = Object.assign(
    toClock(measure(fixDue, resolvedAt), zone),
    fixRule(computed, agreed, zone),
    {
      standardDue: computed.due === null ? null : isoInZone(computed.due, zone),
    },
  );
  const late = fixVersionWarning(snapshot, fixDue, calendar);
  warnings.push(...calendar.warningsFor(...dues).map(({ code, message }) => ({ code, message })));
  if (late) warnings.push(late);
  return {
    key,
    evaluatedAt,
    complete: true,
    missing: [],
    priority: verdictPriority(p),
    reaction: null,
    verification,
    fix,
    warnings,
  };
}

function agreedInstant(value: string | null | undefined, calendar: WorkingCalendar): number | null {
  if (value === null || value === undefined) return null;
  return DATE_RE.test(value) ? calendar.closeOfDate(value) : parseInstant(value);
}

function fixRule(
  computed: FixDeadline,
  agreed: number | null,
  zone: string,
): Pick<FixClock, 'rule' | 'ruleText' | 'version' | 'agreed'> {
  if (agreed === null) {
    return { rule: computed.rule, ruleText: computed.text, version: computed.version, agreed: false };
  }
  const was = computed.due === null ? 'no dated deadline' : isoInZone(computed.due, zone);
  return {
    rule: 'agreed',
    ruleText: `agreed individually with the customer (source §5.6.3); the rule ${computed.rule} gives ${was}: ${computed.text}`,
    version: null,
    agreed: true,
  };
}

/** A warning when the error's fix version is scheduled to ship after its fix deadline. */
function fixVersionWarning(
  snapshot: Snapshot,
  fixDue: number | null,
  calendar: WorkingCalendar,
): VerdictWarning | undefined {
  if (fixDue === null || !snapshot.fixVersion || snapshot.resolvedAt) return undefined;
  const v = (snapshot.versions ?? []).find((x) => x.name === snapshot.fixVersion);
  if (!v || typeof v.releaseDate !== 'string') return undefined;
  const ships = calendar.closeOfDate(v.releaseDate);
  if (ships <= fixDue) return undefined;
  return {
    code: 'fix-version-after-deadline',
    message: `The fix version ${v.name} is scheduled for ${v.releaseDate}, after the fix deadline ${isoInZone(fixDue, calendar.zone)}.`,
  };
}

/**
 * The compliance record of an evaluated snapshot (one per issue): class, the governing deadline
 * (incidents: reaction; errors: fix) and when its clock stopped. Null for an incomplete verdict.
 * @example slaRecordOf(snapshot, verdict) // => { key: 'SUP-101', kind: 'incident', class: 'critical', due: '2026-03-10T16:30:00+03:00', doneAt: '2026-03-10T10:00:00+03:00', agreed: false, registeredAt: '2026-03-06T16:30:00+03:00' }
 */
export function slaRecordOf(snapshot: Snapshot, verdict: Verdict): SlaRecord | null {
  if (!verdict.complete || !verdict.priority) return null;
  const clock = snapshot.kind === 'incident' ? verdict.reaction : verdict.fix;
  return {
    key: snapshot.key,
    kind: snapshot.kind,
    class: verdict.priority.class,
    due: clock?.due ?? null,
    doneAt: clock?.at ?? null,
    agreed: verdict.fix?.agreed === true,
    registeredAt: snapshot.registeredAt,
    ...(snapshot.project ? { project: snapshot.project } : {}),
  };
}
