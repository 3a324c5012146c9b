/**
 * A small REST client for Redmine (JSON API): global fetch, the `X-Redmine-API-Key` header, a timeout
 * per request, bounded retries of 429 and 5xx answers and network errors (Retry-After honoured up to a
 * cap, otherwise exponential backoff with jitter). After the last retry it throws; the service's inbox
 * then retries the whole event later. The key never appears in errors or logs.
 */

export interface RedmineClientOptions {
  baseUrl: string;
  apiKey: string;
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
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const RETRYABLE = (status: number) => status === 429 || status >= 500;

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

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export class RedmineClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  /** Requests sent (each attempt counts), for tests and diagnostics. */
  requests = 0;

  constructor(private readonly o: RedmineClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = o.fetch ?? globalThis.fetch;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = o.random ?? Math.random;
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
            'X-Redmine-API-Key': this.o.apiKey,
            Accept: 'application/json',
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        status = res.status;
        const text = await res.text();
        const date = Date.parse(res.headers.get('date') ?? '');
        const dateMs = Number.isFinite(date) ? date : null;
        if (res.ok) return { body: (text.trim() === '' ? undefined : (JSON.parse(text) as T)) as T, dateMs };
        if (status === 404 && allow404) return { body: null, dateMs };
        detail = errorDetail(text);
        if (!RETRYABLE(status)) throw new RedmineHttpError(status, method, pathOnly, detail);
        wait = retryAfterMs(res.headers.get('retry-after'));
      } catch (e) {
        if (e instanceof RedmineHttpError) throw e;
        const err = e as Error;
        detail = err.name === 'TimeoutError' ? `no answer within ${this.o.timeoutMs} ms` : err.message;
      }
      if (attempt >= this.o.retries) throw new RedmineHttpError(status, method, pathOnly, detail);
      const backoff = Math.min(maxWait, 500 * 2 ** attempt);
      const delay = Math.min(maxWait, wait ?? backoff / 2 + (backoff / 2) * this.random());
      this.o.log?.warn(
        { method, path: pathOnly, status, attempt: attempt + 1, retryInMs: Math.round(delay) },
        'Redmine request failed; retrying',
      );
      await this.sleep(delay);
    }
  }

  get<T>(path: string, allow404 = false): Promise<T | null> {
    return this.request<T>('GET', path, undefined, allow404);
  }
}
