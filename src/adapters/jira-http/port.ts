/**
 * JiraPort over Jira Data Center/Server REST v2:
 *
 * - read:   GET /rest/api/2/issue/{key}?fields=…&expand=changelog, the project's versions
 *           (GET /rest/api/2/project/{key}/versions, cached), status categories (GET /rest/api/2/status),
 *           linked incidents' inputs (POST /rest/api/2/search `key in (…)`)
 * - write:  PUT /rest/api/2/issue/{key} with only the changed fields (and priority / due date)
 * - search: POST /rest/api/2/search with startAt paging (the page token is the next startAt)
 * - fields: found by id or name, created when missing (fields.ts)
 */
import type {
  CommentBody,
  JiraPort,
  NewIssue,
  InputEdit,
  NewLink,
  Settings,
  ShownValues,
  Ticket,
  WriteReport,
} from '../../app/ports';
import { writeWhatJiraAccepts } from '../../app/refused-fields';
import type { MessagePart } from '../../domain/messages';
import { jqlQuote } from '../../app/settings';
import {
  StaffDirectory,
  supportStaffOf,
  type AuthoredReaction,
  type StaffLookups,
} from '../../app/support-staff';
import type { LinkedInputs } from '../../domain/priority';
import type { VersionInfo } from '../../domain/snapshot';
import { JiraClient, JiraHttpError, type JiraClientOptions } from './client';
import { discoverFields, type FieldCatalog, type FieldRole } from './fields';
import {
  codeOf,
  editBody,
  linkedInputsOf,
  linkedKeys,
  requestedFields,
  ticketOf,
  type DcIssue,
  type DcUser,
  type MappingContext,
  type StatusCategory,
} from './mapping';

export interface JiraHttpOptions extends JiraClientOptions {
  /** role → field id or name, from the configuration (REGLAMENT_JIRA_FIELDS). */
  fields?: Partial<Record<FieldRole, string>>;
  /** Create missing fields (POST /rest/api/2/field). */
  createFields?: boolean;
  /** Issues per search page (Jira DC caps maxResults, usually at 1000). */
  pageSize?: number;
  /** How long a project's versions are cached (version webhooks also clear it). */
  versionsTtlMs?: number;
  now?: () => number;
  log?: JiraClientOptions['log'] & { info(obj: Record<string, unknown>, msg: string): void };
}

/** The Jira port plus what the server needs besides the use cases. */
export interface JiraHttpPort extends JiraPort {
  readonly client: JiraClient;
  /** Field ids and names this service writes (known once fields were discovered; empty before). */
  ownFieldKeys(): Set<string>;
  /** Forgets a project's cached versions (after a version webhook). */
  forgetVersions(projectIdOrKey: string): void;
  /** Whether Jira still has the issue (GET /rest/api/2/issue/{key}?fields=id; false only on 404). */
  issueExists(keyOrId: string): Promise<boolean>;
  /** Finds (or creates) the fields now instead of on first use. */
  fieldCatalog(): Promise<FieldCatalog>;
}

interface SearchPage {
  startAt?: number;
  maxResults?: number;
  total?: number;
  issues?: DcIssue[];
}

/**
 * Jira DC JQL for the app's queries: `statusCategoryChangedDate` exists on Jira Cloud only; `updated`
 * is a superset on DC (an issue closed recently was updated recently), so a sweep loses nothing.
 */
export function dcJql(jql: string): string {
  return jql.replace(/\bstatusCategoryChangedDate\b/g, 'updated');
}

/** Characters Jira wiki markup reads as links, macros or tables. */
const escapeWiki = (t: string): string => t.replace(/([[\]{}|])/g, '\\$1');

/**
 * A message in Jira Data Center wiki markup: mentions as `[~username]` (Jira notifies them), issue
 * keys as they are (Jira links them), a group by its name (notified separately: a comment cannot
 * mention a group).
 * @example wikiOf([{ type: 'mention', accountId: 'ivanov' }, { type: 'text', text: ': SUP-1 [late]' }]) // '[~ivanov]: SUP-1 \\[late\\]'
 */
export function wikiOf(parts: readonly MessagePart[]): string {
  return parts
    .map((p) =>
      p.type === 'text'
        ? escapeWiki(p.text)
        : p.type === 'mention'
          ? `[~${p.accountId}]`
          : p.type === 'group'
            ? escapeWiki(p.name)
            : p.key,
    )
    .join('');
}

const INPUT_ROLES = ['impact', 'urgency', 'mode', 'nature', 'workaround'] as const;

class JiraHttpPortImpl implements JiraHttpPort {
  readonly client: JiraClient;
  private catalog: Promise<FieldCatalog> | null = null;
  private known: FieldCatalog | null = null;
  private statuses: Promise<Map<string, StatusCategory>> | null = null;
  private readonly versions = new Map<string, { at: number; list: Promise<VersionInfo[]> }>();
  private readonly now: () => number;
  private readonly pageSize: number;
  private me: Promise<DcUser | null> | null = null;
  /** Projects whose issues are (true) or are not (false) Service Management requests. */
  private readonly serviceDesk = new Map<string, boolean>();
  /** Support-staff membership, each answer kept five minutes (the port lives as long as the service). */
  readonly staff: StaffDirectory;

  constructor(private readonly o: JiraHttpOptions) {
    this.client = new JiraClient(o);
    this.now = o.now ?? Date.now;
    this.pageSize = o.pageSize ?? 100;
    this.staff = new StaffDirectory(dcStaffLookups(this.client), {
      maxAgeMs: 5 * 60_000,
      now: this.now,
      warn: (m, d) => this.o.log?.warn(d, m),
    });
  }

  staffLookups(): StaffLookups {
    return dcStaffLookups(this.client);
  }

  /** The engine's reactions of a ticket: each author checked against the support-staff settings. */
  private async withStaff(ticket: Ticket | null, issue: DcIssue, settings: Settings, fields: FieldCatalog) {
    const raw = ticket?.snapshot.reactions as AuthoredReaction[] | undefined;
    if (!ticket || !raw) return ticket;
    const project = issue.fields.project as { key?: string; projectTypeKey?: string } | undefined;
    const participants = fields.participants ? issue.fields[fields.participants] : undefined;
    ticket.snapshot.reactions = await this.staff.classify(raw, supportStaffOf(settings), {
      project: project?.key ?? issue.key.split('-')[0] ?? '',
      projectType: project?.projectTypeKey ?? null,
      participants: Array.isArray(participants)
        ? participants
            .map((u) => (u as DcUser | null)?.name ?? (u as DcUser | null)?.key)
            .filter((n): n is string => typeof n === 'string')
        : [],
    });
    return ticket;
  }

  fieldCatalog(): Promise<FieldCatalog> {
    this.catalog ??= discoverFields(this.client, {
      mapping: this.o.fields ?? {},
      create: this.o.createFields ?? false,
      ...(this.o.log ? { log: this.o.log } : {}),
    }).then(
      (c) => {
        this.known = c;
        return c;
      },
      (e: unknown) => {
        this.catalog = null; // try again on the next event
        throw e;
      },
    );
    return this.catalog;
  }

  /** `cf[N] is EMPTY` on the "SLA state" field: issues the service never evaluated. */
  async unevaluatedClause(): Promise<string | null> {
    const id = (await this.fieldCatalog()).ids.slaState;
    const n = id ? /^customfield_(\d+)$/.exec(id)?.[1] : undefined;
    return n ? `cf[${n}] is EMPTY` : null;
  }

  ownFieldKeys(): Set<string> {
    return this.known?.own ?? new Set();
  }

  forgetVersions(projectIdOrKey: string): void {
    this.versions.clear();
    void projectIdOrKey;
  }

  async issueExists(keyOrId: string): Promise<boolean> {
    const issue = await this.client.get<{ id?: string }>(
      `/rest/api/2/issue/${encodeURIComponent(keyOrId)}?fields=id`,
      true,
    );
    return issue !== null;
  }

  /** The service's own Jira user (GET /rest/api/2/myself), once. */
  private myself(): Promise<DcUser | null> {
    this.me ??= this.client.get<DcUser>('/rest/api/2/myself', true).then(
      (u) => u ?? null,
      (e: unknown) => {
        this.me = null;
        throw e;
      },
    );
    return this.me;
  }

  private statusCategories(): Promise<Map<string, StatusCategory>> {
    this.statuses ??= this.client
      .get<{ id: string; statusCategory?: { key?: string } }[]>('/rest/api/2/status')
      .then(
        (list) =>
          new Map(
            (list ?? [])
              .filter((s) => ['new', 'indeterminate', 'done'].includes(s.statusCategory?.key ?? ''))
              .map((s) => [String(s.id), s.statusCategory!.key as StatusCategory]),
          ),
        (e: unknown) => {
          this.statuses = null;
          throw e;
        },
      );
    return this.statuses;
  }

  private projectVersions(project: string): Promise<VersionInfo[]> {
    const hit = this.versions.get(project);
    if (hit && this.now() - hit.at < (this.o.versionsTtlMs ?? 5 * 60_000)) return hit.list;
    const list = this.client
      .get<{ name: string; releaseDate?: string; released?: boolean; archived?: boolean }[]>(
        `/rest/api/2/project/${encodeURIComponent(project)}/versions`,
      )
      .then((vs) =>
        (vs ?? [])
          .filter((v) => !v.archived)
          .map((v) => ({ name: v.name, releaseDate: v.releaseDate ?? null, released: v.released === true })),
      );
    list.catch(() => this.versions.delete(project));
    this.versions.set(project, { at: this.now(), list });
    return list;
  }

  /** Inputs of the incidents among the given issue keys (one search). */
  private async linkedIncidentInputs(
    keys: string[],
    settings: Settings,
    fields: FieldCatalog,
  ): Promise<Map<string, LinkedInputs>> {
    const out = new Map<string, LinkedInputs>();
    if (keys.length === 0) return out;
    const inputIds = (['impact', 'urgency', 'mode'] as const)
      .map((r) => fields.ids[r])
      .filter((x): x is string => !!x);
    for (let i = 0; i < keys.length; i += 100) {
      const chunk = keys.slice(i, i + 100);
      const page = await this.client.request<SearchPage>('POST', '/rest/api/2/search', {
        jql: `key in (${chunk.map(jqlQuote).join(', ')})`,
        startAt: 0,
        maxResults: chunk.length,
        fields: ['issuetype', ...inputIds],
        validateQuery: false,
      });
      for (const issue of page?.issues ?? []) {
        const inputs = linkedInputsOf(issue, fields, settings);
        if (inputs) out.set(issue.key, inputs);
      }
    }
    return out;
  }

  private async context(
    settings: Settings,
    fields: FieldCatalog,
    issues: DcIssue[],
  ): Promise<Map<string, MappingContext>> {
    const statuses = await this.statusCategories();
    const self = await this.myself();
    const linked = await this.linkedIncidentInputs(
      [...new Set(issues.flatMap(linkedKeys))],
      settings,
      fields,
    );
    const out = new Map<string, MappingContext>();
    for (const issue of issues) {
      const project =
        (issue.fields.project as { key?: string } | undefined)?.key ?? issue.key.split('-')[0] ?? '';
      out.set(issue.key, {
        settings,
        fields,
        versions: await this.projectVersions(project),
        statusCategory: (id) => statuses.get(String(id)),
        linkedIncidents: linked,
        self,
      });
    }
    return out;
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const fields = await this.fieldCatalog();
    const issue = await this.client.get<DcIssue>(
      `/rest/api/2/issue/${encodeURIComponent(keyOrId)}?fields=${encodeURIComponent(requestedFields(fields, settings).join(','))}&expand=changelog`,
      true,
    );
    if (!issue) return null;
    // Out of scope (not an incident/error type, other project): no more calls.
    const probe = ticketOf(issue, {
      settings,
      fields,
      versions: [],
      statusCategory: () => undefined,
      linkedIncidents: new Map(),
    });
    if (!probe) return null;
    const ctx = (await this.context(settings, fields, [issue])).get(issue.key)!;
    return this.withStaff(ticketOf(issue, ctx), issue, settings, fields);
  }

  /**
   * One `PUT /rest/api/2/issue/{key}` with the changed fields; when Jira refuses some (not on the
   * issue's edit screen), the others are written in a second edit and the refused ones reported.
   */
  async writeTicket(
    ticket: Ticket,
    changes: Partial<ShownValues>,
    _settings: Settings,
  ): Promise<WriteReport> {
    const fields = await this.fieldCatalog();
    const body = editBody(changes, fields);
    if (Object.keys(body.fields).length === 0) return { refused: [] };
    const refused = await writeWhatJiraAccepts(
      ticket.key,
      body.fields,
      async (f) => {
        await this.client.request('PUT', `/rest/api/2/issue/${encodeURIComponent(ticket.key)}`, {
          fields: f,
        });
      },
      (e) => (e instanceof JiraHttpError && e.status === 400 ? e.fieldErrors : null),
    );
    return { refused };
  }

  async searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const startAt = pageToken ? Number(pageToken) : 0;
    const page = await this.client.request<SearchPage>('POST', '/rest/api/2/search', {
      jql: dcJql(jql),
      startAt,
      maxResults: this.pageSize,
      fields: ['key'],
    });
    const keys = (page?.issues ?? []).map((i) => i.key);
    const next = startAt + keys.length;
    return keys.length > 0 && next < (page?.total ?? 0) ? { keys, nextPageToken: String(next) } : { keys };
  }

  async searchTickets(
    jql: string,
    settings: Settings,
    pageToken?: string,
  ): Promise<{ tickets: Ticket[]; nextPageToken?: string }> {
    const fields = await this.fieldCatalog();
    const startAt = pageToken ? Number(pageToken) : 0;
    const page = await this.client.request<SearchPage>('POST', '/rest/api/2/search', {
      jql: dcJql(jql),
      startAt,
      maxResults: this.pageSize,
      fields: requestedFields(fields, settings),
      expand: ['changelog'],
    });
    const issues = page?.issues ?? [];
    const contexts = await this.context(settings, fields, issues);
    const tickets: Ticket[] = [];
    for (const i of issues) {
      const t = await this.withStaff(ticketOf(i, contexts.get(i.key)!), i, settings, fields);
      if (t) tickets.push(t);
    }
    const next = startAt + issues.length;
    return issues.length > 0 && next < (page?.total ?? 0)
      ? { tickets, nextPageToken: String(next) }
      : { tickets };
  }

  /**
   * Posts a comment in wiki markup. `internal` goes to Jira Service Management as an internal note
   * (`POST /rest/servicedeskapi/request/{key}/comment`, `public: false`); where the issue is not a
   * service desk request (or JSM is not installed) it is an ordinary comment. A group is notified with
   * `POST /rest/api/2/issue/{key}/notify`; a failed notification is logged, not thrown (the comment is
   * posted, and a retry would post it twice).
   */
  async addComment(issueKey: string, body: CommentBody): Promise<void> {
    const text = wikiOf(body.parts);
    const project = issueKey.split('-')[0] ?? '';
    let posted = false;
    if (body.audience === 'internal' && this.serviceDesk.get(project) !== false) {
      try {
        await this.client.request(
          'POST',
          `/rest/servicedeskapi/request/${encodeURIComponent(issueKey)}/comment`,
          {
            body: text,
            public: false,
          },
        );
        this.serviceDesk.set(project, true);
        posted = true;
      } catch (e) {
        if (!(e instanceof JiraHttpError) || ![400, 404].includes(e.status)) throw e;
        this.serviceDesk.set(project, false);
      }
    }
    if (!posted)
      await this.client.request('POST', `/rest/api/2/issue/${encodeURIComponent(issueKey)}/comment`, {
        body: text,
      });
    if (!body.group) return;
    try {
      await this.client.request('POST', `/rest/api/2/issue/${encodeURIComponent(issueKey)}/notify`, {
        subject: `${issueKey}: ${body.text.slice(0, 120)}`,
        textBody: body.text,
        to: { groups: [{ name: body.group }] },
      });
    } catch (e) {
      this.o.log?.warn(
        { key: issueKey, group: body.group, error: (e as Error).message },
        'group notification failed',
      );
    }
  }

  /** Adds and removes labels in one edit (`update.labels`), other labels untouched; no call when empty. */
  async updateLabels(issueKey: string, change: { add: string[]; remove: string[] }): Promise<void> {
    const ops = [...change.add.map((add) => ({ add })), ...change.remove.map((remove) => ({ remove }))];
    if (ops.length === 0) return;
    await this.client.request('PUT', `/rest/api/2/issue/${encodeURIComponent(issueKey)}`, {
      update: { labels: ops },
    });
  }

  /**
   * Creates an issue (`POST /rest/api/2/issue`: project, type, summary, description), then sets the
   * regulation's inputs with one edit, choosing each select option by its code or label from the
   * issue's edit metadata (Data Center has no REST call that lists a select field's options otherwise).
   * Inputs whose field or option is not on the edit screen are logged, not thrown: the issue exists,
   * and a retry would create it again.
   */
  async createIssue(issue: NewIssue, _settings: Settings): Promise<{ id: string; key: string }> {
    const fields = await this.fieldCatalog();
    const created = await this.client.request<{ id?: string; key?: string }>('POST', '/rest/api/2/issue', {
      fields: {
        project: /^\d+$/.test(issue.project) ? { id: issue.project } : { key: issue.project },
        issuetype: /^\d+$/.test(issue.issueType) ? { id: issue.issueType } : { name: issue.issueType },
        summary: issue.summary,
        ...(issue.description ? { description: issue.description } : {}),
      },
    });
    const id = created?.id;
    const key = created?.key;
    if (!id || !key) throw new Error('POST /rest/api/2/issue: Jira returned no id or key');
    const wanted = INPUT_ROLES.filter((r) => issue.inputs[r] !== undefined);
    if (wanted.length === 0) return { id: String(id), key };
    const meta = await this.client.get<{
      fields?: Record<string, { allowedValues?: { id?: string; value?: string }[] }>;
    }>(`/rest/api/2/issue/${encodeURIComponent(key)}/editmeta`);
    const set: Record<string, unknown> = {};
    const unset: string[] = [];
    for (const role of wanted) {
      const fieldId = fields.ids[role];
      const option = fieldId
        ? meta?.fields?.[fieldId]?.allowedValues?.find((o) => codeOf(role, o) === issue.inputs[role])
        : undefined;
      if (fieldId && option?.id) set[fieldId] = { id: option.id };
      else unset.push(role);
    }
    if (Object.keys(set).length > 0)
      await this.client.request('PUT', `/rest/api/2/issue/${encodeURIComponent(key)}`, { fields: set });
    if (unset.length > 0)
      this.o.log?.warn(
        { key, inputs: unset },
        'inputs not set on the new issue: their fields or options are not on its edit screen',
      );
    return { id: String(id), key };
  }

  /**
   * Writes an agreed deadline or a priority override (with its reason) to their custom fields in one
   * edit (`PUT /rest/api/2/issue/{key}`); Jira keeps the change in the changelog, which the next read
   * turns into the ledger's history. A role without a field is an error naming it.
   */
  async setInputs(issueKey: string, edit: InputEdit, _settings: Settings): Promise<void> {
    const fields = await this.fieldCatalog();
    const set: Record<string, unknown> = {};
    const put = (role: 'agreedDeadline' | 'priorityOverride' | 'overrideReason', value: unknown) => {
      const id = fields.ids[role];
      if (!id) throw new Error(`no Jira field is mapped for ${role} (REGLAMENT_JIRA_FIELDS)`);
      set[id] = value;
    };
    if (edit.agreedDeadline !== undefined) put('agreedDeadline', edit.agreedDeadline);
    if (edit.priorityOverride !== undefined) {
      put('priorityOverride', edit.priorityOverride?.value ?? null);
      put('overrideReason', edit.priorityOverride?.reason ?? null);
    }
    if (Object.keys(set).length > 0)
      await this.client.request('PUT', `/rest/api/2/issue/${encodeURIComponent(issueKey)}`, { fields: set });
  }

  /** Links two issues: `from` is the outward issue, `to` the inward one. */
  async linkIssues(link: NewLink): Promise<void> {
    await this.client.request('POST', '/rest/api/2/issueLink', {
      type: { name: link.type },
      outwardIssue: { key: link.from },
      inwardIssue: { key: link.to },
    });
  }

  /** A project's versions (§2.9.4), shared with the errors' version cache. */
  async listVersions(project: string): Promise<VersionInfo[]> {
    return structuredClone(await this.projectVersions(project));
  }

  async listIssueTypes(): Promise<{ id: string; name: string }[]> {
    return ((await this.client.get<{ id: string; name: string }[]>('/rest/api/2/issuetype')) ?? []).map(
      (t) => ({ id: String(t.id), name: t.name }),
    );
  }

  async listPriorities(): Promise<{ id: string; name: string }[]> {
    return ((await this.client.get<{ id: string; name: string }[]>('/rest/api/2/priority')) ?? []).map(
      (p) => ({ id: String(p.id), name: p.name }),
    );
  }

  /**
   * A saved filter's JQL: `GET /rest/api/2/filter/{id}` (its `jql`). Read with the service's Jira
   * account: the gadget can use the filters that account can see (shared with it, its group or
   * everyone), whoever opens the gadget. Jira answers 400 (no such filter or not visible) or 404;
   * both are null, and so is an id that is not a number (no call).
   */
  async filterJql(filterId: string): Promise<string | null> {
    if (!/^\d{1,18}$/.test(filterId)) return null;
    try {
      const filter = await this.client.get<{ jql?: unknown }>(
        `/rest/api/2/filter/${encodeURIComponent(filterId)}`,
        true,
      );
      if (!filter) return null;
      return typeof filter.jql === 'string' ? filter.jql : '';
    } catch (e) {
      if (e instanceof JiraHttpError && e.status === 400) return null;
      throw e;
    }
  }
}

/** The Jira DC/Server port. Nothing is requested until the first use. */
export function createJiraHttpPort(options: JiraHttpOptions): JiraHttpPort {
  return new JiraHttpPortImpl(options);
}

/**
 * Support-staff membership on Jira Data Center (REST v2): a user's groups
 * (`GET /rest/api/2/user?username=…&expand=groups`), a project role's actors
 * (`GET /rest/api/2/project/{key}/role` for its id, then `…/role/{id}`: users by name, groups), and
 * whether a user holds Service Management's agent permission on a project
 * (`GET /rest/api/2/user/permission/search?username=…&permissions=SERVICEDESK_AGENT&projectKey=…`).
 */
export function dcStaffLookups(client: JiraClient): StaffLookups {
  const roleUrls = new Map<string, Promise<Record<string, string>>>();
  const enc = encodeURIComponent;
  return {
    async userGroups(name) {
      const user = await client.get<{ groups?: { items?: { name?: string }[] } }>(
        `/rest/api/2/user?username=${enc(name)}&expand=groups`,
        true,
      );
      return (user?.groups?.items ?? []).map((g) => g.name).filter((n): n is string => typeof n === 'string');
    },
    async roleActors(project, role) {
      let urls = roleUrls.get(project);
      if (!urls) {
        urls = client.get<Record<string, string>>(`/rest/api/2/project/${enc(project)}/role`, true).then(
          (r) => r ?? {},
          (e: unknown) => {
            roleUrls.delete(project);
            throw e;
          },
        );
        roleUrls.set(project, urls);
      }
      const all = await urls;
      const name = Object.keys(all).find((n) => n.toLowerCase() === role.toLowerCase());
      const id = name ? /\/role\/(\d+)$/.exec(all[name]!)?.[1] : undefined;
      if (!id) return null;
      const r = await client.get<{ actors?: { type?: string; name?: string }[] }>(
        `/rest/api/2/project/${enc(project)}/role/${id}`,
        true,
      );
      const actors = r?.actors ?? [];
      const of = (type: string) =>
        actors
          .filter((a) => a.type === type)
          .map((a) => a.name)
          .filter((n): n is string => typeof n === 'string');
      return { users: of('atlassian-user-role-actor'), groups: of('atlassian-group-role-actor') };
    },
    async existingGroups(names) {
      const found: string[] = [];
      for (const n of names) {
        const r = await client.get<{ groups?: { name?: string }[] }>(
          `/rest/api/2/groups/picker?query=${enc(n)}&maxResults=50`,
        );
        const hit = (r?.groups ?? []).find((g) => g.name?.toLowerCase() === n.toLowerCase());
        if (hit?.name) found.push(hit.name);
      }
      return found;
    },
    async isServiceDeskAgent(name, project) {
      const users = await client.get<{ name?: string }[]>(
        `/rest/api/2/user/permission/search?username=${enc(name)}&permissions=SERVICEDESK_AGENT&projectKey=${enc(project)}`,
      );
      return (users ?? []).some((u) => u.name === name);
    },
  };
}
