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

describe('sweep: only the clocks whose state can change (issue #14)', () => {
  /** Registers issues through their events at Fri 2026-03-06 17:00 (reaction due Tue 10 Mar 16:30). */
  async function registered(n: number, patch: Parameters<typeof incidentIssue>[0] = {}) {
    const deps = memoryDeps({ now: '2026-03-06T17:00:00+03:00' });
    const issues = [];
    for (let i = 0; i < n; i++) {
      const issue = deps.jira.add(incidentIssue(patch));
      await onIssueChange(deps, issue.key);
      issues.push(issue);
    }
    deps.jira.calls.readTicket = 0;
    deps.jira.calls.searchTickets = 0;
    return { deps, issues };
  }

  it('touches nothing before the first at-risk instant (Tue 14:30): one store query, one empty discovery search', async () => {
    const { deps, issues } = await registered(25);
    expect(deps.store.records.get(issues[0]!.key)?.nextChangeMs).toBe(
      Date.parse('2026-03-10T14:30:00+03:00'),
    );
    deps.setNow('2026-03-10T14:29:00+03:00');
    const stats = await sweep(deps);
    expect(stats).toMatchObject({ issues: 0, written: 0 });
    expect(deps.jira.calls.readTicket).toBe(0);
    expect(deps.jira.calls.searchTickets).toBe(1); // issues never evaluated: none
    expect(deps.store.calls.due).toBe(1);
  });

  it('at 14:30 all 25 are due: batches of 10 (3 store queries, 3 bulk writes), then none until the breach', async () => {
    const { deps, issues } = await registered(25);
    deps.setNow('2026-03-10T14:30:00+03:00');
    let pauses = 0;
    const stats = await sweep(deps, { batch: 10, pause: async () => void (pauses += 1) });
    expect(stats).toMatchObject({ issues: 25, written: 25, recordsWritten: 25, failed: 0 });
    expect(pauses).toBe(2); // the event loop gets a turn between the 3 batches
    // One search per batch (`key in (…)`) and the empty discovery search; no read per issue.
    expect(deps.jira.calls.searchTickets).toBe(3 + 1);
    expect(deps.jira.calls.readTicket).toBe(0);
    expect(deps.jira.calls.writeTickets).toBe(3);
    expect(deps.store.calls.due).toBe(3);
    expect(deps.store.records.get(issues[0]!.key)).toMatchObject({
      state: 'at-risk',
      nextChangeMs: Date.parse('2026-03-10T16:30:00+03:00') + 1,
    });
    const again = await sweep(deps, { batch: 10 });
    expect(again).toMatchObject({ issues: 0, written: 0 });
    expect(deps.jira.calls.searchTickets).toBe(4 + 1);
  });

  it('lets requests in whenever a batch has held the event loop for 10 ms, not only every 10 tickets', async () => {
    const { deps } = await registered(6);
    deps.setNow('2026-03-10T14:30:00+03:00');
    // Each record write takes "25 ms" of the wall clock (a slow machine): after each ticket the sweep
    // has held the loop too long and gives a turn, so a request waiting meanwhile is answered after
    // the first ticket, not after the whole batch of 6.
    let wall = 1_000_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => wall);
    const upsert = deps.store.upsertSlaRecord.bind(deps.store);
    let written = 0;
    deps.store.upsertSlaRecord = async (row) => {
      wall += 25;
      written += 1;
      await upsert(row);
    };
    let answeredAfter = -1;
    setImmediate(() => (answeredAfter = written));
    try {
      const stats = await sweep(deps, { batch: 10, pause: async () => undefined });
      expect(stats).toMatchObject({ issues: 6, recordsWritten: 6 });
    } finally {
      now.mockRestore();
    }
    expect(answeredAfter).toBe(1);
  });

  it('of 40 stored tickets with 3 open clocks, a sweep after the deadline reads those 3 and records their breach', async () => {
    const { deps, issues } = await registered(3);
    // 37 more whose reaction is recorded (met): closed clocks have no next change.
    for (let i = 0; i < 37; i++) {
      const issue = deps.jira.add(
        incidentIssue({
          inputs: { reactions: [{ type: 'comment', at: '2026-03-06T16:45:00+03:00', authorRole: 'agent' }] },
        }),
      );
      await onIssueChange(deps, issue.key);
    }
    expect(deps.store.records.size).toBe(40);
    expect([...deps.store.records.values()].filter((r) => r.nextChangeMs !== null)).toHaveLength(3);
    deps.jira.calls.searchTickets = 0;
    deps.jira.calls.readTicket = 0;
    deps.setNow('2026-03-10T16:30:00.001+03:00');
    const stats = await sweep(deps);
    expect(stats).toMatchObject({ issues: 3, written: 3 });
    expect(deps.jira.calls.searchTickets).toBe(1 + 1);
    expect(deps.jira.calls.readTicket).toBe(0);
    for (const issue of issues) {
      expect(issue.shown.slaState).toBe('breached');
      expect(deps.store.records.get(issue.key)).toMatchObject({ state: 'breached', nextChangeMs: null });
    }
    const breaches = [...deps.store.facts.values()].filter((f) => f.type === 'breached');
    expect(breaches.map((f) => f.at)).toEqual(issues.map(() => '2026-03-10T16:30:00+03:00'));
  });

  it('stops after maxPages and continues from the token', async () => {
    const { deps, issues } = await registered(25);
    deps.setNow('2026-03-10T14:30:00+03:00');
    const first = await sweep(deps, { maxPages: 2, batch: 10 });
    expect(first?.issues).toBe(20);
    const byKey = issues.map((i) => i.key).sort();
    expect(first?.nextPageToken).toBe(`due:${byKey[19]}`);
    const rest = await sweep(deps, { pageToken: first!.nextPageToken!, batch: 10 });
    expect(rest?.issues).toBe(5);
    expect(rest?.nextPageToken).toBeUndefined();
  });

  it('discovers issues the app never evaluated (a missed event) once; evaluated ones are not searched again', async () => {
    const { deps, issues } = await registered(2);
    const missed = deps.jira.add(incidentIssue());
    const closed = deps.jira.add(incidentIssue());
    deps.jira.issues.get(closed.key)!.statusCategory = 'done';
    deps.setNow('2026-03-06T18:00:00+03:00');
    const first = await sweep(deps);
    expect(first).toMatchObject({ issues: 1, written: 1 });
    expect(missed.shown.slaState).toBe('running');
    expect(deps.store.records.has(missed.key)).toBe(true);
    expect(deps.store.records.has(closed.key)).toBe(false); // closed: left to "Recompute all"
    expect(deps.store.records.get(issues[0]!.key)?.state).toBe('running');
    const again = await sweep(deps);
    expect(again).toMatchObject({ issues: 0, written: 0 });
  });

  it('a due record whose issue is gone is deleted (read once more, then removed)', async () => {
    const { deps, issues } = await registered(2);
    deps.jira.issues.delete(issues[0]!.key);
    deps.setNow('2026-03-10T14:30:00+03:00');
    await sweep(deps);
    expect(deps.store.records.has(issues[0]!.key)).toBe(false);
    expect(deps.store.records.get(issues[1]!.key)?.state).toBe('at-risk');
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
