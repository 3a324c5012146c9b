/**
 * A small REST client for Redmine (JSON API): global fetch, the `X-Redmine-API-Key` header, a timeout
 * per request, bounded retries of 429 and 5xx answers and network errors (Retry-After honoured up to a
 * cap, otherwise exponential backoff with jitter). After the last retry it throws; the service's inbox
 * then retries the whole event later. The key never appears in errors or logs.
 */

import { isRetryableStatus, sendWithRetry, type RetryOptions } from '../http-retry';

export interface RedmineClientOptions extends RetryOptions {
  baseUrl: string;
  apiKey: string;
}

export class RedmineHttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super(
      status === 0
        ? `Redmine ${method} ${path} got no answer${detail ? `: ${detail}` : ''}`
        : `Redmine ${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'RedmineHttpError';
  }

  /** Whether a later attempt may succeed (the inbox retries those). */
  get transient(): boolean {
    return this.status === 0 || isRetryableStatus(this.status);
  }
}

/** Redmine's error body (`{"errors":["Due date must be greater than start date"]}`) → one line. */
function errorDetail(text: string): string {
  try {
    const j = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(j.errors) && j.errors.length > 0) return j.errors.map(String).join('; ').slice(0, 500);
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

export class RedmineClient {
  private readonly base: string;
  /** Requests sent (each attempt counts), for tests and diagnostics. */
  requests = 0;

  constructor(private readonly o: RedmineClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /**
   * Sends a request and returns the parsed JSON (undefined for 204 and empty bodies).
   * @param allow404 return null on 404 instead of throwing
   */
  async request<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | null> {
    return (await this.exchange<T>(method, path, body, allow404)).body;
  }

  /**
   * A GET that also returns Redmine's clock: the answer's `Date` header (epoch ms, whole seconds), or
   * null when absent. The poller uses it to know whether a second of `updated_on` is over.
   */
  getWithDate<T>(path: string): Promise<{ body: T | null; dateMs: number | null }> {
    return this.exchange<T>('GET', path, undefined, false);
  }

  private async exchange<T>(
    method: string,
    path: string,
    body: unknown,
    allow404: boolean,
  ): Promise<{ body: T | null; dateMs: number | null }> {
    const pathOnly = path.split('?')[0]!;
    const res = await sendWithRetry(
      this.o,
      {
        method,
        url: `${this.base}${path}`,
        path: pathOnly,
        headers: { 'X-Redmine-API-Key': this.o.apiKey },
        body,
        system: 'Redmine',
        fail: (status, detail) => new RedmineHttpError(status, method, pathOnly, detail),
        detailOf: errorDetail,
      },
      this,
    );
    const date = Date.parse(res.headers.get('date') ?? '');
    const dateMs = Number.isFinite(date) ? date : null;
    if (res.ok)
      return { body: (res.text.trim() === '' ? undefined : (JSON.parse(res.text) as T)) as T, dateMs };
    if (res.status === 404 && allow404) return { body: null, dateMs };
    throw new RedmineHttpError(res.status, method, pathOnly, errorDetail(res.text));
  }

  get<T>(path: string, allow404 = false): Promise<T | null> {
    return this.request<T>('GET', path, undefined, allow404);
  }
}
