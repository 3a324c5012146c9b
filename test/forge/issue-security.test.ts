/**
 * Issue #12 item 8, per issue: a project the viewer may browse can hold issues under an issue security
 * level they are not in. Lists, figures and every resolver that takes a key show only what the viewer
 * may see, checked in bulk (`POST /rest/api/3/issue/bulkfetch` as the user, 100 keys per request, the
 * OpenAPI limit), never one call per issue.
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

function record(key: string, state: 'breached' | 'at-risk' = 'breached'): SlaRecordRow {
  return slaRow(key, { state });
}

const MARCH = { from: '2026-03-01', to: '2026-03-31' };
type View = {
  incidents: { overall: { counted: number } };
  breached: { key: string }[];
  atRisk: { key: string }[];
};

beforeAll(async () => {
  fake = await startFakeJira();
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({ store, clock: () => parseInstant('2026-03-20T12:00:00+03:00'), log: SILENT_LOG });
  // SUP-1 open to the project; SUP-2 and SUP-3 under a security level holding only lead-1.
  fake.addIssue({ key: 'SUP-1' });
  fake.addIssue({ key: 'SUP-2', securityViewers: ['lead-1'] });
  fake.addIssue({ key: 'SUP-3', securityViewers: ['lead-1'] });
  await store.upsertSlaRecord(record('SUP-1'));
  await store.upsertSlaRecord(record('SUP-2'));
  await store.upsertSlaRecord(record('SUP-3', 'at-risk'));
  fake.projectViewers.set('SUP', new Set(['viewer-sup', 'lead-1']));
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
});

describe('issue security is honoured per issue, in bulk (item 8)', () => {
  it('a mixed list: the project viewer sees only the open issue; the level member sees all three', async () => {
    const keys = async (user: string) =>
      ((await call('listIssues', {}, user)) as { key: string }[]).map((i) => i.key).sort();
    expect(await keys('viewer-sup')).toEqual(['SUP-1']);
    expect(await keys('lead-1')).toEqual(['SUP-1', 'SUP-2', 'SUP-3']);
  });

  it('getCompliance: counts and lists exclude the secured issues (no key, no summary)', async () => {
    const sup = (await call('getCompliance', MARCH, 'viewer-sup')) as View;
    const lead = (await call('getCompliance', MARCH, 'lead-1')) as View;
    expect(lead.incidents.overall.counted).toBe(3);
    expect(lead.breached.map((i) => i.key).sort()).toEqual(['SUP-1', 'SUP-2']);
    expect(lead.atRisk.map((i) => i.key)).toEqual(['SUP-3']);
    expect(sup.incidents.overall.counted).toBe(1);
    expect(sup.breached.map((i) => i.key)).toEqual(['SUP-1']);
    expect(sup.atRisk).toEqual([]);
    const text = JSON.stringify(sup);
    expect(text).not.toContain('SUP-2');
    expect(text).not.toContain('Summary of SUP-3');
  });

  it('getIssueSla, checkVersion and checkVisit on a secured issue: not found for the project viewer', async () => {
    for (const name of ['getIssueSla', 'checkVersion', 'checkVisit'])
      await expect(call(name, { key: 'SUP-2' }, 'viewer-sup')).rejects.toThrow(
        /^not-found: no issue SUP-2 \(or you may not see it\) \[\[\{"messageCode":"issue-not-found".*\]\]$/,
      );
    expect(await call('getIssueSla', { key: 'SUP-2' }, 'lead-1')).toMatchObject({ key: 'SUP-2' });
  });

  it('waiveBreach: a Jira administrator outside the security level gets not-found', async () => {
    fake.admins.add('admin-1');
    await expect(
      call('waiveBreach', { key: 'SUP-2', clock: 'reaction', reason: 'agreed with the customer' }, 'admin-1'),
    ).rejects.toThrow(
      /^not-found: no issue SUP-2 \(or you may not see it\) \[\[\{"messageCode":"issue-not-found".*\]\]$/,
    );
  });

  it('a viewer without access to the project gets nothing and costs no per-issue call', async () => {
    const from = fake.calls.length;
    expect(await call('listIssues', {}, 'nobody')).toEqual([]);
    const none = (await call('getCompliance', MARCH, 'nobody')) as View;
    expect(none.incidents.overall.counted).toBe(0);
    expect(fake.calls.slice(from).filter((c) => c.operationId === 'bulkFetchIssues')).toHaveLength(0);
  });

  it('250 records are checked in 3 bulk requests of at most 100 keys, as the user', async () => {
    for (let n = 10; n < 257; n++) {
      fake.addIssue({ key: `SUP-${n}`, ...(n % 2 === 0 ? { securityViewers: ['lead-1'] } : {}) });
      await store.upsertSlaRecord(record(`SUP-${n}`));
    }
    const from = fake.calls.length;
    const bodiesFrom = fake.bodies.get('bulkFetchIssues')?.length ?? 0;
    const items = (await call('listIssues', { limit: 500 }, 'viewer-sup')) as { key: string }[];
    // SUP-1 plus the odd-numbered SUP-11 … SUP-255 (123 of them).
    expect(items).toHaveLength(124);
    expect(items.every((i) => i.key === 'SUP-1' || Number(i.key.split('-')[1]) % 2 === 1)).toBe(true);
    const bulk = fake.calls.slice(from).filter((c) => c.operationId === 'bulkFetchIssues');
    expect(bulk).toHaveLength(3); // 250 keys: 100 + 100 + 50
    const sizes = (fake.bodies.get('bulkFetchIssues') ?? [])
      .slice(bodiesFrom)
      .map((b) => (b as { issueIdsOrKeys: string[] }).issueIdsOrKeys.length);
    expect(sizes).toEqual([100, 100, 50]);
  });
});
