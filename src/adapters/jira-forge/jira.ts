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
 *   cached per project and linked incidents read once per page;
 * - escalation (docs/escalation.md): the same read carries the assignee, labels, issue links (with the
 *   linked issue's type and status) and affects versions; comments are ADF with `mention` nodes
 *   (`POST /rest/api/3/issue/{key}/comment`) and a configured group is notified with
 *   `POST /rest/api/3/issue/{key}/notify`; labels change in one `PUT /rest/api/3/issue/{key}` with
 *   `update.labels`; issues are created with `POST /rest/api/3/issue` and their inputs set through the
 *   app-field API (an app's fields need not be on the create screen); links with
 *   `POST /rest/api/3/issueLink`.
 */
import { identityFieldIds, ticketIdentity } from '../ticket-identity';
import { parseCode } from '../../domain/codes';
import type { MessagePart } from '../../domain/messages';
import type { LinkedInputs } from '../../domain/priority';
import type { ReactionEvent, Snapshot, VersionInfo } from '../../domain/snapshot';
import type {
  CommentBody,
  JiraPort,
  NewIssue,
  NewLink,
  Settings,
  ShownValues,
  Ticket,
  RefusedField,
  TicketLink,
  TicketWrite,
  WriteReport,
} from '../../app/ports';
import { fieldErrorsOfBody, writeWhatJiraAccepts } from '../../app/refused-fields';
import { kindOfIssueType, projectInScope } from '../../app/settings';
import {
  StaffDirectory,
  supportStaffOf,
  type AuthoredReaction,
  type StaffLookups,
} from '../../app/support-staff';
import { inputHistory } from '../changelog-history';
import { JiraClient, route } from './client';
import { JiraError } from './errors';
import { BULK_FETCH_LIMIT } from './permissions';
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
  'updated',
  'resolutiondate',
  'statuscategorychangedate',
  'reporter',
  'priority',
  'duedate',
  'fixVersions',
  'issuelinks',
  'comment',
  'assignee',
  'labels',
  'versions',
  'components',
];

/** The app's input fields set on an issue it creates (through the app-field API). */
const CREATE_INPUTS = ['impact', 'urgency', 'mode', 'nature', 'workaround'] as const;

/** The JSM comment property that makes a comment an internal note (ignored outside service desks). */
export const INTERNAL_COMMENT_PROPERTY = 'sd.public.comment';

type Json = Record<string, unknown>;

interface IssueBean {
  id: string;
  key: string;
  fields?: Json;
  changelog?: { histories?: History[] };
}

interface History {
  created?: string;
  author?: { accountId?: string; accountType?: string } | null;
  items?: {
    field?: string;
    fieldId?: string;
    from?: string | null;
    to?: string | null;
    fromString?: string | null;
    toString?: unknown;
  }[];
}

/** The field ids of the inputs whose changelog entries the ledger places. */
const historyFieldIds = (ids: FieldIds) => ({
  impact: ids.impact,
  urgency: ids.urgency,
  mode: ids.mode,
  nature: ids.nature,
  workaround: ids.workaround,
  priorityOverride: ids.override,
  agreedDeadline: ids.agreed,
});

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
  /** Told of a failure that does not fail the call (a group notification after its comment). */
  warn?: (message: string, data?: Record<string, unknown>) => void;
  /**
   * The client that reads saved filters (`filterJql`). The Forge resolvers pass one acting as the
   * calling user (`asUser()`), so a viewer only uses filters shared with them; the filter's issues
   * are then searched as the app, like every other scope of the gadget. Defaults to `client`; null
   * when no filter may be read (an anonymous caller): `filterJql` answers null without a call.
   */
  filterClient?: JiraClient | null;
}

/** Issues per bulk edit task (Jira's limit). */
export const BULK_EDIT_MAX = 1000;
/** Smallest group of issues whose label change goes through a bulk task (a task and its poll cost 2+ calls). */
export const BULK_LABELS_MIN = 3;
const BULK_POLL_FIRST_MS = 250;
const BULK_POLL_MAX_DELAY_MS = 4000;
const BULK_POLL_MAX = 30;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A date (`YYYY-MM-DD`) as Jira's date picker writes it by default, `d/MMM/yy` with English month
 * names (the bulk edit's `datePickerFields.date.formattedDate`): `2026-06-05` → `5/Jun/26`. The month
 * as a name leaves no doubt between day and month.
 */
export function jiraPickerDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`due date: expected YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return `${Number(m[3])}/${MONTHS[Number(m[2]) - 1]}/${m[1]!.slice(2)}`;
}

/** `GET /rest/api/3/bulk/queue/{taskId}` (BulkOperationProgress). */
interface BulkProgress {
  status?: 'ENQUEUED' | 'RUNNING' | 'COMPLETE' | 'FAILED' | 'CANCEL_REQUESTED' | 'CANCELLED' | 'DEAD';
  processedAccessibleIssues?: number[];
  failedAccessibleIssues?: Record<string, string[]>;
}

export class ForgeJira implements JiraPort {
  readonly client: JiraClient;
  private readonly cache: KeyValue | undefined;
  private readonly warn: ForgeJiraOptions['warn'];
  private readonly filterClient: JiraClient | null;
  private fieldIds: FieldIds | null = null;
  private readonly versionCache = new Map<string, VersionInfo[]>();
  /** Project key → id, learnt from the issues read (versions are cached by project id). */
  private readonly projectIds = new Map<string, string>();
  /** The support-staff membership questions, for the admin page's site check. */
  staffLookups(): StaffLookups {
    return forgeStaffLookups(() => this.client);
  }

  /**
   * Support-staff membership (groups, project roles, Service Management agents), asked once per
   * instance — one event or sweep invocation — however many comments and issues it reads.
   */
  readonly staff = new StaffDirectory(
    forgeStaffLookups(() => this.client),
    {
      warn: (m, d) => this.warn?.(m, d),
    },
  );
  /** Issue key → id, learnt from the issues read (a bulk task reports issues by id). */
  private readonly issueIds = new Map<string, string>();

  constructor(options: ForgeJiraOptions = {}) {
    this.client = options.client ?? new JiraClient();
    this.cache = options.cache;
    this.warn = options.warn;
    this.filterClient = options.filterClient === undefined ? this.client : options.filterClient;
  }

  /** The site's field ids (discovered once per instance, cached in KVS across invocations). */
  async fields(): Promise<FieldIds> {
    if (!this.fieldIds) this.fieldIds = await discoverFieldIds(this.client, this.cache);
    return this.fieldIds;
  }

  private async fieldList(): Promise<string[]> {
    const ids = await this.fields();
    return [
      ...SYSTEM_FIELDS,
      ...Object.values(ids).filter((v): v is string => typeof v === 'string' && v !== ''),
    ];
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const fields = [...(await this.fieldList()), ...identityFieldIds(settings)];
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
    const fields = [...(await this.fieldList()), ...identityFieldIds(settings)];
    const page = await this.search(jql, fields, SEARCH_PAGE, pageToken, 'changelog');
    const tickets = await this.toTickets(page.issues, settings);
    return { tickets, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  }

  /** `cf[N] is EMPTY` on the app's "SLA state" field: issues the app never evaluated. */
  async unevaluatedClause(): Promise<string | null> {
    const id = (await this.fields()).slaState;
    const n = typeof id === 'string' ? /^customfield_(\d+)$/.exec(id)?.[1] : undefined;
    return n ? `cf[${n}] is EMPTY` : null;
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
      const projectKey = str(x.project.key);
      if (projectKey && projectId) this.projectIds.set(projectKey, projectId);
      if (x.b.key && x.b.id) this.issueIds.set(String(x.b.key), String(x.b.id));
      const versions = x.kind === 'error' ? await this.projectVersions(projectId) : undefined;
      const linked =
        x.kind === 'error'
          ? linkedIssueIds(x.f)
              .map((id) => linkedInputs.get(id))
              .filter((v): v is LinkedInputs => v !== undefined)
          : [];
      const ticket = this.toTicket(x.b, x.kind!, ids, versions, linked, settings);
      const raw = ticket.snapshot.reactions as AuthoredReaction[] | undefined;
      if (raw) {
        const participants = ids.participants ? x.f[ids.participants] : undefined;
        ticket.snapshot.reactions = await this.staff.classify(raw, supportStaffOf(settings), {
          project: projectKey ?? '',
          projectType: str(x.project.projectTypeKey),
          participants: Array.isArray(participants)
            ? participants.map((u) => str(obj(u).accountId)).filter((a): a is string => a !== null)
            : [],
        });
      }
      tickets.push(ticket);
    }
    return tickets;
  }

  private toTicket(
    bean: IssueBean,
    kind: 'incident' | 'error',
    ids: FieldIds,
    versions: VersionInfo[] | undefined,
    linked: LinkedInputs[],
    settings: Settings,
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
    // The SLA ledger: the issue's last change (events are ordered by it) and its dated input changes.
    const updatedAt = isoOffset(str(f.updated));
    if (updatedAt) snapshot.updatedAt = updatedAt;
    const history = inputHistory(histories, historyFieldIds(ids), (t) => isoOffset(t ?? null));
    if (history.length > 0) snapshot.history = history;
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
    const assignee = obj(f.assignee);
    const visitDate = str(cf('visitDate'));
    return {
      id: bean.id,
      key: bean.key,
      project,
      issueType: str(obj(f.issuetype).name) ?? '',
      snapshot,
      shown,
      assignee: str(assignee.accountId)
        ? {
            accountId: str(assignee.accountId)!,
            ...(str(assignee.displayName) ? { displayName: str(assignee.displayName)! } : {}),
          }
        : null,
      labels: Array.isArray(f.labels) ? f.labels.filter((l): l is string => typeof l === 'string') : [],
      links: ticketLinks(f, settings),
      affectsVersions: (Array.isArray(f.versions) ? f.versions : [])
        .map((v) => str(obj(v).name))
        .filter((n): n is string => n !== null),
      visit:
        visitDate && /^\d{4}-\d{2}-\d{2}/.test(visitDate)
          ? {
              date: visitDate.slice(0, 10),
              requestedAt: fieldSetAt(histories, ids.visitDate) ?? created ?? '',
            }
          : null,
      identity: ticketIdentity(f, settings, ids.organizations || undefined),
    };
  }

  /** A project's versions by key or id (§2.9.4), cached with the errors' versions. */
  async listVersions(project: string): Promise<VersionInfo[]> {
    return structuredClone(await this.projectVersions(this.projectIds.get(project) ?? project));
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

  /**
   * A saved filter's JQL: `GET /rest/api/3/filter/{id}` (its `jql`). Jira Cloud answers 400 for a
   * filter that does not exist or that the caller may not see, so 400 and 404 are null; filter ids
   * are numbers, so anything else is null without a call.
   */
  async filterJql(filterId: string): Promise<string | null> {
    if (!this.filterClient || !/^\d{1,18}$/.test(filterId)) return null;
    try {
      const res = await this.filterClient.call<{ jql?: unknown }>(
        'GET',
        '/rest/api/3/filter/{id}',
        route`/rest/api/3/filter/${filterId}`,
      );
      if (res.status === 404 || !res.data) return null;
      return typeof res.data.jql === 'string' ? res.data.jql : '';
    } catch (e) {
      if (e instanceof JiraError && e.status === 400) return null;
      throw e;
    }
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

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>, settings: Settings): Promise<WriteReport> {
    return this.writeTickets([{ ticket, changes }], settings);
  }

  /**
   * The app's fields of the whole batch in `POST /rest/api/3/app/field/value` calls of up to
   * WRITE_BATCH issues (updates grouped by field and value); Jira's priority and due date of
   * BULK_LABELS_MIN or more issues with the same new value by a bulk edit task (`priorityInBulk`,
   * `dueDateInBulk`); the rest of them per issue with `PUT /rest/api/3/issue/{id}`, only where they
   * changed.
   */
  async writeTickets(batch: TicketWrite[], _settings: Settings): Promise<WriteReport> {
    const refused: RefusedField[] = [];
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
    const bulkSet = await this.priorityInBulk(batch);
    const dueSet = await this.dueDateInBulk(batch);
    for (const { ticket, changes } of batch) {
      const fields: Json = {};
      if (changes.jiraPriority !== undefined && changes.jiraPriority !== null && !bulkSet.has(ticket.id))
        fields.priority = { name: changes.jiraPriority };
      if (changes.dueDate !== undefined && !dueSet.has(ticket.id)) fields.duedate = changes.dueDate;
      if (Object.keys(fields).length === 0) continue;
      // Jira refuses the whole edit when a field is not on the issue's edit screen: the others are
      // written, the refused ones reported.
      refused.push(
        ...(await writeWhatJiraAccepts(
          ticket.key,
          fields,
          async (f) => {
            await this.client.call('PUT', '/rest/api/3/issue/{key}', route`/rest/api/3/issue/${ticket.id}`, {
              fields: f,
            });
          },
          (e) => (e instanceof JiraError && e.status === 400 ? fieldErrorsOfBody(e.body) : null),
        )),
      );
    }
    return { refused };
  }

  /** The site's priority ids by name (`GET /rest/api/3/priority`, once per instance). */
  private priorityIds: Promise<Map<string, string>> | null = null;

  /**
   * Jira's priority of the batch's issues, grouped by the new value: groups of BULK_LABELS_MIN or more
   * go out as one bulk edit task each (`selectedActions: ["priority"]`, `priority.priorityId`; up to
   * 1,000 issues a task; issue #14: a sweep or a recomputation that moves many issues' priority cost
   * one edit per issue). Answers the ids of the issues whose priority the tasks set; the others (a
   * smaller group, a name the site does not have, an issue the task did not edit, Jira refusing the
   * bulk call) are left to the edit per issue, which reports a field Jira refuses.
   */
  private async priorityInBulk(batch: TicketWrite[]): Promise<Set<string>> {
    const set = new Set<string>();
    if (!this.bulkAllowed('priority')) return set;
    const groups = new Map<string, string[]>();
    for (const { ticket, changes } of batch) {
      const name = changes.jiraPriority;
      if (name === undefined || name === null) continue;
      const ids = groups.get(name);
      if (ids) ids.push(ticket.id);
      else groups.set(name, [ticket.id]);
    }
    if (![...groups.values()].some((ids) => ids.length >= BULK_LABELS_MIN)) return set;
    this.priorityIds ??= this.listPriorities().then((ps) => new Map(ps.map((p) => [p.name, p.id])));
    let byName: Map<string, string>;
    try {
      byName = await this.priorityIds;
    } catch (e) {
      this.priorityIds = null;
      this.warn?.('priorities could not be read; editing priority issue by issue', {
        error: (e as Error).message,
      });
      return set;
    }
    for (const [name, ids] of groups) {
      const priorityId = byName.get(name);
      if (priorityId === undefined || ids.length < BULK_LABELS_MIN) continue;
      for (let i = 0; i < ids.length && this.bulkAllowed('priority'); i += BULK_EDIT_MAX) {
        const chunk = ids.slice(i, i + BULK_EDIT_MAX);
        const left = new Set(
          await this.bulkEditTask(
            chunk,
            ['priority'],
            { priority: { priorityId } },
            (id, done) => done.has(id),
            'priority',
          ),
        );
        for (const id of chunk) if (!left.has(id)) set.add(id);
      }
    }
    return set;
  }

  /** Whether a due date set by a bulk task has been read back right once (`dueDateInBulk`). */
  private dueDateChecked = false;

  /**
   * Jira's due date of the batch's issues, grouped by the new date (or its clearing): groups of
   * BULK_LABELS_MIN or more go out as one bulk edit task each (`selectedActions: ["duedate"]`,
   * `datePickerFields` with the date as `d/MMM/yy`, the first format the API names; an empty
   * `formattedDate` clears it). A recomputation or a moved release date sets many issues to one date:
   * before, one edit per issue. The format has not been tried on a real site, so until one task's dates
   * have been read back right (`POST /rest/api/3/issue/bulkfetch`, up to 100 of its issues, one call),
   * each task's are: a date read back wrong stops the due date in bulk for the instance (a warning) and
   * those issues are edited one by one. Answers the ids of the issues whose due date the tasks set; the
   * others (a smaller group, an issue the task did not edit, Jira refusing the request) are left to the
   * edit per issue, which reports a field Jira refuses.
   */
  private async dueDateInBulk(batch: TicketWrite[]): Promise<Set<string>> {
    const set = new Set<string>();
    if (!this.bulkAllowed('due date')) return set;
    const groups = new Map<string | null, string[]>();
    for (const { ticket, changes } of batch) {
      if (changes.dueDate === undefined) continue;
      const ids = groups.get(changes.dueDate);
      if (ids) ids.push(ticket.id);
      else groups.set(changes.dueDate, [ticket.id]);
    }
    for (const [date, ids] of groups) {
      if (ids.length < BULK_LABELS_MIN) continue;
      for (let i = 0; i < ids.length && this.bulkAllowed('due date'); i += BULK_EDIT_MAX) {
        const chunk = ids.slice(i, i + BULK_EDIT_MAX);
        const left = new Set(
          await this.bulkEditTask(
            chunk,
            ['duedate'],
            {
              datePickerFields: [
                { fieldId: 'duedate', date: { formattedDate: date === null ? '' : jiraPickerDate(date) } },
              ],
            },
            (id, done) => done.has(id),
            'due date',
          ),
        );
        const edited = chunk.filter((id) => !left.has(id));
        const wrong = this.dueDateChecked ? new Set<string>() : await this.dueDatesWrong(edited, date);
        for (const id of edited) if (!wrong.has(id)) set.add(id);
      }
    }
    return set;
  }

  /**
   * Reads back the due date of up to 100 issues a bulk task set to `date` (as the app, one bulk fetch):
   * the ids whose date is not `date` (all of `ids` when any is wrong: the task's format is not trusted
   * any more, and the due date goes per issue from now on). Once one read-back is right, no more.
   */
  private async dueDatesWrong(ids: string[], date: string | null): Promise<Set<string>> {
    const asked = ids.slice(0, BULK_FETCH_LIMIT);
    if (asked.length === 0) return new Set();
    const res = await this.client.call<{ issues?: { id?: string; fields?: { duedate?: string | null } }[] }>(
      'POST',
      '/rest/api/3/issue/bulkfetch',
      route`/rest/api/3/issue/bulkfetch`,
      { issueIdsOrKeys: asked, fields: ['duedate'] },
    );
    const read = new Map((res.data?.issues ?? []).map((i) => [String(i.id), i.fields?.duedate ?? null]));
    const bad = asked.filter((id) => read.has(id) && read.get(id) !== date);
    if (bad.length === 0) {
      this.dueDateChecked = true;
      return new Set();
    }
    this.bulkRefused.add('due date');
    this.warn?.('a due date set in bulk read back wrong; setting the due date issue by issue', {
      asked: date,
      read: read.get(bad[0]!) ?? null,
    });
    return new Set(ids);
  }

  /**
   * Posts a comment: ADF with a `mention` node per mentioned account (Jira notifies them), an internal
   * note in service desk projects when `audience` is `internal`. A configured group cannot be
   * mentioned in ADF: it is named in the text and notified with `POST /rest/api/3/issue/{key}/notify`
   * after the comment; a failed notification is reported to `warn`, not thrown (the comment is posted,
   * and a retry would post it twice).
   */
  async addComment(issueKey: string, body: CommentBody): Promise<void> {
    await this.client.call(
      'POST',
      '/rest/api/3/issue/{key}/comment',
      route`/rest/api/3/issue/${issueKey}/comment`,
      {
        body: adfDoc(body.parts),
        ...(body.audience === 'internal'
          ? { properties: [{ key: INTERNAL_COMMENT_PROPERTY, value: { internal: true } }] }
          : {}),
      },
    );
    if (!body.group) return;
    try {
      await this.client.call(
        'POST',
        '/rest/api/3/issue/{key}/notify',
        route`/rest/api/3/issue/${issueKey}/notify`,
        {
          textBody: body.text,
          htmlBody: `<p>${escapeHtml(body.text)}</p>`,
          to: { groups: [{ name: body.group }] },
        },
      );
    } catch (e) {
      this.warn?.('group notification failed', {
        key: issueKey,
        group: body.group,
        error: (e as Error).message,
      });
    }
  }

  /** Adds and removes labels in one edit (`update.labels`), other labels untouched; no call when empty. */
  /**
   * Many issues' label changes with Jira Cloud's bulk edit (`POST /rest/api/3/bulk/issues/fields`, an
   * asynchronous task of up to 1,000 issues, polled at `GET /rest/api/3/bulk/queue/{taskId}`): one task
   * per label added or removed (`ADD` / `REMOVE` of one label keeps the issues' other labels), so a sweep
   * that turns 1,000 issues at risk costs two calls, not 1,000 edits. Groups smaller than
   * `BULK_LABELS_MIN` are edited per issue (cheaper than a task and its poll). Issues the task reports
   * failed, and every issue when Jira refuses the bulk call (no "Make bulk changes" global permission
   * for the app, 403; or a site without the API), are edited one by one; a refusal is remembered for
   * the instance.
   */
  async updateLabelsMany(changes: { key: string; add: string[]; remove: string[] }[]): Promise<void> {
    const groups = new Map<string, { op: 'ADD' | 'REMOVE'; label: string; keys: string[] }>();
    for (const c of changes) {
      for (const [op, labels] of [
        ['ADD', c.add],
        ['REMOVE', c.remove],
      ] as const)
        for (const label of labels) {
          const id = `${op}\u0000${label}`;
          const g = groups.get(id) ?? { op, label, keys: [] };
          g.keys.push(c.key);
          groups.set(id, g);
        }
    }
    const single = new Map<string, { add: string[]; remove: string[] }>();
    const one = (key: string, op: 'ADD' | 'REMOVE', label: string) => {
      const c = single.get(key) ?? { add: [], remove: [] };
      (op === 'ADD' ? c.add : c.remove).push(label);
      single.set(key, c);
    };
    for (const g of groups.values()) {
      if (!this.bulkAllowed('label') || g.keys.length < BULK_LABELS_MIN) {
        for (const key of g.keys) one(key, g.op, g.label);
        continue;
      }
      for (let i = 0; i < g.keys.length; i += BULK_EDIT_MAX) {
        const keys = g.keys.slice(i, i + BULK_EDIT_MAX);
        const failed = await this.bulkLabelTask(g.op, g.label, keys);
        for (const key of failed) one(key, g.op, g.label);
      }
    }
    for (const [key, c] of single) await this.updateLabels(key, c);
  }

  /**
   * What of the bulk edit API this instance no longer tries: `all` once Jira refused the app the API
   * (401, 403, no task), or one kind (`label`, `priority`, `due date`) once Jira refused that kind's
   * request (400) or its result proved wrong (the due date read back, `dueDateInBulk`).
   */
  private readonly bulkRefused = new Set<string>();

  private bulkAllowed(what: string): boolean {
    return !this.bulkRefused.has('all') && !this.bulkRefused.has(what);
  }

  /** One bulk edit task of labels; answers the keys it did not edit (to be edited one by one). */
  private bulkLabelTask(op: 'ADD' | 'REMOVE', label: string, keys: string[]): Promise<string[]> {
    return this.bulkEditTask(
      keys,
      ['labels'],
      {
        labelsFields: [{ fieldId: 'labels', bulkEditMultiSelectFieldOption: op, labels: [{ name: label }] }],
      },
      (key, done) => this.bulkDone(key, done),
      'label',
    );
  }

  /**
   * One bulk edit task (`POST /rest/api/3/bulk/issues/fields`, then polled): the same `edited` input
   * for every issue of `keys` (keys or ids). Answers those it did not edit, to be edited one by one:
   * all of them when Jira refuses the bulk call (remembered for the instance) or the task does not
   * complete; the ones `processed` does not confirm otherwise.
   */
  private async bulkEditTask(
    keys: string[],
    actions: string[],
    edited: Json,
    processed: (key: string, done: Set<string>) => boolean,
    what: string,
  ): Promise<string[]> {
    let submitted: { status: number; data: { taskId?: string } | null };
    try {
      submitted = await this.client.call<{ taskId?: string }>(
        'POST',
        '/rest/api/3/bulk/issues/fields',
        route`/rest/api/3/bulk/issues/fields`,
        {
          selectedIssueIdsOrKeys: keys,
          selectedActions: actions,
          editedFieldsInput: edited,
          sendBulkNotification: false,
        },
      );
    } catch (e) {
      if (!(e instanceof JiraError) || (e.status !== 400 && e.status !== 401 && e.status !== 403)) throw e;
      // 400: this kind's request (its fields, its format); 401/403: the API itself.
      this.bulkRefused.add(e.status === 400 ? what : 'all');
      this.warn?.(`bulk ${what} edit refused; editing issue by issue`, { status: e.status });
      return keys;
    }
    const taskId = submitted.data?.taskId;
    if (submitted.status === 404 || !taskId) {
      this.bulkRefused.add('all');
      return keys;
    }
    let delay = BULK_POLL_FIRST_MS;
    for (let polls = 0; polls < BULK_POLL_MAX; polls++) {
      await this.client.pause(delay);
      delay = Math.min(delay * 2, BULK_POLL_MAX_DELAY_MS);
      const res = await this.client.call<BulkProgress>(
        'GET',
        '/rest/api/3/bulk/queue/{taskId}',
        route`/rest/api/3/bulk/queue/${taskId}`,
      );
      const p = res.data;
      if (!p || p.status === 'ENQUEUED' || p.status === 'RUNNING') continue;
      if (p.status !== 'COMPLETE') return keys;
      const done = new Set((p.processedAccessibleIssues ?? []).map(String));
      const failed = new Set(Object.keys(p.failedAccessibleIssues ?? {}));
      // The task names issues by id; keys it did not report as processed are edited again one by one
      // (the edits are idempotent).
      return failed.size === 0 && done.size >= keys.length ? [] : keys.filter((k) => !processed(k, done));
    }
    // Still running after the polls: the edits will land; nothing to redo now.
    return [];
  }

  /** Whether a bulk task's processed ids include this issue (by id when known, else trust the task). */
  private bulkDone(key: string, done: Set<string>): boolean {
    const id = this.issueIds.get(key);
    return id === undefined ? true : done.has(id);
  }

  async updateLabels(issueKey: string, change: { add: string[]; remove: string[] }): Promise<void> {
    const ops = [...change.add.map((add) => ({ add })), ...change.remove.map((remove) => ({ remove }))];
    if (ops.length === 0) return;
    await this.client.call('PUT', '/rest/api/3/issue/{key}', route`/rest/api/3/issue/${issueKey}`, {
      update: { labels: ops },
    });
  }

  /**
   * Creates an issue (`POST /rest/api/3/issue`: project, type, summary, ADF description), then sets
   * the regulation's inputs with one `POST /rest/api/3/app/field/value` — the app may always write its
   * own fields, while the create call would refuse a field missing from the project's create screen.
   */
  async createIssue(issue: NewIssue, _settings: Settings): Promise<{ id: string; key: string }> {
    const ids = await this.fields();
    const typeRef = /^\d+$/.test(issue.issueType) ? { id: issue.issueType } : { name: issue.issueType };
    const projectRef = /^\d+$/.test(issue.project) ? { id: issue.project } : { key: issue.project };
    const res = await this.client.call<{ id?: string; key?: string }>(
      'POST',
      '/rest/api/3/issue',
      route`/rest/api/3/issue`,
      {
        fields: {
          project: projectRef,
          issuetype: typeRef,
          summary: issue.summary,
          ...(issue.description ? { description: adfText(issue.description) } : {}),
        },
      },
    );
    const id = res.data?.id;
    const key = res.data?.key;
    if (!id || !key) throw new Error('POST /rest/api/3/issue: Jira returned no id or key');
    const updates = CREATE_INPUTS.filter((role) => issue.inputs[role] !== undefined).map((role) => {
      const fieldId = ids[role];
      if (!fieldId)
        throw new Error(`the app's field ${role} was not found on this site (is the app installed?)`);
      return { customField: fieldId, issueIds: [Number(id)], value: issue.inputs[role] };
    });
    if (updates.length > 0)
      await this.client.call('POST', '/rest/api/3/app/field/value', route`/rest/api/3/app/field/value`, {
        updates,
      });
    return { id, key };
  }

  /** Links two issues: `from` is the outward issue (the API's "from (outward) issue"), `to` the inward. */
  async linkIssues(link: NewLink): Promise<void> {
    await this.client.call('POST', '/rest/api/3/issueLink', route`/rest/api/3/issueLink`, {
      type: { name: link.type },
      outwardIssue: { key: link.from },
      inwardIssue: { key: link.to },
    });
  }

  async listIssueTypes(): Promise<{ id: string; name: string }[]> {
    const res = await this.client.call<{ id?: string; name?: string }[]>(
      'GET',
      '/rest/api/3/issuetype',
      route`/rest/api/3/issuetype`,
    );
    return (res.data ?? []).filter((t) => t.id && t.name).map((t) => ({ id: t.id!, name: t.name! }));
  }

  /**
   * The site's priorities: `GET /rest/api/3/priority` (scope read:jira-work). `GET /priority/search`
   * needs manage:jira-configuration, an administrator's scope the app does not ask for
   * (test/forge/scopes.test.ts found it).
   */
  async listPriorities(): Promise<{ id: string; name: string }[]> {
    const res = await this.client.call<{ id?: string; name?: string }[]>(
      'GET',
      '/rest/api/3/priority',
      route`/rest/api/3/priority`,
    );
    return (res.data ?? []).filter((p) => p.id && p.name).map((p) => ({ id: p.id!, name: p.name! }));
  }
}

/**
 * The issues linked to one, from its `issuelinks` (either direction), with the linked issue's type —
 * its name, or its id when only the id is mapped — and whether its status category is done.
 */
function ticketLinks(f: Json, settings: Settings): TicketLink[] {
  const links = Array.isArray(f.issuelinks) ? f.issuelinks : [];
  const out: TicketLink[] = [];
  for (const l of links) {
    const other = obj(obj(l).outwardIssue).key ? obj(obj(l).outwardIssue) : obj(obj(l).inwardIssue);
    const key = str(other.key);
    if (!key) continue;
    const fields = obj(other.fields);
    const type = obj(fields.issuetype);
    const name = str(type.name) ?? '';
    const typeId = str(type.id) ?? '';
    const issueType =
      name && kindOfIssueType(settings, { name })
        ? name
        : kindOfIssueType(settings, { id: typeId })
          ? typeId
          : name;
    const linkType = str(obj(obj(l).type).name);
    const category = str(obj(obj(fields.status).statusCategory).key);
    out.push({
      key,
      issueType,
      ...(linkType ? { type: linkType } : {}),
      ...(category ? { done: category === 'done' } : {}),
    });
  }
  return out;
}

/** When a field was last set, from the issue's history (ascending); null when never (set at creation). */
function fieldSetAt(histories: History[], fieldId: string | undefined): string | null {
  if (!fieldId) return null;
  for (let i = histories.length - 1; i >= 0; i--) {
    const h = histories[i]!;
    if (h.created && h.items?.some((it) => it.fieldId === fieldId)) return isoOffset(h.created);
  }
  return null;
}

/** An ADF document of one paragraph per blank-line-separated block; line breaks as hardBreak. */
export function adfText(text: string): Json {
  return adfDoc([{ type: 'text', text }]);
}

/**
 * A message's parts as an ADF document: text (blank lines start a paragraph, single newlines are hard
 * breaks), `mention` nodes for users (`attrs.id` = account id), groups and issue keys as text.
 */
export function adfDoc(parts: readonly MessagePart[]): Json {
  const paragraphs: Json[][] = [[]];
  const pushText = (text: string) => {
    text.split(/\n{2,}/).forEach((block, bi) => {
      if (bi > 0) paragraphs.push([]);
      block.split('\n').forEach((line, li) => {
        const current = paragraphs[paragraphs.length - 1]!;
        if (li > 0) current.push({ type: 'hardBreak' });
        if (line !== '') current.push({ type: 'text', text: line });
      });
    });
  };
  for (const p of parts) {
    if (p.type === 'text') pushText(p.text);
    else if (p.type === 'mention')
      paragraphs[paragraphs.length - 1]!.push({
        type: 'mention',
        attrs: { id: p.accountId, text: `@${p.name ?? p.accountId}` },
      });
    else if (p.type === 'group') pushText(`@${p.name}`);
    else pushText(p.key);
  }
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((content) => ({ type: 'paragraph', content })),
  };
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

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
 * Reaction events of an incident (SPEC §3): transitions out of the initial status, assignments made
 * after creation (history), and comments (public or internal). Each carries who acted: the reporter,
 * a customer of Service Management (`accountType: customer`) or automation/an app (`accountType: app`)
 * is not support staff ('reporter' / 'other': the engine never counts them); a licensed user is
 * taken for staff ('agent', with the `actor`) until `StaffDirectory.classify` checks them against the
 * support-staff settings (participants, groups, roles, service desk agents). The app's own comments
 * are left out.
 */
function reactionsOf(histories: History[], f: Json, reporter: string | null): AuthoredReaction[] {
  const out: AuthoredReaction[] = [];
  const actor = (author: Json): { actor?: string } => {
    const id = str(author.accountId);
    return id ? { actor: id } : {};
  };
  const role = (author: Json): ReactionEvent['authorRole'] => {
    const id = str(author.accountId);
    if (id !== null && id === reporter) return 'reporter';
    const type = str(author.accountType);
    return type === 'customer' || type === 'app' ? 'other' : 'agent';
  };
  for (const h of histories) {
    const at = isoOffset(h.created ?? null);
    if (!at) continue;
    const author = obj(h.author);
    if (h.items?.some((i) => i.fieldId === 'status' || i.field === 'status'))
      out.push({ at, type: 'status', authorRole: role(author), ...actor(author) });
    if (h.items?.some((i) => (i.fieldId === 'assignee' || i.field === 'assignee') && i.to))
      out.push({ at, type: 'assignee', authorRole: role(author), ...actor(author) });
  }
  const comments = Array.isArray(obj(f.comment).comments) ? (obj(f.comment).comments as unknown[]) : [];
  for (const c of comments) {
    const at = isoOffset(str(obj(c).created));
    if (!at) continue;
    const author = obj(obj(c).author);
    // An app's comment (this app's escalation and customer notices, or another app's) is not a
    // specialist starting work.
    if (str(author.accountType) === 'app') continue;
    out.push({ at, type: 'comment', authorRole: role(author), ...actor(author) });
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

/**
 * Support-staff membership on Jira Cloud, as the app: a user's groups (`GET /rest/api/3/user/groups`),
 * a project role's actors (`GET /rest/api/3/project/{key}/role` for the role's id, then
 * `…/role/{id}`), and whether a user holds Service Management's agent permission on a project
 * (`GET /rest/api/3/user/permission/search?permissions=SERVICEDESK_AGENT&projectKey=…&accountId=…`:
 * the user, or nobody). A project without the role answers null.
 */
export function forgeStaffLookups(client: () => JiraClient): StaffLookups {
  const roleUrls = new Map<string, Promise<Record<string, string>>>();
  return {
    async userGroups(accountId) {
      const res = await client().call<{ name?: string }[]>(
        'GET',
        '/rest/api/3/user/groups',
        route`/rest/api/3/user/groups?accountId=${accountId}`,
      );
      return (res.data ?? []).map((g) => g.name).filter((n): n is string => typeof n === 'string');
    },
    async roleActors(project, role) {
      let urls = roleUrls.get(project);
      if (!urls) {
        urls = client()
          .call<Record<string, string>>(
            'GET',
            '/rest/api/3/project/{key}/role',
            route`/rest/api/3/project/${project}/role`,
          )
          .then(
            (r) => r.data ?? {},
            (e: unknown) => {
              roleUrls.delete(project); // asked again by the next question
              throw e;
            },
          );
        roleUrls.set(project, urls);
      }
      const all = await urls;
      const name = Object.keys(all).find((n) => n.toLowerCase() === role.toLowerCase());
      const id = name ? /\/role\/(\d+)$/.exec(all[name]!)?.[1] : undefined;
      if (!id) return null;
      const res = await client().call<{
        actors?: { actorUser?: { accountId?: string }; actorGroup?: { name?: string } }[];
      }>('GET', '/rest/api/3/project/{key}/role/{id}', route`/rest/api/3/project/${project}/role/${id}`);
      const actors = res.data?.actors ?? [];
      return {
        users: actors.map((a) => a.actorUser?.accountId).filter((u): u is string => typeof u === 'string'),
        groups: actors.map((a) => a.actorGroup?.name).filter((g): g is string => typeof g === 'string'),
      };
    },
    async existingGroups(names) {
      const params = new URLSearchParams({ maxResults: String(Math.min(50, names.length)) });
      for (const n of names) params.append('groupName', n);
      const res = await client().call<{ values?: { name?: string }[] }>(
        'GET',
        '/rest/api/3/group/bulk',
        route`/rest/api/3/group/bulk?${params}`,
      );
      return (res.data?.values ?? []).map((g) => g.name).filter((n): n is string => typeof n === 'string');
    },
    async isServiceDeskAgent(accountId, project) {
      const res = await client().call<{ accountId?: string }[]>(
        'GET',
        '/rest/api/3/user/permission/search',
        route`/rest/api/3/user/permission/search?permissions=${'SERVICEDESK_AGENT'}&projectKey=${project}&accountId=${accountId}`,
      );
      return (res.data ?? []).some((u) => u.accountId === accountId);
    },
  };
}
