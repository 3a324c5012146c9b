/**
 * Zammad as a ticket source (issue #18), over its REST API (zammad/zammad: config/routes/ticket.rb,
 * app/controllers/tickets_controller.rb; docs.zammad.org "API → Tickets / Articles"):
 *
 * - push:   a trigger's webhook posts `{ ticket, article }` with `X-Zammad-Trigger`,
 *           `X-Zammad-Delivery` and `X-Hub-Signature: sha1=<HMAC-SHA1 of the body>` (the layer checks it)
 * - read:   GET /api/v1/tickets/{id}?expand=true (attributes with association names: state, priority,
 *           owner, customer), GET /api/v1/ticket_articles/by_ticket/{id} (articles: sender, author) and
 *           GET /api/v1/ticket_history/{id} (`{ history: [...] }`: state, owner and attribute changes)
 * - write:  PUT /api/v1/tickets/{id} (the SLA attributes, the priority by name), then the ticket is
 *           read again; what Zammad did not keep is reported as refused
 * - search: GET /api/v1/tickets?page=…&per_page=100 (every ticket the token sees, by id) for the sweep
 *
 * Keys: Zammad's ticket id with a prefix (`Z#81`); the browser link is `/#ticket/zoom/81`.
 * Authentication: `Authorization: Token token=<access token>`.
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
  checkFieldMap,
  deadlineChange,
  type SourceFieldMap,
} from '../source-common';

export interface ZammadConfig {
  name: string;
  /** Zammad's base URL (https://helpdesk.example.com). */
  url: string;
  /** An access token of the service's agent user (Profile → Token Access; ticket.agent permission). */
  token: string;
  /** Key prefix; default `Z#`. */
  keyPrefix?: string;
  /** role → ticket attribute name (Admin → Objects); defaults below. */
  fields?: SourceFieldMap;
  /** The ticket attribute whose value is matched against settings.issueTypes; default `type`. */
  kindAttribute?: string;
  /** The kind of a ticket whose attribute matches no issue type; default `incident`, `none` = skip it. */
  defaultKind?: 'incident' | 'error' | 'none';
  /** State names that mean resolved; default `closed`, `merged`. */
  closedStates?: string[];
  /** The service's own Zammad user id: its changes are no reaction. */
  selfUserId?: number;
  /** HMAC-SHA1 signature token of the webhook (Admin → Webhook). */
  webhookSecret?: string;
  http?: Partial<Omit<HttpJsonOptions, 'system' | 'baseUrl'>>;
}

export const DEFAULT_ZAMMAD_FIELDS: Required<SourceFieldMap> = {
  impact: 'impact',
  urgency: 'urgency',
  mode: 'mode',
  nature: 'nature',
  workaround: 'workaround',
  slaPriority: 'sla_priority',
  slaDeadline: 'sla_deadline',
  slaState: 'sla_state',
};

/** Zammad's system user (id 1, login `-`): its changes (triggers, schedulers) are no reaction. */
const SYSTEM_USER = 1;

export interface ZammadTicket {
  id: number;
  number?: string;
  title?: string;
  group?: string;
  state?: string;
  priority?: string;
  customer_id?: number;
  owner_id?: number;
  owner?: string;
  created_at?: string;
  updated_at?: string;
  close_at?: string | null;
  [attribute: string]: unknown;
}

export interface ZammadArticle {
  id: number;
  ticket_id?: number;
  sender?: string;
  type?: string;
  internal?: boolean;
  created_by_id?: number;
  origin_by_id?: number | null;
  created_at?: string;
}

export interface ZammadHistoryEntry {
  id?: number;
  o_id?: number;
  type?: string;
  object?: string;
  attribute?: string;
  value_from?: string | null;
  value_to?: string | null;
  id_from?: number | null;
  id_to?: number | null;
  created_by_id?: number;
  created_at?: string;
}

export function checkZammadConfig(c: ZammadConfig): ZammadConfig {
  const name = requireText('zammad', 'name', c.name);
  requireUrl(name, 'url', c.url);
  requireText(name, 'token', c.token);
  if (c.keyPrefix !== undefined) requireText(name, 'keyPrefix', c.keyPrefix);
  checkFieldMap(name, 'fields', c.fields);
  if (c.defaultKind !== undefined && !['incident', 'error', 'none'].includes(c.defaultKind))
    throw new SourceConfigError(
      'defaultKind',
      c.defaultKind,
      `source '${name}': defaultKind must be 'incident', 'error' or 'none', got ${JSON.stringify(c.defaultKind)}`,
    );
  if (c.selfUserId !== undefined && !(Number.isInteger(c.selfUserId) && c.selfUserId > 0))
    throw new SourceConfigError(
      'selfUserId',
      c.selfUserId,
      `source '${name}': selfUserId must be a Zammad user id (a positive integer), got ${JSON.stringify(c.selfUserId)}`,
    );
  if (c.webhookSecret !== undefined) requireText(name, 'webhookSecret', c.webhookSecret);
  return c;
}

/**
 * The reactions (SPEC §3): articles by agents (an agent's note, internal or not, counts), state and
 * owner changes by others than the customer; the customer's own articles are marked `reporter`,
 * another customer's `other`; the system user and the service itself are skipped.
 */
export function zammadReactions(
  ticket: ZammadTicket,
  articles: readonly ZammadArticle[],
  history: readonly ZammadHistoryEntry[],
  selfId: number | null,
): ReactionEvent[] {
  const out: ReactionEvent[] = [];
  const skip = (who: number | undefined) => who === undefined || who === SYSTEM_USER || who === selfId;
  for (const a of articles) {
    const at = isoUtc(a.created_at);
    const who = a.origin_by_id ?? a.created_by_id;
    if (!at || skip(who) || a.sender === 'System') continue;
    const role: ReactionEvent['authorRole'] =
      who === ticket.customer_id ? 'reporter' : a.sender === 'Agent' ? 'agent' : 'other';
    out.push({ at, type: 'comment', authorRole: role });
  }
  for (const h of history) {
    const at = isoUtc(h.created_at);
    if (!at || skip(h.created_by_id) || h.object !== 'Ticket' || h.type !== 'updated') continue;
    const role: ReactionEvent['authorRole'] = h.created_by_id === ticket.customer_id ? 'reporter' : 'agent';
    if (h.attribute === 'state') out.push({ at, type: 'status', authorRole: role });
    if (h.attribute === 'owner' && h.id_to && h.id_to !== SYSTEM_USER)
      out.push({ at, type: 'assignee', authorRole: role });
  }
  return out;
}

/** The newest move into a closed state while the ticket is closed; `close_at` when no entry says; null while open. */
export function zammadResolvedAt(
  ticket: ZammadTicket,
  history: readonly ZammadHistoryEntry[],
  closed: ReadonlySet<string>,
): string | null {
  if (!ticket.state || !closed.has(ticket.state)) return null;
  let at: string | null = null;
  for (const h of history)
    if (
      h.object === 'Ticket' &&
      h.attribute === 'state' &&
      h.value_to &&
      closed.has(h.value_to) &&
      !(h.value_from && closed.has(h.value_from))
    )
      at = isoUtc(h.created_at) ?? at;
  return at ?? isoUtc(ticket.close_at);
}

export function zammadTicket(
  ticket: ZammadTicket,
  articles: readonly ZammadArticle[],
  history: readonly ZammadHistoryEntry[],
  ctx: {
    settings: Settings;
    prefix: string;
    fields: Required<SourceFieldMap>;
    kindAttribute: string;
    defaultKind: 'incident' | 'error' | 'none';
    closed: ReadonlySet<string>;
    selfId: number | null;
  },
): Ticket | null {
  const f = ctx.fields;
  const histories: ChangelogHistory[] = history
    .filter((h) => h.object === 'Ticket' && h.type === 'updated' && h.attribute)
    .map((h) => ({
      created: h.created_at,
      author: h.created_by_id !== undefined ? { name: String(h.created_by_id) } : null,
      items: [{ fieldId: h.attribute!, from: h.value_from ?? null, to: h.value_to ?? null }],
    }));
  const kindValue = labelText(ticket[ctx.kindAttribute]);
  return assembleTicket({
    settings: ctx.settings,
    id: String(ticket.id),
    key: `${ctx.prefix}${ticket.id}`,
    project: ticket.group ?? '',
    type: kindValue ? { id: kindValue, name: kindValue } : {},
    ...(ctx.defaultKind !== 'none' ? { defaultKind: ctx.defaultKind } : {}),
    registeredAt: isoUtc(ticket.created_at),
    ...(ticket.title ? { summary: ticket.title } : {}),
    inputs: Object.fromEntries(INPUT_ROLES.map((r) => [r, ticket[f[r]]])),
    reactions: zammadReactions(ticket, articles, history, ctx.selfId),
    resolvedAt: zammadResolvedAt(ticket, history, ctx.closed),
    updatedAt: isoUtc(ticket.updated_at),
    history: inputHistory(histories, Object.fromEntries(INPUT_ROLES.map((r) => [r, f[r]])), (t) => isoUtc(t)),
    shown: {
      slaPriority: ticket[f.slaPriority],
      slaState: ticket[f.slaState],
      deadline: ticket[f.slaDeadline],
      jiraPriority: ticket.priority ?? null,
      dueDate: null,
    },
    assignee:
      ticket.owner_id && ticket.owner_id !== SYSTEM_USER
        ? { accountId: String(ticket.owner_id), ...(ticket.owner ? { displayName: ticket.owner } : {}) }
        : null,
  });
}

class ZammadPort implements JiraPort {
  readonly client: HttpJsonClient;
  private readonly headers: Record<string, string>;
  private readonly fields: Required<SourceFieldMap>;
  private readonly prefix: string;

  constructor(private readonly c: ZammadConfig) {
    this.client = new HttpJsonClient({ system: 'Zammad', baseUrl: c.url, ...c.http });
    this.headers = { Authorization: `Token token=${c.token}` };
    this.fields = { ...DEFAULT_ZAMMAD_FIELDS, ...c.fields };
    this.prefix = c.keyPrefix ?? 'Z#';
  }

  idOf(keyOrId: string): number | null {
    const t = keyOrId.trim();
    const rest = t.startsWith(this.prefix) ? t.slice(this.prefix.length) : t;
    return /^\d{1,12}$/.test(rest) ? Number(rest) : null;
  }

  private async get<T>(path: string): Promise<T | null> {
    try {
      return (await this.client.send<T>('GET', path, this.headers, undefined, true)).body;
    } catch (e) {
      // 403: the token's user may not see the ticket (another group): out of scope, like a missing one.
      if (e instanceof SourceHttpError && e.status === 403) return null;
      throw e;
    }
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const id = this.idOf(keyOrId);
    if (id === null) return null;
    const ticket = await this.get<ZammadTicket>(`/api/v1/tickets/${id}?expand=true`);
    if (!ticket) return null;
    const [articles, history] = await Promise.all([
      this.get<ZammadArticle[]>(`/api/v1/ticket_articles/by_ticket/${id}`),
      this.get<{ history?: ZammadHistoryEntry[] }>(`/api/v1/ticket_history/${id}`),
    ]);
    return zammadTicket(ticket, articles ?? [], history?.history ?? [], {
      settings,
      prefix: this.prefix,
      fields: this.fields,
      kindAttribute: this.c.kindAttribute ?? 'type',
      defaultKind: this.c.defaultKind ?? 'incident',
      closed: new Set(this.c.closedStates ?? ['closed', 'merged']),
      selfId: this.c.selfUserId ?? null,
    });
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>): Promise<WriteReport | void> {
    const id = this.idOf(ticket.key) ?? Number(ticket.id);
    const body: Record<string, unknown> = {};
    const set = (attr: string, value: string | number | null) => {
      body[attr] = value;
    };
    if (changes.slaPriority !== undefined) set(this.fields.slaPriority, changes.slaPriority);
    if (changes.slaState !== undefined) set(this.fields.slaState, changes.slaState);
    const deadline = deadlineChange(ticket.snapshot.kind, changes);
    if (deadline !== undefined) set(this.fields.slaDeadline, deadline);
    if (typeof changes.jiraPriority === 'string' && changes.jiraPriority !== '')
      set('priority', changes.jiraPriority);
    // Zammad tickets have no due date: `dueDate` is not written (docs/zammad.md).
    if (Object.keys(body).length === 0) return;
    try {
      await this.client.send('PUT', `/api/v1/tickets/${id}`, this.headers, body);
    } catch (e) {
      // 422: Zammad refused the update (an attribute it does not know, a value not in a select's options).
      if (e instanceof SourceHttpError && e.status === 422)
        return {
          refused: Object.keys(body).map((field) => ({ issueKey: ticket.key, field, message: e.message })),
        };
      throw e;
    }
    const after = await this.get<ZammadTicket>(`/api/v1/tickets/${id}?expand=true`);
    if (!after) return;
    const refused: RefusedField[] = [];
    for (const [field, value] of Object.entries(body)) {
      const want = value === null ? '' : String(value);
      const got = labelText(after[field]) ?? '';
      const same = got === want || (want !== '' && isoUtc(got) !== null && isoUtc(got) === isoUtc(want));
      if (!same)
        refused.push({
          issueKey: ticket.key,
          field,
          message: `Zammad kept '${got}' instead of '${want}': the attribute does not exist (Admin → Objects) or the service's user may not change it`,
        });
    }
    return { refused };
  }

  async searchKeys(_jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const page = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 1;
    const r = await this.client.send<{ id: number }[]>(
      'GET',
      `/api/v1/tickets?page=${page}&per_page=100`,
      this.headers,
    );
    const list = r.body ?? [];
    return {
      keys: list.map((t) => `${this.prefix}${t.id}`),
      ...(list.length === 100 ? { nextPageToken: String(page + 1) } : {}),
    };
  }
}

/** A trigger's webhook body (`{ ticket, article }`) → the ticket it is about. */
export function parseZammadEvent(body: unknown, delivery: IncomingDelivery, prefix = 'Z#'): SourceEvent[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SourcePayloadError(
      'body',
      body,
      `a Zammad webhook body must be a JSON object with "ticket", got ${JSON.stringify(body)}`,
    );
  const ticket = (body as Record<string, unknown>).ticket;
  if (!ticket || typeof ticket !== 'object')
    throw new SourcePayloadError(
      'ticket',
      ticket,
      `"ticket" must be the ticket object of Zammad's webhook payload, got ${JSON.stringify(ticket) ?? 'undefined'}`,
    );
  const id = (ticket as Record<string, unknown>).id;
  if (!(typeof id === 'number' && Number.isInteger(id) && id > 0))
    throw new SourcePayloadError(
      'ticket.id',
      id,
      `"ticket.id" must be a positive integer, got ${JSON.stringify(id) ?? 'undefined'}`,
    );
  const header = (n: string) => {
    const v = delivery.headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  const deliveryId = header('x-zammad-delivery');
  const trigger = header('x-zammad-trigger');
  const updated = isoUtc((ticket as Record<string, unknown>).updated_at);
  return [
    {
      key: `${prefix}${id}`,
      ...(deliveryId ? { deliveryId } : {}),
      ...(trigger ? { type: trigger } : {}),
      ...(updated ? { occurredAt: updated } : {}),
    },
  ];
}

/** The Zammad source. Nothing is requested until the first use. */
export function createZammadSource(config: ZammadConfig): TicketSource & { port: JiraPort } {
  const c = checkZammadConfig(config);
  const prefix = c.keyPrefix ?? 'Z#';
  const port = new ZammadPort(c);
  const web = c.url.replace(/\/+$/, '');
  const auth: WebhookAuth | undefined = c.webhookSecret
    ? { scheme: 'hmac-sha1', secret: c.webhookSecret, header: 'x-hub-signature' }
    : undefined;
  return {
    name: c.name,
    kind: 'zammad',
    ...(auth ? { auth } : {}),
    parseEvent: (body, delivery) => parseZammadEvent(body, delivery, prefix),
    port,
    ticketUrl: (key) => {
      const id = port.idOf(key);
      return id === null || !key.startsWith(prefix) ? null : `${web}/#ticket/zoom/${id}`;
    },
    owns: (key) => key.startsWith(prefix) && port.idOf(key) !== null,
  };
}
