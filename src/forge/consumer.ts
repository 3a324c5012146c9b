/**
 * The queue consumer (manifest function `consume`, 900 s): one queue event → one use case. A
 * RetryableError (Jira 429/5xx after the in-call retries) becomes a Forge InvocationError so the event
 * is delivered again later; nothing is dropped silently. Long scans run in slices and re-queue the rest.
 */
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { discoverDefaults } from '../app/settings';
import { scanSettings } from '../app/site-check';
import {
  allIssuesJql,
  onIssueChange,
  onIssueDeleted,
  onVersionChange,
  recomputeScope,
  sweep,
} from '../app/issue-change';
import { RetryableError } from '../adapters/jira-forge';
import { ForgeStore } from '../adapters/store-forge';
import { forgeDeps, type ForgeDeps, type QueueBody } from './deps';

/** Time a slice may run before re-queuing the rest (the consumer's limit is 900 s). */
export const SLICE_MS = 600_000;

export interface AsyncEventLike {
  body: Record<string, unknown>;
  retryContext?: { retryCount?: number };
}

export async function handleQueueBody(deps: ForgeDeps, body: QueueBody, startedMs: number): Promise<void> {
  const shouldStop = () => deps.clock() - startedMs > SLICE_MS;
  switch (body.type) {
    case 'issue':
      await onIssueChange(deps, body.key);
      return;
    case 'deleted':
      await onIssueDeleted(deps, body.key);
      return;
    case 'version': {
      const stats = await onVersionChange(
        deps,
        { projectId: body.projectId, ...(body.versionId ? { versionId: body.versionId } : {}) },
        { ...(body.pageToken ? { pageToken: body.pageToken } : {}), shouldStop },
      );
      if (stats?.nextPageToken) await deps.push([{ ...body, pageToken: stats.nextPageToken }]);
      return;
    }
    case 'sweep': {
      const stats = await sweep(deps, {
        ...(body.pageToken ? { pageToken: body.pageToken } : {}),
        shouldStop,
      });
      if (stats?.nextPageToken) await deps.push([{ type: 'sweep', pageToken: stats.nextPageToken }]);
      return;
    }
    case 'recompute': {
      const status = (await deps.jobs.status(body.jobId)) ?? {
        jobId: body.jobId,
        state: 'running' as const,
        done: 0,
        total: 0,
      };
      try {
        const jql = allIssuesJql(await scanSettings(deps));
        // `done` counts issues found so far (the queue body's running total); `failed` those the
        // engine could not evaluate. The job reports evaluated = done − failed of done found.
        const base = body.done ?? 0;
        const baseFailed = body.failed ?? 0;
        const progress = (issues: number, failed: number) => ({
          done: base + issues - (baseFailed + failed),
          total: base + issues,
          failed: baseFailed + failed,
        });
        const stats = jql
          ? await recomputeScope(deps, jql, {
              ...(body.pageToken ? { pageToken: body.pageToken } : {}),
              shouldStop,
              onPage: async (s) => {
                await deps.jobs.update({ ...status, ...progress(s.issues, s.failed) });
              },
            })
          : null;
        const now = progress(stats?.issues ?? 0, stats?.failed ?? 0);
        if (stats?.nextPageToken) {
          await deps.jobs.update({ ...status, state: 'running', ...now });
          await deps.push([
            {
              type: 'recompute',
              jobId: body.jobId,
              pageToken: stats.nextPageToken,
              done: now.total,
              failed: now.failed,
            },
          ]);
        } else {
          await deps.jobs.update({ ...status, state: 'done', ...now });
        }
      } catch (e) {
        if (e instanceof RetryableError) throw e;
        await deps.jobs.update({ ...status, state: 'failed', error: (e as Error).message });
      }
      return;
    }
    case 'aggregates': {
      // A step of the paged rebuild (issue #14): its pages, then the next step's event.
      if (!(deps.store instanceof ForgeStore)) return;
      const step = await deps.store.rebuildStep({ id: body.id, after: body.after }, { shouldStop });
      deps.log?.info('aggregates rebuild step', {
        id: body.id,
        pages: step.pages,
        records: step.records,
        switched: step.switched,
        restarted: step.restarted,
      });
      if (step.next) {
        await deps.push([{ type: 'aggregates', ...step.next }]);
        await deps.store.rebuildPushed(step.next);
      }
      return;
    }
    case 'installed': {
      if (deps.store instanceof ForgeStore && (await deps.store.hasSettings())) return;
      const settings = await discoverDefaults(deps.jira);
      const current = await deps.store.getSettings();
      await deps.store.saveSettings({
        ...settings,
        ...(current.webhookSecret ? { webhookSecret: current.webhookSecret } : {}),
      });
      return;
    }
  }
}

/** Consumer handler (manifest function `consume`). */
export async function consume(event: AsyncEventLike): Promise<InvocationError | undefined> {
  const deps = forgeDeps();
  try {
    await handleQueueBody(deps, event.body as unknown as QueueBody, deps.clock());
    return undefined;
  } catch (e) {
    if (e instanceof RetryableError) {
      deps.log?.warn('retry requested', {
        error: e.message,
        retryAfter: e.retryAfterSeconds,
        retryCount: event.retryContext?.retryCount ?? 0,
      });
      return new InvocationError({
        retryAfter: Math.min(900, Math.max(1, e.retryAfterSeconds)),
        retryReason:
          e.status === 429
            ? InvocationErrorCode.FUNCTION_UPSTREAM_RATE_LIMITED
            : InvocationErrorCode.FUNCTION_RETRY_REQUEST,
      });
    }
    throw e;
  }
}
