/**
 * Settings: the defaults, the defaults discovered on a site at installation, and validation of an
 * administrator's edit that reports every problem at once.
 */
import { DEFAULT_CALENDAR_CONFIG, validateCalendarConfig } from '../domain/calendar';
import type { CalendarConfig } from '../domain/calendar/types';
import { CLASSES } from '../domain/codes';
import { validateCustomers } from '../domain/contracts';
import { validateEscalationConfig } from '../domain/escalation';
import { MASK, validateNotifications, type NotificationsConfig } from '../domain/notify';
import { clonePolicy, DEFAULT_POLICY, type Policy } from '../domain/policy';
import { validatePolicy, type Problem } from '../domain/policy-validate';
import type { IssueTypeMapping, JiraPort, Settings } from './ports';
import { validateSupportStaff } from './support-staff';

/** Usual issue-type names (ru/en) → kind, compared case-insensitively. */
export const INCIDENT_TYPE_NAMES = ['incident', 'инцидент', 'обращение'];
export const ERROR_TYPE_NAMES = ['bug', 'error', 'defect', 'ошибка', 'дефект', 'баг'];

/** Default Jira priority names per level when the site has them (Jira Cloud's standard scheme). */
const STANDARD_PRIORITIES = ['Lowest', 'Low', 'Medium', 'High', 'Highest'];
const CLASS_TO_LEVEL: Record<(typeof CLASSES)[number], number> = {
  planned: 1,
  low: 2,
  medium: 3,
  high: 4,
  critical: 5,
};

/**
 * Settings with nothing discovered: SPEC defaults (DEFAULT_POLICY, DEFAULT_CALENDAR_CONFIG), the usual
 * issue-type names, no Jira priority mapping, no due date, all projects.
 */
export function defaultSettings(): Settings {
  return {
    policy: clonePolicy(DEFAULT_POLICY),
    calendar: JSON.parse(JSON.stringify(DEFAULT_CALENDAR_CONFIG)) as CalendarConfig,
    issueTypes: { incident: ['Incident', 'Инцидент', 'Обращение'], error: ['Bug', 'Ошибка', 'Дефект'] },
    priorityMap: { incident: {}, error: {} },
    setDueDate: false,
    projects: [],
  };
}

/**
 * Defaults fitted to a site: the issue types found by their usual names (Incident/Инцидент/Обращение →
 * incident, Bug/Ошибка/Дефект → error) and, when the site has Jira's standard priorities
 * (Highest…Lowest), a mapping of levels 5…1 and classes critical…planned to them.
 */
export async function discoverDefaults(jira: JiraPort): Promise<Settings> {
  const settings = defaultSettings();
  if (jira.listIssueTypes) {
    const types = await jira.listIssueTypes();
    const pick = (names: string[]) =>
      [
        ...new Set(types.filter((t) => names.includes(t.name.trim().toLowerCase())).map((t) => t.name)),
      ].sort();
    const incident = pick(INCIDENT_TYPE_NAMES);
    const error = pick(ERROR_TYPE_NAMES);
    if (incident.length > 0) settings.issueTypes.incident = incident;
    if (error.length > 0) settings.issueTypes.error = error;
  }
  if (jira.listPriorities) {
    const names = new Map((await jira.listPriorities()).map((p) => [p.name.toLowerCase(), p.name]));
    if (STANDARD_PRIORITIES.every((n) => names.has(n.toLowerCase()))) {
      for (let level = 1; level <= 5; level++) {
        settings.priorityMap.incident[String(level)] = names.get(
          STANDARD_PRIORITIES[level - 1]!.toLowerCase(),
        );
      }
      for (const c of CLASSES) {
        settings.priorityMap.error[c] = names.get(STANDARD_PRIORITIES[CLASS_TO_LEVEL[c] - 1]!.toLowerCase());
      }
    }
  }
  return settings;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' && x.trim() !== '');

/** The editable part of the settings, as the admin page sends it (every key optional). */
export interface SettingsEdit {
  policy?: unknown;
  calendar?: unknown;
  issueTypes?: unknown;
  priorityMap?: unknown;
  setDueDate?: unknown;
  projects?: unknown;
  /** Escalation and customer communication (`{ defaults, projects }`, src/domain/escalation.ts). */
  escalation?: unknown;
  /** Notification channels and rules (`{ channels, rules }`, src/domain/notify.ts); replaces the whole document. */
  notifications?: unknown;
  /** Who is support staff (`{ groups, projectRoles, serviceDeskAgents, automationUsers }`). */
  supportStaff?: unknown;
  /** Customers and their support contracts (`{ customers: [...] }`, src/domain/contracts.ts); replaces the whole list. */
  customers?: unknown;
}

/**
 * Applies an edit to the current settings, validating every part; returns the new settings or every
 * problem found (paths prefixed with the part: `policy.incident.matrix.high.low`, `calendar.zone`,
 * `escalation.projects.SUP.language`, …). `escalation` replaces the whole escalation document.
 */
export function applySettingsEdit(
  current: Settings,
  edit: SettingsEdit,
): { ok: true; value: Settings } | { ok: false; errors: Problem[] } {
  const errors: Problem[] = [];
  const next: Settings = { ...current };
  if (!isObject(edit)) return { ok: false, errors: [{ path: '', message: 'settings must be an object' }] };

  if (edit.policy !== undefined) {
    const r = validatePolicy(edit.policy);
    if (r.ok) next.policy = r.value as Policy;
    else errors.push(...r.errors.map((e) => ({ path: join('policy', e.path), message: e.message })));
  }
  if (edit.calendar !== undefined) {
    const problems = validateCalendarConfig(edit.calendar);
    if (problems.length === 0) next.calendar = edit.calendar as CalendarConfig;
    else errors.push(...problems.map((p) => ({ path: join('calendar', p.path), message: p.message })));
  }
  if (edit.issueTypes !== undefined) {
    const it = edit.issueTypes;
    if (!isObject(it))
      errors.push({ path: 'issueTypes', message: 'must be { incident: [...], error: [...] }' });
    else {
      const mapping: IssueTypeMapping = { incident: [], error: [] };
      for (const kind of ['incident', 'error'] as const) {
        const list = it[kind];
        if (!isStringList(list))
          errors.push({ path: `issueTypes.${kind}`, message: 'must be a list of issue type names or ids' });
        else mapping[kind] = list.map((x) => x.trim());
      }
      const both = mapping.incident.filter((t) =>
        mapping.error.some((e) => e.toLowerCase() === t.toLowerCase()),
      );
      for (const t of both)
        errors.push({
          path: 'issueTypes',
          message: `issue type "${t}" cannot be both an incident and an error`,
        });
      next.issueTypes = mapping;
    }
  }
  if (edit.priorityMap !== undefined) {
    const pm = edit.priorityMap;
    if (!isObject(pm) || !isObject(pm.incident) || !isObject(pm.error)) {
      errors.push({
        path: 'priorityMap',
        message: 'must be { incident: {1..5: name}, error: {class: name} }',
      });
    } else {
      const incident: Record<string, string> = {};
      for (const [k, v] of Object.entries(pm.incident)) {
        if (!['1', '2', '3', '4', '5'].includes(k))
          errors.push({ path: `priorityMap.incident.${k}`, message: 'incident levels are 1 to 5' });
        else if (v !== undefined && v !== null && v !== '' && typeof v !== 'string')
          errors.push({ path: `priorityMap.incident.${k}`, message: 'must be a Jira priority name' });
        else if (typeof v === 'string' && v.trim() !== '') incident[k] = v.trim();
      }
      const error: Record<string, string> = {};
      for (const [k, v] of Object.entries(pm.error)) {
        if (!(CLASSES as readonly string[]).includes(k))
          errors.push({ path: `priorityMap.error.${k}`, message: `error classes are ${CLASSES.join(', ')}` });
        else if (v !== undefined && v !== null && v !== '' && typeof v !== 'string')
          errors.push({ path: `priorityMap.error.${k}`, message: 'must be a Jira priority name' });
        else if (typeof v === 'string' && v.trim() !== '') error[k] = v.trim();
      }
      next.priorityMap = { incident, error };
    }
  }
  if (edit.setDueDate !== undefined) {
    if (typeof edit.setDueDate !== 'boolean')
      errors.push({ path: 'setDueDate', message: 'must be true or false' });
    else next.setDueDate = edit.setDueDate;
  }
  if (edit.projects !== undefined) {
    if (
      !Array.isArray(edit.projects) ||
      !edit.projects.every((p) => typeof p === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(p))
    )
      errors.push({ path: 'projects', message: 'must be a list of project keys (empty = all projects)' });
    else next.projects = edit.projects.map((p) => p.toUpperCase());
  }
  if (edit.escalation !== undefined) {
    const r = validateEscalationConfig(edit.escalation);
    if (r.ok) next.escalation = r.value;
    else errors.push(...r.errors.map((e) => ({ path: join('escalation', e.path), message: e.message })));
  }
  if (edit.notifications !== undefined) {
    const r = validateNotifications(keepSecrets(edit.notifications, current.notifications));
    if (r.ok) next.notifications = r.value;
    else errors.push(...r.errors.map((e) => ({ path: join('notifications', e.path), message: e.message })));
  }
  if (edit.supportStaff !== undefined) {
    const r = validateSupportStaff(edit.supportStaff);
    if (r.ok) next.supportStaff = r.value;
    else errors.push(...r.errors.map((e) => ({ path: join('supportStaff', e.path), message: e.message })));
  }
  if (edit.customers !== undefined) {
    const r = validateCustomers(edit.customers);
    if (r.ok) next.customers = r.value;
    else errors.push(...r.errors.map((e) => ({ path: e.path, message: e.message })));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: next };
}

/**
 * The UI gets channels with their secrets masked (`redactNotifications`); an edit that sends the mask
 * back keeps the stored secret of the channel with the same id.
 */
function keepSecrets(edit: unknown, current: NotificationsConfig | undefined): unknown {
  if (
    !current ||
    typeof edit !== 'object' ||
    edit === null ||
    !Array.isArray((edit as { channels?: unknown }).channels)
  )
    return edit;
  const channels = (edit as { channels: unknown[] }).channels.map((c) => {
    if (typeof c !== 'object' || c === null) return c;
    const ch = c as Record<string, unknown>;
    const old = current.channels.find((o) => o.id === ch.id && o.kind === ch.kind);
    if (!old) return c;
    if (old.kind === 'email' && ch.password === MASK) return { ...ch, password: old.password };
    if (old.kind === 'webhook' && ch.secret === MASK) return { ...ch, secret: old.secret };
    return c;
  });
  return { ...(edit as object), channels };
}

function join(prefix: string, path: string): string {
  return path ? `${prefix}.${path}` : prefix;
}

/** Quotes a JQL value ("…" with escapes). */
export function jqlQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** JQL restricting to the mapped issue types (optionally one kind) and the projects in scope. */
export function scopeJql(settings: Settings, kind?: 'incident' | 'error'): string | null {
  const types =
    kind === undefined
      ? [...settings.issueTypes.incident, ...settings.issueTypes.error]
      : settings.issueTypes[kind];
  if (types.length === 0) return null;
  const parts = [`issuetype in (${types.map(jqlQuote).join(', ')})`];
  if (settings.projects.length > 0) parts.push(`project in (${settings.projects.map(jqlQuote).join(', ')})`);
  return parts.join(' AND ');
}

/** The kind an issue type maps to (by name or id, case-insensitive), if any. */
export function kindOfIssueType(
  settings: Settings,
  issueType: { id?: string; name?: string },
): 'incident' | 'error' | undefined {
  const matches = (list: string[]) =>
    list.some((t) => {
      const x = t.trim().toLowerCase();
      return x === issueType.name?.trim().toLowerCase() || x === issueType.id;
    });
  if (matches(settings.issueTypes.incident)) return 'incident';
  if (matches(settings.issueTypes.error)) return 'error';
  return undefined;
}

/** Whether a project key is in the settings' scope. */
export function projectInScope(settings: Settings, projectKey: string): boolean {
  return settings.projects.length === 0 || settings.projects.includes(projectKey.toUpperCase());
}
