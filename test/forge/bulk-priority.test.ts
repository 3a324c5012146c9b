/**
 * Issue #14 ("labels and fields of many issues are written in bulk where Jira allows it"): Jira Cloud's
 * bulk edit (`POST /rest/api/3/bulk/issues/fields`) sets the priority too (`editedFieldsInput.priority`,
 * a `priorityId`; OpenAPI: JiraIssueFields.priority). Before, the app wrote Jira's priority with one
 * `PUT /rest/api/3/issue/{id}` per issue: a sweep discovering 60 issues whose mapped priority differs
 * cost 60 edits. Now one bulk task per priority value (and its polls); Jira's refusal of the bulk call,
 * and issues the task could not edit (priority not on their edit screen), fall back to the edit per
 * issue, which reports the refused field as before.
 */
import { consume, sweep } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
import { defaultSettings } from '../../src/app/settings';
import type { Settings } from '../../src/app/ports';
import { parseInstant } from '../../src/domain/calendar';
import {
  drainQueue,
  installFakeForge,
  startFakeJira,
  type FakeForge,
  type FakeIssue,
  type FakeJira,
} from '../support/fake-jira';

let fake: FakeJira;
let forge: FakeForge;
let store: MemoryStore;
const now = '2026-03-10T12:00:00+03:00';
const warnings: { m: string; o: unknown }[] = [];

const PRIORITY_MAP = { 1: 'Lowest', 2: 'Low', 3: 'Medium', 4: 'High', 5: 'Highest' };

beforeAll(async () => {
  fake = await startFakeJira();
  const settings: Settings = {
    ...defaultSettings(),
    priorityMap: { incident: PRIORITY_MAP, error: {} },
  } as Settings;
  store = new MemoryStore(settings);
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({
    clock: () => parseInstant(now),
    log: { ...SILENT_LOG, warn: (m, o) => void warnings.push({ m, o }) },
    store,
  });
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

const IMPACT = ['high', 'medium', 'low'];

/**
 * n incidents of one project, registered before `now`, shown at Jira priority Medium; `same`: all of
 * high impact and urgency (one priority for all), else mixed.
 */
function incidents(project: string, projectId: string, n: number, same = false): FakeIssue[] {
  const out: FakeIssue[] = [];
  for (let i = 1; i <= n; i++) {
    const issue = fake.addIssue({
      key: `${project}-${i}`,
      projectId,
      created: '2026-03-06T16:30:00+03:00',
      priority: 'Medium',
    });
    fake.setField(issue, 'impact', same ? 'high' : IMPACT[i % 3]!);
    fake.setField(issue, 'urgency', same ? 'high' : IMPACT[(i >> 1) % 3]!);
    fake.setField(issue, 'mode', 'operation');
    fake.setField(issue, 'nature', 'failure');
    out.push(issue);
  }
  return out;
}

async function sweepProject(project: string): Promise<(op: string) => number> {
  await store.saveSettings({ ...(await store.getSettings()), projects: [project] });
  const before = fake.calls.length;
  await sweep();
  await drainQueue(forge, consume as never);
  const calls = fake.calls.slice(before).map((c) => c.operationId);
  return (op: string) => calls.filter((c) => c === op).length;
}

/** The Jira priority each issue's record maps to (the app's own computation, read back). */
const wanted = (issue: FakeIssue): string => {
  const p = store.records.get(issue.key)?.priority;
  return PRIORITY_MAP[p as keyof typeof PRIORITY_MAP];
};

describe('Jira priority written in bulk', () => {
  it('a sweep discovering 60 issues sets their priority with one bulk task per value, no edit per issue', async () => {
    const issues = incidents('BPR', '10008', 60);
    const by = await sweepProject('BPR');
    const values = new Set(issues.map(wanted));
    const changed = issues.filter((i) => wanted(i) !== 'Medium');
    expect(values.size).toBeGreaterThan(1);
    expect(changed.length).toBeGreaterThan(20);
    for (const issue of issues) expect(issue.priority).toBe(wanted(issue));
    // No edit per issue; one task per priority that changed (each polled twice: RUNNING, COMPLETE).
    expect(by('editIssue')).toBe(0);
    const tasks = (fake.bodies.get('submitBulkEdit') ?? []) as {
      selectedActions: string[];
      editedFieldsInput: { priority?: { priorityId: string } };
      selectedIssueIdsOrKeys: string[];
      sendBulkNotification: boolean;
    }[];
    const priorityTasks = tasks.filter((t) => t.selectedActions.join() === 'priority');
    expect(priorityTasks).toHaveLength(new Set(changed.map(wanted)).size);
    expect(priorityTasks.every((t) => t.sendBulkNotification === false)).toBe(true);
    // The priority's cost: a task and its polls per value of the page (the discovery writes 100 issues
    // a page), and the site's priorities once: 3 × 4 + 1 = 13 calls for 60 issues here, against 60
    // edits before; a full page of 100 issues over the five priorities costs at most 0.16 per issue.
    const writes =
      by('submitBulkEdit') + by('getBulkOperationProgress') + by('editIssue') + by('getPriorities');
    expect(writes).toBe(3 * priorityTasks.length + 1);
    expect(writes / changed.length).toBeLessThan(0.25);
    // Issues already at their priority are not in any task.
    const inTasks = new Set(priorityTasks.flatMap((t) => t.selectedIssueIdsOrKeys));
    for (const issue of issues) expect(inTasks.has(issue.id)).toBe(wanted(issue) !== 'Medium');
  }, 90_000);

  it('issues whose edit screen lacks the priority: the task fails them, the edit per issue reports the field', async () => {
    const issues = incidents('BPS', '10010', 6, true);
    fake.editScreen = new Set(['summary', 'duedate']);
    try {
      const by = await sweepProject('BPS');
      const changed = issues.filter((i) => wanted(i) !== 'Medium');
      expect(changed).toHaveLength(6);
      expect(by('submitBulkEdit')).toBeGreaterThan(0);
      expect(by('editIssue')).toBe(changed.length);
      for (const issue of issues) expect(issue.priority).toBe('Medium');
      expect(JSON.stringify(warnings)).toContain('Jira refused to set fields');
    } finally {
      fake.editScreen = null;
    }
  }, 90_000);

  // Last: the refusal is remembered for the adapter's instance (the process), as for labels.
  it('edits the priority issue by issue when Jira refuses the bulk edit (403)', async () => {
    const issues = incidents('BPQ', '10009', 6, true);
    fake.bulkEditRefused = true;
    try {
      const by = await sweepProject('BPQ');
      const changed = issues.filter((i) => wanted(i) !== 'Medium');
      expect(changed).toHaveLength(6);
      expect([by('submitBulkEdit'), by('editIssue')]).toEqual([1, changed.length]);
      for (const issue of issues) expect(issue.priority).toBe(wanted(issue));
    } finally {
      fake.bulkEditRefused = false;
    }
  }, 90_000);
});
