/**
 * A small REST client for Jira Data Center/Server: global fetch, personal access token (Bearer) or
 * basic auth, a timeout per request, bounded retries of 429 and 5xx answers and network errors
 * (Retry-After honoured up to a cap, otherwise exponential backoff with jitter). After the last
 * retry it throws; the service's inbox then retries the whole event later. Credentials never appear
 * in errors or logs.
 */

import { isRetryableStatus, sendWithRetry, type RetryOptions } from '../http-retry';

export { retryAfterMs } from '../http-retry';

export type JiraAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

export interface JiraClientOptions extends RetryOptions {
  baseUrl: string;
  auth: JiraAuth;
}

export class JiraHttpError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    detail: string,
    /** Jira's per-field `errors` of a 400 (field id → message), e.g. a field not on the screen. */
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(
      status === 0
        ? `Jira ${method} ${path} got no answer${detail ? `: ${detail}` : ''}`
        : `Jira ${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`,
    );
    this.name = 'JiraHttpError';
  }

  /** Whether a later attempt may succeed (the inbox retries those). */
  get transient(): boolean {
    return this.status === 0 || isRetryableStatus(this.status);
  }
}

/** Jira's per-field `errors` of an error body (field id → message). */
function fieldErrorsOf(text: string): Record<string, string> {
  try {
    const j = JSON.parse(text) as { errors?: unknown };
    if (j.errors && typeof j.errors === 'object' && !Array.isArray(j.errors))
      return Object.fromEntries(
        Object.entries(j.errors as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      );
  } catch {
    // not JSON
  }
  return {};
}

/** Jira's error body → one readable line (`errorMessages` and `errors` of its JSON). */
function errorDetail(text: string): string {
  try {
    const j = JSON.parse(text) as { errorMessages?: unknown; errors?: unknown; message?: unknown };
    const parts: string[] = [];
    if (Array.isArray(j.errorMessages)) parts.push(...j.errorMessages.map(String));
    if (j.errors && typeof j.errors === 'object')
      parts.push(
        ...Object.entries(j.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${String(v)}`),
      );
    if (typeof j.message === 'string') parts.push(j.message);
    if (parts.length > 0) return parts.join('; ').slice(0, 500);
  } catch {
    // not JSON
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

export class JiraClient {
  private readonly base: string;
  private readonly authHeader: string;
  /** Requests sent (each attempt counts), for tests and diagnostics. */
  requests = 0;

  constructor(private readonly o: JiraClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.authHeader =
      o.auth.kind === 'bearer'
        ? `Bearer ${o.auth.token}`
        : `Basic ${Buffer.from(`${o.auth.user}:${o.auth.password}`, 'utf8').toString('base64')}`;
  }

  /**
   * Sends a request and returns the parsed JSON (undefined for 204).
   * @param allow404 return null on 404 instead of throwing
   */
  async request<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | null> {
    const pathOnly = path.split('?')[0]!;
    const res = await sendWithRetry(
      this.o,
      {
        method,
        url: `${this.base}${path}`,
        path: pathOnly,
        headers: {
          Authorization: this.authHeader,
          // Jira DC refuses cookie-less writes from browsers without this; harmless for a server.
          'X-Atlassian-Token': 'no-check',
        },
        body,
        system: 'Jira',
        fail: (status, detail) => new JiraHttpError(status, method, pathOnly, detail),
        detailOf: errorDetail,
      },
      this,
    );
    if (res.ok) return (res.text === '' ? undefined : (JSON.parse(res.text) as T)) as T;
    if (res.status === 404 && allow404) return null;
    throw new JiraHttpError(res.status, method, pathOnly, errorDetail(res.text), fieldErrorsOf(res.text));
  }

  get<T>(path: string, allow404 = false): Promise<T | null> {
    return this.request<T>('GET', path, undefined, allow404);
  }
}
