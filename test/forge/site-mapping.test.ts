/**
 * Issue #12 item 1: the default issue-type mapping (Incident/Инцидент/Обращение, Bug/Ошибка/Дефект)
 * against a site that has only Incident, Bug and Task. Real Jira answers a JQL naming a missing type
 * with 400 "The value 'X' does not exist for the field 'issuetype'" (the fake does too): the sweep,
 * "Recompute all" and version events search only the types the site has; saving a missing name is
 * refused naming it; the admin page lists what the site lacks.
 */
import { consume, onEvent, resolver, sweep } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar';
import {
  drainQueue,
  installFakeForge,
  startFakeJira,
  type FakeForge,
  type FakeJira,
} from '../support/fake-jira';

let fake: FakeJira;
let forge: FakeForge;
let store: MemoryStore;
const warnings: unknown[] = [];

beforeAll(async () => {
  fake = await startFakeJira();
  store = new MemoryStore(defaultSettings()); // the six default names
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({
    clock: () => parseInstant('2026-03-10T12:00:00+03:00'),
    log: { ...SILENT_LOG, warn: (m, o) => void warnings.push({ m, o }) },
    store,
  });
  const issue = fake.addIssue({ key: 'SUP-1', created: '2026-03-06T16:30:00+03:00' });
  fake.setField(issue, 'impact', 'high');
  fake.setField(issue, 'urgency', 'high');
  fake.setField(issue, 'mode', 'operation');
  fake.setField(issue, 'nature', 'failure');
  fake.admins.add('admin-1');
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

const call = (functionKey: string, payload: unknown, accountId = 'admin-1') => {
  forge.user = accountId;
  return resolver({ call: { functionKey, payload }, context: {} } as never, { principal: { accountId } });
};

describe('issue-type mapping checked against the site (item 1)', () => {
  it('the fake answers a JQL naming a missing type as Jira does', async () => {
    const res = await fetch(`${fake.url}/rest/api/3/search/jql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jql: 'issuetype in ("Incident", "Обращение")' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      errorMessages: ["The value 'Обращение' does not exist for the field 'issuetype'."],
      warningMessages: [],
    });
  });

  it('the sweep searches only the mapped types the site has, and evaluates the incident', async () => {
    const before = fake.calls.length;
    await sweep();
    await drainQueue(forge, consume as never);
    const searches = fake.calls
      .slice(before)
      .filter((c) => c.operationId === 'searchAndReconsileIssuesUsingJqlPost');
    expect(searches.map((c) => c.status)).toEqual([200]);
    expect(fake.field('SUP-1', 'slaPriority')).toBe(5);
    expect(JSON.stringify(warnings)).toContain('issue type \\"Обращение\\" does not exist on this Jira site');
  });

  it('Recompute all finishes (no 400)', async () => {
    const started = (await call('recomputeAll', {})) as { jobId: string };
    await drainQueue(forge, consume as never);
    expect(await call('getRecomputeStatus', { jobId: started.jobId })).toMatchObject({
      state: 'done',
      done: 1,
      total: 1,
    });
  });

  it('the admin page lists the names the site lacks', async () => {
    const view = (await call('getSettings', {})) as { siteProblems: { path: string; message: string }[] };
    expect(view.siteProblems.map((p) => p.path)).toEqual([
      'issueTypes.incident[1]',
      'issueTypes.incident[2]',
      'issueTypes.error[1]',
      'issueTypes.error[2]',
    ]);
    expect(view.siteProblems[0]!.message).toBe(
      'issue type "Инцидент" does not exist on this Jira site (its types: "Bug", "Incident", "Task")',
    );
  });

  it('saving a type or priority the site lacks is refused, naming it', async () => {
    expect(
      await call('saveSettings', {
        issueTypes: { incident: ['Incident', 'Обращение'], error: ['Bug'] },
        priorityMap: { incident: { 5: 'Blocker' }, error: {} },
      }),
    ).toEqual({
      ok: false,
      errors: [
        {
          path: 'issueTypes.incident[1]',
          message: expect.stringMatching(/^issue type "Обращение" does not exist on this Jira site/),
        },
        {
          path: 'priorityMap.incident.5',
          message: expect.stringMatching(/^priority "Blocker" does not exist on this Jira site/),
        },
      ],
    });
    expect(await call('saveSettings', { issueTypes: { incident: ['incident'], error: ['10002'] } })).toEqual({
      ok: true,
    });
  });

  it('item 6: Jira priority not on the edit screen is reported; the app fields and the record are kept', async () => {
    await call('saveSettings', { priorityMap: { incident: { 4: 'High', 5: 'Highest' }, error: {} } });
    const issue = fake.addIssue({ key: 'SUP-9', created: '2026-03-06T16:30:00+03:00', priority: 'Medium' });
    fake.setField(issue, 'impact', 'high');
    fake.setField(issue, 'urgency', 'high');
    fake.setField(issue, 'mode', 'operation');
    fake.setField(issue, 'nature', 'failure');
    fake.editScreen = new Set(['summary', 'duedate']);
    try {
      await onEvent({
        eventType: 'avi:jira:created:issue',
        issue: { id: issue.id, key: issue.key },
      } as never);
      await drainQueue(forge, consume as never);
    } finally {
      fake.editScreen = null;
    }
    expect(forge.retries).toEqual([]);
    expect(fake.field(issue, 'slaPriority')).toBe(5);
    expect(issue.priority).toBe('Medium');
    expect(store.records.get('SUP-9')).toMatchObject({ priority: 5 });
    const view = (await call('getSettings', {})) as { refusedFields: { field: string; issueKey: string }[] };
    expect(view.refusedFields).toEqual([
      expect.objectContaining({
        field: 'priority',
        issueKey: 'SUP-9',
        message: "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.",
      }),
    ]);
    expect(JSON.stringify(warnings)).toContain('Jira refused to set fields');
  });
});
