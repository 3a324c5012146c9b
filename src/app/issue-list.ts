/**
 * The issue list's request (filters, page size, cursor) checked field by field, and the same list
 * computed from records in memory (stores without `listIssuePage`, and the SQL stores' oracle in tests).
 */
import { CLASSES, KINDS } from '../domain/codes';
import { instantMs } from '../domain/compliance';
import { AppError } from './errors';
import { LIST_STATES, type IssuePage, type IssueQuery, type ListState, type SlaRecordRow } from './ports';

const bad = (field: string, value: unknown, want: string): AppError =>
  new AppError('invalid-request', `${field} must be ${want}, got ${JSON.stringify(value)?.slice(0, 80)}`);

/** Checks a list request; an unknown state, kind, class, a bad limit or cursor names the field and value. */
export function issueQuery(req: Record<string, unknown>): IssueQuery {
  const q: IssueQuery = { limit: 50 };
  if (req.limit !== undefined) {
    if (typeof req.limit !== 'number' || !Number.isFinite(req.limit))
      throw bad('limit', req.limit, 'a number 1–500');
    q.limit = Math.max(1, Math.min(500, Math.floor(req.limit)));
  }
  if (req.projects !== undefined) {
    if (!Array.isArray(req.projects) || req.projects.some((p) => typeof p !== 'string'))
      throw bad('projects', req.projects, 'a list of project keys');
    q.projects = req.projects as string[];
  }
  if (req.state !== undefined) {
    if (!(LIST_STATES as readonly unknown[]).includes(req.state))
      throw bad('state', req.state, `one of ${LIST_STATES.join(', ')}`);
    q.state = req.state as ListState;
  }
  if (req.kind !== undefined) {
    if (!(KINDS as readonly unknown[]).includes(req.kind))
      throw bad('kind', req.kind, `one of ${KINDS.join(', ')}`);
    q.kind = req.kind as IssueQuery['kind'];
  }
  if (req.class !== undefined) {
    if (!(CLASSES as readonly unknown[]).includes(req.class))
      throw bad('class', req.class, `one of ${CLASSES.join(', ')}`);
    q.class = req.class as IssueQuery['class'];
  }
  if (req.text !== undefined) {
    if (typeof req.text !== 'string' || req.text.length > 200)
      throw bad('text', req.text, 'text of at most 200 characters');
    if (req.text.trim() !== '') q.text = req.text.trim();
  }
  if (req.customer !== undefined && req.customer !== null && req.customer !== '') {
    if (typeof req.customer !== 'string' || req.customer.length > 64)
      throw bad('customer', req.customer, 'a customer id');
    q.customer = req.customer;
  }
  if (req.countUpTo !== undefined && req.countUpTo !== null) {
    if (
      typeof req.countUpTo !== 'number' ||
      !Number.isInteger(req.countUpTo) ||
      req.countUpTo < 1 ||
      req.countUpTo > 1_000_000
    )
      throw bad('countUpTo', req.countUpTo, 'a whole number 1–1000000');
    q.countUpTo = req.countUpTo;
  }
  if (req.cursor !== undefined && req.cursor !== null) {
    if (typeof req.cursor !== 'string' || req.cursor === '')
      throw bad('cursor', req.cursor, 'the nextCursor of a page');
    q.cursor = req.cursor;
  }
  return q;
}

const dueMs = (r: SlaRecordRow): number | null => {
  if (r.due === null) return null;
  const ms = Date.parse(r.due);
  return Number.isFinite(ms) ? ms : instantMs(r.due);
};

/** Whether a record passes the filters of a query (as the SQL of src/adapters/sql/aggregates.ts). */
export function matches(r: SlaRecordRow, q: IssueQuery): boolean {
  const open = r.doneAt === null;
  if (q.state) {
    const state = q.state === 'incomplete' ? null : q.state;
    if (r.state !== state) return false;
    if ((q.state === 'breached' || q.state === 'at-risk' || q.state === 'running') && !open) return false;
  } else if (!open) return false;
  if (q.kind && r.kind !== q.kind) return false;
  if (q.class && r.class !== q.class) return false;
  if (q.projects && q.projects.length > 0 && !q.projects.includes(r.project)) return false;
  if (q.customer && r.customer !== q.customer) return false;
  if (q.text) {
    const t = q.text.toLowerCase();
    if (!r.key.toLowerCase().includes(t) && !(r.summary ?? '').toLowerCase().includes(t)) return false;
  }
  return true;
}

/** A page of the list from records in memory: same order, cursor and total as the SQL stores. */
export function issuePageOfRows(rows: readonly SlaRecordRow[], q: IssueQuery): IssuePage {
  const sorted = rows
    .filter((r) => matches(r, q))
    .map((r) => ({ r, d: dueMs(r) }))
    .sort(
      (a, b) =>
        (a.d === null ? 1 : 0) - (b.d === null ? 1 : 0) ||
        (a.d !== null && b.d !== null ? a.d - b.d : 0) ||
        (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : 0),
    );
  let start = 0;
  if (q.cursor) {
    const c = decode(q.cursor);
    start = sorted.findIndex((x) =>
      c.d === null
        ? x.d === null && x.r.key > c.k
        : x.d === null || x.d > c.d || (x.d === c.d && x.r.key > c.k),
    );
    if (start < 0) start = sorted.length;
  }
  const page = sorted.slice(start, start + q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((x) => x.r),
    nextCursor:
      start + q.limit < sorted.length && last
        ? Buffer.from(JSON.stringify({ d: last.d, k: last.r.key })).toString('base64url')
        : null,
    ...cappedTotal(sorted.length, q.countUpTo),
  };
}

/**
 * The total of a page under the query's `countUpTo`: the count, or the cap and `totalAtLeast` when more
 * match (a capped count reads at most `countUpTo + 1` records).
 * @example cappedTotal(12, 10) // { total: 10, totalAtLeast: true }
 */
export function cappedTotal(
  n: number,
  countUpTo: number | undefined,
): Pick<IssuePage, 'total' | 'totalAtLeast'> {
  return countUpTo !== undefined && n > countUpTo ? { total: countUpTo, totalAtLeast: true } : { total: n };
}

function decode(text: string): { d: number | null; k: string } {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as { d: number | null; k: string };
    if (typeof c.k === 'string' && (c.d === null || Number.isSafeInteger(c.d))) return c;
  } catch {
    // falls through
  }
  throw new AppError(
    'invalid-request',
    `cursor must be the nextCursor of a page, got ${JSON.stringify(text)}`,
  );
}
