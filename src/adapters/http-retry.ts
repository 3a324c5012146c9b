/**
 * One request/retry loop for the REST clients of the ticket systems (Jira Data Center, Redmine and the
 * other sources): global fetch, a timeout per attempt, bounded retries of 429 and 5xx answers and of
 * network errors — Retry-After honoured up to a cap, otherwise exponential backoff with jitter. After
 * the last attempt it throws the client's own error; the service's inbox then retries the whole event
 * later. Credentials live in the headers the caller passes and never appear in errors or logs.
 */

export interface RetryOptions {
  timeoutMs: number;
  /** Extra attempts after the first, for 429/5xx/network failures. */
  retries: number;
  /** Longest wait between attempts, whatever Retry-After says (ms; default 30 s). */
  maxRetryWaitMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: { warn(obj: Record<string, unknown>, msg: string): void };
}

/** What a request answered: the status, the body's text and the headers. */
export interface HttpAnswer {
  status: number;
  ok: boolean;
  text: string;
  headers: Headers;
}

export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** Retry-After in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

export interface RetryingRequest {
  method: string;
  url: string;
  /** The path without its query, for errors and logs. */
  path: string;
  headers: Record<string, string>;
  /** Sent as JSON when defined. */
  body?: unknown;
  /** The system's name in log lines ("Jira", "Redmine"). */
  system: string;
  /**
   * The client's error for a failed request: `status` 0 when nothing answered; `text` is the answer's
   * body (empty without one), `detail` one readable line of it or of the network error.
   */
  fail(status: number, detail: string, text: string): Error;
  /** The system's error body → one readable line. */
  detailOf(text: string): string;
}

/**
 * Sends `r`, retrying 429, 5xx and network failures. Returns any answer that is not retryable (a 2xx,
 * or a 4xx for the caller to read); throws `r.fail(…)` once the retries are spent.
 */
export async function sendWithRetry(
  o: RetryOptions,
  r: RetryingRequest,
  counter?: { requests: number },
): Promise<HttpAnswer> {
  const fetchImpl = o.fetch ?? globalThis.fetch;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const random = o.random ?? Math.random;
  const maxWait = o.maxRetryWaitMs ?? 30_000;
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let detail = '';
    let text = '';
    let wait: number | undefined;
    try {
      if (counter) counter.requests += 1;
      const res = await fetchImpl(r.url, {
        method: r.method,
        headers: {
          Accept: 'application/json',
          ...(r.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...r.headers,
        },
        ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
        signal: AbortSignal.timeout(o.timeoutMs),
      });
      status = res.status;
      text = await res.text();
      if (!isRetryableStatus(status)) return { status, ok: res.ok, text, headers: res.headers };
      detail = r.detailOf(text);
      wait = retryAfterMs(res.headers.get('retry-after'), Date.now());
    } catch (e) {
      const err = e as Error;
      detail = err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : err.message;
    }
    if (attempt >= o.retries) throw r.fail(status, detail, text);
    const backoff = Math.min(maxWait, 500 * 2 ** attempt);
    const delay = Math.min(maxWait, wait ?? backoff / 2 + (backoff / 2) * random());
    o.log?.warn(
      { method: r.method, path: r.path, status, attempt: attempt + 1, retryInMs: Math.round(delay) },
      `${r.system} request failed; retrying`,
    );
    await sleep(delay);
  }
}
