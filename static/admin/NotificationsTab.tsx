/**
 * The admin page's "Notifications" tab (issue #16): channels (e-mail, chat, webhook) with a
 * "send test" button, rules (what, to whom, through which channel, in which language, quiet hours),
 * a preview of the messages in both languages, and the outbox — messages waiting for working hours or
 * a retry, and failed ones with a retry button. The tab keeps its own draft and saves it on its own
 * (only `notifications` is sent); it stays mounted while another tab is shown, so edits survive.
 */
import React, { useEffect, useMemo, useRef, useState } from 'react';
import type { NotificationsStatus, SettingsView } from '../../src/contract/api';
import { ApiCallError } from '../../src/contract/client';
import type { Locale } from '../../src/domain/codes';
import {
  ROLES,
  TRIGGERS,
  validateNotifications,
  type Channel,
  type ChannelKind,
  type NotificationRule,
  type NotificationsConfig,
  type Problem,
  type Trigger,
} from '../../src/domain/notify';
import { splitList } from '../shared/format';
import type { MessageKey } from '../shared/i18n';
import { useUi } from '../shared/ui';

type ChannelDraft = Channel & Record<string, unknown>;
interface RuleDraft extends Omit<NotificationRule, 'projects' | 'addresses'> {
  projects: string;
  addresses: string;
}
interface Draft {
  channels: ChannelDraft[];
  rules: RuleDraft[];
}

const fromConfig = (c: NotificationsConfig | undefined): Draft => ({
  channels: structuredClone(c?.channels ?? []) as ChannelDraft[],
  rules: (c?.rules ?? []).map((r) => ({
    ...r,
    projects: r.projects.join(', '),
    addresses: r.addresses.join(', '),
  })),
});
const toConfig = (d: Draft): unknown => ({
  channels: d.channels,
  rules: d.rules.map((r) => ({ ...r, projects: splitList(r.projects), addresses: splitList(r.addresses) })),
});

const FIELDS_WITH_TEXT = [
  'id',
  'host',
  'port',
  'from',
  'url',
  'secret',
  'on',
  'channel',
  'roles',
  'addresses',
];

/** A problem in the page's language: the field's own text where there is one, else the validator's. */
function problemLabel(p: Problem, t: (k: MessageKey, v?: Record<string, string | number>) => string): string {
  const m = /^(channels|rules)\[(\d+)\](?:\.([A-Za-z]+))?/.exec(p.path);
  if (!m) return p.message;
  const where = t(m[1] === 'channels' ? 'admin.notify.problem.inChannel' : 'admin.notify.problem.inRule', {
    n: Number(m[2]) + 1,
  });
  const field = m[3] ?? '';
  const text = FIELDS_WITH_TEXT.includes(field)
    ? t(`admin.notify.problem.${field}` as MessageKey)
    : p.message;
  return `${where}: ${text}`;
}

function newChannel(kind: ChannelKind, n: number): ChannelDraft {
  const id = `${kind}-${n}`;
  if (kind === 'email') return { id, kind, host: '', port: 587, secure: false, from: '' } as ChannelDraft;
  if (kind === 'chat') return { id, kind, url: '' } as ChannelDraft;
  return { id, kind, url: '', secret: '' } as ChannelDraft;
}

export function NotificationsTab({ initial, readOnly }: { initial: SettingsView; readOnly: boolean }) {
  const { client, t, env } = useUi();
  const [draft, setDraft] = useState<Draft>(() => fromConfig(initial.notifications));
  const baseline = useRef(JSON.stringify(fromConfig(initial.notifications)));
  const [status, setStatus] = useState<NotificationsStatus | null>(null);
  const [saveState, setSaveState] = useState<
    { state: 'idle' | 'saving' | 'saved' } | { state: 'failed'; message: string }
  >({
    state: 'idle',
  });
  const [serverProblems, setServerProblems] = useState<Problem[]>([]);
  const [tests, setTests] = useState<Record<string, { to: string; result: string | null; ok: boolean }>>({});
  const [preview, setPreview] = useState<{ trigger: Trigger; language: Locale }>({
    trigger: 'breached',
    language: env.locale,
  });
  const [rendered, setRendered] = useState<{ subject: string; text: string; html: string } | null>(null);

  const dirty = JSON.stringify(draft) !== baseline.current;
  const local = useMemo(() => validateNotifications(toConfig(draft)), [draft]);
  const problems = [...(local.ok ? [] : local.errors), ...serverProblems];

  // A reader of the self-hosted service's admin page may not see the channels and the outbox (401/403).
  const [denied, setDenied] = useState(false);
  const loadStatus = () =>
    client.call('getNotifications', {}).then(setStatus, (e: unknown) => {
      if (e instanceof ApiCallError && (e.status === 401 || e.status === 403)) setDenied(true);
      setStatus({ available: false, outbox: { pending: [], failed: [] } });
    });
  useEffect(() => {
    void loadStatus();
  }, []);
  useEffect(() => {
    let live = true;
    client.call('previewNotification', preview).then(
      (r) => live && setRendered(r),
      () => live && setRendered(null),
    );
    return () => {
      live = false;
    };
  }, [preview.trigger, preview.language]);

  const update = (f: (d: Draft) => Draft) => {
    setDraft((d) => f(structuredClone(d)));
    setSaveState({ state: 'idle' });
    setServerProblems([]);
  };
  const setChannel = (i: number, patch: Record<string, unknown>) =>
    update((d) => {
      d.channels[i] = { ...d.channels[i]!, ...patch } as ChannelDraft;
      return d;
    });
  const setRule = (i: number, patch: Partial<RuleDraft>) =>
    update((d) => {
      d.rules[i] = { ...d.rules[i]!, ...patch };
      return d;
    });

  const save = async () => {
    if (!local.ok) return;
    setSaveState({ state: 'saving' });
    try {
      const r = await client.call('saveSettings', { notifications: local.value });
      if (r.ok) {
        baseline.current = JSON.stringify(draft);
        setSaveState({ state: 'saved' });
      } else {
        setServerProblems(r.errors.map((e) => ({ ...e, path: e.path.replace(/^notifications\.?/, '') })));
        setSaveState({ state: 'idle' });
      }
    } catch (e) {
      setSaveState({ state: 'failed', message: (e as Error).message });
    }
  };

  const sendTest = async (channel: ChannelDraft) => {
    const to = splitList(tests[channel.id]?.to ?? '');
    const set = (result: string, ok: boolean) =>
      setTests((x) => ({ ...x, [channel.id]: { to: x[channel.id]?.to ?? '', result, ok } }));
    try {
      const r = await client.call('testNotification', { channel: channel.id, to, language: env.locale });
      if (r.ok) set(t('admin.notify.test.sent'), true);
      else set(t('admin.notify.test.failed', { message: r.message }), false);
    } catch (e) {
      set(t('admin.notify.test.failed', { message: (e as Error).message }), false);
    }
  };

  const retry = async (keys?: string[]) => {
    await client.call('retryNotifications', keys ? { keys } : {});
    await loadStatus();
  };

  if (denied)
    return (
      <section aria-labelledby="h-notify">
        <h2 id="h-notify">{t('admin.notify.title')}</h2>
        <p className="rg-banner rg-banner-info" data-testid="notify-admin-only">
          {t('admin.notify.adminOnly')}
        </p>
      </section>
    );
  // Nothing of the panel (its preview frame included) until we know what this person may see.
  if (!status)
    return (
      <section aria-labelledby="h-notify" aria-busy="true">
        <h2 id="h-notify">{t('admin.notify.title')}</h2>
        <p className="rg-muted">{t('common.loading')}</p>
      </section>
    );
  if (!status.available)
    return (
      <section aria-labelledby="h-notify">
        <h2 id="h-notify">{t('admin.notify.title')}</h2>
        <p className="rg-banner rg-banner-info" data-testid="notify-unavailable">
          {t('admin.notify.unavailable')}
        </p>
      </section>
    );

  const channelIds = draft.channels.map((c) => c.id);
  const text = (id: string, label: string, value: unknown, onChange: (v: string) => void, type = 'text') => (
    <div className="rg-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="rg-input rg-input-wide"
        type={type}
        value={value === undefined || value === null ? '' : String(value)}
        disabled={readOnly}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );

  return (
    <div data-testid="notifications-tab">
      <section aria-labelledby="h-notify">
        <h2 id="h-notify">{t('admin.notify.title')}</h2>
        <p className="rg-muted">{t('admin.notify.help')}</p>
        <div className="rg-savebar">
          <button
            type="button"
            className="rg-button rg-button-primary"
            data-testid="notify-save"
            disabled={readOnly || !dirty || problems.length > 0 || saveState.state === 'saving'}
            onClick={() => void save()}
          >
            {saveState.state === 'saving' ? t('common.saving') : t('admin.notify.save')}
          </button>
          <span role="status" className="rg-save-status">
            {saveState.state === 'saved' && !dirty && t('common.saved')}
            {saveState.state === 'failed' && t('admin.saveFailed', { message: saveState.message })}
          </span>
        </div>
        {problems.length > 0 && (
          <div className="rg-banner rg-banner-error" role="alert" data-testid="notify-problems">
            <ul>
              {problems.map((p, i) => (
                <li key={i}>{problemLabel(p, t)}</li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section aria-labelledby="h-channels" className="rg-section">
        <h3 id="h-channels">{t('admin.notify.channels')}</h3>
        {draft.channels.length === 0 && <p className="rg-muted">{t('admin.notify.noChannels')}</p>}
        {draft.channels.map((c, i) => {
          const p = `ch${i}`;
          return (
            <fieldset key={i} className="rg-fieldset" data-testid={`channel-${i}`}>
              <legend>{t(`admin.notify.kind.${c.kind}` as MessageKey)}</legend>
              {text(`${p}-id`, t('admin.notify.channelId'), c.id, (v) => setChannel(i, { id: v }))}
              {c.kind === 'email' && (
                <>
                  <div className="rg-row">
                    {text(`${p}-host`, t('admin.notify.host'), c.host, (v) => setChannel(i, { host: v }))}
                    {text(
                      `${p}-port`,
                      t('admin.notify.port'),
                      c.port,
                      (v) => setChannel(i, { port: v === '' ? '' : Number(v) }),
                      'number',
                    )}
                  </div>
                  <Check
                    checked={c.secure === true}
                    disabled={readOnly}
                    onChange={(v) => setChannel(i, { secure: v })}
                  >
                    {t('admin.notify.secure')}
                  </Check>
                  {text(`${p}-from`, t('admin.notify.from'), c.from, (v) => setChannel(i, { from: v }))}
                  <div className="rg-row">
                    {text(`${p}-user`, t('admin.notify.user'), c.user, (v) => setChannel(i, { user: v }))}
                    {text(
                      `${p}-password`,
                      t('admin.notify.password'),
                      c.password,
                      (v) => setChannel(i, { password: v }),
                      'password',
                    )}
                  </div>
                </>
              )}
              {(c.kind === 'chat' || c.kind === 'webhook') &&
                text(`${p}-url`, t('admin.notify.url'), c.url, (v) => setChannel(i, { url: v }))}
              {c.kind === 'webhook' &&
                text(
                  `${p}-secret`,
                  t('admin.notify.secret'),
                  c.secret,
                  (v) => setChannel(i, { secret: v }),
                  'password',
                )}
              <div className="rg-row">
                {c.kind === 'email' &&
                  text(`${p}-test-to`, t('admin.notify.test.to'), tests[c.id]?.to ?? '', (v) =>
                    setTests((x) => ({ ...x, [c.id]: { to: v, result: null, ok: false } })),
                  )}
              </div>
              <div className="rg-row">
                <button
                  type="button"
                  className="rg-button"
                  data-testid={`channel-${i}-test`}
                  disabled={readOnly || dirty}
                  title={dirty ? t('admin.notify.test.saveFirst') : undefined}
                  onClick={() => void sendTest(c)}
                >
                  {t('admin.notify.test')}
                </button>
                <button
                  type="button"
                  className="rg-button"
                  disabled={readOnly}
                  onClick={() =>
                    update((d) => {
                      d.channels.splice(i, 1);
                      return d;
                    })
                  }
                >
                  {t('common.remove')}
                </button>
              </div>
              {dirty && <p className="rg-muted rg-small">{t('admin.notify.test.saveFirst')}</p>}
              {tests[c.id]?.result && (
                <p
                  role="status"
                  data-testid={`channel-${i}-result`}
                  className={tests[c.id]!.ok ? '' : 'rg-error-text'}
                >
                  {tests[c.id]!.result}
                </p>
              )}
            </fieldset>
          );
        })}
        <div className="rg-row">
          {(['email', 'chat', 'webhook'] as const).map((k) => (
            <button
              key={k}
              type="button"
              className="rg-button"
              disabled={readOnly}
              data-testid={`add-${k}`}
              onClick={() =>
                update((d) => {
                  d.channels.push(newChannel(k, d.channels.length + 1));
                  return d;
                })
              }
            >
              {t(`admin.notify.add.${k}` as MessageKey)}
            </button>
          ))}
        </div>
      </section>

      <section aria-labelledby="h-rules" className="rg-section">
        <h3 id="h-rules">{t('admin.notify.rules')}</h3>
        {draft.rules.length === 0 && <p className="rg-muted">{t('admin.notify.noRules')}</p>}
        {draft.rules.map((r, i) => {
          const p = `rule${i}`;
          const channel = draft.channels.find((c) => c.id === r.channel);
          return (
            <fieldset key={i} className="rg-fieldset" data-testid={`rule-${i}`}>
              <legend>{t('admin.notify.rule', { n: i + 1 })}</legend>
              {text(`${p}-id`, t('admin.notify.ruleId'), r.id, (v) => setRule(i, { id: v }))}
              <CheckSet
                legend={t('admin.notify.on')}
                options={TRIGGERS}
                selected={r.on}
                label={(tr) => t(`admin.notify.trigger.${tr}` as MessageKey)}
                disabled={readOnly}
                onChange={(on) => setRule(i, { on })}
              />
              <div className="rg-field">
                <label htmlFor={`${p}-channel`}>{t('admin.notify.channel')}</label>
                <select
                  id={`${p}-channel`}
                  className="rg-select"
                  value={r.channel}
                  disabled={readOnly}
                  onChange={(e) => setRule(i, { channel: e.target.value })}
                >
                  {!channelIds.includes(r.channel) && <option value={r.channel}>{r.channel || '—'}</option>}
                  {channelIds.map((id) => (
                    <option key={id} value={id}>
                      {id}
                    </option>
                  ))}
                </select>
              </div>
              {channel?.kind === 'email' && (
                <>
                  <CheckSet
                    legend={t('admin.notify.roles')}
                    options={ROLES}
                    selected={r.roles}
                    label={(role) => t(`admin.notify.role.${role}` as MessageKey)}
                    disabled={readOnly}
                    onChange={(roles) => setRule(i, { roles })}
                  />
                  {text(`${p}-addresses`, t('admin.notify.addresses'), r.addresses, (v) =>
                    setRule(i, { addresses: v }),
                  )}
                </>
              )}
              {text(`${p}-projects`, t('admin.notify.projects'), r.projects, (v) =>
                setRule(i, { projects: v }),
              )}
              <div className="rg-field">
                <label htmlFor={`${p}-language`}>{t('admin.notify.language')}</label>
                <select
                  id={`${p}-language`}
                  className="rg-select"
                  value={r.language}
                  disabled={readOnly}
                  onChange={(e) => setRule(i, { language: e.target.value as Locale })}
                >
                  <option value="ru">{t('lang.ru')}</option>
                  <option value="en">{t('lang.en')}</option>
                </select>
              </div>
              <Check
                checked={r.quietHours}
                disabled={readOnly}
                onChange={(v) => setRule(i, { quietHours: v })}
              >
                {t('admin.notify.quietHours')}
              </Check>
              <Check checked={r.digest} disabled={readOnly} onChange={(v) => setRule(i, { digest: v })}>
                {t('admin.notify.digest')}
              </Check>
              <button
                type="button"
                className="rg-button"
                disabled={readOnly}
                onClick={() =>
                  update((d) => {
                    d.rules.splice(i, 1);
                    return d;
                  })
                }
              >
                {t('common.remove')}
              </button>
            </fieldset>
          );
        })}
        <button
          type="button"
          className="rg-button"
          data-testid="add-rule"
          disabled={readOnly || draft.channels.length === 0}
          onClick={() =>
            update((d) => {
              d.rules.push({
                id: `rule-${d.rules.length + 1}`,
                on: ['breached'],
                channel: d.channels[0]!.id,
                roles: ['assignee'],
                projects: '',
                addresses: '',
                language: env.locale,
                quietHours: true,
                digest: false,
              });
              return d;
            })
          }
        >
          {t('admin.notify.add.rule')}
        </button>
      </section>

      <section aria-labelledby="h-preview" className="rg-section">
        <h3 id="h-preview">{t('admin.notify.preview')}</h3>
        <div className="rg-row">
          <div className="rg-field">
            <label htmlFor="notify-preview-trigger">{t('admin.notify.on')}</label>
            <select
              id="notify-preview-trigger"
              className="rg-select"
              value={preview.trigger}
              onChange={(e) => setPreview((x) => ({ ...x, trigger: e.target.value as Trigger }))}
            >
              {TRIGGERS.map((tr) => (
                <option key={tr} value={tr}>
                  {t(`admin.notify.trigger.${tr}` as MessageKey)}
                </option>
              ))}
            </select>
          </div>
          <div className="rg-field">
            <label htmlFor="notify-preview-language">{t('admin.notify.language')}</label>
            <select
              id="notify-preview-language"
              className="rg-select"
              value={preview.language}
              onChange={(e) => setPreview((x) => ({ ...x, language: e.target.value as Locale }))}
            >
              <option value="ru">{t('lang.ru')}</option>
              <option value="en">{t('lang.en')}</option>
            </select>
          </div>
        </div>
        {rendered && (
          <div data-testid="notify-preview">
            <p>
              <strong>{t('admin.notify.subject')}:</strong>{' '}
              <span data-testid="notify-preview-subject">{rendered.subject}</span>
            </p>
            <pre className="rg-small" data-testid="notify-preview-text" style={{ whiteSpace: 'pre-wrap' }}>
              {rendered.text}
            </pre>
            <iframe
              title={t('admin.notify.preview')}
              sandbox=""
              data-testid="notify-preview-frame"
              src={`/admin/notifications/preview.html?trigger=${preview.trigger}&language=${preview.language}`}
              style={{ width: '100%', maxWidth: 640, height: 260, border: '1px solid var(--rg-border)' }}
            />
          </div>
        )}
      </section>

      <section aria-labelledby="h-outbox" className="rg-section">
        <h3 id="h-outbox">{t('admin.notify.outbox')}</h3>
        {status && status.outbox.pending.length + status.outbox.failed.length === 0 && (
          <p className="rg-muted">{t('admin.notify.outbox.empty')}</p>
        )}
        {status && status.outbox.pending.length + status.outbox.failed.length > 0 && (
          <div style={{ overflowX: 'auto' }}>
            <table className="rg-table" data-testid="notify-outbox">
              <thead>
                <tr>
                  <th>{t('admin.notify.outbox.state')}</th>
                  <th>{t('admin.notify.subject')}</th>
                  <th>{t('admin.notify.channel')}</th>
                  <th>{t('admin.notify.outbox.notBefore')}</th>
                  <th>{t('admin.notify.outbox.error')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {[...status.outbox.failed, ...status.outbox.pending].map((m) => (
                  <tr key={m.key}>
                    <td>
                      {t(
                        m.status === 'failed' ? 'admin.notify.outbox.failed' : 'admin.notify.outbox.pending',
                      )}
                    </td>
                    <td>{m.subject}</td>
                    <td>{m.channel}</td>
                    <td>{new Date(m.notBefore).toLocaleString(env.locale === 'ru' ? 'ru-RU' : 'en-GB')}</td>
                    <td className="rg-small">{m.lastError}</td>
                    <td>
                      {m.status === 'failed' && (
                        <button
                          type="button"
                          className="rg-button"
                          disabled={readOnly}
                          onClick={() => void retry([m.key])}
                        >
                          {t('common.retry')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="rg-row">
          <button type="button" className="rg-button" onClick={() => void loadStatus()}>
            {t('admin.notify.outbox.refresh')}
          </button>
          {status && status.outbox.failed.length > 1 && (
            <button type="button" className="rg-button" disabled={readOnly} onClick={() => void retry()}>
              {t('admin.notify.outbox.retryAll')}
            </button>
          )}
        </div>
      </section>
    </div>
  );
}

/** One checkbox with its label. */
function Check(props: {
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <label className="rg-check">
      <input
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.children}
    </label>
  );
}

/** A set of checkboxes choosing some of `options` (kept in the options' order). */
function CheckSet<T extends string>(props: {
  legend: string;
  options: readonly T[];
  selected: readonly T[];
  label: (option: T) => string;
  disabled: boolean;
  onChange: (selected: T[]) => void;
}): JSX.Element {
  return (
    <fieldset className="rg-fieldset">
      <legend>{props.legend}</legend>
      {props.options.map((o) => (
        <Check
          key={o}
          checked={props.selected.includes(o)}
          disabled={props.disabled}
          onChange={(on) =>
            props.onChange(props.options.filter((x) => (x === o ? on : props.selected.includes(x))))
          }
        >
          {props.label(o)}
        </Check>
      ))}
    </fieldset>
  );
}
