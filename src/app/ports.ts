/**
 * Ports: what the use cases need from the platform. Each has a platform adapter (Forge, Jira DC over
 * HTTP, SQLite, Forge SQL/KVS) and an in-memory fake for tests (src/adapters/memory/).
 */
import type { NotificationsConfig } from '../domain/notify';
import type { StaffLookups, SupportStaff } from './support-staff';
import type { CalendarConfig } from '../domain/calendar/types';
import type { Policy } from '../domain/policy';
import type { Kind, PriorityClass } from '../domain/codes';
import type { EscalationConfig } from '../domain/escalation';
import type { Message, Person } from '../domain/messages';
import type { Fact } from '../domain/ledger';
import type { CustomersConfig, TicketIdentity } from '../domain/contracts';
import type { AggRow } from '../domain/aggregates';
import type { AgreedCounting } from '../domain/compliance-types';
import type { ClockState, Snapshot, VersionInfo } from '../domain/snapshot';

/** The clock: the shells read the wall clock, the core never does. */
export type Clock = () => number;

/** What the app's fields and Jira's own fields currently show on an issue (for diffing). */
export interface ShownValues {
  /** SLA priority as written by the app: incident level 1–5 or error score 1–10. */
  slaPriority: number | null;
  /**
   * SLA state label searchable in JQL: `running`, `at-risk`, `breached`, `met`, `incomplete` (inputs
   * missing) or `none` (no dated deadline) — see src/app/shown.ts.
   */
  slaState: string | null;
  reactionDue: string | null;
  verificationDue: string | null;
  fixDue: string | null;
  /** Jira's own priority (name or id, as the priority mapping stores it). */
  jiraPriority: string | null;
  /** Jira's built-in due date 'YYYY-MM-DD' (only written when settings.setDueDate). */
  dueDate: string | null;
}

export interface Ticket {
  id: string;
  key: string;
  project: string;
  issueType: string;
  /** The contract snapshot built from the issue's fields, links, versions and history. */
  snapshot: Snapshot;
  shown: ShownValues;
  /** Optional (escalation): the assignee to mention; null when unassigned, absent when not read. */
  assignee?: Person | null;
  /** Optional (escalation): the issue's labels; without them the app's labels are not managed. */
  labels?: string[];
  /** Optional (escalation): the issues linked to this one (any link type, either direction). */
  links?: TicketLink[];
  /** Optional (§2.9.4): the names of the versions the request is about (Jira "affects versions"). */
  affectsVersions?: string[];
  /**
   * Optional (§2.7): the on-site visit the request asks for — the date ('YYYY-MM-DD') and when it was
   * entered (ISO with offset: the history entry that set the field, else the issue's creation).
   */
  visit?: { date: string; requestedAt: string } | null;
  /**
   * Optional (issue #17): what the ticket tells about its customer — Service Management organizations,
   * components, values of fields (by id and name), the product instance — matched against the
   * customers' identities (src/domain/contracts.ts). The project is always matched.
   */
  identity?: Omit<TicketIdentity, 'project'>;
}

/** An issue linked to a ticket. */
export interface TicketLink {
  key: string;
  /** Issue type name (mapped to incident/error by the settings). */
  issueType: string;
  /** The link type's name, e.g. 'Relates'. */
  type?: string;
  /** Whether the linked issue is done (status category). */
  done?: boolean;
}

/**
 * A comment the app posts: a structured message (text, mentions by account id, issue keys) the
 * adapter renders in its markup, for the team (`internal`: a JSM internal note where the project is a
 * service desk) or for the customer. `group`, when set, is notified as well (Jira: the issue notify
 * API), since a comment cannot mention a group.
 */
export interface CommentBody extends Message {
  audience: 'internal' | 'customer';
  group?: string | null;
}

/** An issue the app creates (an error from an incident, a part of a split request). */
export interface NewIssue {
  project: string;
  issueType: string;
  summary: string;
  /** Plain text. */
  description?: string;
  /** The regulation's inputs, written to the app's fields. */
  inputs: Partial<Pick<Snapshot, 'impact' | 'urgency' | 'mode' | 'nature' | 'workaround'>>;
}

/** A link to create: `from` <type's outward description> `to`, e.g. error SUP-7 causes incident SUP-3. */
export interface NewLink {
  type: string;
  from: string;
  to: string;
}

/** An edit of the inputs an agent sets by hand (issue #15's issue page): null removes the value. */
export interface InputEdit {
  /** SPEC §5.6: the agreed fix deadline, 'YYYY-MM-DD' (closing that working day) or an ISO instant. */
  agreedDeadline?: string | null;
  /** SPEC §4: the priority set by hand, with its reason. */
  priorityOverride?: { value: number; reason: string } | null;
}

export interface JiraPort {
  /** Reads one issue (only the fields the app needs); null when it does not exist or is out of scope. */
  readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null>;
  /**
   * Writes what changed: app read-only fields in one bulk app-field call (no events), and Jira's
   * priority/due date in one edit call — each only when something in it changed.
   */
  writeTicket(ticket: Ticket, changes: Partial<ShownValues>, settings: Settings): Promise<WriteReport | void>;
  /** JQL search returning issue keys, one page at a time (token paging). */
  searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }>;
  /**
   * Optional bulk read: one JQL page of whole tickets (the fields, links and history `readTicket`
   * reads), so a sweep costs a few calls per page instead of one per issue. Without it the use cases
   * fall back to `searchKeys` + `readTicket`.
   */
  searchTickets?(
    jql: string,
    settings: Settings,
    pageToken?: string,
  ): Promise<{ tickets: Ticket[]; nextPageToken?: string }>;
  /**
   * Optional bulk write: the changes of many tickets at once (the Forge adapter writes every app
   * field of the batch in one `POST /rest/api/3/app/field/value`). Without it the use cases call
   * `writeTicket` per ticket.
   */
  writeTickets?(batch: TicketWrite[], settings: Settings): Promise<WriteReport | void>;
  /**
   * Optional (the sweep's discovery, issue #14): a JQL clause matching the issues the app never
   * evaluated — its "SLA state" field is empty (`cf[10110] is EMPTY`) — so a missed creation event is
   * repaired by a search whose cost is the missed issues, not the open backlog. Null when the field is
   * unknown. Without it the sweep reads only the records due.
   */
  unevaluatedClause?(): Promise<string | null>;
  /** Optional: the site's issue types, for the default incident/error mapping at installation. */
  listIssueTypes?(): Promise<{ id: string; name: string }[]>;
  /** Optional: the site's priorities (names), for a default priority mapping. */
  listPriorities?(): Promise<{ id: string; name: string }[]>;
  /** Optional (escalation): posts a comment (and notifies `body.group`). */
  addComment?(issueKey: string, body: CommentBody): Promise<void>;
  /** Optional (escalation): adds and removes labels in one edit (others are untouched). */
  updateLabels?(issueKey: string, change: { add: string[]; remove: string[] }): Promise<void>;
  /**
   * Optional (escalation, issue #14): the label changes of many issues at once (Jira Cloud: bulk edit
   * tasks, one per label added or removed). Without it each issue is edited with `updateLabels`.
   */
  updateLabelsMany?(changes: { key: string; add: string[]; remove: string[] }[]): Promise<void>;
  /** Optional (escalation): creates an issue with the app's inputs set. */
  createIssue?(issue: NewIssue, settings: Settings): Promise<{ id: string; key: string }>;
  /** Optional (escalation): links two issues. */
  linkIssues?(link: NewLink): Promise<void>;
  /** Optional (§2.9.4): a project's versions (by project key), for requests about a version. */
  listVersions?(project: string): Promise<VersionInfo[]>;
  /**
   * Optional (compliance gadget scoped by a saved filter): the JQL of a saved filter; null when there
   * is no such filter or the caller may not see it. Without it the gadget cannot use filters.
   */
  filterJql?(filterId: string): Promise<string | null>;
  /**
   * Optional (issue #15): writes an agreed deadline or a priority override to the ticket's fields (the
   * next read gives them back, with the change in its history). Without it those edits are refused.
   */
  setInputs?(issueKey: string, edit: InputEdit, settings: Settings): Promise<void>;
  /** Optional (support staff, issue #12 item 7): the membership questions, for the site check. */
  staffLookups?(): StaffLookups;
}

/** One ticket's pending changes in a bulk write. */
export interface TicketWrite {
  ticket: Ticket;
  changes: Partial<ShownValues>;
}

/** Issue-type mapping: which Jira issue types are incidents and which errors (names or ids). */
export interface IssueTypeMapping {
  incident: string[];
  error: string[];
}

export interface Settings {
  policy: Policy;
  calendar: CalendarConfig;
  issueTypes: IssueTypeMapping;
  /** Incident level (1–5) / error class → Jira priority name; empty means: do not set Jira's priority. */
  priorityMap: { incident: Partial<Record<string, string>>; error: Partial<Record<PriorityClass, string>> };
  /** Also write Jira's built-in due date from the governing deadline. */
  setDueDate: boolean;
  /** Projects in scope (keys); empty = all. */
  projects: string[];
  /** Shared secret for webhooks (HMAC-SHA256); never logged or sent to the UI in full. */
  webhookSecret?: string;
  /** Escalation and customer communication per project (src/domain/escalation.ts); defaults when absent. */
  escalation?: Partial<EscalationConfig>;
  /** Notification channels and rules (src/domain/notify.ts); none when absent. */
  notifications?: NotificationsConfig;
  /**
   * Who is support staff, whose actions are a reaction (src/app/support-staff.ts, SPEC §3); the
   * default (`DEFAULT_SUPPORT_STAFF`: Service Management agents on service desks) when absent.
   */
  supportStaff?: SupportStaff;
  /**
   * Fields Jira refused to set (not on the issue's edit screen), one entry per field with the latest
   * issue and when; shown on the admin page until a write of that field succeeds. Kept by the app.
   */
  refusedFields?: (RefusedField & { at: string })[];
  /** Customers and their support contracts (issue #17, src/domain/contracts.ts); none when absent. */
  customers?: CustomersConfig;
}

/** One row per issue: its current verdict and outcome, the source of the compliance figures. */
export interface SlaRecordRow {
  key: string;
  project: string;
  kind: Kind;
  class: PriorityClass | null;
  priority: number | null;
  registeredAt: string;
  /** Governing deadline: reaction for incidents, fix for errors; null when undated. */
  due: string | null;
  /** When the clock stopped: reaction for incidents, fix (resolution) for errors. */
  doneAt: string | null;
  agreed: boolean;
  /** The governing clock's state; a breach recorded in the ledger stays `breached` (`waived` once waived). */
  state: ClockState | 'waived' | null;
  /** Verification deadline and when the estimate was recorded (errors). */
  verificationDue: string | null;
  estimateAt: string | null;
  summary: string | null;
  /** The verdict as JSON, for the issue panel. */
  verdictJson: string;
  updatedAt: string;
  /**
   * The next instant (epoch ms) at which the verdict can change with time alone (at risk, breach, a
   * future-dated stop: src/domain/next-change.ts); null when only a new input can change it (closed,
   * breached, undated). The sweep reads only records whose instant has come. Absent: unknown (a record
   * written before schema 5), read by the sweep like a due one.
   */
  nextChangeMs?: number | null;
  /** The customer's id (issue #17); null or absent when the ticket has no customer. */
  customer?: string | null;
  /** The certificate number of the contract in force at registration; null when none is. */
  contract?: string | null;
}

/** Records due for the sweep, in key order after `afterKey` (keyset paging). */
export interface DueRecordsQuery {
  /** Records whose next change is at or before this instant (epoch ms). */
  untilMs: number;
  afterKey: string | null;
  limit: number;
}

export interface RecordFilter {
  projects?: string[];
  kind?: Kind;
  /** One customer's records (issue #17). */
  customer?: string;
}

/** States the issue list filters by (`incomplete`: inputs missing, the record has no clock state). */
export const LIST_STATES = ['breached', 'at-risk', 'running', 'met', 'incomplete'] as const;
export type ListState = (typeof LIST_STATES)[number];

/**
 * A page of the issue list (issue #14): records ordered by deadline then key (undated last), after the
 * keyset `cursor` of the previous page. Without `state` the list holds open records (clock running).
 */
export interface IssueQuery {
  projects?: string[];
  state?: ListState;
  kind?: Kind;
  class?: PriorityClass;
  /** Part of the key or of the summary (case-insensitive for Latin letters). */
  text?: string;
  /** One customer's records (issue #17, customer id). */
  customer?: string;
  /** Issue keys left out (the caller may not see them: issue security). */
  exclude?: string[];
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /**
   * Count at most this many: above it `total` is this number and `totalAtLeast` is true (the issue
   * list's page; a count reads every record it counts). Without it the count is exact (reports).
   */
  countUpTo?: number;
}

export interface IssuePage {
  items: SlaRecordRow[];
  /** Null on the last page. */
  nextCursor: string | null;
  /** Records matching the filters, all pages (at most `countUpTo` when the query set it). */
  total: number;
  /** More records match than `total` (the query's `countUpTo`). */
  totalAtLeast?: boolean;
}

/**
 * Fields Jira refused to set (400 "Field '…' cannot be set. It is not on the appropriate screen, or
 * unknown."): the adapter writes every other field, then reports these.
 */
export interface RefusedField {
  issueKey: string;
  /** Jira's field id (`customfield_10110`, `priority`, `duedate`). */
  field: string;
  /** Jira's message. */
  message: string;
}

/** What a write could not do (empty or absent when every field was written). */
export interface WriteReport {
  refused: RefusedField[];
}

/** Per issue id: its current key and the newest applied snapshot's `updatedAt` (epoch ms). */
export interface IssueMark {
  key: string;
  updatedMs: number | null;
}

export interface Store {
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<void>;
  upsertSlaRecord(row: SlaRecordRow): Promise<void>;
  deleteSlaRecord(key: string): Promise<void>;
  getSlaRecord(key: string): Promise<SlaRecordRow | null>;
  listSlaRecords(filter: RecordFilter): Promise<SlaRecordRow[]>;
  /**
   * Optional (issue #14): the records whose next state change (`nextChangeMs`) is at or before
   * `untilMs`, in key order after `afterKey`, at most `limit` — through an index, so a sweep costs the
   * clocks that can change, not the history. Without it the sweep searches every open issue.
   */
  listDueSlaRecords?(query: DueRecordsQuery): Promise<SlaRecordRow[]>;
  /**
   * Optional (escalation): notices already sent for an issue (ids such as `reaction:breached`). With
   * `claimNotice` it makes each notice go out at most once, across redeliveries and sweeps.
   */
  listNotices?(issueKey: string): Promise<string[]>;
  /** Optional (escalation): records a notice if absent, atomically; false when it was there already. */
  claimNotice?(issueKey: string, notice: string): Promise<boolean>;
  /** Optional (escalation): forgets a claimed notice (its comment could not be posted). */
  releaseNotice?(issueKey: string, notice: string): Promise<void>;
  /**
   * Optional (the SLA ledger, src/domain/ledger.ts): appends facts, each unless its id is recorded
   * already; returns how many were new. Without the ledger methods the records are recomputed as before.
   */
  appendFacts?(facts: readonly Fact[]): Promise<number>;
  /** Optional (ledger): the facts of one issue (by its stable id), in any order. */
  listFacts?(issueId: string): Promise<Fact[]>;
  /** Optional (ledger export): the facts of every issue that happened in [fromMs, toMs). */
  listFactsBetween?(fromMs: number, toMs: number): Promise<Fact[]>;
  /** Optional (ledger): an issue id's current key and newest applied `updatedAt`. */
  getIssueMark?(issueId: string): Promise<IssueMark | null>;
  putIssueMark?(issueId: string, mark: IssueMark): Promise<void>;
  /**
   * Optional (generic webhook on Forge; the service has its inbox): remembers a delivery id with the
   * SHA-256 of its body. `new` the first time, `same` for a redelivery of the same body, `conflict` when
   * the id was received with a different body (refused with 409 `delivery-conflict`).
   */
  claimDelivery?(deliveryId: string, bodySha256: string): Promise<'new' | 'same' | 'conflict'>;
  /**
   * Optional (issue #14, src/domain/aggregates.ts): the compliance buckets of one reading of agreed
   * deadlines (with mode `*`), of the given projects (all when absent), that count in the months
   * `range` (all when absent), with their zone. A store that
   * has them keeps them in the same transaction as every record write.
   */
  listAggregates?(
    mode: AgreedCounting,
    projects?: string[],
    range?: { first: string; last: string },
    /**
     * Summed over projects and customers (project '', customer null): fewer rows for the figures; with
     * `range`, read from the rollup (the months' rows of all projects, or of `projects` summed).
     */
    merged?: boolean,
    /**
     * With `range`: also the pending records' correction at this instant (src/domain/aggregates.ts
     * `pendingBuckets`, rows with n < 0), which the figures need alongside listLiveRecords.
     */
    nowMs?: number,
    /** One customer's buckets (issue #17); not from the rollup, which has no customers. */
    customer?: string,
  ): Promise<AggRow[]>;
  /**
   * Optional (aggregates): the records whose outcome depends on `now` beyond the pending correction
   * (`dependsOnNow`: stopped after now, open agreed), by index; of one customer when given.
   */
  listLiveRecords?(nowMs: number, projects?: string[], customer?: string): Promise<SlaRecordRow[]>;
  /**
   * Optional (aggregates): the projects that hold records — SQL stores from the rollup of migration 8,
   * Forge from its buckets — one row a project (not the buckets themselves: Forge SQL answers ≤ 4 MiB,
   * and the buckets grow with the months), for a viewer's browse check of a view or the issue list.
   */
  listAggregateProjects?(): Promise<string[]>;
  /**
   * Optional (aggregates, migration 8): a dashboard view's buckets of all projects (or of `projects`
   * summed), pre-reduced in SQL to what its figures (`figures`) and monthly trend (`trend`) read, each
   * with the pending correction at `nowMs` (src/adapters/sql/aggregates.ts `dashboardRollupSql`): a few
   * hundred rows at most, whatever the number of records.
   */
  listDashboardBuckets?(
    mode: AgreedCounting,
    range: { first: string; last: string },
    projects: string[],
    nowMs: number,
  ): Promise<{ figures: AggRow[]; trend: AggRow[] }>;
  /** Optional (aggregates): recomputes every bucket from the records in the settings' zone; the bucket count. */
  rebuildAggregates?(): Promise<number>;
  /**
   * Forge (issue #14): fills the agreed deadline column of open agreed records written before it
   * existed (schema v012), one page; returns how many it filled. The other stores' upgrades fill it.
   */
  fillAgreedDue?(): Promise<number>;
  /** Optional (issue #14): one page of the issue list through the indexes (see IssueQuery). */
  listIssuePage?(query: IssueQuery): Promise<IssuePage>;
  /**
   * Optional (issue #14, Forge SQL: at most 3 queries per dashboard view): the buckets that count in
   * the months plus those of open records of any month and the pending correction at `nowMs`, the live records, and the first `limit` open
   * breached and at-risk records with their totals. `scope` (the viewer's browse check) gets the
   * projects that have buckets and answers those the view may show; buckets, live records and lists
   * are then of those projects only.
   */
  dashboardParts?(q: DashboardQuery): Promise<DashboardParts>;
  /** Optional: the stored records of the given keys (a sweep page's), without the other records. */
  getSlaRecords?(keys: readonly string[]): Promise<SlaRecordRow[]>;
}

/** What the dashboard asks of a store in one go (Store.dashboardParts). */
export interface DashboardQuery {
  mode: AgreedCounting;
  /** The scope's projects (all when empty). */
  projects: string[];
  range: { first: string; last: string };
  nowMs: number;
  limit: number;
  scope?: (projects: string[]) => Promise<string[]>;
  /**
   * The issue keys of the scope's projects (after `scope`) the caller may not see: left out of the
   * lists and the live records, and read back (`hidden`) so the caller can take them out of the
   * figures. It throws to abandon the view (too many to leave out one by one).
   */
  hide?: (projects: string[]) => Promise<string[]>;
  /** One customer's figures and lists (issue #17: customer id). */
  customer?: string;
}

export interface DashboardParts {
  /** The figures' buckets (pre-reduced in SQL, with the pending correction). */
  buckets: AggRow[];
  /** The trend's, when they differ from the figures' (pre-reduced per month). */
  trendBuckets?: AggRow[];
  live: SlaRecordRow[];
  /** The records of the keys `hide` named, in the counted columns (none without `hide`). */
  hidden: SlaRecordRow[];
  breached: IssuePage;
  atRisk: IssuePage;
}
