/**
 * Escalation and customer communication (issue 8), written against the ports only:
 * - `escalate`: the app's labels on an issue, and a comment to the assignee (and a group) when a clock
 *   becomes at risk or breached — once per clock and state, remembered in the store;
 * - `registerErrorFromIncident` (source §3.3, §5.2): an error registered from an incident, linked,
 *   with the incident's inputs, and its key told to the customer;
 * - `notifyFixed` (§5.2): every linked incident is told of the fix, naming the release or patch;
 * - `splitRequest` (§3.2): a request with several parts split into linked requests;
 * - `checkVisit` (§2.7) and `checkVersion` (§2.9.4).
 * Port members these need are optional; without one, the behaviour that needs it is skipped and
 * logged, never faked.
 */
import { formatInstant, parseInstant } from '../domain/calendar';
import { CalendarError } from '../domain/calendar/types';
import { CONTRACT_LABEL } from '../domain/contracts';
import { IMPACTS, MODES, NATURES, URGENCIES, WORKAROUNDS, type Workaround } from '../domain/codes';
import {
  checkRequestVersion,
  isFlagged,
  VERSION_LABEL,
  versionMessage,
  type VersionCheck,
} from '../domain/current-version';
import {
  errorFixOf,
  escalationSettingsFor,
  fixMessage,
  fixNoticeId,
  labelChanges,
  planEscalation,
  type ErrorFix,
  type EscalationSettings,
  type Notice,
} from '../domain/escalation';
import { issuePart, joinParts, renderMessage, type Message } from '../domain/messages';
import type { Snapshot, Verdict } from '../domain/snapshot';
import { checkVisitNotice, type VisitCheck } from '../domain/visit';
import { calendarFor } from './calendars';
import { notifyClockStates, notifyMessage } from './notify';
import type { AppDeps } from './deps';
import { AppError } from './errors';
import type { CommentBody, NewIssue, Settings, Ticket } from './ports';
import { kindOfIssueType } from './settings';

/** What `escalate` did to one issue. */
export interface EscalationOutcome {
  key: string;
  labels: { add: string[]; remove: string[] };
  /** Notice ids posted now. */
  posted: string[];
  /** Why a part was skipped (e.g. the adapter cannot post comments). */
  skipped: string[];
  /** Notifications stored in the outbox now (issue #16). */
  queued?: string[];
}

/** The escalation settings of a ticket's project. */
export const settingsOf = (settings: Settings, project: string): EscalationSettings =>
  escalationSettingsFor(settings.escalation, project);

/**
 * Labels and escalation comments for an evaluated ticket. Labels change only when they differ from
 * what the issue carries (so no update loop); comments go out only when the project enables them,
 * each notice once: its id is claimed in the store before posting (a redelivered event, a sweep or a
 * concurrent delivery finds it taken), and released again if the comment cannot be posted.
 *
 * @example await escalate(deps, ticket, verdict, settings) // { labels: { add: ['sla-breached'], remove: ['sla-at-risk'] }, posted: ['reaction:breached'], … }
 */
export async function escalate(
  deps: AppDeps,
  ticket: Ticket,
  verdict: Verdict,
  settings: Settings,
): Promise<EscalationOutcome> {
  const esc = settingsOf(settings, ticket.project);
  const zone = settings.calendar.zone;
  const out: EscalationOutcome = {
    key: ticket.key,
    labels: { add: [], remove: [] },
    posted: [],
    skipped: [],
  };
  const base = { issueKey: ticket.key, verdict, settings: esc, assignee: ticket.assignee ?? null, zone };

  // Labels: the SLA state labels and the §2.9.4 flag.
  let plan = planEscalation({ ...base, notified: [] });
  if (plan.labels !== null) {
    if (ticket.labels === undefined)
      out.skipped.push('labels: the ticket system adapter does not read labels');
    else {
      const desired = [...plan.labels];
      if (esc.flagOtherVersions && isFlagged(await versionCheckOf(deps, ticket, settings, esc))) {
        desired.push(VERSION_LABEL);
      }
      // Issue #17: a request outside every valid certificate of its customer.
      if (verdict.warnings.some((w) => w.code === 'contract-outside-certificate'))
        desired.push(CONTRACT_LABEL);
      const change = labelChanges(ticket.labels, desired);
      if (change.add.length > 0 || change.remove.length > 0) {
        if (!deps.jira.updateLabels) out.skipped.push('labels: the ticket system adapter cannot edit labels');
        else {
          await deps.jira.updateLabels(ticket.key, change);
          out.labels = change;
        }
      }
    }
  }

  // Comments: only when a notice could be due, so most evaluations never read the store.
  if (plan.notices.length > 0) {
    const { store, jira } = deps;
    if (!store.listNotices || !store.claimNotice || !jira.addComment) {
      out.skipped.push('comments: the store cannot remember notices or the adapter cannot post comments');
    } else {
      plan = planEscalation({ ...base, notified: await store.listNotices(ticket.key) });
      for (const notice of plan.notices) {
        if (await postOnce(deps, ticket.key, notice.id, commentOf(notice))) out.posted.push(notice.id);
      }
    }
  }
  // Notifications beyond the ticket system (e-mail, chat, webhooks): stored in the outbox once per state.
  out.queued = await notifyClockStates(deps, ticket, verdict, settings);
  // Info, not warn: a missing capability is a property of the adapter, true for every issue.
  for (const reason of out.skipped) deps.log?.info('escalation skipped', { key: ticket.key, reason });
  if (out.posted.length > 0) deps.log?.info('escalation posted', { key: ticket.key, notices: out.posted });
  return out;
}

const commentOf = (notice: Notice): CommentBody => ({
  ...notice.message,
  audience: 'internal',
  group: notice.group,
});

/**
 * Posts a comment once per (issue, notice id): claims the id, posts, releases the claim if posting
 * fails (and rethrows, so the event is retried). False when the notice was already claimed.
 */
async function postOnce(
  deps: AppDeps,
  issueKey: string,
  notice: string,
  body: CommentBody,
): Promise<boolean> {
  const { store, jira } = deps;
  if (!store.claimNotice || !jira.addComment) return false;
  if (!(await store.claimNotice(issueKey, notice))) return false;
  try {
    await jira.addComment(issueKey, body);
  } catch (e) {
    await store.releaseNotice?.(issueKey, notice);
    throw e;
  }
  return true;
}

/** The versions of a ticket's project: from its snapshot (errors), or the port. */
async function projectVersions(deps: AppDeps, ticket: Ticket): Promise<Snapshot['versions']> {
  if (ticket.snapshot.versions) return ticket.snapshot.versions;
  return deps.jira.listVersions ? deps.jira.listVersions(ticket.project) : undefined;
}

async function versionCheckOf(
  deps: AppDeps,
  ticket: Ticket,
  settings: Settings,
  esc: EscalationSettings,
): Promise<VersionCheck> {
  if (!ticket.affectsVersions || ticket.affectsVersions.length === 0) return { status: 'not-stated' };
  const versions = await projectVersions(deps, ticket);
  return checkRequestVersion(ticket.affectsVersions, versions, settings.policy, esc.currentVersion);
}

/**
 * §2.9.4: whether a request is about the current version, with the agent's message when it is not
 * (for the issue panel; `escalate` keeps the label).
 * @example await checkVersion(deps, 'SUP-3') // { check: { status: 'not-current', reason: 'older', version: '5.0', … }, message: { text: 'Обращение относится к версии 5.0, …' } }
 */
export async function checkVersion(
  deps: AppDeps,
  key: string,
): Promise<{ check: VersionCheck; message: Message | null }> {
  const settings = await deps.store.getSettings();
  const ticket = await readOrFail(deps, key, settings);
  const esc = settingsOf(settings, ticket.project);
  const check = await versionCheckOf(deps, ticket, settings, esc);
  return { check, message: versionMessage(check, esc.language) };
}

async function readOrFail(deps: AppDeps, key: string, settings: Settings): Promise<Ticket> {
  const ticket = await deps.jira.readTicket(key, settings);
  if (!ticket)
    throw new AppError('not-found', `issue ${key} is not an incident or error in scope`, {
      messageCode: 'issue-not-in-scope',
      params: { key },
    });
  return ticket;
}

function need<T>(member: T | undefined, what: 'create issues' | 'link issues'): T {
  if (member === undefined)
    throw new AppError('invalid-request', `this ticket system cannot ${what}`, {
      messageCode: what === 'create issues' ? 'cannot-create-issues' : 'cannot-link-issues',
    });
  return member;
}

const MAX_SUMMARY = 255;
const summaryOf = (text: string): string =>
  text.length <= MAX_SUMMARY ? text : `${text.slice(0, MAX_SUMMARY - 1)}…`;

export interface RegisterErrorOptions {
  /** The error's summary; the incident's summary by default. */
  summary?: string;
  /** The error issue type; the first mapped error type by default (it must be a mapped one). */
  issueType?: string;
  /** The error's workaround (§5.6.1); `none` by default — the most severe, until the agent knows better. */
  workaround?: Workaround;
}

export interface RegisterErrorResult {
  errorKey: string;
  errorId: string;
  /** Whether the customer was told the error's key in a comment on the incident. */
  commented: boolean;
}

/**
 * Source §3.3, §5.2: registers an error from an incident — an issue of the mapped error type in the
 * incident's project, with the incident's impact, urgency and usage mode carried over (the workaround
 * as given, `none` by default), linked to the incident (error → incident, the project's error link
 * type) — and tells the customer its key in a comment on the incident.
 *
 * @throws AppError 'not-found' when the incident is not one; 'invalid-request' for a wrong option or
 * when the ticket system cannot create or link issues.
 * @example await registerErrorFromIncident(deps, 'SUP-3') // { errorKey: 'SUP-7', errorId: '10007', commented: true }
 */
export async function registerErrorFromIncident(
  deps: AppDeps,
  incidentKey: string,
  options: RegisterErrorOptions = {},
): Promise<RegisterErrorResult> {
  const createIssue = need(deps.jira.createIssue, 'create issues');
  const linkIssues = need(deps.jira.linkIssues, 'link issues');
  const settings = await deps.store.getSettings();
  const incident = await readOrFail(deps, incidentKey, settings);
  if (incident.snapshot.kind !== 'incident')
    throw new AppError('invalid-request', `${incident.key} is an error, not an incident`);
  const issueType = options.issueType ?? settings.issueTypes.error[0];
  if (!issueType || kindOfIssueType(settings, { name: issueType, id: issueType }) !== 'error')
    throw new AppError(
      'invalid-request',
      `no error issue type is mapped${options.issueType ? ` as "${options.issueType}"` : ''}`,
    );
  if (options.workaround !== undefined && !WORKAROUNDS.includes(options.workaround))
    throw new AppError('invalid-request', `workaround must be one of ${WORKAROUNDS.join(', ')}`);
  const esc = settingsOf(settings, incident.project);
  const s = incident.snapshot;
  const fallback =
    esc.language === 'ru' ? `Ошибка по обращению ${incident.key}` : `Error from request ${incident.key}`;
  const input: NewIssue = {
    project: incident.project,
    issueType,
    summary: summaryOf((options.summary ?? s.summary ?? fallback).trim() || fallback),
    description:
      esc.language === 'ru'
        ? `Зарегистрирована по обращению ${incident.key} (п. 3.3 регламента).`
        : `Registered from request ${incident.key} (§3.3 of the regulation).`,
    inputs: {
      ...(s.impact ? { impact: s.impact } : {}),
      ...(s.urgency ? { urgency: s.urgency } : {}),
      ...(s.mode ? { mode: s.mode } : {}),
      workaround: options.workaround ?? 'none',
    },
  };
  const created = await createIssue.call(deps.jira, input, settings);
  await linkIssues.call(deps.jira, { type: esc.errorLinkType, from: created.key, to: incident.key });
  let commented = false;
  if (esc.customerComments && deps.jira.addComment) {
    const body = renderMessage('error-registered', esc.language, {
      incident: issuePart(incident.key),
      error: issuePart(created.key),
    });
    // Claimed like any notice, so a retried action does not tell the customer twice.
    commented = await postOnce(deps, incident.key, `error-registered:${created.key}`, {
      ...body,
      audience: 'customer',
    });
  }
  // §5.2 beyond the ticket system: the customer contact (and whoever the rules name) hears the key.
  const registered = (lang: 'ru' | 'en') =>
    renderMessage('error-registered', lang, {
      incident: issuePart(incident.key),
      error: issuePart(created.key),
    });
  await notifyMessage(
    deps,
    settings,
    incident,
    'error-registered',
    `registered:${created.key}`,
    {
      ru: registered('ru'),
      en: registered('en'),
    },
    { errorKey: created.key },
  );
  deps.log?.info('error registered', { incident: incident.key, error: created.key });
  return { errorKey: created.key, errorId: created.id, commented };
}

export interface FixOutcome {
  errorKey: string;
  /** null while the error is not fixed (or not an error). */
  fix: ErrorFix | null;
  /** Incidents told of the fix now. */
  notified: string[];
  /** Incidents that had been told already. */
  already: string[];
  skipped: string[];
}

/**
 * Source §5.2: once an error is fixed — its fix version released, or resolved when it has no fix
 * version — every incident linked to it gets a comment for the customer naming the release or patch,
 * once per error and version. Call it when an error changes and when a version is released.
 *
 * @example await notifyFixed(deps, 'SUP-7') // { fix: { version: '6.0.1', kind: 'update', … }, notified: ['SUP-3', 'SUP-4'], already: [] }
 */
export async function notifyFixed(deps: AppDeps, error: string | Ticket): Promise<FixOutcome> {
  const settings = await deps.store.getSettings();
  const ticket = typeof error === 'string' ? await deps.jira.readTicket(error, settings) : error;
  const errorKey = typeof error === 'string' ? error : error.key;
  const out: FixOutcome = { errorKey, fix: null, notified: [], already: [], skipped: [] };
  if (!ticket || ticket.snapshot.kind !== 'error') return out;
  out.errorKey = ticket.key;
  out.fix = errorFixOf(ticket.snapshot, settings.policy);
  if (!out.fix) return out;
  if (ticket.links && deps.outbox && settings.notifications?.rules.length) {
    // §5.2 beyond the ticket system: each linked incident's people hear of the fix, once per version.
    const fix = out.fix;
    for (const link of ticket.links) {
      if (kindOfIssueType(settings, { name: link.issueType, id: link.issueType }) !== 'incident') continue;
      const incident = await deps.jira.readTicket(link.key, settings);
      if (!incident) continue;
      await notifyMessage(
        deps,
        settings,
        incident,
        'error-fixed',
        fixNoticeId(ticket.key, fix),
        {
          ru: fixMessage(ticket.key, incident.key, fix, 'ru'),
          en: fixMessage(ticket.key, incident.key, fix, 'en'),
        },
        { errorKey: ticket.key, version: fix.version },
      );
    }
  }
  if (!ticket.links) {
    out.skipped.push('the ticket system adapter does not read issue links');
  } else if (!deps.jira.addComment || !deps.store.claimNotice) {
    out.skipped.push('the store cannot remember notices or the adapter cannot post comments');
  } else {
    const incidents = [
      ...new Set(
        ticket.links
          .filter((l) => kindOfIssueType(settings, { name: l.issueType, id: l.issueType }) === 'incident')
          .map((l) => l.key),
      ),
    ];
    const id = fixNoticeId(ticket.key, out.fix);
    for (const key of incidents) {
      const esc = settingsOf(settings, projectOfKey(key) ?? ticket.project);
      if (!esc.customerComments) continue;
      const body = fixMessage(ticket.key, key, out.fix, esc.language);
      if (await postOnce(deps, key, id, { ...body, audience: 'customer' })) out.notified.push(key);
      else out.already.push(key);
    }
  }
  for (const reason of out.skipped) deps.log?.warn('fix notice skipped', { key: errorKey, reason });
  return out;
}

const projectOfKey = (key: string): string | undefined => /^([A-Z][A-Z0-9_]*)-\d+$/.exec(key)?.[1];

/** One part of a split request: its summary and its own classification (missing codes are carried over). */
export interface SplitPart {
  summary: string;
  description?: string;
  impact?: string;
  urgency?: string;
  mode?: string;
  nature?: string;
}

export interface SplitResult {
  key: string;
  created: { key: string; id: string; inputs: NewIssue['inputs'] }[];
  commented: boolean;
}

/** At most this many parts per split. */
export const MAX_SPLIT_PARTS = 20;

/**
 * Source §3.2: a request with several parts is split into separate requests, each classified on its
 * own. Creates one request of the original's type and project per part with the part's impact,
 * urgency, mode and nature (any not given is carried over from the original, to be corrected per
 * part), links each to the original (the project's split link type), and tells the customer the new
 * keys on the original. Each new request is registered when it is created, as §3.2 says, so its own
 * clocks start then; the original keeps its clock.
 *
 * @throws AppError 'invalid-request' listing every problem of the parts.
 * @example await splitRequest(deps, 'SUP-3', [{ summary: 'Login fails', impact: 'high' }, { summary: 'How to export?', nature: 'question' }])
 * // { key: 'SUP-3', created: [{ key: 'SUP-8', … }, { key: 'SUP-9', … }], commented: true }
 */
export async function splitRequest(
  deps: AppDeps,
  key: string,
  parts: readonly SplitPart[],
): Promise<SplitResult> {
  const problems = splitProblems(parts);
  if (problems.length > 0) throw new AppError('invalid-request', problems.join('; '));
  const createIssue = need(deps.jira.createIssue, 'create issues');
  const linkIssues = need(deps.jira.linkIssues, 'link issues');
  const settings = await deps.store.getSettings();
  const original = await readOrFail(deps, key, settings);
  if (original.snapshot.kind !== 'incident')
    throw new AppError('invalid-request', `${original.key} is an error; only requests (incidents) are split`);
  const esc = settingsOf(settings, original.project);
  const s = original.snapshot;
  const created: SplitResult['created'] = [];
  for (const part of parts) {
    const inputs: NewIssue['inputs'] = {};
    const impact = (part.impact ?? s.impact) as NewIssue['inputs']['impact'];
    const urgency = (part.urgency ?? s.urgency) as NewIssue['inputs']['urgency'];
    const mode = (part.mode ?? s.mode) as NewIssue['inputs']['mode'];
    const nature = (part.nature ?? s.nature) as NewIssue['inputs']['nature'];
    if (impact) inputs.impact = impact;
    if (urgency) inputs.urgency = urgency;
    if (mode) inputs.mode = mode;
    if (nature) inputs.nature = nature;
    const description =
      (part.description ? `${part.description.trim()}\n\n` : '') +
      (esc.language === 'ru'
        ? `Выделено из обращения ${original.key} (п. 3.2 регламента).`
        : `Split from request ${original.key} (§3.2 of the regulation).`);
    const issue = await createIssue.call(
      deps.jira,
      {
        project: original.project,
        issueType: original.issueType,
        summary: summaryOf(part.summary.trim()),
        description,
        inputs,
      },
      settings,
    );
    await linkIssues.call(deps.jira, { type: esc.splitLinkType, from: original.key, to: issue.key });
    created.push({ key: issue.key, id: issue.id, inputs });
  }
  let commented = false;
  if (esc.customerComments && deps.jira.addComment) {
    const body = renderMessage('request-split', esc.language, {
      key: issuePart(original.key),
      parts: joinParts(created.map((c) => issuePart(c.key))),
    });
    commented = await postOnce(deps, original.key, `split:${created.map((c) => c.key).join(',')}`, {
      ...body,
      audience: 'customer',
    });
  }
  deps.log?.info('request split', { key: original.key, parts: created.map((c) => c.key) });
  return { key: original.key, created, commented };
}

function splitProblems(parts: readonly SplitPart[]): string[] {
  const problems: string[] = [];
  if (!Array.isArray(parts) || parts.length === 0) return ['give at least one part'];
  if (parts.length > MAX_SPLIT_PARTS) problems.push(`at most ${MAX_SPLIT_PARTS} parts`);
  const codes = { impact: IMPACTS, urgency: URGENCIES, mode: MODES, nature: NATURES } as const;
  parts.forEach((p, i) => {
    if (typeof p?.summary !== 'string' || p.summary.trim() === '')
      problems.push(`part ${i + 1}: summary is required`);
    for (const [field, allowed] of Object.entries(codes)) {
      const v = (p as unknown as Record<string, unknown>)?.[field];
      if (v !== undefined && !(allowed as readonly unknown[]).includes(v))
        problems.push(`part ${i + 1}: ${field} must be one of ${allowed.join(', ')}`);
    }
  });
  return problems;
}

export interface VisitRequest {
  /** The request the visit is for (for the comment and the project's settings). */
  key?: string;
  /** 'YYYY-MM-DD'. */
  visitDate: string;
  /** When the visit was requested (ISO with offset); now by default. */
  requestedAt?: string;
  /** Also tell the customer in a comment on the request when the notice is too short (once per date). */
  comment?: boolean;
}

/**
 * Source §2.7: checks an on-site visit date against the calendar (the project's notice, 5 working days
 * by default) and returns the verdict with the message in the project's language; optionally posts it.
 * @throws AppError 'invalid-request' for a malformed date, or a date beyond the calendar's years.
 * @example await checkVisit(deps, { key: 'SUP-3', visitDate: '2026-05-08', requestedAt: '2026-04-30T15:00:00+03:00' })
 * // { ok: false, reason: 'too-short', earliestWorkingDate: '2026-05-12', message: { ru: …, en: … }, text: 'Выезд специалиста на 8 мая 2026 …', commented: false }
 */
export async function checkVisit(
  deps: AppDeps,
  request: VisitRequest,
): Promise<VisitCheck & { text: string | null; commented: boolean }> {
  const settings = await deps.store.getSettings();
  const calendar = calendarFor(settings.calendar);
  const project = request.key ? projectOfKey(request.key) : undefined;
  const esc = settingsOf(settings, project ?? '');
  let result: VisitCheck;
  let requestedAt: number;
  try {
    requestedAt = request.requestedAt === undefined ? deps.clock() : parseInstant(request.requestedAt);
    result = checkVisitNotice(requestedAt, request.visitDate, calendar, esc.visitNoticeDays);
  } catch (e) {
    if (e instanceof CalendarError) throw new AppError('invalid-request', e.message);
    throw e;
  }
  let commented = false;
  if (!result.ok && request.comment && request.key && esc.customerComments) {
    commented = await postOnce(deps, request.key, `visit:${request.visitDate}`, {
      ...result.message[esc.language],
      audience: 'customer',
    });
  }
  if (!result.ok && request.key && deps.outbox && settings.notifications?.rules.length) {
    const ticket = await deps.jira.readTicket(request.key, settings);
    if (ticket)
      await notifyMessage(
        deps,
        settings,
        ticket,
        'visit-notice',
        `visit:${request.visitDate}`,
        result.message,
        {
          visitDate: request.visitDate,
          earliestWorkingDate: result.earliestWorkingDate ?? null,
        },
      );
  }
  deps.log?.info('visit checked', {
    key: request.key ?? null,
    ok: result.ok,
    at: formatInstant(requestedAt, calendar.zone),
  });
  return { ...result, text: result.ok ? null : result.message[esc.language].text, commented };
}
