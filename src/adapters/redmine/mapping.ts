/**
 * Redmine issue JSON (REST, `include=journals`) → the contract snapshot and what the issue shows; and
 * the service's values → a Redmine issue update. Pure functions: the port does the I/O.
 *
 * Redmine has no date-time custom field: the governing deadline (reaction for incidents, fix — else
 * verification — for errors) is written as text with its offset to one string field ("SLA deadline");
 * the date alone goes to Redmine's own due date.
 */
import { kindOfIssueType } from '../../app/settings';
import type { Settings, ShownValues, Ticket, TicketLink } from '../../app/ports';
import { parseCode } from '../../domain/codes';
import type { LinkedInputs } from '../../domain/priority';
import type { ReactionEvent, Snapshot, VersionInfo } from '../../domain/snapshot';
import { inputHistory, type ChangelogHistory } from '../changelog-history';
import { SOURCE_FIELD_ROLES } from '../source-common';

/** What the service reads and writes in Redmine's custom fields (warned about when missing). */
export const REDMINE_FIELD_ROLES = SOURCE_FIELD_ROLES;
/**
 * Optional fields, read when present (no warning when absent): an agreed fix deadline (SPEC §5: a date
 * field or text with an instant), a priority override with its reason (§4), the error's affected
 * version (a Redmine "version" field) and the estimate (§5.3, text with an instant).
 */
export const OPTIONAL_REDMINE_FIELD_ROLES = [
  'agreedDeadline',
  'priorityOverride',
  'overrideReason',
  'affectedVersion',
  'estimateAt',
] as const;
export type RedmineFieldRole =
  (typeof REDMINE_FIELD_ROLES)[number] | (typeof OPTIONAL_REDMINE_FIELD_ROLES)[number];

/** The custom field names scripts/redmine.sh creates (used when no id or name is configured). */
export const DEFAULT_REDMINE_FIELDS: Record<RedmineFieldRole, string> = {
  impact: 'Влияние',
  urgency: 'Срочность',
  mode: 'Режим',
  nature: 'Характер',
  workaround: 'Обходное решение',
  slaPriority: 'SLA priority',
  slaDeadline: 'SLA deadline',
  slaState: 'SLA state',
  agreedDeadline: 'Agreed deadline',
  priorityOverride: 'Priority override',
  overrideReason: 'Override reason',
  affectedVersion: 'Affected version',
  estimateAt: 'Estimate',
};

export interface RmRef {
  id: number;
  name?: string;
}

export interface RmJournal {
  id: number;
  user?: RmRef;
  notes?: string | null;
  created_on: string;
  private_notes?: boolean;
  details?: { property: string; name: string; old_value?: string | null; new_value?: string | null }[];
}

/** A relation (`include=relations`): either side may be this issue. */
export interface RmRelation {
  id: number;
  issue_id: number;
  issue_to_id: number;
  relation_type: string;
}

/** A version of a project (`/projects/{id}/versions.json`). */
export interface RmVersion {
  id: number;
  name: string;
  /** open, locked or closed (= released). */
  status?: string;
  /** The planned release date ('YYYY-MM-DD'), Redmine's "date" of the version. */
  due_date?: string | null;
}

export interface RmIssue {
  id: number;
  project: RmRef;
  tracker: RmRef;
  status: RmRef & { is_closed?: boolean };
  priority?: RmRef;
  author?: RmRef;
  assigned_to?: RmRef;
  subject?: string;
  start_date?: string | null;
  due_date?: string | null;
  created_on: string;
  updated_on?: string;
  closed_on?: string | null;
  /** The target version (the fix ships with it). */
  fixed_version?: RmRef;
  relations?: RmRelation[];
  custom_fields?: { id: number; name: string; value?: unknown }[];
  journals?: RmJournal[];
}

export interface RedmineContext {
  settings: Settings;
  /** role → custom field id (as text), resolved from the configured id or name. */
  fieldIds: Partial<Record<RedmineFieldRole, string>>;
  /** The project's identifier (`support`) for the scope and the record; the id when unknown. */
  projectKey: string;
  /** Whether a status id is a closed one (`/issue_statuses.json` `is_closed`). */
  isClosed: (statusId: string) => boolean;
  /** The service's own Redmine user id: its journals (our writes) are no reaction. */
  selfId: number | null;
  /** When set, only journals by these user ids are a reaction (the configured agents group). */
  agentIds: Set<number> | null;
  /** The project's versions (errors' "next update / next release", §5.4; affected version, §2.9.4). */
  versions?: readonly RmVersion[];
  /** The related issues (by id) as far as the port read them: tracker, closed, the inputs of incidents. */
  related?: ReadonlyMap<number, RmIssue>;
}

/** The ticket key of a Redmine issue: `#123`, as Redmine shows it. */
export const redmineKey = (id: number | string): string => `#${id}`;

/** `#123`, `123` or a URL ending in /issues/123 → 123; null for anything else. */
export function redmineIdOf(keyOrId: string): number | null {
  const m = /^(?:#|.*\/issues\/)?(\d{1,12})$/.exec(keyOrId.trim());
  return m ? Number(m[1]) : null;
}

/**
 * The custom field id (as text) of each role: a configured id is taken as it is, a name is looked up
 * among the issue's fields (case-insensitive).
 */
export function resolveFieldIds(
  mapping: Partial<Record<RedmineFieldRole, string | number>>,
  available: readonly { id: number; name: string }[],
): Partial<Record<RedmineFieldRole, string>> {
  const out: Partial<Record<RedmineFieldRole, string>> = {};
  for (const role of [...REDMINE_FIELD_ROLES, ...OPTIONAL_REDMINE_FIELD_ROLES]) {
    const want = mapping[role] ?? DEFAULT_REDMINE_FIELDS[role];
    if (typeof want === 'number' || /^\d+$/.test(want)) {
      out[role] = String(want);
      continue;
    }
    const hit = available.find((f) => f.name.trim().toLowerCase() === want.trim().toLowerCase());
    if (hit) out[role] = String(hit.id);
  }
  return out;
}

function cfValue(issue: RmIssue, id: string | undefined): unknown {
  if (!id) return undefined;
  return issue.custom_fields?.find((f) => String(f.id) === id)?.value;
}

function text(v: unknown): string | null {
  if (Array.isArray(v)) return text(v[0]);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

function codeOf<D extends 'impact' | 'urgency' | 'mode' | 'nature' | 'workaround'>(d: D, v: unknown) {
  const t = text(v);
  if (t === null) return undefined;
  return (
    parseCode(d, t) ??
    t
      .split('/')
      .map((p) => parseCode(d, p))
      .find((c) => c !== undefined)
  );
}

/** Redmine instants are UTC (`2026-11-30T12:31:34Z`); anything unreadable is null. */
function instant(v: unknown): string | null {
  return typeof v === 'string' && Number.isFinite(Date.parse(v)) ? v : null;
}

/**
 * The reactions in the journals (SPEC §3): a note, a status change or an assignment by someone other
 * than the author and the service itself; with an agents group configured, only by its members.
 */
export function reactionsOf(issue: RmIssue, ctx: RedmineContext): ReactionEvent[] {
  const out: ReactionEvent[] = [];
  for (const j of issue.journals ?? []) {
    const at = instant(j.created_on);
    const user = j.user?.id;
    if (!at || user === undefined || user === ctx.selfId) continue;
    const authorRole: ReactionEvent['authorRole'] =
      user === issue.author?.id ? 'reporter' : ctx.agentIds && !ctx.agentIds.has(user) ? 'other' : 'agent';
    const types = new Set<ReactionEvent['type']>();
    if (typeof j.notes === 'string' && j.notes.trim() !== '') types.add('comment');
    for (const d of j.details ?? []) {
      if (d.property !== 'attr') continue;
      if (d.name === 'status_id') types.add('status');
      if (d.name === 'assigned_to_id' && d.new_value) types.add('assignee');
    }
    for (const type of types) out.push({ at, type, authorRole });
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * When the issue was resolved: the newest journal that moved the status to a closed one while it is
 * closed now; Redmine's `closed_on` when no journal says (created closed); null while open.
 */
export function resolvedAtOf(issue: RmIssue, ctx: RedmineContext): string | null {
  if (!ctx.isClosed(String(issue.status.id))) return null;
  let at: string | null = null;
  for (const j of issue.journals ?? []) {
    const moved = (j.details ?? []).some(
      (d) =>
        d.property === 'attr' &&
        d.name === 'status_id' &&
        typeof d.new_value === 'string' &&
        ctx.isClosed(d.new_value) &&
        !(typeof d.old_value === 'string' && ctx.isClosed(d.old_value)),
    );
    if (moved && instant(j.created_on)) at = j.created_on;
  }
  return at ?? instant(issue.closed_on);
}

/** The input changes for the SLA ledger, from the journals' custom field details. */
export function historyOf(issue: RmIssue, ctx: RedmineContext) {
  const histories: ChangelogHistory[] = (issue.journals ?? []).map((j) => ({
    created: j.created_on,
    author: j.user ? { name: String(j.user.id), displayName: j.user.name ?? '' } : null,
    items: (j.details ?? [])
      .filter((d) => d.property === 'cf')
      .map((d) => ({ fieldId: d.name, from: d.old_value ?? null, to: d.new_value ?? null })),
  }));
  const ids = {
    impact: ctx.fieldIds.impact,
    urgency: ctx.fieldIds.urgency,
    mode: ctx.fieldIds.mode,
    nature: ctx.fieldIds.nature,
    workaround: ctx.fieldIds.workaround,
    priorityOverride: ctx.fieldIds.priorityOverride,
    agreedDeadline: ctx.fieldIds.agreedDeadline,
  };
  return inputHistory(histories, ids, (t) => instant(t));
}

/** What the issue shows now: the SLA fields, the deadline under the governing clock's key, the due date. */
export function shownOf(issue: RmIssue, kind: 'incident' | 'error', ctx: RedmineContext): ShownValues {
  const priority = Number(text(cfValue(issue, ctx.fieldIds.slaPriority)));
  const deadline = text(cfValue(issue, ctx.fieldIds.slaDeadline));
  return {
    slaPriority:
      Number.isFinite(priority) && text(cfValue(issue, ctx.fieldIds.slaPriority)) ? priority : null,
    slaState: text(cfValue(issue, ctx.fieldIds.slaState)),
    reactionDue: kind === 'incident' ? deadline : null,
    // An error's deadline field holds the fix deadline (the verification one is not kept apart).
    verificationDue: null,
    fixDue: kind === 'error' ? deadline : null,
    jiraPriority: issue.priority?.name ?? null,
    dueDate: issue.due_date ?? null,
  };
}

/** Redmine project identifiers are lower case; the settings may hold them in any case. */
const inScope = (settings: Settings, project: string): boolean =>
  settings.projects.length === 0 || settings.projects.some((p) => p.toLowerCase() === project.toLowerCase());

/** The ticket of an issue, or null when its tracker is no incident or error type or its project is out of scope. */
export function ticketOf(issue: RmIssue, ctx: RedmineContext): Ticket | null {
  const kind = kindOfIssueType(ctx.settings, {
    id: String(issue.tracker.id),
    ...(issue.tracker.name ? { name: issue.tracker.name } : {}),
  });
  if (!kind || !inScope(ctx.settings, ctx.projectKey)) return null;
  const registeredAt = instant(issue.created_on);
  if (!registeredAt) return null;
  const key = redmineKey(issue.id);
  const snapshot: Snapshot = { key, kind, registeredAt, project: ctx.projectKey };
  if (issue.subject) snapshot.summary = issue.subject;
  const impact = codeOf('impact', cfValue(issue, ctx.fieldIds.impact));
  const urgency = codeOf('urgency', cfValue(issue, ctx.fieldIds.urgency));
  const mode = codeOf('mode', cfValue(issue, ctx.fieldIds.mode));
  if (impact) snapshot.impact = impact;
  if (urgency) snapshot.urgency = urgency;
  if (mode) snapshot.mode = mode;
  if (kind === 'incident') {
    const nature = codeOf('nature', cfValue(issue, ctx.fieldIds.nature));
    if (nature) snapshot.nature = nature;
    snapshot.reactions = reactionsOf(issue, ctx);
  } else {
    const workaround = codeOf('workaround', cfValue(issue, ctx.fieldIds.workaround));
    if (workaround) snapshot.workaround = workaround;
    const linked = relatedIds(issue)
      .map((id) => ctx.related?.get(id))
      .map((r) => (r ? linkedInputsOf(r, ctx) : undefined))
      .filter((x): x is LinkedInputs => x !== undefined);
    if (linked.length > 0) snapshot.linkedIncidents = linked;
    if (ctx.versions) snapshot.versions = ctx.versions.map(versionInfo);
    if (issue.fixed_version?.name) snapshot.fixVersion = issue.fixed_version.name;
    const agreed = text(cfValue(issue, ctx.fieldIds.agreedDeadline));
    if (agreed && (/^\d{4}-\d{2}-\d{2}$/.test(agreed) || instant(agreed))) snapshot.agreedDeadline = agreed;
    const estimate = instant(text(cfValue(issue, ctx.fieldIds.estimateAt)));
    if (estimate) snapshot.estimateAt = estimate;
  }
  const override = Number(text(cfValue(issue, ctx.fieldIds.priorityOverride)) ?? Number.NaN);
  if (Number.isInteger(override))
    snapshot.priorityOverride = {
      value: override,
      reason: text(cfValue(issue, ctx.fieldIds.overrideReason)) ?? '',
    };
  snapshot.resolvedAt = resolvedAtOf(issue, ctx);
  const updatedAt = instant(issue.updated_on);
  if (updatedAt) snapshot.updatedAt = updatedAt;
  const history = historyOf(issue, ctx);
  if (history.length > 0) snapshot.history = history;
  return {
    id: String(issue.id),
    key,
    project: ctx.projectKey,
    issueType: issue.tracker.name ?? String(issue.tracker.id),
    snapshot,
    shown: shownOf(issue, kind, ctx),
    assignee: issue.assigned_to
      ? {
          accountId: String(issue.assigned_to.id),
          ...(issue.assigned_to.name ? { displayName: issue.assigned_to.name } : {}),
        }
      : null,
    links: linksOf(issue, ctx),
    affectsVersions: affectedVersions(issue, ctx),
  };
}

/** The ids of the issues related to this one (either side of the relation). */
export function relatedIds(issue: RmIssue): number[] {
  const ids = new Set<number>();
  for (const r of issue.relations ?? []) ids.add(r.issue_id === issue.id ? r.issue_to_id : r.issue_id);
  ids.delete(issue.id);
  return [...ids];
}

/** A Redmine version as the rules see it: released when closed, its date as the release date. */
export function versionInfo(v: RmVersion): VersionInfo {
  return { name: v.name, releaseDate: v.due_date ?? null, released: v.status === 'closed' };
}

/** The inputs of a related issue as a linked incident of an error (§5.5); undefined when it is no incident. */
export function linkedInputsOf(issue: RmIssue, ctx: RedmineContext): LinkedInputs | undefined {
  const kind = kindOfIssueType(ctx.settings, {
    id: String(issue.tracker.id),
    ...(issue.tracker.name ? { name: issue.tracker.name } : {}),
  });
  if (kind !== 'incident') return undefined;
  const out: LinkedInputs = {};
  const impact = codeOf('impact', cfValue(issue, ctx.fieldIds.impact));
  const urgency = codeOf('urgency', cfValue(issue, ctx.fieldIds.urgency));
  const mode = codeOf('mode', cfValue(issue, ctx.fieldIds.mode));
  if (impact) out.impact = impact;
  if (urgency) out.urgency = urgency;
  if (mode) out.mode = mode;
  return out;
}

/** The issue's relations as the app's links (the related issue's tracker and whether it is closed, when read). */
export function linksOf(issue: RmIssue, ctx: RedmineContext): TicketLink[] {
  const out: TicketLink[] = [];
  for (const r of issue.relations ?? []) {
    const otherId = r.issue_id === issue.id ? r.issue_to_id : r.issue_id;
    if (otherId === issue.id) continue;
    const other = ctx.related?.get(otherId);
    out.push({
      key: redmineKey(otherId),
      issueType: other?.tracker.name ?? (other ? String(other.tracker.id) : ''),
      type: r.relation_type,
      ...(other ? { done: ctx.isClosed(String(other.status.id)) } : {}),
    });
  }
  return out;
}

/** The affected version: a "version" custom field holds the version's id (a text field its name). */
function affectedVersions(issue: RmIssue, ctx: RedmineContext): string[] {
  const raw = cfValue(issue, ctx.fieldIds.affectedVersion);
  const values = (Array.isArray(raw) ? raw : [raw]).map(text).filter((v): v is string => v !== null);
  return values.map((v) => ctx.versions?.find((x) => String(x.id) === v)?.name ?? v);
}

/** One value the update sets, to check on re-reading (Redmine answers 204 even when it drops one). */
export interface IntendedValue {
  /** `due_date`, `priority_id` or `cf:<id>` (reported as the refused field). */
  field: string;
  /** The text Redmine should show afterwards ('' = empty). */
  expect: string;
  /** Reads the value from the re-read issue. */
  read: (issue: RmIssue) => string;
}

/**
 * The update body (`{ issue: { due_date, priority_id, custom_fields } }`) for the changes, and the
 * values to check afterwards; `body` is null when nothing is to be written.
 */
export function updateOf(
  kind: 'incident' | 'error',
  changes: Partial<ShownValues>,
  fieldIds: Partial<Record<RedmineFieldRole, string>>,
  priorityIdOf: (name: string) => number | undefined,
): { body: { issue: Record<string, unknown> } | null; intended: IntendedValue[] } {
  const issue: Record<string, unknown> = {};
  const customFields: { id: number; value: string }[] = [];
  const intended: IntendedValue[] = [];
  const setCf = (role: RedmineFieldRole, value: string) => {
    const id = fieldIds[role];
    if (!id) return;
    customFields.push({ id: Number(id), value });
    intended.push({
      field: `cf:${id}`,
      expect: value,
      read: (i) => text(cfValue(i, id)) ?? '',
    });
  };
  if (changes.slaPriority !== undefined)
    setCf('slaPriority', changes.slaPriority === null ? '' : String(changes.slaPriority));
  if (changes.slaState !== undefined) setCf('slaState', changes.slaState ?? '');
  const deadline = kind === 'incident' ? changes.reactionDue : changes.fixDue;
  if (deadline !== undefined) setCf('slaDeadline', deadline ?? '');
  if (changes.dueDate !== undefined) {
    issue.due_date = changes.dueDate ?? '';
    intended.push({ field: 'due_date', expect: changes.dueDate ?? '', read: (i) => i.due_date ?? '' });
  }
  if (typeof changes.jiraPriority === 'string' && changes.jiraPriority !== '') {
    const id = priorityIdOf(changes.jiraPriority);
    if (id !== undefined) {
      issue.priority_id = id;
      intended.push({
        field: 'priority_id',
        expect: String(id),
        read: (i) => (i.priority ? String(i.priority.id) : ''),
      });
    }
  }
  if (customFields.length > 0) issue.custom_fields = customFields;
  return { body: Object.keys(issue).length > 0 ? { issue } : null, intended };
}
