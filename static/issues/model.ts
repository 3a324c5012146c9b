/**
 * The issue list's filters as the address carries them (/ui/issues/?state=&kind=&class=&project=&q=)
 * and the `listIssuePage` request they make. Unknown values in the address are dropped, not sent.
 */
import { ISSUE_COUNT_UP_TO, type IssueListRequest } from '../../src/contract/api';
import { CLASSES, KINDS } from '../../src/domain/codes';

export const LIST_STATES = ['breached', 'at-risk', 'running', 'met', 'incomplete'] as const;

export interface IssueFilters {
  state: '' | (typeof LIST_STATES)[number];
  kind: '' | (typeof KINDS)[number];
  class: '' | (typeof CLASSES)[number];
  project: string;
  q: string;
}

export const NO_FILTERS: IssueFilters = { state: '', kind: '', class: '', project: '', q: '' };

const oneOf = <T extends string>(list: readonly T[], v: string | null): T | '' =>
  v !== null && (list as readonly string[]).includes(v) ? (v as T) : '';

/** The filters of an address's query. */
export function filtersFromQuery(params: URLSearchParams): IssueFilters {
  return {
    state: oneOf(LIST_STATES, params.get('state')),
    kind: oneOf(KINDS, params.get('kind')),
    class: oneOf(CLASSES, params.get('class')),
    project: (params.get('project') ?? '').trim().toUpperCase(),
    q: (params.get('q') ?? '').trim(),
  };
}

/** The query of the filters (empty ones left out), keeping other parameters (lang, tz). */
export function queryOfFilters(f: IssueFilters, base: URLSearchParams = new URLSearchParams()): string {
  const p = new URLSearchParams(base);
  for (const k of ['state', 'kind', 'class', 'project', 'q'] as const) {
    if (f[k]) p.set(k, f[k]);
    else p.delete(k);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The page size of the list. */
export const PAGE_SIZE = 25;

/**
 * The `listIssuePage` request of the filters and a cursor. The count stops at ISSUE_COUNT_UP_TO ("more
 * than 10,000 issues"): an exact count of the met issues of years read each of them (issue #14).
 */
export function listRequest(f: IssueFilters, cursor: string | null, limit = PAGE_SIZE): IssueListRequest {
  return {
    limit,
    countUpTo: ISSUE_COUNT_UP_TO,
    ...(f.state ? { state: f.state } : {}),
    ...(f.kind ? { kind: f.kind } : {}),
    ...(f.class ? { class: f.class } : {}),
    ...(f.project ? { projects: [f.project] } : {}),
    ...(f.q ? { text: f.q } : {}),
    ...(cursor ? { cursor } : {}),
  };
}
