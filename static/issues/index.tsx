/**
 * Issues (self-hosted service, /ui/issues/): the issues of the SLA records with filters — state,
 * kind, class, project, text in the key or summary — sorted by due date, earliest first, in pages
 * (`listIssuePage`, keyset paging: fast at any depth). The filters live in the address; each row
 * opens the issue page /ui/issue/?key=.
 */
import React, { useEffect, useState } from 'react';
import '../shared/styles.css';
import './issues.css';
import type { IssuePageView } from '../../src/contract/api';
import { CLASSES, KINDS } from '../../src/domain/codes';
import { dateTimeIn } from '../shared/format';
import { Header, LoadError, Loading, Lozenge, mount, stateAppearance, stateLabel, useUi } from '../shared/ui';
import {
  filtersFromQuery,
  LIST_STATES,
  listRequest,
  NO_FILTERS,
  queryOfFilters,
  type IssueFilters,
} from './model';

export function IssuesApp() {
  const { env, client, t } = useUi();
  const [filters, setFilters] = useState<IssueFilters>(() => filtersFromQuery(env.params));
  const [draft, setDraft] = useState<IssueFilters>(filters);
  // cursors of the pages shown so far: [null] is the first page
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // `pageNo`: the number of the page shown (its rows' page, not the one being fetched meanwhile).
  const [state, setState] = useState<{
    page?: IssuePageView;
    pageNo: number;
    error?: unknown;
    loading: boolean;
  }>({ loading: true, pageNo: 1 });
  const cursor = cursors[cursors.length - 1] ?? null;
  const requested = cursors.length;

  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    client.call('listIssuePage', listRequest(filters, cursor)).then(
      (page) => live && setState({ page, pageNo: requested, loading: false }),
      (error: unknown) => live && setState((s) => ({ error, pageNo: s.pageNo, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [client, filters, cursor, requested]);

  const apply = (next: IssueFilters) => {
    setFilters(next);
    setDraft(next);
    setCursors([null]);
    const url = new URL(window.location.href);
    url.search = queryOfFilters(next, url.searchParams);
    window.history.replaceState(null, '', url.toString());
  };
  const select = <K extends 'state' | 'kind' | 'class'>(k: K, v: string) =>
    apply({ ...draft, [k]: v as IssueFilters[K] });

  const { page, pageNo, error, loading } = state;
  const any = t('issues.any');
  return (
    <main>
      <Header title={t('issues.title')} />
      <form
        className="rg-issues-filters"
        aria-label={t('issues.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          apply({ ...draft, project: draft.project.trim().toUpperCase(), q: draft.q.trim() });
        }}
      >
        <div className="rg-field">
          <label htmlFor="f-state">{t('issues.state')}</label>
          <select
            id="f-state"
            className="rg-select"
            value={draft.state}
            onChange={(e) => select('state', e.target.value)}
          >
            <option value="">{t('issues.state.open')}</option>
            {LIST_STATES.map((s) => (
              <option key={s} value={s}>
                {s === 'incomplete' ? t('issues.state.incomplete') : stateLabel(t, s)}
              </option>
            ))}
          </select>
        </div>
        <div className="rg-field">
          <label htmlFor="f-kind">{t('issues.kind')}</label>
          <select
            id="f-kind"
            className="rg-select"
            value={draft.kind}
            onChange={(e) => select('kind', e.target.value)}
          >
            <option value="">{any}</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t.label('kind', k)}
              </option>
            ))}
          </select>
        </div>
        <div className="rg-field">
          <label htmlFor="f-class">{t('issues.class')}</label>
          <select
            id="f-class"
            className="rg-select"
            value={draft.class}
            onChange={(e) => select('class', e.target.value)}
          >
            <option value="">{any}</option>
            {CLASSES.map((c) => (
              <option key={c} value={c}>
                {t.label('class', c)}
              </option>
            ))}
          </select>
        </div>
        <div className="rg-field">
          <label htmlFor="f-project">{t('issues.project')}</label>
          <input
            id="f-project"
            className="rg-input"
            size={8}
            value={draft.project}
            onChange={(e) => setDraft({ ...draft, project: e.target.value })}
          />
        </div>
        <div className="rg-field">
          <label htmlFor="f-q">{t('issues.text')}</label>
          <input
            id="f-q"
            type="search"
            className="rg-input"
            size={16}
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          />
        </div>
        <button type="submit" className="rg-button rg-button-primary" data-testid="issues-apply">
          {t('issues.apply')}
        </button>
        <button type="button" className="rg-button" onClick={() => apply(NO_FILTERS)}>
          {t('issues.reset')}
        </button>
      </form>
      {error !== undefined && <LoadError error={error} onRetry={() => setFilters({ ...filters })} />}
      {loading && !page && <Loading />}
      {page && (
        <>
          <p className="rg-muted" role="status" data-testid="issues-total">
            {t(page.totalAtLeast ? 'issues.totalAtLeast' : 'issues.total', { n: page.total })} ·{' '}
            {t('issues.sort')}
            {pageNo > 1 ? ` · ${t('issues.page', { n: pageNo })}` : ''}
          </p>
          {page.items.length === 0 ? (
            <p data-testid="issues-empty">{t('issues.empty')}</p>
          ) : (
            <table className="rg-table rg-issues-table" data-testid="issues-table" aria-busy={loading}>
              <thead>
                <tr>
                  <th scope="col">{t('issues.col.key')}</th>
                  <th scope="col">{t('issues.col.summary')}</th>
                  <th scope="col">{t('issues.col.kind')}</th>
                  <th scope="col">{t('issues.col.class')}</th>
                  <th scope="col">{t('issues.col.due')}</th>
                  <th scope="col">{t('issues.col.state')}</th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((it) => (
                  <tr key={it.key} data-testid="issue-row" data-key={it.key}>
                    <td>
                      <a href={`/ui/issue/?key=${encodeURIComponent(it.key)}`}>{it.key}</a>
                    </td>
                    <td data-label={t('issues.col.summary')}>{it.summary ?? '—'}</td>
                    <td data-label={t('issues.col.kind')}>{t.label('kind', it.kind)}</td>
                    <td data-label={t('issues.col.class')}>{it.class ? t.label('class', it.class) : '—'}</td>
                    <td data-label={t('issues.col.due')}>
                      {it.due ? dateTimeIn(it.due, env.viewerZone, t.locale) : '—'}
                    </td>
                    <td data-label={t('issues.col.state')}>
                      <Lozenge appearance={stateAppearance(it.state)}>
                        {it.state === null ? t('issues.state.incomplete') : stateLabel(t, it.state)}
                      </Lozenge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="rg-issues-paging">
            {cursors.length > 2 && (
              <button type="button" className="rg-button" onClick={() => setCursors([null])}>
                {t('issues.first')}
              </button>
            )}
            {cursors.length > 1 && (
              <button
                type="button"
                className="rg-button"
                data-testid="issues-prev"
                disabled={loading}
                onClick={() => setCursors(cursors.slice(0, -1))}
              >
                {t('issues.previous')}
              </button>
            )}
            {page.nextCursor && (
              <button
                type="button"
                className="rg-button"
                data-testid="issues-next"
                disabled={loading}
                onClick={() => setCursors([...cursors, page.nextCursor])}
              >
                {t('issues.next')}
              </button>
            )}
          </div>
        </>
      )}
    </main>
  );
}

void mount(IssuesApp);
