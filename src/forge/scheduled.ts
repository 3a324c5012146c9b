/** The hourly sweep (manifest function `sweep`, 900 s): runs a slice, re-queues the rest. */
import { sweep as sweepUseCase } from '../app/issue-change';
import { RetryableError } from '../adapters/jira-forge';
import { SLICE_MS } from './consumer';
import { forgeDeps } from './deps';

export async function sweep(): Promise<void> {
  const deps = forgeDeps();
  const started = deps.clock();
  try {
    const stats = await sweepUseCase(deps, { shouldStop: () => deps.clock() - started > SLICE_MS });
    if (stats?.nextPageToken) await deps.push([{ type: 'sweep', pageToken: stats.nextPageToken }]);
  } catch (e) {
    // A scheduled run is not retried by Forge: hand the whole sweep to the queue, which retries.
    if (e instanceof RetryableError) await deps.push([{ type: 'sweep' }]);
    else throw e;
  }
}
