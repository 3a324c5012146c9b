import { onIssueChange, onVersionChange, sweep } from '../../src/app/issue-change';
import { calendarCompileCount } from '../../src/app/calendars';
import { errorIssue, incidentIssue, memoryDeps, settings } from '../support/builders';

describe('onIssueChange', () => {
  it('writes SPEC §8 example 1: priority 5 and reaction due 2026-03-10T16:30+03:00, once', async () => {
    const deps = memoryDeps();
    const issue = deps.jira.add(incidentIssue());
    const first = await onIssueChange(deps, issue.key);
    expect(first.result).toBe('written');
    expect(issue.shown.slaPriority).toBe(5);
    expect(issue.shown.reactionDue).toBe('2026-03-10T16:30:00+03:00');
    expect(issue.shown.slaState).toBe('running');
    expect(issue.shown.fixDue).toBeNull();
    expect(deps.jira.calls.writeTicket).toBe(1);
    // redelivered event: nothing differs, nothing is written
    const again = await onIssueChange(deps, issue.key);
    expect(again.result).toBe('unchanged');
    expect(deps.jira.calls.writeTicket).toBe(1);
    const record = deps.store.records.get(issue.key);
    expect(record).toMatchObject({
      kind: 'incident',
      class: 'critical',
      priority: 5,
      due: '2026-03-10T16:30:00+03:00',
      state: 'running',
      doneAt: null,
    });
  });

  it('moves to at-risk, then breached, with time alone (one small write each)', async () => {
    const deps = memoryDeps({ now: '2026-03-10T15:00:00+03:00' });
    const issue = deps.jira.add(incidentIssue());
    await onIssueChange(deps, issue.key);
    expect(issue.shown.slaState).toBe('at-risk'); // 6.5 of 8 working hours used > 75 %
    deps.setNow('2026-03-10T17:00:00+03:00');
    await onIssueChange(deps, issue.key);
    expect(issue.shown.slaState).toBe('breached');
    expect(deps.jira.writes.map((w) => w.changes)).toEqual([
      expect.objectContaining({ slaPriority: 5, slaState: 'at-risk' }),
      { slaState: 'breached' },
    ]);
  });

  it('maps the Jira priority and due date only when configured', async () => {
    const deps = memoryDeps({
      settings: settings({ priorityMap: { incident: { '5': 'Highest' }, error: {} }, setDueDate: true }),
    });
    const issue = deps.jira.add(incidentIssue());
    await onIssueChange(deps, issue.key);
    expect(issue.shown.jiraPriority).toBe('Highest');
    expect(issue.shown.dueDate).toBe('2026-03-10');
  });

  it('marks missing inputs incomplete and clears the deadlines', async () => {
    const deps = memoryDeps();
    const issue = deps.jira.add(incidentIssue({ inputs: { urgency: undefined } }));
    await onIssueChange(deps, issue.key);
    expect(issue.shown).toMatchObject({ slaPriority: null, slaState: 'incomplete', reactionDue: null });
  });

  it('deletes the record of an issue that is gone', async () => {
    const deps = memoryDeps();
    const issue = deps.jira.add(incidentIssue());
    await onIssueChange(deps, issue.key);
    deps.jira.issues.delete(issue.key);
    expect((await onIssueChange(deps, issue.key)).result).toBe('deleted');
    expect(deps.store.records.has(issue.key)).toBe(false);
  });

  it('compiles the calendar once for many evaluations', async () => {
    const deps = memoryDeps();
    const before = calendarCompileCount();
    for (let i = 0; i < 5; i++) await onIssueChange(deps, deps.jira.add(incidentIssue()).key);
    expect(calendarCompileCount() - before).toBeLessThanOrEqual(1);
  });
});

describe('sweep', () => {
  it('pages through the scope, writes in bulk per page, and writes nothing on a second run', async () => {
    const deps = memoryDeps();
    deps.jira.pageSize = 10;
    for (let i = 0; i < 25; i++) deps.jira.add(incidentIssue());
    deps.jira.add(incidentIssue({ issueType: 'Task' })); // not mapped
    const stats = await sweep(deps);
    expect(stats).toMatchObject({ pages: 3, issues: 25, written: 25, failed: 0 });
    expect(deps.jira.calls.writeTickets).toBe(3);
    expect(deps.jira.calls.writeTicket).toBe(0);
    const again = await sweep(deps);
    expect(again).toMatchObject({ issues: 25, written: 0, unchanged: 25, recordsWritten: 0 });
    expect(deps.jira.calls.writeTickets).toBe(3);
  });

  it('stops after maxPages and continues from the token', async () => {
    const deps = memoryDeps();
    deps.jira.pageSize = 10;
    for (let i = 0; i < 25; i++) deps.jira.add(incidentIssue());
    const first = await sweep(deps, { maxPages: 2 });
    expect(first?.issues).toBe(20);
    expect(first?.nextPageToken).toBeDefined();
    const rest = await sweep(deps, { pageToken: first!.nextPageToken! });
    expect(rest?.issues).toBe(5);
    expect(rest?.nextPageToken).toBeUndefined();
  });
});

describe('onVersionChange', () => {
  it('recomputes the fix deadline of a medium error when the next update moves', async () => {
    const deps = memoryDeps();
    const versions = [{ name: '5.2.1', releaseDate: '2026-04-15', released: false }];
    const bug = deps.jira.add(errorIssue({ inputs: { versions } }));
    await onIssueChange(deps, bug.key);
    // medium (8 − 3 = 5): the earlier of the next update (close of 2026-04-15) and 4 months
    expect(bug.shown.slaPriority).toBe(5);
    expect(bug.shown.fixDue).toBe('2026-04-15T18:00:00+03:00');
    versions[0]!.releaseDate = '2026-04-22';
    const stats = await onVersionChange(deps, { projectId: 'SUP' });
    expect(stats?.written).toBe(1);
    expect(bug.shown.fixDue).toBe('2026-04-22T18:00:00+03:00');
  });
});
