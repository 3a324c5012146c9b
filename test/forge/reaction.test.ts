/**
 * Issue #12 item 7 (SPEC §3, source §4.7.1): reaction is support staff starting work. On Jira Cloud a
 * Service Management customer (`accountType: customer`, e.g. the reporter's colleague) commenting,
 * automation (an app account) assigning or transitioning, and the reporter do not stop the clock;
 * an agent's comment (public or internal) does. An assignment alone counts only when the policy says so.
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
import { settings } from '../support/builders';

let fake: FakeJira;
let forge: FakeForge;
const store = new MemoryStore(settings());

beforeAll(async () => {
  fake = await startFakeJira();
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({ store, clock: () => parseInstant('2026-03-10T12:00:00+03:00'), log: SILENT_LOG });
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
});

async function reactionOf(key: string): Promise<{ state: string; at: string | null }> {
  const issue = fake.find(key)!;
  await onEvent({ eventType: 'avi:jira:updated:issue', issue: { id: issue.id, key } } as never);
  await drainQueue(forge, consume as never);
  return (
    JSON.parse(store.records.get(key)!.verdictJson) as { reaction: { state: string; at: string | null } }
  ).reaction;
}

function incident(key: string) {
  const issue = fake.addIssue({ key, created: '2026-03-06T16:30:00+03:00', reporter: 'customer-1' });
  fake.setField(issue, 'impact', 'high');
  fake.setField(issue, 'urgency', 'high');
  fake.setField(issue, 'mode', 'operation');
  fake.setField(issue, 'nature', 'failure');
  return issue;
}

describe('reaction counts support staff only (item 7)', () => {
  it('a customer’s comment, automation’s assignment and transition, the reporter’s comment: no reaction', async () => {
    const issue = incident('SUP-1');
    issue.comments.push(
      { id: '1', author: 'customer-1', created: '2026-03-06T17:00:00+03:00' },
      {
        id: '2',
        author: 'colleague-of-customer',
        authorType: 'customer',
        created: '2026-03-09T10:00:00+03:00',
      },
    );
    issue.histories.push(
      {
        id: '1',
        created: '2026-03-06T16:30:05+03:00',
        author: 'automation',
        authorType: 'app',
        items: [{ field: 'assignee', fieldId: 'assignee', from: null, to: 'agent-1' }],
      },
      {
        id: '2',
        created: '2026-03-06T16:31:00+03:00',
        author: 'automation',
        authorType: 'app',
        items: [{ field: 'status', fieldId: 'status', from: '1', to: '3' }],
      },
    );
    expect(await reactionOf('SUP-1')).toMatchObject({ state: 'running', at: null });
  });

  it('an agent’s comment (public or internal) is the reaction', async () => {
    const issue = fake.find('SUP-1')!;
    issue.comments.push({ id: '3', author: 'agent-1', created: '2026-03-10T10:00:00+03:00' });
    expect(await reactionOf('SUP-1')).toMatchObject({ state: 'met', at: '2026-03-10T10:00:00+03:00' });
  });

  it('an assignment by a person is no reaction unless the policy counts assignments', async () => {
    const issue = incident('SUP-2');
    issue.histories.push({
      id: '3',
      created: '2026-03-06T17:00:00+03:00',
      author: 'lead-1',
      items: [{ field: 'assignee', fieldId: 'assignee', from: null, to: 'agent-1' }],
    });
    expect(await reactionOf('SUP-2')).toMatchObject({ state: 'running', at: null });
    const s = await store.getSettings();
    await store.saveSettings({
      ...s,
      policy: { ...s.policy, reaction: { events: ['status', 'comment', 'assignee'] } },
    });
    expect(await reactionOf('SUP-2')).toMatchObject({ state: 'met', at: '2026-03-06T17:00:00+03:00' });
  });
});
