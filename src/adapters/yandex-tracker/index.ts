/**
 * Yandex Tracker as a ticket source (issue #18), over its public API v3 (docs: yandex.ru/support/tracker,
 * sources in yandex-cloud/docs `en/tracker/concepts/issues/*`):
 *
 * - push:   a queue trigger's "HTTP request" action posts a user-defined body; we recommend
 *           `{"key":"{{issue.key}}","updatedAt":"{{issue.updatedAt.iso8601}}"}` with the trigger's
 *           OAuth 2.0 authorization (token type Bearer) — see docs/yandex-tracker.md
 * - read:   GET /v3/issues/{key} (fields, queue, type, status, createdBy, deadline) and
 *           GET /v3/issues/{key}/changelog (paged by the `Link: rel="next"` header): comments, status
 *           and assignee changes by others than the author are reactions, status moves to a `done`
 *           status are the resolution, changes of the mapped fields are the input history
 * - write:  PATCH /v3/issues/{key} (`deadline`, the SLA fields, `priority`): the answer is the edited
 *           issue, so what Tracker did not keep is reported as refused without another read
 * - search: POST /v3/issues/_search with the configured queues (page by page) for the sweep
 * - lookups: GET /v3/statuses (which status keys are of type done or cancelled), cached
 *
 * Headers: `Authorization: OAuth <token>` (or `Bearer <IAM token>`), `X-Org-ID` (Yandex 360) or
 * `X-Cloud-Org-ID` (Yandex Cloud Organization).
 */
import type { JiraPort, RefusedField, Settings, ShownValues, Ticket, WriteReport } from '../../app/ports';
import {
  SourcePayloadError,
  type IncomingDelivery,
  type SourceEvent,
  type TicketSource,
  type WebhookAuth,
} from '../../app/source';
import type { ReactionEvent } from '../../domain/snapshot';
import { inputHistory, type ChangelogHistory } from '../changelog-history';
import {
  HttpJsonClient,
  SourceConfigError,
  SourceHttpError,
  isoUtc,
  labelText,
  requireText,
  requireUrl,
  type HttpJsonOptions,
} from '../http-json';
import {
  INPUT_ROLES,
  assembleTicket,
  authorRole,
  checkFieldMap,
  deadlineChange,
  type SourceFieldMap,
} from '../source-common';

export interface YandexTrackerConfig {
  /** The source's unique name (its webhook is POST /webhooks/<name>). */
  name: string;
  /** OAuth token, or an IAM token with `tokenType: 'Bearer'`. */
  token: string;
  tokenType?: 'OAuth' | 'Bearer';
  /** Exactly one of: the Yandex 360 organization id (X-Org-ID) or the Cloud organization id (X-Cloud-Org-ID). */
  orgId?: string;
  cloudOrgId?: string;
  /** API base; default https://api.tracker.yandex.net. */
  apiUrl?: string;
  /** Browser base for links; default https://tracker.yandex.ru. */
  webUrl?: string;
  /** Queue keys of this source (its tickets, the sweep's search); empty = any key. */
  queues?: string[];
  /** role → Tracker field id (`impact`, or a local field `<queue id>--impact`). */
  fields?: SourceFieldMap;
  /** The service's own Tracker user id: its changes (our writes) are no reaction. */
  selfUserId?: string;
  /** When set, only these user ids react (support staff); otherwise anyone but the author. */
  agentUserIds?: string[];
  /** The token the trigger sends as `Authorization: Bearer …`. */
  webhookToken?: string;
  http?: Partial<Omit<HttpJsonOptions, 'system' | 'baseUrl'>>;
  now?: () => number;
}

/** Default field ids when none are configured (the keys a Tracker admin gives the global fields). */
export const DEFAULT_TRACKER_FIELDS: Required<SourceFieldMap> = {
  impact: 'impact',
  urgency: 'urgency',
  mode: 'mode',
  nature: 'nature',
  workaround: 'workaround',
  slaPriority: 'slaPriority',
  slaDeadline: 'slaDeadline',
  slaState: 'slaState',
};

const KEY = /^([A-Z][A-Z0-9_]*)-(\d+)$/;

interface Ref {
  id?: string;
  key?: string;
  display?: string;
}

export interface TrackerIssue {
  id: string;
  key: string;
  summary?: string;
  type?: Ref;
  queue?: Ref;
  status?: Ref;
  priority?: Ref;
  createdBy?: Ref;
  assignee?: Ref | null;
  createdAt?: string;
  updatedAt?: string;
  resolvedAt?: string | null;
  deadline?: string | null;
  [field: string]: unknown;
}

export interface TrackerChange {
  id: string;
  updatedAt: string;
  updatedBy?: Ref;
  type: string;
  fields?: { field: Ref; from: unknown; to: unknown }[];
  comments?: { added?: Ref[] };
}

/** Checks a configuration; throws SourceConfigError naming the field and the value. */
export function checkYandexTrackerConfig(c: YandexTrackerConfig): YandexTrackerConfig {
  const name = requireText('yandex-tracker', 'name', c.name);
  requireText(name, 'token', c.token);
  if (c.tokenType !== undefined && c.tokenType !== 'OAuth' && c.tokenType !== 'Bearer')
    throw new SourceConfigError(
      'tokenType',
      c.tokenType,
      `source '${name}': tokenType must be 'OAuth' or 'Bearer', got ${JSON.stringify(c.tokenType)}`,
    );
  if ((c.orgId === undefined) === (c.cloudOrgId === undefined))
    throw new SourceConfigError(
      'orgId',
      c.orgId ?? c.cloudOrgId,
      `source '${name}': set exactly one of orgId (Yandex 360, X-Org-ID) and cloudOrgId (Yandex Cloud, X-Cloud-Org-ID)`,
    );
  if (c.orgId !== undefined) requireText(name, 'orgId', c.orgId);
  if (c.cloudOrgId !== undefined) requireText(name, 'cloudOrgId', c.cloudOrgId);
  if (c.apiUrl !== undefined) requireUrl(name, 'apiUrl', c.apiUrl);
  if (c.webUrl !== undefined) requireUrl(name, 'webUrl', c.webUrl);
  for (const [i, q] of (c.queues ?? []).entries())
    if (typeof q !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(q))
      throw new SourceConfigError(
        `queues[${i}]`,
        q,
        `source '${name}': queues[${i}] must be a queue key in capitals (SUP), got ${JSON.stringify(q)}`,
      );
  checkFieldMap(name, 'fields', c.fields);
  if (c.webhookToken !== undefined) requireText(name, 'webhookToken', c.webhookToken);
  return c;
}

/** The status keys whose type is `done` or `cancelled` (GET /v3/statuses). */
type DoneStatuses = Set<string>;

/** The reactions in the changelog (SPEC §3): comments, status and assignee changes by others than the author. */
export function trackerReactions(
  issue: TrackerIssue,
  changes: readonly TrackerChange[],
  selfId: string | null,
  agents: ReadonlySet<string> | null,
): ReactionEvent[] {
  const reporter = issue.createdBy?.id ?? null;
  const out: ReactionEvent[] = [];
  for (const c of changes) {
    const who = c.updatedBy?.id;
    const at = isoUtc(c.updatedAt);
    if (!who || !at || who === selfId || c.type === 'IssueCreated') continue;
    const role = authorRole(who, reporter, agents);
    const types = new Set<ReactionEvent['type']>();
    if (c.type === 'IssueCommentAdded' || (c.comments?.added?.length ?? 0) > 0) types.add('comment');
    for (const f of c.fields ?? []) {
      if (f.field.id === 'status') types.add('status');
      if (f.field.id === 'assignee' && f.to) types.add('assignee');
    }
    for (const type of types) out.push({ at, type, authorRole: role });
  }
  return out;
}

/** When the issue was resolved: the newest move into a done status while it is done now; null while open. */
export function trackerResolvedAt(
  issue: TrackerIssue,
  changes: readonly TrackerChange[],
  done: DoneStatuses,
): string | null {
  if (!issue.status?.key || !done.has(issue.status.key)) return null;
  let at: string | null = null;
  for (const c of changes)
    for (const f of c.fields ?? []) {
      if (f.field.id !== 'status') continue;
      const to = (f.to as Ref | null)?.key;
      const from = (f.from as Ref | null)?.key;
      if (to && done.has(to) && !(from && done.has(from))) at = isoUtc(c.updatedAt) ?? at;
    }
  return at ?? isoUtc(issue.resolvedAt);
}

/** The issue with its changelog → the app's Ticket (null: no incident/error type, or out of scope). */
export function trackerTicket(
  issue: TrackerIssue,
  changes: readonly TrackerChange[],
  ctx: {
    settings: Settings;
    fields: Required<SourceFieldMap>;
    done: DoneStatuses;
    selfId: string | null;
    agents: ReadonlySet<string> | null;
  },
): Ticket | null {
  const f = ctx.fields;
  const histories: ChangelogHistory[] = changes.map((c) => ({
    created: c.updatedAt,
    author: c.updatedBy?.id ? { name: c.updatedBy.id, displayName: c.updatedBy.display ?? '' } : null,
    items: (c.fields ?? []).map((x) => ({
      fieldId: x.field.id ?? '',
      from: labelText(x.from),
      to: labelText(x.to),
    })),
  }));
  const ids = Object.fromEntries(INPUT_ROLES.map((r) => [r, f[r]]));
  return assembleTicket({
    settings: ctx.settings,
    id: issue.id,
    key: issue.key,
    project: issue.queue?.key ?? KEY.exec(issue.key)?.[1] ?? '',
    type: {
      ...(issue.type?.key ? { id: issue.type.key } : {}),
      ...(issue.type?.display ? { name: issue.type.display } : {}),
    },
    registeredAt: isoUtc(issue.createdAt),
    ...(issue.summary ? { summary: issue.summary } : {}),
    inputs: Object.fromEntries(INPUT_ROLES.map((r) => [r, issue[f[r]]])),
    reactions: trackerReactions(issue, changes, ctx.selfId, ctx.agents),
    resolvedAt: trackerResolvedAt(issue, changes, ctx.done),
    updatedAt: isoUtc(issue.updatedAt),
    history: inputHistory(histories, ids, (t) => isoUtc(t)),
    shown: {
      slaPriority: issue[f.slaPriority],
      slaState: issue[f.slaState],
      deadline: issue[f.slaDeadline],
      jiraPriority: issue.priority?.key ?? null,
      dueDate: typeof issue.deadline === 'string' ? issue.deadline : null,
    },
    assignee: issue.assignee?.id
      ? {
          accountId: issue.assignee.id,
          ...(issue.assignee.display ? { displayName: issue.assignee.display } : {}),
        }
      : null,
  });
}

/** The `Link` header's rel="next" URL, if any. */
function nextLink(headers: Headers): string | null {
  const link = headers.get('link');
  if (!link) return null;
  for (const part of link.split(/,(?=\s*<)/)) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1]!;
  }
  return null;
}

class TrackerPort implements JiraPort {
  readonly client: HttpJsonClient;
  private readonly headers: Record<string, string>;
  private readonly fields: Required<SourceFieldMap>;
  private statuses: { at: number; value: Promise<DoneStatuses> } | null = null;
  private readonly now: () => number;

  constructor(private readonly c: YandexTrackerConfig) {
    this.client = new HttpJsonClient({
      system: 'Yandex Tracker',
      baseUrl: c.apiUrl ?? 'https://api.tracker.yandex.net',
      ...c.http,
    });
    this.headers = {
      Authorization: `${c.tokenType ?? 'OAuth'} ${c.token}`,
      ...(c.orgId !== undefined ? { 'X-Org-ID': c.orgId } : { 'X-Cloud-Org-ID': c.cloudOrgId! }),
    };
    this.fields = { ...DEFAULT_TRACKER_FIELDS, ...c.fields };
    this.now = c.now ?? Date.now;
  }

  private done(): Promise<DoneStatuses> {
    if (this.statuses && this.now() - this.statuses.at < 5 * 60_000) return this.statuses.value;
    const value = this.client
      .send<{ key: string; type?: string }[]>('GET', '/v3/statuses', this.headers)
      .then(
        (r) =>
          new Set(
            (r.body ?? []).filter((s) => s.type === 'done' || s.type === 'cancelled').map((s) => s.key),
          ),
      )
      .catch((e: unknown) => {
        this.statuses = null;
        throw e;
      });
    this.statuses = { at: this.now(), value };
    return value;
  }

  private async issue(key: string): Promise<TrackerIssue | null> {
    try {
      return (
        await this.client.send<TrackerIssue>(
          'GET',
          `/v3/issues/${encodeURIComponent(key)}`,
          this.headers,
          undefined,
          true,
        )
      ).body;
    } catch (e) {
      if (e instanceof SourceHttpError && e.status === 403) return null;
      throw e;
    }
  }

  private async changelog(key: string): Promise<TrackerChange[]> {
    const out: TrackerChange[] = [];
    let path: string | null = `/v3/issues/${encodeURIComponent(key)}/changelog?perPage=100`;
    for (let page = 0; path && page < 100; page++) {
      const r: { body: TrackerChange[] | null; headers: Headers } = await this.client.send<TrackerChange[]>(
        'GET',
        path,
        this.headers,
      );
      out.push(...(r.body ?? []));
      const next = nextLink(r.headers);
      path = next ? next.replace(/^https?:\/\/[^/]+/, '') : null;
    }
    return out;
  }

  private ctx(settings: Settings, done: DoneStatuses) {
    return {
      settings,
      fields: this.fields,
      done,
      selfId: this.c.selfUserId ?? null,
      agents: this.c.agentUserIds ? new Set(this.c.agentUserIds) : null,
    };
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const key = keyOrId.trim();
    if (!KEY.test(key) && !/^[0-9a-f]{24}$/.test(key)) return null;
    const issue = await this.issue(key);
    if (!issue) return null;
    const [changes, done] = await Promise.all([this.changelog(issue.key), this.done()]);
    return trackerTicket(issue, changes, this.ctx(settings, done));
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>): Promise<WriteReport | void> {
    const body: Record<string, unknown> = {};
    const expect: { field: string; value: string }[] = [];
    const set = (field: string, value: string | number | null) => {
      body[field] = value;
      expect.push({ field, value: value === null ? '' : String(value) });
    };
    if (changes.slaPriority !== undefined) set(this.fields.slaPriority, changes.slaPriority);
    if (changes.slaState !== undefined) set(this.fields.slaState, changes.slaState);
    const deadline = deadlineChange(ticket.snapshot.kind, changes);
    if (deadline !== undefined) set(this.fields.slaDeadline, deadline);
    if (changes.dueDate !== undefined) set('deadline', changes.dueDate);
    if (typeof changes.jiraPriority === 'string' && changes.jiraPriority !== '') {
      body.priority = changes.jiraPriority;
      expect.push({ field: 'priority', value: changes.jiraPriority });
    }
    if (expect.length === 0) return;
    let after: TrackerIssue | null;
    try {
      after = (
        await this.client.send<TrackerIssue>(
          'PATCH',
          `/v3/issues/${encodeURIComponent(ticket.key)}`,
          this.headers,
          body,
        )
      ).body;
    } catch (e) {
      // 400/403/422: Tracker refused the whole edit (a field missing from the queue, a value it does not
      // accept): each value is reported; the record stays and the next change or sweep tries again.
      if (e instanceof SourceHttpError && !e.transient && e.status !== 401 && e.status !== 404)
        return { refused: expect.map((x) => ({ issueKey: ticket.key, field: x.field, message: e.message })) };
      throw e;
    }
    if (!after) return;
    const refused: RefusedField[] = [];
    for (const x of expect) {
      const v = after[x.field];
      const got = x.field === 'priority' ? ((v as Ref | undefined)?.key ?? '') : (labelText(v) ?? '');
      const same =
        got === x.value ||
        (x.value !== '' && isoUtc(got) !== null && isoUtc(got) === isoUtc(x.value)) ||
        (x.value !== '' && Number(got) === Number(x.value) && got.trim() !== '');
      if (!same)
        refused.push({
          issueKey: ticket.key,
          field: x.field,
          message: `Yandex Tracker kept '${got}' instead of '${x.value}': the field is not in the queue or the service's user may not edit it`,
        });
    }
    return { refused };
  }

  async searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const page = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 1;
    const queues = this.c.queues ?? [];
    // The app's JQL is not Tracker's: its "not done" scope becomes "no resolution" (filter value
    // `empty()`, as the search page's `"assignee": "Empty()"` example); the type and queue scope is
    // applied when each issue is read.
    const open = /statusCategory\s*!=\s*Done/i.test(jql) ? { resolution: 'empty()' } : {};
    const r = await this.client.send<{ key: string }[]>(
      'POST',
      `/v3/issues/_search?perPage=100&page=${page}`,
      this.headers,
      { filter: { ...(queues.length > 0 ? { queue: queues } : {}), ...open }, order: '+key' },
    );
    const keys = (r.body ?? []).map((i) => i.key);
    const pages = Number(r.headers.get('x-total-pages') ?? '1');
    return { keys, ...(page < pages ? { nextPageToken: String(page + 1) } : {}) };
  }
}

/** The recommended trigger body (docs/yandex-tracker.md) or any JSON object with `key`. */
export function parseTrackerEvent(body: unknown): SourceEvent[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SourcePayloadError(
      'body',
      body,
      `the trigger's body must be a JSON object with "key", got ${JSON.stringify(body)}`,
    );
  const b = body as Record<string, unknown>;
  const key = b.key ?? (b.issue as Record<string, unknown> | undefined)?.key;
  if (typeof key !== 'string' || !KEY.test(key.trim()))
    throw new SourcePayloadError(
      'key',
      key,
      `"key" must be a Tracker issue key like SUP-12 (trigger body {"key":"{{issue.key}}"}), got ${JSON.stringify(key) ?? 'undefined'}`,
    );
  const at = typeof b.updatedAt === 'string' ? isoUtc(b.updatedAt) : null;
  if (b.updatedAt !== undefined && at === null)
    throw new SourcePayloadError(
      'updatedAt',
      b.updatedAt,
      `"updatedAt" must be an ISO instant ({{issue.updatedAt.iso8601}}), got ${JSON.stringify(b.updatedAt)}`,
    );
  return [
    {
      key: key.trim(),
      ...(at ? { deliveryId: `${key.trim()}@${at}`, occurredAt: at } : {}),
      ...(typeof b.event === 'string' ? { type: b.event } : {}),
    },
  ];
}

/** The Yandex Tracker source. Nothing is requested until the first use. */
export function createYandexTrackerSource(config: YandexTrackerConfig): TicketSource & { port: JiraPort } {
  const c = checkYandexTrackerConfig(config);
  const web = (c.webUrl ?? 'https://tracker.yandex.ru').replace(/\/+$/, '');
  const queues = new Set(c.queues ?? []);
  const auth: WebhookAuth | undefined = c.webhookToken
    ? { scheme: 'bearer', token: c.webhookToken }
    : undefined;
  return {
    name: c.name,
    kind: 'yandex-tracker',
    ...(auth ? { auth } : {}),
    parseEvent: (body: unknown, _delivery: IncomingDelivery) => parseTrackerEvent(body),
    port: new TrackerPort(c),
    ticketUrl: (key) => (KEY.test(key) ? `${web}/${key}` : null),
    owns: (key) => {
      const m = KEY.exec(key);
      return m !== null && (queues.size === 0 || queues.has(m[1]!));
    },
  };
}
