/**
 * The event use cases: an issue changed, a version changed, the scheduled sweep. Each re-reads the
 * current state (so redelivered or reordered events are harmless), evaluates it, writes only what
 * differs from what the issue shows, and keeps the SLA record in the store. Then the escalation steps
 * (src/app/escalation.ts): the app's labels and once-per-state comments, the fix of an error told to
 * its incidents (§5.2), and the notice of a requested on-site visit (§2.7).
 */
import { formatInstant, parseInstant } from '../domain/calendar';
import { CalendarError } from '../domain/calendar/types';
import { errorFixOf } from '../domain/escalation';
import { evaluate } from '../domain/evaluate';
import type { Verdict, VersionInfo } from '../domain/snapshot';
import { checkVisitNotice } from '../domain/visit';
import { calendarFor } from './calendars';
import { contractOf, settingsFor, withContract } from './contracts';
import { recordLedger } from './ledger';
import type { AppDeps } from './deps';
import {
  checkVisit,
  escalate,
  notifyFixed,
  settingsOf,
  type EscalationOutcome,
  type FixOutcome,
} from './escalation';
import type { JiraPort, Settings, ShownValues, SlaRecordRow, Ticket, TicketWrite } from './ports';
import { jqlQuote, scopeJql } from './settings';
import { scanSettings } from './site-check';
import { noteRefusedFields } from './refused-fields';
import { desiredShown, diffShown, hasChanges, recordChanged, recordOf } from './shown';

/** What happened to one issue. */
export interface IssueOutcome {
  key: string;
  /** 'deleted': the issue no longer exists (or left the scope) and its record was removed. */
  result: 'written' | 'unchanged' | 'deleted';
  changes: Partial<ShownValues>;
  verdict: Verdict | null;
  /** The escalation steps (absent for a deleted issue). */
  escalation?: EscalationSteps;
}

/** What the escalation steps did to one evaluated issue. */
export interface EscalationSteps {
  /** Labels changed and escalation comments posted. */
  escalation: EscalationOutcome;
  /** Errors only, once fixed (§5.2): the incidents told of the fix. */
  fixed: FixOutcome | null;
  /** §2.7: the check of the request's on-site visit date, when it has one. */
  visit: { date: string; ok: boolean; commented: boolean } | null;
}

/**
 * The escalation steps after an issue was evaluated and written: labels and escalation comments
 * (`escalate`), the fix notices of a fixed error (`notifyFixed`, only when `errorFixOf` says it is
 * fixed, so open errors cost nothing), and the visit notice (§2.7, posted once when too short).
 * Failures propagate: a comment that could not be posted has its claim released, and the event is
 * retried by its shell.
 */
export async function escalationSteps(
  deps: AppDeps,
  ticket: Ticket,
  verdict: Verdict,
  settings: Settings,
): Promise<EscalationSteps> {
  const escalation = await escalate(deps, ticket, verdict, settings);
  const fixed =
    ticket.snapshot.kind === 'error' && errorFixOf(ticket.snapshot, settings.policy) !== null
      ? await notifyFixed(deps, ticket)
      : null;
  return { escalation, fixed, visit: await visitStep(deps, ticket, settings) };
}

/** §2.7: checks a visit date with the pure rule first; only a too-short notice reaches the store. */
async function visitStep(
  deps: AppDeps,
  ticket: Ticket,
  settings: Settings,
): Promise<EscalationSteps['visit']> {
  const visit = ticket.visit;
  if (!visit) return null;
  const days = settingsOf(settings, ticket.project).visitNoticeDays;
  try {
    const check = checkVisitNotice(
      parseInstant(visit.requestedAt),
      visit.date,
      calendarFor(settings.calendar),
      days,
    );
    if (check.ok) return { date: visit.date, ok: true, commented: false };
  } catch (e) {
    if (!(e instanceof CalendarError)) throw e;
    // A date the calendar cannot place (beyond its years): nothing to tell, and the event goes on.
    deps.log?.warn('visit date not checked', { key: ticket.key, error: e.message });
    return null;
  }
  const r = await checkVisit(deps, {
    key: ticket.key,
    visitDate: visit.date,
    requestedAt: visit.requestedAt,
    comment: true,
  });
  return { date: visit.date, ok: r.ok, commented: r.commented };
}

/**
 * Evaluates a ticket at `now` with the policy and (cached) compiled calendar of its customer's
 * contract in force at registration (src/app/contracts.ts), else the settings'; the verdict names the
 * customer and contract and carries the contract's flags as warnings.
 */
export function evaluateTicket(ticket: Ticket, settings: Settings, nowMs: number): Verdict {
  const resolution = contractOf(ticket, settings);
  const s = settingsFor(resolution, settings);
  return withContract(evaluate(ticket.snapshot, s.policy, calendarFor(s.calendar), nowMs), resolution);
}

/** The settings a ticket is evaluated with: its contract's policy and calendar (issue #17). */
export function ticketSettings(ticket: Ticket, settings: Settings): Settings {
  return settingsFor(contractOf(ticket, settings), settings);
}

interface Planned {
  ticket: Ticket;
  verdict: Verdict;
  changes: Partial<ShownValues>;
  record: SlaRecordRow;
}

function planFrom(ticket: Ticket, settings: Settings, nowMs: number, verdict: Verdict): Planned {
  const calendar = calendarFor(settings.calendar);
  const changes = diffShown(desiredShown(verdict, settings, calendar), ticket.shown);
  const record = recordOf(ticket, verdict, formatInstant(nowMs, calendar.zone), { settings, nowMs });
  return { ticket, verdict, changes, record };
}

/**
 * Evaluates a ticket, records what it adds to its ledger (src/app/ledger.ts) and plans the writes from
 * the verdict joined with the ledger: a recorded breach stays a breach whatever the inputs say now.
 */
async function plan(deps: AppDeps, ticket: Ticket, site: Settings, nowMs: number): Promise<Planned> {
  const resolution = contractOf(ticket, site);
  const settings = settingsFor(resolution, site);
  const evaluated = withContract(
    evaluate(ticket.snapshot, settings.policy, calendarFor(settings.calendar), nowMs),
    resolution,
  );
  const { verdict } = await recordLedger(deps, ticket, evaluated, settings, nowMs);
  return planFrom(ticket, settings, nowMs, verdict);
}

/**
 * An issue was created, updated, linked, commented on or deleted: re-read it, evaluate, write what
 * differs (one write, or none when nothing changed), upsert its SLA record. A missing issue (deleted,
 * or no longer an incident/error in scope) has its record deleted.
 *
 * @example await onIssueChange(deps, 'SUP-101') // { key: 'SUP-101', result: 'written', changes: { slaPriority: 5, … } }
 */
export async function onIssueChange(deps: AppDeps, keyOrId: string): Promise<IssueOutcome> {
  const settings = await deps.store.getSettings();
  const ticket = await deps.jira.readTicket(keyOrId, settings);
  if (!ticket) {
    await deps.store.deleteSlaRecord(keyOrId);
    return { key: keyOrId, result: 'deleted', changes: {}, verdict: null };
  }
  const p = await plan(deps, ticket, settings, deps.clock());
  // Our record first: the verdict does not depend on Jira accepting the write (issue #12 item 6).
  const existing = await deps.store.getSlaRecord(ticket.key);
  if (recordChanged(existing, p.record)) await deps.store.upsertSlaRecord(p.record);
  if (hasChanges(p.changes))
    await noteRefusedFields(deps, await deps.jira.writeTicket(ticket, p.changes, settings));
  deps.log?.info('issue evaluated', { key: ticket.key, changed: Object.keys(p.changes) });
  // After the fields: a failure here (a comment Jira refused for now) propagates so the event is
  // retried; the retry finds the fields written and posts what is still missing.
  const escalation = await escalationSteps(deps, ticket, p.verdict, settings);
  return {
    key: ticket.key,
    result: hasChanges(p.changes) ? 'written' : 'unchanged',
    changes: p.changes,
    verdict: p.verdict,
    escalation,
  };
}

/** An issue was deleted: its record goes (its fields went with it). */
export async function onIssueDeleted(deps: AppDeps, key: string): Promise<void> {
  await deps.store.deleteSlaRecord(key);
}

/** Counters of a recomputation over a JQL scope. */
export interface ScopeStats {
  jql: string;
  pages: number;
  issues: number;
  written: number;
  unchanged: number;
  recordsWritten: number;
  /** Tickets the engine could not evaluate (logged). */
  failed: number;
  /** Issues whose app labels changed. */
  labelsChanged: number;
  /** Escalation comments posted, and incidents told of a fix (§5.2). */
  noticesPosted: number;
  fixNotices: number;
  /** Tickets whose escalation steps failed (logged; the next sweep or event tries again). */
  escalationFailed: number;
  /** Set when the run stopped early (page limit); pass it back to continue. */
  nextPageToken?: string;
}

export interface ScopeOptions {
  pageToken?: string;
  /** Stop after this many pages (a shell with a time limit continues with `nextPageToken`). */
  maxPages?: number;
  /** Checked after each page: true stops the run (a shell near its time limit), leaving `nextPageToken`. */
  shouldStop?: () => boolean;
  /** Called after each page, e.g. to report a job's progress. */
  onPage?: (stats: ScopeStats) => Promise<void> | void;
  /** The stored records to compare with (default: every record, read once). */
  known?: Map<string, SlaRecordRow>;
  /**
   * Lets the process serve other work every few tickets inside a page (the SQLite ingest thread's
   * recomputation: its accepts and batches run meanwhile). Default: none inside a page.
   */
  pause?: () => Promise<void>;
}

/**
 * Re-evaluates every issue a JQL query finds, page by page (token paging): writes in bulk where the
 * Jira port can, upserts changed SLA records. States change with time alone (running → at risk →
 * breached), so this also repairs anything an event missed.
 */
export async function recomputeScope(
  deps: AppDeps,
  jql: string,
  options: ScopeOptions = {},
): Promise<ScopeStats> {
  const settings = await deps.store.getSettings();
  const stats = emptyStats(jql);
  const escDeps = withVersionCache(deps);
  // A store that reads records by key (Forge SQL) gives each page's records only, not every record.
  const byKeys = options.known ? undefined : deps.store.getSlaRecords?.bind(deps.store);
  const known =
    options.known ?? new Map(byKeys ? [] : (await deps.store.listSlaRecords({})).map((r) => [r.key, r]));
  let token = options.pageToken;
  do {
    const page = await readPage(deps, jql, settings, token);
    stats.pages += 1;
    if (byKeys) known.clear();
    if (byKeys && page.tickets.length > 0)
      for (const r of await byKeys(page.tickets.map((t) => t.key))) known.set(r.key, r);
    await processTickets(deps, escDeps, page.tickets, settings, known, stats, options.pause);
    token = page.nextPageToken;
    await options.onPage?.({ ...stats, ...(token ? { nextPageToken: token } : {}) });
    if (
      token &&
      ((options.maxPages !== undefined && stats.pages >= options.maxPages) || options.shouldStop?.())
    ) {
      stats.nextPageToken = token;
      break;
    }
  } while (token);
  deps.log?.info('scope recomputed', { ...stats });
  return stats;
}

/**
 * Evaluates one page of tickets at the clock's `now`: records their ledger facts, upserts the records
 * that changed (compared with `known`, updated in place), writes the issues' fields in bulk where the
 * port can, then runs each ticket's escalation steps.
 */
async function processTickets(
  deps: AppDeps,
  escDeps: AppDeps,
  tickets: readonly Ticket[],
  settings: Settings,
  known: Map<string, SlaRecordRow>,
  stats: ScopeStats,
  pause?: () => Promise<void>,
): Promise<void> {
  const nowMs = deps.clock();
  const writes: TicketWrite[] = [];
  const evaluated: Planned[] = [];
  let heldSince = Date.now();
  for (const [i, ticket] of tickets.entries()) {
    // A sweep lets requests in every few tickets (a synchronous store would hold the loop a batch long),
    // and whenever it has held the loop for YIELD_MS (a slow ticket, a busy machine).
    if (pause && i > 0 && i % YIELD_EVERY === 0) {
      await pause();
      heldSince = Date.now();
    } else if (pause && Date.now() - heldSince >= YIELD_MS) {
      await nextTurn();
      heldSince = Date.now();
    }
    stats.issues += 1;
    let p: Planned;
    try {
      p = await plan(deps, ticket, settings, nowMs);
    } catch (e) {
      // A ticket the engine cannot evaluate (malformed date, outside the calendar's years) must not
      // stop the sweep; it is counted and logged, and its event path reports the same error.
      stats.failed += 1;
      deps.log?.warn('issue not evaluated', { key: ticket.key, error: (e as Error).message });
      continue;
    }
    evaluated.push(p);
    if (hasChanges(p.changes)) writes.push({ ticket, changes: p.changes });
    else stats.unchanged += 1;
    if (recordChanged(known.get(ticket.key) ?? null, p.record)) {
      await deps.store.upsertSlaRecord(p.record);
      known.set(ticket.key, p.record);
      stats.recordsWritten += 1;
    }
  }
  if (writes.length > 0) {
    if (deps.jira.writeTickets) await noteRefusedFields(deps, await deps.jira.writeTickets(writes, settings));
    else
      for (const w of writes)
        await noteRefusedFields(deps, await deps.jira.writeTicket(w.ticket, w.changes, settings));
    stats.written += writes.length;
  }
  // Label edits of the page go out together where the port can (Jira Cloud bulk edit tasks).
  const many = deps.jira.updateLabelsMany?.bind(deps.jira);
  const pending: { key: string; add: string[]; remove: string[] }[] = [];
  const stepDeps = many ? withLabelsCollected(escDeps, pending) : escDeps;
  for (const p of evaluated) await sweepEscalation(stepDeps, p, settings, stats);
  if (many && pending.length > 0) {
    try {
      await many(pending);
    } catch (e) {
      stats.escalationFailed += pending.length;
      deps.log?.warn('label edits failed', { issues: pending.length, error: (e as Error).message });
    }
  }
}

/** The port with `updateLabels` collecting into `pending` (sent in bulk after the page). */
function withLabelsCollected(
  deps: AppDeps,
  pending: { key: string; add: string[]; remove: string[] }[],
): AppDeps {
  const jira = deps.jira;
  const updateLabels = async (key: string, change: { add: string[]; remove: string[] }): Promise<void> => {
    pending.push({ key, add: [...change.add], remove: [...change.remove] });
  };
  const collected = new Proxy(jira, {
    get(target, prop) {
      if (prop === 'updateLabels') return updateLabels;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as JiraPort;
  return { ...deps, jira: collected };
}

/** One ticket's escalation steps in a scan: a failure is counted and logged, and the scan goes on. */
async function sweepEscalation(deps: AppDeps, p: Planned, settings: Settings, stats: ScopeStats) {
  try {
    const steps = await escalationSteps(deps, p.ticket, p.verdict, settings);
    const labels = steps.escalation.labels;
    if (labels.add.length > 0 || labels.remove.length > 0) stats.labelsChanged += 1;
    stats.noticesPosted += steps.escalation.posted.length;
    stats.fixNotices += steps.fixed?.notified.length ?? 0;
  } catch (e) {
    stats.escalationFailed += 1;
    deps.log?.warn('escalation failed', { key: p.ticket.key, error: (e as Error).message });
  }
}

/**
 * The Jira port with `listVersions` remembered per project for one scan (§2.9.4 reads a project's
 * versions for every request that names one).
 */
export function withVersionCache(deps: AppDeps): AppDeps {
  const jira = deps.jira;
  const list = jira.listVersions;
  if (!list) return deps;
  const cache = new Map<string, Promise<VersionInfo[]>>();
  const listVersions = (project: string): Promise<VersionInfo[]> => {
    let hit = cache.get(project);
    if (!hit) {
      hit = list.call(jira, project);
      cache.set(project, hit);
      hit.catch(() => cache.delete(project));
    }
    return hit;
  };
  const cached = new Proxy(jira, {
    get(target, prop) {
      if (prop === 'listVersions') return listVersions;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as JiraPort;
  return { ...deps, jira: cached };
}

async function readPage(
  deps: AppDeps,
  jql: string,
  settings: Settings,
  token: string | undefined,
): Promise<{ tickets: Ticket[]; nextPageToken?: string }> {
  if (deps.jira.searchTickets) return deps.jira.searchTickets(jql, settings, token);
  const page = await deps.jira.searchKeys(jql, token);
  const tickets: Ticket[] = [];
  for (const key of page.keys) {
    const t = await deps.jira.readTicket(key, settings);
    if (t) tickets.push(t);
  }
  return { tickets, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
}

/** How far back the sweep also looks at issues that were closed recently (to catch a missed close). */
export const SWEEP_CLOSED_WINDOW = '-2d';

/** The sweep's JQL: open incidents and errors in scope, plus those closed in the last two days. */
export function sweepJql(settings: Settings): string | null {
  const scope = scopeJql(settings);
  if (!scope) return null;
  return `${scope} AND (statusCategory != Done OR statusCategoryChangedDate >= ${SWEEP_CLOSED_WINDOW}) ORDER BY key ASC`;
}

/** Tickets a sweep evaluates between two turns of the event loop. */
const YIELD_EVERY = 10;
/** …and whenever it has run this long without a turn for requests (ms). */
const YIELD_MS = 10;
/** Records per batch of a due sweep (one store query, one JQL search, one bulk write per batch). */
export const SWEEP_BATCH = 200;
/** A due sweep's continuation token starts with this (the JQL sweep's tokens are Jira's). */
const DUE_TOKEN = 'due:';
/** …and of its discovery part (issues never evaluated) with Jira's token after it. */
const NEW_TOKEN = 'new:';

export interface SweepOptions extends ScopeOptions {
  /** Records per batch (default SWEEP_BATCH). */
  batch?: number;
  /**
   * A due record whose issue the port did not return (deleted, out of scope, or held by another
   * source). Default: `onIssueChange`, which re-reads it and deletes the record when it is gone.
   */
  onMissing?: (key: string) => Promise<void>;
  /** Between batches, lets the process serve requests (default: one turn of the event loop). */
  pause?: () => Promise<void>;
  /**
   * Runs the work of one batch of due records (their keys), e.g. as one database transaction whose
   * reads of those records come in a few statements (the service on PostgreSQL). Default: as is.
   */
  page?: <T>(keys: readonly string[], fn: () => Promise<T>) => Promise<T>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * The scheduled sweep (issue #14): reads only the records whose next state change has come
 * (`listDueSlaRecords`: at risk, breach, a future-dated stop — src/domain/next-change.ts), in batches
 * of `SWEEP_BATCH` that yield to the event loop between them, so its cost follows the clocks that
 * change, not the history. Each batch is read from the ticket system in one search (`key in (…)`)
 * where the port can, evaluated, recorded and written like an event. A store without the index
 * falls back to the JQL sweep of every open issue (`sweepJql`).
 * @returns the counters, or null when no issue types are mapped.
 */
export async function sweep(deps: AppDeps, options: SweepOptions = {}): Promise<ScopeStats | null> {
  const settings = await scanSettings(deps);
  const jql = sweepJql(settings);
  if (!jql) return null;
  if (!deps.store.listDueSlaRecords) return recomputeScope(deps, jql, options);
  const token = options.pageToken;
  let due: ScopeStats | null = null;
  if (!token?.startsWith(NEW_TOKEN)) {
    const after = token?.startsWith(DUE_TOKEN) ? token.slice(DUE_TOKEN.length) : undefined;
    const { pageToken: _p, ...rest } = options;
    due = await sweepDue(deps, settings, { ...rest, ...(after ? { pageToken: after } : {}) });
    if (due.nextPageToken) return due;
  }
  // Discovery: issues in scope the app never evaluated (a missed creation event), open ones only.
  const clause = await deps.jira.unevaluatedClause?.();
  const scope = scopeJql(settings);
  if (!clause || !scope) return due;
  const found = await discover(
    deps,
    settings,
    `${scope} AND statusCategory != Done AND ${clause} ORDER BY key ASC`,
    {
      ...options,
      ...(options.maxPages !== undefined
        ? { maxPages: Math.max(1, options.maxPages - (due?.pages ?? 0)) }
        : {}),
    },
  );
  return mergeStats(due, found);
}

/**
 * The issues a query finds that the app never evaluated. Each evaluated issue leaves the query's
 * results (its "SLA state" is written), so the first page is read again until it holds no issue not
 * seen in this run (token paging over a shrinking result would skip issues). A slice that must stop
 * leaves `new:` as its token: the next slice starts the query over.
 */
async function discover(
  deps: AppDeps,
  settings: Settings,
  jql: string,
  options: SweepOptions,
): Promise<ScopeStats> {
  const stats = emptyStats(jql);
  const escDeps = withVersionCache(deps);
  const pause = options.pause ?? nextTurn;
  const seen = new Set<string>();
  for (;;) {
    const page = await readPage(deps, jql, settings, undefined);
    const fresh = page.tickets.filter((t) => !seen.has(t.key));
    if (fresh.length === 0) break;
    for (const t of fresh) seen.add(t.key);
    stats.pages += 1;
    await processTickets(deps, escDeps, fresh, settings, new Map(), stats);
    await options.onPage?.({ ...stats, ...(page.nextPageToken ? { nextPageToken: NEW_TOKEN } : {}) });
    if (!page.nextPageToken) break;
    if ((options.maxPages !== undefined && stats.pages >= options.maxPages) || options.shouldStop?.()) {
      stats.nextPageToken = NEW_TOKEN;
      break;
    }
    await pause();
  }
  return stats;
}

function emptyStats(jql: string): ScopeStats {
  return {
    jql,
    pages: 0,
    issues: 0,
    written: 0,
    unchanged: 0,
    recordsWritten: 0,
    failed: 0,
    labelsChanged: 0,
    noticesPosted: 0,
    fixNotices: 0,
    escalationFailed: 0,
  };
}

/** The counters of the due part and the discovery part of one sweep, added. */
function mergeStats(a: ScopeStats | null, b: ScopeStats): ScopeStats {
  if (!a) return { ...b };
  const out: ScopeStats = { ...a, jql: `${a.jql}; ${b.jql}` };
  if (b.nextPageToken) out.nextPageToken = b.nextPageToken;
  else delete out.nextPageToken;
  for (const k of [
    'pages',
    'issues',
    'written',
    'unchanged',
    'recordsWritten',
    'failed',
    'labelsChanged',
    'noticesPosted',
    'fixNotices',
    'escalationFailed',
  ] as const)
    out[k] = a[k] + b[k];
  return out;
}

async function sweepDue(deps: AppDeps, settings: Settings, options: SweepOptions): Promise<ScopeStats> {
  const listDue = deps.store.listDueSlaRecords!.bind(deps.store);
  const batch = Math.max(1, options.batch ?? SWEEP_BATCH);
  const pause = options.pause ?? nextTurn;
  const onMissing = options.onMissing ?? ((key: string) => onIssueChange(deps, key).then(() => undefined));
  const stats = emptyStats('due');
  const escDeps = withVersionCache(deps);
  // Records due by the sweep's start: one changed during the sweep has its new instant after it.
  const untilMs = deps.clock();
  let afterKey: string | null = options.pageToken || null;
  for (;;) {
    const due = await listDue({ untilMs, afterKey, limit: batch });
    if (due.length === 0) break;
    afterKey = due[due.length - 1]!.key;
    stats.pages += 1;
    const known = new Map(due.map((r) => [r.key, r]));
    const work = async () => {
      const tickets = await readDue(deps, settings, [...known.keys()]);
      await processTickets(deps, escDeps, tickets, settings, known, stats, pause);
      const found = new Set(tickets.map((t) => t.key));
      for (const key of known.keys()) if (!found.has(key)) await onMissing(key);
    };
    await (options.page ? options.page([...known.keys()], work) : work());
    const more = due.length === batch;
    await options.onPage?.({ ...stats, ...(more ? { nextPageToken: DUE_TOKEN + afterKey } : {}) });
    if (!more) break;
    if ((options.maxPages !== undefined && stats.pages >= options.maxPages) || options.shouldStop?.()) {
      stats.nextPageToken = DUE_TOKEN + afterKey;
      break;
    }
    await pause();
  }
  deps.log?.info('sweep done', { ...stats });
  return stats;
}

/**
 * The tickets of a batch of keys: one JQL search (`key in (…)`, pages of the port's size) where the
 * port reads whole tickets, else one read per key. Jira refuses a search naming an issue that no longer
 * exists (400): then the batch is read key by key, and the missing ones come back absent.
 */
async function readDue(deps: AppDeps, settings: Settings, keys: string[]): Promise<Ticket[]> {
  if (deps.jira.searchTickets) {
    const jql = `${scopeJql(settings)} AND key in (${keys.map(jqlQuote).join(', ')}) ORDER BY key ASC`;
    try {
      const out: Ticket[] = [];
      let token: string | undefined;
      do {
        const page = await deps.jira.searchTickets(jql, settings, token);
        out.push(...page.tickets);
        token = page.nextPageToken;
      } while (token);
      return out;
    } catch (e) {
      if (!/\b400\b|does not exist/i.test((e as Error).message ?? '')) throw e;
      deps.log?.info('sweep batch read key by key', { error: (e as Error).message });
    }
  }
  const out: Ticket[] = [];
  for (const key of keys) {
    const t = await deps.jira.readTicket(key, settings);
    if (t) out.push(t);
  }
  return out;
}

/** Every issue of the mapped types in scope, open or closed (the admin's "recompute all"). */
export function allIssuesJql(settings: Settings): string | null {
  const scope = scopeJql(settings);
  return scope ? `${scope} ORDER BY key ASC` : null;
}

/** A JQL value: ids stay bare numbers (JQL reads them as ids), anything else is quoted. */
const jqlValue = (v: string): string => (/^\d+$/.test(v) ? v : jqlQuote(v));

/**
 * A project version changed (release date moved, released, renamed): the errors of that project whose
 * fix deadline can depend on versions ("next update", "next release", fixVersion) are recomputed —
 * the open errors of the project, and the errors with that version as fixVersion. A version just
 * released fixes the errors that name it (resolved or not): their linked incidents are told through
 * the escalation steps of the scan (`notifyFixed`, once per error and version).
 */
export async function onVersionChange(
  deps: AppDeps,
  ref: { projectId: string; versionId?: string },
  options: ScopeOptions = {},
): Promise<ScopeStats | null> {
  const settings = await scanSettings(deps);
  const errors = scopeJql(settings, 'error');
  if (!errors) return null;
  const project = `project = ${jqlValue(ref.projectId)}`;
  const which = ref.versionId
    ? `(statusCategory != Done OR fixVersion = ${jqlValue(ref.versionId)})`
    : 'statusCategory != Done';
  return recomputeScope(deps, `${errors} AND ${project} AND ${which} ORDER BY key ASC`, options);
}
