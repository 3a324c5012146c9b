/**
 * The one typed client of the UI↔backend contract (api.ts). Every screen calls the backend through
 * `createClient(transport).call(name, request)`; the transport decides how the call travels:
 *
 * - inside Jira (a Forge Custom UI iframe, where `window.__bridge` exists): `invoke(name, payload)` of
 *   `@forge/bridge`, loaded lazily so the bundle runs outside Jira too (the bridge throws at import
 *   time when there is no host);
 * - in the self-hosted service: `POST /api/<name>` with the request as JSON, and the session's CSRF
 *   token (the `reglament_csrf` cookie) echoed in `X-CSRF-Token`.
 *
 * @example
 * const client = createClient(autoTransport());
 * const view = await client.call('getIssueSla', { key: 'SUP-101' }); // typed IssueSlaView
 */
import type { ApiName, ApiRequest, ApiResponse } from './api';

/** Carries one call: its name and JSON-serialisable payload in, the JSON response out. */
export type Transport = (name: ApiName, payload: unknown) => Promise<unknown>;

export interface Client {
  call<N extends ApiName>(name: N, request: ApiRequest<N>): Promise<ApiResponse<N>>;
}

/**
 * A call the backend refused or could not answer; `status` is the HTTP status (0 for Forge).
 * `messageCode` and `params` (when the backend sent them) name the message the UI shows translated
 * (`error.<messageCode>` in static/shared/i18n.ts); `message` is the backend's English text.
 */
export class ApiCallError extends Error {
  constructor(
    readonly call: string,
    readonly status: number,
    message: string,
    readonly messageCode?: string,
    readonly params?: Record<string, string | number>,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** The typed client over a transport. */
export function createClient(transport: Transport): Client {
  return {
    call: async <N extends ApiName>(name: N, request: ApiRequest<N>) =>
      (await transport(name, request)) as ApiResponse<N>,
  };
}

interface FetchLike {
  (
    url: string,
    init: { method: string; headers: Record<string, string>; body: string; credentials?: 'same-origin' },
  ): Promise<{ ok: boolean; status: number; text(): Promise<string> }>;
}

/** The self-hosted service's CSRF token of the signed-in session (a readable cookie), if any. */
export function csrfFromCookie(
  cookie: string | undefined = (globalThis as { document?: { cookie?: string } }).document?.cookie,
): string | null {
  if (!cookie) return null;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'reglament_csrf') return decodeURIComponent(v.join('='));
  }
  return null;
}

/**
 * `POST <base>/api/<name>` with a JSON body. A non-2xx answer becomes an `ApiCallError` carrying the
 * server's `{ error }` / `{ message }` text when it sent one.
 */
export function httpTransport(base = '', fetchImpl?: FetchLike): Transport {
  return async (name, payload) => {
    const doFetch = fetchImpl ?? (globalThis.fetch as unknown as FetchLike);
    const csrf = csrfFromCookie();
    const res = await doFetch(`${base}/api/${name}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
      },
      body: JSON.stringify(payload ?? {}),
      credentials: 'same-origin',
    });
    const text = await res.text();
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!res.ok) {
      const b = body as
        { error?: unknown; message?: unknown; messageCode?: unknown; params?: unknown } | string | undefined;
      const detail =
        typeof b === 'string'
          ? b
          : typeof b?.message === 'string'
            ? b.message
            : typeof b?.error === 'string'
              ? b.error
              : `HTTP ${res.status}`;
      const code = typeof b === 'object' && typeof b?.messageCode === 'string' ? b.messageCode : undefined;
      const params =
        typeof b === 'object' && b?.params && typeof b.params === 'object'
          ? (b.params as Record<string, string | number>)
          : undefined;
      throw new ApiCallError(name, res.status, detail, code, params);
    }
    return body;
  };
}

type InvokeFn = (name: string, payload?: Record<string, unknown>) => Promise<unknown>;

/**
 * Forge `invoke(name, payload)`. `@forge/bridge` is imported on the first call only, so merely
 * bundling this module never touches the bridge outside Jira.
 */
export function forgeTransport(loadInvoke?: () => Promise<InvokeFn>): Transport {
  let invokeP: Promise<InvokeFn> | undefined;
  const load =
    loadInvoke ?? (async (): Promise<InvokeFn> => (await import('@forge/bridge')).invoke as InvokeFn);
  return async (name, payload) => {
    invokeP ??= load();
    const invoke = await invokeP;
    try {
      return await invoke(name, (payload ?? {}) as Record<string, unknown>);
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      // a resolver's message code rides at the end: `forbidden: … [[{"messageCode":"admin-only"}]]`
      const m = /\s*\[\[(\{.*\})\]\]\s*$/.exec(text);
      if (m) {
        try {
          const d = JSON.parse(m[1]!) as { messageCode?: unknown; params?: unknown };
          if (typeof d.messageCode === 'string')
            throw new ApiCallError(
              name,
              0,
              text.slice(0, m.index),
              d.messageCode,
              d.params && typeof d.params === 'object'
                ? (d.params as Record<string, string | number>)
                : undefined,
            );
        } catch (parsed) {
          if (parsed instanceof ApiCallError) throw parsed;
        }
      }
      throw new ApiCallError(name, 0, text);
    }
  };
}

/** Whether this page runs inside a Forge Custom UI iframe (the host injects `__bridge`). */
export function isForgeHost(g: unknown = globalThis): boolean {
  const bridge = (g as { __bridge?: { callBridge?: unknown } }).__bridge;
  return typeof bridge?.callBridge === 'function';
}

/** Forge inside Jira, HTTP elsewhere. */
export function autoTransport(g: unknown = globalThis): Transport {
  return isForgeHost(g) ? forgeTransport() : httpTransport();
}
