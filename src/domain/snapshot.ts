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

export interface Snapshot {
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
  /** `now` the verdict was evaluated at. */
  evaluatedAt: string;
}
