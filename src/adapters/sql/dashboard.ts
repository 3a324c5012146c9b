/**
 * The dashboard in few statements (issue #14, Forge SQL: at most 3 queries per view): the buckets
 * pre-reduced per project (one statement: aggregates.ts `dashboardBucketsPreReducedSql`), the live
 * records (one), and the first issues of both lists with their totals (one `UNION ALL`). MySQL syntax (parenthesised
 * parts with their own ORDER BY / LIMIT; PostgreSQL accepts it too, SQLite does not).
 */
import type { IssuePage, SlaRecordRow } from '../../app/ports';
import { toNumber, type SqlStatement } from './dialect';
import { encodeCursor, issuePageSql } from './aggregates';
import { isoToMs, RECORD_COLUMNS, recordFromRow } from './records';

const LIST_STATES = ['breached', 'at-risk'] as const;
type ListStateName = (typeof LIST_STATES)[number];

/**
 * The first `limit` open breached and at-risk records (by deadline, undated last, then key) and the
 * number of each, in one statement. Every row has `part` (`<state>:dated`, `<state>:undated`,
 * `<state>:total`) and `total` (set on the total rows only).
 */
export function dashboardListsSql(
  projects: readonly string[] | undefined,
  limit: number,
  exclude: readonly string[] = [],
  customer?: string,
): SqlStatement {
  const parts: string[] = [];
  const params: SqlStatement['params'] = [];
  const nulls = RECORD_COLUMNS.map((c) => `NULL AS ${c}`).join(', ');
  for (const state of LIST_STATES) {
    const s = issuePageSql({
      state,
      limit,
      ...(projects && projects.length > 0 ? { projects: [...projects] } : {}),
      ...(exclude.length > 0 ? { exclude: [...exclude] } : {}),
      ...(customer ? { customer } : {}),
    });
    const tag = (sql: string, part: string) =>
      sql.replace(/^SELECT /, `SELECT '${state}:${part}' AS part, NULL AS total, `);
    parts.push(`(${tag(s.dated!.sql, 'dated')})`, `(${tag(s.undated.sql, 'undated')})`);
    params.push(...s.dated!.params, ...s.undated.params);
    parts.push(
      `(${s.total.sql.replace(/^SELECT COUNT\(\*\) AS n /, `SELECT '${state}:total' AS part, COUNT(*) AS total, ${nulls} `)})`,
    );
    params.push(...s.total.params);
  }
  return { sql: parts.join(' UNION ALL '), params };
}

/** The two lists out of the rows of dashboardListsSql (same pages as listIssuePage's first). */
export function dashboardListsFromRows(
  rows: readonly Record<string, unknown>[],
  limit: number,
): Record<ListStateName, IssuePage> {
  const out = {} as Record<ListStateName, IssuePage>;
  for (const state of LIST_STATES) {
    const of = (part: string) => rows.filter((r) => r.part === `${state}:${part}`);
    // UNION ALL keeps no order between or within its parts: sorted here as each part was.
    const byKey = (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.issue_key) < String(b.issue_key) ? -1 : String(a.issue_key) > String(b.issue_key) ? 1 : 0;
    const dated = of('dated').sort(
      (a, b) => (toNumber(a.due_ms) ?? 0) - (toNumber(b.due_ms) ?? 0) || byKey(a, b),
    );
    const listed: SlaRecordRow[] = [...dated, ...of('undated').sort(byKey)].map(recordFromRow);
    const items = listed.slice(0, limit);
    const last = items[items.length - 1];
    out[state] = {
      items,
      nextCursor: listed.length > limit && last ? encodeCursor({ d: isoToMs(last.due), k: last.key }) : null,
      total: toNumber(of('total')[0]?.total) ?? 0,
    };
  }
  return out;
}
