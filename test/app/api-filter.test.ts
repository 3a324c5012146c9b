/**
 * getCompliance scoped by a saved filter (issue 6: the gadget's "saved filter" scope): the figures,
 * the trend and the breached list count only the issues the filter selects; a filter that cannot be
 * used is a clear error, never the projects' figures instead.
 */
import { createApi, FILTER_MAX_PAGES } from '../../src/app/api';
import { onIssueChange } from '../../src/app/issue-change';
import type { JiraPort } from '../../src/app/ports';
import { errorIssue, memoryDeps } from '../support/builders';

const ON_TIME = '2026-03-05T12:00:00+03:00';
const LATE = '2026-04-20T12:00:00+03:00';

/**
 * Critical errors (high urgency, no workaround: 10 working days from Mon 2026-03-02 10:00, so due in
 * March): resolved on time, late, or still open (breached by the end of June).
 */
async function dataSet() {
  const deps = memoryDeps({ now: '2026-06-30T12:00:00+03:00' });
  const plan: [string, string | null][] = [
    ['SUP-1', ON_TIME],
    ['SUP-2', LATE],
    ['SUP-3', ON_TIME],
    ['SUP-4', null],
    ['OPS-1', ON_TIME],
    ['OPS-2', LATE],
    ['OPS-3', null],
  ];
  for (const [key, resolvedAt] of plan) {
    deps.jira.add(
      errorIssue({
        key,
        project: key.split('-')[0]!,
        inputs: {
          urgency: 'high',
          workaround: 'none',
          registeredAt: '2026-03-02T10:00:00+03:00',
          estimateAt: '2026-03-03T10:00:00+03:00',
          ...(resolvedAt ? { resolvedAt } : {}),
        },
        ...(resolvedAt ? { statusCategory: 'done' as const } : {}),
      }),
    );
    await onIssueChange(deps, key);
  }
  // The saved filter selects two issues of each project: SUP-1 (on time), SUP-2 (late),
  // OPS-1 (on time), OPS-3 (open, breached).
  deps.jira.filters.set('10001', 'key in (SUP-1, SUP-2, OPS-1, OPS-3) ORDER BY key');
  return deps;
}

const PERIOD = { from: '2026-03-01', to: '2026-06-30' };

describe('getCompliance with a saved filter', () => {
  it('counts only the issues of the filter, in figures, trend and lists (all search pages read)', async () => {
    const deps = await dataSet();
    deps.jira.pageSize = 3; // four keys: two search pages
    const api = createApi(deps);

    const all = await api.getCompliance(PERIOD);
    expect(all.errors.overall).toMatchObject({ counted: 7, onTime: 3, late: 4 });
    expect(all.breached.map((i) => i.key).sort()).toEqual(['OPS-3', 'SUP-4']);

    const before = deps.jira.calls.searchKeys;
    const view = await api.getCompliance({ ...PERIOD, filterId: '10001' });
    expect(deps.jira.calls.searchKeys - before).toBe(2);
    expect(view.errors.overall).toMatchObject({
      counted: 4,
      onTime: 2,
      late: 2,
      share: 0.5,
      meetsTarget: false,
    });
    expect(view.errors.byClass.critical).toMatchObject({ counted: 4, onTime: 2 });
    expect(view.breached.map((i) => i.key)).toEqual(['OPS-3']);
    expect(view.atRisk).toEqual([]);
    // A record counts in the month of its deadline (March, all of them) and in the month it was
    // fixed: the late SUP-2 again in April (OPS-2, also fixed late in April, is not in the filter).
    expect(view.trend.map((p) => [p.month, p.errors.counted, p.errors.onTime])).toEqual([
      ['2026-03', 4, 2],
      ['2026-04', 1, 0],
      ['2026-05', 0, 0],
      ['2026-06', 0, 0],
    ]);
    expect(all.trend.map((p) => [p.month, p.errors.counted, p.errors.onTime])).toEqual([
      ['2026-03', 7, 3],
      ['2026-04', 2, 0],
      ['2026-05', 0, 0],
      ['2026-06', 0, 0],
    ]);
  });

  it('with projects too, counts the intersection', async () => {
    const deps = await dataSet();
    const api = createApi(deps);
    const sup = await api.getCompliance({ ...PERIOD, filterId: '10001', projects: ['SUP'] });
    expect(sup.errors.overall).toMatchObject({ counted: 2, onTime: 1, late: 1 });
    expect(sup.breached).toEqual([]);
    const ops = await api.getCompliance({ ...PERIOD, filterId: ' 10001 ', projects: ['OPS'] });
    expect(ops.errors.overall).toMatchObject({ counted: 2, onTime: 1, late: 1 });
    expect(ops.breached.map((i) => i.key)).toEqual(['OPS-3']);
  });

  it('an unknown filter is a not-found error naming it', async () => {
    const deps = await dataSet();
    await expect(createApi(deps).getCompliance({ ...PERIOD, filterId: '999' })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('Saved filter 999 does not exist'),
    });
    await expect(createApi(deps).getCompliance({ ...PERIOD, filterId: '  ' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
  });

  it('a ticket system without saved filters is a clear error, not the projects figures', async () => {
    const deps = await dataSet();
    const m = deps.jira;
    const noFilters: JiraPort = {
      readTicket: (k, s) => m.readTicket(k, s),
      writeTicket: (t, c, s) => m.writeTicket(t, c, s),
      searchKeys: (jql, token) => m.searchKeys(jql, token),
    };
    const api = createApi({ ...deps, jira: noFilters });
    await expect(api.getCompliance({ ...PERIOD, filterId: '10001' })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining('Saved filters are not available for this ticket system'),
      // the code the UI translates (error.filters-unavailable)
      detail: { messageCode: 'filters-unavailable' },
    });
    // Without a filter the same deps still answer.
    expect((await api.getCompliance(PERIOD)).errors.overall.counted).toBe(7);
  });

  it(`a filter of more than ${FILTER_MAX_PAGES} search pages is refused, not counted in part`, async () => {
    const deps = await dataSet();
    for (let i = 100; i < 160; i++) deps.jira.add(errorIssue({ key: `SUP-${i}`, project: 'SUP' }));
    deps.jira.pageSize = 1; // 67 issues in SUP and OPS: 67 pages
    deps.jira.filters.set('10002', 'project in (SUP, OPS)');
    const before = deps.jira.calls.searchKeys;
    await expect(createApi(deps).getCompliance({ ...PERIOD, filterId: '10002' })).rejects.toMatchObject({
      code: 'invalid-request',
      message: expect.stringContaining(`more than ${FILTER_MAX_PAGES} issues`),
    });
    expect(deps.jira.calls.searchKeys - before).toBe(FILTER_MAX_PAGES);
  });
});
