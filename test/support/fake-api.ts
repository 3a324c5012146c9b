/**
 * A fake HTTP API for the source adapters' tests (issue #18): answers recorded fixtures by method and
 * path, checks the headers the real API requires (401 otherwise, as the real one does), and records
 * every call with its body.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type FakeRoutes = Record<string, (call: FakeCall) => FakeAnswer>;

/** A recorded fixture, parsed. */
export function fixture<T = unknown>(kind: string, file: string): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', kind, file), 'utf8')) as T;
}

/** The raw bytes of a fixture (webhook bodies are signed over the bytes). */
export function fixtureBytes(kind: string, file: string): Buffer {
  return readFileSync(join(__dirname, '..', 'fixtures', kind, file));
}

/**
 * A fetch answering `routes[`${method} ${pathname}`]`; `required` headers (lower-case name → value)
 * must be present on every call, else 401.
 */
export function fakeApi(routes: FakeRoutes, required: Record<string, string>) {
  const calls: FakeCall[] = [];
  const f = (async (url: string | URL, init?: RequestInit) => {
    const u = new URL(String(url));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init?.headers ?? {}) as Record<string, string>))
      headers[k.toLowerCase()] = v;
    const call: FakeCall = {
      method: init?.method ?? 'GET',
      path: u.pathname + u.search,
      headers,
      ...(init?.body ? { body: JSON.parse(String(init.body)) as unknown } : {}),
    };
    calls.push(call);
    for (const [k, v] of Object.entries(required))
      if (headers[k] !== v)
        return new Response(JSON.stringify({ errorMessages: [`missing or wrong ${k}`] }), { status: 401 });
    const route = routes[`${call.method} ${u.pathname}`];
    const r = route ? route(call) : { status: 404, body: { errorMessages: ['not found'] } };
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      ...(r.headers ? { headers: r.headers } : {}),
    });
  }) as typeof fetch;
  return { fetch: f, calls };
}

/** What `fn` throws (the adapters' config and payload errors name the field and the value). */
export function thrown<E = Error>(fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error('no error');
}
