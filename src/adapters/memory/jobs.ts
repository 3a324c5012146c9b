/** In-memory recompute jobs: run the recomputation in the background of the same process. */
import type { RecomputeStatus } from '../../contract/api';
import type { AppDeps, RecomputeJobs } from '../../app/deps';
import { allIssuesJql, recomputeScope, type ScopeStats } from '../../app/issue-change';
import { scanSettings } from '../../app/site-check';

export class MemoryJobs implements RecomputeJobs {
  private readonly jobs = new Map<string, RecomputeStatus>();
  /** The running job's promise (tests await it). */
  last: Promise<void> | null = null;
  private seq = 0;

  private finished: string | null = null;
  /** Saved settings that move the clocks start a job (issue #15). */
  readonly onSettingsSaved = true;

  /**
   * `persist` (optional) keeps when the last job finished across restarts (the service: a named
   * document); the deps' clock stamps it.
   */
  constructor(
    private readonly deps: () => AppDeps,
    private readonly persist?: { get(): Promise<string | null>; put(iso: string): Promise<void> },
    /**
     * Runs the recomputation elsewhere when it returns a promise (the self-hosted service's SQLite
     * ingest thread, which writes the service-held tickets' records); null: here.
     */
    private readonly elsewhere?: (jql: string, onPage: (stats: ScopeStats) => void) => Promise<void> | null,
  ) {}

  async start(reason: RecomputeStatus['reason'] = 'manual'): Promise<RecomputeStatus> {
    const jobId = `job-${++this.seq}`;
    const status: RecomputeStatus = { jobId, state: 'running', done: 0, total: 0, reason };
    this.jobs.set(jobId, status);
    const deps = this.deps();
    this.last = (async () => {
      try {
        const jql = allIssuesJql(await scanSettings(deps));
        if (jql) {
          const onPage = (s: ScopeStats) => {
            status.done = s.issues - s.failed;
            status.total = s.issues;
            status.failed = s.failed;
          };
          const there = this.elsewhere?.(jql, onPage);
          if (there) await there;
          else await recomputeScope(deps, jql, { onPage });
        }
        status.state = 'done';
        status.finishedAt = new Date(deps.clock()).toISOString();
        this.finished = status.finishedAt;
        await this.persist?.put(status.finishedAt);
      } catch (e) {
        status.state = 'failed';
        status.error = (e as Error).message;
        status.finishedAt = new Date(deps.clock()).toISOString();
      }
    })();
    return { ...status };
  }

  async lastFinished(): Promise<string | null> {
    return this.finished ?? (this.persist ? await this.persist.get() : null);
  }

  async status(jobId: string): Promise<RecomputeStatus | null> {
    const s = this.jobs.get(jobId);
    return s ? { ...s } : null;
  }
}
