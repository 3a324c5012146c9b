/**
 * End to end through the real Forge entry points and the real @forge/api, @forge/kvs, @forge/sql and
 * @forge/events code: product event → queue → consumer → Jira calls over HTTP to the fake Jira (every
 * request and response validated against the Jira OpenAPI description) → SLA records in Forge SQL
 * (a real MariaDB when installed; .ci/run installs it).
 */
import { consume, onEvent, resolver, sweep } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { ForgeStore } from '../../src/adapters/store-forge';
import { SILENT_LOG } from '../../src/app/deps';
import { parseInstant } from '../../src/domain/calendar';
import {
  drainQueue,
  installFakeForge,
  startFakeJira,
  startMariaDb,
  type FakeForge,
  type FakeJira,
  type MariaDb,
} from '../support/fake-jira';

let fake: FakeJira;
let forge: FakeForge;
let db: MariaDb | null;
let memoryStore: MemoryStore | null = null;
let now = parseInstant('2026-03-10T12:00:00+03:00');

const instant = (v: unknown) => parseInstant(String(v).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
const writes = () => fake.count('updateMultipleCustomFieldValues');

async function deliver(event: Record<string, unknown>): Promise<void> {
  expect(await onEvent(event as never)).toBeUndefined();
  await drainQueue(forge, consume as never);
}

async function records(): Promise<Record<string, unknown>[]> {
  if (db) {
    const [rows] = await db.pool.query(
      'SELECT issue_key, kind, priority_class, due_at, clock_state FROM reglament_sla_records ORDER BY issue_key',
    );
    return rows as Record<string, unknown>[];
  }
  return [...memoryStore!.records.values()].map((r) => ({
    issue_key: r.key,
    kind: r.kind,
    priority_class: r.class,
    due_at: r.due,
    clock_state: r.state,
  }));
}

beforeAll(async () => {
  fake = await startFakeJira();
  db = await startMariaDb();
  if (!db) {
    console.warn(
      'MariaDB is not installed: SLA records use the in-memory store here (apt-get install mariadb-server; .ci/run does).',
    );
    memoryStore = new MemoryStore();
  }
  forge = installFakeForge({ jiraUrl: fake.url, ...(db ? { sql: db.executor } : {}) });
  overrideForgeDeps({ clock: () => now, log: SILENT_LOG, ...(memoryStore ? { store: memoryStore } : {}) });
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
  await db?.stop();
});

afterEach(() => {
  // Every request the adapter sent and every answer of the fake matched the Jira OpenAPI description.
  expect(fake.violations).toEqual([]);
});

describe('Forge app end to end', () => {
  it('installs: discovers issue types and priorities into the settings', async () => {
    await deliver({ eventType: 'avi:forge:installed:app' });
    const saved = forge.kvs.get('settings') as {
      issueTypes: { incident: string[]; error: string[] };
      priorityMap: { incident: Record<string, string> };
    };
    expect(saved.issueTypes).toEqual({ incident: ['Incident'], error: ['Bug'] });
    expect(saved.priorityMap.incident['5']).toBe('Highest');
  });

  it('writes SPEC §8 example 1 on creation: priority 5, reaction due 2026-03-10T16:30+03:00, Jira priority', async () => {
    const issue = fake.addIssue({ key: 'SUP-1', created: '2026-03-06T16:30:00+03:00' });
    fake.setField(issue, 'impact', 'high');
    fake.setField(issue, 'urgency', 'high');
    fake.setField(issue, 'mode', 'operation');
    fake.setField(issue, 'nature', 'failure');
    const before = fake.count();
    await deliver({ eventType: 'avi:jira:created:issue', issue: { id: issue.id, key: issue.key } });

    expect(fake.field(issue, 'slaPriority')).toBe(5);
    expect(fake.field(issue, 'slaState')).toBe('running');
    expect(instant(fake.field(issue, 'reactionDue'))).toBe(parseInstant('2026-03-10T16:30:00+03:00'));
    expect(fake.field(issue, 'fixDue')).toBeNull();
    expect(issue.priority).toBe('Highest');
    // calls: field discovery (then cached in KVS), one read, one bulk app-field write, one priority edit
    expect(fake.calls.slice(before).map((c) => c.operationId)).toEqual([
      'getFields',
      'getIssue',
      'updateMultipleCustomFieldValues',
      'editIssue',
    ]);
    expect(await records()).toEqual([
      expect.objectContaining({
        issue_key: 'SUP-1',
        kind: 'incident',
        priority_class: 'critical',
        due_at: '2026-03-10T16:30:00+03:00',
        clock_state: 'running',
      }),
    ]);
  });

  it('does not write when an update changed only the app’s own fields, nor for a redelivered event', async () => {
    const issue = fake.find('SUP-1')!;
    const w = writes();
    const edits = fake.count('editIssue');
    const event = {
      eventType: 'avi:jira:updated:issue',
      issue: { id: issue.id, key: issue.key },
      changelog: { items: [{ fieldId: fake.fieldIds.slaState }, { fieldId: fake.fieldIds.reactionDue }] },
    };
    await deliver(event);
    await deliver(event); // redelivery
    expect(fake.count('getIssue')).toBeGreaterThanOrEqual(3);
    expect(writes()).toBe(w);
    expect(fake.count('editIssue')).toBe(edits);
  });

  it('retries a 429 after the Retry-After wait, then writes', async () => {
    const issue = fake.find('SUP-1')!;
    fake.setField(issue, 'urgency', 'medium'); // 4 high → 16 working hours
    fake.failNext(1, { status: 429, retryAfter: '1', operationId: 'getIssue' });
    await deliver({ eventType: 'avi:jira:updated:issue', issue: { id: issue.id, key: issue.key } });
    const reads = fake.calls.filter((c) => c.operationId === 'getIssue').slice(-2);
    expect(reads.map((c) => c.status)).toEqual([429, 200]);
    expect(reads[1]!.at - reads[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(fake.field(issue, 'slaPriority')).toBe(4);
    // 16 working hours from Fri 16:30: 1.5 h Fri, Mon 9 Mar off, 8 h Tue, 6.5 h Wed → Wed 11 Mar 16:30
    expect(instant(fake.field(issue, 'reactionDue'))).toBe(parseInstant('2026-03-11T16:30:00+03:00'));
    expect(issue.priority).toBe('High');
  });

  it('turns persistent 503s into a queue retry (InvocationError), never a silent drop', async () => {
    const issue = fake.find('SUP-1')!;
    fake.setField(issue, 'urgency', 'high');
    overrideForgeDeps({
      clock: () => now,
      log: SILENT_LOG,
      client: { baseDelayMs: 5 },
      ...(memoryStore ? { store: memoryStore } : {}),
    });
    try {
      fake.failNext(4, { status: 503, operationId: 'getIssue' });
      await deliver({ eventType: 'avi:jira:updated:issue', issue: { id: issue.id, key: issue.key } });
      expect(forge.retries.at(-1)).toMatchObject({
        body: { type: 'issue', key: 'SUP-1' },
        reason: 'FUNCTION_RETRY_REQUEST',
      });
      expect(fake.field(issue, 'slaPriority')).toBe(5); // the retried delivery succeeded
    } finally {
      overrideForgeDeps({
        clock: () => now,
        log: SILENT_LOG,
        ...(memoryStore ? { store: memoryStore } : {}),
      });
    }
  });

  it('recomputes dependent errors when a version’s release date moves', async () => {
    fake.versions.push({
      id: '20001',
      projectId: '10000',
      name: '5.2.1',
      releaseDate: '2026-04-15',
      released: false,
    });
    const bug = fake.addIssue({
      key: 'SUP-2',
      issueType: fake.issueTypes[1]!,
      created: '2026-03-02T10:00:00+03:00',
    });
    fake.setField(bug, 'impact', 'high');
    fake.setField(bug, 'urgency', 'medium');
    fake.setField(bug, 'mode', 'operation');
    fake.setField(bug, 'workaround', 'moderate');
    await deliver({ eventType: 'avi:jira:created:issue', issue: { id: bug.id, key: bug.key } });
    expect(fake.field(bug, 'slaPriority')).toBe(5);
    expect(instant(fake.field(bug, 'fixDue'))).toBe(parseInstant('2026-04-15T18:00:00+03:00'));
    // verification: 5 working days from Mon 2 Mar → Mon 9 Mar is a day off → Tue 10 Mar 18:00
    expect(instant(fake.field(bug, 'verificationDue'))).toBe(parseInstant('2026-03-10T18:00:00+03:00'));

    fake.versions[0]!.releaseDate = '2026-04-22';
    await deliver({ eventType: 'avi:jira:updated:version', version: { id: '20001', projectId: '10000' } });
    expect(instant(fake.field(bug, 'fixDue'))).toBe(parseInstant('2026-04-22T18:00:00+03:00'));
    expect(fake.field('SUP-1', 'slaPriority')).toBe(5); // the incident was not in the version's scope
  });

  it('checks admin rights server-side (mypermissions as the calling user)', async () => {
    const call = (functionKey: string, payload: unknown, accountId: string) => {
      forge.user = accountId;
      return resolver({ call: { functionKey, payload }, context: {} } as never, { principal: { accountId } });
    };
    fake.admins.add('admin-1');
    expect(await call('saveSettings', { setDueDate: true }, 'agent-1')).toMatchObject({ ok: false });
    expect(await call('saveSettings', { setDueDate: 'yes' }, 'admin-1')).toMatchObject({
      ok: false,
      errors: [{ path: 'setDueDate' }],
    });
    expect(await call('saveSettings', { setDueDate: true }, 'admin-1')).toEqual({ ok: true });
    expect(await call('getSettings', {}, 'admin-1')).toMatchObject({
      setDueDate: true,
      canEdit: true,
      webhookSecretSet: false,
    });
    await expect(call('rotateWebhookSecret', {}, 'agent-1')).rejects.toThrow(/^forbidden/);
    await call('saveSettings', { setDueDate: false }, 'admin-1');
  });

  // One sweep run and the Jira calls it made.
  const run = async () => {
    const before = fake.calls.length;
    await sweep();
    await drainQueue(forge, consume as never);
    const calls = fake.calls.slice(before);
    return { calls, by: (op: string) => calls.filter((c) => c.operationId === op).length };
  };

  // Two tests, one after the other on the same 400 issues: each evaluates ~400 issues (~2,600 SQL
  // statements); together they exceeded the 90 s timeout under two CPU hogs on a loaded 2-core machine
  // (issue #14: no test may depend on the machine's speed).
  it('sweeps 400 new issues: discovers the unevaluated ones, 100 per page, each page written in bulk; an hour later reads nothing', async () => {
    for (let i = 0; i < 400; i++) {
      const issue = fake.addIssue({
        key: `LOAD-${i + 1}`,
        projectId: '10001',
        created: '2026-03-06T16:30:00+03:00',
        priority: 'Highest',
      });
      fake.setField(issue, 'impact', 'high');
      fake.setField(issue, 'urgency', 'high');
      fake.setField(issue, 'mode', 'operation');
      fake.setField(issue, 'nature', 'failure');
    }
    // No event told the app of these issues: the discovery search ("SLA state" EMPTY) finds them, 100
    // per page, each page written with one bulk app-field call.
    const first = await run();
    const issues = 400;
    expect(first.by('searchAndReconsileIssuesUsingJqlPost')).toBe(issues / 100);
    expect(first.by('updateMultipleCustomFieldValues')).toBe(issues / 100);
    expect(first.by('editIssue')).toBe(0); // Jira priority already right
    expect(first.by('getProjectVersions')).toBe(0); // incidents only
    expect(first.calls.length / issues).toBeLessThan(0.03);
    expect(fake.field('LOAD-399', 'slaState')).toBe('running');
    expect(instant(fake.field('LOAD-399', 'reactionDue'))).toBe(parseInstant('2026-03-10T16:30:00+03:00'));
    console.log(
      `first sweep of ${issues} new issues: ${first.calls.length} Jira calls (${(first.calls.length / issues).toFixed(3)} per issue)`,
    );

    // An hour later no clock is due (the next change is at risk at 14:30): the site's issue types (the
    // settings check every scan makes), one store query and one empty discovery search; nothing read.
    now = parseInstant('2026-03-10T13:00:00+03:00');
    const second = await run();
    expect(second.calls.map((c) => c.operationId)).toEqual([
      'getIssueAllTypes',
      'searchAndReconsileIssuesUsingJqlPost',
    ]);
  }, 90_000);

  it('sweeps the 400 issues when their reactions are at risk: reads only the clocks due, in batches, labels in bulk', async () => {
    // At 15:00 the 401 reactions (LOAD-*, SUP-1) are at risk: read in batches of 200 (key in …),
    // the state written in bulk, the label `sla-at-risk` added by bulk edit tasks, not per issue.
    now = parseInstant('2026-03-10T15:00:00+03:00');
    const third = await run();
    const changed = 401;
    expect(fake.field('LOAD-1', 'slaState')).toBe('at-risk');
    expect((await records()).filter((r) => r.clock_state === 'at-risk').length).toBe(changed);
    expect(fake.find('LOAD-400')!.labels).toContain('sla-at-risk');
    // 401 due records = 2 batches of 200 + SUP-1 alone: each batch's labels in one bulk task (and its
    // polls), the lone issue with one edit (a task costs more than that).
    expect(third.by('submitBulkEdit')).toBe(2);
    expect(third.by('editIssue')).toBe(1);
    const perChanged = third.calls.length / changed;
    console.log(
      `at-risk sweep: ${third.calls.length} Jira calls for ${changed} changed issues (${perChanged.toFixed(3)} per changed issue): ` +
        JSON.stringify(
          Object.fromEntries(
            [...new Set(third.calls.map((c) => c.operationId))].map((op) => [op, third.by(op)]),
          ),
        ),
    );
    expect(perChanged).toBeLessThan(0.1);
  }, 90_000);

  it('the hourly run fills the agreed deadline column a page at a time until none is left; a failure of it does not stop the sweep', async () => {
    if (!db) return; // The memory store keeps no such column.
    const fill = jest.spyOn(ForgeStore.prototype, 'fillAgreedDue');
    try {
      fill.mockResolvedValueOnce(500).mockResolvedValueOnce(500).mockResolvedValueOnce(7);
      fill.mockResolvedValueOnce(0);
      await run();
      expect(fill).toHaveBeenCalledTimes(4);
      fill.mockReset();
      fill.mockRejectedValueOnce(new Error('Forge SQL: query time quota exceeded'));
      const before = fake.calls.length;
      now = parseInstant('2026-03-10T17:00:00+03:00');
      await run();
      expect(fill).toHaveBeenCalledTimes(1);
      // The sweep ran after the failure: it read the clocks due (the reactions breach by 17:00).
      expect(fake.calls.length).toBeGreaterThan(before);
      expect(fake.field('LOAD-1', 'slaState')).toBe('breached');
    } finally {
      fill.mockRestore();
    }
  }, 90_000);
});
