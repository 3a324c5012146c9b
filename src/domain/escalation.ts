/**
 * Escalation (issue 8): what an issue should show when a clock is at risk or breached (labels usable
 * in JQL and on boards), and whom to tell — once per clock and state — in the project's language.
 * Also the per-project settings of customer communication, and when an error counts as fixed for
 * the customers of its linked incidents (source §5.2). Pure: the app reads and writes.
 */
import type { Locale } from './codes';
import { VERSION_LABEL, type CurrentVersionMode } from './current-version';
import { CONTRACT_LABEL } from './contracts';
import { versionKind, type VersionKind } from './deadlines';
import {
  CLOCK_NAMES,
  formatDate,
  formatDue,
  formatWorkingMinutes,
  joinParts,
  mentionPart,
  message,
  renderMessage,
  type Message,
  type MessagePart,
  type Person,
} from './messages';
import type { Policy } from './policy';
import type { Problem, Result } from './policy-validate';
import type { Clock, ClockState, Snapshot, Verdict } from './snapshot';

/** The clock states that are announced. */
export const NOTIFY_STATES = ['at-risk', 'breached'] as const;
export type NotifyState = (typeof NOTIFY_STATES)[number];

/** Stable labels the app puts on issues: `labels = sla-breached` in JQL, a board swimlane, a card colour. */
export const SLA_LABELS: Readonly<Record<NotifyState, string>> = Object.freeze({
  'at-risk': 'sla-at-risk',
  breached: 'sla-breached',
});

/** Every label the app manages (and so may remove); any other label of an issue is never touched. */
export const APP_LABELS: readonly string[] = Object.freeze([
  SLA_LABELS['at-risk'],
  SLA_LABELS.breached,
  VERSION_LABEL,
  CONTRACT_LABEL,
]);

/**
 * The clocks as notices name them. An agreed fix deadline (source §5.6.3) is a new promise to the
 * customer, so it is a clock of its own: a fix clock breached, then agreed anew and breached again,
 * is announced both times.
 */
export type ClockId = 'reaction' | 'verification' | 'fix' | 'fix-agreed';

/** Customer communication and escalation settings of one project. */
export interface EscalationSettings {
  /** Post a comment when a clock becomes at risk / breached. Off by default. */
  comments: boolean;
  /** Keep the app's labels (`sla-at-risk`, `sla-breached`, `sla-version-not-current`) on issues. */
  labels: boolean;
  /** Mention the assignee in escalation comments. */
  notifyAssignee: boolean;
  /** A group to notify as well (Jira notifies it; the comment names it); null for none. */
  group: string | null;
  /** The project's language for every message the app posts. */
  language: Locale;
  /** Which states are announced. */
  states: NotifyState[];
  /** Comments to the customer: the error's key (§5.2), the fix (§5.2), a split (§3.2). */
  customerComments: boolean;
  /** §2.7: working days of notice an on-site visit needs. */
  visitNoticeDays: number;
  /** §2.9.4: flag requests about a version other than the current one. */
  flagOtherVersions: boolean;
  currentVersion: CurrentVersionMode;
  /** Jira issue link type between an error and its incidents, and between a request and its parts. */
  errorLinkType: string;
  splitLinkType: string;
}

/** Settings of every project: the differences from the built-in defaults, and each project's own. */
export interface EscalationConfig {
  defaults: Partial<EscalationSettings>;
  projects: Record<string, Partial<EscalationSettings>>;
}

/** The defaults: labels on, escalation comments off, Russian, 5 working days of visit notice. */
export const DEFAULT_ESCALATION_SETTINGS: Readonly<EscalationSettings> = Object.freeze({
  comments: false,
  labels: true,
  notifyAssignee: true,
  group: null,
  language: 'ru',
  states: Object.freeze(['at-risk', 'breached']) as unknown as NotifyState[],
  customerComments: true,
  visitNoticeDays: 5,
  flagOtherVersions: true,
  currentVersion: 'release-line',
  errorLinkType: 'Relates',
  splitLinkType: 'Relates',
});

/**
 * The settings of a project: the project's own values over the defaults over the built-in defaults.
 * @example escalationSettingsFor({ defaults: DEFAULT_ESCALATION_SETTINGS, projects: { SUP: { comments: true } } }, 'sup').comments // true
 */
export function escalationSettingsFor(
  config: Partial<EscalationConfig> | undefined,
  project: string,
): EscalationSettings {
  const own = config?.projects?.[project.toUpperCase()] ?? config?.projects?.[project] ?? {};
  const merged = { ...DEFAULT_ESCALATION_SETTINGS, ...(config?.defaults ?? {}), ...own };
  return { ...merged, states: [...merged.states] };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const PROJECT_KEY = /^[A-Z][A-Z0-9_]*$/;

const FIELD_CHECKS: { [K in keyof EscalationSettings]: (v: unknown) => string | null } = {
  comments: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  labels: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  notifyAssignee: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  group: (v) =>
    v === null || (typeof v === 'string' && v.trim() !== '' && v.length <= 255)
      ? null
      : 'must be a group name or null',
  language: (v) => (v === 'ru' || v === 'en' ? null : 'must be "ru" or "en"'),
  states: (v) =>
    Array.isArray(v) && v.every((s) => (NOTIFY_STATES as readonly unknown[]).includes(s))
      ? null
      : `must be a list of ${NOTIFY_STATES.join(', ')}`,
  customerComments: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  visitNoticeDays: (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 60
      ? null
      : 'must be a whole number of working days from 0 to 60',
  flagOtherVersions: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  currentVersion: (v) =>
    v === 'release-line' || v === 'latest' ? null : 'must be "release-line" or "latest"',
  errorLinkType: (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'must be a Jira link type name'),
  splitLinkType: (v) => (typeof v === 'string' && v.trim() !== '' ? null : 'must be a Jira link type name'),
};

function checkPartial(value: unknown, path: string, errors: Problem[]): Partial<EscalationSettings> {
  if (!isObj(value)) {
    errors.push({ path, message: 'must be an object' });
    return {};
  }
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    const check = FIELD_CHECKS[k as keyof EscalationSettings];
    const at = path ? `${path}.${k}` : k;
    if (!check) errors.push({ path: at, message: 'is not a setting' });
    else {
      const problem = check(v);
      if (problem) errors.push({ path: at, message: problem });
      else out[k] = typeof v === 'string' ? v.trim() : Array.isArray(v) ? [...new Set(v)] : v;
    }
  }
  return out as Partial<EscalationSettings>;
}

/**
 * Validates an administrator's escalation settings, listing every problem; missing defaults are
 * filled from DEFAULT_ESCALATION_SETTINGS and project keys are upper-cased.
 * @example validateEscalationConfig({ projects: { SUP: { comments: 'yes' } } })
 * // => { ok: false, errors: [{ path: 'projects.SUP.comments', message: 'must be true or false' }] }
 */
export function validateEscalationConfig(value: unknown): Result<EscalationConfig> {
  const errors: Problem[] = [];
  if (!isObj(value)) return { ok: false, errors: [{ path: '', message: 'must be an object' }] };
  for (const k of Object.keys(value))
    if (k !== 'defaults' && k !== 'projects') errors.push({ path: k, message: 'is not a setting' });
  const defaults = value.defaults === undefined ? {} : checkPartial(value.defaults, 'defaults', errors);
  const projects: Record<string, Partial<EscalationSettings>> = {};
  if (value.projects !== undefined) {
    if (!isObj(value.projects))
      errors.push({ path: 'projects', message: 'must be an object keyed by project key' });
    else
      for (const [key, v] of Object.entries(value.projects)) {
        const upper = key.toUpperCase();
        if (!PROJECT_KEY.test(upper))
          errors.push({ path: `projects.${key}`, message: 'is not a project key' });
        projects[upper] = checkPartial(v, `projects.${key}`, errors);
      }
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { defaults: { ...escalationSettingsFor(undefined, ''), ...defaults }, projects },
  };
}

/** The clocks of a verdict with their notice names. */
export function verdictClocks(verdict: Verdict): { id: ClockId; clock: Clock }[] {
  const out: { id: ClockId; clock: Clock }[] = [];
  if (verdict.reaction) out.push({ id: 'reaction', clock: verdict.reaction });
  if (verdict.verification) out.push({ id: 'verification', clock: verdict.verification });
  if (verdict.fix) out.push({ id: verdict.fix.agreed ? 'fix-agreed' : 'fix', clock: verdict.fix });
  return out;
}

/**
 * The SLA labels an issue should carry: `sla-breached` when any clock is breached (still running past
 * its deadline, or stopped after it — so `labels = sla-breached` finds every issue that broke a
 * deadline), `sla-at-risk` when any running clock has used the at-risk share of its time. An error can
 * carry both (verification breached, fix at risk). An incomplete verdict carries none.
 * @example slaLabels(verdict) // ['sla-breached']
 */
export function slaLabels(verdict: Verdict): string[] {
  const states = new Set<ClockState>(verdictClocks(verdict).map((c) => c.clock.state));
  return NOTIFY_STATES.filter((s) => states.has(s)).map((s) => SLA_LABELS[s]);
}

/**
 * What to add and remove to go from an issue's labels to the app labels it should carry. Labels the
 * app does not manage are left alone.
 * @example labelChanges(['customer-x', 'sla-at-risk'], ['sla-breached']) // { add: ['sla-breached'], remove: ['sla-at-risk'] }
 */
export function labelChanges(
  current: readonly string[],
  desired: readonly string[],
  managed: readonly string[] = APP_LABELS,
): { add: string[]; remove: string[] } {
  const has = new Set(current);
  const want = new Set(desired.filter((l) => managed.includes(l)));
  return {
    add: [...want].filter((l) => !has.has(l)),
    remove: managed.filter((l) => has.has(l) && !want.has(l)),
  };
}

/**
 * The id under which a notice is remembered: `<clock>:<state>`, e.g. `reaction:breached`.
 * @example noticeId('fix-agreed', 'at-risk') // 'fix-agreed:at-risk'
 */
export const noticeId = (clock: ClockId, state: NotifyState): string => `${clock}:${state}`;

/** One escalation comment to post. */
export interface Notice {
  id: string;
  clock: ClockId;
  state: NotifyState;
  /** The deadline (ISO with offset). */
  due: string;
  message: Message;
  /** The group to notify as well, if configured. */
  group: string | null;
}

export interface EscalationInput {
  issueKey: string;
  verdict: Verdict;
  settings: EscalationSettings;
  /** Notice ids already sent for this issue (from the store). */
  notified: readonly string[];
  assignee?: Person | null;
  /** The calendar's zone, for the deadline in the message. */
  zone: string;
}

export interface EscalationPlan {
  /** The SLA labels the issue should carry, or null when the project does not use labels. */
  labels: string[] | null;
  /** Comments to post now. */
  notices: Notice[];
}

/**
 * Decides labels and escalation comments. A notice is due for a clock that is still running (not
 * stopped) in a state the project announces, when that clock and state were not announced before:
 * a redelivered event, or a re-evaluation after the state was announced, gives none. Only the
 * current state is announced (a clock found already breached gets no late at-risk notice). A clock
 * that goes back to running (a priority lowered) and crosses again is not announced again.
 *
 * @example planEscalation({ issueKey: 'SUP-1', verdict, settings: { ...DEFAULT_ESCALATION_SETTINGS, comments: true }, notified: [], assignee: { accountId: 'a1', displayName: 'Ivan' }, zone: 'Europe/Moscow' }).notices[0].message.text
 * // => '@Ivan: срок реакции по SUP-1 под угрозой нарушения — крайний срок 10 марта 2026, 16:30 (Europe/Moscow), осталось 1 ч 30 мин рабочего времени.'
 */
export function planEscalation(input: EscalationInput): EscalationPlan {
  const { verdict, settings } = input;
  const labels = settings.labels && verdict.complete ? slaLabels(verdict) : settings.labels ? [] : null;
  const notices: Notice[] = [];
  if (!settings.comments || !verdict.complete) return { labels, notices };
  const done = new Set(input.notified);
  for (const { id: clock, clock: c } of verdictClocks(verdict)) {
    if (c.at || c.due === null) continue;
    const state = c.state;
    if (state !== 'at-risk' && state !== 'breached') continue;
    if (!settings.states.includes(state)) continue;
    const id = noticeId(clock, state);
    if (done.has(id)) continue;
    notices.push({
      id,
      clock,
      state,
      due: c.due,
      message: escalationMessage(input, clock, c, state),
      group: settings.group,
    });
  }
  return { labels, notices };
}

function escalationMessage(input: EscalationInput, clock: ClockId, c: Clock, state: NotifyState): Message {
  const { settings } = input;
  const lang = settings.language;
  const left = c.leftMinutes ?? null;
  const body = renderMessage(state === 'at-risk' ? 'sla-at-risk' : 'sla-breached', lang, {
    clock: CLOCK_NAMES[clock][lang],
    key: { type: 'issue', key: input.issueKey },
    due: formatDue(c.due as string, input.zone, lang),
    left: left === null ? '—' : formatWorkingMinutes(left, lang),
    over: left === null ? '—' : formatWorkingMinutes(-left, lang),
  });
  const who: MessagePart[] = [];
  if (settings.notifyAssignee && input.assignee) who.push(mentionPart(input.assignee));
  if (settings.group) who.push({ type: 'group', name: settings.group });
  const parts: MessagePart[] =
    who.length > 0
      ? [...joinParts(who), { type: 'text', text: ': ' }, ...body.parts]
      : capitalised(body.parts);
  if (settings.notifyAssignee && !input.assignee) {
    parts.push({ type: 'text', text: ' ' }, ...renderMessage('no-assignee', lang, {}).parts);
  }
  return message(body.code, lang, parts);
}

function capitalised(parts: readonly MessagePart[]): MessagePart[] {
  const [first, ...rest] = parts;
  if (first?.type !== 'text') return [...parts];
  return [{ type: 'text', text: first.text.charAt(0).toUpperCase() + first.text.slice(1) }, ...rest];
}

/** How an error reached its customers (source §5.2). */
export interface ErrorFix {
  /** The version that ships the fix, or null when the error was resolved without a fix version. */
  version: string | null;
  kind: VersionKind | null;
  releaseDate: string | null;
}

/**
 * Whether an error is fixed for its customers, and by what (source §5.2: the customer is given the
 * fixed version (release) or the fix (patch)):
 * - with a fix version: fixed once that version is released (marked released in the project); a
 *   resolved error whose fix version has not shipped yet is not announced until it ships;
 * - without a fix version: fixed when resolved (a fix delivered outside the project's versions).
 * The version's kind (release or update, i.e. patch) follows the policy's version pattern.
 * @example errorFixOf({ ..., fixVersion: '5.2.1', versions: [{ name: '5.2.1', releaseDate: '2026-03-20', released: true }] }, DEFAULT_POLICY)
 * // => { version: '5.2.1', kind: 'update', releaseDate: '2026-03-20' }
 */
export function errorFixOf(snapshot: Snapshot, policy: Readonly<Policy>): ErrorFix | null {
  if (snapshot.kind !== 'error') return null;
  const name = snapshot.fixVersion?.trim();
  if (name) {
    const v = (snapshot.versions ?? []).find((x) => x.name.trim() === name);
    if (!v?.released) return null;
    return { version: v.name, kind: versionKind(policy, v.name), releaseDate: v.releaseDate ?? null };
  }
  return snapshot.resolvedAt ? { version: null, kind: null, releaseDate: null } : null;
}

/**
 * The id of a fix notice on an incident: one per error and version, so an error reopened and fixed
 * again in a later version is announced again, naming the new version.
 * @example fixNoticeId('SUP-7', { version: '5.2.1', kind: 'update', releaseDate: null }) // 'fixed:SUP-7:5.2.1'
 */
export const fixNoticeId = (errorKey: string, fix: ErrorFix): string =>
  `fixed:${errorKey}:${fix.version ?? '-'}`;

/**
 * The customer's comment on an incident when its error is fixed, naming the release or patch.
 * @example fixMessage('SUP-7', 'SUP-3', { version: '6.0', kind: 'release', releaseDate: '2026-04-01' }, 'en').text
 * // => 'Error SUP-7, linked to your request SUP-3, is fixed in release 6.0 (released 1 April 2026).'
 */
export function fixMessage(errorKey: string, incidentKey: string, fix: ErrorFix, lang: Locale): Message {
  const error = { type: 'issue', key: errorKey } as const;
  const incident = { type: 'issue', key: incidentKey } as const;
  if (fix.version === null) return renderMessage('error-fixed', lang, { error, incident });
  const released = fix.releaseDate
    ? lang === 'ru'
      ? ` (выпуск ${formatDate(fix.releaseDate, lang)})`
      : ` (released ${formatDate(fix.releaseDate, lang)})`
    : '';
  return renderMessage(fix.kind === 'release' ? 'error-fixed-release' : 'error-fixed-update', lang, {
    error,
    incident,
    version: fix.version,
    released,
  });
}
