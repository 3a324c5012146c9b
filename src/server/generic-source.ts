/**
 * Issue #18: the `generic` source kind. A generic source has no port of its own: each delivery IS
 * the ticket's state. Without a mapping the body is a contract snapshot (as POST /webhooks/generic);
 * with a JSONata `mapping` (docs/generic-source.md) any JSON or form body is mapped to a snapshot,
 * which the layer validates with the snapshot schema (src/contract/snapshot-schema.ts) and evaluates.
 */
import jsonata from 'jsonata';
import { SourcePayloadError, type TicketSource } from '../app/source';
import type { SourceConfig } from './source-config';

/** Evaluations of a mapping stop after this many milliseconds (a runaway recursion). */
export const MAPPING_TIMEOUT_MS = 1000;
/** …or this many nested calls. */
export const MAPPING_MAX_DEPTH = 200;

/** JSONata's objects have no prototype and its sequences are arrays with flags: plain JSON out. */
function plain(v: unknown): unknown {
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
}

/**
 * Evaluates a JSONata mapping on a body. `$now()` is the service's clock.
 * @throws SourcePayloadError naming `mapping` and the JSONata message.
 */
export async function evaluateMapping(expression: string, body: unknown, nowMs: number): Promise<unknown> {
  let expr: jsonata.Expression;
  try {
    // jsonata's own guardrails: a runaway expression stops with D1011 (depth) or D1012 (time).
    expr = jsonata(expression, { timeout: MAPPING_TIMEOUT_MS, stack: MAPPING_MAX_DEPTH });
  } catch (e) {
    const err = e as { message?: string; position?: number };
    throw new SourcePayloadError(
      'mapping',
      expression.slice(0, 80),
      `the mapping is not a valid JSONata expression: ${err.message ?? String(e)}${err.position !== undefined ? ` (at character ${err.position})` : ''}`,
    );
  }
  expr.registerFunction('now', () => new Date(nowMs).toISOString(), '<:s>');
  let out: unknown;
  try {
    out = plain(await expr.evaluate(body));
  } catch (e) {
    const err = e as { message?: string; position?: number; token?: string };
    throw new SourcePayloadError(
      'mapping',
      err.token ?? null,
      `the mapping failed on this payload: ${err.message ?? String(e)}${err.position !== undefined ? ` (at character ${err.position})` : ''}`,
    );
  }
  if (out === undefined || out === null || typeof out !== 'object' || Array.isArray(out))
    throw new SourcePayloadError(
      'mapping',
      out ?? null,
      `the mapping must produce one snapshot object, got ${out === undefined ? 'nothing' : JSON.stringify(out).slice(0, 80)}`,
    );
  return out;
}

/** The key a source gives a ticket: its prefix before the system's own key (once). */
export function prefixed(prefix: string | undefined, key: string): string {
  return prefix && !key.startsWith(prefix) ? `${prefix}${key}` : key;
}

export function createGenericSource(config: SourceConfig, ctx: { now: () => number }): TicketSource {
  const { mapping, keyPrefix } = config;
  return {
    name: config.name,
    kind: 'generic',
    ...(config.auth ? { auth: config.auth } : {}),
    async mapSnapshot(body: unknown): Promise<unknown> {
      let snap: unknown = body;
      if (mapping !== undefined) snap = await evaluateMapping(mapping, body, ctx.now());
      else if (snap && typeof snap === 'object' && 'snapshot' in snap)
        snap = (snap as { snapshot: unknown }).snapshot;
      if (keyPrefix && snap && typeof snap === 'object') {
        const s = snap as Record<string, unknown>;
        if (typeof s.key === 'string') return { ...s, key: prefixed(keyPrefix, s.key) };
      }
      return snap;
    },
    ticketUrl: (key) => {
      const tpl = config.options?.ticketUrl;
      if (typeof tpl !== 'string') return null;
      const own = keyPrefix && key.startsWith(keyPrefix) ? key.slice(keyPrefix.length) : key;
      return tpl.replace('{key}', encodeURIComponent(own));
    },
    owns: (key) => (keyPrefix ? key.startsWith(keyPrefix) : false),
  };
}
