/**
 * The compliance report (issue #15): the request and view of `getReport`, shared by the reports page,
 * the CSV / XLSX / PDF exports and the CLI. Kept apart from api.ts so the contract's hot file only
 * names the call.
 */
import type { Kind, PriorityClass } from '../domain/codes';
import type { ComplianceRow } from '../domain/compliance-types';
import type { IssueItem, TrendPoint } from './api';

export interface ReportRequest {
  /** 'YYYY-MM-DD', both included. */
  from: string;
  to: string;
  /** Project keys (none: the settings' projects, else all). */
  projects?: string[];
  /** One priority class only (the figures' other classes and the lists are left out). */
  class?: PriorityClass;
  /** The customer the report is for (accepted and shown; contracts narrow by it later). */
  customer?: string;
}

/** One line of the figures: a kind, overall or one class. */
export interface ReportFigure extends ComplianceRow {
  kind: Kind;
  /** null: every class of the kind (the overall line). */
  class: PriorityClass | null;
}

/** Agreed deadlines and waivers of one kind over the period. */
export interface ReportExceptions {
  kind: Kind;
  /** Counted records with an individually agreed deadline… */
  agreed: number;
  /** …fixed on or before it, and fixed after it or still open past it. */
  agreedKept: number;
  agreedMissed: number;
  /** Recorded breaches an administrator waived (with a reason). */
  waived: number;
}

export interface ReportView {
  from: string;
  to: string;
  /** The target share (0.8 by default). */
  target: number;
  projects: string[];
  class: PriorityClass | null;
  customer: string | null;
  /** The calendar zone the months are in. */
  zone: string;
  /** When the report was made (ISO instant with the zone's offset). */
  generatedAt: string;
  /** Errors then incidents; each: the overall line (class null), then each class — or only the asked class's line. */
  figures: ReportFigure[];
  /** Records left out for lack of a dated deadline, per kind. */
  undated: { errors: number; incidents: number };
  /** Month by month, overall per kind. */
  trend: TrendPoint[];
  /** Open issues past their deadline, by deadline (the first REPORT_LIST_LIMIT), and how many in all. */
  breached: { items: IssueItem[]; total: number };
  exceptions: ReportExceptions[];
}

/** Breached issues a report lists (the rest are counted). */
export const REPORT_LIST_LIMIT = 500;
