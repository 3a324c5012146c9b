/**
 * Compliance (SPEC §5, source §5.6.3): how many deadlines held over a period, against the target.
 * See compliance.ts for the counting rule.
 */
import type { Kind, PriorityClass } from './codes';

/** One SLA record as compliance counts it (one per issue). */
export interface SlaRecord {
  key: string;
  kind: Kind;
  class: PriorityClass | null;
  /** Governing deadline (errors: fix; incidents: reaction), ISO instant; null when undated. */
  due: string | null;
  /** When the clock stopped (errors: fixed; incidents: reacted), ISO instant; null while open. */
  doneAt: string | null;
  /** The deadline was agreed individually with the customer (source §5.6.3). */
  agreed?: boolean;
  /** The agreed deadline itself (ISO), tracked apart from the standard one in `due`. */
  agreedDue?: string | null;
  /** A breach recorded in the ledger: late whatever the instants say now. */
  breached?: boolean;
  /** The recorded breach was waived by an administrator: left out of the figure, tallied in `waived`. */
  waived?: boolean;
  project?: string;
  /** Registration instant, ISO; when known, an open undated record is not listed before it existed. */
  registeredAt?: string;
  /** The customer's id (issue #17): compliance per customer; aggregates keep a bucket per customer. */
  customer?: string | null;
}

export interface ComplianceRow {
  /** Records counted (due in the period, or done in the period). */
  counted: number;
  onTime: number;
  late: number;
  /** onTime / counted, or null when nothing was counted. */
  share: number | null;
  /** share >= target (true when nothing was counted). */
  meetsTarget: boolean;
  /** How many more late ones the period can take and still meet the target (0 when already below). */
  budget: number;
  /** Of the counted, those with an individually agreed deadline. */
  agreed: number;
  /** Of those with an agreed deadline: fixed on or before it, and fixed after it or still open past it. */
  agreedKept?: number;
  agreedMissed?: number;
  /** Recorded breaches an administrator waived (with a reason): not counted. */
  waived?: number;
}

/**
 * How an individually agreed deadline counts in the figure (source §5.6.3): `standard` (default) — the
 * error is one of the exceptions, counted as not meeting the standard deadline; `agreed` — the earlier
 * reading, counted against the agreed date.
 */
export type AgreedCounting = 'standard' | 'agreed';

export interface ComplianceSummary {
  kind: Kind;
  from: string;
  to: string;
  target: number;
  overall: ComplianceRow;
  byClass: Record<PriorityClass, ComplianceRow>;
  /** Records left out because they have no dated deadline. */
  undated: number;
}

/** One month of the compliance trend (the gadget's 12-month chart). */
export interface ComplianceTrendPoint {
  /** 'YYYY-MM' */
  month: string;
  counted: number;
  onTime: number;
  late: number;
  share: number | null;
  meetsTarget: boolean;
}
