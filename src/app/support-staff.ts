/**
 * Who is support staff (SPEC §3, source §4.7.1: reaction is the assigned support specialist starting
 * work; issue #12 item 7). The settings name Jira groups and project roles; on a Service Management
 * project the holders of its agent permission (`SERVICEDESK_AGENT`) are staff too. Both Jira shells
 * answer the membership questions through `StaffLookups`; `StaffDirectory` asks each question once
 * per directory (one per event or sweep in Forge, a few minutes in the service), never per comment.
 *
 * A reaction event's author is then:
 * - the reporter, a request participant, a Service Management customer, an app, or a user listed as
 *   automation → never staff;
 * - else, when a rule applies to the issue's project (a group or role is configured, or the project
 *   is a service desk and agents count) → staff only when a member;
 * - else (nothing configured for this project) → any other licensed user counts, as before.
 */
import type { Problem } from '../domain/policy-validate';
import type { ReactionEvent } from '../domain/snapshot';

export interface SupportStaff {
  /** Jira groups whose members are support staff (names, e.g. `support-agents`). */
  groups: string[];
  /** Project roles whose members in the issue's project are support staff (names, e.g. `Support`). */
  projectRoles: string[];
  /**
   * On a Service Management project (`projectTypeKey: service_desk`): the users holding its agent
   * permission (`SERVICEDESK_AGENT`, i.e. its agents) are support staff.
   */
  serviceDeskAgents: boolean;
  /**
   * Accounts whose actions are automation, never a reaction (Data Center user names such as
   * `automation`, `jira-bot`; Cloud accounts of type `app` are recognised without being listed).
   */
  automationUsers: string[];
}

export const DEFAULT_SUPPORT_STAFF: Readonly<SupportStaff> = Object.freeze({
  groups: [],
  projectRoles: [],
  serviceDeskAgents: true,
  automationUsers: [],
});

/** The settings' staff definition, the default when absent. */
export function supportStaffOf(settings: { supportStaff?: SupportStaff }): SupportStaff {
  return settings.supportStaff ?? { ...DEFAULT_SUPPORT_STAFF };
}

const NAME_RE = /^[^\s,][^,]{0,254}$/;

/**
 * Validates an edit of the staff definition; every problem names its field and value.
 * @example validateSupportStaff({ groups: ['support'], projectRoles: [], serviceDeskAgents: true, automationUsers: [] })
 */
export function validateSupportStaff(
  v: unknown,
): { ok: true; value: SupportStaff } | { ok: false; errors: Problem[] } {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return {
      ok: false,
      errors: [
        {
          path: '',
          message: `must be { groups, projectRoles, serviceDeskAgents, automationUsers }, got ${JSON.stringify(v)?.slice(0, 80)}`,
        },
      ],
    };
  const o = v as Record<string, unknown>;
  const errors: Problem[] = [];
  const known = ['groups', 'projectRoles', 'serviceDeskAgents', 'automationUsers'];
  for (const k of Object.keys(o))
    if (!known.includes(k)) errors.push({ path: k, message: `unknown setting ${JSON.stringify(k)}` });
  const list = (key: 'groups' | 'projectRoles' | 'automationUsers', what: string): string[] => {
    const x = o[key] ?? [];
    if (!Array.isArray(x)) {
      errors.push({
        path: key,
        message: `must be a list of ${what}, got ${JSON.stringify(x)?.slice(0, 80)}`,
      });
      return [];
    }
    const out: string[] = [];
    x.forEach((item, i) => {
      const name = typeof item === 'string' ? item.trim() : '';
      if (!NAME_RE.test(name))
        errors.push({
          path: `${key}.${i}`,
          message: `must be a ${what.replace(/s$/, '')} (non-empty, no commas), got ${JSON.stringify(item)?.slice(0, 80)}`,
        });
      else if (!out.some((n) => n.toLowerCase() === name.toLowerCase())) out.push(name);
    });
    return out;
  };
  const groups = list('groups', 'group names');
  const projectRoles = list('projectRoles', 'project role names');
  const automationUsers = list('automationUsers', 'user names');
  const agents = o.serviceDeskAgents ?? true;
  if (typeof agents !== 'boolean')
    errors.push({
      path: 'serviceDeskAgents',
      message: `must be true or false, got ${JSON.stringify(agents)}`,
    });
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, value: { groups, projectRoles, serviceDeskAgents: agents === true, automationUsers } };
}

/** The membership questions a Jira shell answers (user = Cloud account id or DC user name). */
export interface StaffLookups {
  /** The user's group names. */
  userGroups(user: string): Promise<string[]>;
  /** A project role's actors in a project (users and groups); null when the project has no such role. */
  roleActors(project: string, role: string): Promise<{ users: string[]; groups: string[] } | null>;
  /** Whether the user holds `SERVICEDESK_AGENT` on the project. */
  isServiceDeskAgent(user: string, project: string): Promise<boolean>;
  /** Of these group names, the ones the site has (for the admin page's report of what is missing). */
  existingGroups?(names: string[]): Promise<string[]>;
}

/** A reaction event as an adapter reads it, with its author (stripped before the engine sees it). */
export interface AuthoredReaction extends ReactionEvent {
  /** Account id (Cloud) or user name (DC) of who acted; absent when Jira did not say. */
  actor?: string;
}

/**
 * Memoized membership answers for one event or sweep. `maxAgeMs` bounds how long an answer is kept
 * (the long-lived service's port); unbounded by default (a Forge invocation).
 */
export class StaffDirectory {
  private readonly memo = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly missingRoles = new Set<string>();
  /** Lookups made (not served from the memo), for tests and diagnostics. */
  lookups = 0;

  constructor(
    private readonly lookupsPort: StaffLookups,
    private readonly options: {
      maxAgeMs?: number;
      now?: () => number;
      /**
       * Told when Jira refuses a membership question for good (4xx other than 429: the app lacks a
       * permission, a group was deleted): the author then counts as before (any licensed user), so
       * an event never fails forever on a lookup; a retryable failure (429, 5xx) propagates.
       */
      warn?: (message: string, data: Record<string, unknown>) => void;
    } = {},
  ) {}

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = (this.options.now ?? Date.now)();
    const hit = this.memo.get(key);
    if (hit && (this.options.maxAgeMs === undefined || now - hit.at < this.options.maxAgeMs))
      return hit.value as Promise<T>;
    this.lookups += 1;
    const value = load();
    this.memo.set(key, { at: now, value });
    // A failed lookup is not kept: the next event asks again.
    value.catch(() => this.memo.delete(key));
    return value;
  }

  /** Whether any staff rule applies to a project of this type (else every licensed user counts). */
  static applies(staff: SupportStaff, projectType: string | null | undefined): boolean {
    return (
      staff.groups.length > 0 ||
      staff.projectRoles.length > 0 ||
      (staff.serviceDeskAgents && projectType === 'service_desk')
    );
  }

  /** Whether `user` is support staff on `project` under `staff` (call only when `applies`). */
  async isStaff(
    staff: SupportStaff,
    user: string,
    project: string,
    projectType?: string | null,
  ): Promise<boolean> {
    if (staff.serviceDeskAgents && projectType === 'service_desk') {
      const agent = await this.once(`agent\u0000${project}\u0000${user}`, () =>
        this.lookupsPort.isServiceDeskAgent(user, project),
      );
      if (agent) return true;
    }
    if (staff.groups.length === 0 && staff.projectRoles.length === 0) return false;
    const roles = await Promise.all(
      staff.projectRoles.map((role) =>
        this.once(`role\u0000${project}\u0000${role.toLowerCase()}`, () =>
          this.lookupsPort.roleActors(project, role),
        ),
      ),
    );
    roles.forEach((r, i) => {
      if (r === null && !this.missingRoles.has(`${project}\u0000${staff.projectRoles[i]}`)) {
        this.missingRoles.add(`${project}\u0000${staff.projectRoles[i]}`);
        this.options.warn?.(
          'a support-staff project role does not exist in the project: nobody counts through it',
          {
            project,
            role: staff.projectRoles[i],
          },
        );
      }
    });
    if (roles.some((r) => r?.users.includes(user))) return true;
    const wanted = new Set([
      ...staff.groups.map((g) => g.toLowerCase()),
      ...roles.flatMap((r) => r?.groups ?? []).map((g) => g.toLowerCase()),
    ]);
    if (wanted.size === 0) return false;
    const groups = await this.once(`groups\u0000${user}`, () => this.lookupsPort.userGroups(user));
    return groups.some((g) => wanted.has(g.toLowerCase()));
  }

  /**
   * The engine's reaction events: the author of each event the adapter marked as staff ('agent') is
   * checked — a request participant, a listed automation user or (when a rule applies) a non-member
   * becomes 'other', which never counts. The `actor` is dropped.
   */
  async classify(
    events: readonly AuthoredReaction[],
    staff: SupportStaff,
    issue: { project: string; projectType?: string | null; participants?: readonly string[] },
  ): Promise<ReactionEvent[]> {
    const automation = new Set(staff.automationUsers.map((u) => u.toLowerCase()));
    const participants = new Set(issue.participants ?? []);
    const applies = StaffDirectory.applies(staff, issue.projectType);
    const out: ReactionEvent[] = [];
    for (const { actor, ...e } of events) {
      if (e.authorRole !== 'agent' || actor === undefined) {
        out.push(e);
        continue;
      }
      let staffMember = !automation.has(actor.toLowerCase()) && !participants.has(actor);
      if (staffMember && applies) {
        try {
          staffMember = await this.isStaff(staff, actor, issue.project, issue.projectType);
        } catch (e) {
          const status = (e as { status?: unknown }).status;
          if (typeof status !== 'number' || status < 400 || status >= 500 || status === 429) throw e;
          this.options.warn?.('support staff could not be checked; the author counts as staff', {
            project: issue.project,
            error: (e as Error).message,
          });
        }
      }
      out.push({ ...e, authorRole: staffMember ? 'agent' : 'other' });
    }
    return out;
  }
}
