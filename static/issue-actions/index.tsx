/**
 * Issue actions (one Custom UI bundle for both): "Register error" (source §3.3, §5.2) and "Split
 * request" (§3.2). Inside Jira the Forge module key says which form to show and the context gives the
 * issue; in the self-hosted service `?action=register-error|split-request&key=SUP-1`.
 */
import React, { useEffect, useRef, useState } from 'react';
import '../shared/styles.css';
import './issue-actions.css';
import type { RegisterErrorView, SplitRequestView } from '../../src/contract/api';
import { WORKAROUNDS } from '../../src/domain/codes';
import { closeForgeView } from '../shared/env';
import { errorText } from '../shared/errors';
import { Header, mount, useLoad, useUi } from '../shared/ui';
import {
  actionOf,
  addPart,
  initialParts,
  MAX_PARTS,
  PART_CODES,
  PART_FIELDS,
  partProblems,
  registerRequest,
  removePart,
  toSplitParts,
  updatePart,
  type PartDraft,
  type PartProblem,
  type PartsState,
} from './model';

type Phase<T> =
  | { state: 'idle' }
  | { state: 'submitting' }
  | { state: 'done'; result: T }
  | { state: 'failed'; message: string };

/** Runs a submission at most once at a time: a double click cannot send twice. */
function useSubmit<T>(): [Phase<T>, (run: () => Promise<T>) => Promise<void>] {
  const [phase, setPhase] = useState<Phase<T>>({ state: 'idle' });
  const inFlight = useRef(false);
  const { t } = useUi();
  const submit = async (run: () => Promise<T>) => {
    if (inFlight.current) return;
    inFlight.current = true;
    setPhase({ state: 'submitting' });
    try {
      const result = await run();
      setPhase({ state: 'done', result });
      // stays in flight: the form is replaced by the result, nothing more to send
    } catch (e) {
      inFlight.current = false;
      setPhase({ state: 'failed', message: errorText(t, e) });
    }
  };
  return [phase, submit];
}

/** A result banner that takes the focus when it appears (keyboard and screen-reader users land on it). */
function Result({ children, testid }: { children: React.ReactNode; testid: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} tabIndex={-1} role="status" className="rg-banner rg-banner-success" data-testid={testid}>
      <div>{children}</div>
    </div>
  );
}

/** A created issue's key: in the service, a link to its issue page; inside Jira, the key in bold. */
function CreatedKey({ issueKey }: { issueKey: string }) {
  const { env } = useUi();
  if (env.forge) return <strong data-testid="created-key">{issueKey}</strong>;
  return (
    <strong>
      <a href={`/ui/issue/?key=${encodeURIComponent(issueKey)}`} data-testid="created-key">
        {issueKey}
      </a>
    </strong>
  );
}

function CloseButton() {
  const { env, t } = useUi();
  if (!env.forge) return null;
  return (
    <button type="button" className="rg-button rg-button-primary" onClick={() => void closeForgeView()}>
      {t('actions.close')}
    </button>
  );
}

function Failure({ message }: { message: string }) {
  const { t } = useUi();
  return (
    <p role="alert" className="rg-banner rg-banner-error" data-testid="failed">
      {t('actions.failed', { message })}
    </p>
  );
}

function RegisterErrorForm({ issueKey }: { issueKey: string }) {
  const { client, t } = useUi();
  const [summary, setSummary] = useState('');
  const [workaround, setWorkaround] = useState<string>('none');
  const [issueType, setIssueType] = useState('');
  const [phase, submit] = useSubmit<RegisterErrorView>();
  // The mapped error types (a choice only when there are several); the backend's default otherwise.
  const settings = useLoad(() => client.call('getSettings', {}), []);
  const errorTypes = settings.data?.issueTypes.error ?? [];

  if (phase.state === 'done') {
    // the key in bold inside the translated sentence (its position differs between languages)
    const [before, after] = t('actions.register.done', { error: '\u0000', key: issueKey }).split('\u0000');
    return (
      <>
        <Result testid="register-result">
          <p className="rg-result-main">
            {before}
            <CreatedKey issueKey={phase.result.errorKey} />
            {after}
          </p>
          <p className="rg-small">
            {phase.result.commented ? t('actions.commented', { key: issueKey }) : t('actions.notCommented')}
          </p>
        </Result>
        <CloseButton />
      </>
    );
  }

  const busy = phase.state === 'submitting';
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void submit(() =>
          client.call(
            'registerError',
            registerRequest(issueKey, { summary, workaround, ...(issueType ? { issueType } : {}) }),
          ),
        );
      }}
    >
      <p className="rg-muted">{t('actions.register.help', { key: issueKey })}</p>
      <div className="rg-field">
        <label htmlFor="reg-summary">{t('actions.register.summary')}</label>
        <input
          id="reg-summary"
          className="rg-input rg-input-wide"
          value={summary}
          maxLength={255}
          placeholder={t('actions.register.summaryHint', { key: issueKey })}
          onChange={(e) => setSummary(e.target.value)}
        />
      </div>
      {errorTypes.length > 1 && (
        <div className="rg-field">
          <label htmlFor="reg-type">{t('actions.register.issueType')}</label>
          <select
            id="reg-type"
            className="rg-select rg-select-fit"
            value={issueType || errorTypes[0]}
            onChange={(e) => setIssueType(e.target.value)}
          >
            {errorTypes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      )}
      <div className="rg-field">
        <label htmlFor="reg-workaround">{t('field.workaround')}</label>
        <select
          id="reg-workaround"
          className="rg-select rg-select-fit"
          value={workaround}
          onChange={(e) => setWorkaround(e.target.value)}
        >
          {WORKAROUNDS.map((w) => (
            <option key={w} value={w}>
              {t.label('workaround', w)}
            </option>
          ))}
        </select>
      </div>
      {phase.state === 'failed' && <Failure message={phase.message} />}
      <div className="rg-actions">
        <button
          type="submit"
          className="rg-button rg-button-primary"
          data-testid="submit"
          disabled={busy}
          aria-disabled={busy}
        >
          {busy ? t('actions.register.submitting') : t('actions.register.submit')}
        </button>
      </div>
    </form>
  );
}

function PartFieldset({
  part,
  index,
  count,
  invalid,
  onChange,
  onRemove,
}: {
  part: PartDraft;
  index: number;
  count: number;
  invalid: boolean;
  onChange: (patch: Partial<Omit<PartDraft, 'id'>>) => void;
  onRemove: () => void;
}) {
  const { t } = useUi();
  const n = index + 1;
  const id = (f: string) => `part-${part.id}-${f}`;
  return (
    <fieldset className="rg-fieldset rg-part" data-part={n}>
      <legend>{t('actions.split.part', { n })}</legend>
      <div className="rg-field">
        <label htmlFor={id('summary')}>{t('actions.split.summary')}</label>
        <input
          id={id('summary')}
          className="rg-input rg-input-wide"
          value={part.summary}
          maxLength={255}
          required
          aria-invalid={invalid}
          aria-describedby={invalid ? id('summary-err') : undefined}
          data-testid={`part-summary-${n}`}
          onChange={(e) => onChange({ summary: e.target.value })}
        />
        {invalid && (
          <span id={id('summary-err')} className="rg-error-text">
            {t('problem.part.summary', { n })}
          </span>
        )}
      </div>
      <div className="rg-part-codes">
        {PART_FIELDS.map((f) => (
          <div className="rg-field" key={f}>
            <label htmlFor={id(f)}>{t(`field.${f}`)}</label>
            <select
              id={id(f)}
              className="rg-select"
              value={part[f]}
              data-testid={`part-${f}-${n}`}
              onChange={(e) => onChange({ [f]: e.target.value })}
            >
              <option value="">{t('actions.split.carry')}</option>
              {PART_CODES[f].map((c) => (
                <option key={c} value={c}>
                  {t.label(f, c)}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <div className="rg-field">
        <label htmlFor={id('description')}>{t('actions.split.description')}</label>
        <textarea
          id={id('description')}
          className="rg-input rg-input-wide"
          rows={2}
          value={part.description}
          onChange={(e) => onChange({ description: e.target.value })}
        />
      </div>
      <button
        type="button"
        className="rg-button rg-button-subtle"
        disabled={count <= 1}
        onClick={onRemove}
        aria-label={t('actions.split.remove', { n })}
      >
        {t('common.remove')}
      </button>
    </fieldset>
  );
}

function problemText(p: PartProblem, t: ReturnType<typeof useUi>['t']): string {
  if (p.code === 'too-many') return t('actions.split.max', { max: MAX_PARTS });
  if (p.code === 'summary-required') return t('problem.part.summary', { n: p.index + 1 });
  return `${t('actions.split.part', { n: p.index + 1 })}: ${t(`field.${p.field}`)}`;
}

function SplitRequestForm({ issueKey }: { issueKey: string }) {
  const { client, t } = useUi();
  const [state, setState] = useState<PartsState>(() => initialParts(1));
  const [showProblems, setShowProblems] = useState(false);
  const [phase, submit] = useSubmit<SplitRequestView>();
  const problemsRef = useRef<HTMLDivElement>(null);
  const focusPart = useRef<number | null>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const problems = partProblems(state.parts);
  const shown = showProblems ? problems : [];
  const invalidIds = new Set(shown.flatMap((p) => (p.code === 'summary-required' ? [p.id] : [])));

  useEffect(() => {
    if (focusPart.current !== null) {
      document.getElementById(`part-${focusPart.current}-summary`)?.focus();
      focusPart.current = null;
    }
  });

  if (phase.state === 'done') {
    const summaries = toSplitParts(state.parts).map((p) => p.summary);
    return (
      <>
        <Result testid="split-result">
          <p className="rg-result-main">
            {t('actions.split.done', { n: phase.result.created.length, key: issueKey })}
          </p>
          <ul className="rg-created">
            {phase.result.created.map((c, i) => (
              <li key={c.key}>
                <CreatedKey issueKey={c.key} /> {summaries[i] ?? ''}
                <span className="rg-muted rg-small">
                  {' · '}
                  {PART_FIELDS.flatMap((f) => (c.inputs[f] ? [t.label(f, c.inputs[f])] : [])).join(' / ')}
                </span>
              </li>
            ))}
          </ul>
          <p className="rg-small">
            {phase.result.commented ? t('actions.commented', { key: issueKey }) : t('actions.notCommented')}
          </p>
        </Result>
        <CloseButton />
      </>
    );
  }

  const busy = phase.state === 'submitting';
  const onSubmit = (e: React.FormEvent) => {
    e.preventDefault();
    if (problems.length > 0) {
      setShowProblems(true);
      setTimeout(() => problemsRef.current?.focus(), 0);
      return;
    }
    void submit(() => client.call('splitRequest', { key: issueKey, parts: toSplitParts(state.parts) }));
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <p className="rg-muted">
        {t('actions.split.help', { key: issueKey, carry: t('actions.split.carry') })}
      </p>
      {shown.length > 0 && (
        <div
          ref={problemsRef}
          tabIndex={-1}
          className="rg-banner rg-banner-error"
          role="alert"
          data-testid="problems"
        >
          <div>
            <strong>{t('actions.split.problems', { n: shown.length })}</strong>
            <ul>
              {shown.map((p, i) => (
                <li key={i}>
                  {'id' in p ? (
                    <button
                      type="button"
                      className="rg-linkbutton"
                      onClick={() => document.getElementById(`part-${p.id}-summary`)?.focus()}
                    >
                      {problemText(p, t)}
                    </button>
                  ) : (
                    problemText(p, t)
                  )}
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
      {state.parts.map((part, index) => (
        <PartFieldset
          key={part.id}
          part={part}
          index={index}
          count={state.parts.length}
          invalid={invalidIds.has(part.id)}
          onChange={(patch) => setState((s) => updatePart(s, part.id, patch))}
          onRemove={() => {
            const next = state.parts[index + 1] ?? state.parts[index - 1];
            focusPart.current = next ? next.id : null;
            setState((s) => removePart(s, part.id));
          }}
        />
      ))}
      <div className="rg-actions">
        <button
          ref={addRef}
          type="button"
          className="rg-button"
          disabled={state.parts.length >= MAX_PARTS}
          onClick={() => {
            focusPart.current = state.nextId;
            setState((s) => addPart(s));
          }}
        >
          {t('actions.split.add')}
        </button>
        {state.parts.length >= MAX_PARTS && (
          <span className="rg-muted rg-small">{t('actions.split.max', { max: MAX_PARTS })}</span>
        )}
      </div>
      {phase.state === 'failed' && <Failure message={phase.message} />}
      <div className="rg-actions">
        <button
          type="submit"
          className="rg-button rg-button-primary"
          data-testid="submit"
          disabled={busy}
          aria-disabled={busy}
        >
          {busy ? t('actions.split.submitting') : t('actions.split.submit', { n: state.parts.length })}
        </button>
      </div>
    </form>
  );
}

export function IssueActionsApp() {
  const { env, t } = useUi();
  const action = actionOf(env.forgeContext?.moduleKey, env.params.get('action'));
  const key = (env.forge ? env.forgeContext?.extension?.issue?.key : env.params.get('key'))?.trim() || null;
  const title = action === 'split-request' ? t('actions.split.title') : t('actions.register.title');
  return (
    <main className="rg-actions-page">
      <Header title={key && !env.forge ? `${title} · ${key}` : title} />
      {!action && (
        <p role="alert" className="rg-banner rg-banner-warning">
          {t('actions.unknown')}
        </p>
      )}
      {action && !key && (
        <p role="alert" className="rg-banner rg-banner-warning">
          {t('actions.noKey')}
        </p>
      )}
      {action === 'register-error' && key && <RegisterErrorForm issueKey={key} />}
      {action === 'split-request' && key && <SplitRequestForm issueKey={key} />}
    </main>
  );
}

void mount(IssueActionsApp);
