/**
 * The public data contract (shared/design/CONTRACT.md): a ticket snapshot in, a verdict out.
 * Instants are ISO 8601 strings with an offset; dates are 'YYYY-MM-DD' in the calendar's zone.
 * Fields may be added; existing ones may not change meaning.
 */
import type { Impact, Kind, Mode, Nature, PriorityClass, Urgency, Workaround } from './codes';
import type { FixRuleType } from './policy';
import type { BreakdownStep, LinkedInputs } from './priority';

export interface VersionInfo {
  name: string;
  /** 'YYYY-MM-DD' or null when not scheduled. */
  releaseDate?: string | null;
  released?: boolean;
}

export type ReactionType = 'status' | 'comment' | 'assignee';

export interface ReactionEvent {
  at: string;
  type: ReactionType;
  /**
   * Who did it: 'agent' = support staff (counts); 'reporter', or 'other' (a request participant, a
   * customer, automation or an app) never counts (SPEC §3). Absent: counted (the sender filtered).
   */
  authorRole?: 'reporter' | 'agent' | 'other';
}

/** The inputs whose dated changes a ticket system's history reports (SPEC §3, §5: deadlines move). */
export type HistoryField =
  'impact' | 'urgency' | 'mode' | 'nature' | 'workaround' | 'priorityOverride' | 'agreedDeadline';

/**
 * One dated change of an input, from the ticket system's history (Jira changelog): the value before
 * and after, the instant it happened there and who made it. Values are codes (impact `high`, …), an
 * override `{ value, reason }` or an agreed deadline (instant or date); null means unset.
 */
export interface InputChange {
  field: HistoryField;
  from: unknown;
  to: unknown;
  at: string;
  by?: string;
}

export interface Snapshot {
  /**
   * The ticket's stable id in its system (Jira issue id); the key is a mutable attribute (a moved
   * issue keeps its id). Generic snapshots without one are identified by their key.
   */
  id?: string;
  key: string;
  kind: Kind;
  registeredAt: string;
  impact?: Impact;
  urgency?: Urgency;
  mode?: Mode;
  nature?: Nature;
  workaround?: Workaround;
  priorityOverride?: { value: number; reason: string } | null;
  linkedIncidents?: LinkedInputs[];
  versions?: VersionInfo[];
  fixVersion?: string | null;
  agreedDeadline?: string | null;
  estimateAt?: string | null;
  reactions?: ReactionEvent[];
  resolvedAt?: string | null;
  /** The ticket system's last-modified instant: a snapshot older than one already applied changes nothing. */
  updatedAt?: string;
  /** Dated changes of the inputs (oldest first or in any order), so the ledger can place each deadline. */
  history?: InputChange[];
  /**
   * Optional: the ticket's people with their e-mail addresses, for notifications by role (issue #16).
   * Not used by the rules.
   */
  contacts?: SnapshotContacts;
  /** Optional extras carried through to the verdict and records (project key, summary, ...). */
  project?: string;
  summary?: string;
}

export type ClockState = 'running' | 'at-risk' | 'met' | 'breached' | 'not-applicable';

export interface Clock {
  /** ISO instant with the calendar zone's offset; null when the rule gives no dated deadline. */
  due: string | null;
  state: ClockState;
  /** When the clock was stopped (reaction, estimate, fix), if it was. */
  at?: string | null;
  /** Working minutes used from the start to `at` or `now`, and left until `due` (negative once past). */
  usedMinutes?: number;
  leftMinutes?: number | null;
  /** Share of the working time used (0..1+), null when undated. */
  usedShare?: number | null;
}

export interface FixClock extends Clock {
  rule: FixRuleType | 'agreed';
  /** Human-readable explanation of the rule applied (English). */
  ruleText?: string;
  /** The version the deadline is tied to, if any. */
  version?: string | null;
  agreed?: boolean;
  /** The deadline the class's rule gives (ISO), also when an agreed deadline replaces it; null when undated. */
  standardDue?: string | null;
}

export interface VerdictPriority {
  kind: Kind;
  value: number;
  class: PriorityClass;
  computed: number;
  overridden: boolean;
  reason?: string;
  breakdown: BreakdownStep[];
}

export interface VerdictWarning {
  code: string;
  message: string;
  /** The message in Russian, where the engine has it (contract flags, issue #17). */
  ru?: string;
}

/** The customer and the contract a ticket was evaluated under (issue #17, src/domain/contracts.ts). */
export interface VerdictContract {
  /** Customer id. */
  customer: string;
  customerName: string;
  /** Certificate number of the contract in force at registration; null when none is (flagged). */
  certificate: string | null;
  validFrom?: string;
  validTo?: string;
  zone?: string;
  zoneMode?: 'customer' | 'vendor';
}

/** A clock's recorded breach and its waiver, from the ledger (src/domain/ledger.ts). */
export interface RecordedBreach {
  clock: 'reaction' | 'verification' | 'fix';
  /** When it happened: the deadline in force then (or the instant a change put it in the past). */
  at: string;
  due: string;
  priority: number | null;
  class: PriorityClass | null;
  waived?: { at: string; by: string; reason: string } | null;
}

export interface Verdict {
  key: string;
  complete: boolean;
  /** Inputs that were needed but missing (then priority and clocks are null). */
  missing: string[];
  priority: VerdictPriority | null;
  reaction: Clock | null;
  verification: Clock | null;
  fix: FixClock | null;
  warnings: VerdictWarning[];
  /** Breaches recorded in the ledger (absent when the verdict was not joined with a ledger). */
  breaches?: RecordedBreach[];
  /** Agreed deadline of an error (source §5.6.3), tracked apart from the standard one. */
  agreed?: { due: string; kept: boolean | null } | null;
  /** `now` the verdict was evaluated at. */
  evaluatedAt: string;
  /** The customer and contract (absent when the ticket has no customer). */
  contract?: VerdictContract | null;
}

/** A person of a ticket for notifications. */
export interface SnapshotContact {
  name?: string;
  email?: string;
}

/** The people a notification rule can address by role. */
export interface SnapshotContacts {
  assignee?: SnapshotContact;
  reporter?: SnapshotContact;
  customerContact?: SnapshotContact;
  projectLead?: SnapshotContact;
}
