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
import type { JiraPort, RefusedField, Settings, ShownValues, Ticket, WriteReport } from '../../app/ports';
import { RedmineClient, RedmineHttpError, type RedmineClientOptions } from './client';
import {
  DEFAULT_REDMINE_FIELDS,
  REDMINE_FIELD_ROLES,
  redmineIdOf,
  redmineKey,
  resolveFieldIds,
  ticketOf,
  updateOf,
  type RedmineContext,
  type RedmineFieldRole,
  type RmIssue,
} from './mapping';

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
    const [closed, me, projectKey, agentIds] = await Promise.all([
      this.closedStatuses(),
      this.currentUser(),
      this.projectKey(issue.project.id),
      this.agentIds(issue.project.id),
    ]);
    const ctx: RedmineContext = {
      settings,
      fieldIds: this.resolveFields(issue),
      projectKey,
      isClosed: (s) => closed.has(s),
      selfId: me.id,
      agentIds,
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
    const r = await this.client.get<{ trackers?: { id: number; name: string }[] }>('/trackers.json');
    return (r?.trackers ?? []).map((t) => ({ id: String(t.id), name: t.name }));
  }

  async listPriorities(): Promise<{ id: string; name: string }[]> {
    return (await this.priorities()).map((p) => ({ id: String(p.id), name: p.name }));
  }
}

/** The Redmine port. Nothing is requested until the first use. */
export function createRedminePort(options: RedmineOptions): RedminePort {
  return new RedminePortImpl(options);
}
