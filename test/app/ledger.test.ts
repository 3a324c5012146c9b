/**
 * The SLA ledger in the use cases (issue #11, #12 item 5), with the in-memory Jira and store: a
 * recorded breach survives a later change of inputs, a settings change and "recompute all"; a waiver
 * (administrator only) takes it out of the figure and shows beside it; a moved issue (new key, same
 * id) keeps one record. SPEC §8 example 1: critical incident, reaction due 2026-03-10 16:30 MSK.
 */
import { createApi } from '../../src/app/api';
import { onIssueChange, recomputeScope } from '../../src/app/issue-change';
import { incidentIssue, memoryDeps, settings } from '../support/builders';

describe('the ledger through onIssueChange', () => {
  it('keeps a breached reaction breached after the urgency is lowered, in the record, the fields and the panel', async () => {
    const deps = memoryDeps({ now: '2026-03-10T17:00:00+03:00', admin: true });
    const issue = deps.jira.add(incidentIssue());
    await onIssueChange(deps, issue.key);
    expect(await deps.store.getSlaRecord(issue.key)).toMatchObject({ state: 'breached' });
    // Wednesday: urgency lowered (changelog entry at 09:30), a specialist comments at 10:00.
    issue.inputs.urgency = 'low';
    issue.inputs.history = [
      { field: 'urgency', from: 'high', to: 'low', at: '2026-03-11T09:30:00+03:00', by: 'alice' },
    ];
    issue.inputs.reactions = [{ at: '2026-03-11T10:00:00+03:00', type: 'comment' }];
    deps.setNow('2026-03-11T11:00:00+03:00');
    const out = await onIssueChange(deps, issue.key);
    expect(out.verdict?.reaction?.state).toBe('breached');
    expect(issue.shown.slaState).toBe('breached');
    expect(await deps.store.getSlaRecord(issue.key)).toMatchObject({
      state: 'breached',
      due: '2026-03-10T16:30:00+03:00',
      doneAt: '2026-03-11T10:00:00+03:00',
      priority: 3,
    });
    const api = createApi(deps);
    const view = await api.getIssueSla({ key: issue.key });
    expect(view.verdict?.breaches?.[0]).toMatchObject({ clock: 'reaction', at: '2026-03-10T16:30:00+03:00' });
    expect(view.history?.map((f) => f.type)).toEqual([
      'registered',
      'priority',
      'deadline',
      'breached',
      'inputs-changed',
      'priority', // 3 from the change on
      'deadline', // moved to Thu 16:30, but the breach before it stays
      'stopped',
    ]);
    const c = await api.getCompliance({ from: '2026-03-01', to: '2026-03-31' });
    expect(c.incidents.overall).toMatchObject({ counted: 1, onTime: 0, late: 1 });
  });

  it('a settings change and "recompute all" do not rewrite a recorded breach', async () => {
    const deps = memoryDeps({ now: '2026-03-10T17:00:00+03:00' });
    const issue = deps.jira.add(incidentIssue());
    await onIssueChange(deps, issue.key);
    const lenient = settings();
    lenient.policy = structuredClone(lenient.policy);
    lenient.policy.incident.reactionHours[5] = 80;
    await deps.store.saveSettings(lenient);
    deps.setNow('2026-03-10T18:00:00+03:00');
    await recomputeScope(deps, 'project = SUP');
    expect(await deps.store.getSlaRecord(issue.key)).toMatchObject({
      state: 'breached',
      due: '2026-03-10T16:30:00+03:00',
    });
  });

  it('a waiver needs an administrator and a reason, and leaves the breach shown beside it', async () => {
    const deps = memoryDeps({ now: '2026-03-10T17:00:00+03:00', admin: false });
    const issue = deps.jira.add(incidentIssue());
    await onIssueChange(deps, issue.key);
    await expect(
      createApi(deps).waiveBreach({ key: issue.key, clock: 'reaction', reason: 'outage' }),
    ).rejects.toThrow(/administrator/);
    const admin = { ...deps, isAdmin: async () => true, actor: async () => 'admin-1' };
    await expect(
      createApi(admin).waiveBreach({ key: issue.key, clock: 'reaction', reason: ' ' }),
    ).rejects.toThrow(/reason/);
    await expect(createApi(admin).waiveBreach({ key: issue.key, clock: 'fix', reason: 'x' })).rejects.toThrow(
      /no recorded breach of its fix clock/,
    );
    const { fact } = await createApi(admin).waiveBreach({
      key: issue.key,
      clock: 'reaction',
      reason: 'customer outage',
    });
    expect(fact).toMatchObject({ type: 'waived', by: 'admin-1', data: { reason: 'customer outage' } });
    expect(await deps.store.getSlaRecord(issue.key)).toMatchObject({ state: 'waived' });
    const view = await createApi(admin).getIssueSla({ key: issue.key });
    expect(view.verdict?.breaches?.[0]?.waived).toMatchObject({ by: 'admin-1', reason: 'customer outage' });
    const c = await createApi(admin).getCompliance({ from: '2026-03-01', to: '2026-03-31' });
    expect(c.incidents.overall).toMatchObject({ counted: 0, waived: 1 });
  });

  it('a moved issue (new key, same id) keeps one record and is counted once (#12 item 5)', async () => {
    const deps = memoryDeps({ now: '2026-03-10T12:00:00+03:00' });
    const issue = deps.jira.add(incidentIssue({ id: '777', key: 'SUP-50' }));
    await onIssueChange(deps, 'SUP-50');
    // Moved to another project: Jira gives it a new key, the id stays.
    deps.jira.issues.delete('SUP-50');
    deps.jira.add({ ...issue, key: 'OPS-3', project: 'OPS' });
    await onIssueChange(deps, '777');
    expect([...deps.store.records.keys()]).toEqual(['OPS-3']);
    expect(await deps.store.getIssueMark('777')).toMatchObject({ key: 'OPS-3' });
    deps.setNow('2026-03-11T12:00:00+03:00');
    const c = await createApi(deps).getCompliance({ from: '2026-03-01', to: '2026-03-31' });
    expect(c.incidents.overall).toMatchObject({ counted: 1, late: 1 });
  });
});
