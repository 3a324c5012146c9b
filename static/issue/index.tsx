/**
 * The issue page of the self-hosted service (/ui/issue/?key=): the issue's context (summary, type,
 * reporter, registration), every clock with its rule and figures (the panel's verdict view), the SLA
 * labels and checks, the history from the SLA ledger, and the actions — register an error and split
 * a request (the issue-actions screens), waive a recorded breach (administrators).
 */
import React, { useState } from 'react';
import '../shared/styles.css';
import '../panel/panel.css';
import './issue.css';
import type { IssueSlaView } from '../../src/contract/api';
import { errorText } from '../shared/errors';
import { dateTimeIn } from '../shared/format';
import { Header, LoadError, Loading, mount, useLoad, useUi } from '../shared/ui';
import { VerdictView } from '../shared/verdict';
import { SlaLabels, VersionWarning, VisitSection } from '../panel/escalation';
import { HistoryView } from '../panel/history';

function Details({ view }: { view: IssueSlaView }) {
  const { t, env } = useUi();
  const d = view.issue;
  if (!d) return null;
  return (
    <section className="rg-card" aria-labelledby="issue-details">
      <h2 id="issue-details">{t('issue.details')}</h2>
      <dl className="rg-dl rg-issue-details" data-testid="issue-details">
        <dt>{t('issue.summary')}</dt>
        <dd data-testid="issue-summary">{d.summary ?? '—'}</dd>
        <dt>{t('issue.type')}</dt>
        <dd data-testid="issue-type">
          {d.issueType} ({t.label('kind', d.kind)})
        </dd>
        <dt>{t('issue.project')}</dt>
        <dd>{d.project}</dd>
        <dt>{t('issue.reporter')}</dt>
        <dd data-testid="issue-reporter">{d.reporter ?? '—'}</dd>
        <dt>{t('issue.registered')}</dt>
        <dd data-testid="issue-registered">{dateTimeIn(d.registeredAt, env.viewerZone, t.locale)}</dd>
        {d.links && d.links.length > 0 && (
          <>
            <dt>{t('issue.links')}</dt>
            <dd data-testid="issue-links">
              <ul className="rg-issue-links">
                {d.links.map((l) => (
                  <li key={l.key}>
                    <a href={`/ui/issue/?key=${encodeURIComponent(l.key)}`}>{l.key}</a>
                    {l.type ? <span className="rg-muted"> ({l.type})</span> : null}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
      {d.url && (
        <p>
          <a href={d.url}>{t('issue.openInTracker')}</a>
        </p>
      )}
    </section>
  );
}

function Waive({ view, onDone }: { view: IssueSlaView; onDone: () => void }) {
  const { t, client } = useUi();
  const open = (view.verdict?.breaches ?? []).filter((b) => !b.waived);
  const [clock, setClock] = useState(open[0]?.clock ?? 'reaction');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const banner = result && (
    <p
      role={result.ok ? 'status' : 'alert'}
      className={`rg-banner ${result.ok ? 'rg-banner-success' : 'rg-banner-error'}`}
      data-testid="waive-result"
      style={{ width: '100%' }}
    >
      {result.text}
    </p>
  );
  // once waived, the reloaded verdict has nothing left to waive: the result stays in view
  if (open.length === 0) return banner || <p className="rg-muted">{t('issue.waive.none')}</p>;
  return (
    <form
      className="rg-issue-waive"
      aria-labelledby="issue-waive"
      onSubmit={(e) => {
        e.preventDefault();
        if (busy) return;
        setBusy(true);
        client.call('waiveBreach', { key: view.key, clock, reason: reason.trim() }).then(
          () => {
            setBusy(false);
            setResult({ ok: true, text: t('issue.waive.done') });
            onDone();
          },
          (err: unknown) => {
            setBusy(false);
            setResult({ ok: false, text: t('actions.failed', { message: errorText(t, err) }) });
          },
        );
      }}
    >
      <h3 id="issue-waive" style={{ width: '100%', margin: 0 }}>
        {t('issue.waive.title')}
      </h3>
      <div className="rg-field">
        <label htmlFor="waive-clock">{t('issue.waive.clock')}</label>
        <select
          id="waive-clock"
          className="rg-select"
          value={clock}
          onChange={(e) => setClock(e.target.value as typeof clock)}
        >
          {open.map((b) => (
            <option key={b.clock} value={b.clock}>
              {t(`panel.clock.${b.clock}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="rg-field">
        <label htmlFor="waive-reason">{t('issue.waive.reason')}</label>
        <input
          id="waive-reason"
          className="rg-input"
          required
          size={30}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
      <button type="submit" className="rg-button" disabled={busy || reason.trim() === ''}>
        {t('issue.waive.submit')}
      </button>
      {banner}
    </form>
  );
}

/** One small edit form of the issue page: its fields, a submit and the result line. */
function EditForm(props: {
  id: string;
  title: string;
  submit: string;
  valid: boolean;
  call: () => Promise<unknown>;
  done: string;
  onDone: () => void;
  children: React.ReactNode;
  extra?: React.ReactNode;
}) {
  const { t } = useUi();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const run = (call: () => Promise<unknown>, done: string) => {
    if (busy) return;
    setBusy(true);
    call().then(
      () => {
        setBusy(false);
        setResult({ ok: true, text: done });
        props.onDone();
      },
      (err: unknown) => {
        setBusy(false);
        setResult({ ok: false, text: t('actions.failed', { message: errorText(t, err) }) });
      },
    );
  };
  return (
    <form
      className="rg-issue-waive"
      aria-labelledby={props.id}
      data-testid={props.id}
      onSubmit={(e) => {
        e.preventDefault();
        run(props.call, props.done);
      }}
    >
      <h3 id={props.id} style={{ width: '100%', margin: 0 }}>
        {props.title}
      </h3>
      {props.children}
      <button type="submit" className="rg-button" disabled={busy || !props.valid}>
        {props.submit}
      </button>
      {props.extra}
      {result && (
        <p
          role={result.ok ? 'status' : 'alert'}
          className={`rg-banner ${result.ok ? 'rg-banner-success' : 'rg-banner-error'}`}
          data-testid={`${props.id}-result`}
          style={{ width: '100%' }}
        >
          {result.text}
        </p>
      )}
    </form>
  );
}

/** SPEC §5.6: an individually agreed fix deadline (errors). */
function AgreeDeadline({ view, onDone }: { view: IssueSlaView; onDone: () => void }) {
  const { t, client } = useUi();
  const [date, setDate] = useState('');
  return (
    <EditForm
      id="issue-agree"
      title={t('issue.agree.title')}
      submit={t('issue.agree.submit')}
      valid={/^\d{4}-\d{2}-\d{2}$/.test(date)}
      call={() => client.call('agreeDeadline', { key: view.key, deadline: date })}
      done={t('issue.agree.done', { date })}
      onDone={onDone}
    >
      <div className="rg-field">
        <label htmlFor="agree-date">{t('issue.agree.date')}</label>
        <input
          id="agree-date"
          type="date"
          className="rg-input"
          required
          value={date}
          onChange={(e) => setDate(e.target.value)}
        />
      </div>
    </EditForm>
  );
}

/** SPEC §4: the priority set by hand, with its reason (incidents 1..5, errors 1..10). */
function OverridePriority({ view, onDone }: { view: IssueSlaView; onDone: () => void }) {
  const { t, client } = useUi();
  const incident = (view.issue?.kind ?? view.verdict?.priority?.kind) === 'incident';
  const max = incident ? 5 : 10;
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const n = Number(value);
  return (
    <EditForm
      id="issue-override"
      title={t('issue.override.title')}
      submit={t('issue.override.submit')}
      valid={Number.isInteger(n) && n >= 1 && n <= max && reason.trim() !== ''}
      call={() => client.call('overridePriority', { key: view.key, value: n, reason: reason.trim() })}
      done={t('issue.override.done', { value: n })}
      onDone={onDone}
    >
      <div className="rg-field">
        <label htmlFor="override-value">{t('issue.override.value', { max })}</label>
        <input
          id="override-value"
          type="number"
          min={1}
          max={max}
          className="rg-input"
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </div>
      <div className="rg-field">
        <label htmlFor="override-reason">{t('issue.override.reason')}</label>
        <input
          id="override-reason"
          className="rg-input"
          required
          size={30}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
      </div>
    </EditForm>
  );
}

function Actions({ view, reload }: { view: IssueSlaView; reload: () => void }) {
  const { t } = useUi();
  const key = encodeURIComponent(view.key);
  const incident = (view.issue?.kind ?? view.verdict?.priority?.kind) === 'incident';
  return (
    <section className="rg-card" aria-labelledby="issue-actions">
      <h2 id="issue-actions">{t('issue.actions')}</h2>
      {incident && (
        <p className="rg-issue-actions">
          <a
            className="rg-button"
            href={`/ui/issue-actions/?action=register-error&key=${key}`}
            data-testid="action-register"
          >
            {t('issue.action.register')}
          </a>
          <a
            className="rg-button"
            href={`/ui/issue-actions/?action=split-request&key=${key}`}
            data-testid="action-split"
          >
            {t('issue.action.split')}
          </a>
        </p>
      )}
      {!incident && <AgreeDeadline view={view} onDone={reload} />}
      <OverridePriority view={view} onDone={reload} />
      <Waive view={view} onDone={reload} />
    </section>
  );
}

export function IssueApp() {
  const { env, client, t } = useUi();
  const key = env.params.get('key')?.trim() || null;
  const { data, error, loading, reload } = useLoad(
    () => (key ? client.call('getIssueSla', { key }) : Promise.resolve(null)),
    [key],
  );
  return (
    <main>
      <Header title={key ? t('issue.title', { key }) : t('issues.title')} />
      <p>
        <a href="/ui/issues/">← {t('issue.back')}</a>
      </p>
      {!key && (
        <p role="alert" className="rg-banner rg-banner-warning">
          {t('issue.noKey')}
        </p>
      )}
      {key && loading && !data && <Loading />}
      {key && error !== undefined && <LoadError error={error} onRetry={reload} />}
      {data && (
        <>
          <Details view={data} />
          {!data.verdict && <p className="rg-muted">{t('panel.noVerdict')}</p>}
          {data.verdict && (
            <>
              <SlaLabels view={data} />
              <VersionWarning issueKey={data.key} />
              <VerdictView verdict={data.verdict} calendarZone={data.calendarZone} />
              <VisitSection view={data} />
              <Actions view={data} reload={reload} />
              {data.history && <HistoryView facts={data.history} />}
              <p className="rg-muted rg-small">
                {t('panel.evaluatedAt', {
                  at: dateTimeIn(data.verdict.evaluatedAt, env.viewerZone, t.locale),
                })}
              </p>
            </>
          )}
        </>
      )}
    </main>
  );
}

void mount(IssueApp);
