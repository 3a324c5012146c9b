/**
 * Issue #12 item 7: the support-staff setting is validated (every problem names its field and value)
 * and the directory asks each membership question once, whatever the number of events.
 */
import { applySettingsEdit, defaultSettings } from '../../src/app/settings';
import { StaffDirectory, type StaffLookups, type SupportStaff } from '../../src/app/support-staff';

describe('supportStaff setting', () => {
  it('accepts groups, roles, the agents switch and automation users (trimmed, duplicates dropped)', () => {
    const r = applySettingsEdit(defaultSettings(), {
      supportStaff: {
        groups: [' support-l1 ', 'Support-L1', 'support-l2'],
        projectRoles: ['Service Desk Team'],
        serviceDeskAgents: false,
        automationUsers: ['automation'],
      },
    });
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        supportStaff: {
          groups: ['support-l1', 'support-l2'],
          projectRoles: ['Service Desk Team'],
          serviceDeskAgents: false,
          automationUsers: ['automation'],
        },
      }),
    });
  });

  it('reports each bad field with its value', () => {
    const r = applySettingsEdit(defaultSettings(), {
      supportStaff: { groups: 'support', projectRoles: ['', 'a,b'], serviceDeskAgents: 'yes', agents: [] },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { path: 'supportStaff.agents', message: 'unknown setting "agents"' },
      { path: 'supportStaff.groups', message: 'must be a list of group names, got "support"' },
      {
        path: 'supportStaff.projectRoles.0',
        message: 'must be a project role name (non-empty, no commas), got ""',
      },
      {
        path: 'supportStaff.projectRoles.1',
        message: 'must be a project role name (non-empty, no commas), got "a,b"',
      },
      { path: 'supportStaff.serviceDeskAgents', message: 'must be true or false, got "yes"' },
    ]);
    expect(applySettingsEdit(defaultSettings(), { supportStaff: null })).toEqual({
      ok: false,
      errors: [
        {
          path: 'supportStaff',
          message: 'must be { groups, projectRoles, serviceDeskAgents, automationUsers }, got null',
        },
      ],
    });
  });
});

describe('StaffDirectory', () => {
  const staff: SupportStaff = {
    groups: ['support'],
    projectRoles: ['Support'],
    serviceDeskAgents: true,
    automationUsers: ['automation'],
  };
  function lookups(): StaffLookups & { asked: string[] } {
    const asked: string[] = [];
    return {
      asked,
      userGroups: async (u) => {
        asked.push(`groups ${u}`);
        return u === 'g-member' ? ['Support'] : [];
      },
      roleActors: async (p, r) => {
        asked.push(`role ${p} ${r}`);
        return { users: ['role-user'], groups: [] };
      },
      isServiceDeskAgent: async (u, p) => {
        asked.push(`agent ${u} ${p}`);
        return u === 'agent' && p === 'HD';
      },
    };
  }

  it('classifies authors; participants and automation never count; each question asked once', async () => {
    const l = lookups();
    const dir = new StaffDirectory(l);
    const ev = (actor: string, authorRole: 'agent' | 'reporter' = 'agent') => ({
      at: '2026-03-09T10:00:00+03:00',
      type: 'comment' as const,
      authorRole,
      actor,
    });
    const events = [
      ev('g-member'),
      ev('role-user'),
      ev('stranger'),
      ev('stranger'),
      ev('automation'),
      ev('participant'),
      ev('customer', 'reporter'),
    ];
    const out = await dir.classify(events, staff, {
      project: 'SUP',
      projectType: 'software',
      participants: ['participant'],
    });
    expect(out.map((e) => e.authorRole)).toEqual([
      'agent',
      'agent',
      'other',
      'other',
      'other',
      'other',
      'reporter',
    ]);
    expect(out.every((e) => !('actor' in e))).toBe(true);
    await dir.classify(events, staff, {
      project: 'SUP',
      projectType: 'software',
      participants: ['participant'],
    });
    expect(l.asked.sort()).toEqual(['groups g-member', 'groups stranger', 'role SUP Support']);
  });

  it('nothing configured for a software project: every licensed author but participants and automation counts', async () => {
    const l = lookups();
    const none: SupportStaff = {
      groups: [],
      projectRoles: [],
      serviceDeskAgents: true,
      automationUsers: ['bot'],
    };
    const out = await new StaffDirectory(l).classify(
      [
        { at: '2026-03-09T10:00:00+03:00', type: 'comment', authorRole: 'agent', actor: 'anyone' },
        { at: '2026-03-09T10:00:00+03:00', type: 'assignee', authorRole: 'agent', actor: 'Bot' },
      ],
      none,
      { project: 'SUP', projectType: 'software' },
    );
    expect(out.map((e) => e.authorRole)).toEqual(['agent', 'other']);
    expect(l.asked).toEqual([]);
  });

  it('a lookup Jira refuses for good (403) counts the author and warns; a 503 propagates', async () => {
    const warned: string[] = [];
    const refusing = (status: number): StaffLookups => ({
      userGroups: async () => {
        throw Object.assign(new Error(`answered ${status}`), { status });
      },
      roleActors: async () => null,
      isServiceDeskAgent: async () => false,
    });
    const e = [
      { at: '2026-03-09T10:00:00+03:00', type: 'comment' as const, authorRole: 'agent' as const, actor: 'x' },
    ];
    const ok = await new StaffDirectory(refusing(403), { warn: (m) => warned.push(m) }).classify(e, staff, {
      project: 'SUP',
    });
    expect(ok.map((x) => x.authorRole)).toEqual(['agent']);
    expect(warned).toEqual([
      // roleActors answers null: the configured role "Support" is not in SUP (told once).
      'a support-staff project role does not exist in the project: nobody counts through it',
      'support staff could not be checked; the author counts as staff',
    ]);
    await expect(new StaffDirectory(refusing(503)).classify(e, staff, { project: 'SUP' })).rejects.toThrow(
      'answered 503',
    );
  });

  it('answers are kept for maxAgeMs only (the long-lived service)', async () => {
    let now = 0;
    const l = lookups();
    const dir = new StaffDirectory(l, { maxAgeMs: 300_000, now: () => now });
    await dir.isStaff(staff, 'stranger', 'SUP', 'software');
    await dir.isStaff(staff, 'stranger', 'SUP', 'software');
    now = 300_000;
    await dir.isStaff(staff, 'stranger', 'SUP', 'software');
    expect(l.asked.filter((a) => a === 'groups stranger')).toHaveLength(2);
  });
});
