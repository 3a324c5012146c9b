/**
 * Issue #14 ("labels and fields of many issues are written in bulk where Jira allows it"): Jira Cloud's
 * bulk edit sets date picker fields too (`editedFieldsInput.datePickerFields`, OpenAPI:
 * JiraIssueFields.datePickerFields, "the date in d/mmm/yy format or ISO format dd-mm-yyyy"). With
 * "set the due date" on, the app wrote Jira's due date with one `PUT /rest/api/3/issue/{id}` per issue:
 * a sweep discovering 12 issues due the same day cost 12 edits. Now one bulk task per date and its
 * polls. The format has not been tried on a real site, so the first task's dates are read back (one
 * bulk fetch): a site that reads them otherwise stops the due date in bulk and gets the edit per issue.
 */
import { consume, sweep } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
import { defaultSettings } from '../../src/app/settings';
import type { Settings } from '../../src/app/ports';
import { parseInstant } from '../../src/domain/calendar';
import { ForgeJira, jiraPickerDate } from '../../src/adapters/jira-forge/jira';
import { JiraClient } from '../../src/adapters/jira-forge/client';
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

beforeAll(async () => {
  fake = await startFakeJira();
  store = new MemoryStore({ ...defaultSettings(), setDueDate: true } as Settings);
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

/** n incidents of one project with the same inputs, registered together: one due date for all. */
function incidents(project: string, projectId: string, n: number): FakeIssue[] {
  const out: FakeIssue[] = [];
  for (let i = 1; i <= n; i++) {
    const issue = fake.addIssue({ key: `${project}-${i}`, projectId, created: '2026-03-06T16:30:00+03:00' });
    fake.setField(issue, 'impact', 'medium');
    fake.setField(issue, 'urgency', 'medium');
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

/** The due date the app computed for the issue: its governing clock's deadline, as a Moscow date. */
const wanted = (issue: FakeIssue): string | null => store.records.get(issue.key)?.due?.slice(0, 10) ?? null;

type Task = {
  selectedActions: string[];
  selectedIssueIdsOrKeys: string[];
  editedFieldsInput: { datePickerFields?: { fieldId: string; date?: { formattedDate: string } }[] };
};
const dueTasks = (): Task[] =>
  ((fake.bodies.get('submitBulkEdit') ?? []) as Task[]).filter((t) => t.selectedActions.join() === 'duedate');

describe('Jira due date written in bulk', () => {
  it('writes a date as Jira’s date picker does by default, d/MMM/yy with English month names', () => {
    expect(jiraPickerDate('2026-06-05')).toBe('5/Jun/26');
    expect(jiraPickerDate('2027-12-31')).toBe('31/Dec/27');
    expect(() => jiraPickerDate('05.06.2026')).toThrow('due date: expected YYYY-MM-DD, got "05.06.2026"');
  });

  it('a sweep discovering 12 issues due the same day sets their due date with one bulk task, read back once', async () => {
    const issues = incidents('BDD', '10011', 12);
    const tasksBefore = dueTasks().length;
    const by = await sweepProject('BDD');
    const dates = new Set(issues.map(wanted));
    expect(dates.size).toBe(1);
    const date = [...dates][0]!;
    expect(date).toMatch(/^2026-03-\d{2}$/);
    for (const issue of issues) expect(issue.duedate).toBe(date);
    // One task (RUNNING, then COMPLETE: two polls), its dates read back with one bulk fetch; no edit
    // per issue, where there were 12 before.
    expect(by('editIssue')).toBe(0);
    const tasks = dueTasks().slice(tasksBefore);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.editedFieldsInput.datePickerFields).toEqual([
      { fieldId: 'duedate', date: { formattedDate: jiraPickerDate(date) } },
    ]);
    expect(new Set(tasks[0]!.selectedIssueIdsOrKeys)).toEqual(new Set(issues.map((i) => i.id)));
    expect(by('getBulkOperationProgress')).toBe(2);
    expect(by('bulkFetchIssues')).toBe(1);
    expect(warnings.map((w) => w.m).filter((m) => /bulk|due date/.test(m))).toEqual([]);
  }, 90_000);

  it('issues whose edit screen lacks the due date: the task fails them, the edit per issue reports the field', async () => {
    const issues = incidents('BDS', '10012', 4);
    fake.editScreen = new Set(['summary', 'priority']);
    try {
      const by = await sweepProject('BDS');
      expect(by('submitBulkEdit')).toBe(1);
      expect(by('editIssue')).toBe(4);
      for (const issue of issues) expect(issue.duedate ?? null).toBeNull();
      expect(JSON.stringify(warnings)).toContain('Jira refused to set fields');
    } finally {
      fake.editScreen = null;
      warnings.length = 0;
    }
  }, 90_000);

  it('a site that reads the format otherwise: the dates read back wrong, the issues are edited one by one', async () => {
    const issues = incidents('BDM', '10013', 5);
    fake.bulkDateMisread = true;
    try {
      const by = await sweepProject('BDM');
      const date = wanted(issues[0]!);
      expect(date).not.toBeNull();
      // The task set the wrong day; the read-back saw it, and the edit per issue put the right one.
      expect([by('submitBulkEdit'), by('bulkFetchIssues'), by('editIssue')]).toEqual([1, 1, 5]);
      for (const issue of issues) expect(issue.duedate).toBe(date);
      expect(warnings.map((w) => w.m)).toContain(
        'a due date set in bulk read back wrong; setting the due date issue by issue',
      );
    } finally {
      fake.bulkDateMisread = false;
      warnings.length = 0;
    }
  }, 90_000);

  it('a format Jira refuses (400) stops the due date in bulk only; the edit per issue sets it', async () => {
    const issues = incidents('BDR', '10014', 4);
    const refuse = fake.bulkDateFormats;
    fake.bulkDateFormats = 'numeric';
    try {
      const by = await sweepProject('BDR');
      expect([by('submitBulkEdit'), by('editIssue')]).toEqual([1, 4]);
      for (const issue of issues) expect(issue.duedate).toBe(wanted(issue));
      expect(warnings.map((w) => w.m)).toContain('bulk due date edit refused; editing issue by issue');
      // The same adapter still edits labels in bulk after that refusal (a 403 would stop every kind).
      warnings.length = 0;
      const jira = new ForgeJira({ client: new JiraClient(), warn: (m, o) => void warnings.push({ m, o }) });
      const before = fake.calls.length;
      await jira.writeTickets(
        issues.map((i) => ({
          ticket: { id: i.id, key: i.key } as never,
          changes: { dueDate: '2026-03-20' },
        })),
        await store.getSettings(),
      );
      await jira.updateLabelsMany(issues.map((i) => ({ key: i.key, add: ['sla-at-risk'], remove: [] })));
      const ops = fake.calls.slice(before).map((c) => c.operationId);
      expect(ops.filter((o) => o === 'submitBulkEdit')).toHaveLength(2);
      expect(ops.filter((o) => o === 'editIssue')).toHaveLength(4);
      for (const issue of issues) {
        expect(issue.duedate).toBe('2026-03-20');
        expect(issue.labels).toContain('sla-at-risk');
      }
    } finally {
      fake.bulkDateFormats = refuse;
      warnings.length = 0;
    }
  }, 90_000);
});
