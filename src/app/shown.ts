/**
 * From a verdict to what an issue should show (the app's fields, Jira's priority and due date), the
 * difference from what it shows now, and the SLA record row. Pure: no I/O.
 */
import type { Clock as SlaClock, ClockState, Verdict } from '../domain/snapshot';
import type { WorkingCalendar } from '../domain/calendar/types';
import type { Settings, ShownValues, SlaRecordRow, Ticket } from './ports';
import { nextStateChange } from '../domain/next-change';
import { calendarFor } from './calendars';

/** The JQL-searchable state labels written to the "SLA state" field. */
export const SLA_STATES = ['running', 'at-risk', 'breached', 'met', 'incomplete', 'none'] as const;
export type SlaStateLabel = (typeof SLA_STATES)[number];

const SEVERITY: Record<ClockState, number> = {
  breached: 4,
  'at-risk': 3,
  running: 2,
  met: 1,
  'not-applicable': 0,
};

/**
 * The clock whose deadline governs the issue: reaction for incidents; for errors the fix, or the
 * verification while the fix has no dated deadline.
 */
export function governingClock(verdict: Verdict): SlaClock | null {
  if (verdict.reaction) return verdict.reaction;
  if (verdict.fix && verdict.fix.due !== null) return verdict.fix;
  return verdict.verification ?? verdict.fix ?? null;
}

/**
 * The state label of a verdict: `incomplete` when inputs are missing; otherwise the worst state among
 * its clocks (a missed verification deadline keeps an error `breached` even if the fix is on time),
 * `none` when no clock applies.
 *
 * @example slaStateOf({ complete: true, reaction: { due: '…', state: 'met' }, … }) // 'met'
 */
export function slaStateOf(verdict: Verdict): SlaStateLabel {
  if (!verdict.complete) return 'incomplete';
  const clocks = [verdict.reaction, verdict.verification, verdict.fix].filter(
    (c): c is SlaClock => c !== null && c !== undefined,
  );
  let worst: ClockState = 'not-applicable';
  for (const c of clocks) if (SEVERITY[c.state] > SEVERITY[worst]) worst = c.state;
  return worst === 'not-applicable' ? 'none' : worst;
}

/** Jira priority name for a verdict per the settings' mapping, or undefined when unmapped. */
export function mappedJiraPriority(verdict: Verdict, settings: Settings): string | undefined {
  const p = verdict.priority;
  if (!p) return undefined;
  const name =
    p.kind === 'incident'
      ? settings.priorityMap.incident[String(p.value)]
      : settings.priorityMap.error[p.class];
  return name && name.trim() !== '' ? name : undefined;
}

/**
 * What the issue should show. Keys absent from the result are not managed (Jira priority when the
 * mapping has no entry, due date when `setDueDate` is off), so they are never overwritten.
 */
export function desiredShown(
  verdict: Verdict,
  settings: Settings,
  calendar: WorkingCalendar,
): Partial<ShownValues> {
  const out: Partial<ShownValues> = {
    slaPriority: verdict.complete ? (verdict.priority?.value ?? null) : null,
    slaState: slaStateOf(verdict),
    reactionDue: verdict.reaction?.due ?? null,
    verificationDue: verdict.verification?.due ?? null,
    fixDue: verdict.fix?.due ?? null,
  };
  const jiraPriority = mappedJiraPriority(verdict, settings);
  if (jiraPriority !== undefined) out.jiraPriority = jiraPriority;
  if (settings.setDueDate) {
    const due = governingClock(verdict)?.due ?? null;
    out.dueDate = due === null ? null : calendar.dateOf(instantMs(due));
  }
  return out;
}

const DATETIME_KEYS = new Set<keyof ShownValues>(['reactionDue', 'verificationDue', 'fixDue']);

/**
 * Reads an ISO instant with an offset, accepting Jira's `+0300` form as well as `+03:00`.
 * @returns epoch ms, or NaN when unreadable.
 */
export function instantMs(text: string): number {
  const normal = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(normal);
}

function sameValue(key: keyof ShownValues, a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (DATETIME_KEYS.has(key) && typeof a === 'string' && typeof b === 'string') {
    // Jira stores datetimes to the second and answers in its own format: compare instants.
    const x = instantMs(a);
    const y = instantMs(b);
    if (!Number.isNaN(x) && !Number.isNaN(y)) return Math.floor(x / 1000) === Math.floor(y / 1000);
  }
  if (key === 'jiraPriority' && typeof a === 'string' && typeof b === 'string')
    return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}

/**
 * The changes needed to go from `shown` to `desired`: only keys whose values differ.
 * @example diffShown({ slaPriority: 5, slaState: 'running' }, { ...shown, slaPriority: 5, slaState: 'met' })
 * // { slaState: 'running' }
 */
export function diffShown(desired: Partial<ShownValues>, shown: ShownValues): Partial<ShownValues> {
  const changes: Partial<ShownValues> = {};
  for (const key of Object.keys(desired) as (keyof ShownValues)[]) {
    const want = desired[key];
    if (want === undefined) continue;
    if (!sameValue(key, want, shown[key])) (changes as Record<string, unknown>)[key] = want;
  }
  return changes;
}

/**
 * `{ ...shown, ...changes }` as a new object (the ingest path makes a few per event): Object.assign,
 * since on Node 20 a literal of two spreads costs ~0.5 µs a field (domain/aggregates.ts aggRowOf).
 * The values are plain data (JSON), so assigning them is the same as spreading them.
 */
export function withShown(shown: Readonly<ShownValues>, changes: Partial<ShownValues>): ShownValues {
  return Object.assign({}, shown, changes);
}

export const hasChanges = (changes: Partial<ShownValues>): boolean => Object.keys(changes).length > 0;

/** The SLA record of a ticket's verdict (one row per issue; the source of compliance figures). */
export function recordOf(
  ticket: Ticket,
  verdict: Verdict,
  updatedAt: string,
  evaluated?: { settings: Settings; nowMs: number },
): SlaRecordRow {
  const s = ticket.snapshot;
  const governing = governingClock(verdict);
  // As domain/evaluate.ts slaRecordOf: the governing clock's stop (reaction, or the fix).
  const doneAt = s.kind === 'incident' ? (verdict.reaction?.at ?? null) : (verdict.fix?.at ?? null);
  // The ledger's breach of the governing clock (src/domain/ledger.ts): its deadline in force then.
  const breach = verdict.breaches?.find((b) => b.clock === (s.kind === 'incident' ? 'reaction' : 'fix'));
  const fixDue = verdict.fix
    ? verdict.fix.standardDue !== undefined
      ? verdict.fix.standardDue
      : verdict.fix.due
    : null;
  const state = !verdict.complete
    ? null
    : breach
      ? breach.waived
        ? 'waived'
        : 'breached'
      : (governing?.state ?? null);
  return {
    key: ticket.key,
    project: ticket.project,
    kind: s.kind,
    class: verdict.priority?.class ?? null,
    priority: verdict.priority?.value ?? null,
    registeredAt: s.registeredAt,
    due: breach ? breach.due : s.kind === 'incident' ? (verdict.reaction?.due ?? null) : fixDue,
    doneAt,
    agreed: Boolean(verdict.fix?.agreed),
    state,
    verificationDue: verdict.verification?.due ?? null,
    estimateAt: s.estimateAt ?? null,
    summary: s.summary ?? null,
    verdictJson: JSON.stringify(verdict),
    updatedAt,
    ...(verdict.contract
      ? { customer: verdict.contract.customer, contract: verdict.contract.certificate }
      : {}),
    ...(evaluated
      ? {
          nextChangeMs: nextStateChange(
            s,
            verdict,
            evaluated.settings.policy,
            calendarFor(evaluated.settings.calendar),
            evaluated.nowMs,
          ),
        }
      : {}),
  };
}

/** Whether two records differ in anything but the evaluation time (so an unchanged one is not rewritten). */
export function recordChanged(a: SlaRecordRow | null, b: SlaRecordRow): boolean {
  if (!a) return true;
  const keys: (keyof SlaRecordRow)[] = [
    'project',
    'kind',
    'class',
    'priority',
    'registeredAt',
    'due',
    'doneAt',
    'agreed',
    'state',
    'verificationDue',
    'estimateAt',
    'summary',
    'nextChangeMs',
    'customer',
    'contract',
  ];
  for (const k of keys) {
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    if (
      k === 'due' ||
      k === 'doneAt' ||
      k === 'verificationDue' ||
      k === 'estimateAt' ||
      k === 'registeredAt'
    ) {
      if (x === null || y === null) {
        if (x !== y) return true;
      } else if (instantMs(String(x)) !== instantMs(String(y))) return true;
    } else if (x !== y) return true;
  }
  return false;
}
