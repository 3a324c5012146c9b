/**
 * The SLA ledger through the real Forge entry points against the fake Jira (issue #11, #12 item 5):
 * the changelog's dated input changes are placed, a breached reaction stays breached after the
 * urgency is lowered, and a moved issue (new key, same id) keeps one SLA record. SPEC §8 example 1:
 * critical incident registered Fri 2026-03-06 16:30 MSK, reaction due Tue 2026-03-10 16:30.
 */
import { consume, onEvent } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
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
const store = new MemoryStore();
let now = parseInstant('2026-03-10T17:00:00+03:00');

async function deliver(event: Record<string, unknown>): Promise<void> {
  expect(await onEvent(event as never)).toBeUndefined();
  await drainQueue(forge, consume as never);
}

beforeAll(async () => {
  fake = await startFakeJira();
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({ clock: () => now, log: SILENT_LOG, store });
  await deliver({ eventType: 'avi:forge:installed:app' });
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
});

describe('the ledger through the Forge handlers', () => {
  it('keeps a breached reaction breached after the urgency is lowered (changelog placed)', async () => {
    const issue = fake.addIssue({ key: 'LED-1', created: '2026-03-06T16:30:00+03:00' });
    fake.setField(issue, 'impact', 'high');
    fake.setField(issue, 'urgency', 'high');
    fake.setField(issue, 'mode', 'operation');
    fake.setField(issue, 'nature', 'failure');
    await deliver({ eventType: 'avi:jira:created:issue', issue: { id: issue.id, key: issue.key } });
    expect(fake.field(issue, 'slaState')).toBe('breached');

    // Wednesday: an agent lowers the urgency at 09:30 (changelog) and comments at 10:00.
    fake.setField(issue, 'urgency', 'low');
    issue.histories.push({
      id: 'h-1',
      created: '2026-03-11T09:30:00+03:00',
      author: 'agent-1',
      items: [{ field: 'Urgency', fieldId: fake.fieldIds.urgency, from: 'high', to: 'low' }],
    });
    issue.comments.push({ id: 'c-1', author: 'agent-1', created: '2026-03-11T10:00:00+03:00' });
    now = parseInstant('2026-03-11T11:00:00+03:00');
    await deliver({ eventType: 'avi:jira:updated:issue', issue: { id: issue.id, key: issue.key } });

    expect(fake.field(issue, 'slaState')).toBe('breached');
    expect(await store.getSlaRecord('LED-1')).toMatchObject({
      state: 'breached',
      due: '2026-03-10T16:30:00+03:00',
      priority: 3,
    });
    const facts = await store.listFacts(issue.id);
    expect(facts.find((f) => f.type === 'inputs-changed')).toMatchObject({
      by: 'agent-1',
      data: { field: 'urgency', from: 'high', to: 'low' },
    });
    expect(facts.filter((f) => f.type === 'breached')).toHaveLength(1);
  });

  it('a moved issue (new key, same id) keeps one record (#12 item 5)', async () => {
    now = parseInstant('2026-03-10T12:00:00+03:00');
    const issue = fake.addIssue({ key: 'LED-2', created: '2026-03-06T16:30:00+03:00' });
    fake.setField(issue, 'impact', 'high');
    fake.setField(issue, 'urgency', 'high');
    fake.setField(issue, 'mode', 'operation');
    fake.setField(issue, 'nature', 'failure');
    await deliver({ eventType: 'avi:jira:created:issue', issue: { id: issue.id, key: issue.key } });
    expect(await store.getSlaRecord('LED-2')).not.toBeNull();
    // Jira moves it to another project: new key, same id.
    fake.issues.delete('LED-2');
    issue.key = 'OPS-2';
    issue.projectKey = 'OPS';
    fake.issues.set(issue.key, issue);
    await deliver({ eventType: 'avi:jira:updated:issue', issue: { id: issue.id, key: issue.key } });
    expect(await store.getSlaRecord('LED-2')).toBeNull();
    expect(await store.getSlaRecord('OPS-2')).toMatchObject({ state: 'running' });
    expect([...store.records.keys()].filter((k) => k === 'LED-2' || k === 'OPS-2')).toEqual(['OPS-2']);
  });
});
