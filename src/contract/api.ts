/**
 * The one contract between the UI and the backend: call names and payload types, defined once.
 * Inside Jira the client calls them with `invoke(name, payload)` (Forge resolvers); in the
 * self-hosted service with `POST /api/<name>` and a JSON body. Both shells route to the same
 * use cases in src/app/.
 */
import type { Fact } from '../domain/ledger';
import type { CalendarConfig, YearStatus } from '../domain/calendar/types';
import type { Locale, Workaround } from '../domain/codes';
import type { NotificationsConfig, Trigger } from '../domain/notify';
import type { ComplianceSummary } from '../domain/compliance-types';
import type { VersionCheck } from '../domain/current-version';
import type { EscalationConfig } from '../domain/escalation';
import type { Message } from '../domain/messages';
import type { Policy } from '../domain/policy';
import type { Problem } from '../domain/policy-validate';
import type { Snapshot, Verdict } from '../domain/snapshot';
import type { VisitCheck } from '../domain/visit';
import type { IssueTypeMapping, NewIssue, Settings } from '../app/ports';
import type { ReportRequest, ReportView } from './report';

export interface IssueItem {
  key: string;
  summary: string | null;
  kind: 'incident' | 'error';
  class: string | null;
  due: string | null;
  state: string | null;
  /** Link to the issue in the ticket system, when known. */
  url: string | null;
}

export interface TrendPoint {
  /** 'YYYY-MM' */
  month: string;
  errors: { counted: number; onTime: number; share: number | null };
  incidents: { counted: number; onTime: number; share: number | null };
}

export interface ComplianceView {
  from: string;
  to: string;
  target: number;
  errors: ComplianceSummary;
  incidents: ComplianceSummary;
  trend: TrendPoint[];
  /** The first DASHBOARD_LIST_LIMIT open breached / at-risk issues by deadline… */
  breached: IssueItem[];
  atRisk: IssueItem[];
  /** …and how many there are in all (the gadget shows "and N more" with a link to the whole list). */
  breachedTotal: number;
  atRiskTotal: number;
  /** Where the whole lists are (a Jira search), when the shell knows. */
  listUrls?: { breached: string | null; atRisk: string | null };
  /** When every clock was last re-evaluated (a finished recompute, ISO), when the backend knows. */
  recomputedAt?: string | null;
}

/** Issues the dashboard lists per state (the rest are counted). */
export const DASHBOARD_LIST_LIMIT = 20;

/** A page of the issue list (`listIssuePage`): keyset paging by deadline then key. */
export interface IssuePageView {
  items: IssueItem[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
  /** Issues matching the filters, all pages (at most the request's `countUpTo`). */
  total: number;
  /** More issues match than `total`: the count stopped at the request's `countUpTo`. */
  totalAtLeast?: boolean;
}

/** Filters of the issue list. */
export interface IssueListRequest {
  projects?: string[];
  /** Without it: the open issues (clock running). */
  state?: 'breached' | 'at-risk' | 'running' | 'met' | 'incomplete';
  kind?: 'incident' | 'error';
  class?: 'critical' | 'high' | 'medium' | 'low' | 'planned';
  /** Part of the issue key or summary. */
  text?: string;
  /** 1–500, default 50. */
  limit?: number;
  cursor?: string;
  /** One customer's issues (customer id, issue #17). */
  customer?: string;
  /**
   * Count at most this many matching issues (1–1,000,000); above it `total` is this number and
   * `totalAtLeast` is true. Without it the count is exact. The issue list asks for ISSUE_COUNT_UP_TO:
   * a count reads every issue it counts (the met issues of years: 43–240 ms at 1,000,000 records).
   */
  countUpTo?: number;
}

/** What the issue list's page counts up to ("more than 10,000 issues" beyond). */
export const ISSUE_COUNT_UP_TO = 10_000;

export interface SettingsView extends Omit<Settings, 'webhookSecret'> {
  webhookSecretSet: boolean;
  /** Whether the caller may save (a Jira administrator / the service's admin). */
  canEdit: boolean;
  /**
   * What the settings name that this Jira site lacks (issue types, priorities, support-staff groups
   * and project roles), with the setting's
   * path; absent when the site could not be asked. Scans skip the missing issue types.
   */
  siteProblems?: {
    path: string;
    message: string;
    code:
      | 'missing-issue-type'
      | 'missing-priority'
      | 'no-issue-type'
      | 'missing-staff-group'
      | 'missing-staff-role';
    value?: string;
    known?: string[];
  }[];
}

export interface CalendarDay {
  date: string;
  working: boolean;
  /** Working minutes of the day. */
  minutes: number;
  kind: 'workday' | 'weekend' | 'holiday' | 'day-off' | 'working-day' | 'short-day';
  /** Set when the administrator's own date decides this day. */
  own: boolean;
}

export interface CalendarYearView {
  year: number;
  status: YearStatus;
  source: string;
  days: CalendarDay[];
  months: { month: number; workingDays: number; hours: number }[];
}

export interface IssueSlaView {
  key: string;
  /** The verdict at now, joined with the issue's ledger (recorded breaches and waivers). */
  verdict: Verdict | null;
  /** The issue's ledger in order (the panel's history); absent where the store keeps none. */
  history?: Fact[];
  calendarZone: string;
  /** §2.7: the on-site visit the request asks for, when the issue has one. */
  visit?: { date: string; requestedAt: string } | null;
  /** The issue's context for the issue page; absent when the ticket system did not answer. */
  issue?: IssueDetails;
}

/** The answer to an edit of an issue's agreed deadline or priority override: the re-evaluated verdict. */
export interface InputEditView {
  key: string;
  verdict: Verdict | null;
}

/** What the issue page shows about the issue itself (issue #15). */
export interface IssueDetails {
  summary: string | null;
  /** The ticket system's issue type name. */
  issueType: string;
  kind: 'incident' | 'error';
  project: string;
  /** The reporter's name (or e-mail) when the ticket system gave it. */
  reporter: string | null;
  registeredAt: string;
  /** Link to the issue in the ticket system, when known. */
  url: string | null;
  /** The issues linked to it (an error and its requests, a request's parts), as the ticket system says. */
  links?: { key: string; type: string | null }[];
}

export interface RecomputeStatus {
  jobId: string;
  state: 'running' | 'done' | 'failed';
  /** Issues recomputed (evaluated) so far. */
  done: number;
  /** Issues found so far. */
  total: number;
  /** Issues found that could not be evaluated (logged with the reason); `done + failed = total`. */
  failed?: number;
  error?: string;
  /** When the job ended (ISO), once it has. */
  finishedAt?: string;
  /** What started it: an administrator's "Recompute all", or saved settings that move the clocks. */
  reason?: 'manual' | 'settings';
}

/** Source §3.3, §5.2: register an error from an incident (an issue action). */
export interface RegisterErrorRequest {
  /** The incident. */
  key: string;
  /** The error's summary; the incident's by default. */
  summary?: string;
  /** A mapped error issue type; the first mapped one by default. */
  issueType?: string;
  /** `none` by default. */
  workaround?: Workaround;
}

export interface RegisterErrorView {
  errorKey: string;
  errorId: string;
  /** Whether the customer was told the error's key on the incident. */
  commented: boolean;
}

/** One part of a split request (§3.2): codes not given are carried over from the original. */
export interface SplitPartInput {
  summary: string;
  description?: string;
  impact?: string;
  urgency?: string;
  mode?: string;
  nature?: string;
}

export interface SplitRequestView {
  key: string;
  created: { key: string; id: string; inputs: NewIssue['inputs'] }[];
  commented: boolean;
}

/** §2.7: an on-site visit date to check against the calendar. */
export interface VisitCheckRequest {
  /** The request (its project's notice and language; the comment goes there). */
  key?: string;
  /** 'YYYY-MM-DD'. */
  visitDate: string;
  /** When the visit was requested (ISO with offset); now by default. */
  requestedAt?: string;
  /** Also tell the customer on the request when the notice is too short (once per date). */
  comment?: boolean;
}

/** The verdict, with `text`: the message in the project's language (null when the notice is enough). */
export type VisitCheckView = VisitCheck & { text: string | null; commented: boolean };

/** §2.9.4: whether a request is about the current version, with the agent's message when not. */
export interface VersionCheckView {
  check: VersionCheck;
  message: Message | null;
}

/** Every call: name → [request, response]. */
export interface Api {
  getCompliance: [
    { projects?: string[]; filterId?: string; from: string; to: string; customer?: string },
    ComplianceView,
  ];
  getIssueSla: [{ key: string }, IssueSlaView];
  listIssues: [{ projects?: string[]; limit?: number }, IssueItem[]];
  listIssuePage: [IssueListRequest, IssuePageView];
  getSettings: [Record<string, never>, SettingsView];
  saveSettings: [
    {
      policy?: Policy;
      calendar?: CalendarConfig;
      issueTypes?: IssueTypeMapping;
      priorityMap?: Settings['priorityMap'];
      setDueDate?: boolean;
      projects?: string[];
      escalation?: Partial<EscalationConfig>;
      notifications?: NotificationsConfig;
      supportStaff?: Settings['supportStaff'];
      customers?: Settings['customers'];
    },
    /** `recompute`: the background re-evaluation the saved change started (issue #15), if any. */
    { ok: true; recompute?: RecomputeStatus } | { ok: false; errors: Problem[] },
  ];
  validatePolicy: [{ policy: unknown }, { ok: true } | { ok: false; errors: Problem[] }];
  preview: [
    { policy: unknown; calendar?: CalendarConfig; snapshot: Snapshot; now: string },
    { ok: true; verdict: Verdict } | { ok: false; errors: Problem[] },
  ];
  getCalendarYear: [{ year: number; calendar?: CalendarConfig }, CalendarYearView];
  rotateWebhookSecret: [Record<string, never>, { secret: string }];
  recomputeAll: [Record<string, never>, RecomputeStatus];
  getRecomputeStatus: [{ jobId: string }, RecomputeStatus];
  registerError: [RegisterErrorRequest, RegisterErrorView];
  splitRequest: [{ key: string; parts: SplitPartInput[] }, SplitRequestView];
  checkVisit: [VisitCheckRequest, VisitCheckView];
  checkVersion: [{ key: string }, VersionCheckView];
  /**
   * Agent: agrees an individual fix deadline with the customer (SPEC §5.6: a date, closing that working
   * day, or an instant); null removes it. Written to the ticket system's field, then re-evaluated.
   */
  agreeDeadline: [{ key: string; deadline: string | null }, InputEditView];
  /** Agent: overrides the computed priority (1..10) with a reason (SPEC §4); null removes it. */
  overridePriority: [{ key: string; value: number | null; reason?: string }, InputEditView];
  /** Administrator only: waives a recorded breach of one clock, with a reason (kept in the ledger). */
  waiveBreach: [{ key: string; clock: 'reaction' | 'verification' | 'fix'; reason: string }, { fact: Fact }];
  /** Administrator only: whether this backend sends notifications, and its outbox (waiting and failed). */
  getNotifications: [Record<string, never>, NotificationsStatus];
  /** Administrator only: a sample message through a saved channel, now. */
  testNotification: [
    { channel: string; to?: string[]; language?: Locale },
    { ok: true } | { ok: false; message: string },
  ];
  /** A sample message of a trigger, rendered as the rules would send it. */
  previewNotification: [
    { trigger: Trigger; language: Locale },
    { subject: string; text: string; html: string },
  ];
  /** Administrator only: failed notifications (all, or these keys) are queued again. */
  retryNotifications: [{ keys?: string[] }, { requeued: number }];
  /** The compliance report of a period (issue #15): figures per class, trend, breached, exceptions. */
  getReport: [ReportRequest, ReportView];
}

/** A notification in the outbox. */
export interface OutboxItem {
  key: string;
  status: 'pending' | 'processing' | 'failed' | 'done';
  channel: string | null;
  to: string[];
  subject: string | null;
  attempts: number;
  /** Not sent before (quiet hours, the next retry). */
  notBefore: string;
  lastError: string | null;
}

export interface NotificationsStatus {
  /** False where the backend cannot send (Forge: the Jira comment is the channel there). */
  available: boolean;
  outbox: { pending: OutboxItem[]; failed: OutboxItem[] };
}

export type ApiName = keyof Api;
export type ApiRequest<N extends ApiName> = Api[N][0];
export type ApiResponse<N extends ApiName> = Api[N][1];

export const API_NAMES: readonly ApiName[] = [
  'getCompliance',
  'getIssueSla',
  'listIssues',
  'listIssuePage',
  'getSettings',
  'saveSettings',
  'validatePolicy',
  'preview',
  'getCalendarYear',
  'rotateWebhookSecret',
  'recomputeAll',
  'getRecomputeStatus',
  'registerError',
  'splitRequest',
  'checkVisit',
  'checkVersion',
  'waiveBreach',
  'agreeDeadline',
  'overridePriority',
  'getNotifications',
  'testNotification',
  'previewNotification',
  'retryNotifications',
  'getReport',
];
