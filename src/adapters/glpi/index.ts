/**
 * GLPI as a ticket source (issue #18), over its webhooks (GLPI 10.0+, glpi-project/glpi
 * src/Webhook.php) and its legacy REST API (apirest.php, glpi-project/glpi apirest.md):
 *
 * - push:   a webhook on Ticket (new/update/delete) or ITILFollowup (new) posts the default payload
 *           `{ "event": …, "item": { "id": … } }` (a followup's item names its ticket by `itemtype`
 *           and `items_id`), signed `X-GLPI-signature` = HMAC-SHA256(body + X-GLPI-timestamp) — the
 *           layer checks it (scheme `glpi`)
 * - read:   GET apirest.php/initSession (`App-Token`, `Authorization: user_token …`) once, then with
 *           `Session-Token`: Ticket/{id} (dates, status, impact, urgency, type, category, time_to_own,
 *           time_to_resolve), Ticket/{id}/Ticket_User (requesters), Ticket/{id}/ITILFollowup
 *           (followups by others than the requesters are reactions) and Ticket/{id}/Log (status
 *           changes are reactions; urgency and impact changes are the input history)
 * - write:  PUT apirest.php/Ticket/{id} `{ "input": { time_to_own | time_to_resolve, priority } }`
 *           (GLPI's own deadlines: time to own = the reaction, time to resolve = the fix), then the
 *           ticket is read again; what GLPI did not keep (an SLA attached recomputes them) is refused
 * - search: GET apirest.php/Ticket/?range=…&only_id=true for the sweep
 *
 * GLPI's dates carry no offset: they are read and written in the configured `timeZone` (the API
 * user's). Keys: the ticket id with a prefix (`G#12`).
 */
import { DateTime } from 'luxon';
import type { JiraPort, RefusedField, Settings, ShownValues, Ticket, WriteReport } from '../../app/ports';
import {
  SourcePayloadError,
  type IncomingDelivery,
  type SourceEvent,
  type TicketSource,
  type WebhookAuth,
} from '../../app/source';
import type { InputChange, ReactionEvent } from '../../domain/snapshot';
import type { Mode, Nature, Workaround } from '../../domain/codes';
import { formatInstant } from '../../domain/calendar/instant';
import { kindOfIssueType } from '../../app/settings';
import {
  HttpJsonClient,
  SourceConfigError,
  SourceHttpError,
  requireText,
  requireUrl,
  type HttpJsonOptions,
} from '../http-json';
import { assembleTicket, deadlineChange } from '../source-common';

export interface GlpiConfig {
  name: string;
  /** The API's base, ending in apirest.php (https://glpi.example.com/apirest.php). */
  url: string;
  /** The API client's App-Token (Setup → General → API), when the client requires one. */
  appToken?: string;
  /** The service user's API token (its preferences: "API token"). */
  userToken: string;
  /** The API user's time zone (IANA): GLPI dates carry no offset. */
  timeZone: string;
  /** Key prefix; default `G#`. */
  keyPrefix?: string;
  /** Browser base for links (https://glpi.example.com); default: `url` without /apirest.php. */
  webUrl?: string;
  /** Mode, nature and workaround per ITIL category id (GLPI has no such fields). */
  categoryInputs?: Record<string, { mode?: Mode; nature?: Nature; workaround?: Workaround }>;
  /** Mode, nature and workaround of a ticket whose category is not in `categoryInputs`. */
  defaultInputs?: { mode?: Mode; nature?: Nature; workaround?: Workaround };
  /** The service's own GLPI user id: its changes are no reaction. */
  selfUserId?: number;
  /** The webhook's secret (Setup → Webhooks). */
  webhookSecret?: string;
  http?: Partial<Omit<HttpJsonOptions, 'system' | 'baseUrl'>>;
}

/** GLPI ticket types (Ticket::INCIDENT_TYPE, Ticket::DEMAND_TYPE). */
const TYPE_NAMES: Record<number, string> = { 1: 'Incident', 2: 'Request' };
/** Statuses 5 (solved) and 6 (closed) (CommonITILObject::SOLVED, ::CLOSED). */
const SOLVED = 5;
/** Search option ids of Ticket's fields in the Log (Ticket::rawSearchOptions): 10 urgency, 11 impact, 12 status. */
const OPT = { urgency: 10, impact: 11, status: 12 } as const;
/** Sub-item lists are paged (default 0-50): ask for up to 1000 followups, log lines and actors at once. */
const SUB_RANGE = '0-999';
/** Ticket_User.type: 1 requester (CommonITILActor::REQUESTER). */
const REQUESTER = 1;

export interface GlpiTicket {
  id: number;
  entities_id?: number | string;
  name?: string;
  date?: string;
  date_creation?: string | null;
  date_mod?: string;
  closedate?: string | null;
  solvedate?: string | null;
  status?: number;
  users_id_recipient?: number;
  urgency?: number;
  impact?: number;
  priority?: number;
  itilcategories_id?: number;
  type?: number;
  time_to_own?: string | null;
  time_to_resolve?: string | null;
}

export interface GlpiFollowup {
  id: number;
  itemtype?: string;
  items_id?: number;
  date?: string;
  date_creation?: string;
  users_id?: number;
  is_private?: number;
}

export interface GlpiLog {
  id: number;
  itemtype?: string;
  items_id?: number;
  itemtype_link?: string;
  linked_action?: number;
  user_name?: string;
  date_mod?: string;
  id_search_option?: number;
  old_value?: string;
  new_value?: string;
}

export interface GlpiTicketUser {
  id: number;
  tickets_id?: number;
  users_id?: number;
  type?: number;
}

export function checkGlpiConfig(c: GlpiConfig): GlpiConfig {
  const name = requireText('glpi', 'name', c.name);
  requireUrl(name, 'url', c.url);
  requireText(name, 'userToken', c.userToken);
  if (c.appToken !== undefined) requireText(name, 'appToken', c.appToken);
  requireText(name, 'timeZone', c.timeZone);
  if (!DateTime.now().setZone(c.timeZone).isValid)
    throw new SourceConfigError(
      'timeZone',
      c.timeZone,
      `source '${name}': timeZone must be an IANA time zone (Europe/Moscow), got ${JSON.stringify(c.timeZone)}`,
    );
  if (c.webUrl !== undefined) requireUrl(name, 'webUrl', c.webUrl);
  for (const [cat, v] of Object.entries(c.categoryInputs ?? {}))
    if (!/^\d+$/.test(cat) || !v || typeof v !== 'object')
      throw new SourceConfigError(
        `categoryInputs.${cat}`,
        v,
        `source '${name}': categoryInputs is keyed by ITIL category id (a number), each an object { mode, nature, workaround }, got ${JSON.stringify(cat)}`,
      );
  if (c.selfUserId !== undefined && !(Number.isInteger(c.selfUserId) && c.selfUserId > 0))
    throw new SourceConfigError(
      'selfUserId',
      c.selfUserId,
      `source '${name}': selfUserId must be a GLPI user id (a positive integer), got ${JSON.stringify(c.selfUserId)}`,
    );
  if (c.webhookSecret !== undefined) requireText(name, 'webhookSecret', c.webhookSecret);
  return c;
}

/** GLPI's 1–5 scale (Very low … Very high) → the regulation's level; the Log may hold the number or its label. */
export function glpiLevel(v: unknown): 'high' | 'medium' | 'low' | null {
  const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim().toLowerCase() : '';
  if (['5', '4', 'very high', 'high', 'major'].includes(text)) return 'high';
  if (['3', 'medium'].includes(text)) return 'medium';
  if (['2', '1', 'low', 'very low'].includes(text)) return 'low';
  return null;
}

/** A GLPI date ("2026-03-06 16:30:00", in the API user's zone) → ISO with the zone's offset; null when empty. */
export function glpiInstant(v: unknown, zone: string): string | null {
  if (typeof v !== 'string' || v.trim() === '') return null;
  const dt = DateTime.fromSQL(v.trim(), { zone });
  return dt.isValid ? formatInstant(dt.toMillis(), zone) : null;
}

/** ISO → a GLPI date in the zone ("2026-03-10 16:30:00"). */
export function glpiDate(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat('yyyy-MM-dd HH:mm:ss');
}

/** The user id in a Log's `user_name` ("glpi (2)"); null when none. */
function logUserId(name: string | undefined): number | null {
  const m = /\((\d+)\)\s*$/.exec(name ?? '');
  return m ? Number(m[1]) : null;
}

export function glpiTicket(
  t: GlpiTicket,
  requesters: ReadonlySet<number>,
  followups: readonly GlpiFollowup[],
  logs: readonly GlpiLog[],
  ctx: { settings: Settings; prefix: string; zone: string; config: GlpiConfig },
): Ticket | null {
  const zone = ctx.zone;
  const self = ctx.config.selfUserId ?? null;
  const role = (who: number): ReactionEvent['authorRole'] => (requesters.has(who) ? 'reporter' : 'agent');
  const reactions: ReactionEvent[] = [];
  for (const f of followups) {
    const at = glpiInstant(f.date ?? f.date_creation, zone);
    if (!at || f.users_id === undefined || f.users_id === self) continue;
    reactions.push({ at, type: 'comment', authorRole: role(f.users_id) });
  }
  const history: InputChange[] = [];
  for (const l of logs) {
    const at = glpiInstant(l.date_mod, zone);
    const who = logUserId(l.user_name);
    if (!at) continue;
    if (l.id_search_option === OPT.status && who !== null && who !== self && !l.itemtype_link)
      reactions.push({ at, type: 'status', authorRole: role(who) });
    const field =
      l.id_search_option === OPT.impact ? 'impact' : l.id_search_option === OPT.urgency ? 'urgency' : null;
    if (field && !l.itemtype_link)
      history.push({
        field,
        from: glpiLevel(l.old_value),
        to: glpiLevel(l.new_value),
        at,
        ...(who !== null ? { by: String(who) } : {}),
      });
  }
  history.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const cat = t.itilcategories_id ? ctx.config.categoryInputs?.[String(t.itilcategories_id)] : undefined;
  const extra = { ...ctx.config.defaultInputs, ...cat };
  const solved = (t.status ?? 0) >= SOLVED;
  const typeName = t.type !== undefined ? TYPE_NAMES[t.type] : undefined;
  const type = {
    ...(t.type !== undefined ? { id: String(t.type) } : {}),
    ...(typeName ? { name: typeName } : {}),
  };
  const kind = kindOfIssueType(ctx.settings, type) ?? 'incident';
  return assembleTicket({
    settings: ctx.settings,
    id: String(t.id),
    key: `${ctx.prefix}${t.id}`,
    project: String(t.entities_id ?? ''),
    type,
    defaultKind: 'incident',
    registeredAt: glpiInstant(t.date ?? t.date_creation, zone),
    ...(t.name ? { summary: t.name } : {}),
    inputs: {
      impact: glpiLevel(t.impact),
      urgency: glpiLevel(t.urgency),
      mode: extra.mode,
      nature: extra.nature,
      workaround: extra.workaround,
    },
    reactions,
    resolvedAt: solved ? glpiInstant(t.solvedate ?? t.closedate, zone) : null,
    updatedAt: glpiInstant(t.date_mod, zone),
    history,
    shown: {
      // GLPI has no fields for the SLA priority and state: they are not shown there.
      slaPriority: null,
      slaState: null,
      deadline: glpiInstant(kind === 'incident' ? t.time_to_own : t.time_to_resolve, zone),
      jiraPriority: t.priority !== undefined ? String(t.priority) : null,
      dueDate: null,
    },
  });
}

class GlpiPort implements JiraPort {
  readonly client: HttpJsonClient;
  private session: Promise<string> | null = null;
  private readonly prefix: string;

  constructor(private readonly c: GlpiConfig) {
    this.client = new HttpJsonClient({ system: 'GLPI', baseUrl: c.url, ...c.http });
    this.prefix = c.keyPrefix ?? 'G#';
  }

  idOf(keyOrId: string): number | null {
    const t = keyOrId.trim();
    const rest = t.startsWith(this.prefix) ? t.slice(this.prefix.length) : t;
    return /^\d{1,12}$/.test(rest) ? Number(rest) : null;
  }

  private app(): Record<string, string> {
    return this.c.appToken ? { 'App-Token': this.c.appToken } : {};
  }

  private token(): Promise<string> {
    if (!this.session)
      this.session = this.client
        .send<{ session_token?: string }>('GET', '/initSession', {
          ...this.app(),
          Authorization: `user_token ${this.c.userToken}`,
        })
        .then((r) => {
          if (!r.body?.session_token)
            throw new Error('GLPI initSession gave no session_token: check the user token and App-Token');
          return r.body.session_token;
        })
        .catch((e: unknown) => {
          this.session = null;
          throw e;
        });
    return this.session;
  }

  /** A call with the session; a 401 (the session expired) opens a new one once. */
  private async call<T>(method: string, path: string, body?: unknown, allow404 = false) {
    for (let attempt = 0; ; attempt++) {
      const session = await this.token();
      try {
        return await this.client.send<T>(
          method,
          path,
          { ...this.app(), 'Session-Token': session },
          body,
          allow404,
        );
      } catch (e) {
        if (attempt === 0 && e instanceof SourceHttpError && e.status === 401) {
          this.session = null;
          continue;
        }
        throw e;
      }
    }
  }

  private async ticket(id: number): Promise<GlpiTicket | null> {
    try {
      return (await this.call<GlpiTicket>('GET', `/Ticket/${id}`, undefined, true)).body;
    } catch (e) {
      if (e instanceof SourceHttpError && e.status === 403) return null;
      throw e;
    }
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const id = this.idOf(keyOrId);
    if (id === null) return null;
    const t = await this.ticket(id);
    if (!t) return null;
    const [users, followups, logs] = await Promise.all([
      this.call<GlpiTicketUser[]>('GET', `/Ticket/${id}/Ticket_User?range=${SUB_RANGE}`),
      this.call<GlpiFollowup[]>('GET', `/Ticket/${id}/ITILFollowup?range=${SUB_RANGE}`),
      this.call<GlpiLog[]>('GET', `/Ticket/${id}/Log?range=${SUB_RANGE}`),
    ]);
    const requesters = new Set<number>(
      (users.body ?? []).filter((u) => u.type === REQUESTER && u.users_id).map((u) => u.users_id!),
    );
    if (requesters.size === 0 && t.users_id_recipient) requesters.add(t.users_id_recipient);
    return glpiTicket(t, requesters, followups.body ?? [], logs.body ?? [], {
      settings,
      prefix: this.prefix,
      zone: this.c.timeZone,
      config: this.c,
    });
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>): Promise<WriteReport | void> {
    const id = this.idOf(ticket.key) ?? Number(ticket.id);
    const input: Record<string, unknown> = {};
    const deadline = deadlineChange(ticket.snapshot.kind, changes);
    const field = ticket.snapshot.kind === 'incident' ? 'time_to_own' : 'time_to_resolve';
    if (deadline !== undefined) input[field] = deadline === null ? null : glpiDate(deadline, this.c.timeZone);
    if (typeof changes.jiraPriority === 'string' && /^[1-6]$/.test(changes.jiraPriority))
      input.priority = Number(changes.jiraPriority);
    // The SLA priority and state and a due date have no GLPI field: not written (docs/glpi.md).
    if (Object.keys(input).length === 0) return;
    try {
      await this.call('PUT', `/Ticket/${id}`, { input });
    } catch (e) {
      if (e instanceof SourceHttpError && (e.status === 400 || e.status === 403))
        return {
          refused: Object.keys(input).map((f) => ({ issueKey: ticket.key, field: f, message: e.message })),
        };
      throw e;
    }
    const after = await this.ticket(id);
    if (!after) return;
    const refused: RefusedField[] = [];
    for (const [f, want] of Object.entries(input)) {
      const got = (after as unknown as Record<string, unknown>)[f];
      const same =
        f === 'priority'
          ? Number(got) === want
          : (got ?? null) === want ||
            (typeof got === 'string' && typeof want === 'string' && got.slice(0, 16) === want.slice(0, 16));
      if (!same)
        refused.push({
          issueKey: ticket.key,
          field: f,
          message: `GLPI kept '${String(got ?? '')}' instead of '${String(want ?? '')}': an SLA/OLA attached to the ticket computes it, or the service's user may not change it`,
        });
    }
    return { refused };
  }

  async searchKeys(_jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const start = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 0;
    const r = await this.call<{ id: number }[]>('GET', `/Ticket/?range=${start}-${start + 99}&only_id=true`);
    const list = r.body ?? [];
    const total = Number(/\/(\d+)$/.exec(r.headers.get('content-range') ?? '')?.[1] ?? NaN);
    const next = start + list.length;
    return {
      keys: list.map((t) => `${this.prefix}${t.id}`),
      ...(list.length === 100 && (!Number.isFinite(total) || next < total)
        ? { nextPageToken: String(next) }
        : {}),
    };
  }
}

/** A webhook's default payload (`{ event, item }`) on Ticket or ITILFollowup → the ticket it is about. */
export function parseGlpiEvent(body: unknown, _delivery: IncomingDelivery, prefix = 'G#'): SourceEvent[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SourcePayloadError(
      'body',
      body,
      `a GLPI webhook body must be a JSON object with "item", got ${JSON.stringify(body)}`,
    );
  const b = body as Record<string, unknown>;
  const item = b.item;
  if (!item || typeof item !== 'object')
    throw new SourcePayloadError(
      'item',
      item,
      `"item" must be the object of GLPI's default payload, got ${JSON.stringify(item) ?? 'undefined'}`,
    );
  const it = item as Record<string, unknown>;
  const event = typeof b.event === 'string' ? b.event : undefined;
  let id: unknown;
  let field: string;
  if (it.itemtype !== undefined || it.items_id !== undefined) {
    // a followup (or a solution): its ticket
    if (it.itemtype !== 'Ticket')
      throw new SourcePayloadError(
        'item.itemtype',
        it.itemtype,
        `"item.itemtype" must be "Ticket" (changes and problems are no source), got ${JSON.stringify(it.itemtype)}`,
      );
    id = it.items_id;
    field = 'item.items_id';
  } else {
    id = it.id;
    field = 'item.id';
  }
  if (!(typeof id === 'number' && Number.isInteger(id) && id > 0))
    throw new SourcePayloadError(
      field,
      id,
      `"${field}" must be a positive integer ticket id, got ${JSON.stringify(id) ?? 'undefined'}`,
    );
  const isTicket = field === 'item.id';
  return [
    {
      key: `${prefix}${id}`,
      ...(event ? { type: isTicket ? `Ticket.${event}` : `ITILFollowup.${event}` } : {}),
      ...(isTicket && event === 'delete' ? { deleted: true } : {}),
    },
  ];
}

/** The GLPI source. Nothing is requested until the first use. */
export function createGlpiSource(config: GlpiConfig): TicketSource & { port: JiraPort } {
  const c = checkGlpiConfig(config);
  const prefix = c.keyPrefix ?? 'G#';
  const port = new GlpiPort(c);
  const web = (c.webUrl ?? c.url.replace(/\/apirest\.php$/, '')).replace(/\/+$/, '');
  const auth: WebhookAuth | undefined = c.webhookSecret
    ? { scheme: 'glpi', secret: c.webhookSecret }
    : undefined;
  return {
    name: c.name,
    kind: 'glpi',
    ...(auth ? { auth } : {}),
    parseEvent: (body, delivery) => parseGlpiEvent(body, delivery, prefix),
    port,
    ticketUrl: (key) => {
      const id = port.idOf(key);
      return id === null || !key.startsWith(prefix) ? null : `${web}/front/ticket.form.php?id=${id}`;
    },
    owns: (key) => key.startsWith(prefix) && port.idOf(key) !== null,
  };
}
