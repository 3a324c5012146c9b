/**
 * Jira REST over `@forge/api` (`api.asApp().requestJira(route)`), with bounded retries: 429 and 5xx
 * are retried up to `maxTries` times in all, waiting Retry-After (when Jira sends it) or an exponential
 * backoff, plus jitter; then a RetryableError. Every call is counted per endpoint.
 */
import { retryAfterMs as readRetryAfter } from '../http-retry';
import api, { route, type Route } from '@forge/api';
import { JiraError, RetryableError } from './errors';

/** The smallest response shape the client needs (what @forge/api returns). */
export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export type Transport = (
  path: Route,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<TransportResponse>;

export interface ClientOptions {
  transport?: Transport;
  /** Attempts in all, including the first (default 4). */
  maxTries?: number;
  /** First backoff when Jira gives no Retry-After (ms, doubled each try; default 1000). */
  baseDelayMs?: number;
  /** Longest wait inside one invocation (ms, default 20000); a longer Retry-After is left to the queue. */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const asAppTransport: Transport = (path, init) => api.asApp().requestJira(path, init);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads Retry-After (seconds or an HTTP date) as ms; null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  return readRetryAfter(value, nowMs) ?? null;
}

export class JiraClient {
  /** Calls per endpoint, e.g. `POST /rest/api/3/search/jql` → 3 (retries included). */
  readonly calls = new Map<string, number>();
  /** Waits taken before retries (ms), for diagnostics and tests. */
  readonly waits: number[] = [];
  private readonly transport: Transport;
  private readonly maxTries: number;
  private readonly baseDelayMs: number;
  private readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: ClientOptions = {}) {
    this.transport = options.transport ?? asAppTransport;
    this.maxTries = options.maxTries ?? 4;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.maxWaitMs = options.maxWaitMs ?? 20_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** Total calls made (all endpoints). */
  get totalCalls(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  /**
   * One Jira call. `endpoint` names it for counting (`GET /rest/api/3/issue/{key}`).
   * @returns the status and parsed JSON body (null for empty bodies); 404 is returned, not thrown.
   */
  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    endpoint: string,
    path: Route,
    body?: unknown,
  ): Promise<{ status: number; data: T | null }> {
    const init = {
      method,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    };
    const name = `${method} ${endpoint}`;
    for (let attempt = 1; ; attempt++) {
      this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
      let res: TransportResponse;
      try {
        res = await this.transport(path, init);
      } catch (e) {
        if (attempt >= this.maxTries)
          throw new RetryableError(`${name}: ${(e as Error).message}`, this.backoff(attempt) / 1000, null);
        await this.wait(this.backoff(attempt));
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        const hinted = retryAfterMs(res.headers.get('retry-after'), Date.now());
        const delay = this.withJitter(hinted ?? this.backoff(attempt));
        if (attempt >= this.maxTries || delay > this.maxWaitMs) {
          await res.text().catch(() => '');
          throw new RetryableError(
            `${name}: HTTP ${res.status} after ${attempt} attempt(s)`,
            Math.ceil(delay / 1000),
            res.status,
          );
        }
        await res.text().catch(() => '');
        await this.wait(delay);
        continue;
      }
      const text = await res.text();
      if (res.status === 404) return { status: 404, data: null };
      if (res.status >= 400)
        throw new JiraError(`${name}: HTTP ${res.status}: ${text.slice(0, 500)}`, res.status, text);
      return { status: res.status, data: text.trim() === '' ? null : (JSON.parse(text) as T) };
    }
  }

  private backoff(attempt: number): number {
    return this.baseDelayMs * 2 ** (attempt - 1);
  }

  /** Adds up to 20 % (at most 1 s) of random jitter so parallel invocations do not retry in step. */
  private withJitter(ms: number): number {
    return ms + Math.floor(this.random() * Math.min(1000, ms * 0.2 + 50));
  }

  /** Waits `ms` (an asynchronous task's polling), through the injected sleep; recorded in `waits`. */
  async pause(ms: number): Promise<void> {
    await this.wait(ms);
  }

  private async wait(ms: number): Promise<void> {
    this.waits.push(ms);
    await this.sleep(ms);
  }
}

export { route };
