/**
 * Issue #12 item 7 on Jira Data Center (SPEC §3, source §4.7.1): reaction is support staff starting
 * work. A request participant, a configured automation user and (when a staff group or project role
 * is set, or the project is a service desk) anyone outside them do not stop the clock; the reporter
 * never does; an assignment counts only when the policy says so. Membership is asked once per user
 * and project, not per comment.
 */
import { createJiraHttpPort, type JiraHttpPort } from '../../src/adapters/jira-http';
import { applySettingsEdit, defaultSettings } from '../../src/app/settings';
import type { Settings } from '../../src/app/ports';
import { evaluateTicket } from '../../src/app/issue-change';
import { staffProblems } from '../../src/app/site-check';
import { parseInstant } from '../../src/domain/calendar';
import { incidentIssue, PARTICIPANTS_FIELD, startFakeJira, type FakeJira } from './fake-jira';

let jira: FakeJira;
let port: JiraHttpPort;
const NOW = parseInstant('2026-03-10T12:00:00+03:00');

function withStaff(edit: Record<string, unknown>): Settings {
  const r = applySettingsEdit(defaultSettings(), { supportStaff: edit });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

async function reaction(key: string, settings: Settings): Promise<{ state: string; at?: string | null }> {
  const t = await port.readTicket(key, settings);
  return evaluateTicket(t!, settings, NOW).reaction!;
}

const comment = (name: string, created: string) => ({ author: { name, key: name }, created });

beforeEach(async () => {
  jira = await startFakeJira();
  port = createJiraHttpPort({
    baseUrl: jira.url,
    auth: { kind: 'bearer', token: 'pat' },
    timeoutMs: 2000,
    retries: 0,
  });
});
afterEach(() => jira.close());

describe('Data Center: reaction by support staff only (item 7)', () => {
  it('a service desk: a participant and a non-agent do not react; an agent does', async () => {
    jira.serviceDeskProjects.add('HD');
    jira.serviceDeskAgents.set('HD', new Set(['agent-hd']));
    jira.issues.set(
      'HD-1',
      incidentIssue('HD-1', {
        project: { id: '10100', key: 'HD', projectTypeKey: 'service_desk' },
        [PARTICIPANTS_FIELD]: [{ name: 'colleague', key: 'colleague' }],
        comment: {
          comments: [
            comment('colleague', '2026-03-06T17:00:00.000+0300'),
            // "agent-hd2" starts like the agent's name: DC's prefix match must not make it an agent.
            comment('agent', '2026-03-06T18:00:00.000+0300'),
            comment('developer', '2026-03-09T09:00:00.000+0300'),
          ],
        },
      }),
    );
    const settings = defaultSettings();
    expect(await reaction('HD-1', settings)).toMatchObject({ state: 'running', at: null });
    const issue = jira.issues.get('HD-1')!;
    (issue.fields.comment as { comments: unknown[] }).comments.push(
      comment('agent-hd', '2026-03-09T11:00:00.000+0300'),
    );
    expect(await reaction('HD-1', settings)).toMatchObject({ state: 'met', at: '2026-03-09T11:00:00+03:00' });
  });

  it('a software project with a staff group and role; automation users never react', async () => {
    jira.groupMembers.set('support-l1', new Set(['l1']));
    jira.groupMembers.set('support-l2', new Set(['l2']));
    jira.projectRoles.set('SUP', new Map([['Support', { users: ['lead'], groups: ['support-l2'] }]]));
    jira.issues.set(
      'SUP-1',
      incidentIssue('SUP-1', {
        comment: {
          comments: [
            comment('customer', '2026-03-06T17:00:00.000+0300'),
            comment('developer', '2026-03-06T17:30:00.000+0300'),
            comment('jira-bot', '2026-03-06T17:40:00.000+0300'),
          ],
        },
      }),
    );
    jira.issues.get('SUP-1')!.changelog = {
      histories: [
        // Automation moves the issue on at once: no reaction.
        {
          created: '2026-03-06T16:31:00.000+0300',
          author: { name: 'jira-bot', key: 'jira-bot' },
          items: [{ field: 'status', from: '1', to: '3' }],
        },
      ],
    };
    const settings = withStaff({
      groups: ['support-l1'],
      projectRoles: ['Support'],
      automationUsers: ['jira-bot'],
    });
    // The bot is in the role's group too: being listed as automation wins.
    jira.groupMembers.get('support-l2')!.add('jira-bot');
    expect(await reaction('SUP-1', settings)).toMatchObject({ state: 'running', at: null });
    const comments = (jira.issues.get('SUP-1')!.fields.comment as { comments: unknown[] }).comments;
    comments.push(comment('l2', '2026-03-09T12:00:00.000+0300'));
    expect(await reaction('SUP-1', settings)).toMatchObject({ at: '2026-03-09T12:00:00+03:00' });
    comments.push(comment('l1', '2026-03-09T10:00:00.000+0300'));
    expect(await reaction('SUP-1', settings)).toMatchObject({ at: '2026-03-09T10:00:00+03:00' });
    comments.push(comment('lead', '2026-03-07T10:00:00.000+0300'));
    expect(await reaction('SUP-1', settings)).toMatchObject({ at: '2026-03-07T10:00:00+03:00' });
  });

  it('an assignment by a person counts only when the policy counts assignments', async () => {
    jira.issues.set('SUP-2', incidentIssue('SUP-2'));
    jira.issues.get('SUP-2')!.changelog = {
      histories: [
        {
          created: '2026-03-06T16:30:01.000+0300',
          author: { name: 'jira-bot', key: 'jira-bot' },
          items: [{ field: 'assignee', to: 'ivanov' }],
        },
        {
          created: '2026-03-06T17:00:00.000+0300',
          author: { name: 'lead', key: 'lead' },
          items: [{ field: 'assignee', to: 'petrov' }],
        },
      ],
    };
    const settings = withStaff({ automationUsers: ['jira-bot'] });
    expect(await reaction('SUP-2', settings)).toMatchObject({ state: 'running', at: null });
    settings.policy.reaction.events = ['status', 'comment', 'assignee'];
    expect(await reaction('SUP-2', settings)).toMatchObject({ at: '2026-03-06T17:00:00+03:00' });
  });

  it('membership is asked once per user and project, not per comment or per issue', async () => {
    jira.groupMembers.set('support-l1', new Set(['l1']));
    for (const n of [3, 4, 5])
      jira.issues.set(
        `SUP-${n}`,
        incidentIssue(`SUP-${n}`, {
          comment: {
            comments: [0, 1, 2, 3, 4, 5].map((i) =>
              comment(i % 2 ? 'dev-a' : 'dev-b', `2026-03-09T1${i}:00:00.000+0300`),
            ),
          },
        }),
      );
    const settings = withStaff({ groups: ['support-l1'], projectRoles: ['Support'] });
    const from = jira.calls.length;
    for (const n of [3, 4, 5]) expect(await reaction(`SUP-${n}`, settings)).toMatchObject({ at: null });
    const lookups = jira.calls
      .slice(from)
      .filter((c) => c.path === '/rest/api/2/user' || c.path.startsWith('/rest/api/2/project/SUP/role'));
    // dev-a's and dev-b's groups, the role list and the role: 4 calls for 18 comments on 3 issues.
    expect(lookups.map((c) => c.path).sort()).toEqual([
      '/rest/api/2/project/SUP/role',
      '/rest/api/2/project/SUP/role/10003',
      '/rest/api/2/user',
      '/rest/api/2/user',
    ]);
  });

  it('names the staff groups and project roles the site lacks (admin page and save)', async () => {
    jira.groupMembers.set('support-l1', new Set(['l1']));
    const settings = {
      ...withStaff({ groups: ['support-l1', 'support'], projectRoles: ['Support', 'L2'] }),
      projects: ['SUP'],
    };
    expect(await staffProblems(port, settings)).toEqual([
      expect.objectContaining({
        path: 'supportStaff.groups[1]',
        code: 'missing-staff-group',
        value: 'support',
      }),
      expect.objectContaining({
        path: 'supportStaff.projectRoles[1]',
        message: 'project role "L2" does not exist on this Jira site (checked in project SUP)',
      }),
    ]);
  });
});
