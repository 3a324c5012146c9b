/**
 * Issue #12 item 2: real sites have years of history. Issues registered before the shipped calendar
 * data are evaluated (statutory rule with a warning); those the calendar cannot count at all are
 * reported as not evaluated — "Recompute all" never says "done 5/5" when 2 failed.
 */
import { createApi } from '../../src/app/api';
import { onIssueChange } from '../../src/app/issue-change';
import { MemoryJobs } from '../../src/adapters/memory';
import { handleQueueBody } from '../../src/forge/consumer';
import type { ForgeDeps } from '../../src/forge/deps';
import { incidentIssue, memoryDeps } from '../support/builders';

describe('issues registered years ago (item 2)', () => {
  it('an incident of 2016 (shipped data) and one of 2005 (statutory rule) get verdicts', async () => {
    const deps = memoryDeps();
    const a = deps.jira.add(incidentIssue({ inputs: { registeredAt: '2016-03-04T16:30:00+03:00' } }));
    const b = deps.jira.add(incidentIssue({ inputs: { registeredAt: '2005-03-09T10:00:00+03:00' } }));
    const ra = await onIssueChange(deps, a.key);
    const rb = await onIssueChange(deps, b.key);
    // 2016-03-07 (Mon) was a day off by the 2016 decree (8 March on Tuesday): 1.5 h Fri + 6.5 h Wed 9 Mar
    expect(ra.verdict?.reaction?.due).toBe('2016-03-09T16:30:00+03:00');
    expect(ra.verdict?.warnings ?? []).toEqual([]);
    expect(rb.verdict?.reaction?.due).toBe('2005-03-10T10:00:00+03:00');
    expect(JSON.stringify(rb.verdict?.warnings)).toMatch(/2005.*not confirmed/);
  });

  it('"Recompute all" reports the issues it could not evaluate (inline, background and Forge jobs)', async () => {
    const deps = memoryDeps({ admin: true });
    for (let i = 0; i < 3; i++) deps.jira.add(incidentIssue());
    for (let i = 0; i < 2; i++)
      deps.jira.add(incidentIssue({ inputs: { registeredAt: '1998-03-02T10:00:00+03:00' } }));

    expect(await createApi(deps).recomputeAll({})).toMatchObject({
      state: 'done',
      done: 3,
      total: 5,
      failed: 2,
    });

    const jobs = new MemoryJobs(() => deps);
    const started = await createApi({ ...deps, jobs }).recomputeAll({});
    await jobs.last;
    expect(await jobs.status(started.jobId)).toMatchObject({ state: 'done', done: 3, total: 5, failed: 2 });

    const saved = new Map<string, unknown>();
    const pushed: unknown[] = [];
    const forgeDeps = {
      ...deps,
      push: async (b: unknown[]) => void pushed.push(...b),
      jobs: {
        start: async () => ({ jobId: 'j', state: 'running', done: 0, total: 0 }),
        status: async (id: string) => saved.get(id) ?? null,
        update: async (s: { jobId: string }) => void saved.set(s.jobId, s),
      },
    } as unknown as ForgeDeps;
    await handleQueueBody(forgeDeps, { type: 'recompute', jobId: 'j' }, deps.clock());
    expect(saved.get('j')).toMatchObject({ state: 'done', done: 3, total: 5, failed: 2 });
  });
});
