/**
 * The admin page's "Sources" tab (issue #18, self-hosted service only): the ticket systems the
 * service listens to (GET /admin/sources) with kind, webhook URL, authentication scheme (never a
 * secret), last delivery and last error, each source's field mapping, and for generic sources the
 * JSONata expression editor with "Test with a sample payload" (POST /admin/sources/test), which shows
 * the mapped snapshot and the verdict, or the problems naming field and value.
 *
 * Sources are declared in the configuration (docs/sources.md); the page tests expressions, the
 * administrator copies a tested one into the configuration.
 */
import React, { useEffect, useState } from 'react';
import { csrfFromCookie } from '../../src/contract/client';
import { dateTimeIn } from '../shared/format';
import { useUi } from '../shared/ui';

interface SourceRow {
  name: string;
  kind: string;
  implicit: boolean;
  webhookUrl: string | null;
  auth: string;
  polled: boolean;
  keyPrefix: string | null;
  fields: Record<string, unknown>;
  mapping: string | null;
  status: {
    deliveries: number;
    lastDeliveryMs: number | null;
    lastError: { atMs: number; message: string } | null;
  };
}

interface TestResult {
  ok: boolean;
  snapshot: unknown;
  verdict?: {
    priority: { kind: string; value: number; class: string } | null;
    reaction: { due: string | null } | null;
    fix: { due: string | null } | null;
    missing: string[];
  };
  message?: string;
  problems?: { path: string; message: string; value?: unknown }[];
}

const SAMPLE = JSON.stringify(
  {
    ticket: {
      id: 42,
      title: 'Reports fail',
      created_at: '2026-03-06T13:30:00Z',
      priority: { name: '3 high' },
    },
  },
  null,
  2,
);

const NEW_MAPPING = `{
  "key": "Z-" & $string(ticket.id),
  "kind": "incident",
  "registeredAt": ticket.created_at,
  "impact": ticket.priority.name = "3 high" ? "high" : "medium",
  "urgency": "high",
  "mode": "operation",
  "nature": "failure"
}`;

const csrfHeader = (): Record<string, string> => {
  const token = csrfFromCookie();
  return token ? { 'x-csrf-token': token } : {};
};

const zone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', ...init });
  const body = (await res.json()) as T & { message?: string };
  if (!res.ok) throw new Error(body.message ?? `HTTP ${res.status}`);
  return body;
}

export function SourcesTab() {
  const { t, env } = useUi();
  const [rows, setRows] = useState<SourceRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string>('');
  const [mapping, setMapping] = useState(NEW_MAPPING);
  const [payload, setPayload] = useState(SAMPLE);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);

  useEffect(() => {
    if (env.forge) return;
    getJson<{ sources: SourceRow[] }>('/admin/sources').then(
      (r) => {
        setRows(r.sources);
        const first = r.sources.find((s) => !s.implicit && s.kind === 'generic' && s.mapping);
        if (first) {
          setSelected(first.name);
          setMapping(first.mapping!);
        }
      },
      (e: Error) => setError(e.message),
    );
  }, []);

  if (env.forge)
    return (
      <p className="rg-banner rg-banner-info" data-testid="sources-unavailable">
        {t('admin.sources.unavailable')}
      </p>
    );

  const pick = (name: string) => {
    setSelected(name);
    const row = rows?.find((r) => r.name === name);
    setMapping(row?.mapping ?? NEW_MAPPING);
    setResult(null);
  };

  const runTest = async () => {
    let sample: unknown;
    try {
      sample = JSON.parse(payload);
    } catch (e) {
      setResult({
        ok: false,
        snapshot: null,
        message: t('admin.sources.badJson', { message: (e as Error).message }),
        problems: [],
      });
      return;
    }
    setTesting(true);
    try {
      const r = await getJson<TestResult>('/admin/sources/test', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          // The session's CSRF token (the service refuses a cookie-signed POST without it).
          ...csrfHeader(),
        },
        body: JSON.stringify({ mapping, payload: sample, ...(selected ? { source: selected } : {}) }),
      });
      setResult(r);
    } catch (e) {
      setResult({ ok: false, snapshot: null, message: (e as Error).message, problems: [] });
    } finally {
      setTesting(false);
    }
  };

  const when = (ms: number) => dateTimeIn(new Date(ms).toISOString(), zone(), env.locale);
  const generic = (rows ?? []).filter((r) => !r.implicit && r.kind === 'generic');
  const v = result?.verdict;

  return (
    <div data-testid="sources-tab">
      <section aria-labelledby="h-sources" className="rg-section">
        <h2 id="h-sources">{t('admin.sources.title')}</h2>
        <p className="rg-muted">{t('admin.sources.help')}</p>
        {error && (
          <p className="rg-banner rg-banner-error" role="alert">
            {error}
          </p>
        )}
        {rows && rows.length === 0 && <p className="rg-muted">{t('admin.sources.none')}</p>}
        {rows && rows.length > 0 && (
          <table className="rg-table" data-testid="sources-list">
            <thead>
              <tr>
                <th scope="col">{t('admin.sources.name')}</th>
                <th scope="col">{t('admin.sources.kind')}</th>
                <th scope="col">{t('admin.sources.webhook')}</th>
                <th scope="col">{t('admin.sources.auth')}</th>
                <th scope="col">{t('admin.sources.last')}</th>
                <th scope="col">{t('admin.sources.lastError')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.name} data-testid={`source-${r.name}`}>
                  <th scope="row">
                    {r.name}
                    {r.implicit && <div className="rg-muted rg-small">{t('admin.sources.implicit')}</div>}
                  </th>
                  <td>{r.kind}</td>
                  <td>
                    {r.webhookUrl ? (
                      <code>
                        {r.webhookUrl.startsWith('/') ? `${location.origin}${r.webhookUrl}` : r.webhookUrl}
                      </code>
                    ) : (
                      ''
                    )}
                    {r.polled && <div className="rg-muted rg-small">{t('admin.sources.polled')}</div>}
                  </td>
                  <td>{r.auth}</td>
                  <td>
                    {r.status.lastDeliveryMs ? when(r.status.lastDeliveryMs) : t('admin.sources.never')}
                  </td>
                  <td data-testid={`source-${r.name}-error`}>
                    {r.status.lastError
                      ? `${when(r.status.lastError.atMs)}: ${r.status.lastError.message}`
                      : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {rows
        ?.filter((r) => !(r.kind === 'generic' && r.implicit))
        .map((r) => (
          <section key={r.name} className="rg-section" aria-labelledby={`h-fields-${r.name}`}>
            <h3 id={`h-fields-${r.name}`}>
              {t('admin.sources.fields')}: {r.name}
            </h3>
            {Object.keys(r.fields).length === 0 ? (
              <p className="rg-muted">{t('admin.sources.noFields')}</p>
            ) : (
              <table className="rg-table" data-testid={`fields-${r.name}`}>
                <thead>
                  <tr>
                    <th scope="col">{t('admin.sources.field')}</th>
                    <th scope="col">{t('admin.sources.theirs')}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(r.fields).map(([k, val]) => (
                    <tr key={k}>
                      <th scope="row">{k}</th>
                      <td>
                        <code>{typeof val === 'string' ? val : JSON.stringify(val)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        ))}

      <section aria-labelledby="h-mapping" className="rg-section">
        <h2 id="h-mapping">{t('admin.sources.mapping')}</h2>
        <p className="rg-muted">{t('admin.sources.mappingHelp')}</p>
        <div className="rg-field">
          <label htmlFor="src-test-source">{t('admin.sources.testSource')}</label>
          <select
            id="src-test-source"
            className="rg-input"
            value={selected}
            onChange={(e) => pick(e.target.value)}
          >
            <option value="">{t('admin.sources.newMapping')}</option>
            {generic.map((g) => (
              <option key={g.name} value={g.name}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
        <div className="rg-field">
          <label htmlFor="src-mapping">{t('admin.sources.mapping')}</label>
          <textarea
            id="src-mapping"
            className="rg-input rg-input-wide"
            rows={10}
            spellCheck={false}
            value={mapping}
            onChange={(e) => setMapping(e.target.value)}
          />
        </div>
        <div className="rg-field">
          <label htmlFor="src-payload">{t('admin.sources.payload')}</label>
          <textarea
            id="src-payload"
            className="rg-input rg-input-wide"
            rows={10}
            spellCheck={false}
            value={payload}
            onChange={(e) => setPayload(e.target.value)}
          />
        </div>
        <button
          type="button"
          className="rg-button rg-button-primary"
          data-testid="source-test"
          disabled={testing}
          onClick={() => void runTest()}
        >
          {testing ? t('admin.sources.testing') : t('admin.sources.test')}
        </button>
        {result && (
          <div data-testid="source-test-result" role="status">
            {v && (
              <>
                <h3>{t('admin.sources.verdict')}</h3>
                <p data-testid="source-test-verdict">
                  {t('admin.sources.verdictLine', {
                    priority: v.priority ? `${v.priority.value} (${v.priority.class})` : '—',
                    reaction: v.reaction?.due ? dateTimeIn(v.reaction.due, zone(), env.locale) : '—',
                    fix: v.fix?.due ? dateTimeIn(v.fix.due, zone(), env.locale) : '—',
                  })}
                </p>
              </>
            )}
            {!result.ok && (
              <div className="rg-banner rg-banner-error" role="alert" data-testid="source-test-problems">
                <strong>{t('admin.sources.problems')}</strong>
                {result.message && <p>{result.message}</p>}
                <ul>
                  {(result.problems ?? []).map((p, i) => (
                    <li key={i}>
                      <code>{p.path}</code>: {p.message}
                    </li>
                  ))}
                </ul>
              </div>
            )}
            {result.snapshot !== null && result.snapshot !== undefined && (
              <>
                <h3>{t('admin.sources.snapshot')}</h3>
                <pre data-testid="source-test-snapshot">{JSON.stringify(result.snapshot, null, 2)}</pre>
              </>
            )}
          </div>
        )}
      </section>
    </div>
  );
}
