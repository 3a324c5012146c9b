/**
 * What the use cases are given by a shell: the ports plus a few optional capabilities. Nothing here
 * imports a platform; the Forge shell (src/forge/) and the self-hosted server build these.
 */
import type { RecomputeStatus } from '../contract/api';
import type { NotifyAdmin, NotifyOutbox } from './notify';
import type { Clock, JiraPort, Store } from './ports';

/** Background recomputation of every issue in scope (the admin's "recompute all"). */
export interface RecomputeJobs {
  /** Starts a job (in the background where the platform allows) and returns its first status. */
  start(reason?: RecomputeStatus['reason']): Promise<RecomputeStatus>;
  status(jobId: string): Promise<RecomputeStatus | null>;
  /**
   * Optional (issue #15): start a job when saved settings move the clocks. The self-hosted service
   * does; the Forge app keeps its explicit "Recompute all" (its queue's cost on large sites is not
   * measured yet).
   */
  readonly onSettingsSaved?: boolean;
  /** Optional (issue #15): when the last job finished (ISO), null when none has. */
  lastFinished?(): Promise<string | null>;
}

export interface AppLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

/**
 * What the calling user may see (issue #12 item 8): resolvers that take or return issues show only
 * those. Absent where every caller may see everything (the self-hosted service's own UI, tests).
 */
export interface Viewer {
  /** Whether the caller may browse the issue (Jira's BROWSE_PROJECTS on it, issue security included). */
  canBrowse(issueKey: string): Promise<boolean>;
  /** Of these project keys, the ones whose issues the caller may browse (one check per project). */
  browsableProjects(projectKeys: string[]): Promise<Set<string>>;
  /**
   * Of these issue keys, the ones the caller may see, issue security included (checked in bulk, not
   * one call per issue). Applied after `browsableProjects` to every list and figure; absent = the
   * project check is enough (no issue-level security).
   */
  visibleIssues?(issueKeys: string[]): Promise<Set<string>>;
  /**
   * The issues of these projects a user who may browse the project may still not see, as the app
   * sees them: those with an issue security level, and every issue of a project whose Browse projects
   * is granted through the issue's data (reporter, assignee, a user or group field). At most
   * `SECURED_MAX`; null when there are more. With `visibleIssues` it tells which issues the caller may
   * not see, so views built from aggregates (issue #14) can leave them out without reading every
   * record: those issues are taken out of the lists in SQL and out of the figures by their own
   * buckets. Null sends a view to the per-record path (every record of the scope, checked in bulk).
   */
  securedIssues?(projectKeys: string[]): Promise<string[] | null>;
}

/**
 * The most secured issues a view built from aggregates takes out one by one (their records are read
 * in one query: at most ~800 B each, so 1,000 stay under 1 MiB of Forge SQL's 4 MiB answer, beside
 * the live records' 2 MiB; and 10 bulk checks of 100 keys).
 */
export const SECURED_MAX = 1000;

export interface AppDeps {
  jira: JiraPort;
  store: Store;
  clock: Clock;
  /** Whether the caller may change settings; checked by the use cases, never trusted from the UI. */
  isAdmin?: () => Promise<boolean>;
  /** Who the caller is (account id or user name), for the facts they add (a waiver); optional. */
  actor?: () => Promise<string | null>;
  /** Link to an issue in the ticket system (for lists in the UI). */
  issueUrl?: (key: string) => string | null;
  /** Optional: where the whole list of open breached / at-risk issues is (the dashboard's "and N more"). */
  issueListUrl?: (state: 'breached' | 'at-risk') => string | null;
  jobs?: RecomputeJobs;
  log?: AppLog;
  /** The calling user's view (Forge resolvers); absent = no restriction. */
  viewer?: Viewer;
  /** The durable outbox of notifications (issue #16); absent = no notifications beyond comments. */
  outbox?: NotifyOutbox;
  /** The outbox's administration (the self-hosted service); absent = the admin page hides notifications. */
  notifyAdmin?: NotifyAdmin;
}

export const SILENT_LOG: AppLog = { info: () => undefined, warn: () => undefined };
