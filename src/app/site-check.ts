/**
 * The settings checked against the Jira site (issue #12 item 1): the issue types and priorities the
 * mapping names must exist there. Real Jira answers a JQL naming a missing type with 400 "The value
 * 'X' does not exist for the field 'issuetype'", which would fail every sweep, "Recompute all" and
 * version event; so the scans search only the mapped types the site has, and the administrator is
 * told which names it lacks (on save, on the admin page and in the log at start).
 */
import type { Problem } from '../domain/policy-validate';
import type { AppDeps } from './deps';
import type { IssueTypeMapping, JiraPort, Settings } from './ports';
import { supportStaffOf } from './support-staff';

/** A problem with the code and names the admin page shows in its own language. */
export interface SiteProblem extends Problem {
  code:
    | 'missing-issue-type'
    | 'missing-priority'
    | 'no-issue-type'
    | 'missing-staff-group'
    | 'missing-staff-role';
  /** The name the site lacks. */
  value?: string;
  /** What the site has. */
  known?: string[];
}

export interface SiteCatalog {
  issueTypes: { id: string; name: string }[] | null;
  priorities: { id: string; name: string }[] | null;
}

/** An empty list means the port could not tell (every Jira site has issue types and priorities). */
const orNull = <T>(list: T[] | null): T[] | null => (list && list.length > 0 ? list : null);

/** The site's issue types and priorities (null for what the port cannot list). */
export async function siteCatalog(jira: JiraPort): Promise<SiteCatalog> {
  const [issueTypes, priorities] = await Promise.all([
    jira.listIssueTypes ? jira.listIssueTypes() : Promise.resolve(null),
    jira.listPriorities ? jira.listPriorities() : Promise.resolve(null),
  ]);
  return { issueTypes: orNull(issueTypes), priorities: orNull(priorities) };
}

const known = (list: { id: string; name: string }[], value: string) => {
  const v = value.trim().toLowerCase();
  return list.some((x) => x.name.trim().toLowerCase() === v || x.id === value.trim());
};

const sortedNames = (list: { name: string }[]) => [...new Set(list.map((x) => x.name))].sort();
const names = (list: { name: string }[]) =>
  sortedNames(list)
    .map((n) => `"${n}"`)
    .join(', ');

/**
 * Every name of the mapping the site lacks, as problems with the setting's path, e.g.
 * `{ path: 'issueTypes.incident[2]', message: 'issue type "Обращение" does not exist on this Jira site (its types: "Bug", "Incident", "Task")' }`.
 */
export function siteProblems(settings: Settings, site: SiteCatalog): SiteProblem[] {
  const out: SiteProblem[] = [];
  if (site.issueTypes) {
    for (const kind of ['incident', 'error'] as const) {
      settings.issueTypes[kind].forEach((t, i) => {
        if (!known(site.issueTypes!, t))
          out.push({
            path: `issueTypes.${kind}[${i}]`,
            message: `issue type "${t}" does not exist on this Jira site (its types: ${names(site.issueTypes!)})`,
            code: 'missing-issue-type',
            value: t,
            known: sortedNames(site.issueTypes!),
          });
      });
    }
    const mapped = (['incident', 'error'] as const).flatMap((k) =>
      settings.issueTypes[k].filter((t) => known(site.issueTypes!, t)),
    );
    if (mapped.length === 0)
      out.push({
        path: 'issueTypes',
        message: 'no issue type of this Jira site is mapped to incidents or errors: nothing is tracked',
        code: 'no-issue-type',
        known: sortedNames(site.issueTypes),
      });
  }
  if (site.priorities) {
    for (const kind of ['incident', 'error'] as const) {
      for (const [k, v] of Object.entries(settings.priorityMap[kind])) {
        if (v && !known(site.priorities, v))
          out.push({
            path: `priorityMap.${kind}.${k}`,
            message: `priority "${v}" does not exist on this Jira site (its priorities: ${names(site.priorities)})`,
            code: 'missing-priority',
            value: v,
            known: sortedNames(site.priorities),
          });
      }
    }
  }
  return out;
}

/** The mapping restricted to the types the site has (what the scans may name in JQL). */
export function siteIssueTypes(mapping: IssueTypeMapping, site: SiteCatalog): IssueTypeMapping {
  if (!site.issueTypes) return mapping;
  return {
    incident: mapping.incident.filter((t) => known(site.issueTypes!, t)),
    error: mapping.error.filter((t) => known(site.issueTypes!, t)),
  };
}

/**
 * The stored settings for a scan: the issue-type mapping narrowed to the site's types, with the names
 * it lacks logged (a warning, every scan) so the JQL never names a missing type.
 */
export async function scanSettings(deps: AppDeps): Promise<Settings> {
  const settings = await deps.store.getSettings();
  if (!deps.jira.listIssueTypes) return settings;
  const site: SiteCatalog = { issueTypes: orNull(await deps.jira.listIssueTypes()), priorities: null };
  const problems = siteProblems(settings, site);
  if (problems.length > 0)
    deps.log?.warn('settings name what this Jira site lacks', {
      problems: problems.map((p) => `${p.path}: ${p.message}`),
    });
  return { ...settings, issueTypes: siteIssueTypes(settings.issueTypes, site) };
}

/**
 * The support-staff groups and project roles the settings name that the site lacks (issue #12
 * item 7): groups by name; roles in the first project of the scope (Jira's roles are defined for the
 * whole site; with no project in scope they are not checked). A lookup Jira refuses (the app may not
 * list groups) reports nothing rather than a false problem; the event path warns in the log instead.
 * @example await staffProblems(jira, settings) // [{ path: 'supportStaff.groups[0]', code: 'missing-staff-group', value: 'support', … }]
 */
export async function staffProblems(jira: JiraPort, settings: Settings): Promise<SiteProblem[]> {
  const staff = supportStaffOf(settings);
  const lookups = jira.staffLookups?.();
  if (!lookups) return [];
  const out: SiteProblem[] = [];
  const refused = (e: unknown) => {
    const status = (e as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) return null;
    throw e;
  };
  if (staff.groups.length > 0 && lookups.existingGroups) {
    const have = await lookups.existingGroups(staff.groups).catch(refused);
    if (have) {
      const lower = new Set(have.map((g) => g.toLowerCase()));
      staff.groups.forEach((g, i) => {
        if (!lower.has(g.toLowerCase()))
          out.push({
            path: `supportStaff.groups[${i}]`,
            message: `group "${g}" does not exist on this Jira site`,
            code: 'missing-staff-group',
            value: g,
          });
      });
    }
  }
  const project = settings.projects[0];
  if (project && staff.projectRoles.length > 0) {
    for (const [i, role] of staff.projectRoles.entries()) {
      const actors = await lookups.roleActors(project, role).catch(refused);
      if (actors === null)
        out.push({
          path: `supportStaff.projectRoles[${i}]`,
          message: `project role "${role}" does not exist on this Jira site (checked in project ${project})`,
          code: 'missing-staff-role',
          value: role,
        });
    }
  }
  return out;
}
