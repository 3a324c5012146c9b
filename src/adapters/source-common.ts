/**
 * What the Yandex Tracker, Zammad and GLPI adapters share (issue #18): the roles of the fields they
 * read and write, reading a regulation code from a field value, and assembling the app's Ticket from
 * what each system's mapping found. Pure functions.
 */
import { kindOfIssueType } from '../app/settings';
import type { Settings, ShownValues, Ticket } from '../app/ports';
import { parseCode } from '../domain/codes';
import type { InputChange, ReactionEvent, Snapshot } from '../domain/snapshot';
import { labelText, SourceConfigError } from './http-json';

/** The inputs a source reads and the SLA fields it writes, each mapped to one field of the system. */
export const SOURCE_FIELD_ROLES = [
  'impact',
  'urgency',
  'mode',
  'nature',
  'workaround',
  'slaPriority',
  'slaDeadline',
  'slaState',
] as const;
export type SourceFieldRole = (typeof SOURCE_FIELD_ROLES)[number];
export type SourceFieldMap = Partial<Record<SourceFieldRole, string>>;

export const INPUT_ROLES = ['impact', 'urgency', 'mode', 'nature', 'workaround'] as const;
export type InputRole = (typeof INPUT_ROLES)[number];

/** Checks a configured field mapping: known roles, non-empty names. */
export function checkFieldMap(source: string, field: string, value: unknown): SourceFieldMap {
  if (value === undefined) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new SourceConfigError(
      field,
      value,
      `source '${source}': ${field} must be an object of role → field id, got ${JSON.stringify(value)}`,
    );
  const out: SourceFieldMap = {};
  for (const [role, id] of Object.entries(value as Record<string, unknown>)) {
    if (!(SOURCE_FIELD_ROLES as readonly string[]).includes(role))
      throw new SourceConfigError(
        `${field}.${role}`,
        id,
        `source '${source}': ${field}.${role} is no known role (one of ${SOURCE_FIELD_ROLES.join(', ')})`,
      );
    if (typeof id !== 'string' || id.trim() === '')
      throw new SourceConfigError(
        `${field}.${role}`,
        id,
        `source '${source}': ${field}.${role} must be a non-empty field id, got ${JSON.stringify(id)}`,
      );
    out[role as SourceFieldRole] = id.trim();
  }
  return out;
}

/** A regulation code from a field value ("High / Высокая", "high", an option object); undefined when none. */
export function codeOf<D extends InputRole>(d: D, v: unknown) {
  const t = labelText(v);
  if (t === null) return undefined;
  return (
    parseCode(d, t) ??
    t
      .split('/')
      .map((p) => parseCode(d, p.trim()))
      .find((c) => c !== undefined)
  );
}

/** What an adapter's mapping found on one ticket. */
export interface FoundTicket {
  settings: Settings;
  id: string;
  key: string;
  project: string;
  /** The type as the system names it (matched against settings.issueTypes by id or name). */
  type: { id?: string; name?: string };
  /** When the type maps to nothing, this kind is used (Zammad and GLPI have no incident/error types). */
  defaultKind?: 'incident' | 'error';
  registeredAt: string | null;
  summary?: string;
  inputs: Partial<Record<InputRole, unknown>>;
  reactions: ReactionEvent[];
  resolvedAt: string | null;
  updatedAt: string | null;
  history: InputChange[];
  shown: {
    slaPriority: unknown;
    slaState: unknown;
    deadline: unknown;
    jiraPriority: string | null;
    dueDate: string | null;
  };
  assignee?: { accountId: string; displayName?: string } | null;
}

/** The app's Ticket, or null when the type is no incident or error or the project is out of scope. */
export function assembleTicket(f: FoundTicket): Ticket | null {
  const kind = kindOfIssueType(f.settings, f.type) ?? f.defaultKind;
  if (!kind || !f.registeredAt) return null;
  if (
    f.settings.projects.length > 0 &&
    !f.settings.projects.some((p) => p.toLowerCase() === f.project.toLowerCase())
  )
    return null;
  const snapshot: Snapshot = { id: f.id, key: f.key, kind, registeredAt: f.registeredAt, project: f.project };
  if (f.summary) snapshot.summary = f.summary;
  const impact = codeOf('impact', f.inputs.impact);
  const urgency = codeOf('urgency', f.inputs.urgency);
  const mode = codeOf('mode', f.inputs.mode);
  if (impact) snapshot.impact = impact;
  if (urgency) snapshot.urgency = urgency;
  if (mode) snapshot.mode = mode;
  if (kind === 'incident') {
    const nature = codeOf('nature', f.inputs.nature);
    if (nature) snapshot.nature = nature;
    snapshot.reactions = [...f.reactions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  } else {
    const workaround = codeOf('workaround', f.inputs.workaround);
    if (workaround) snapshot.workaround = workaround;
  }
  snapshot.resolvedAt = f.resolvedAt;
  if (f.updatedAt) snapshot.updatedAt = f.updatedAt;
  if (f.history.length > 0) snapshot.history = f.history;
  const priorityText = labelText(f.shown.slaPriority);
  const priority = priorityText === null ? NaN : Number(priorityText);
  const deadline = labelText(f.shown.deadline);
  const shown: ShownValues = {
    slaPriority: Number.isFinite(priority) ? priority : null,
    slaState: labelText(f.shown.slaState),
    reactionDue: kind === 'incident' ? deadline : null,
    verificationDue: null,
    fixDue: kind === 'error' ? deadline : null,
    jiraPriority: f.shown.jiraPriority,
    dueDate: f.shown.dueDate,
  };
  return {
    id: f.id,
    key: f.key,
    project: f.project,
    issueType: f.type.name ?? f.type.id ?? kind,
    snapshot,
    shown,
    ...(f.assignee !== undefined ? { assignee: f.assignee } : {}),
  };
}

/** The governing deadline among the changes (reaction for incidents, fix for errors); undefined when unchanged. */
export function deadlineChange(
  kind: 'incident' | 'error',
  changes: Partial<ShownValues>,
): string | null | undefined {
  return kind === 'incident' ? changes.reactionDue : changes.fixDue;
}

/** The role of a history/comment author (SPEC §3): the author of the ticket, a configured agent, or anyone else. */
export function authorRole(
  who: string,
  reporter: string | null,
  agents: ReadonlySet<string> | null,
): ReactionEvent['authorRole'] {
  if (reporter !== null && who === reporter) return 'reporter';
  if (agents && !agents.has(who)) return 'other';
  return 'agent';
}
