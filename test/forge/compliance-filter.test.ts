/**
 * The compliance gadget scoped by a saved filter, through the real Custom UI resolver and the real
 * @forge/api: the filter is read as the calling user (`GET /rest/api/3/filter/{id}` with asUser), its
 * issues are searched (`POST /rest/api/3/search/jql`), and only their SLA records are counted. Every
 * request and answer of the fake Jira is validated against the Jira OpenAPI description. The records
 * sit in the in-memory store (the store is not what this test is about).
 */
import { resolver } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
import type { SlaRecordRow } from '../../src/app/ports';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar';
import { installFakeForge, startFakeJira, type FakeForge, type FakeJira } from '../support/fake-jira';

let fake: FakeJira;
let forge: FakeForge;
const store = new MemoryStore({
  ...defaultSettings(),
  issueTypes: { incident: ['Incident'], error: ['Bug'] },
});

function call(functionKey: string, payload: unknown, accountId: string) {
  forge.user = accountId;
  return resolver({ call: { functionKey, payload }, context: {} } as never, { principal: { accountId } });
}

/** A critical error's record: due 2026-03-16 18:00 MSK, fixed `doneAt` (null: still open). */
function errorRecord(key: string, doneAt: string | null): SlaRecordRow {
  return {
    key,
    project: key.split('-')[0]!,
    kind: 'error',
    class: 'critical',
    priority: 9,
    registeredAt: '2026-03-02T10:00:00+03:00',
    due: '2026-03-16T18:00:00+03:00',
    doneAt,
    agreed: false,
    state: doneAt === null ? 'breached' : 'met',
    verificationDue: null,
    estimateAt: null,
    summary: `Issue ${key}`,
    verdictJson: '{}',
    updatedAt: '2026-04-10T12:00:00+03:00',
  };
}

const ON_TIME = '2026-03-05T12:00:00+03:00';
const LATE = '2026-03-20T12:00:00+03:00';
const MARCH = { from: '2026-03-01', to: '2026-03-31' };

beforeAll(async () => {
  fake = await startFakeJira();
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({
    store,
    clock: () => parseInstant('2026-04-10T12:00:00+03:00'),
    log: SILENT_LOG,
  });
  const plan: [string, string | null][] = [
    ['SUP-1', ON_TIME],
    ['SUP-2', LATE],
    ['SUP-3', ON_TIME],
    ['SUP-4', null],
  ];
  for (const [key, doneAt] of plan) {
    fake.addIssue({ key });
    await store.upsertSlaRecord(errorRecord(key, doneAt));
  }
  // The viewers may browse SUP (figures count only projects the caller may browse, issue #12 item 8).
  fake.projectViewers.set('SUP', new Set(['manager-1', 'manager-2', 'agent-7']));
  fake.filters.set('10100', {
    id: '10100',
    name: 'Key accounts',
    jql: 'key in (SUP-2, SUP-4) ORDER BY key',
    owner: 'manager-1',
    sharedWith: ['manager-2'],
  });
  fake.filters.set('10101', {
    id: '10101',
    name: 'Whole site',
    jql: 'project = SUP',
    owner: 'manager-1',
    sharedWith: 'everyone',
  });
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

afterEach(() => {
  // Every request the adapter sent and every answer of the fake matched the Jira OpenAPI description.
  expect(fake.violations).toEqual([]);
});

describe('getCompliance with a saved filter (Forge resolver → fake Jira)', () => {
  it('reads the filter as the user, searches its issues and counts only their records', async () => {
    const from = fake.calls.length;
    const view = (await call('getCompliance', { ...MARCH, filterId: '10100' }, 'manager-2')) as {
      errors: { overall: { counted: number; onTime: number; late: number } };
      breached: { key: string }[];
    };
    expect(view.errors.overall).toMatchObject({ counted: 2, onTime: 0, late: 2 });
    expect(view.breached.map((i) => i.key)).toEqual(['SUP-4']);
    const calls = fake.calls.slice(from);
    expect(calls.map((c) => [c.operationId, c.path, c.status])).toEqual([
      ['getFilter', '/rest/api/3/filter/10100', 200],
      ['searchAndReconsileIssuesUsingJqlPost', '/rest/api/3/search/jql', 200],
      ['getMyPermissions', '/rest/api/3/mypermissions', 200],
      // Issue #12 item 8: the records of browsable projects are checked per issue, in one bulk call.
      ['bulkFetchIssues', '/rest/api/3/issue/bulkfetch', 200],
    ]);
    expect(fake.bodies.get('searchAndReconsileIssuesUsingJqlPost')?.at(-1)).toMatchObject({
      jql: 'key in (SUP-2, SUP-4) ORDER BY key',
      fields: ['key'],
    });

    // Without the filter: all four records (SUP-1 and SUP-3 on time).
    const all = (await call('getCompliance', MARCH, 'manager-2')) as typeof view;
    expect(all.errors.overall).toMatchObject({ counted: 4, onTime: 2, late: 2 });
  });

  it('a filter the user cannot see is refused for them, as one that does not exist', async () => {
    // The app could read neither: 10100 is shared with manager-2 only.
    await expect(call('getCompliance', { ...MARCH, filterId: '10100' }, 'agent-7')).rejects.toThrow(
      /^not-found: Saved filter 10100 does not exist or you cannot see it\. \[\[\{"messageCode":"filter-not-found".*\]\]$/,
    );
    await expect(call('getCompliance', { ...MARCH, filterId: '424242' }, 'manager-2')).rejects.toThrow(
      /^not-found: Saved filter 424242 /,
    );
    const last = fake.calls.at(-1)!;
    expect([last.operationId, last.status]).toEqual(['getFilter', 400]);
  });

  it('a filter shared with everyone works for any viewer', async () => {
    const view = (await call('getCompliance', { ...MARCH, filterId: '10101' }, 'agent-7')) as {
      errors: { overall: { counted: number; onTime: number } };
    };
    expect(view.errors.overall).toMatchObject({ counted: 4, onTime: 2 });
  });
});
