/**
 * Issue #12 item 7 (SPEC §3, source §4.7.1): reaction is support staff starting work. On Jira Cloud a
 * Service Management customer (`accountType: customer`, e.g. the reporter's colleague) commenting,
 * automation (an app account) assigning or transitioning, and the reporter do not stop the clock;
 * an agent's comment (public or internal) does. An assignment alone counts only when the policy says so.
 */
import { consume, onEvent, resolver } from '../../src/forge/index';
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

describe('support staff: Service Management agents, participants, groups and roles (item 7)', () => {
  function request(key: string) {
    const issue = incident(key);
    issue.projectKey = key.split('-')[0]!;
    issue.projectId = '10020';
    issue.participants = ['participant-1'];
    return issue;
  }

  beforeAll(() => {
    fake.projects.push({ id: '10020', key: 'HD' });
    fake.serviceDeskProjects.add('HD');
    fake.serviceDeskAgents.set('HD', new Set(['agent-hd']));
  });

  it('on a service desk: a participant’s and a non-agent’s comments are no reaction; an agent’s internal note is', async () => {
    const issue = request('HD-1');
    issue.comments.push(
      // A licensed colleague added as request participant.
      { id: '11', author: 'participant-1', created: '2026-03-06T17:00:00+03:00' },
      // A licensed Jira user who is no agent of this service desk (a developer asked for help).
      { id: '12', author: 'developer-1', created: '2026-03-09T09:00:00+03:00' },
    );
    expect(await reactionOf('HD-1')).toMatchObject({ state: 'running', at: null });
    issue.comments.push({
      id: '13',
      author: 'agent-hd',
      created: '2026-03-09T11:00:00+03:00',
      properties: [{ key: 'sd.public.comment', value: { internal: true } }],
    });
    expect(await reactionOf('HD-1')).toMatchObject({ state: 'met', at: '2026-03-09T11:00:00+03:00' });
  });

  it('membership is asked once per author and project in an event, not per comment', async () => {
    const issue = request('HD-2');
    for (let i = 0; i < 12; i++)
      issue.comments.push({
        id: String(100 + i),
        author: i % 2 === 0 ? 'developer-1' : 'developer-2',
        created: `2026-03-09T1${i % 10}:0${i % 6}:00+03:00`,
      });
    const from = fake.calls.length;
    expect(await reactionOf('HD-2')).toMatchObject({ state: 'running', at: null });
    const asked = fake.calls.slice(from).filter((c) => c.operationId === 'findUsersWithAllPermissions');
    expect(asked).toHaveLength(2); // developer-1 and developer-2 on HD, not 12
  });

  it('a software project with a staff group and a project role: only their members react', async () => {
    const s = await store.getSettings();
    await store.saveSettings({
      ...s,
      supportStaff: {
        groups: ['support-l1'],
        projectRoles: ['Support'],
        serviceDeskAgents: true,
        automationUsers: [],
      },
    });
    fake.groupMembers.set('support-l1', new Set(['l1-agent']));
    fake.groupMembers.set('support-l2', new Set(['l2-engineer']));
    fake.projectRoles.set('SUP', new Map([['Support', { users: ['lead-9'], groups: ['support-l2'] }]]));
    const issue = incident('SUP-3');
    issue.comments.push({ id: '21', author: 'developer-1', created: '2026-03-06T17:00:00+03:00' });
    expect(await reactionOf('SUP-3')).toMatchObject({ state: 'running', at: null });
    // A member of the role's group (support-l2) reacts.
    issue.comments.push({ id: '22', author: 'l2-engineer', created: '2026-03-09T12:00:00+03:00' });
    expect(await reactionOf('SUP-3')).toMatchObject({ state: 'met', at: '2026-03-09T12:00:00+03:00' });
    // The staff group's member, earlier, is the reaction then.
    issue.comments.push({ id: '23', author: 'l1-agent', created: '2026-03-09T10:00:00+03:00' });
    expect(await reactionOf('SUP-3')).toMatchObject({ state: 'met', at: '2026-03-09T10:00:00+03:00' });
    // A user named directly in the role, earlier still.
    issue.histories.push({
      id: '24',
      created: '2026-03-06T18:00:00+03:00',
      author: 'lead-9',
      items: [{ field: 'status', fieldId: 'status', from: '1', to: '3' }],
    });
    expect(await reactionOf('SUP-3')).toMatchObject({ state: 'met', at: '2026-03-06T18:00:00+03:00' });
  });
});

describe('the admin is told which staff groups and roles the site lacks (item 7)', () => {
  const call = (functionKey: string, payload: unknown) => {
    forge.user = 'admin-1';
    return resolver({ call: { functionKey, payload }, context: {} } as never, {
      principal: { accountId: 'admin-1' },
    });
  };

  beforeAll(async () => {
    fake.admins.add('admin-1');
    fake.groupMembers.set('support-l1', new Set(['l1-agent']));
    const s = await store.getSettings();
    await store.saveSettings({ ...s, projects: ['SUP'] });
  });

  it('saving a group or a project role the site lacks is refused, naming each', async () => {
    expect(
      await call('saveSettings', {
        supportStaff: { groups: ['support-l1', 'suport-l2'], projectRoles: ['Support', 'Suport'] },
      }),
    ).toEqual({
      ok: false,
      errors: [
        { path: 'supportStaff.groups[1]', message: 'group "suport-l2" does not exist on this Jira site' },
        {
          path: 'supportStaff.projectRoles[1]',
          message: 'project role "Suport" does not exist on this Jira site (checked in project SUP)',
        },
      ],
    });
    expect(
      await call('saveSettings', { supportStaff: { groups: ['support-l1'], projectRoles: ['Support'] } }),
    ).toEqual({
      ok: true,
    });
  });

  it('getSettings lists a group deleted since (siteProblems, shown on the admin page)', async () => {
    fake.groupMembers.delete('support-l1');
    const view = (await call('getSettings', {})) as { siteProblems: { code: string; value: string }[] };
    expect(view.siteProblems).toEqual([
      expect.objectContaining({
        code: 'missing-staff-group',
        value: 'support-l1',
        path: 'supportStaff.groups[0]',
      }),
    ]);
  });
});
