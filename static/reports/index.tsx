/**
 * Reports (issue #15): period, project, class and customer; the figures per kind and class against the
 * target, the monthly trend, the agreed exceptions and the breached items (getReport); the same report
 * as CSV, XLSX and PDF (GET /api/report.*, self-hosted service only).
 */
import React, { useState } from 'react';
import '../shared/styles.css';
import './reports.css';
import type { ReportRequest, ReportView } from '../../src/contract/report';
import { CLASSES } from '../../src/domain/codes';
import { pct } from '../shared/format';
import { Header, LoadError, Loading, mount, useLoad, useUi } from '../shared/ui';
import { ReportsFrame } from './frame';

/** The previous whole month of today (browser time), as dates. */
function previousMonth(today = new Date()): { from: string; to: string } {
  const y = today.getFullYear();
  const m = today.getMonth(); // the previous month, 1-based
  const year = m === 0 ? y - 1 : y;
  const month = m === 0 ? 12 : m;
  const last = new Date(year, month, 0).getDate();
  const mm = String(month).padStart(2, '0');
  return { from: `${year}-${mm}-01`, to: `${year}-${mm}-${String(last).padStart(2, '0')}` };
}

/** The query string of the report files. */
export function fileQuery(req: ReportRequest, lang: string): string {
  const q = new URLSearchParams({ from: req.from, to: req.to, lang });
  if (req.projects && req.projects.length > 0) q.set('project', req.projects.join(','));
  if (req.class) q.set('class', req.class);
  if (req.customer) q.set('customer', req.customer);
  return q.toString();
}

function ReportsApp() {
  const { client, t, env } = useUi();
  const params = new URLSearchParams(window.location.search);
  const initial = previousMonth();
  const [form, setForm] = useState({
    from: params.get('from') ?? initial.from,
    to: params.get('to') ?? initial.to,
    project: params.get('project') ?? '',
    cls: params.get('class') ?? '',
    customer: params.get('customer') ?? '',
  });
  const [req, setReq] = useState<ReportRequest>(() => request(form));
  const { data, error, loading, reload } = useLoad<ReportView>(() => client.call('getReport', req), [req]);
  const lang = env.locale;
  const share = (s: number | null) => (s === null ? '—' : pct(s, lang));
  return (
    <ReportsFrame>
      <Header title={t('reports.title')} />
      <form
        className="rg-report-form"
        onSubmit={(e) => {
          e.preventDefault();
          setReq(request(form));
        }}
      >
        <label>
          {t('reports.from')}
          <input type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          {t('reports.to')}
          <input type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <label>
          {t('reports.project')}
          <input
            value={form.project}
            placeholder={t('reports.allProjects')}
            size={10}
            onChange={(e) => setForm({ ...form, project: e.target.value })}
          />
        </label>
        <label>
          {t('reports.class')}
          <select value={form.cls} onChange={(e) => setForm({ ...form, cls: e.target.value })}>
            <option value="">{t('reports.allClasses')}</option>
            {CLASSES.map((c) => (
              <option key={c} value={c}>
                {t.label('class', c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('reports.customer')}
          <input
            value={form.customer}
            size={14}
            onChange={(e) => setForm({ ...form, customer: e.target.value })}
          />
        </label>
        <button type="submit" className="rg-button rg-button-primary">
          {t('reports.show')}
        </button>
      </form>
      {!env.forge && (
        <div className="rg-downloads" data-testid="downloads">
          {(['csv', 'xlsx', 'pdf'] as const).map((f) => (
            <a key={f} className="rg-button" href={`/api/report.${f}?${fileQuery(req, lang)}`} download>
              {f.toUpperCase()}
            </a>
          ))}
        </div>
      )}
      {loading && <Loading />}
      {Boolean(error) && <LoadError error={error} onRetry={reload} />}
      {data && (
        <>
          <h2>{t('reports.figures', { target: pct(data.target, lang) })}</h2>
          <div className="rg-table-wrap">
            <table data-testid="figures">
              <thead>
                <tr>
                  <th>{t('reports.col.class')}</th>
                  <th>{t('reports.col.counted')}</th>
                  <th>{t('reports.col.onTime')}</th>
                  <th>{t('reports.col.late')}</th>
                  <th>{t('reports.col.share')}</th>
                  <th>{t('reports.col.meets')}</th>
                </tr>
              </thead>
              <tbody>
                {data.figures.map((f) => (
                  <tr key={`${f.kind}-${f.class ?? 'all'}`} data-kind={f.kind} data-class={f.class ?? 'all'}>
                    <td>
                      {f.class === null
                        ? t(f.kind === 'error' ? 'reports.kind.error' : 'reports.kind.incident')
                        : `${t(f.kind === 'error' ? 'reports.kind.error' : 'reports.kind.incident')}: ${t.label('class', f.class)}`}
                    </td>
                    <td>{f.counted}</td>
                    <td>{f.onTime}</td>
                    <td>{f.late}</td>
                    <td className={f.counted === 0 ? '' : f.meetsTarget ? 'rg-good' : 'rg-bad'}>
                      {share(f.share)}
                    </td>
                    <td>{f.counted === 0 ? '—' : f.meetsTarget ? t('reports.yes') : t('reports.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>{t('reports.trend')}</h2>
          <div className="rg-table-wrap">
            <table data-testid="trend">
              <thead>
                <tr>
                  <th>{t('reports.col.month')}</th>
                  <th>{t('reports.kind.error')}</th>
                  <th>{t('reports.kind.incident')}</th>
                </tr>
              </thead>
              <tbody>
                {data.trend.map((p) => (
                  <tr key={p.month}>
                    <td>{p.month}</td>
                    <td>
                      {p.errors.onTime}/{p.errors.counted} ({share(p.errors.share)})
                    </td>
                    <td>
                      {p.incidents.onTime}/{p.incidents.counted} ({share(p.incidents.share)})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>{t('reports.exceptions')}</h2>
          <ul data-testid="exceptions">
            {data.exceptions.map((e) => (
              <li key={e.kind}>
                {t('reports.exceptionsText', {
                  kind: t(e.kind === 'error' ? 'reports.kind.error' : 'reports.kind.incident'),
                  agreed: e.agreed,
                  kept: e.agreedKept,
                  missed: e.agreedMissed,
                  waived: e.waived,
                })}
              </li>
            ))}
          </ul>
          <h2>{t('reports.breached', { n: data.breached.total })}</h2>
          {data.breached.items.length === 0 ? (
            <p>{t('reports.none')}</p>
          ) : (
            <div className="rg-table-wrap">
              <table data-testid="breached">
                <thead>
                  <tr>
                    <th>{t('reports.col.key')}</th>
                    <th>{t('reports.col.summary')}</th>
                    <th>{t('reports.col.due')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.breached.items.map((i) => (
                    <tr key={i.key}>
                      <td>
                        {i.url ? (
                          <a href={i.url}>{i.key}</a>
                        ) : (
                          <a href={`/ui/issue/?key=${encodeURIComponent(i.key)}`}>{i.key}</a>
                        )}
                      </td>
                      <td>{i.summary ?? ''}</td>
                      <td>{i.due ? i.due.slice(0, 16).replace('T', ' ') : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </ReportsFrame>
  );
}

function request(form: {
  from: string;
  to: string;
  project: string;
  cls: string;
  customer: string;
}): ReportRequest {
  const projects = form.project
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    from: form.from,
    to: form.to,
    ...(projects.length > 0 ? { projects } : {}),
    ...(form.cls ? { class: form.cls as ReportRequest['class'] & string } : {}),
    ...(form.customer.trim() ? { customer: form.customer.trim() } : {}),
  };
}

void mount(ReportsApp);
