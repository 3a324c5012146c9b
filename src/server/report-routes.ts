/**
 * The compliance report's files (issue #15), read calls with the same access as `POST /api/getReport`
 * (anonymous readers when REGLAMENT_ANONYMOUS_READ, else a signed-in viewer):
 *
 *   GET /api/report.csv | /api/report.xlsx | /api/report.pdf
 *       ?from=YYYY-MM-DD&to=YYYY-MM-DD   (both absent: the previous whole month in the calendar zone)
 *       &project=SUP,OPS &class=high &customer=… &lang=en|ru
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { createApi } from '../app/api';
import type { AppDeps } from '../app/deps';
import { AppError } from '../app/errors';
import { reportCsv, reportXlsx } from '../app/report-export';
import { reportPdf } from '../app/report-pdf';
import { reportLocale } from '../app/report-text';
import { atLeast, principalOf, requireRole } from './auth';

export const REPORT_FORMATS = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

export type ReportFormat = keyof typeof REPORT_FORMATS;

type Query = Record<string, string | string[] | undefined>;

/**
 * The previous whole month of an instant in a zone, as a report period.
 * @example previousMonth(Date.parse('2026-05-10T09:00:00Z'), 'Europe/Moscow') // => { from: '2026-04-01', to: '2026-04-30' }
 */
export function previousMonth(now: number, zone: string): { from: string; to: string } {
  const start = DateTime.fromMillis(now, { zone }).startOf('month').minus({ months: 1 });
  return { from: start.toISODate()!, to: start.endOf('month').toISODate()! };
}

/** The report request of a query string (a repeated or comma-separated `project`). */
export function reportQuery(q: Query, now: number, zone: string): Record<string, unknown> {
  const one = (name: string): string | undefined => {
    const v = q[name];
    if (Array.isArray(v))
      throw new AppError('invalid-request', `${name} must be given once, got ${v.length} values`);
    return v === undefined || v === '' ? undefined : v;
  };
  const from = one('from');
  const to = one('to');
  const period = from === undefined && to === undefined ? previousMonth(now, zone) : { from, to };
  const raw = q.project;
  const projects = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    ...period,
    ...(projects.length > 0 ? { projects } : {}),
    ...(one('class') !== undefined ? { class: one('class') } : {}),
    ...(one('customer') !== undefined ? { customer: one('customer') } : {}),
  };
}

/** The file of a report in a format. */
export async function reportFile(
  deps: AppDeps,
  format: ReportFormat,
  query: Query,
): Promise<{ body: Buffer | string; filename: string }> {
  let lang;
  try {
    lang = reportLocale(Array.isArray(query.lang) ? query.lang.join(',') : query.lang);
  } catch (e) {
    throw new AppError('invalid-request', (e as Error).message);
  }
  const settings = await deps.store.getSettings();
  const view = await createApi(deps).getReport(
    reportQuery(query, deps.clock(), settings.calendar.zone) as never,
  );
  const filename = `reglament-report-${view.from}_${view.to}${view.class ? `-${view.class}` : ''}-${lang}.${format}`;
  const body =
    format === 'csv'
      ? reportCsv(view, lang)
      : format === 'xlsx'
        ? await reportXlsx(view, lang)
        : await reportPdf(view, lang);
  return { body, filename };
}

/** Registers the three report files under /api (GET; `POST /api/:name` stays the JSON calls). */
export function registerReportRoutes(
  app: FastifyInstance,
  ctx: { apiDeps: AppDeps; auth: { anonymousRead: boolean } },
  sendError: (reply: FastifyReply, status: number, error: string, message: string) => unknown,
  /** The UI calls' rate limit (a PDF costs more than a JSON call). */
  routeConfig: Record<string, unknown> = {},
): void {
  for (const format of Object.keys(REPORT_FORMATS) as ReportFormat[]) {
    app.get(
      `/api/report.${format}`,
      { config: routeConfig },
      async (req: FastifyRequest, reply: FastifyReply) => {
        if (!ctx.auth.anonymousRead && !requireRole(req, reply, 'viewer', `the report (${format})`))
          return reply;
        const deps: AppDeps = {
          ...ctx.apiDeps,
          isAdmin: async () => atLeast(principalOf(req).role, 'administrator'),
        };
        try {
          const { body, filename } = await reportFile(deps, format, req.query as Query);
          return reply
            .type(REPORT_FORMATS[format])
            .header('content-disposition', `attachment; filename="${filename}"`)
            .header('cache-control', 'no-store')
            .send(body);
        } catch (e) {
          if (e instanceof AppError) return sendError(reply, e.status, e.code, e.message);
          req.log.error({ err: e, format }, 'report failed');
          return sendError(reply, 500, 'internal', `the report (${format}) failed; see the service log`);
        }
      },
    );
  }
}
