/**
 * The one contract between the UI and the backend: call names and payload types, defined once.
 * Inside Jira the client calls them with `invoke(name, payload)` (Forge resolvers); in the
 * self-hosted service with `POST /api/<name>` and a JSON body. Both shells route to the same
 * use cases in src/app/.
 */
import type { CalendarConfig, YearStatus } from '../domain/calendar/types';
import type { ComplianceSummary } from '../domain/compliance-types';
import type { Policy } from '../domain/policy';
import type { Problem } from '../domain/policy-validate';
import type { Snapshot, Verdict } from '../domain/snapshot';
import type { IssueTypeMapping, Settings } from '../app/ports';

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
  breached: IssueItem[];
  atRisk: IssueItem[];
}

export interface SettingsView extends Omit<Settings, 'webhookSecret'> {
  webhookSecretSet: boolean;
  /** Whether the caller may save (a Jira administrator / the service's admin). */
  canEdit: boolean;
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
  verdict: Verdict | null;
  calendarZone: string;
}

export interface RecomputeStatus {
  jobId: string;
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  error?: string;
}

/** Every call: name → [request, response]. */
export interface Api {
  getCompliance: [{ projects?: string[]; filterId?: string; from: string; to: string }, ComplianceView];
  getIssueSla: [{ key: string }, IssueSlaView];
  listIssues: [{ projects?: string[]; limit?: number }, IssueItem[]];
  getSettings: [Record<string, never>, SettingsView];
  saveSettings: [
    {
      policy?: Policy;
      calendar?: CalendarConfig;
      issueTypes?: IssueTypeMapping;
      priorityMap?: Settings['priorityMap'];
      setDueDate?: boolean;
      projects?: string[];
    },
    { ok: true } | { ok: false; errors: Problem[] },
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
}

export type ApiName = keyof Api;
export type ApiRequest<N extends ApiName> = Api[N][0];
export type ApiResponse<N extends ApiName> = Api[N][1];

export const API_NAMES: readonly ApiName[] = [
  'getCompliance',
  'getIssueSla',
  'listIssues',
  'getSettings',
  'saveSettings',
  'validatePolicy',
  'preview',
  'getCalendarYear',
  'rotateWebhookSecret',
  'recomputeAll',
  'getRecomputeStatus',
];
