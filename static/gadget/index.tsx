/**
 * Dashboard gadget "Compliance": the share of deadlines that held (errors: fix; incidents: reaction)
 * overall and per class against the target, the budget of late ones left, a 12-month trend, and the
 * breached and at-risk issues. Edit view: Forge gadget `edit` entry point (saved with view.submit) or
 * `?edit=1` in the self-hosted service (saved in the address and localStorage).
 */
import React, { useEffect, useRef, useState } from 'react';
import '../shared/styles.css';
import './gadget.css';
import type { ComplianceView, IssueItem, TrendPoint } from '../../src/contract/api';
import { CLASSES } from '../../src/domain/codes';
import type { ComplianceSummary } from '../../src/domain/compliance-types';
import { dateOnly, dateTimeIn, monthLabel, pct, splitList } from '../shared/format';
import {
  Header,
  LoadError,
  Loading,
  Lozenge,
  mount,
  stateAppearance,
  stateLabel,
  useLoad,
  useUi,
} from '../shared/ui';
import {
  chartGeometry,
  configToParams,
  issueHref,
  listHref,
  PERIODS,
  periodRange,
  pointStatus,
  readConfig,
  statusOf,
  todayIn,
  trendRange,
  onTimeToTarget,
  type GadgetConfig,
  type Period,
} from './model';

const STORE_KEY = 'reglament.gadget';

function storedConfig(): unknown {
  try {
    return JSON.parse(window.localStorage.getItem(STORE_KEY) ?? 'null');
  } catch {
    return null;
  }
}

/** The configuration in force: Forge gadget configuration, else the URL, else localStorage. */
function useConfig(): GadgetConfig {
  const { env } = useUi();
  if (env.forge) return readConfig(env.forgeContext?.extension?.gadgetConfiguration);
  const p = env.params;
  if (p.has('period') || p.has('projects') || p.has('filterId')) {
    return readConfig({
      period: p.get('period'),
      projects: p.get('projects') ?? '',
      filterId: p.get('filterId') ?? '',
      scope: p.has('filterId') ? 'filter' : 'projects',
    });
  }
  return readConfig(storedConfig());
}

function Summary({ kind, summary }: { kind: 'errors' | 'incidents'; summary: ComplianceSummary }) {
  const { t } = useUi();
  const row = summary.overall;
  const status = statusOf(row, summary.target);
  const titleId = `sum-${kind}`;
  const needed = onTimeToTarget(row.onTime, row.counted, summary.target);
  const targetPct = pct(summary.target, t.locale);
  const budgetText =
    row.counted === 0
      ? t('gadget.noData')
      : needed === null
        ? t('gadget.unreachable', { pct: targetPct })
        : needed > 0
          ? t(kind === 'errors' ? 'gadget.needed.errors' : 'gadget.needed.incidents', {
              n: needed,
              pct: targetPct,
            })
          : t(kind === 'errors' ? 'gadget.budget.errors' : 'gadget.budget.incidents', { n: row.budget });
  return (
    <section className={`rg-card rg-sum rg-status-${status}`} aria-labelledby={titleId} data-kind={kind}>
      <h2 id={titleId}>{t(kind === 'errors' ? 'gadget.errors' : 'gadget.incidents')}</h2>
      <div className="rg-sum-figure">
        <span className="rg-sum-share" data-testid={`share-${kind}`}>
          {row.share === null ? '—' : pct(row.share, t.locale)}
        </span>
        <span className="rg-sum-status" data-testid={`status-${kind}`} data-status={status}>
          {t(`gadget.status.${status}`)}
        </span>
      </div>
      <Meter share={row.share} target={summary.target} status={status} />
      <p className="rg-sum-line">
        <span data-testid={`counted-${kind}`}>
          {t('gadget.counted', { onTime: row.onTime, counted: row.counted })}
        </span>
        {' · '}
        <span>{t('gadget.target', { pct: pct(summary.target, t.locale) })}</span>
      </p>
      <p
        className="rg-sum-budget"
        data-testid={`budget-${kind}`}
        data-budget={row.budget}
        data-needed={needed ?? ''}
      >
        {budgetText}
      </p>
      {(summary.undated > 0 || row.agreed > 0) && (
        <p className="rg-muted rg-small">
          {summary.undated > 0 && t('gadget.undated', { n: summary.undated })}
          {summary.undated > 0 && row.agreed > 0 && ' · '}
          {row.agreed > 0 && t('gadget.agreed', { n: row.agreed })}
          {row.agreed > 0 &&
            ` (${t('gadget.agreedKept', { kept: row.agreedKept ?? 0, missed: row.agreedMissed ?? 0 })})`}
        </p>
      )}
      {(row.waived ?? 0) > 0 && (
        <p className="rg-muted rg-small" data-testid={`waived-${kind}`}>
          {t('gadget.waived', { n: row.waived ?? 0 })}
        </p>
      )}
      <table className="rg-table rg-small rg-byclass">
        <caption className="rg-visually-hidden">{t('gadget.byClass')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('gadget.col.class')}</th>
            <th scope="col" className="rg-num">
              {t('gadget.col.onTime')}
            </th>
            <th scope="col" className="rg-num">
              {t('gadget.col.counted')}
            </th>
            <th scope="col" className="rg-num">
              {t('gadget.col.share')}
            </th>
          </tr>
        </thead>
        <tbody>
          {CLASSES.filter((c) => summary.byClass[c].counted > 0).map((c) => {
            const r = summary.byClass[c];
            const s = statusOf(r, summary.target);
            return (
              <tr key={c} data-class={c}>
                <th scope="row">{t.label('class', c)}</th>
                <td className="rg-num">{r.onTime}</td>
                <td className="rg-num">{r.counted}</td>
                <td className="rg-num">
                  <span className={`rg-dot rg-dot-${s}`} aria-hidden="true" />
                  {r.share === null ? '—' : pct(r.share, t.locale)}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

/** A horizontal bar with the target marker. */
function Meter({ share, target, status }: { share: number | null; target: number; status: string }) {
  return (
    <svg className="rg-meter" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
      <rect x="0" y="2" width="100" height="6" rx="3" className="rg-meter-track" />
      {share !== null && (
        <rect x="0" y="2" width={share * 100} height="6" rx="3" className={`rg-fill-${status}`} />
      )}
      <line x1={target * 100} x2={target * 100} y1="0" y2="10" className="rg-meter-target" />
    </svg>
  );
}

/**
 * The rendered width (px) of an element, kept current: the chart is drawn in its own pixels, so its
 * labels keep their CSS size at 400 px instead of shrinking with a fixed viewBox.
 */
function useWidth<T extends HTMLElement>(fallback: number): [React.RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const measure = () => {
      const w = Math.round(el.clientWidth);
      if (w > 0) setWidth(w);
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

function Trend({ trend, target }: { trend: TrendPoint[]; target: number }) {
  const { t } = useUi();
  const [box, boxWidth] = useWidth<HTMLDivElement>(640);
  const g = chartGeometry(Math.max(280, Math.min(960, boxWidth)));
  // Narrow charts label every other month (the table and each bar's title name them all).
  const labelEvery = g.slot(trend.length) < 34 ? 2 : 1;
  const n = trend.length;
  const bw = Math.min(32, g.slot(n) * 0.6);
  const line = trend
    .map((p, i) => (p.incidents.share === null ? null : `${g.x(i, n)},${g.y(p.incidents.share)}`))
    .filter((s): s is string => s !== null);
  const targetY = g.y(target);
  return (
    <section className="rg-card rg-trend" aria-labelledby="trend-title">
      <h2 id="trend-title">{t('gadget.trend')}</h2>
      <div ref={box}>
        <svg
          viewBox={`0 0 ${g.width} ${g.height}`}
          role="img"
          aria-labelledby="trend-svg-title trend-svg-desc"
          className="rg-chart"
          data-testid="trend"
        >
          <title id="trend-svg-title">{t('gadget.trend')}</title>
          <desc id="trend-svg-desc">{t('gadget.trend.desc', { pct: pct(target, t.locale) })}</desc>
          {[0, 0.5, 1].map((s) => (
            <g key={s}>
              <line x1={g.plot.left} x2={g.plot.right} y1={g.y(s)} y2={g.y(s)} className="rg-grid" />
              <text x={g.plot.left - 6} y={g.y(s) + 4} textAnchor="end" className="rg-axis">
                {pct(s, t.locale)}
              </text>
            </g>
          ))}
          {trend.map((p, i) => {
            const s = pointStatus(p.errors, target);
            const label =
              p.errors.share === null
                ? t('gadget.trend.monthEmpty', { month: monthLabel(p.month, t.locale) })
                : t('gadget.trend.month', {
                    month: monthLabel(p.month, t.locale),
                    share: pct(p.errors.share, t.locale),
                    onTime: p.errors.onTime,
                    counted: p.errors.counted,
                  });
            const x = g.x(i, n);
            return (
              <g key={p.month} data-month={p.month}>
                <title>{label}</title>
                {p.errors.share === null ? (
                  <line
                    x1={x - bw / 2}
                    x2={x + bw / 2}
                    y1={g.plot.bottom}
                    y2={g.plot.bottom}
                    className="rg-bar-empty"
                  />
                ) : (
                  <rect
                    x={x - bw / 2}
                    y={g.y(p.errors.share)}
                    width={bw}
                    height={Math.max(1, g.plot.bottom - g.y(p.errors.share))}
                    className={`rg-fill-${s}`}
                  />
                )}
                {(trend.length - 1 - i) % labelEvery === 0 && (
                  <text x={x} y={g.height - 10} textAnchor="middle" className="rg-axis">
                    {monthLabel(p.month, t.locale, true)}
                  </text>
                )}
              </g>
            );
          })}
          {line.length > 1 && <polyline points={line.join(' ')} className="rg-line-incidents" />}
          {trend.map((p, i) =>
            p.incidents.share === null ? null : (
              <circle
                key={p.month}
                cx={g.x(i, n)}
                cy={g.y(p.incidents.share)}
                r="3"
                className="rg-dot-incidents"
              />
            ),
          )}
          <line x1={g.plot.left} x2={g.plot.right} y1={targetY} y2={targetY} className="rg-target-line" />
          <text x={g.plot.left - 6} y={targetY + 4} textAnchor="end" className="rg-target-label">
            {pct(target, t.locale)}
          </text>
        </svg>
      </div>
      <div className="rg-visually-hidden">
        <table data-testid="trend-table">
          <caption>{t('gadget.trend')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('gadget.col.month')}</th>
              <th scope="col">{t('gadget.errors')}</th>
              <th scope="col">{t('gadget.incidents')}</th>
            </tr>
          </thead>
          <tbody>
            {trend.map((p) => (
              <tr key={p.month}>
                <th scope="row">{monthLabel(p.month, t.locale)}</th>
                {[p.errors, p.incidents].map((x, i) => (
                  <td key={i}>
                    {x.share === null
                      ? '—'
                      : `${pct(x.share, t.locale)} (${t('gadget.counted', { onTime: x.onTime, counted: x.counted })})`}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="rg-legend rg-small">
        <span className="rg-legend-bar" aria-hidden="true" /> {t('gadget.errors')}{' '}
        <span className="rg-legend-line" aria-hidden="true" /> {t('gadget.incidents')}{' '}
        <span className="rg-legend-target" aria-hidden="true" />{' '}
        {t('gadget.target', { pct: pct(target, t.locale) })}
      </p>
    </section>
  );
}

function IssueList({
  title,
  items,
  id,
  total = items.length,
  moreUrl = null,
}: {
  title: string;
  items: IssueItem[];
  id: string;
  /** All issues of the list; the view holds the first few (issue #14). */
  total?: number;
  /** The whole list (a Jira search), when known. */
  moreUrl?: string | null;
}) {
  const { t, env } = useUi();
  const more = total - items.length;
  return (
    <section className="rg-card" aria-labelledby={id}>
      <h2 id={id}>
        {title} <span className="rg-count">{total}</span>
      </h2>
      {items.length === 0 ? (
        <p className="rg-muted">{t('common.none')}</p>
      ) : (
        <ul className="rg-issues" data-testid={id}>
          {items.map((it) => (
            <li key={it.key}>
              {issueHref(it, env.forge) ? (
                <a href={issueHref(it, env.forge)!} target={env.forge ? '_blank' : '_top'} rel="noreferrer">
                  {it.key}
                </a>
              ) : (
                <strong>{it.key}</strong>
              )}{' '}
              <span className="rg-issue-summary">{it.summary ?? ''}</span>
              <span className="rg-issue-meta rg-small rg-muted">
                {t.label('kind', it.kind)}
                {it.class ? ` · ${t.label('class', it.class)}` : ''} ·{' '}
                {it.due
                  ? t('gadget.due', { date: dateOnly(it.due, t.locale, env.viewerZone) })
                  : t('gadget.noDue')}
              </span>{' '}
              {it.state && (
                <Lozenge appearance={stateAppearance(it.state)}>{stateLabel(t, it.state)}</Lozenge>
              )}
            </li>
          ))}
        </ul>
      )}
      {more > 0 && (
        <p className="rg-small rg-muted" data-testid={`${id}-more`}>
          {t('gadget.more', { n: more })}
          {moreUrl && (
            <>
              {' · '}
              <a href={moreUrl} target={env.forge ? '_blank' : '_top'} rel="noreferrer">
                {t('gadget.moreLink')}
              </a>
            </>
          )}
        </p>
      )}
    </section>
  );
}

function scopeText(c: GadgetConfig, t: ReturnType<typeof useUi>['t']): string {
  if (c.scope === 'filter') return t('gadget.scopeFilter', { filter: c.filterId });
  return c.projects.length > 0
    ? t('gadget.scopeProjects', { projects: c.projects.join(', ') })
    : t('gadget.scopeAll');
}

function GadgetView({ config }: { config: GadgetConfig }) {
  const { client, env, t } = useUi();
  const today = todayIn(env.viewerZone, Date.now());
  const range = periodRange(config.period, today);
  const trendPeriod = trendRange(config.period, today);
  const scope =
    config.scope === 'filter'
      ? { filterId: config.filterId }
      : config.projects.length > 0
        ? { projects: config.projects }
        : {};
  const key = JSON.stringify([config, today]);
  const { data, error, loading, reload } = useLoad(async () => {
    const main = client.call('getCompliance', { ...scope, ...range });
    const trend =
      config.period === 'last12' || config.period === 'year'
        ? main
        : client.call('getCompliance', { ...scope, ...trendPeriod });
    const [m, tr] = await Promise.all([main, trend]);
    return { main: m, trend: tr.trend } as { main: ComplianceView; trend: TrendPoint[] };
  }, [key]);
  return (
    <main>
      <Header title={t('gadget.title')}>
        {!env.forge && (
          <a
            className="rg-button rg-button-subtle"
            href={`?${new URLSearchParams({ ...Object.fromEntries(env.params), edit: '1' })}`}
          >
            {t('gadget.configure')}
          </a>
        )}
      </Header>
      <p className="rg-muted rg-small" data-testid="scope">
        {scopeText(config, t)} · {t(`period.${config.period}`)} ·{' '}
        {t('gadget.period', { from: dateOnly(range.from, t.locale), to: dateOnly(range.to, t.locale) })}
      </p>
      {data?.main.recomputedAt && (
        <p className="rg-muted rg-small" data-testid="recomputed-at">
          {t('gadget.recomputedAt', {
            time: dateTimeIn(data.main.recomputedAt, env.viewerZone, t.locale),
          })}
        </p>
      )}
      {loading && !data && <Loading />}
      {error !== undefined && <LoadError error={error} onRetry={reload} />}
      {data && (
        <>
          <div className="rg-cards rg-cards-2">
            <Summary kind="errors" summary={data.main.errors} />
            <Summary kind="incidents" summary={data.main.incidents} />
          </div>
          <Trend trend={data.trend} target={data.main.target} />
          <div className="rg-cards rg-cards-2">
            <IssueList
              id="breached"
              title={t('gadget.breached')}
              items={data.main.breached}
              total={data.main.breachedTotal}
              moreUrl={listHref('breached', data.main.listUrls?.breached ?? null, env.forge)}
            />
            <IssueList
              id="at-risk"
              title={t('gadget.atRisk')}
              items={data.main.atRisk}
              total={data.main.atRiskTotal}
              moreUrl={listHref('at-risk', data.main.listUrls?.atRisk ?? null, env.forge)}
            />
          </div>
        </>
      )}
    </main>
  );
}

function GadgetEdit({ initial }: { initial: GadgetConfig }) {
  const { env, t } = useUi();
  const [scope, setScope] = useState(initial.scope);
  const [projects, setProjects] = useState(initial.projects.join(', '));
  const [filterId, setFilterId] = useState(initial.filterId);
  const [period, setPeriod] = useState<Period>(initial.period);
  const [touched, setTouched] = useState(false);
  const filterMissing = scope === 'filter' && filterId.trim() === '';

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (filterMissing) return;
    const config: GadgetConfig = { scope, projects: splitList(projects), filterId: filterId.trim(), period };
    if (env.forge) {
      const { view } = await import('@forge/bridge');
      await view.submit(config);
      return;
    }
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(config));
    } catch {
      // the address still carries it
    }
    window.location.search = `?${configToParams(config, env.params)}`;
  };
  const cancel = async () => {
    if (env.forge) {
      const { view } = await import('@forge/bridge');
      await view.close();
      return;
    }
    const p = new URLSearchParams(env.params);
    p.delete('edit');
    window.location.search = `?${p}`;
  };

  return (
    <main>
      <Header title={t('gadget.edit.title')} />
      <form onSubmit={submit} noValidate>
        <fieldset className="rg-fieldset">
          <legend>{t('gadget.edit.scope')}</legend>
          <label className="rg-check">
            <input
              type="radio"
              name="scope"
              value="projects"
              checked={scope === 'projects'}
              onChange={() => setScope('projects')}
            />
            {t('gadget.edit.scope.projects')}
          </label>
          <label className="rg-check">
            <input
              type="radio"
              name="scope"
              value="filter"
              checked={scope === 'filter'}
              onChange={() => setScope('filter')}
            />
            {t('gadget.edit.scope.filter')}
          </label>
          {scope === 'projects' ? (
            <div className="rg-field">
              <label htmlFor="projects">{t('gadget.edit.projects')}</label>
              <input
                id="projects"
                className="rg-input rg-input-wide"
                value={projects}
                onChange={(e) => setProjects(e.target.value)}
              />
            </div>
          ) : (
            <div className="rg-field">
              <label htmlFor="filterId">{t('gadget.edit.filter')}</label>
              <input
                id="filterId"
                className="rg-input"
                value={filterId}
                aria-invalid={touched && filterMissing}
                aria-describedby={touched && filterMissing ? 'filterId-err' : undefined}
                onChange={(e) => setFilterId(e.target.value)}
              />
              {touched && filterMissing && (
                <span id="filterId-err" className="rg-error-text">
                  {t('gadget.edit.filterMissing')}
                </span>
              )}
            </div>
          )}
        </fieldset>
        <div className="rg-field">
          <label htmlFor="period">{t('gadget.edit.period')}</label>
          <select
            id="period"
            className="rg-select"
            value={period}
            onChange={(e) => setPeriod(e.target.value as Period)}
          >
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`period.${p}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="rg-row">
          <button type="submit" className="rg-button rg-button-primary">
            {t('common.save')}
          </button>
          <button type="button" className="rg-button" onClick={() => void cancel()}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </main>
  );
}

export function GadgetApp() {
  const { env } = useUi();
  const config = useConfig();
  const edit = env.forge
    ? env.forgeContext?.extension?.entryPoint === 'edit'
    : env.params.get('edit') === '1';
  return edit ? <GadgetEdit initial={config} /> : <GadgetView config={config} />;
}

void mount(GadgetApp);
