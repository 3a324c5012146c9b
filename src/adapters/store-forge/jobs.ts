/**
 * Recompute jobs on Forge: the status lives in KVS, the work runs in the queue consumer in slices of
 * pages (each slice re-queues the rest with its page token), so a large site never hits the 900 s limit.
 */
import type { RecomputeStatus } from '../../contract/api';
import type { RecomputeJobs } from '../../app/deps';
import type { KvsLike } from './store';

export interface JobQueue {
  push(body: Record<string, unknown>): Promise<void>;
}

export const jobKey = (jobId: string): string => `job:${jobId}`;

export class ForgeJobs implements RecomputeJobs {
  constructor(
    private readonly kvs: KvsLike,
    private readonly queue: JobQueue,
    private readonly newId: () => string = () => globalThis.crypto.randomUUID(),
  ) {}

  async start(): Promise<RecomputeStatus> {
    const jobId = this.newId();
    const status: RecomputeStatus = { jobId, state: 'running', done: 0, total: 0 };
    await this.kvs.set(jobKey(jobId), status);
    await this.queue.push({ type: 'recompute', jobId });
    return status;
  }

  async status(jobId: string): Promise<RecomputeStatus | null> {
    const s = await this.kvs.get(jobKey(jobId));
    return s && typeof s === 'object' ? (s as RecomputeStatus) : null;
  }

  async update(status: RecomputeStatus): Promise<void> {
    await this.kvs.set(jobKey(status.jobId), status);
  }
}
