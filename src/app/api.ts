/**
 * The UI/API use cases (src/contract/api.ts): one handler per call name, shared by the Forge resolvers
 * and the self-hosted server's routes. Permission checks happen here, server-side.
 */
import { redactNotifications, renderNotification, sampleEvent, TRIGGERS } from '../domain/notify';
import type {
  Api,
  ApiName,
  ApiRequest,
  ApiResponse,
  CalendarDay,
  CalendarYearView,
  ComplianceView,
  IssueItem,
  IssueDetails,
  InputEditView,
  IssueSlaView,
  RecomputeStatus,
  SettingsView,
  TrendPoint,
} from '../contract/api';
import { DASHBOARD_LIST_LIMIT } from '../contract/api';
import {
  addBuckets,
  complianceFromBuckets,
  contributions,
  liveBuckets,
  pendingBuckets,
  settledAt,
  trendFromBuckets,
  wholeMonths,
  type AggRow,
} from '../domain/aggregates';
import type { Kind } from '../domain/codes';
import type { ComplianceSummary, SlaRecord } from '../domain/compliance-types';
import { instantMs } from '../domain/compliance';
import { issuePageOfRows, issueQuery } from './issue-list';
import { compileCalendar, parseInstant, ruYear, validateCalendarConfig } from '../domain/calendar';
import type { CalendarConfig } from '../domain/calendar/types';
import { compliance, complianceTrend } from '../domain/compliance';
import { evaluate } from '../domain/evaluate';
import { validatePolicy, type Problem } from '../domain/policy-validate';
import type { Snapshot, Verdict } from '../domain/snapshot';
import { foldLedger, summarize, withLedger, type Fact } from '../domain/ledger';
import { calendarFor } from './calendars';
import type { AppDeps } from './deps';
import { AppError } from './errors';
import {
  checkVersion,
  checkVisit,
  registerErrorFromIncident,
  splitRequest,
  type SplitPart,
} from './escalation';
import { allIssuesJql, evaluateTicket, onIssueChange, recomputeScope } from './issue-change';
import { issueHistory, issueIdOf, waiveBreach } from './ledger';
import { changedClockSettings } from './settings-effect';
import type { InputEdit, Settings, SlaRecordRow, Ticket } from './ports';
import { applySettingsEdit } from './settings';
import { toSlaRecord } from './sla-record';
import { scanSettings, siteCatalog, siteProblems, staffProblems, type SiteProblem } from './site-check';
import { clearRefusedFields } from './refused-fields';
import { report } from './report';

export type ApiHandlers = { [N in ApiName]: (request: ApiRequest<N>) => Promise<ApiResponse<N>> };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The `customer` of a figures request (issue #17): a customer id, or null for every customer. */
function customerOfRequest(req: { customer?: unknown }): string | null {
  const c = req.customer;
  if (c === undefined || c === null || c === '') return null;
  if (typeof c !== 'string' || c.length > 64)
    throw new AppError(
      'invalid-request',
      `customer must be a customer id, got ${JSON.stringify(c)?.slice(0, 80)}`,
    );
  return c;
}

/** A 32-byte random secret, hex (Web Crypto: available in Node and the Forge runtime). */
export function newSecret(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export { toSlaRecord } from './sla-record';

function issueItem(r: SlaRecordRow, url: string | null): IssueItem {
  return { key: r.key, summary: r.summary, kind: r.kind, class: r.class, due: r.due, state: r.state, url };
}

/** Months 'YYYY-MM' from the month of `from` to the month of `to` (dates 'YYYY-MM-DD'), at most 36. */
function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const ey = Number(to.slice(0, 4));
  const em = Number(to.slice(5, 7));
  while ((y < ey || (y === ey && m <= em)) && out.length < 36) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

const DAY_KIND = {
  holiday: 'holiday',
  'day-off': 'day-off',
  'working-day': 'working-day',
  'short-day': 'short-day',
} as const;

/** The days of a year as the admin page's calendar shows them. */
export function calendarYear(config: CalendarConfig, year: number): CalendarYearView {
  if (!Number.isInteger(year) || year < 2020 || year > 2035)
    throw new AppError('invalid-request', 'year must be a whole number from 2020 to 2035');
  const cal = compileCalendar(config, { fromYear: year, toYear: year });
  const own = new Map(config.overrides.map((o) => [o.date, o]));
  const ru = config.production === 'ru' && !config.allDay ? ruYear(year) : null;
  const sets = ru
    ? {
        holiday: new Set(ru.holidays),
        'day-off': new Set(ru.extraDaysOff),
        'working-day': new Set(ru.workingWeekends),
        'short-day': new Set(ru.shortDays),
      }
    : null;
  const days: CalendarDay[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    const next = new Date(t + 86_400_000).toISOString().slice(0, 10);
    const end = next.startsWith(String(year + 1))
      ? cal.startOfDate(date) + 86_400_000
      : cal.startOfDate(next);
    const minutes = Math.round(cal.workingMinutesBetween(cal.startOfDate(date), end));
    const weekday = (new Date(t).getUTCDay() + 6) % 7; // 0 = Monday
    const o = own.get(date);
    let kind: CalendarDay['kind'] = weekday >= 5 && !config.allDay ? 'weekend' : 'workday';
    if (o) kind = DAY_KIND[o.kind];
    else if (sets) {
      for (const k of ['holiday', 'day-off', 'working-day', 'short-day'] as const)
        if (sets[k].has(date)) kind = k;
    }
    if (kind === 'workday' && minutes === 0) kind = 'weekend';
    days.push({ date, working: minutes > 0, minutes, kind, own: Boolean(o) });
  }
  const months = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, ...cal.monthNorm(year, i + 1) }));
  const status = cal.yearStatus(year);
  const source =
    status === 'custom'
      ? 'custom calendar'
      : status === 'statutory-rule'
        ? 'Labour Code art. 112 (statutory rule; not confirmed by decree)'
        : (ru?.decree ?? 'production calendar');
  return { year, status, source, days, months };
}

const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

/**
 * Most search pages read for a saved filter's issues (Jira Cloud: 1,000 keys a page, so 50,000 issues;
 * Jira DC: the service's page size, 100 by default, so 5,000). A larger filter is refused with a
 * message rather than counted in part: partial figures would look like whole ones.
 */
export const FILTER_MAX_PAGES = 50;

/** The issue page's context of a ticket (summary, type, reporter, registration). */
function issueDetails(ticket: Ticket, url: string | null): IssueDetails {
  const reporter = ticket.snapshot.contacts?.reporter;
  return {
    summary: ticket.snapshot.summary ?? null,
    issueType: ticket.issueType,
    kind: ticket.snapshot.kind,
    project: ticket.project,
    reporter: reporter?.name ?? reporter?.email ?? null,
    registeredAt: ticket.snapshot.registeredAt,
    url,
    links: (ticket.links ?? []).map((l) => ({ key: l.key, type: l.type ?? null })),
  };
}

/**
 * The keys of the issues a saved filter selects (every page of its JQL search, as the JiraPort
 * searches); null for a filter without JQL (it selects every issue). Throws AppError when the ticket
 * system has no saved filters (`invalid-request`), the filter does not exist or the caller cannot
 * see it (`not-found`), or it selects more than FILTER_MAX_PAGES pages (`invalid-request`).
 */
export async function filterKeys(deps: AppDeps, filterId: string): Promise<Set<string> | null> {
  if (!deps.jira.filterJql)
    throw new AppError(
      'invalid-request',
      'Saved filters are not available for this ticket system; choose projects as the scope.',
      { messageCode: 'filters-unavailable' },
    );
  const jql = await deps.jira.filterJql(filterId);
  if (jql === null)
    throw new AppError('not-found', `Saved filter ${filterId} does not exist or you cannot see it.`, {
      messageCode: 'filter-not-found',
      params: { id: filterId },
    });
  // A filter without JQL selects every issue: nothing to narrow.
  if (jql.trim() === '') return null;
  const keys = new Set<string>();
  let token: string | undefined;
  for (let page = 0; ; page++) {
    if (page >= FILTER_MAX_PAGES)
      throw new AppError(
        'invalid-request',
        `Saved filter ${filterId} selects more than ${keys.size} issues (${FILTER_MAX_PAGES} search pages); narrow it or choose projects.`,
      );
    const r = await deps.jira.searchKeys(jql, token);
    for (const k of r.keys) keys.add(k);
    if (!r.nextPageToken) return keys;
    token = r.nextPageToken;
  }
}

/** An agreed deadline as the snapshot takes it: a date, or an ISO instant with its offset. */
function isAgreedDeadline(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return Number.isFinite(Date.parse(`${v}T00:00:00Z`));
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) &&
    Number.isFinite(Date.parse(v))
  );
}

function requireKey(req: unknown): string {
  if (!isObject(req) || typeof req.key !== 'string' || req.key.trim() === '')
    throw new AppError('invalid-request', 'key is required', { messageCode: 'key-required' });
  return req.key.trim();
}

/**
 * Evaluates issues the app has just created (an error, the parts of a split request), so their fields
 * and clocks show at once: in Jira Cloud the app's own creation events are filtered out
 * (`ignoreSelf`). A failure is logged only; the hourly sweep evaluates them anyway.
 */
async function evaluateCreated(deps: AppDeps, keys: string[]): Promise<void> {
  for (const key of keys) {
    try {
      await onIssueChange(deps, key);
    } catch (e) {
      deps.log?.warn('created issue not evaluated', { key, error: (e as Error).message });
    }
  }
}

/** The dashboard's open breached / at-risk issues: the first DASHBOARD_LIST_LIMIT by deadline, and the count. */
interface DashboardList {
  items: SlaRecordRow[];
  total: number;
}

/**
 * Buckets that take some records out of figures built from aggregates (issue security: records the
 * caller may not see): each record's own buckets negated, and, for an open clock due later that the
 * pending correction counted (`pendingBuckets`), that correction given back.
 */
function withoutRecords(
  records: readonly SlaRecord[],
  now: number,
  zone: string,
  period: { first: string; last: string },
): AggRow[] {
  if (records.length === 0) return [];
  const m = new Map<string, AggRow>();
  for (const r of records) addBuckets(m, contributions(r, zone), -1);
  return [...m.values(), ...pendingBuckets(records, now, zone, period).map((b) => ({ ...b, n: -b.n }))];
}

/**
 * The compliance view from its parts: the figures from the aggregate buckets plus the live records
 * (`rows` absent), or counted from every record (`rows`: a saved filter's issues, a period of partial
 * months, a store without aggregates — and the tests' oracle of the aggregates).
 */
function complianceView(
  deps: AppDeps,
  settings: Settings,
  req: { from: string; to: string },
  now: number,
  parts:
    | { rows: SlaRecordRow[]; breached: DashboardList; atRisk: DashboardList }
    | {
        buckets: AggRow[];
        /** The trend's buckets when they differ from the figures' (Store.listDashboardBuckets). */
        trendBuckets?: AggRow[];
        live: SlaRecord[];
        period: { first: string; last: string };
        breached: DashboardList;
        atRisk: DashboardList;
      },
): ComplianceView {
  const target = settings.policy.complianceTarget;
  const counting = settings.policy.agreedCounting ?? 'standard';
  const zone = settings.calendar.zone;
  const months = monthsBetween(req.from, req.to);
  const records = 'rows' in parts ? parts.rows.map(toSlaRecord) : null;
  const liveOwn = 'live' in parts ? liveBuckets(parts.live, zone) : null;
  const figures = (kind: Kind, from: string, to: string, first: string, last: string): ComplianceSummary =>
    records
      ? compliance(records, kind, from, to, now, target, zone, counting)
      : complianceFromBuckets(
          (parts as { buckets: AggRow[] }).buckets,
          (parts as { live: SlaRecord[] }).live,
          kind,
          { from, to, first, last },
          now,
          target,
          zone,
          counting,
          liveOwn!,
        );
  const { first, last } = 'period' in parts ? parts.period : { first: '', last: '' };
  let trend: TrendPoint[];
  if (records) {
    const errorTrend = complianceTrend(records, 'error', months, zone, now, target, counting);
    const incidentTrend = complianceTrend(records, 'incident', months, zone, now, target, counting);
    trend = months.map((month, i) => {
      const e = errorTrend[i]!;
      const inc = incidentTrend[i]!;
      return {
        month,
        errors: { counted: e.counted, onTime: e.onTime, share: e.share },
        incidents: { counted: inc.counted, onTime: inc.onTime, share: inc.share },
      };
    });
  } else {
    const { buckets, trendBuckets, live } = parts as {
      buckets: AggRow[];
      trendBuckets?: AggRow[];
      live: SlaRecord[];
    };
    const rows = trendBuckets ?? buckets;
    const e = trendFromBuckets(rows, live, 'error', months, now, zone, counting, liveOwn!);
    const inc = trendFromBuckets(rows, live, 'incident', months, now, zone, counting, liveOwn!);
    trend = months.map((month, i) => ({ month, errors: e[i]!, incidents: inc[i]! }));
  }
  const url = (k: string) => deps.issueUrl?.(k) ?? null;
  const listUrls = deps.issueListUrl
    ? { breached: deps.issueListUrl('breached'), atRisk: deps.issueListUrl('at-risk') }
    : undefined;
  return {
    from: req.from,
    to: req.to,
    target,
    errors: figures('error', req.from, req.to, first, last),
    incidents: figures('incident', req.from, req.to, first, last),
    trend,
    breached: parts.breached.items.map((r) => issueItem(r, url(r.key))),
    atRisk: parts.atRisk.items.map((r) => issueItem(r, url(r.key))),
    breachedTotal: parts.breached.total,
    atRiskTotal: parts.atRisk.total,
    ...(listUrls ? { listUrls } : {}),
  };
}

/** The open records of a state, by deadline (undated last), then key: the first `limit` and the count. */
export function firstByDue(rows: readonly SlaRecordRow[], state: string, limit: number): DashboardList {
  const all = rows
    .filter((r) => r.state === state && r.doneAt === null)
    .sort(
      (a, b) =>
        (a.due === null ? 1 : 0) - (b.due === null ? 1 : 0) ||
        (a.due !== null && b.due !== null ? instantMs(a.due) - instantMs(b.due) : 0) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  return { items: all.slice(0, limit), total: all.length };
}

/** The dashboard counted from every record (the full scan: the fallback, and the aggregates' oracle). */
export function complianceFromRows(
  deps: AppDeps,
  settings: Settings,
  req: { from: string; to: string },
  now: number,
  rows: SlaRecordRow[],
): ComplianceView {
  return complianceView(deps, settings, req, now, {
    rows,
    breached: firstByDue(rows, 'breached', DASHBOARD_LIST_LIMIT),
    atRisk: firstByDue(rows, 'at-risk', DASHBOARD_LIST_LIMIT),
  });
}

/**
 * The handlers of every API call for the given dependencies.
 * @example const api = createApi(deps); await api.getIssueSla({ key: 'SUP-101' })
 */
export function createApi(deps: AppDeps): ApiHandlers {
  const isAdmin = async (): Promise<boolean> => (deps.isAdmin ? deps.isAdmin() : false);
  const requireAdmin = async (): Promise<void> => {
    if (!(await isAdmin()))
      throw new AppError('forbidden', 'Only a Jira administrator can do this.', {
        messageCode: 'admin-only',
      });
  };
  // The caller sees only issues they may browse (issue #12 item 8): an issue they may not see is
  // answered like one that does not exist, and lists and figures leave out projects they may not browse.
  const requireBrowse = async (key: string): Promise<void> => {
    if (deps.viewer && !(await deps.viewer.canBrowse(key)))
      throw new AppError('not-found', `no issue ${key} (or you may not see it)`, {
        messageCode: 'issue-not-found',
        params: { key },
      });
  };
  // Issue #15: an agreed deadline or a priority override set from the issue page, written to the ticket
  // system's fields (so the change is in its history, and the ledger places it), then re-evaluated.
  const editInputs = async (key: string, edit: InputEdit): Promise<InputEditView> => {
    await requireBrowse(key);
    if (!deps.jira.setInputs)
      throw new AppError(
        'invalid-request',
        'this ticket system cannot store agreed deadlines or priority overrides; set them in its own fields',
        { messageCode: 'cannot-edit-inputs' },
      );
    const settings = await deps.store.getSettings();
    const ticket = await deps.jira.readTicket(key, settings);
    if (!ticket)
      throw new AppError('not-found', `no issue ${key} (or you may not see it)`, {
        messageCode: 'issue-not-found',
        params: { key },
      });
    // SPEC §4: an incident's priority is 1..5, an error's 1..10.
    if (edit.priorityOverride && ticket.snapshot.kind === 'incident' && edit.priorityOverride.value > 5)
      throw new AppError(
        'invalid-request',
        `value must be an integer 1..5 for an incident (SPEC §4), got ${edit.priorityOverride.value}`,
      );
    if (edit.agreedDeadline !== undefined && ticket.snapshot.kind !== 'error')
      throw new AppError(
        'invalid-request',
        `${ticket.key} is an incident: only an error's fix deadline is agreed (SPEC §5.6)`,
      );
    await deps.jira.setInputs(ticket.key, edit, settings);
    const out = await onIssueChange(deps, ticket.key);
    return { key: ticket.key, verdict: out.verdict ?? null };
  };
  const visibleRows = async (rows: SlaRecordRow[]): Promise<SlaRecordRow[]> => {
    if (!deps.viewer || rows.length === 0) return rows;
    const visible = await deps.viewer.browsableProjects([...new Set(rows.map((r) => r.project))]);
    const inProjects = rows.filter((r) => visible.has(r.project));
    // Then issue by issue (issue security), in bulk, only for the rows the project check kept.
    if (!deps.viewer.visibleIssues || inProjects.length === 0) return inProjects;
    const issues = await deps.viewer.visibleIssues(inProjects.map((r) => r.key));
    return inProjects.filter((r) => issues.has(r.key));
  };

  /**
   * Issue security on the views built from aggregates (issue #14): the issues of `projects` that have
   * a security level the caller is not in (one search as the app, then the bulk check as the user);
   * null when they are too many to leave out one by one (`SECURED_MAX`), or the viewer cannot say
   * which issues are secured: the view then takes the per-record path.
   */
  const hiddenKeys = async (
    projects: string[],
    /** The secured issues of these or more projects, asked for earlier (beside the browse check). */
    early?: Promise<string[] | null>,
  ): Promise<string[] | null> => {
    const viewer = deps.viewer;
    if (!viewer?.visibleIssues || projects.length === 0) return [];
    if (!viewer.securedIssues) return null;
    const all = await (early ?? viewer.securedIssues(projects));
    if (all === null) return null;
    // An issue key is its project's key, '-', and a number.
    const mine = new Set(projects);
    const secured = all.filter((k) => mine.has(k.slice(0, k.lastIndexOf('-'))));
    if (secured.length === 0) return [];
    const visible = await viewer.visibleIssues(secured);
    return secured.filter((k) => !visible.has(k));
  };

  const handlers: ApiHandlers = {
    async getCompliance(req) {
      if (
        !isObject(req) ||
        typeof req.from !== 'string' ||
        typeof req.to !== 'string' ||
        !DATE_RE.test(req.from) ||
        !DATE_RE.test(req.to)
      )
        throw new AppError('invalid-request', 'from and to must be dates YYYY-MM-DD');
      if (req.filterId !== undefined && (typeof req.filterId !== 'string' || req.filterId.trim() === ''))
        throw new AppError('invalid-request', 'filterId must be the id of a saved filter');
      const settings = await deps.store.getSettings();
      const projects = req.projects && req.projects.length > 0 ? req.projects : settings.projects;
      // A saved filter narrows the records in the projects of the scope (the request's, else the
      // settings'): both given means the issues of the filter that are also in those projects. The
      // figures, the trend and both lists all come from this one set of rows.
      const inFilter = req.filterId !== undefined ? await filterKeys(deps, req.filterId.trim()) : null;
      // Issue #17: one customer's figures come from that customer's buckets (the buckets keep the
      // customer), live records and lists; on the per-record path, from that customer's records.
      const customer = customerOfRequest(req);
      const ofCustomer = customer !== null ? { customer } : {};
      const now = deps.clock();
      const period = wholeMonths(req.from, req.to);
      const store = deps.store;
      let perRecord = false;
      if (inFilter === null && period && store.dashboardParts) {
        // Forge SQL: the same parts in at most 3 queries (Store.dashboardParts).
        const viewer = deps.viewer;
        const tooMany = new Error('too many secured issues');
        // The secured issues are asked for beside the projects' browse check (both are Jira calls).
        let early: Promise<string[] | null> | undefined;
        try {
          const parts = await store.dashboardParts({
            mode: settings.policy.agreedCounting ?? 'standard',
            projects,
            range: period,
            nowMs: now,
            limit: DASHBOARD_LIST_LIMIT,
            ...ofCustomer,
            ...(viewer
              ? {
                  scope: async (known: string[]) => {
                    if (viewer.visibleIssues && viewer.securedIssues && known.length > 0) {
                      early = viewer.securedIssues(known);
                      early.catch(() => undefined); // awaited (and its error thrown) by `hide`
                    }
                    return [...(await viewer.browsableProjects(known))];
                  },
                }
              : {}),
            ...(viewer?.visibleIssues
              ? {
                  hide: async (scope: string[]) => {
                    const h = await hiddenKeys(scope, early);
                    if (h === null) throw tooMany;
                    return h;
                  },
                }
              : {}),
          });
          const out = withoutRecords(parts.hidden.map(toSlaRecord), now, settings.calendar.zone, period);
          return complianceView(deps, settings, req, now, {
            ...parts,
            buckets: [...parts.buckets, ...out],
            ...(parts.trendBuckets ? { trendBuckets: [...parts.trendBuckets, ...out] } : {}),
            live: parts.live.map(toSlaRecord).filter((r) => !settledAt(r, now)),
            period,
          });
        } catch (e) {
          if (e !== tooMany) throw e;
          perRecord = true;
        }
      }
      if (
        !perRecord &&
        inFilter === null &&
        period &&
        store.listAggregates &&
        store.listLiveRecords &&
        store.listIssuePage
      ) {
        // Issue #14: the buckets, the few records whose outcome depends on now, and the first issues
        // of each list — each through an index, whatever the number of records.
        const mode = settings.policy.agreedCounting ?? 'standard';
        let scope: string[] | null = projects.length > 0 ? projects : null;
        // The projects whose figures are summed: all (the rollup's `all` level) unless some are asked
        // for or the viewer may not browse every project that holds records.
        let summed = projects;
        if (deps.viewer) {
          // Every project with records (not only those counting in the period: the lists hold open
          // issues due earlier too), then the ones this viewer may browse.
          const known =
            projects.length > 0
              ? projects
              : store.listAggregateProjects
                ? await store.listAggregateProjects()
                : (await store.listAggregates(mode)).map((b) => b.project);
          const visible = await deps.viewer.browsableProjects([...new Set(known)]);
          scope = [...visible].sort();
          if (projects.length > 0 || !known.every((p) => visible.has(p))) summed = scope;
        }
        const none = scope !== null && scope.length === 0;
        // Issue security: with issues of the scope the viewer may not see, the per-record path below
        // (the Forge store leaves them out in SQL: dashboardParts' `hide`; no other store has a viewer
        // with issue security).
        const hide = none || scope === null ? [] : await hiddenKeys(scope);
        if (hide !== null && hide.length === 0) {
          // Summed over projects in SQL (the rollup), with the pending records' correction at now: the
          // open clocks due later are counted in SQL. Where the store can, pre-reduced in SQL to what the
          // figures and the trend read (a few hundred rows whatever the records).
          // The parts are independent reads, asked for together: on SQLite two reader threads run
          // them side by side, on PostgreSQL connections of the pool (session 18).
          const aggregates = store.listAggregates.bind(store);
          const bucketsOf = async (): Promise<{ buckets: AggRow[]; trendBuckets?: AggRow[] }> => {
            if (none) return { buckets: [], trendBuckets: [] };
            if (customer !== null)
              return { buckets: await aggregates(mode, summed, period, true, now, customer) };
            if (store.listDashboardBuckets) {
              const b = await store.listDashboardBuckets(mode, period, summed, now);
              return { buckets: b.figures, trendBuckets: b.trend };
            }
            return { buckets: await aggregates(mode, summed, period, true, now) };
          };
          const where = scope ?? undefined;
          const list = async (state: 'breached' | 'at-risk') =>
            none
              ? { items: [], total: 0, nextCursor: null }
              : await store.listIssuePage!({
                  state,
                  projects: where,
                  limit: DASHBOARD_LIST_LIMIT,
                  ...ofCustomer,
                });
          const [{ buckets, trendBuckets }, live, breached, atRisk] = await Promise.all([
            bucketsOf(),
            none ? [] : store.listLiveRecords(now, where, customer ?? undefined),
            list('breached'),
            list('at-risk'),
          ]);
          return complianceView(deps, settings, req, now, {
            buckets,
            ...(trendBuckets ? { trendBuckets } : {}),
            // The live records that already count as their buckets say are left to the buckets.
            live: live.map(toSlaRecord).filter((r) => !settledAt(r, now)),
            period,
            breached,
            atRisk,
          });
        }
      }
      // A saved filter's records by key where the store reads by key (Forge SQL: a few queries for the
      // filter's keys, at most FILTER_MAX_PAGES search pages of them), not every record of the projects.
      const source =
        inFilter !== null && store.getSlaRecords
          ? (await store.getSlaRecords([...inFilter])).filter(
              (r) =>
                (projects.length === 0 || projects.includes(r.project)) &&
                (customer === null || r.customer === customer),
            )
          : await store.listSlaRecords({ ...(projects.length > 0 ? { projects } : {}), ...ofCustomer });
      const rows = (await visibleRows(source)).filter((r) => inFilter === null || inFilter.has(r.key));
      return complianceFromRows(deps, settings, req, now, rows);
    },

    async getIssueSla(req) {
      if (!isObject(req) || typeof req.key !== 'string' || req.key === '')
        throw new AppError('invalid-request', 'key is required', { messageCode: 'key-required' });
      await requireBrowse(req.key);
      const settings = await deps.store.getSettings();
      const ticket = await deps.jira.readTicket(req.key, settings);
      let verdict: Verdict | null = null;
      let history: Fact[] | undefined;
      const now = deps.clock();
      if (ticket) {
        verdict = evaluateTicket(ticket, settings, now);
        if (deps.store.listFacts) {
          // Read-only: the panel shows the ledger as recorded (events and sweeps append to it).
          history = await issueHistory(deps, issueIdOf(ticket));
          verdict = withLedger(verdict, summarize(foldLedger(history)), settings.calendar.zone, now);
        }
      } else {
        const stored = await deps.store.getSlaRecord(req.key);
        if (stored) verdict = JSON.parse(stored.verdictJson) as Verdict;
      }
      const view: IssueSlaView = {
        key: ticket?.key ?? req.key,
        verdict,
        ...(history ? { history } : {}),
        calendarZone: settings.calendar.zone,
        visit: ticket?.visit ?? null,
        ...(ticket ? { issue: issueDetails(ticket, deps.issueUrl?.(ticket.key) ?? null) } : {}),
      };
      return view;
    },

    async agreeDeadline(req) {
      const key = requireKey(req);
      const deadline = (req as { deadline?: unknown }).deadline;
      if (deadline !== null && !isAgreedDeadline(deadline))
        throw new AppError(
          'invalid-request',
          `deadline must be a date YYYY-MM-DD or an ISO instant with its offset, or null to remove it; got ${JSON.stringify(deadline)}`,
        );
      return editInputs(key, { agreedDeadline: deadline });
    },

    async overridePriority(req) {
      const key = requireKey(req);
      const { value, reason } = req as { value?: unknown; reason?: unknown };
      if (value === null) return editInputs(key, { priorityOverride: null });
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 10)
        throw new AppError(
          'invalid-request',
          `value must be an integer 1..10 (or null), got ${JSON.stringify(value)}`,
        );
      if (typeof reason !== 'string' || reason.trim() === '')
        throw new AppError(
          'invalid-request',
          `an override needs a reason (SPEC §4), got ${JSON.stringify(reason)}`,
        );
      return editInputs(key, { priorityOverride: { value, reason: reason.trim() } });
    },

    async waiveBreach(req) {
      await requireAdmin();
      if (!isObject(req) || typeof req.key !== 'string' || req.key === '')
        throw new AppError('invalid-request', 'key is required', { messageCode: 'key-required' });
      if (typeof req.reason !== 'string' || req.reason.trim() === '')
        throw new AppError('invalid-request', `a waiver needs a reason, got ${JSON.stringify(req.reason)}`);
      // An administrator outside the issue's security level may not see it either.
      await requireBrowse(req.key);
      const settings = await deps.store.getSettings();
      const ticket = await deps.jira.readTicket(req.key, settings);
      const issueId = ticket ? issueIdOf(ticket) : req.key;
      const by = (await deps.actor?.()) ?? 'administrator';
      try {
        const fact = await waiveBreach(deps, issueId, String(req.clock), { by, reason: req.reason });
        // The record follows at once: a waived breach leaves the compliance figure.
        if (ticket) await onIssueChange(deps, ticket.key);
        return { fact };
      } catch (e) {
        if (e instanceof RangeError) throw new AppError('invalid-request', e.message);
        throw e;
      }
    },

    async listIssues(req) {
      // The first call shape (open issues by deadline, up to `limit`): one page of listIssuePage.
      const page = await handlers.listIssuePage({
        ...(req?.projects ? { projects: req.projects } : {}),
        limit: req?.limit ?? 50,
      });
      return page.items;
    },

    async listIssuePage(req) {
      const q = issueQuery(isObject(req) ? req : {});
      const settings = await deps.store.getSettings();
      const asked = q.projects && q.projects.length > 0 ? q.projects : settings.projects;
      const url = (k: string) => deps.issueUrl?.(k) ?? null;
      const store = deps.store;
      if (store.listIssuePage) {
        let projects: string[] | undefined = asked.length > 0 ? asked : undefined;
        if (deps.viewer) {
          // The viewer's projects first, so that a page and its total hold visible issues only.
          const candidates =
            projects ??
            (store.listAggregateProjects
              ? await store.listAggregateProjects()
              : [...new Set((await store.listAggregates?.('standard'))?.map((b) => b.project) ?? [])]);
          projects = [...(await deps.viewer.browsableProjects(candidates))].sort();
          if (projects.length === 0) return { items: [], nextCursor: null, total: 0 };
        }
        // Issue security: the issues of those projects the viewer may not see are left out in SQL, so
        // a page and its total hold visible issues only (too many of them: the per-record path below).
        const hide = projects ? await hiddenKeys(projects) : [];
        if (hide !== null)
          try {
            const page = await store.listIssuePage({
              ...q,
              ...(projects ? { projects } : {}),
              ...(hide.length > 0 ? { exclude: hide } : {}),
            });
            return { ...page, items: page.items.map((r) => issueItem(r, url(r.key))) };
          } catch (e) {
            if (e instanceof RangeError) throw new AppError('invalid-request', e.message);
            throw e;
          }
      }
      const rows = await visibleRows(
        await deps.store.listSlaRecords(asked.length > 0 ? { projects: asked } : {}),
      );
      const page = issuePageOfRows(rows, q);
      return { ...page, items: page.items.map((r) => issueItem(r, url(r.key))) };
    },

    async getSettings() {
      const settings = await deps.store.getSettings();
      const { webhookSecret, ...rest } = settings;
      // Names of the mapping this site lacks (issue types, priorities), shown on the admin page. A
      // failure to list them must not hide the settings: the view then has no `siteProblems`.
      let problems: SiteProblem[] | undefined;
      try {
        problems = [
          ...siteProblems(settings, await siteCatalog(deps.jira)),
          ...(await staffProblems(deps.jira, settings)),
        ];
      } catch (e) {
        deps.log?.warn('could not check the settings against the site', { error: (e as Error).message });
      }
      const view: SettingsView = {
        ...rest,
        ...(rest.notifications ? { notifications: redactNotifications(rest.notifications) } : {}),
        webhookSecretSet: Boolean(webhookSecret),
        canEdit: await isAdmin(),
        ...(problems ? { siteProblems: problems } : {}),
      };
      return view;
    },

    async saveSettings(req) {
      if (!(await isAdmin()))
        return {
          ok: false,
          errors: [{ path: '', message: 'Only a Jira administrator can change the settings.' }],
        };
      const current = await deps.store.getSettings();
      const edit = isObject(req) ? req : {};
      const r = applySettingsEdit(current, edit);
      if (!r.ok) return { ok: false, errors: r.errors };
      // The names just edited must exist on the site (a missing issue type would make every scan's
      // JQL fail with 400; a missing priority would make every priority write fail).
      if (edit.issueTypes !== undefined || edit.priorityMap !== undefined) {
        const problems = siteProblems(r.value, await siteCatalog(deps.jira)).filter(
          (p) =>
            (edit.issueTypes !== undefined && p.path.startsWith('issueTypes')) ||
            (edit.priorityMap !== undefined && p.path.startsWith('priorityMap')),
        );
        if (problems.length > 0)
          return { ok: false, errors: problems.map(({ path, message }) => ({ path, message })) };
      }
      // Support-staff groups and roles must exist too (a missing one would silently count nobody).
      if (edit.supportStaff !== undefined) {
        const problems = await staffProblems(deps.jira, r.value);
        if (problems.length > 0)
          return { ok: false, errors: problems.map(({ path, message }) => ({ path, message })) };
      }
      await deps.store.saveSettings(r.value);
      // Settings take effect (issue #15): a change that moves the clocks re-evaluates them in the background.
      if (deps.jobs?.onSettingsSaved && changedClockSettings(current, r.value).length > 0)
        return { ok: true, recompute: await deps.jobs.start('settings') };
      return { ok: true };
    },

    async validatePolicy(req) {
      const r = validatePolicy(isObject(req) ? req.policy : undefined);
      return r.ok ? { ok: true } : { ok: false, errors: r.errors };
    },

    async preview(req) {
      const errors: Problem[] = [];
      const p = validatePolicy(isObject(req) ? req.policy : undefined);
      if (!p.ok)
        errors.push(
          ...p.errors.map((e) => ({ path: e.path ? `policy.${e.path}` : 'policy', message: e.message })),
        );
      const settings = await deps.store.getSettings();
      const calendar = req?.calendar ?? settings.calendar;
      const calendarProblems = validateCalendarConfig(calendar);
      errors.push(
        ...calendarProblems.map((c) => ({
          path: c.path ? `calendar.${c.path}` : 'calendar',
          message: c.message,
        })),
      );
      if (!isObject(req?.snapshot))
        errors.push({ path: 'snapshot', message: 'a ticket snapshot is required' });
      let now = deps.clock();
      if (req?.now !== undefined) {
        try {
          now = parseInstant(req.now);
        } catch (e) {
          errors.push({ path: 'now', message: (e as Error).message });
        }
      }
      if (errors.length > 0 || !p.ok) return { ok: false, errors };
      try {
        const verdict = evaluate(req.snapshot as Snapshot, p.value, calendarFor(calendar), now);
        return { ok: true, verdict };
      } catch (e) {
        return { ok: false, errors: [{ path: 'snapshot', message: (e as Error).message }] };
      }
    },

    async getCalendarYear(req) {
      const settings = await deps.store.getSettings();
      const config = req?.calendar ?? settings.calendar;
      const problems = validateCalendarConfig(config);
      if (problems.length > 0)
        throw new AppError('invalid-request', problems.map((p) => `${p.path}: ${p.message}`).join('; '));
      return calendarYear(config, Number(req?.year));
    },

    async getNotifications() {
      await requireAdmin();
      if (!deps.notifyAdmin) return { available: false, outbox: { pending: [], failed: [] } };
      return { available: true, outbox: await deps.notifyAdmin.list() };
    },

    async testNotification(req) {
      await requireAdmin();
      if (!deps.notifyAdmin)
        throw new AppError('invalid-request', 'this backend does not send notifications');
      const settings = await deps.store.getSettings();
      const channel = settings.notifications?.channels.find((c) => c.id === req?.channel);
      if (!channel)
        throw new AppError(
          'invalid-request',
          `channel must be the id of a saved channel, got ${JSON.stringify(req?.channel)}`,
        );
      const language = req?.language ?? 'ru';
      if (language !== 'ru' && language !== 'en')
        throw new AppError('invalid-request', `language must be ru or en, got ${JSON.stringify(language)}`);
      const to = req?.to ?? [];
      if (
        !Array.isArray(to) ||
        !to.every((a) => typeof a === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(a))
      )
        throw new AppError(
          'invalid-request',
          `to must be a list of e-mail addresses, got ${JSON.stringify(to)}`,
        );
      if (channel.kind === 'email' && to.length === 0)
        throw new AppError('invalid-request', 'to: a test e-mail needs at least one address');
      const now = deps.clock();
      const event = sampleEvent('breached', now, settings.calendar.zone);
      const rendered = renderNotification(event, language, 'test')!;
      try {
        await deps.notifyAdmin.send(channel, {
          id: event.eventId,
          to,
          ...rendered,
          event: { type: 'test', issueKey: event.issueKey, at: new Date(now).toISOString() },
        });
      } catch (e) {
        return { ok: false, message: (e as Error).message };
      }
      return { ok: true };
    },

    async previewNotification(req) {
      const trigger = req?.trigger;
      const language = req?.language ?? 'ru';
      if (!(TRIGGERS as readonly unknown[]).includes(trigger))
        throw new AppError(
          'invalid-request',
          `trigger must be one of ${TRIGGERS.join(', ')}, got ${JSON.stringify(trigger)}`,
        );
      if (language !== 'ru' && language !== 'en')
        throw new AppError('invalid-request', `language must be ru or en, got ${JSON.stringify(language)}`);
      const settings = await deps.store.getSettings();
      return renderNotification(
        sampleEvent(trigger, deps.clock(), settings.calendar.zone),
        language,
        'preview',
      )!;
    },

    async retryNotifications(req) {
      await requireAdmin();
      if (!deps.notifyAdmin)
        throw new AppError('invalid-request', 'this backend does not send notifications');
      const keys = req?.keys;
      if (
        keys !== undefined &&
        !(Array.isArray(keys) && keys.every((k) => typeof k === 'string' && k.startsWith('notify:')))
      )
        throw new AppError(
          'invalid-request',
          `keys must be notification keys (notify:…), got ${JSON.stringify(keys)}`,
        );
      return { requeued: await deps.notifyAdmin.retry(keys) };
    },

    async rotateWebhookSecret() {
      await requireAdmin();
      const settings = await deps.store.getSettings();
      const secret = newSecret();
      await deps.store.saveSettings({ ...settings, webhookSecret: secret });
      return { secret };
    },

    async recomputeAll() {
      await requireAdmin();
      // The run reports again every field Jira still refuses (the admin fixed the screens, maybe).
      await clearRefusedFields(deps);
      if (deps.jobs) return deps.jobs.start();
      const jql = allIssuesJql(await scanSettings(deps));
      const jobId = `inline-${deps.clock()}`;
      if (!jql) return { jobId, state: 'done', done: 0, total: 0 };
      const stats = await recomputeScope(deps, jql);
      const status: RecomputeStatus = {
        jobId,
        state: 'done',
        done: stats.issues - stats.failed,
        total: stats.issues,
        failed: stats.failed,
      };
      return status;
    },

    async getRecomputeStatus(req) {
      if (!isObject(req) || typeof req.jobId !== 'string')
        throw new AppError('invalid-request', 'jobId is required');
      const status = deps.jobs ? await deps.jobs.status(req.jobId) : null;
      if (!status) throw new AppError('not-found', `no recompute job ${req.jobId}`);
      return status;
    },

    async registerError(req) {
      const key = requireKey(req);
      const { summary, issueType, workaround } = req;
      if (!optionalString(summary) || !optionalString(issueType) || !optionalString(workaround))
        throw new AppError('invalid-request', 'summary, issueType and workaround must be text');
      const r = await registerErrorFromIncident(deps, key, {
        ...(summary !== undefined ? { summary } : {}),
        ...(issueType !== undefined ? { issueType } : {}),
        ...(workaround !== undefined ? { workaround } : {}),
      });
      await evaluateCreated(deps, [r.errorKey]);
      return r;
    },

    async splitRequest(req) {
      const key = requireKey(req);
      if (!Array.isArray(req.parts)) throw new AppError('invalid-request', 'parts must be a list');
      const r = await splitRequest(deps, key, req.parts as SplitPart[]);
      await evaluateCreated(
        deps,
        r.created.map((c) => c.key),
      );
      return r;
    },

    async checkVisit(req) {
      if (isObject(req) && typeof req.key === 'string' && req.key.trim() !== '')
        await requireBrowse(req.key.trim());
      if (!isObject(req) || typeof req.visitDate !== 'string')
        throw new AppError('invalid-request', 'visitDate (YYYY-MM-DD) is required');
      if (!optionalString(req.key) || !optionalString(req.requestedAt))
        throw new AppError('invalid-request', 'key and requestedAt must be text');
      if (req.comment !== undefined && typeof req.comment !== 'boolean')
        throw new AppError('invalid-request', 'comment must be true or false');
      if (req.comment && !req.key) throw new AppError('invalid-request', 'a comment needs the key');
      return checkVisit(deps, {
        visitDate: req.visitDate,
        ...(req.key ? { key: req.key.trim() } : {}),
        ...(req.requestedAt !== undefined ? { requestedAt: req.requestedAt } : {}),
        ...(req.comment !== undefined ? { comment: req.comment } : {}),
      });
    },

    async checkVersion(req) {
      const key = requireKey(req);
      await requireBrowse(key);
      return checkVersion(deps, key);
    },

    getReport: (req) => report(handlers, deps, req),
  };
  // Issue #15: the dashboard says when every clock was last re-evaluated.
  const compliance = handlers.getCompliance;
  handlers.getCompliance = async (req) => {
    const view = await compliance(req);
    const at = deps.jobs?.lastFinished ? await deps.jobs.lastFinished() : undefined;
    return at === undefined ? view : { ...view, recomputedAt: at };
  };
  return handlers;
}

/** Calls a handler by name with an untyped payload (for shells that route by string). */
export async function callApi(handlers: ApiHandlers, name: string, payload: unknown): Promise<unknown> {
  // Own properties only: `constructor`, `toString`… of the object's prototype are not calls.
  if (
    !Object.prototype.hasOwnProperty.call(handlers, name) ||
    typeof handlers[name as ApiName] !== 'function'
  )
    throw new AppError('not-found', `unknown call ${name}`);
  const handler = handlers[name as ApiName] as (req: unknown) => Promise<unknown>;
  return handler(payload ?? {});
}

export type { Api };
