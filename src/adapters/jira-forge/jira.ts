/**
 * JiraPort on Jira Cloud REST v3 through `@forge/api` (as the app). Calls per issue are kept small
 * (docs/forge.md "Calls per issue"):
 *
 * - read one issue: `GET /rest/api/3/issue/{key}?fields=…&expand=changelog` (fields, comments,
 *   links, history in one call); errors add `GET /rest/api/3/project/{id}/versions` and, when linked
 *   to other issues, one `POST /rest/api/3/search/jql` for the linked incidents' inputs;
 * - write: the app's read-only fields of many issues in one `POST /rest/api/3/app/field/value`
 *   (grouped by field and value), Jira's priority/due date with `PUT /rest/api/3/issue/{key}` only
 *   when they change;
 * - search: `POST /rest/api/3/search/jql` with `fields` and `nextPageToken`, 100 issues a page, versions
 *   cached per project and linked incidents read once per page.
 */
import { parseCode } from '../../domain/codes';
import type { LinkedInputs } from '../../domain/priority';
import type { ReactionEvent, Snapshot, VersionInfo } from '../../domain/snapshot';
import type { JiraPort, Settings, ShownValues, Ticket, TicketWrite } from '../../app/ports';
import { kindOfIssueType, projectInScope } from '../../app/settings';
import { JiraClient, route } from './client';
import { APP_WRITTEN, discoverFieldIds, type FieldIds, type FieldRole, type KeyValue } from './fields';

/** Issues per page of a ticket search (Jira may return fewer when many fields are requested). */
export const SEARCH_PAGE = 100;
/** Issues per page of a key-only search (Jira allows up to 5,000 for id/key). */
export const KEY_PAGE = 1000;
/** Issues per `POST /rest/api/3/app/field/value` call. */
export const WRITE_BATCH = 100;

const SYSTEM_FIELDS = [
  'summary',
  'issuetype',
  'project',
  'status',
  'created',
  'resolutiondate',
  'statuscategorychangedate',
  'reporter',
  'priority',
  'duedate',
  'fixVersions',
  'issuelinks',
  'comment',
];

type Json = Record<string, unknown>;

interface IssueBean {
  id: string;
  key: string;
  fields?: Json;
  changelog?: { histories?: History[] };
}

interface History {
  created?: string;
  items?: { field?: string; fieldId?: string; from?: string | null; to?: string | null }[];
}

interface VersionBean {
  id?: string;
  name?: string;
  releaseDate?: string;
  released?: boolean;
  archived?: boolean;
}

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Jira's `2026-03-06T16:30:00.000+0300` → `2026-03-06T16:30:00.000+03:00`. */
export function isoOffset(text: string | null): string | null {
  return text === null ? null : text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

export interface ForgeJiraOptions {
  client?: JiraClient;
  /** Where field ids are cached (KVS). */
  cache?: KeyValue;
}

export class ForgeJira implements JiraPort {
  readonly client: JiraClient;
  private readonly cache: KeyValue | undefined;
  private fieldIds: FieldIds | null = null;
  private readonly versionCache = new Map<string, VersionInfo[]>();

  constructor(options: ForgeJiraOptions = {}) {
    this.client = options.client ?? new JiraClient();
    this.cache = options.cache;
  }

  /** The site's field ids (discovered once per instance, cached in KVS across invocations). */
  async fields(): Promise<FieldIds> {
    if (!this.fieldIds) this.fieldIds = await discoverFieldIds(this.client, this.cache);
    return this.fieldIds;
  }

  private async fieldList(): Promise<string[]> {
    const ids = await this.fields();
    return [...SYSTEM_FIELDS, ...Object.values(ids).filter((v): v is string => typeof v === 'string')];
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const fields = await this.fieldList();
    const params = new URLSearchParams({ fields: fields.join(','), expand: 'changelog' });
    const res = await this.client.call<IssueBean>(
      'GET',
      '/rest/api/3/issue/{key}',
      route`/rest/api/3/issue/${keyOrId}?${params}`,
    );
    if (!res.data) return null;
    const tickets = await this.toTickets([res.data], settings);
    return tickets[0] ?? null;
  }

  async searchTickets(
    jql: string,
    settings: Settings,
    pageToken?: string,
  ): Promise<{ tickets: Ticket[]; nextPageToken?: string }> {
    const fields = await this.fieldList();
    const page = await this.search(jql, fields, SEARCH_PAGE, pageToken, 'changelog');
    const tickets = await this.toTickets(page.issues, settings);
    return { tickets, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  async searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const page = await this.search(jql, ['key'], KEY_PAGE, pageToken);
    return {
      keys: page.issues.map((i) => i.key),
      ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    };
  }

  private async search(
    jql: string,
    fields: string[],
    maxResults: number,
    nextPageToken?: string,
    expand?: string,
  ): Promise<{ issues: IssueBean[]; nextPageToken?: string }> {
    const body = {
      jql,
      fields,
      maxResults,
      ...(expand ? { expand } : {}),
      ...(nextPageToken ? { nextPageToken } : {}),
    };
    const res = await this.client.call<{
      issues?: IssueBean[];
      nextPageToken?: string | null;
      isLast?: boolean;
    }>('POST', '/rest/api/3/search/jql', route`/rest/api/3/search/jql`, body);
    const data = res.data ?? {};
    const token = data.isLast === true ? undefined : (data.nextPageToken ?? undefined);
    return { issues: data.issues ?? [], ...(token ? { nextPageToken: token } : {}) };
  }

  /** Builds tickets from issue beans: versions per project (cached) and linked incidents in one search. */
  private async toTickets(beans: IssueBean[], settings: Settings): Promise<Ticket[]> {
    const ids = await this.fields();
    const inScope = beans
      .map((b) => ({ b, f: obj(b.fields) }))
      .map(({ b, f }) => ({
        b,
        f,
        kind: kindOfIssueType(settings, {
          id: str(obj(f.issuetype).id) ?? '',
          name: str(obj(f.issuetype).name) ?? '',
        }),
        project: obj(f.project),
      }))
      .filter((x) => x.kind !== undefined && projectInScope(settings, str(x.project.key) ?? ''));

    // Linked incidents of errors: one search for all linked issues of the page.
    const linkedIds = new Set<string>();
    for (const x of inScope) {
      if (x.kind !== 'error' || !settings.policy.error.combineLinkedIncidents) continue;
      for (const id of linkedIssueIds(x.f)) linkedIds.add(id);
    }
    const linkedInputs = await this.linkedIncidentInputs([...linkedIds], settings, ids);

    const tickets: Ticket[] = [];
    for (const x of inScope) {
      const projectId = str(x.project.id) ?? '';
      const versions = x.kind === 'error' ? await this.projectVersions(projectId) : undefined;
      const linked =
        x.kind === 'error'
          ? linkedIssueIds(x.f)
              .map((id) => linkedInputs.get(id))
              .filter((v): v is LinkedInputs => v !== undefined)
          : [];
      tickets.push(this.toTicket(x.b, x.kind!, ids, versions, linked));
    }
    return tickets;
  }

  private toTicket(
    bean: IssueBean,
    kind: 'incident' | 'error',
    ids: FieldIds,
    versions: VersionInfo[] | undefined,
    linked: LinkedInputs[],
  ): Ticket {
    const f = obj(bean.fields);
    const cf = (role: FieldRole): unknown => (ids[role] ? f[ids[role]!] : undefined);
    const project = str(obj(f.project).key) ?? '';
    const created = isoOffset(str(f.created));
    const statusCategory = str(obj(obj(f.status).statusCategory).key);
    const resolvedAt =
      isoOffset(str(f.resolutiondate)) ??
      (statusCategory === 'done' ? isoOffset(str(f.statuscategorychangedate)) : null);
    const histories = [...(bean.changelog?.histories ?? [])].sort((a, b) =>
      String(a.created ?? '').localeCompare(String(b.created ?? '')),
    );
    const reporter = str(obj(f.reporter).accountId);

    const snapshot: Snapshot = {
      key: bean.key,
      kind,
      registeredAt: created ?? '',
      project,
      ...(str(f.summary) ? { summary: str(f.summary)! } : {}),
    };
    const impact = parseCode('impact', cf('impact'));
    const urgency = parseCode('urgency', cf('urgency'));
    const mode = parseCode('mode', cf('mode'));
    if (impact) snapshot.impact = impact;
    if (urgency) snapshot.urgency = urgency;
    if (mode) snapshot.mode = mode;
    if (kind === 'incident') {
      const nature = parseCode('nature', cf('nature'));
      if (nature) snapshot.nature = nature;
    } else {
      const workaround = parseCode('workaround', cf('workaround'));
      if (workaround) snapshot.workaround = workaround;
    }
    const override = num(cf('override'));
    const max = kind === 'incident' ? 5 : 10;
    if (override !== null && Number.isInteger(override) && override >= 1 && override <= max) {
      snapshot.priorityOverride = { value: override, reason: str(cf('overrideReason')) ?? '' };
    }
    const agreed = isoOffset(str(cf('agreed')));
    if (agreed) snapshot.agreedDeadline = agreed;
    if (kind === 'error') {
      if (versions) snapshot.versions = versions;
      const fixVersion = str(obj((f.fixVersions as unknown[] | undefined)?.[0]).name);
      if (fixVersion) snapshot.fixVersion = fixVersion;
      if (linked.length > 0) snapshot.linkedIncidents = linked;
      const estimateAt = estimateRecordedAt(histories, ids, cf('estimate'), created);
      if (estimateAt) snapshot.estimateAt = estimateAt;
    } else {
      snapshot.reactions = reactionsOf(histories, f, reporter);
    }
    if (resolvedAt) snapshot.resolvedAt = resolvedAt;

    const shown: ShownValues = {
      slaPriority: num(cf('slaPriority')),
      slaState: str(cf('slaState')),
      reactionDue: isoOffset(str(cf('reactionDue'))),
      verificationDue: isoOffset(str(cf('verificationDue'))),
      fixDue: isoOffset(str(cf('fixDue'))),
      jiraPriority: str(obj(f.priority).name),
      dueDate: str(f.duedate),
    };
    return {
      id: bean.id,
      key: bean.key,
      project,
      issueType: str(obj(f.issuetype).name) ?? '',
      snapshot,
      shown,
    };
  }

  /** The project's versions (one call per project per instance). */
  private async projectVersions(projectId: string): Promise<VersionInfo[]> {
    const hit = this.versionCache.get(projectId);
    if (hit) return hit;
    const res = await this.client.call<VersionBean[]>(
      'GET',
      '/rest/api/3/project/{id}/versions',
      route`/rest/api/3/project/${projectId}/versions`,
    );
    const versions = (res.data ?? [])
      .filter((v) => !v.archived && typeof v.name === 'string')
      .map((v) => ({ name: v.name!, releaseDate: v.releaseDate ?? null, released: Boolean(v.released) }));
    this.versionCache.set(projectId, versions);
    return versions;
  }

  /** Forgets cached versions (a version event arrived). */
  forgetVersions(): void {
    this.versionCache.clear();
  }

  private async linkedIncidentInputs(
    issueIds: string[],
    settings: Settings,
    ids: FieldIds,
  ): Promise<Map<string, LinkedInputs>> {
    const out = new Map<string, LinkedInputs>();
    const fields = ['issuetype', ids.impact, ids.urgency, ids.mode].filter((x): x is string => Boolean(x));
    for (let i = 0; i < issueIds.length; i += SEARCH_PAGE) {
      const chunk = issueIds.slice(i, i + SEARCH_PAGE);
      let token: string | undefined;
      do {
        const page = await this.search(`id in (${chunk.join(', ')})`, fields, SEARCH_PAGE, token);
        for (const b of page.issues) {
          const f = obj(b.fields);
          const type = obj(f.issuetype);
          if (
            kindOfIssueType(settings, { id: str(type.id) ?? '', name: str(type.name) ?? '' }) !== 'incident'
          )
            continue;
          const li: LinkedInputs = {};
          const impact = parseCode('impact', ids.impact ? f[ids.impact] : undefined);
          const urgency = parseCode('urgency', ids.urgency ? f[ids.urgency] : undefined);
          const mode = parseCode('mode', ids.mode ? f[ids.mode] : undefined);
          if (impact) li.impact = impact;
          if (urgency) li.urgency = urgency;
          if (mode) li.mode = mode;
          out.set(b.id, li);
        }
        token = page.nextPageToken;
      } while (token);
    }
    return out;
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>, settings: Settings): Promise<void> {
    await this.writeTickets([{ ticket, changes }], settings);
  }

  /**
   * The app's fields of the whole batch in `POST /rest/api/3/app/field/value` calls of up to
   * WRITE_BATCH issues (updates grouped by field and value); Jira priority/due date per issue with
   * `PUT /rest/api/3/issue/{id}`, only for issues where they changed.
   */
  async writeTickets(batch: TicketWrite[], _settings: Settings): Promise<void> {
    const ids = await this.fields();
    for (let i = 0; i < batch.length; i += WRITE_BATCH) {
      const chunk = batch.slice(i, i + WRITE_BATCH);
      const groups = new Map<string, { customField: string; issueIds: number[]; value: unknown }>();
      for (const { ticket, changes } of chunk) {
        for (const role of APP_WRITTEN) {
          if (!(role in changes)) continue;
          const fieldId = ids[role];
          if (!fieldId)
            throw new Error(`the app's field ${role} was not found on this site (is the app installed?)`);
          const value = (changes as Record<string, unknown>)[role] ?? null;
          const k = `${fieldId}\u0000${JSON.stringify(value)}`;
          const g = groups.get(k) ?? { customField: fieldId, issueIds: [], value };
          g.issueIds.push(Number(ticket.id));
          groups.set(k, g);
        }
      }
      if (groups.size > 0) {
        await this.client.call('POST', '/rest/api/3/app/field/value', route`/rest/api/3/app/field/value`, {
          updates: [...groups.values()],
        });
      }
    }
    for (const { ticket, changes } of batch) {
      const fields: Json = {};
      if (changes.jiraPriority !== undefined && changes.jiraPriority !== null)
        fields.priority = { name: changes.jiraPriority };
      if (changes.dueDate !== undefined) fields.duedate = changes.dueDate;
      if (Object.keys(fields).length === 0) continue;
      await this.client.call('PUT', '/rest/api/3/issue/{key}', route`/rest/api/3/issue/${ticket.id}`, {
        fields,
      });
    }
  }

  async listIssueTypes(): Promise<{ id: string; name: string }[]> {
    const res = await this.client.call<{ id?: string; name?: string }[]>(
      'GET',
      '/rest/api/3/issuetype',
      route`/rest/api/3/issuetype`,
    );
    return (res.data ?? []).filter((t) => t.id && t.name).map((t) => ({ id: t.id!, name: t.name! }));
  }

  async listPriorities(): Promise<{ id: string; name: string }[]> {
    const res = await this.client.call<{ values?: { id?: string; name?: string }[] }>(
      'GET',
      '/rest/api/3/priority/search',
      route`/rest/api/3/priority/search?maxResults=${'100'}`,
    );
    return (res.data?.values ?? []).filter((p) => p.id && p.name).map((p) => ({ id: p.id!, name: p.name! }));
  }
}

function linkedIssueIds(f: Json): string[] {
  const links = Array.isArray(f.issuelinks) ? f.issuelinks : [];
  const out: string[] = [];
  for (const l of links) {
    const other = obj(obj(l).inwardIssue).id ?? obj(obj(l).outwardIssue).id;
    if (typeof other === 'string' && /^\d+$/.test(other)) out.push(other);
  }
  return [...new Set(out)];
}

/**
 * Reaction events of an incident (SPEC §3): the first transition out of the initial status, the
 * first assignment made after creation (history), and every comment (the reporter's are marked so the
 * engine can ignore them).
 */
function reactionsOf(histories: History[], f: Json, reporter: string | null): ReactionEvent[] {
  const out: ReactionEvent[] = [];
  const status = histories.find((h) => h.items?.some((i) => i.fieldId === 'status' || i.field === 'status'));
  if (status?.created) out.push({ at: isoOffset(status.created)!, type: 'status' });
  const assigned = histories.find((h) =>
    h.items?.some((i) => (i.fieldId === 'assignee' || i.field === 'assignee') && i.to),
  );
  if (assigned?.created) out.push({ at: isoOffset(assigned.created)!, type: 'assignee' });
  const comments = Array.isArray(obj(f.comment).comments) ? (obj(f.comment).comments as unknown[]) : [];
  for (const c of comments) {
    const at = isoOffset(str(obj(c).created));
    if (!at) continue;
    const author = str(obj(obj(c).author).accountId);
    out.push({
      at,
      type: 'comment',
      authorRole: author !== null && author === reporter ? 'reporter' : 'agent',
    });
  }
  return out;
}

/** When the fix estimate was first recorded: its first history entry, or creation when set with no history. */
function estimateRecordedAt(
  histories: History[],
  ids: FieldIds,
  value: unknown,
  created: string | null,
): string | null {
  const fieldId = ids.estimate;
  if (fieldId) {
    const h = histories.find((x) =>
      x.items?.some((i) => i.fieldId === fieldId && i.to !== null && i.to !== ''),
    );
    if (h?.created) return isoOffset(h.created);
  }
  return typeof value === 'number' ? created : null;
}
