/**
 * The issue panel's escalation part: the SLA labels as lozenges, the §2.9.4 warning (a request about
 * a version other than the current one), and the §2.7 on-site visit check — of the issue's visit date
 * when it has one, and of a date the agent proposes.
 */
import React, { useState } from 'react';
import type { IssueSlaView, VisitCheckView } from '../../src/contract/api';
import { dateOnly } from '../shared/format';
import { Lozenge, useLoad, useUi } from '../shared/ui';
import { labelsOf, versionWarning, visitOf, visitProblem } from './model';

export function SlaLabels({ view }: { view: IssueSlaView }) {
  const { t } = useUi();
  const labels = labelsOf(view.verdict);
  if (labels.length === 0) return null;
  return (
    <p className="rg-labels" data-testid="sla-labels">
      <span className="rg-label">{t('panel.labels')}</span>
      {labels.map((l) => (
        <span key={l} className="rg-label-item" data-label={l}>
          <Lozenge appearance={l === 'sla-breached' ? 'removed' : 'moved'}>{t(`label.${l}`)}</Lozenge>{' '}
          <code className="rg-muted rg-small">{l}</code>
        </span>
      ))}
    </p>
  );
}

export function VersionWarning({ issueKey }: { issueKey: string }) {
  const { client, t } = useUi();
  const { data, error } = useLoad(() => client.call('checkVersion', { key: issueKey }), [issueKey]);
  if (error !== undefined)
    return (
      <p className="rg-muted rg-small" data-testid="version-failed">
        {t('panel.version.failed', { message: error instanceof Error ? error.message : String(error) })}
      </p>
    );
  const text = versionWarning(data, t.locale);
  if (!text) return null;
  return (
    <div className="rg-banner rg-banner-warning" role="status" data-testid="version-warning">
      <div>
        <strong>{t('panel.version.flagged')}</strong>
        <p className="rg-banner-text">{text}</p>
      </div>
    </div>
  );
}

function VisitVerdict({ check, testid }: { check: VisitCheckView; testid: string }) {
  const { t } = useUi();
  const problem = visitProblem(check, t.locale);
  if (problem === null)
    return (
      <p className="rg-banner rg-banner-success" role="status" data-testid={testid} data-ok="true">
        {t('panel.visit.ok', { n: check.minDays, date: dateOnly(check.visitDate, t.locale) })}
      </p>
    );
  return (
    <div className="rg-banner rg-banner-warning" role="status" data-testid={testid} data-ok="false">
      <div>
        <strong>{t('panel.visit.tooShort')}</strong>
        <p className="rg-banner-text">{problem}</p>
      </div>
    </div>
  );
}

/** The issue's own visit date, checked as it was requested (when the backend tells the panel of one). */
function IssueVisit({ issueKey, visit }: { issueKey: string; visit: { date: string; requestedAt: string } }) {
  const { client, t } = useUi();
  const { data, error } = useLoad(
    () =>
      client.call('checkVisit', {
        key: issueKey,
        visitDate: visit.date,
        ...(visit.requestedAt ? { requestedAt: visit.requestedAt } : {}),
      }),
    [issueKey, visit.date, visit.requestedAt],
  );
  return (
    <>
      <p data-testid="visit-date">{t('panel.visit.requested', { date: dateOnly(visit.date, t.locale) })}</p>
      {error !== undefined && (
        <p role="alert" className="rg-banner rg-banner-error">
          {t('panel.visit.failed', { message: error instanceof Error ? error.message : String(error) })}
        </p>
      )}
      {data && <VisitVerdict check={data} testid="visit-check" />}
    </>
  );
}

/** A date the agent proposes, checked as if requested now (no comment is posted). */
function ProposeVisit({ issueKey }: { issueKey: string }) {
  const { client, t } = useUi();
  const [date, setDate] = useState('');
  const [result, setResult] = useState<
    | { state: 'idle' | 'checking' }
    | { state: 'done'; check: VisitCheckView }
    | { state: 'failed'; message: string }
  >({ state: 'idle' });
  return (
    <form
      className="rg-visit-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return;
        setResult({ state: 'checking' });
        client.call('checkVisit', { key: issueKey, visitDate: date }).then(
          (check) => setResult({ state: 'done', check }),
          (err: unknown) =>
            setResult({ state: 'failed', message: err instanceof Error ? err.message : String(err) }),
        );
      }}
    >
      <div className="rg-row rg-row-end">
        <div className="rg-field">
          <label htmlFor="visit-date">{t('panel.visit.check')}</label>
          <input
            id="visit-date"
            type="date"
            className="rg-input"
            value={date}
            onChange={(e) => {
              setDate(e.target.value);
              setResult({ state: 'idle' });
            }}
          />
        </div>
        <button
          type="submit"
          className="rg-button"
          data-testid="visit-submit"
          disabled={date === '' || result.state === 'checking'}
        >
          {t('panel.visit.submit')}
        </button>
      </div>
      {result.state === 'done' && <VisitVerdict check={result.check} testid="visit-proposed" />}
      {result.state === 'failed' && (
        <p role="alert" className="rg-banner rg-banner-error">
          {t('panel.visit.failed', { message: result.message })}
        </p>
      )}
    </form>
  );
}

/** Whether the verdict is an error's (a visit is asked for in a request, not in an error). */
const isErrorVerdict = (v: IssueSlaView['verdict']): boolean =>
  !!v && (v.priority?.kind === 'error' || v.verification !== null || v.fix !== null);

export function VisitSection({ view }: { view: IssueSlaView }) {
  const { t } = useUi();
  const visit = visitOf(view);
  if (!view.verdict || isErrorVerdict(view.verdict)) return null;
  if (!visit)
    return (
      <details className="rg-section rg-details" data-testid="visit">
        <summary>{t('panel.visit.title')}</summary>
        <ProposeVisit issueKey={view.key} />
      </details>
    );
  return (
    <section className="rg-section" aria-labelledby="visit-title" data-testid="visit">
      <h2 id="visit-title">{t('panel.visit.title')}</h2>
      <IssueVisit issueKey={view.key} visit={visit} />
      <details className="rg-details">
        <summary>{t('panel.visit.check')}</summary>
        <ProposeVisit issueKey={view.key} />
      </details>
    </section>
  );
}
