/**
 * The event use cases: an issue changed, a version changed, the scheduled sweep. Each re-reads the
 * current state (so redelivered or reordered events are harmless), evaluates it, writes only what
 * differs from what the issue shows, and keeps the SLA record in the store.
 */
import { formatInstant } from '../domain/calendar';
import { evaluate } from '../domain/evaluate';
import type { Verdict } from '../domain/snapshot';
import { calendarFor } from './calendars';
import type { AppDeps } from './deps';
import type { Settings, ShownValues, SlaRecordRow, Ticket, TicketWrite } from './ports';
import { jqlQuote, scopeJql } from './settings';
import { desiredShown, diffShown, hasChanges, recordChanged, recordOf } from './shown';

/** What happened to one issue. */
export interface IssueOutcome {
  key: string;
  /** 'deleted': the issue no longer exists (or left the scope) and its record was removed. */
  result: 'written' | 'unchanged' | 'deleted';
  changes: Partial<ShownValues>;
  verdict: Verdict | null;
}

/** Evaluates a ticket at `now` with the settings' policy and (cached) compiled calendar. */
export function evaluateTicket(ticket: Ticket, settings: Settings, nowMs: number): Verdict {
  return evaluate(ticket.snapshot, settings.policy, calendarFor(settings.calendar), nowMs);
}

interface Planned {
  ticket: Ticket;
  verdict: Verdict;
  changes: Partial<ShownValues>;
  record: SlaRecordRow;
}

function plan(ticket: Ticket, settings: Settings, nowMs: number): Planned {
  const calendar = calendarFor(settings.calendar);
  const verdict = evaluateTicket(ticket, settings, nowMs);
  const changes = diffShown(desiredShown(verdict, settings, calendar), ticket.shown);
  const record = recordOf(ticket, verdict, formatInstant(nowMs, calendar.zone));
  return { ticket, verdict, changes, record };
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
  const p = plan(ticket, settings, deps.clock());
  if (hasChanges(p.changes)) await deps.jira.writeTicket(ticket, p.changes, settings);
  const existing = await deps.store.getSlaRecord(ticket.key);
  if (recordChanged(existing, p.record)) await deps.store.upsertSlaRecord(p.record);
  deps.log?.info('issue evaluated', { key: ticket.key, changed: Object.keys(p.changes) });
  return {
    key: ticket.key,
    result: hasChanges(p.changes) ? 'written' : 'unchanged',
    changes: p.changes,
    verdict: p.verdict,
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
  const stats: ScopeStats = {
    jql,
    pages: 0,
    issues: 0,
    written: 0,
    unchanged: 0,
    recordsWritten: 0,
    failed: 0,
  };
  const known = new Map((await deps.store.listSlaRecords({})).map((r) => [r.key, r]));
  let token = options.pageToken;
  do {
    const page = await readPage(deps, jql, settings, token);
    stats.pages += 1;
    const nowMs = deps.clock();
    const writes: TicketWrite[] = [];
    for (const ticket of page.tickets) {
      stats.issues += 1;
      let p: Planned;
      try {
        p = plan(ticket, settings, nowMs);
      } catch (e) {
        // A ticket the engine cannot evaluate (malformed date, outside the calendar's years) must not
        // stop the sweep; it is counted and logged, and its event path reports the same error.
        stats.failed += 1;
        deps.log?.warn('issue not evaluated', { key: ticket.key, error: (e as Error).message });
        continue;
      }
      if (hasChanges(p.changes)) writes.push({ ticket, changes: p.changes });
      else stats.unchanged += 1;
      if (recordChanged(known.get(ticket.key) ?? null, p.record)) {
        await deps.store.upsertSlaRecord(p.record);
        known.set(ticket.key, p.record);
        stats.recordsWritten += 1;
      }
    }
    if (writes.length > 0) {
      if (deps.jira.writeTickets) await deps.jira.writeTickets(writes, settings);
      else for (const w of writes) await deps.jira.writeTicket(w.ticket, w.changes, settings);
      stats.written += writes.length;
    }
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

/**
 * The scheduled sweep: re-evaluates every open issue of the mapped types in scope.
 * @returns the counters, or null when no issue types are mapped.
 */
export async function sweep(deps: AppDeps, options: ScopeOptions = {}): Promise<ScopeStats | null> {
  const settings = await deps.store.getSettings();
  const jql = sweepJql(settings);
  if (!jql) return null;
  return recomputeScope(deps, jql, options);
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
 * the open errors of the project, and the errors with that version as fixVersion.
 */
export async function onVersionChange(
  deps: AppDeps,
  ref: { projectId: string; versionId?: string },
  options: ScopeOptions = {},
): Promise<ScopeStats | null> {
  const settings = await deps.store.getSettings();
  const errors = scopeJql(settings, 'error');
  if (!errors) return null;
  const project = `project = ${jqlValue(ref.projectId)}`;
  const which = ref.versionId
    ? `(statusCategory != Done OR fixVersion = ${jqlValue(ref.versionId)})`
    : 'statusCategory != Done';
  return recomputeScope(deps, `${errors} AND ${project} AND ${which} ORDER BY key ASC`, options);
}
