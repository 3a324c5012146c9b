/**
 * Issue #18: the source registry. The `sources` of the configuration (src/server/source-config.ts)
 * become TicketSource adapters (src/app/source.ts) through one factory per kind; the layer then
 *
 *  - receives `POST /webhooks/<name>`: verify (the source's auth scheme) → parse (JSON or a form post)
 *    → `parseEvent` → one inbox event per ticket (source = the name, subject = `<name>:<key>`,
 *    idempotent by the delivery id, else the body's digest) → 202; a snapshot source (kind generic,
 *    no port) maps the body (`mapSnapshot`), validates and evaluates it → 200 with the verdict;
 *  - processes those events in the worker: re-reads the ticket through the source's port and runs
 *    `onIssueChange` with deps whose ticket port is that source's (a failing event stays in the inbox
 *    and is retried, like every inbox event);
 *  - polls the sources that can be polled (`poll`) with a cursor document per source
 *    (`source-cursor:<name>`);
 *  - sweeps each source's own records (`owns`).
 *
 * Adding a kind is one line in SOURCE_FACTORIES below.
 */
import type { AppDeps } from '../app/deps';
import { onIssueChange, onIssueDeleted } from '../app/issue-change';
import {
  SourcePayloadError,
  type IncomingDelivery,
  type SourceEvent,
  type SourceKind,
  type TicketSource,
} from '../app/source';
import { describeAuth } from '../app/webhook-auth';
import { createGenericSource } from './generic-source';
import { glpiFactory, yandexTrackerFactory, zammadFactory } from './source-adapters';
import type { SourceConfig } from './source-config';
import type { InboxPort } from './storage';
import { bodyDigest } from './signature';
import { PermanentError, type WorkItem } from './worker';

export interface SourceContext {
  now: () => number;
  log: { warn(obj: object, msg: string): void };
  /** The API adapters' HTTP client (tests inject a fake system; global fetch otherwise). */
  fetch?: typeof fetch;
}

/** Builds one kind's adapter from its configuration entry. */
export type SourceFactory = (config: SourceConfig, ctx: SourceContext) => TicketSource;

/**
 * One factory per kind (the API adapters' in src/server/source-adapters.ts). Jira DC and Redmine run
 * today as the implicit sources of REGLAMENT_JIRA_* / REGLAMENT_REDMINE_*.
 */
export const SOURCE_FACTORIES: Partial<Record<SourceKind, SourceFactory>> = {
  generic: createGenericSource,
  'yandex-tracker': (c, ctx) => yandexTrackerFactory(c, ctx),
  zammad: (c, ctx) => zammadFactory(c, ctx),
  glpi: (c, ctx) => glpiFactory(c, ctx),
};

/** What the admin page shows of a source's traffic (kept in memory since the start). */
export interface SourceStatus {
  deliveries: number;
  lastDeliveryMs: number | null;
  lastError: { atMs: number; message: string } | null;
}

/** One source as the admin page lists it (secrets never included). */
export interface SourceInfo {
  name: string;
  kind: SourceKind;
  /** Declared in `sources`, or implicit (REGLAMENT_JIRA_*, REGLAMENT_REDMINE_*, the generic webhook). */
  implicit: boolean;
  webhookPath: string | null;
  auth: string;
  polled: boolean;
  keyPrefix: string | null;
  fields: Record<string, unknown>;
  mapping: string | null;
  status: SourceStatus;
}

export interface ImplicitSource {
  name: 'jira' | 'redmine' | 'generic';
  kind: SourceKind;
  webhookPath: string | null;
  auth: string;
  polled: boolean;
  keyPrefix: string | null;
  fields: Record<string, unknown>;
}

/** Cursor document of a polled source. */
export const sourceCursorDoc = (name: string): string => `source-cursor:${name}`;

export class SourceRegistry {
  private readonly byName = new Map<string, { config: SourceConfig; source: TicketSource }>();
  private readonly statuses = new Map<string, SourceStatus>();

  constructor(
    entries: readonly { config: SourceConfig; source: TicketSource }[],
    private readonly implicit: readonly ImplicitSource[] = [],
  ) {
    for (const e of entries) this.byName.set(e.config.name, e);
  }

  /** A declared source by name (not the implicit ones, which keep their own routes). */
  get(name: string): TicketSource | undefined {
    return this.byName.get(name)?.source;
  }

  configOf(name: string): SourceConfig | undefined {
    return this.byName.get(name)?.config;
  }

  /** The declared sources. */
  sources(): TicketSource[] {
    return [...this.byName.values()].map((e) => e.source);
  }

  /** The declared source with a port that owns `key`, if any (sweeps: each source's own keys). */
  ownerOf(key: string): TicketSource | undefined {
    return this.sources().find((s) => s.port && s.owns(key));
  }

  status(name: string): SourceStatus {
    let s = this.statuses.get(name);
    if (!s) {
      s = { deliveries: 0, lastDeliveryMs: null, lastError: null };
      this.statuses.set(name, s);
    }
    return s;
  }

  noteDelivery(name: string, atMs: number): void {
    const s = this.status(name);
    s.deliveries++;
    s.lastDeliveryMs = atMs;
  }

  noteError(name: string, atMs: number, message: string): void {
    this.status(name).lastError = { atMs, message: message.slice(0, 500) };
  }

  /** Every source, implicit first, for the admin page. */
  list(): SourceInfo[] {
    const out: SourceInfo[] = this.implicit.map((i) => ({
      ...i,
      implicit: true,
      mapping: null,
      status: { ...this.status(i.name) },
    }));
    for (const { config, source } of this.byName.values())
      out.push({
        name: config.name,
        kind: config.kind,
        implicit: false,
        webhookPath: source.parseEvent || source.mapSnapshot ? `/webhooks/${config.name}` : null,
        auth: describeAuth(config.auth ?? { scheme: 'none' }),
        polled: source.poll !== undefined && (config.pollSeconds ?? 60) > 0,
        keyPrefix: config.keyPrefix ?? null,
        fields: config.fields ?? {},
        mapping: config.mapping ?? null,
        status: { ...this.status(config.name) },
      });
    return out;
  }
}

/**
 * Builds the registry. A kind without a factory in this build, or a source that can neither receive
 * nor be polled, is a configuration error naming the source.
 */
export function createRegistry(
  configs: readonly SourceConfig[],
  ctx: SourceContext,
  implicit: readonly ImplicitSource[] = [],
  factories: Partial<Record<SourceKind, SourceFactory>> = SOURCE_FACTORIES,
): SourceRegistry {
  const entries: { config: SourceConfig; source: TicketSource }[] = [];
  for (const config of configs) {
    const factory = factories[config.kind];
    if (!factory)
      throw new Error(
        `sources[${config.name}].kind: no adapter for kind '${config.kind}' in this build (available: ${Object.keys(factories).join(', ')}${config.kind === 'jira-dc' || config.kind === 'redmine' ? `; use REGLAMENT_${config.kind === 'redmine' ? 'REDMINE' : 'JIRA'}_* for one ${config.kind === 'redmine' ? 'Redmine' : 'Jira DC'}` : ''})`,
      );
    const source = factory(config, ctx);
    const receives = source.parseEvent !== undefined || source.mapSnapshot !== undefined;
    if (receives && !config.auth)
      throw new Error(
        `sources[${config.name}].auth: a source that receives webhooks needs an authentication scheme (e.g. {"scheme":"hmac-sha256","secret":"…"}; {"scheme":"none"} only on a trusted network)`,
      );
    if (source.parseEvent && !source.port)
      throw new Error(
        `sources[${config.name}]: the ${config.kind} adapter parses events but has no port to read tickets`,
      );
    entries.push({ config, source });
  }
  return new SourceRegistry(entries, implicit);
}

/**
 * A delivery's body as JSON: a JSON text, or a form post (application/x-www-form-urlencoded, Bitrix24)
 * as nested objects (`auth[domain]=x` → `{ auth: { domain: 'x' } }`).
 * @throws SourcePayloadError naming `body`.
 */
export function parseDeliveryBody(d: IncomingDelivery): unknown {
  const ct = d.headers['content-type'];
  const type = (Array.isArray(ct) ? ct[0] : ct) ?? '';
  const text = d.rawBody.toString('utf8');
  if (/^application\/x-www-form-urlencoded/i.test(type)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(text)) {
      const parts = k.split(/\[|\]\[|\]$/).filter((p, i) => i === 0 || p !== '');
      // A key that would reach an object's prototype is dropped whole.
      if (parts.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) continue;
      let o = out;
      parts.forEach((p, i) => {
        if (i === parts.length - 1) o[p] = v;
        else {
          if (typeof o[p] !== 'object' || o[p] === null) o[p] = {};
          o = o[p] as Record<string, unknown>;
        }
      });
    }
    return out;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new SourcePayloadError(
      'body',
      text.slice(0, 40),
      `the body is not valid JSON: ${(e as Error).message}`,
    );
  }
}

/** The inbox key of one ticket of a delivery: the delivery id (or body digest) and the ticket key. */
export function sourceEventKey(
  name: string,
  ev: SourceEvent,
  body: Buffer,
  deliveryId: string | null,
): string {
  const id = ev.deliveryId ?? deliveryId;
  const base =
    id && id.length <= 100 && /^[\x21-\x7e]+$/.test(id)
      ? `${name}:id:${id}`
      : `${name}:sha256:${bodyDigest(id ? Buffer.from(id) : body)}`;
  const key = `${base}#${ev.key}`;
  return key.length <= 200 ? key : `${name}:sha256:${bodyDigest(Buffer.from(key))}`;
}

/** The stored payload of a source's ticket event. */
export interface SourceIssuePayload {
  key: string;
  type?: string;
  occurredAt?: string;
}

/**
 * The worker's part: a declared source's `issue` / `issue-deleted` events re-read the ticket through
 * its port; `snapshot` events are the caller's (generic processing). Returns false for events of no
 * declared source.
 */
export async function handleSourceItem(
  registry: SourceRegistry,
  depsOf: (source: TicketSource) => AppDeps | null,
  item: WorkItem,
  now: () => number,
): Promise<boolean> {
  const source = registry.get(item.source);
  if (!source) return false;
  if (item.type !== 'issue' && item.type !== 'issue-deleted') return false;
  let payload: SourceIssuePayload;
  try {
    payload = JSON.parse(item.payload) as SourceIssuePayload;
  } catch {
    throw new PermanentError('stored payload is not JSON');
  }
  if (typeof payload.key !== 'string' || payload.key === '')
    throw new PermanentError('stored payload lacks key');
  const deps = depsOf(source);
  if (!deps) throw new PermanentError(`source ${source.name} has no port to read ${payload.key}`);
  try {
    // A deletion is trusted only when the system confirms it (ports that can ask: `issueExists`).
    const exists = (source.port as { issueExists?: (key: string) => Promise<boolean> } | undefined)
      ?.issueExists;
    if (item.type === 'issue-deleted' && exists && !(await exists.call(source.port, payload.key)))
      await onIssueDeleted(deps, payload.key);
    else await onIssueChange(deps, payload.key);
  } catch (e) {
    registry.noteError(source.name, now(), `${payload.key}: ${(e as Error).message ?? String(e)}`);
    throw e;
  }
  return true;
}

/**
 * One poll of a source: the keys changed since its stored cursor go to the inbox (one event per key
 * and cursor), then the cursor moves. A failure leaves the cursor where it was (the next poll retries).
 */
export async function pollSource(d: {
  source: TicketSource;
  docs: { getDoc(name: string): unknown; putDoc(name: string, doc: string, nowMs: number): unknown };
  inbox: Pick<InboxPort, 'enqueueBatch'>;
  now: () => number;
}): Promise<number> {
  const { source } = d;
  if (!source.poll) return 0;
  const stored = await d.docs.getDoc(sourceCursorDoc(source.name));
  const cursor = typeof stored === 'string' ? stored : null;
  const { keys, cursor: next } = await source.poll(cursor);
  let enqueued = 0;
  if (keys.length > 0) {
    const added = await d.inbox.enqueueBatch(
      [...new Set(keys)].map((key) => ({
        key: `${source.name}:poll:${next.length <= 80 ? next : bodyDigest(Buffer.from(next))}#${key}`.slice(
          0,
          250,
        ),
        source: source.name,
        type: 'issue',
        subject: `${source.name}:${key}`,
        payload: JSON.stringify({ key } satisfies SourceIssuePayload),
      })),
      d.now(),
    );
    enqueued = added.filter(Boolean).length;
  }
  await d.docs.putDoc(sourceCursorDoc(source.name), next, d.now());
  return enqueued;
}
