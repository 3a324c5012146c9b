/**
 * The SLA ledger of an issue as a decider (shared/design/STYLE.md item 12): append-only facts, each
 * with the instant it happened in the ticket system (`at`) and the instant it was recorded
 * (`recordedAt`). `evolve` folds facts into a state in a total order (at, type, id), so the order of
 * arrival never matters; `decide` says which facts an observation (a snapshot evaluated at `now`, with
 * its history of dated input changes) adds; `summarize` gives each clock's deadline in force, stop,
 * breach and waiver. Pure: no I/O, no wall clock. The semantics are in docs/rules.md ("The ledger").
 *
 * The breach rule: over each interval [a_k, a_{k+1}) in which a deadline d_k was in force (counted
 * from the registration, as SPEC §3 says), the clock breaches at the first instant t = max(d_k, a_k)
 * inside the interval before the clock stopped. A breach is effective once a `breached` fact naming
 * it (same clock, instant t and deadline) witnesses that the time passed. Facts dated after the breach
 * cannot move it; only a fact dated before it (an input change or a stop that happened earlier but
 * arrived late) can show that it never happened. A waiver (administrator, with a reason) neutralises
 * an effective breach for compliance; the breach stays shown beside it.
 *
 * Late facts and arrival order: a `breached` fact is derived (from the deadlines in force, the stop
 * and the observer's `now`), so an observation that lacked a fact dated before the breach may have
 * recorded a breach that the complete facts do not imply. Such a witness is *superseded*: it stays in
 * the store (append-only: what was believed, and when) but is not part of the ledger (`ledgerFacts`)
 * nor of any figure. The ledger is therefore a function of the set of facts with their ticket-system
 * instants, whatever order they arrived in; the breach is witnessed again by every observation made
 * after it (each derives the breach of the facts it knows).
 */
import { instantMs } from './compliance';
import type { WorkingCalendar } from './calendar/types';
import type { PriorityClass } from './codes';
import { isoInZone } from './deadlines';
import { evaluate } from './evaluate';
import type { Policy } from './policy';
import type { HistoryField, InputChange, RecordedBreach, Snapshot, Verdict } from './snapshot';

/** Parsed instants, remembered (facts are compared and summarised many times). */
const PARSED = new Map<string, number>();
function parseInstant(iso: string): number {
  let t = PARSED.get(iso);
  if (t === undefined) {
    t = instantMs(iso);
    if (PARSED.size > 50_000) PARSED.clear();
    PARSED.set(iso, t);
  }
  return t;
}

/**
 * Formatted instants per zone, remembered: one map per zone keyed by the epoch ms itself (a text key
 * per call, number to string and back, cost more than the formatting it saved: issue #14).
 */
const FORMATTED = new Map<string, Map<number, string>>();
let formattedCount = 0;
function isoAt(t: number, zone: string): string {
  let inZone = FORMATTED.get(zone);
  if (inZone === undefined) {
    inZone = new Map();
    FORMATTED.set(zone, inZone);
  }
  let text = inZone.get(t);
  if (text === undefined) {
    text = isoInZone(t, zone);
    if (formattedCount > 50_000) {
      FORMATTED.clear();
      formattedCount = 0;
      FORMATTED.set(zone, (inZone = new Map()));
    }
    inZone.set(t, text);
    formattedCount += 1;
  }
  return text;
}

export type LedgerClock = 'reaction' | 'verification' | 'fix';

export const FACT_TYPES = [
  'registered',
  'inputs-changed',
  'override',
  'priority',
  'deadline',
  'agreed',
  'stopped',
  'breached',
  'waived',
] as const;
export type FactType = (typeof FACT_TYPES)[number];

/** One fact of an issue's ledger. */
export interface Fact {
  /** Deterministic: a hash of issue, type, clock, instant and data, so re-deriving a fact dedupes. */
  id: string;
  issueId: string;
  type: FactType;
  clock?: LedgerClock;
  /** When it happened in the ticket system (ISO with offset). */
  at: string;
  /** When it was recorded (ISO with offset). */
  recordedAt: string;
  by?: string;
  source?: string;
  data: Record<string, unknown>;
}

/** The folded ledger: its facts, deduplicated by id and in the total order. */
export interface LedgerState {
  facts: Fact[];
}

export const EMPTY_LEDGER: LedgerState = Object.freeze({ facts: [] }) as LedgerState;

const RANK: Record<FactType, number> = Object.fromEntries(FACT_TYPES.map((t, i) => [t, i])) as Record<
  FactType,
  number
>;

/**
 * A stable JSON text (object keys sorted, undefined members left out, undefined items as null), for
 * hashing. Built by concatenation (no intermediate arrays per value: it runs for every fact of every
 * event, issue #14); the text is exactly the one fact ids were made from before (test/unit/ledger-ids.test.ts).
 */
function canonical(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      // A hole stays empty, as Array.prototype.map and join left it.
      if (i in v) out += canonical(v[i]);
    }
    return `${out}]`;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const x = o[k];
    if (x === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(x)}`;
    first = false;
  }
  return `${out}}`;
}

/** `Math.imul`, looked up once (a global lookup per character is slow inside vm contexts such as jest's). */
const imul = Math.imul;

/** A 64-bit hash of a text as 16 hex digits (two 32-bit FNV-1a lanes with different seeds). */
function hash64(text: string): string {
  let h1 = 0x811c9dc5 | 0;
  let h2 = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = imul(h1 ^ c, 0x01000193);
    h2 = imul(h2 ^ c, 0x01000193) ^ (h2 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/**
 * The id of a fact: the same issue, type, clock, instant (as epoch ms, whatever its offset) and data
 * give the same id; `recordedAt`, `by` and `source` do not take part.
 * @example factId({ issueId: '10001', type: 'stopped', clock: 'reaction', at: '2026-03-10T10:00:00+03:00', data: {} }) // 'f-…'
 */
export function factId(f: Pick<Fact, 'issueId' | 'type' | 'clock' | 'at' | 'data'>): string {
  return `f-${hash64(canonical([f.issueId, f.type, f.clock ?? null, parseInstant(f.at), f.data]))}`;
}

/** The total order of facts: instant, then type rank, then id. */
export function compareFacts(a: Fact, b: Fact): number {
  return (
    parseInstant(a.at) - parseInstant(b.at) ||
    RANK[a.type] - RANK[b.type] ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * Adds one fact to the state (the decider's `evolve`). A fact whose id is already there is not added
 * again; of two copies the one recorded first is kept, so the result does not depend on arrival order.
 * @example evolve(EMPTY_LEDGER, fact).facts.length // 1
 */
export function evolve(state: LedgerState, fact: Fact): LedgerState {
  const i = state.facts.findIndex((f) => f.id === fact.id);
  if (i >= 0) {
    const had = state.facts[i]!;
    if (parseInstant(had.recordedAt) <= parseInstant(fact.recordedAt)) return state;
    const facts = state.facts.slice();
    facts[i] = fact;
    return { facts };
  }
  const facts = [...state.facts, fact].sort(compareFacts);
  return { facts };
}

/**
 * Folds facts (in any order) into a state: the same as applying `evolve` to each, with one sort.
 * @example foldLedger([b, a]).facts // [a, b] in the total order
 */
export function foldLedger(facts: readonly Fact[], state: LedgerState = EMPTY_LEDGER): LedgerState {
  if (facts.length === 0) return state;
  const byId = new Map<string, Fact>();
  for (const f of [...state.facts, ...facts]) {
    const had = byId.get(f.id);
    if (!had || parseInstant(f.recordedAt) < parseInstant(had.recordedAt)) byId.set(f.id, f);
  }
  return { facts: [...byId.values()].sort(compareFacts) };
}

// ---------------------------------------------------------------------------------------------
// Reading the state

interface DeadlineInForce {
  at: number;
  due: number | null;
  reason: string;
  priority: number | null;
  class: PriorityClass | null;
  recordedAt: number;
}

/** One clock as the ledger knows it. */
export interface ClockView {
  /** The deadline in force now (epoch ms), null when undated or unknown. */
  due: number | null;
  /** Every deadline set or moved, in order (at, due, why). */
  deadlines: { at: number; due: number | null; reason: string; priority: number | null }[];
  /** The earliest recorded stop. */
  stoppedAt: number | null;
  /** The effective breach, if any. */
  breach: { at: number; due: number; priority: number | null; class: PriorityClass | null } | null;
  waiver: { at: number; by: string; reason: string } | null;
}

export interface LedgerView {
  registeredAt: number | null;
  clocks: Partial<Record<LedgerClock, ClockView>>;
  /** The latest agreed deadline (source §5.6.3): ever agreed makes the error an exception. */
  agreed: { at: number; due: number | null } | null;
}

const ms = (iso: unknown): number | null => (typeof iso === 'string' ? parseInstant(iso) : null);

/** The deadlines of a clock in force over time: of several set at one instant, the first recorded. */
function deadlinesOf(facts: readonly Fact[], clock: LedgerClock): DeadlineInForce[] {
  const byAt = new Map<number, DeadlineInForce>();
  for (const f of facts) {
    if (f.type !== 'deadline' || f.clock !== clock) continue;
    const d: DeadlineInForce = {
      at: parseInstant(f.at),
      due: ms(f.data.due),
      reason: String(f.data.reason ?? ''),
      priority: typeof f.data.priority === 'number' ? f.data.priority : null,
      class: (f.data.class as PriorityClass | undefined) ?? null,
      recordedAt: parseInstant(f.recordedAt),
    };
    const had = byAt.get(d.at);
    if (!had || d.recordedAt < had.recordedAt) byAt.set(d.at, d);
  }
  return [...byAt.values()].sort((a, b) => a.at - b.at);
}

/** The earliest recorded stop of a clock, or null. */
function stopOf(facts: readonly Fact[], clock: LedgerClock): number | null {
  let stop: number | null = null;
  for (const f of facts)
    if (f.clock === clock && f.type === 'stopped') {
      const t = parseInstant(f.at);
      if (stop === null || t < stop) stop = t;
    }
  return stop;
}

/** Whether a `breached` fact names this breach (its instant and deadline). */
const names = (f: Fact, b: NonNullable<ClockView['breach']>): boolean =>
  parseInstant(f.at) === b.at && ms(f.data.due) === b.due;

/**
 * The ledger: the state's facts without the superseded breach witnesses — a `breached` fact that the
 * other facts (deadlines in force and stop of its clock) no longer imply, because a fact dated before
 * it arrived later (see the module comment). A function of the set of facts, not of arrival order.
 * @example ledgerFacts(state).filter((f) => f.type === 'breached') // the effective breaches' witnesses
 */
export function ledgerFacts(state: LedgerState): Fact[] {
  const facts = state.facts;
  if (!facts.some((f) => f.type === 'breached')) return facts;
  const implied = new Map<LedgerClock, ClockView['breach']>();
  for (const f of facts)
    if (f.type === 'breached' && f.clock && !implied.has(f.clock))
      implied.set(f.clock, timelineBreach(deadlinesOf(facts, f.clock), stopOf(facts, f.clock)));
  return facts.filter((f) => {
    if (f.type !== 'breached' || !f.clock) return true;
    const b = implied.get(f.clock);
    return b !== null && b !== undefined && names(f, b);
  });
}

/**
 * The first breach instant of a clock from its deadlines in force and its stop, ignoring `now`:
 * t = max(d_k, a_k) for the first interval [a_k, a_{k+1}) with t inside it and before the stop.
 */
function timelineBreach(deadlines: readonly DeadlineInForce[], stop: number | null): ClockView['breach'] {
  for (let k = 0; k < deadlines.length; k++) {
    const d = deadlines[k]!;
    if (d.due === null) continue;
    const end = deadlines[k + 1]?.at ?? Infinity;
    const t = Math.max(d.due, d.at);
    if (t < end && (stop === null || t < stop))
      return { at: t, due: d.due, priority: d.priority, class: d.class };
  }
  return null;
}

/**
 * What the ledger says of each clock and of the agreed deadline (see the module comment).
 * @example summarize(foldLedger(facts)).clocks.reaction?.breach // { at: …, due: …, priority: 5, class: 'critical' }
 */
export function summarize(state: LedgerState): LedgerView {
  const facts = state.facts;
  const reg = facts.find((f) => f.type === 'registered');
  const view: LedgerView = { registeredAt: reg ? parseInstant(reg.at) : null, clocks: {}, agreed: null };
  const clocks = new Set<LedgerClock>();
  for (const f of facts) if (f.clock) clocks.add(f.clock);
  for (const clock of clocks) {
    const deadlines = deadlinesOf(facts, clock);
    const stoppedAt = stopOf(facts, clock);
    let waiver: ClockView['waiver'] = null;
    for (const f of facts)
      if (f.clock === clock && f.type === 'waived')
        waiver = {
          at: parseInstant(f.at),
          by: f.by ?? String(f.data.by ?? ''),
          reason: String(f.data.reason ?? ''),
        };
    const candidate = timelineBreach(deadlines, stoppedAt);
    // Effective once witnessed: a `breached` fact naming it (superseded witnesses name another instant).
    const breach =
      candidate !== null &&
      facts.some((f) => f.type === 'breached' && f.clock === clock && names(f, candidate))
        ? candidate
        : null;
    view.clocks[clock] = {
      due: deadlines.length > 0 ? deadlines[deadlines.length - 1]!.due : null,
      deadlines: deadlines.map(({ at, due, reason, priority }) => ({ at, due, reason, priority })),
      stoppedAt,
      breach,
      waiver: breach ? waiver : null,
    };
  }
  for (const f of facts)
    if (f.type === 'agreed') view.agreed = { at: parseInstant(f.at), due: ms(f.data.due) };
  return view;
}

// ---------------------------------------------------------------------------------------------
// Deciding

/** An evaluated snapshot at `now`: what `decide` turns into facts. */
export interface Observation {
  issueId: string;
  snapshot: Snapshot;
  /** The snapshot evaluated at `now` with the policy and calendar (evaluate.ts). */
  verdict: Verdict;
  policy: Readonly<Policy>;
  calendar: WorkingCalendar;
  now: number;
  source?: string;
}

const HISTORY_FIELDS: readonly HistoryField[] = [
  'impact',
  'urgency',
  'mode',
  'nature',
  'workaround',
  'priorityOverride',
  'agreedDeadline',
];

/**
 * The history changes that can be placed: a known field, an instant after the registration and not
 * after `now` (others are data errors, reported by `historyProblems`), sorted by instant.
 */
export function placedChanges(snapshot: Snapshot, now: number): (InputChange & { atMs: number })[] {
  const reg = parseInstant(snapshot.registeredAt);
  return (
    (snapshot.history ?? [])
      .filter((c) => HISTORY_FIELDS.includes(c.field))
      // Object.assign, not `{ ...c, atMs }`: on Node 20 a field after a leading spread costs ~1 µs
      // (domain/aggregates.ts aggRowOf), and a Jira changelog can hold hundreds of changes.
      .map((c) => Object.assign({}, c, { atMs: parseInstant(c.at) }))
      .filter((c) => c.atMs >= reg && c.atMs <= now)
      .sort((a, b) => a.atMs - b.atMs)
  );
}

/** Warnings for history entries before the registration or after `now` (never silently placed). */
export function historyProblems(snapshot: Snapshot, now: number): { code: string; message: string }[] {
  const reg = parseInstant(snapshot.registeredAt);
  const out: { code: string; message: string }[] = [];
  (snapshot.history ?? []).forEach((c, i) => {
    const t = parseInstant(c.at);
    if (t < reg)
      out.push({
        code: 'instant-before-registration',
        message: `history[${i}].at ${c.at} (${c.field}) is before the registration ${snapshot.registeredAt}: a data error, the change is ignored.`,
      });
    else if (t > now)
      out.push({
        code: 'instant-in-future',
        message: `history[${i}].at ${c.at} (${c.field}) is later than now: it has not happened yet and is ignored.`,
      });
  });
  return out;
}

/**
 * The snapshot's inputs over time: the inputs at the registration (the current ones with every
 * placed change undone, latest first) and after each change.
 */
export function inputStages(snapshot: Snapshot, now: number): { at: number; snapshot: Snapshot }[] {
  const changes = placedChanges(snapshot, now);
  const first: Record<string, unknown> = Object.assign<Record<string, unknown>, Snapshot>({}, snapshot);
  for (let i = changes.length - 1; i >= 0; i--) first[changes[i]!.field] = changes[i]!.from ?? undefined;
  const stages = [{ at: parseInstant(snapshot.registeredAt), snapshot: first as unknown as Snapshot }];
  let cur = first;
  for (const c of changes) {
    cur = Object.assign({}, cur, { [c.field]: c.to ?? undefined });
    stages.push({ at: c.atMs, snapshot: cur as unknown as Snapshot });
  }
  return stages;
}

const clocksOf = (kind: Snapshot['kind']): LedgerClock[] =>
  kind === 'incident' ? ['reaction'] : ['verification', 'fix'];

/** The standard due of a clock in a verdict (the fix's standard one, not an agreed date). */
function dueOf(v: Verdict, clock: LedgerClock): string | null {
  if (clock === 'reaction') return v.reaction?.due ?? null;
  if (clock === 'verification') return v.verification?.due ?? null;
  if (!v.fix) return null;
  return v.fix.standardDue !== undefined ? v.fix.standardDue : v.fix.due;
}

/**
 * The facts an observation adds to the state (the decider's `decide`): registration, each dated input
 * change of the history, the priority and deadlines in force from the registration and from each
 * change (always counted from the registration), a deadline moved without a dated change (versions,
 * policy or calendar: at the snapshot's `updatedAt`, else `now`) while the clock runs, each stop,
 * an agreed deadline and an override when they differ from the recorded ones, and a `breached` fact
 * for each clock whose breach instant lies before `now`. Facts already in the state are not repeated.
 * @example decide(EMPTY_LEDGER, { issueId: '10001', snapshot, verdict, policy, calendar, now }).map((f) => f.type)
 * // ['registered', 'priority', 'deadline', 'stopped']
 */
export function decide(state: LedgerState, obs: Observation): Fact[] {
  const { snapshot, calendar, now } = obs;
  const zone = calendar.zone;
  const recordedAt = isoAt(now, zone);
  const iso = (t: number): string => isoAt(t, zone);
  const out: Fact[] = [];
  const known = new Set(state.facts.map((f) => f.id));
  const add = (f: Omit<Fact, 'id' | 'issueId' | 'recordedAt'>): void => {
    // Object.assign, not a spread (slow on Node 20, issue #14): the same own fields in the same order.
    const fact: Fact = Object.assign({ id: '', issueId: obs.issueId, recordedAt }, f);
    if (obs.source && !fact.source) fact.source = obs.source;
    fact.id = factId(fact);
    if (known.has(fact.id)) return;
    known.add(fact.id);
    out.push(fact);
  };
  const reg = parseInstant(snapshot.registeredAt);
  add({ type: 'registered', at: iso(reg), data: { key: snapshot.key, kind: snapshot.kind } });
  const changes = placedChanges(snapshot, now);
  for (const c of changes)
    add({
      type: 'inputs-changed',
      at: iso(c.atMs),
      ...(c.by ? { by: c.by } : {}),
      data: { field: c.field, from: c.from ?? null, to: c.to ?? null },
    });

  // Priority and deadlines in force from each stage (inputs constant in between).
  const stages = inputStages(snapshot, now);
  const clocks = clocksOf(snapshot.kind);
  const before = state.facts;
  const hasDeadlineAt = (clock: LedgerClock, at: number): boolean =>
    before.some((f) => f.type === 'deadline' && f.clock === clock && parseInstant(f.at) === at);
  let prevPriority: string | null = null;
  const prevDue: Partial<Record<LedgerClock, string | null>> = {};
  let last: Verdict | null = null;
  for (let i = 0; i < stages.length; i++) {
    const st = stages[i]!;
    // The last stage has the current inputs: its dues are the verdict's (stops do not move a due);
    // an earlier stage is evaluated bare (its inputs only, no stops).
    const v =
      i === stages.length - 1
        ? obs.verdict
        : evaluate(
            Object.assign({}, st.snapshot, {
              reactions: [],
              estimateAt: null,
              resolvedAt: null,
              agreedDeadline: null,
              history: [],
            }),
            obs.policy,
            calendar,
            now,
          );
    last = v;
    const p = v.priority;
    const pText = p ? `${p.value}/${p.class}` : 'none';
    const hasPriorityAt = before.some((f) => f.type === 'priority' && parseInstant(f.at) === st.at);
    if (p && pText !== prevPriority && !hasPriorityAt)
      add({
        type: 'priority',
        at: iso(st.at),
        data: {
          value: p.value,
          class: p.class,
          overridden: p.overridden,
          reason: i === 0 ? 'registered' : 'inputs-changed',
        },
      });
    prevPriority = pText;
    for (const clock of clocks) {
      const due = v.complete ? dueOf(v, clock) : null;
      const dueMs = due === null ? null : parseInstant(due);
      const was = prevDue[clock];
      const prevMs = was === undefined || was === null ? was : parseInstant(was);
      if ((i === 0 || dueMs !== prevMs) && !hasDeadlineAt(clock, st.at))
        add({
          type: 'deadline',
          clock,
          at: iso(st.at),
          data: {
            due: dueMs === null ? null : iso(dueMs),
            reason: i === 0 ? 'registered' : 'inputs-changed',
            priority: p?.value ?? null,
            class: p?.class ?? null,
          },
        });
      prevDue[clock] = due;
    }
  }

  // A deadline moved with no dated change (versions, policy, calendar), while the clock runs.
  const folded = foldLedger(out, state);
  const mid = summarize(folded);
  const knownAt = Math.min(now, Math.max(stages[stages.length - 1]!.at, ms(snapshot.updatedAt) ?? now));
  const priorities = folded.facts.filter((f) => f.type === 'priority');
  const inForce = priorities.filter((f) => parseInstant(f.at) <= knownAt).pop();
  const lp = last?.complete ? last.priority : null;
  if (
    lp &&
    inForce &&
    !priorities.some((f) => parseInstant(f.at) > knownAt) &&
    `${String(inForce.data.value)}/${String(inForce.data.class)}` !== `${lp.value}/${lp.class}`
  )
    add({
      type: 'priority',
      at: iso(knownAt),
      data: { value: lp.value, class: lp.class, overridden: lp.overridden, reason: 'recomputed' },
    });
  for (const clock of clocks) {
    const c = mid.clocks[clock];
    if (!c || !last || !last.complete || c.stoppedAt !== null || c.breach) continue;
    const due = dueOf(last, clock);
    const dueMs = due === null ? null : parseInstant(due);
    const later = c.deadlines.some((d) => d.at > knownAt);
    const inForce = [...c.deadlines].reverse().find((d) => d.at <= knownAt);
    if (!later && inForce && inForce.due !== dueMs && !hasDeadlineAt(clock, knownAt))
      add({
        type: 'deadline',
        clock,
        at: iso(knownAt),
        data: {
          due: dueMs === null ? null : iso(dueMs),
          reason: 'recomputed',
          priority: last.priority?.value ?? null,
          class: last.priority?.class ?? null,
        },
      });
  }

  // Stops, as the verdict places them (data errors are not stops, see evaluate.ts).
  const v = obs.verdict;
  const stops: Partial<Record<LedgerClock, string | null | undefined>> = {
    reaction: v.reaction?.at,
    verification: v.verification?.at,
    fix: v.fix?.at,
  };
  for (const clock of clocks) {
    const at = stops[clock];
    if (typeof at === 'string' && parseInstant(at) <= now)
      add({ type: 'stopped', clock, at: iso(parseInstant(at)), data: {} });
  }

  // The agreed deadline and the override, when they differ from the recorded ones.
  const agreedDue = v.fix?.agreed && v.fix.due ? parseInstant(v.fix.due) : null;
  // The recorded state is folded only for an agreed deadline (most events have none; issue #14).
  if (agreedDue !== null && summarize(foldLedger(out, state)).agreed?.due !== agreedDue) {
    const dated = changes.filter((c) => c.field === 'agreedDeadline').pop();
    add({
      type: 'agreed',
      clock: 'fix',
      at: iso(dated ? dated.atMs : knownAt),
      ...(dated?.by ? { by: dated.by } : {}),
      data: { due: iso(agreedDue) },
    });
  }
  const ov = snapshot.priorityOverride ?? null;
  const lastOverride = (): Fact | undefined =>
    [...state.facts, ...out].filter((f) => f.type === 'override').pop();
  if (ov && canonical(lastOverride()?.data ?? null) !== canonical({ value: ov.value, reason: ov.reason })) {
    const dated = changes.filter((c) => c.field === 'priorityOverride').pop();
    add({
      type: 'override',
      at: iso(dated ? dated.atMs : knownAt),
      ...(dated?.by ? { by: dated.by } : {}),
      data: { value: ov.value, reason: ov.reason },
    });
  }

  // Breaches whose instant lies before now.
  const all = [...state.facts, ...out];
  for (const clock of clocks) {
    const b = timelineBreach(deadlinesOf(all, clock), stopOf(all, clock));
    if (b && b.at < now)
      add({
        type: 'breached',
        clock,
        at: iso(b.at),
        data: { due: iso(b.due), priority: b.priority, class: b.class },
      });
  }
  return out;
}

/**
 * A waiver of a clock's breach (administrator only — the shell checks who): a fact at `now`.
 * Throws a RangeError naming the field when the reason is empty.
 * @example waiverFact('10001', 'reaction', { by: 'admin', reason: 'outage of the customer' }, now, 'Europe/Moscow')
 */
export function waiverFact(
  issueId: string,
  clock: LedgerClock,
  who: { by: string; reason: string },
  now: number,
  zone: string,
): Fact {
  if (typeof who.reason !== 'string' || who.reason.trim() === '')
    throw new RangeError(`a waiver needs a reason, got ${JSON.stringify(who.reason)}`);
  if (typeof who.by !== 'string' || who.by.trim() === '')
    throw new RangeError(`a waiver needs the administrator who gives it, got ${JSON.stringify(who.by)}`);
  const at = isoInZone(now, zone);
  const base = { issueId, type: 'waived' as const, clock, at, data: { reason: who.reason.trim() } };
  return { ...base, id: factId(base), recordedAt: at, by: who.by };
}

// ---------------------------------------------------------------------------------------------
// Joining the ledger with a verdict

/**
 * The verdict with what the ledger recorded: each clock with an effective breach shows `breached`
 * (whatever its inputs say now), the breaches with their waivers are listed, and an error's agreed
 * deadline is tracked apart (`agreed.kept`: fixed on or before it; null while open and not yet due).
 * @example withLedger(verdict, summarize(state), 'Europe/Moscow').reaction.state // 'breached'
 */
export function withLedger(verdict: Verdict, view: LedgerView, zone: string, now: number): Verdict {
  const breaches: RecordedBreach[] = [];
  // Object.assign, not a spread: on Node 20 a spread then fields costs microseconds (per event, issue #14).
  const out: Verdict = Object.assign({}, verdict);
  for (const clock of ['reaction', 'verification', 'fix'] as const) {
    const c = view.clocks[clock];
    const shown = out[clock];
    if (!c?.breach) continue;
    breaches.push({
      clock,
      at: isoInZone(c.breach.at, zone),
      due: isoInZone(c.breach.due, zone),
      priority: c.breach.priority,
      class: c.breach.class,
      waived: c.waiver
        ? { at: isoInZone(c.waiver.at, zone), by: c.waiver.by, reason: c.waiver.reason }
        : null,
    });
    // The fix clock under an agreed deadline shows the agreed date; its standard breach is listed.
    if (shown && !(clock === 'fix' && out.fix?.agreed) && !c.waiver)
      (out as unknown as Record<string, unknown>)[clock] = Object.assign({}, shown, { state: 'breached' });
  }
  out.breaches = breaches;
  const fix = verdict.fix;
  if (fix?.agreed && fix.due) {
    const due = parseInstant(fix.due);
    const done = fix.at ? parseInstant(fix.at) : null;
    out.agreed = { due: fix.due, kept: done !== null ? done <= due : now > due ? false : null };
  } else
    out.agreed =
      view.agreed && view.agreed.due !== null ? { due: isoInZone(view.agreed.due, zone), kept: null } : null;
  return out;
}

/**
 * One step of the decider for a shell: the new facts of an observation, the state with them, and the
 * verdict joined with the ledger (history warnings added).
 * @example const step = observe(state, { issueId: '10001', snapshot, verdict, policy, calendar, now }); step.verdict.reaction.state
 */
export function observe(
  state: LedgerState,
  obs: Observation,
): { facts: Fact[]; state: LedgerState; verdict: Verdict } {
  const facts = decide(state, obs);
  const next = foldLedger(facts, state);
  const verdict = withLedger(obs.verdict, summarize(next), obs.calendar.zone, obs.now);
  const problems = historyProblems(obs.snapshot, obs.now);
  if (problems.length > 0) verdict.warnings = [...verdict.warnings, ...problems];
  return { facts, state: next, verdict };
}
