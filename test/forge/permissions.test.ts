/**
 * Issue #12 item 8: Forge resolvers read Jira as the app, so each one that takes or returns issues
 * checks what the calling user may browse (as the user): lists and figures leave out projects they may
 * not browse (one check per project), and a resolver given an issue they may not see answers as for
 * an issue that does not exist. A viewer without access gets nothing.
 */
import { resolver } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
import type { SlaRecordRow } from '../../src/app/ports';
import { parseInstant } from '../../src/domain/calendar';
import { installFakeForge, startFakeJira, type FakeForge, type FakeJira } from '../support/fake-jira';
import { settings, slaRow } from '../support/builders';

let fake: FakeJira;
let forge: FakeForge;
const store = new MemoryStore(settings());

function call(functionKey: string, payload: unknown, accountId: string) {
  forge.user = accountId;
  return resolver({ call: { functionKey, payload }, context: {} } as never, { principal: { accountId } });
}

/** A breached incident's record (test/support/builders slaRow) whose summary a test can look for. */
function record(key: string): SlaRecordRow {
  return slaRow(key, { summary: `Secret summary of ${key}` });
}

const MARCH = { from: '2026-03-01', to: '2026-03-31' };

beforeAll(async () => {
  fake = await startFakeJira();
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({ store, clock: () => parseInstant('2026-03-20T12:00:00+03:00'), log: SILENT_LOG });
  for (const key of ['SUP-1', 'SEC-1']) {
    fake.addIssue({
      key,
      projectKey: key.split('-')[0]!,
      projectId: key.startsWith('SEC') ? '10009' : '10000',
    });
    await store.upsertSlaRecord(record(key));
  }
  fake.projectViewers.set('SUP', new Set(['viewer-sup']));
  fake.admins.add('admin-1');
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
});

describe('resolvers show only what the viewer may browse (item 8)', () => {
  it('listIssues: the viewer of SUP sees SUP-1 only; a viewer without access gets nothing', async () => {
    const keys = async (user: string) =>
      ((await call('listIssues', {}, user)) as { key: string }[]).map((i) => i.key).sort();
    expect(await keys('admin-1')).toEqual(['SEC-1', 'SUP-1']);
    expect(await keys('viewer-sup')).toEqual(['SUP-1']);
    expect(await keys('nobody')).toEqual([]);
  });

  it('getCompliance counts and lists only browsable records', async () => {
    type View = { incidents: { overall: { counted: number } }; breached: { key: string; summary: string }[] };
    const admin = (await call('getCompliance', MARCH, 'admin-1')) as View;
    const sup = (await call('getCompliance', MARCH, 'viewer-sup')) as View;
    const none = (await call('getCompliance', MARCH, 'nobody')) as View;
    expect(admin.incidents.overall.counted).toBe(2);
    expect(sup.incidents.overall.counted).toBe(1);
    expect(sup.breached.map((i) => i.key)).toEqual(['SUP-1']);
    expect(none.incidents.overall.counted).toBe(0);
    expect(JSON.stringify(none)).not.toContain('Secret summary');
  });

  it('getIssueSla and checkVersion: an issue the viewer may not see is answered as not found', async () => {
    await expect(call('getIssueSla', { key: 'SEC-1' }, 'viewer-sup')).rejects.toThrow(
      /^not-found: no issue SEC-1 \(or you may not see it\) \[\[\{"messageCode":"issue-not-found".*\]\]$/,
    );
    await expect(call('checkVersion', { key: 'SEC-1' }, 'viewer-sup')).rejects.toThrow(/^not-found/);
    await expect(call('getIssueSla', { key: 'SUP-1' }, 'nobody')).rejects.toThrow(/^not-found/);
    expect(await call('getIssueSla', { key: 'SUP-1' }, 'viewer-sup')).toMatchObject({ key: 'SUP-1' });
  });

  it('the checks run as the calling user, in bulk per project', async () => {
    const from = fake.calls.length;
    await call('listIssues', {}, 'viewer-sup');
    const perms = fake.calls.slice(from).filter((c) => c.operationId === 'getMyPermissions');
    expect(perms).toHaveLength(2); // SUP and SEC, not one per record
  });
});
