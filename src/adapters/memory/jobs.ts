/** In-memory recompute jobs: run the recomputation in the background of the same process. */
import type { RecomputeStatus } from '../../contract/api';
import type { AppDeps, RecomputeJobs } from '../../app/deps';
import { allIssuesJql, recomputeScope } from '../../app/issue-change';
import { scanSettings } from '../../app/site-check';

export class MemoryJobs implements RecomputeJobs {
  private readonly jobs = new Map<string, RecomputeStatus>();
  /** The running job's promise (tests await it). */
  last: Promise<void> | null = null;
  private seq = 0;

  constructor(private readonly deps: () => AppDeps) {}

  async start(): Promise<RecomputeStatus> {
    const jobId = `job-${++this.seq}`;
    const status: RecomputeStatus = { jobId, state: 'running', done: 0, total: 0 };
    this.jobs.set(jobId, status);
    const deps = this.deps();
    this.last = (async () => {
      try {
        const jql = allIssuesJql(await scanSettings(deps));
        if (jql) {
          await recomputeScope(deps, jql, {
            onPage: (s) => {
              status.done = s.issues - s.failed;
              status.total = s.issues;
              status.failed = s.failed;
            },
          });
        }
        status.state = 'done';
      } catch (e) {
        status.state = 'failed';
        status.error = (e as Error).message;
      }
    })();
    return { ...status };
  }

  async status(jobId: string): Promise<RecomputeStatus | null> {
    const s = this.jobs.get(jobId);
    return s ? { ...s } : null;
  }
}
