/**
 * A small REST client for Jira Data Center/Server: global fetch, personal access token (Bearer) or
 * basic auth, a timeout per request, bounded retries of 429 and 5xx answers and network errors
 * (Retry-After honoured up to a cap, otherwise exponential backoff with jitter). After the last
 * retry it throws; the service's inbox then retries the whole event later. Credentials never appear
 * in errors or logs.
 */

export type JiraAuth = { kind: 'bearer'; token: string } | { kind: 'basic'; user: string; password: string };

export interface JiraClientOptions {
  baseUrl: string;
  auth: JiraAuth;
  timeoutMs: number;
  /** Extra attempts after the first, for 429/5xx/network failures. */
  retries: number;
  /** Longest wait between attempts, whatever Retry-After says (ms). */
  maxRetryWaitMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: { warn(obj: Record<string, unknown>, msg: string): void };
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
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
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
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Requests sent (each attempt counts), for tests and diagnostics. */
  requests = 0;

  constructor(private readonly o: JiraClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.authHeader =
      o.auth.kind === 'bearer'
        ? `Bearer ${o.auth.token}`
        : `Basic ${Buffer.from(`${o.auth.user}:${o.auth.password}`, 'utf8').toString('base64')}`;
    this.fetchImpl = o.fetch ?? globalThis.fetch;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
  }

  /**
   * Sends a request and returns the parsed JSON (undefined for 204).
   * @param allow404 return null on 404 instead of throwing
   */
  async request<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | null> {
    const url = `${this.base}${path}`;
    const pathOnly = path.split('?')[0]!;
    const maxWait = this.o.maxRetryWaitMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let detail = '';
      let wait: number | undefined;
      try {
        this.requests += 1;
        const res = await this.fetchImpl(url, {
          method,
          headers: {
            Authorization: this.authHeader,
            Accept: 'application/json',
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
            // Jira DC refuses cookie-less writes from browsers without this; harmless for a server.
            'X-Atlassian-Token': 'no-check',
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        status = res.status;
        const text = await res.text();
        if (res.ok) return (text === '' ? undefined : (JSON.parse(text) as T)) as T;
        if (status === 404 && allow404) return null;
        detail = errorDetail(text);
        if (!RETRYABLE(status))
          throw new JiraHttpError(status, method, pathOnly, detail, fieldErrorsOf(text));
        wait = retryAfterMs(res.headers.get('retry-after'), Date.now());
      } catch (e) {
        if (e instanceof JiraHttpError) throw e;
        const err = e as Error;
        detail = err.name === 'TimeoutError' ? `no answer within ${this.o.timeoutMs} ms` : err.message;
      }
      if (attempt >= this.o.retries) throw new JiraHttpError(status, method, pathOnly, detail);
      const backoff = Math.min(maxWait, 500 * 2 ** attempt);
      const delay = Math.min(maxWait, wait ?? backoff / 2 + (backoff / 2) * this.random());
      this.o.log?.warn(
        { method, path: pathOnly, status, attempt: attempt + 1, retryInMs: Math.round(delay) },
        'Jira request failed; retrying',
      );
      await this.sleep(delay);
    }
  }

  get<T>(path: string, allow404 = false): Promise<T | null> {
    return this.request<T>('GET', path, undefined, allow404);
  }
}
