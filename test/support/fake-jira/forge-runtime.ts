/**
 * A stand-in for the Forge runtime's transport, so the real @forge/api, @forge/kvs, @forge/sql and
 * @forge/events code runs in tests. Those packages send every call through
 * `global.__forge_fetch__(meta, path, init)` (see node_modules/@forge/api/out/api/fetch.js); this
 * routes it:
 *   - `requestJira` (remote 'jira')  → the fake Jira over real HTTP (asUser calls carry X-Fake-User);
 *   - KVS (type 'kvs')               → an in-memory map implementing the KVS HTTP protocol;
 *   - Forge SQL (type 'sql')         → a given executor (a real MariaDB server in the tests);
 *   - queue pushes (remote 'stargate', /webhook/queue/publish/…) → an in-memory queue that
 *     `drainQueue` delivers to the consumer, honouring InvocationError retries.
 */
export interface QueuedEvent {
  body: Record<string, unknown>;
  retryCount: number;
}

export type SqlExecutor = (query: string, params: unknown[], ddl: boolean) => Promise<{ rows: unknown }>;

export interface FakeForge {
  kvs: Map<string, unknown>;
  secrets: Map<string, unknown>;
  queue: QueuedEvent[];
  /** Every push, in order. */
  pushed: Record<string, unknown>[];
  /** Every pushed event as sent (body and options such as `concurrency`), in order. */
  pushedEntries: Record<string, unknown>[];
  /** InvocationError retries the consumer asked for. */
  retries: { body: Record<string, unknown>; retryAfter: number; reason: string }[];
  /** The calling user for asUser() calls (resolvers). */
  user: string | null;
  uninstall(): void;
}

type Meta = { type?: string; provider?: string; remote?: string };
type Init = { method?: string; headers?: Record<string, string>; body?: string };

const json = (status: number, body: unknown): Response =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

export function installFakeForge(opts: { jiraUrl: string; sql?: SqlExecutor }): FakeForge {
  const g = globalThis as unknown as { __forge_fetch__?: unknown; __forge_runtime__?: unknown };
  const previous = { fetch: g.__forge_fetch__, runtime: g.__forge_runtime__ };
  const state: FakeForge = {
    kvs: new Map(),
    secrets: new Map(),
    queue: [],
    pushed: [],
    pushedEntries: [],
    retries: [],
    user: null,
    uninstall: () => {
      g.__forge_fetch__ = previous.fetch;
      g.__forge_runtime__ = previous.runtime;
    },
  };

  const kvsCall = (path: string, body: Record<string, unknown>): Response => {
    const secret = path.includes('/secret/');
    const map = secret ? state.secrets : state.kvs;
    const key = String(body.key);
    if (path.endsWith('/get')) {
      if (!map.has(key)) return json(404, { code: 'KEY_NOT_FOUND', message: `no key ${key}` });
      return json(200, { key, value: structuredClone(map.get(key)) });
    }
    if (path.endsWith('/set')) {
      map.set(key, structuredClone(body.value));
      return new Response(null, { status: 204 });
    }
    if (path.endsWith('/delete')) {
      map.delete(key);
      return new Response(null, { status: 204 });
    }
    return json(400, { code: 'UNSUPPORTED', message: `fake KVS does not implement ${path}` });
  };

  g.__forge_runtime__ = undefined;
  g.__forge_fetch__ = async (meta: Meta, path: string, init: Init = {}) => {
    if (meta.type === 'kvs') return kvsCall(path, JSON.parse(init.body ?? '{}'));
    if (meta.type === 'sql') {
      if (!opts.sql) return json(500, { code: 'NO_SQL', message: 'no SQL backend in this test' });
      const { query, params } = JSON.parse(init.body ?? '{}') as { query: string; params: unknown[] };
      try {
        return json(200, await opts.sql(query, params ?? [], path.endsWith('/ddl')));
      } catch (e) {
        return json(400, { code: 'SQL_EXECUTION_ERROR', message: (e as Error).message });
      }
    }
    if (meta.remote === 'stargate' && path.startsWith('/webhook/queue/publish/')) {
      const push = JSON.parse(init.body ?? '{}') as { payload: { body: Record<string, unknown> }[] };
      for (const e of push.payload) {
        state.pushed.push(e.body);
        state.pushedEntries.push(e);
        state.queue.push({ body: e.body, retryCount: 0 });
      }
      return json(201, {});
    }
    if (meta.remote === 'jira') {
      const headers = { ...(init.headers ?? {}) };
      if (meta.provider === 'user' && state.user) headers['x-fake-user'] = state.user;
      return fetch(`${opts.jiraUrl}${path}`, { ...init, headers } as RequestInit);
    }
    return json(501, { message: `fake Forge runtime: no route for ${JSON.stringify(meta)} ${path}` });
  };
  return state;
}

/**
 * Delivers queued events to the consumer until the queue is empty (at most `limit` deliveries). An
 * InvocationError result puts the event back with its retry count increased (Forge retries it later).
 */
export async function drainQueue(
  forge: FakeForge,
  consume: (event: {
    body: Record<string, unknown>;
    retryContext?: { retryCount: number };
  }) => Promise<unknown>,
  limit = 1000,
): Promise<number> {
  let delivered = 0;
  while (forge.queue.length > 0 && delivered < limit) {
    const e = forge.queue.shift()!;
    delivered += 1;
    const result = (await consume({
      body: e.body,
      ...(e.retryCount > 0 ? { retryContext: { retryCount: e.retryCount } } : {}),
    })) as { _retry?: boolean; retryOptions?: { retryAfter: number; retryReason: string } } | undefined;
    if (result && result._retry) {
      forge.retries.push({
        body: e.body,
        retryAfter: result.retryOptions?.retryAfter ?? 0,
        reason: result.retryOptions?.retryReason ?? '',
      });
      if (e.retryCount < 4) forge.queue.push({ body: e.body, retryCount: e.retryCount + 1 });
    }
  }
  return delivered;
}
