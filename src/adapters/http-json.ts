/**
 * A small JSON-over-HTTP client shared by the Yandex Tracker, Zammad and GLPI adapters (issue #18):
 * global fetch, per-request headers from the adapter (its credentials), a timeout per request,
 * bounded retries of 429 and 5xx answers and network errors (Retry-After honoured up to a cap,
 * otherwise exponential backoff with jitter). After the last retry it throws; the service's inbox
 * then retries the whole event later. Credentials never appear in errors or logs.
 */

import { isRetryableStatus, sendWithRetry, type RetryOptions } from './http-retry';

export interface HttpJsonOptions
  extends Partial<Pick<RetryOptions, 'timeoutMs' | 'retries'>>, Omit<RetryOptions, 'timeoutMs' | 'retries'> {
  /** The system's name in messages ("Yandex Tracker", "Zammad", "GLPI"). */
  system: string;
  baseUrl: string;
}

export class SourceHttpError extends Error {
  constructor(
    readonly system: string,
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly detail: string,
  ) {
    super(
      status === 0
        ? `${system} ${method} ${path} got no answer${detail ? `: ${detail}` : ''}`
        : `${system} ${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'SourceHttpError';
  }

  /** Whether a later attempt may succeed (the inbox retries those). */
  get transient(): boolean {
    return this.status === 0 || isRetryableStatus(this.status);
  }
}

/** An error body → one line (`errorMessages`, `error`, `message`, a GLPI `["ERROR_…","text"]` pair, or the text). */
function errorDetail(text: string): string {
  try {
    const j = JSON.parse(text) as unknown;
    if (Array.isArray(j)) return j.map(String).join(': ').slice(0, 500);
    if (j && typeof j === 'object') {
      const o = j as Record<string, unknown>;
      const msgs = o.errorMessages ?? o.errors ?? o.error ?? o.message;
      if (Array.isArray(msgs)) return msgs.map(String).join('; ').slice(0, 500);
      if (typeof msgs === 'string') return msgs.slice(0, 500);
      if (msgs && typeof msgs === 'object') return JSON.stringify(msgs).slice(0, 500);
    }
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

export interface HttpAnswer<T> {
  status: number;
  body: T | null;
  headers: Headers;
}

export class HttpJsonClient {
  private readonly base: string;
  /** Requests sent (each attempt counts), for tests and diagnostics. */
  requests = 0;

  constructor(private readonly o: HttpJsonOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /**
   * Sends a request with the given headers and returns the status, parsed JSON (null for empty
   * bodies) and headers.
   * @param allow404 answer 404 as `{ status: 404, body: null }` instead of throwing
   */
  async send<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
    allow404 = false,
  ): Promise<HttpAnswer<T>> {
    const pathOnly = path.split('?')[0]!;
    const { system } = this.o;
    const res = await sendWithRetry(
      { ...this.o, retries: this.o.retries ?? 3, timeoutMs: this.o.timeoutMs ?? 15_000 },
      {
        method,
        url: `${this.base}${path}`,
        path: pathOnly,
        headers,
        body,
        system,
        fail: (status, detail) => new SourceHttpError(system, status, method, pathOnly, detail),
        detailOf: errorDetail,
      },
      this,
    );
    if (res.ok)
      return {
        status: res.status,
        body: res.text.trim() === '' ? null : (JSON.parse(res.text) as T),
        headers: res.headers,
      };
    if (res.status === 404 && allow404) return { status: res.status, body: null, headers: res.headers };
    throw new SourceHttpError(system, res.status, method, pathOnly, errorDetail(res.text));
  }
}

/** A config problem: names the field and the value, like every input error. */
export class SourceConfigError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'SourceConfigError';
  }
}

/** Throws SourceConfigError unless `value` is a non-empty string. */
export function requireText(source: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new SourceConfigError(
      field,
      value,
      `source '${source}': ${field} must be a non-empty string, got ${JSON.stringify(value) ?? 'undefined'}`,
    );
  return value.trim();
}

/** Throws SourceConfigError unless `value` is an http(s) URL. */
export function requireUrl(source: string, field: string, value: unknown): string {
  const text = requireText(source, field, value);
  let ok = false;
  try {
    const u = new URL(text);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    ok = false;
  }
  if (!ok)
    throw new SourceConfigError(
      field,
      value,
      `source '${source}': ${field} must be an http(s) URL, got ${JSON.stringify(value)}`,
    );
  return text.replace(/\/+$/, '');
}

/** A code label from a field value: "High / Высокая", "high", a one-element array, a {display}/{name}/{key} object. */
export function labelText(v: unknown): string | null {
  if (Array.isArray(v)) return labelText(v[0]);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return labelText(o.display ?? o.name ?? o.value ?? o.key ?? null);
  }
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** Epoch ms of an instant in any ISO form with an offset (`+0000` included); null when unreadable. */
export function isoMs(v: unknown): number | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const m = /^(.*T[\d:.]+)([+-])(\d{2})(\d{2})$/.exec(v.trim());
  const text = m ? `${m[1]}${m[2]}${m[3]}:${m[4]}` : v.trim();
  if (!/(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** An instant as ISO UTC (`…Z`), or null when unreadable. */
export function isoUtc(v: unknown): string | null {
  const ms = isoMs(v);
  return ms === null ? null : new Date(ms).toISOString();
}
