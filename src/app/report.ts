/**
 * The compliance report (issue #15): the dashboard's figures (getCompliance: aggregate buckets plus the
 * few live records, issue #14) per kind and class against the target, the monthly trend, the agreed
 * exceptions, and the open breached issues (listIssuePage: through the deadline index) — never every
 * record.
 */
import { DateTime } from 'luxon';
import type { ApiRequest, ApiResponse, IssueItem } from '../contract/api';
import {
  REPORT_LIST_LIMIT,
  type ReportExceptions,
  type ReportFigure,
  type ReportRequest,
  type ReportView,
} from '../contract/report';
import { CLASSES, KINDS, type PriorityClass } from '../domain/codes';
import type { ComplianceSummary } from '../domain/compliance-types';
import type { AppDeps } from './deps';
import { AppError } from './errors';

/** The calls a report is made of. */
export interface ReportSources {
  getCompliance: (req: ApiRequest<'getCompliance'>) => Promise<ApiResponse<'getCompliance'>>;
  listIssuePage: (req: ApiRequest<'listIssuePage'>) => Promise<ApiResponse<'listIssuePage'>>;
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const bad = (field: string, value: unknown, want: string): AppError =>
  new AppError('invalid-request', `${field} must be ${want}, got ${JSON.stringify(value)?.slice(0, 80)}`);

/** Checks a report request field by field; a bad value names the field and the value. */
export function reportRequest(req: unknown): ReportRequest {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    throw new AppError('invalid-request', 'the report request must be an object with from and to');
  const r = req as Record<string, unknown>;
  for (const f of ['from', 'to'] as const) {
    const v = r[f];
    if (typeof v !== 'string' || !DATE_RE.test(v) || !DateTime.fromISO(v).isValid)
      throw bad(f, v, 'a date YYYY-MM-DD');
  }
  const out: ReportRequest = { from: r.from as string, to: r.to as string };
  if (out.to < out.from) throw bad('to', out.to, `a date on or after from (${out.from})`);
  if (r.projects !== undefined) {
    if (!Array.isArray(r.projects) || r.projects.some((p) => typeof p !== 'string' || p.trim() === ''))
      throw bad('projects', r.projects, 'a list of project keys');
    out.projects = (r.projects as string[]).map((p) => p.trim());
  }
  if (r.class !== undefined && r.class !== null && r.class !== '') {
    if (!(CLASSES as readonly unknown[]).includes(r.class))
      throw bad('class', r.class, `one of ${CLASSES.join(', ')}`);
    out.class = r.class as PriorityClass;
  }
  if (r.customer !== undefined && r.customer !== null && r.customer !== '') {
    if (typeof r.customer !== 'string' || r.customer.length > 200)
      throw bad('customer', r.customer, 'a name of at most 200 characters');
    out.customer = r.customer.trim();
  }
  return out;
}

/**
 * The report of a period.
 * @example await report(createApi(deps), deps, { from: '2026-04-01', to: '2026-04-30' })
 * // => { figures: [{ kind: 'error', class: null, counted: 10, onTime: 8, share: 0.8, … }, …], … }
 */
export async function report(sources: ReportSources, deps: AppDeps, raw: unknown): Promise<ReportView> {
  const req = reportRequest(raw);
  const settings = await deps.store.getSettings();
  const projects = req.projects && req.projects.length > 0 ? req.projects : settings.projects;
  // A customer (issue #17) by its id or its name: its records only, its name on the report.
  const known = req.customer
    ? settings.customers?.customers.find((c) => c.id === req.customer || c.name === req.customer)
    : undefined;
  const customerId = known?.id ?? req.customer;
  const view = await sources.getCompliance({
    from: req.from,
    to: req.to,
    ...(projects.length > 0 ? { projects } : {}),
    ...(customerId ? { customer: customerId } : {}),
  });
  const figures: ReportFigure[] = [];
  const exceptions: ReportExceptions[] = [];
  const summaries: [ReportFigure['kind'], ComplianceSummary][] = [
    ['error', view.errors],
    ['incident', view.incidents],
  ];
  for (const [kind, s] of summaries) {
    // With one class asked, the report is about it alone: its line, its exceptions.
    const main = req.class ? s.byClass[req.class] : s.overall;
    if (req.class) figures.push({ ...main, kind, class: req.class });
    else {
      figures.push({ ...s.overall, kind, class: null });
      for (const c of CLASSES) figures.push({ ...s.byClass[c], kind, class: c });
    }
    exceptions.push({
      kind,
      agreed: main.agreed,
      agreedKept: main.agreedKept ?? 0,
      agreedMissed: main.agreedMissed ?? 0,
      waived: main.waived ?? 0,
    });
  }
  const items: IssueItem[] = [];
  let total = 0;
  for (const kind of KINDS) {
    let cursor: string | undefined;
    do {
      const page = await sources.listIssuePage({
        state: 'breached',
        kind,
        ...(req.class ? { class: req.class } : {}),
        ...(projects.length > 0 ? { projects } : {}),
        ...(customerId ? { customer: customerId } : {}),
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      if (!cursor) total += page.total;
      items.push(...page.items.slice(0, Math.max(0, REPORT_LIST_LIMIT - items.length)));
      cursor = page.nextCursor && items.length < REPORT_LIST_LIMIT ? page.nextCursor : undefined;
    } while (cursor);
  }
  const dueMs = (i: IssueItem) => (i.due === null ? Number.POSITIVE_INFINITY : Date.parse(i.due));
  items.sort((a, b) => dueMs(a) - dueMs(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const zone = settings.calendar.zone;
  return {
    from: req.from,
    to: req.to,
    target: view.target,
    projects,
    class: req.class ?? null,
    customer: known?.name ?? req.customer ?? null,
    zone,
    generatedAt: DateTime.fromMillis(deps.clock(), { zone }).toISO({ suppressMilliseconds: true })!,
    figures,
    undated: { errors: view.errors.undated, incidents: view.incidents.undated },
    trend: view.trend,
    breached: { items, total },
    exceptions,
  };
}
