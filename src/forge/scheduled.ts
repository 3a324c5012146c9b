/** The hourly sweep (manifest function `sweep`, 900 s): runs a slice, re-queues the rest. */
import { sweep as sweepUseCase } from '../app/issue-change';
import { RetryableError } from '../adapters/jira-forge';
import { SLICE_MS } from './consumer';
import { forgeDeps } from './deps';

/** Pages of open agreed records an hourly run fills at most (ForgeStore.fillAgreedDue, 500 a page). */
const AGREED_FILL_PAGES = 20;

export async function sweep(): Promise<void> {
  const deps = forgeDeps();
  const started = deps.clock();
  // Records written before schema v012 get their agreed deadline column (issue #14), a page at a time;
  // a failure is logged and left to the next hour (the rows are read live meanwhile), not the sweep's.
  try {
    for (let i = 0; i < AGREED_FILL_PAGES && deps.store.fillAgreedDue; i++)
      if ((await deps.store.fillAgreedDue()) === 0) break;
  } catch (e) {
    deps.log?.warn('filling the agreed deadline column failed; retried next hour', {
      error: (e as Error).message,
    });
  }
  try {
    const stats = await sweepUseCase(deps, { shouldStop: () => deps.clock() - started > SLICE_MS });
    if (stats?.nextPageToken) await deps.push([{ type: 'sweep', pageToken: stats.nextPageToken }]);
  } catch (e) {
    // A scheduled run is not retried by Forge: hand the whole sweep to the queue, which retries.
    if (e instanceof RetryableError) await deps.push([{ type: 'sweep' }]);
    else throw e;
  }
}
