/**
 * The app's ticket port (`JiraPort`) over Redmine's REST API (JSON, `X-Redmine-API-Key`):
 *
 * - read:   GET /issues/{id}.json?include=journals,relations — inputs from the mapped custom fields,
 *           reactions, resolution and input changes from the journals (mapping.ts)
 * - write:  PUT /issues/{id}.json (due date, priority, the SLA custom fields), then the issue is read
 *           again: Redmine answers 204 even when it drops a value (a field not enabled for the
 *           project or tracker, a value the user may not set); what it dropped is reported as refused
 * - search: GET /issues.json (open issues for the sweep, offset paging) and the changed-since listing
 *           the poller uses (`updated_on>=`, ascending)
 * - lookups, cached: /users/current.json (our own user: its journals are our writes),
 *           /issue_statuses.json (closed statuses), /enumerations/issue_priorities.json,
 *           /projects/{id}.json (identifier), /projects/{id}/memberships.json (agents by role)
 *
 * Self-contained on purpose: it does not share code with the Jira DC adapter beyond the changelog
 * history helper.
 */
import type {
  CommentBody,
  InputEdit,
  JiraPort,
  NewIssue,
  NewLink,
  RefusedField,
  Settings,
  ShownValues,
  Ticket,
  WriteReport,
} from '../../app/ports';
import { labelOf, parseCode } from '../../domain/codes';
import type { VersionInfo } from '../../domain/snapshot';
import { RedmineClient, RedmineHttpError, type RedmineClientOptions } from './client';
import {
  DEFAULT_REDMINE_FIELDS,
  REDMINE_FIELD_ROLES,
  redmineIdOf,
  redmineKey,
  relatedIds,
  resolveFieldIds,
  ticketOf,
  updateOf,
  type RedmineContext,
  type RedmineFieldRole,
  type RmIssue,
  type RmVersion,
  versionInfo,
} from './mapping';

/** The inputs an issue the app creates carries. */
const INPUT_ROLES = ['impact', 'urgency', 'mode', 'nature', 'workaround'] as const;
/** Redmine's relation types (IssueRelation::TYPES). */
const RELATION_TYPES = [
  'relates',
  'duplicates',
  'duplicated',
  'blocks',
  'blocked',
  'precedes',
  'follows',
  'copied_to',
  'copied_from',
];

export interface RedmineOptions extends RedmineClientOptions {
  /** role → custom field id or name (REGLAMENT_REDMINE_FIELDS); the names scripts/redmine.sh creates by default. */
  fields?: Partial<Record<RedmineFieldRole, string | number>>;
  /**
   * Project roles (names, e.g. "Manager", "Developer") whose members' journals are a reaction; when
   * empty, anyone but the author and the service itself reacts.
   */
  agentRoles?: string[];
  /** Issues per listing page (Redmine caps `limit` at 100). */
  pageSize?: number;
  /** How long lookups (statuses, priorities, projects, memberships) are kept (ms). */
  cacheMs?: number;
  now?: () => number;
}

/** One issue of the changed-since listing. */
export interface ChangedIssue {
  id: number;
  updatedOn: string;
}

/** The Redmine port plus what the service's poller needs. */
export interface RedminePort extends JiraPort {
  readonly client: RedmineClient;
  /**
   * Issues (any status) updated at or after `since` (ISO, second precision: Redmine's `updated_on`
   * granularity), oldest first; `offset` pages within one `since`.
   */
  changedSince(
    since: string,
    offset: number,
  ): Promise<{ issues: ChangedIssue[]; pageSize: number; serverMs: number | null }>;
  /** Checks the API key (`/users/current.json` answers 401 for a wrong one); returns the user's id and login. */
  currentUser(): Promise<{ id: number; login: string }>;
}

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/** Redmine's `updated_on` filter value: second precision, UTC, `Z`. */
export function redmineTime(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

class RedminePortImpl implements RedminePort {
  readonly client: RedmineClient;
  private readonly now: () => number;
  private readonly cacheMs: number;
  private readonly pageSize: number;
  private readonly cache = new Map<string, Cached<unknown>>();
  /** role → custom field id, once resolved from an issue's fields (names) or the configuration (ids). */
  private fieldIds: Partial<Record<RedmineFieldRole, string>> = {};
  /** Roles whose field was not found, warned about once. */
  private readonly warnedMissing = new Set<RedmineFieldRole>();

  constructor(private readonly o: RedmineOptions) {
    this.client = new RedmineClient(o);
    this.now = o.now ?? Date.now;
    this.cacheMs = o.cacheMs ?? 5 * 60_000;
    this.pageSize = Math.min(100, Math.max(1, o.pageSize ?? 100));
  }

  /** A lookup kept `cacheMs`; a failed one is asked again next time. */
  private cached<T>(name: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(name) as Cached<T> | undefined;
    if (hit && this.now() - hit.at < this.cacheMs) return hit.value;
    const value = load().catch((e: unknown) => {
      this.cache.delete(name);
      throw e;
    });
    this.cache.set(name, { at: this.now(), value });
    return value;
  }

  async currentUser(): Promise<{ id: number; login: string }> {
    return this.cached('me', async () => {
      const r = await this.client.get<{ user?: { id?: number; login?: string } }>('/users/current.json');
      if (typeof r?.user?.id !== 'number')
        throw new Error('Redmine /users/current.json gave no user: check REGLAMENT_REDMINE_API_KEY');
      return { id: r.user.id, login: r.user.login ?? '' };
    });
  }

  private closedStatuses(): Promise<Set<string>> {
    return this.cached('statuses', async () => {
      const r = await this.client.get<{ issue_statuses?: { id: number; is_closed?: boolean }[] }>(
        '/issue_statuses.json',
      );
      return new Set((r?.issue_statuses ?? []).filter((s) => s.is_closed).map((s) => String(s.id)));
    });
  }

  private priorities(): Promise<{ id: number; name: string }[]> {
    return this.cached('priorities', async () => {
      const r = await this.client.get<{ issue_priorities?: { id: number; name: string }[] }>(
        '/enumerations/issue_priorities.json',
      );
      return (r?.issue_priorities ?? []).map((p) => ({ id: p.id, name: p.name }));
    });
  }

  private projectKey(projectId: number): Promise<string> {
    return this.cached(`project:${projectId}`, async () => {
      const r = await this.client.get<{ project?: { identifier?: string } }>(
        `/projects/${projectId}.json`,
        true,
      );
      return r?.project?.identifier ?? String(projectId);
    });
  }

  /** The users holding one of the agent roles in the project (null: no roles configured). */
  private agentIds(projectId: number): Promise<Set<number> | null> {
    const roles = (this.o.agentRoles ?? []).map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
    if (roles.length === 0) return Promise.resolve(null);
    return this.cached(`agents:${projectId}`, async () => {
      const ids = new Set<number>();
      for (let offset = 0; ; offset += 100) {
        const r = await this.client.get<{
          memberships?: { user?: { id: number }; roles?: { name?: string }[] }[];
          total_count?: number;
        }>(`/projects/${projectId}/memberships.json?limit=100&offset=${offset}`);
        const page = r?.memberships ?? [];
        for (const m of page)
          if (m.user && (m.roles ?? []).some((x) => roles.includes((x.name ?? '').toLowerCase())))
            ids.add(m.user.id);
        if (page.length < 100 || offset + 100 >= (r?.total_count ?? 0)) break;
      }
      return ids;
    });
  }

  /** A project's versions (by id or identifier), shared versions included. */
  private projectVersions(project: number | string): Promise<RmVersion[]> {
    return this.cached(`versions:${project}`, async () => {
      const r = await this.client.get<{ versions?: RmVersion[] }>(
        `/projects/${encodeURIComponent(String(project))}/versions.json`,
        true,
      );
      return r?.versions ?? [];
    });
  }

  /** The related issues (one listing, any status): their tracker, status and inputs. */
  private async relatedIssues(issue: RmIssue): Promise<Map<number, RmIssue>> {
    const ids = relatedIds(issue);
    const out = new Map<number, RmIssue>();
    for (let i = 0; i < ids.length; i += 100) {
      const chunk = ids.slice(i, i + 100);
      const r = await this.client.get<{ issues?: RmIssue[] }>(
        `/issues.json?issue_id=${chunk.join(',')}&status_id=*&limit=${chunk.length}`,
      );
      for (const x of r?.issues ?? []) out.set(x.id, x);
    }
    return out;
  }

  private async getIssue(id: number): Promise<RmIssue | null> {
    try {
      const r = await this.client.get<{ issue?: RmIssue }>(
        `/issues/${id}.json?include=journals,relations`,
        true,
      );
      return r?.issue ?? null;
    } catch (e) {
      // 403: the API user may not see it (a private project): out of scope, like a missing issue.
      if (e instanceof RedmineHttpError && e.status === 403) return null;
      throw e;
    }
  }

  private resolveFields(issue: RmIssue): Partial<Record<RedmineFieldRole, string>> {
    const resolved = resolveFieldIds(this.o.fields ?? {}, issue.custom_fields ?? []);
    this.fieldIds = { ...this.fieldIds, ...resolved };
    const missing = REDMINE_FIELD_ROLES.filter((r) => !this.fieldIds[r] && !this.warnedMissing.has(r));
    if (missing.length > 0) {
      for (const r of missing) this.warnedMissing.add(r);
      this.o.log?.warn(
        {
          issue: issue.id,
          fields: missing.map((r) => `${r}: '${this.o.fields?.[r] ?? DEFAULT_REDMINE_FIELDS[r]}'`),
        },
        'Redmine custom fields not found on the issue (not enabled for its project or tracker, or named otherwise): set REGLAMENT_REDMINE_FIELDS',
      );
    }
    return this.fieldIds;
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const id = redmineIdOf(keyOrId);
    if (id === null) return null;
    const issue = await this.getIssue(id);
    if (!issue) return null;
    const [closed, me, projectKey, agentIds, versions, related] = await Promise.all([
      this.closedStatuses(),
      this.currentUser(),
      this.projectKey(issue.project.id),
      this.agentIds(issue.project.id),
      this.projectVersions(issue.project.id),
      this.relatedIssues(issue),
    ]);
    const ctx: RedmineContext = {
      settings,
      fieldIds: this.resolveFields(issue),
      projectKey,
      isClosed: (s) => closed.has(s),
      selfId: me.id,
      agentIds,
      versions,
      related,
    };
    return ticketOf(issue, ctx);
  }

  async writeTicket(
    ticket: Ticket,
    changes: Partial<ShownValues>,
    _settings: Settings,
  ): Promise<WriteReport | void> {
    const id = redmineIdOf(ticket.id) ?? redmineIdOf(ticket.key);
    if (id === null) throw new Error(`not a Redmine issue: ${ticket.key}`);
    const priorities = changes.jiraPriority ? await this.priorities() : [];
    const { body, intended } = updateOf(
      ticket.snapshot.kind,
      changes,
      this.fieldIds,
      (name) => priorities.find((p) => p.name.trim().toLowerCase() === name.trim().toLowerCase())?.id,
    );
    if (!body) return;
    try {
      await this.client.request('PUT', `/issues/${id}.json`, body);
    } catch (e) {
      // 422: Redmine refused the whole update (e.g. a due date before the start date): each value is
      // reported, and the record stays (the next change or sweep tries again).
      if (e instanceof RedmineHttpError && e.status === 422)
        return {
          refused: intended.map((v) => ({ issueKey: ticket.key, field: v.field, message: e.message })),
        };
      throw e;
    }
    const after = await this.getIssue(id);
    if (!after) return;
    const refused: RefusedField[] = intended
      .filter((v) => v.read(after) !== v.expect)
      .map((v) => ({
        issueKey: ticket.key,
        field: v.field,
        message: `Redmine answered 204 but kept '${v.read(after)}' instead of '${v.expect}': the field is not enabled for this project or tracker, or the service's user may not edit it`,
      }));
    return { refused };
  }

  async searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    // The app's JQL is not Redmine's: its "not done" scope becomes Redmine's open issues (status_id=o),
    // anything else every issue; the tracker and project scope is applied when each issue is read.
    const status = /statusCategory\s*!=\s*Done/i.test(jql) ? 'o' : '*';
    const offset = pageToken && /^\d+$/.test(pageToken) ? Number(pageToken) : 0;
    const r = await this.client.get<{ issues?: { id: number }[]; total_count?: number }>(
      `/issues.json?status_id=${status}&sort=id&limit=${this.pageSize}&offset=${offset}`,
    );
    const issues = r?.issues ?? [];
    const next = offset + issues.length;
    return {
      keys: issues.map((i) => redmineKey(i.id)),
      ...(issues.length === this.pageSize && next < (r?.total_count ?? 0)
        ? { nextPageToken: String(next) }
        : {}),
    };
  }

  async changedSince(
    since: string,
    offset: number,
  ): Promise<{ issues: ChangedIssue[]; pageSize: number; serverMs: number | null }> {
    const { body: r, dateMs } = await this.client.getWithDate<{
      issues?: { id: number; updated_on?: string }[];
    }>(
      `/issues.json?status_id=*&updated_on=${encodeURIComponent(`>=${redmineTime(since)}`)}` +
        `&sort=updated_on:asc,id&limit=${this.pageSize}&offset=${offset}`,
    );
    return {
      issues: (r?.issues ?? [])
        .filter((i) => typeof i.updated_on === 'string')
        .map((i) => ({ id: i.id, updatedOn: i.updated_on! })),
      pageSize: this.pageSize,
      serverMs: dateMs,
    };
  }

  async listIssueTypes(): Promise<{ id: string; name: string }[]> {
    return (await this.trackers()).map((t) => ({ id: String(t.id), name: t.name }));
  }

  private trackers(): Promise<{ id: number; name: string }[]> {
    return this.cached('trackers', async () => {
      const r = await this.client.get<{ trackers?: { id: number; name: string }[] }>('/trackers.json');
      return r?.trackers ?? [];
    });
  }

  /** §2.9.4: a project's versions (by its identifier), released when closed. */
  async listVersions(project: string): Promise<VersionInfo[]> {
    return (await this.projectVersions(project)).map(versionInfo);
  }

  /**
   * Posts a note (`PUT /issues/{id}.json` with `notes`): a private note for the team (`internal`), a
   * public one for the customer. Redmine notifies watchers and the assignee itself; a group cannot be
   * notified over REST, so `group` is named in the text only.
   */
  async addComment(issueKey: string, body: CommentBody): Promise<void> {
    const id = redmineIdOf(issueKey);
    if (id === null) throw new Error(`not a Redmine issue: ${issueKey}`);
    await this.client.request('PUT', `/issues/${id}.json`, {
      issue: { notes: body.text, private_notes: body.audience === 'internal' },
    });
  }

  /**
   * Creates an issue (`POST /issues.json`: project, tracker by id or name, subject, description and the
   * regulation's inputs as their list values, chosen from the field's values where the key may read
   * `/custom_fields.json` (administrators), else the Russian labels scripts/redmine.sh creates). The
   * issue is read again: inputs Redmine did not keep are logged, not thrown (the issue exists, and a
   * retry would create it again).
   */
  async createIssue(issue: NewIssue, settings: Settings): Promise<{ id: string; key: string }> {
    const tracker = /^\d+$/.test(issue.issueType)
      ? Number(issue.issueType)
      : (await this.trackers()).find((t) => t.name.toLowerCase() === issue.issueType.toLowerCase())?.id;
    if (tracker === undefined)
      throw new Error(`Redmine has no tracker named '${issue.issueType}' (GET /trackers.json)`);
    const values = await this.fieldValues();
    const wanted = INPUT_ROLES.filter((r) => issue.inputs[r] !== undefined);
    const customFields = wanted
      .filter((r) => this.fieldIds[r])
      .map((r) => {
        const code = issue.inputs[r]!;
        const id = this.fieldIds[r]!;
        const own = values.get(id)?.find((v) => parseCode(r, v) === code);
        return { id: Number(id), value: own ?? labelOf(r, code, 'ru') };
      });
    const created = await this.client.request<{ issue?: { id?: number } }>('POST', '/issues.json', {
      issue: {
        project_id: issue.project,
        tracker_id: tracker,
        subject: issue.summary,
        ...(issue.description ? { description: issue.description } : {}),
        ...(customFields.length > 0 ? { custom_fields: customFields } : {}),
      },
    });
    const newId = created?.issue?.id;
    if (typeof newId !== 'number') throw new Error('POST /issues.json: Redmine returned no issue id');
    const key = redmineKey(newId);
    const back = await this.readTicket(key, settings);
    const unset = wanted.filter((r) => back?.snapshot[r] !== issue.inputs[r]);
    if (unset.length > 0)
      this.o.log?.warn(
        { key, inputs: unset },
        'inputs not set on the new Redmine issue: their custom fields are not enabled for its project or tracker, or the value is not in their list',
      );
    return { id: String(newId), key };
  }

  /**
   * Relates two issues (`POST /issues/{from}/relations.json`). Redmine's relation types are fixed
   * (relates, duplicates, blocks, precedes, copied_to, …): a Jira link type name that is one of them is
   * used, anything else becomes `relates`.
   */
  async linkIssues(link: NewLink): Promise<void> {
    const from = redmineIdOf(link.from);
    const to = redmineIdOf(link.to);
    if (from === null || to === null) throw new Error(`not Redmine issues: ${link.from}, ${link.to}`);
    const type = link.type.trim().toLowerCase().replace(/\s+/g, '_');
    await this.client.request('POST', `/issues/${from}/relations.json`, {
      relation: { issue_to_id: to, relation_type: RELATION_TYPES.includes(type) ? type : 'relates' },
    });
  }

  /**
   * Writes an agreed deadline or a priority override (with its reason) to their custom fields; Redmine
   * keeps the change in the issue's journal, which the next read turns into the ledger's history.
   */
  async setInputs(issueKey: string, edit: InputEdit, settings: Settings): Promise<void> {
    const id = redmineIdOf(issueKey);
    if (id === null) throw new Error(`not a Redmine issue: ${issueKey}`);
    if (Object.keys(this.fieldIds).length === 0) await this.readTicket(issueKey, settings);
    const fields: { id: number; value: string }[] = [];
    const set = (role: RedmineFieldRole, value: string) => {
      const fieldId = this.fieldIds[role];
      if (!fieldId)
        throw new Error(
          `Redmine has no '${this.o.fields?.[role] ?? DEFAULT_REDMINE_FIELDS[role]}' custom field on ${issueKey} (role ${role}): create it or set REGLAMENT_REDMINE_FIELDS`,
        );
      fields.push({ id: Number(fieldId), value });
    };
    if (edit.agreedDeadline !== undefined) set('agreedDeadline', edit.agreedDeadline ?? '');
    if (edit.priorityOverride !== undefined) {
      set('priorityOverride', edit.priorityOverride ? String(edit.priorityOverride.value) : '');
      set('overrideReason', edit.priorityOverride?.reason ?? '');
    }
    if (fields.length > 0)
      await this.client.request('PUT', `/issues/${id}.json`, { issue: { custom_fields: fields } });
  }

  /** List custom fields' values by field id, where the key may read them (administrators); else empty. */
  private fieldValues(): Promise<Map<string, string[]>> {
    return this.cached('custom-fields', async () => {
      try {
        const r = await this.client.get<{
          custom_fields?: { id: number; possible_values?: { value: string }[] }[];
        }>('/custom_fields.json');
        return new Map(
          (r?.custom_fields ?? []).map((f) => [String(f.id), (f.possible_values ?? []).map((v) => v.value)]),
        );
      } catch (e) {
        if (e instanceof RedmineHttpError && (e.status === 403 || e.status === 401)) return new Map();
        throw e;
      }
    });
  }

  async listPriorities(): Promise<{ id: string; name: string }[]> {
    return (await this.priorities()).map((p) => ({ id: String(p.id), name: p.name }));
  }
}

/** The Redmine port. Nothing is requested until the first use. */
export function createRedminePort(options: RedmineOptions): RedminePort {
  return new RedminePortImpl(options);
}
