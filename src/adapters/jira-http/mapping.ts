/**
 * Jira DC/Server issue JSON (REST v2) → the contract snapshot and what the issue shows; and the
 * service's values → a REST v2 edit body. Pure functions: the port does the I/O.
 */
import { identityFieldIds, ticketIdentity } from '../ticket-identity';
import { kindOfIssueType, projectInScope } from '../../app/settings';
import type { Settings, ShownValues, Ticket, TicketLink } from '../../app/ports';
import { parseCode } from '../../domain/codes';
import type { LinkedInputs } from '../../domain/priority';
import type { Snapshot, VersionInfo } from '../../domain/snapshot';
import type { AuthoredReaction } from '../../app/support-staff';
import { inputHistory } from '../changelog-history';
import type { FieldCatalog, FieldRole } from './fields';

export interface DcHistoryItem {
  field?: string;
  fieldId?: string;
  from?: string | null;
  to?: string | null;
  fromString?: string | null;
  toString?: unknown;
}

export interface DcIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
  changelog?: {
    histories?: { created: string; author?: DcUser | null; items?: DcHistoryItem[] }[];
  };
}

export type StatusCategory = 'new' | 'indeterminate' | 'done';

export interface MappingContext {
  settings: Settings;
  fields: FieldCatalog;
  /** The project's versions (for "next update / next release"). */
  versions: VersionInfo[];
  /** Status id → category key; undefined when unknown (then any status change counts as reaction). */
  statusCategory: (statusId: string) => StatusCategory | undefined;
  /** Inputs of linked issues that are incidents, by issue key. */
  linkedIncidents: Map<string, LinkedInputs>;
  /** The service's own Jira user: its comments are not a specialist's reaction. */
  self?: DcUser | null;
}

/**
 * Jira's `2026-03-06T16:30:00.000+0300` → `2026-03-06T16:30:00.000+03:00` (ISO with an offset);
 * null for anything else empty.
 */
export function fromJiraDateTime(text: unknown): string | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  return text.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
}

/** ISO with an offset → Jira's `yyyy-MM-dd'T'HH:mm:ss.SSSZ` (`…+0300`), which every DC version accepts. */
export function toJiraDateTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})$/.exec(iso);
  if (!m) return iso;
  const seconds = m[2] ?? '00';
  const millis = (m[3] ?? '000').padEnd(3, '0');
  const offset = m[4] === 'Z' ? '+0000' : m[4]!.replace(':', '');
  return `${m[1]}:${seconds}.${millis}${offset}`;
}

const fieldValue = (issue: DcIssue, ctx: MappingContext, role: FieldRole): unknown => {
  const id = ctx.fields.ids[role];
  return id === undefined ? undefined : issue.fields[id];
};

/** A select/radio/text field's text: `{ value }` objects, plain strings, first of a list. */
function optionText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return optionText(v[0]);
  if (typeof v === 'object') {
    const o = v as { value?: unknown; name?: unknown };
    if (typeof o.value === 'string') return o.value;
    if (typeof o.name === 'string') return o.name;
  }
  return undefined;
}

/**
 * A label like "High / Высокая" (the options the service suggests) or either half of it → the code.
 * @example codeOf('impact', { value: 'High / Высокая' }) // 'high'
 */
export function codeOf<D extends 'impact' | 'urgency' | 'mode' | 'nature' | 'workaround'>(
  dimension: D,
  v: unknown,
) {
  const t = optionText(v);
  if (t === undefined) return undefined;
  return (
    parseCode(dimension, t) ??
    t
      .split('/')
      .map((part) => parseCode(dimension, part))
      .find((c) => c !== undefined)
  );
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function textOf(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

export interface DcUser {
  name?: string;
  key?: string;
  accountId?: string;
  displayName?: string;
  /** Data Center gives it to callers allowed to see it (notifications by role, issue #16). */
  emailAddress?: string;
}
const sameUser = (a: DcUser | null | undefined, b: DcUser | null | undefined): boolean =>
  !!a &&
  !!b &&
  ((!!a.key && a.key === b.key) ||
    (!!a.name && a.name === b.name) ||
    (!!a.accountId && a.accountId === b.accountId));

/** Reaction events from the changelog (status left its initial category, assignment) and comments. */
export function reactionsOf(issue: DcIssue, ctx: MappingContext): AuthoredReaction[] {
  const out: (AuthoredReaction & { ms: number })[] = [];
  const push = (at: string | null, e: Omit<AuthoredReaction, 'at'>) => {
    if (!at) return;
    const ms = Date.parse(at);
    if (Number.isFinite(ms)) out.push({ at, ms, ...e });
  };
  const reporter = issue.fields.reporter as DcUser | null | undefined;
  // SPEC §3: the reporter's own transitions and assignments are no reaction; anyone else is taken
  // for staff here ('agent', with who it was), then checked against the support-staff settings
  // (src/app/support-staff.ts). An entry without an author (an old import) counts as before.
  const byReporter = (u: DcUser | null | undefined): Omit<AuthoredReaction, 'at' | 'type'> => {
    if (sameUser(u, reporter)) return { authorRole: 'reporter' };
    const actor = u?.name ?? u?.key;
    return actor ? { authorRole: 'agent', actor } : {};
  };
  for (const h of issue.changelog?.histories ?? []) {
    for (const item of h.items ?? []) {
      if (item.field === 'status' || item.fieldId === 'status') {
        const from = item.from ? ctx.statusCategory(item.from) : undefined;
        const to = item.to ? ctx.statusCategory(item.to) : undefined;
        if (from === undefined || to === undefined || (from === 'new' && to !== 'new'))
          push(fromJiraDateTime(h.created), { type: 'status', ...byReporter(h.author) });
      } else if ((item.field === 'assignee' || item.fieldId === 'assignee') && item.to) {
        push(fromJiraDateTime(h.created), { type: 'assignee', ...byReporter(h.author) });
      }
    }
  }
  const comments =
    (issue.fields.comment as { comments?: { author?: DcUser; created?: string }[] } | undefined)?.comments ??
    [];
  for (const c of comments) {
    if (sameUser(c.author, ctx.self)) continue; // the service's own notices are no reaction
    push(fromJiraDateTime(c.created), { type: 'comment', authorRole: 'agent', ...byReporter(c.author) });
  }
  out.sort((a, b) => a.ms - b.ms);
  return out.map(({ ms: _ms, ...e }) => e);
}

/** Keys of linked issues (both directions). */
export function linkedKeys(issue: DcIssue): string[] {
  const links =
    (issue.fields.issuelinks as
      { inwardIssue?: { key?: string }; outwardIssue?: { key?: string } }[] | undefined) ?? [];
  const keys = new Set<string>();
  for (const l of links) {
    const k = l.inwardIssue?.key ?? l.outwardIssue?.key;
    if (k) keys.add(k);
  }
  return [...keys];
}

/** The inputs of an issue as a linked incident of an error (§5.5), or undefined when it is not an incident. */
export function linkedInputsOf(
  issue: DcIssue,
  fields: FieldCatalog,
  settings: Settings,
): LinkedInputs | undefined {
  const type = issue.fields.issuetype as { id?: string; name?: string } | undefined;
  if (!type || kindOfIssueType(settings, type) !== 'incident') return undefined;
  const v = (role: FieldRole) => (fields.ids[role] ? issue.fields[fields.ids[role]!] : undefined);
  const out: LinkedInputs = {};
  const impact = codeOf('impact', v('impact'));
  const urgency = codeOf('urgency', v('urgency'));
  const mode = codeOf('mode', v('mode'));
  if (impact) out.impact = impact;
  if (urgency) out.urgency = urgency;
  if (mode) out.mode = mode;
  return out;
}

/** What the issue shows now (the service's fields, Jira's priority and due date). */
export function shownOf(issue: DcIssue, ctx: MappingContext): ShownValues {
  const dt = (role: FieldRole) => fromJiraDateTime(fieldValue(issue, ctx, role));
  return {
    slaPriority: numberOf(fieldValue(issue, ctx, 'slaPriority')) ?? null,
    slaState: textOf(fieldValue(issue, ctx, 'slaState')),
    reactionDue: dt('reactionDue'),
    verificationDue: dt('verificationDue'),
    fixDue: dt('fixDue'),
    jiraPriority: (issue.fields.priority as { name?: string } | null | undefined)?.name ?? null,
    dueDate: textOf(issue.fields.duedate),
  };
}

/**
 * The ticket of an issue, or null when it is not an incident or error of a project in scope.
 */
export function ticketOf(issue: DcIssue, ctx: MappingContext): Ticket | null {
  const f = issue.fields;
  const type = (f.issuetype as { id?: string; name?: string } | undefined) ?? {};
  const kind = kindOfIssueType(ctx.settings, type);
  const project = (f.project as { key?: string } | undefined)?.key ?? issue.key.split('-')[0] ?? '';
  if (!kind || !projectInScope(ctx.settings, project)) return null;
  const registeredAt = fromJiraDateTime(f.created);
  if (!registeredAt) return null;

  const snapshot: Snapshot = { key: issue.key, kind, registeredAt, project };
  if (typeof f.summary === 'string') snapshot.summary = f.summary;
  const impact = codeOf('impact', fieldValue(issue, ctx, 'impact'));
  const urgency = codeOf('urgency', fieldValue(issue, ctx, 'urgency'));
  const mode = codeOf('mode', fieldValue(issue, ctx, 'mode'));
  if (impact) snapshot.impact = impact;
  if (urgency) snapshot.urgency = urgency;
  if (mode) snapshot.mode = mode;
  if (kind === 'incident') {
    const nature = codeOf('nature', fieldValue(issue, ctx, 'nature'));
    if (nature) snapshot.nature = nature;
    snapshot.reactions = reactionsOf(issue, ctx);
  } else {
    const workaround = codeOf('workaround', fieldValue(issue, ctx, 'workaround'));
    if (workaround) snapshot.workaround = workaround;
    const linked = linkedKeys(issue)
      .map((k) => ctx.linkedIncidents.get(k))
      .filter((x): x is LinkedInputs => x !== undefined);
    if (linked.length > 0) snapshot.linkedIncidents = linked;
    snapshot.versions = ctx.versions;
    const fixVersions = (f.fixVersions as { name?: string }[] | undefined) ?? [];
    if (fixVersions[0]?.name) snapshot.fixVersion = fixVersions[0].name;
    const agreed = fieldValue(issue, ctx, 'agreedDeadline');
    const agreedText =
      typeof agreed === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(agreed) ? agreed : fromJiraDateTime(agreed);
    if (agreedText) snapshot.agreedDeadline = agreedText;
    const estimateAt = fromJiraDateTime(fieldValue(issue, ctx, 'estimateAt'));
    if (estimateAt) snapshot.estimateAt = estimateAt;
  }
  const override = numberOf(fieldValue(issue, ctx, 'priorityOverride'));
  if (override !== undefined)
    snapshot.priorityOverride = {
      value: override,
      reason: textOf(fieldValue(issue, ctx, 'overrideReason')) ?? '',
    };
  const resolvedAt = fromJiraDateTime(f.resolutiondate);
  snapshot.resolvedAt = resolvedAt;
  // The SLA ledger: the issue's last change (events are ordered by it) and its dated input changes.
  const updatedAt = fromJiraDateTime(f.updated);
  if (updatedAt) snapshot.updatedAt = updatedAt;
  const history = inputHistory(issue.changelog?.histories ?? [], ctx.fields.ids, (t) => fromJiraDateTime(t));
  if (history.length > 0) snapshot.history = history;

  const assignee = f.assignee as DcUser | null | undefined;
  const visitDate = fieldValue(issue, ctx, 'visitDate');
  // The people notification rules address by role (issue #16), where Jira gives their e-mail.
  const contactOf = (u: DcUser | null | undefined) =>
    u?.emailAddress
      ? { email: u.emailAddress, ...(u.displayName ? { name: u.displayName } : {}) }
      : undefined;
  const assigneeContact = contactOf(assignee);
  const reporterContact = contactOf(f.reporter as DcUser | null | undefined);
  if (assigneeContact || reporterContact)
    snapshot.contacts = {
      ...(assigneeContact ? { assignee: assigneeContact } : {}),
      ...(reporterContact ? { reporter: reporterContact } : {}),
    };
  return {
    id: String(issue.id),
    key: issue.key,
    project,
    issueType: type.name ?? type.id ?? '',
    snapshot,
    shown: shownOf(issue, ctx),
    // Data Center mentions users by user name (`[~name]`): that is the "account id" here.
    assignee:
      assignee && (assignee.name || assignee.key)
        ? {
            accountId: (assignee.name ?? assignee.key)!,
            ...(assignee.displayName ? { displayName: assignee.displayName } : {}),
            ...(assignee.emailAddress ? { email: assignee.emailAddress } : {}),
          }
        : null,
    labels: Array.isArray(f.labels) ? f.labels.filter((l): l is string => typeof l === 'string') : [],
    links: ticketLinks(issue, ctx.settings),
    affectsVersions: ((f.versions as { name?: unknown }[] | undefined) ?? [])
      .map((v) => v?.name)
      .filter((n): n is string => typeof n === 'string'),
    visit:
      typeof visitDate === 'string' && /^\d{4}-\d{2}-\d{2}/.test(visitDate)
        ? {
            date: visitDate.slice(0, 10),
            requestedAt:
              fieldSetAt(issue, ctx.fields.ids.visitDate, ctx.fields.names.visitDate) ?? registeredAt,
          }
        : null,
    identity: ticketIdentity(f, ctx.settings, ctx.fields.organizations),
  };
}

/** The issues linked to one (either direction): key, type (name, or id when only the id is mapped), link type, done. */
export function ticketLinks(issue: DcIssue, settings: Settings): TicketLink[] {
  type Linked = {
    key?: string;
    fields?: { issuetype?: { id?: string; name?: string }; status?: { statusCategory?: { key?: string } } };
  };
  const links =
    (issue.fields.issuelinks as
      { type?: { name?: string }; inwardIssue?: Linked; outwardIssue?: Linked }[] | undefined) ?? [];
  const out: TicketLink[] = [];
  for (const l of links) {
    const other = l.outwardIssue?.key ? l.outwardIssue : l.inwardIssue;
    if (!other?.key) continue;
    const t = other.fields?.issuetype ?? {};
    const name = t.name ?? '';
    const issueType =
      name && kindOfIssueType(settings, { name })
        ? name
        : t.id && kindOfIssueType(settings, { id: t.id })
          ? t.id
          : name;
    const category = other.fields?.status?.statusCategory?.key;
    out.push({
      key: other.key,
      issueType,
      ...(l.type?.name ? { type: l.type.name } : {}),
      ...(category ? { done: category === 'done' } : {}),
    });
  }
  return out;
}

/** When a field was last set, from the changelog; null when never (set at creation). */
export function fieldSetAt(issue: DcIssue, fieldId: string | undefined, fieldName?: string): string | null {
  if (!fieldId) return null;
  const histories = issue.changelog?.histories ?? [];
  let at: string | null = null;
  let atMs = -Infinity;
  for (const h of histories) {
    if (
      !h.items?.some(
        (it) =>
          it.fieldId === fieldId ||
          (it.fieldId === undefined && fieldName !== undefined && it.field === fieldName),
      )
    )
      continue;
    const iso = fromJiraDateTime(h.created);
    const ms = iso ? Date.parse(iso) : NaN;
    if (iso && ms > atMs) {
      at = iso;
      atMs = ms;
    }
  }
  return at;
}

const SHOWN_ROLE: Partial<Record<keyof ShownValues, FieldRole>> = {
  slaPriority: 'slaPriority',
  slaState: 'slaState',
  reactionDue: 'reactionDue',
  verificationDue: 'verificationDue',
  fixDue: 'fixDue',
};

/**
 * The REST v2 edit body for the changes (`{ fields: { … } }`), leaving out values whose field is
 * missing on the site; empty `fields` when there is nothing to write.
 */
export function editBody(
  changes: Partial<ShownValues>,
  fields: FieldCatalog,
): { fields: Record<string, unknown> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(changes) as [keyof ShownValues, unknown][]) {
    if (v === undefined) continue;
    if (k === 'jiraPriority') {
      if (typeof v === 'string' && v !== '') out.priority = { name: v };
      continue;
    }
    if (k === 'dueDate') {
      out.duedate = v ?? null;
      continue;
    }
    const role = SHOWN_ROLE[k];
    const id = role ? fields.ids[role] : undefined;
    if (!id) continue;
    if (k === 'reactionDue' || k === 'verificationDue' || k === 'fixDue')
      out[id] = typeof v === 'string' ? toJiraDateTime(v) : null;
    else out[id] = v ?? null;
  }
  return { fields: out };
}

/** The issue fields the service requests (only what it needs). */
export function requestedFields(fields: FieldCatalog, settings?: Settings): string[] {
  return [
    'summary',
    'issuetype',
    'project',
    'created',
    'updated',
    'resolutiondate',
    'status',
    'reporter',
    'priority',
    'duedate',
    'fixVersions',
    'issuelinks',
    'comment',
    'assignee',
    'labels',
    'versions',
    ...Object.values(fields.ids),
    ...(fields.participants ? [fields.participants] : []),
    // Issue #17: what names the customer.
    'components',
    ...(fields.organizations ? [fields.organizations] : []),
    ...(settings ? identityFieldIds(settings) : []),
  ];
}
