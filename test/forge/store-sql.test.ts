/**
 * The Forge store on a real MySQL-compatible server: the records statements through the real
 * @forge/sql client and its migrationRunner (transport routed to MariaDB), settings and the webhook
 * secret through the real @forge/kvs client (in-memory KVS). Skips, saying so, without MariaDB.
 */
import { ForgeStore } from '../../src/adapters/store-forge';
import { forgeKvs, forgeSql } from '../../src/adapters/store-forge/forge-sql';
import type { SlaRecordRow } from '../../src/app/ports';
import {
  installFakeForge,
  mariaDbAvailable,
  startMariaDb,
  type FakeForge,
  type MariaDb,
} from '../support/fake-jira';

const available = mariaDbAvailable();
if (!available)
  console.warn(
    'SKIPPED test/forge/store-sql.test.ts: MariaDB is not installed (apt-get install mariadb-server; .ci/run installs it).',
  );

const row = (key: string, over: Partial<SlaRecordRow> = {}): SlaRecordRow => ({
  key,
  project: key.split('-')[0]!,
  kind: 'error',
  class: 'medium',
  priority: 5,
  registeredAt: '2026-03-02T10:00:00+03:00',
  due: '2026-04-15T18:00:00+03:00',
  doneAt: null,
  agreed: false,
  state: 'running',
  verificationDue: '2026-03-10T18:00:00+03:00',
  estimateAt: null,
  summary: 'Сбой печати — «ошибка» −3',
  verdictJson: JSON.stringify({ key, note: 'модификатор −3' }),
  updatedAt: '2026-03-10T12:00:00+03:00',
  nextChangeMs: null,
  ...over,
});

(available ? describe : describe.skip)('ForgeStore on MariaDB (Forge SQL stand-in)', () => {
  let db: MariaDb;
  let forge: FakeForge;
  let store: ForgeStore;

  beforeAll(async () => {
    db = (await startMariaDb())!;
    forge = installFakeForge({ jiraUrl: 'http://127.0.0.1:9', sql: db.executor });
    store = new ForgeStore(forgeKvs, forgeSql);
  }, 60_000);

  afterAll(async () => {
    forge?.uninstall();
    await db?.stop();
  });

  it('creates the table once through migrationRunner and round-trips a record (utf8mb4)', async () => {
    await store.upsertSlaRecord(row('SUP-1'));
    expect(await store.getSlaRecord('SUP-1')).toEqual(row('SUP-1'));
    await store.upsertSlaRecord(row('SUP-1', { state: 'breached', doneAt: '2026-04-20T12:00:00+03:00' }));
    expect(await store.getSlaRecord('SUP-1')).toMatchObject({
      state: 'breached',
      doneAt: '2026-04-20T12:00:00+03:00',
    });
    const [migrations] = await db.pool.query('SELECT name FROM __migrations ORDER BY id');
    expect((migrations as { name: string }[]).map((m) => m.name)).toEqual([
      'v001_records_0',
      'v002_notices_0',
      'v003_ledger_0',
      'v003_ledger_1',
      'v005_next_change_0',
      'v005_next_change_1',
      'v005_next_change_2',
      'v004_aggregates_0',
      'v004_aggregates_1',
      'v004_aggregates_2',
      'v004_aggregates_3',
      'v004_aggregates_4',
      'v004_aggregates_5',
      'v004_aggregates_6',
      'v004_aggregates_7',
      'v006_contracts_0',
      'v006_contracts_1',
      'v006_contracts_2',
      'v007_pending_index_0',
      'v007_pending_index_1',
      'v010_aggregates_shadow_0',
      'v011_aggregates_customer_0',
      'v011_aggregates_customer_1',
      'v011_aggregates_customer_2',
      'v011_aggregates_customer_3',
      'v012_agreed_due_0',
      'v013_state_due_wide_0',
      'v013_state_due_wide_1',
    ]);
    await new ForgeStore(forgeKvs, forgeSql).getSlaRecord('SUP-1'); // a new process: no second migration
    const [again] = await db.pool.query('SELECT COUNT(*) AS n FROM __migrations');
    expect((again as { n: number }[])[0]!.n).toBe(28);
  });

  it('sweep query (v005): only records whose next change has come, by key, 200 at a time, through the index', async () => {
    const rows = Array.from({ length: 500 }, (_, i) =>
      row(`DUE-${String(i).padStart(4, '0')}`, {
        // every 10th clock changes by T = 5,000; the others later, or never (closed)
        nextChangeMs: i % 10 === 0 ? 1_000 + i : i % 3 === 0 ? null : 10_000 + i,
      }),
    );
    for (let i = 0; i < rows.length; i += 50)
      await Promise.all(rows.slice(i, i + 50).map((r) => store.upsertSlaRecord(r)));
    const first = await store.listDueSlaRecords({ untilMs: 5_000, afterKey: null, limit: 30 });
    expect(first.map((r) => r.key)).toEqual(
      Array.from({ length: 30 }, (_, k) => `DUE-${String(k * 10).padStart(4, '0')}`),
    );
    expect(first[0]).toMatchObject({ nextChangeMs: 1_000, verdictJson: '' });
    const rest = await store.listDueSlaRecords({ untilMs: 5_000, afterKey: first[29]!.key, limit: 200 });
    expect(rest).toHaveLength(20);
    // MariaDB reads it through the (next_change_ms, issue_key) index, not a scan of the table.
    const [plan] = await db.pool.query(
      'EXPLAIN SELECT issue_key FROM reglament_sla_records WHERE next_change_ms IS NOT NULL AND next_change_ms <= 5000 ORDER BY issue_key LIMIT 200',
    );
    expect(JSON.stringify(plan)).toMatch(/reglament_records_next_change/);
    for (const r of rows) await store.deleteSlaRecord(r.key); // the paging test below counts the table
  }, 60_000);

  // 2,500 records written: ~30 s at load 11 on 2 cores, 57 s under two CPU hogs; the timeout is no speed check (#14).
  it('lists by project and kind in pages, without the verdict JSON, and deletes', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) =>
      row(`BIG-${String(i).padStart(5, '0')}`, { kind: i % 2 ? 'incident' : 'error' }),
    );
    // 50 writes in flight at a time (the pool's connections), not 2,500 round trips one after another.
    for (let i = 0; i < rows.length; i += 50)
      await Promise.all(rows.slice(i, i + 50).map((r) => store.upsertSlaRecord(r)));
    const errors = await store.listSlaRecords({ projects: ['BIG'], kind: 'error' });
    expect(errors).toHaveLength(1250);
    expect(errors[0]).toMatchObject({ key: 'BIG-00000', verdictJson: '' });
    expect((await store.listSlaRecords({})).length).toBe(2501);
    await store.deleteSlaRecord('BIG-00000');
    expect(await store.getSlaRecord('BIG-00000')).toBeNull();
  }, 99_000);

  it('keeps the webhook secret in KVS secret storage, not in the settings document', async () => {
    const s = await store.getSettings();
    expect(s.webhookSecret).toBeUndefined();
    await store.saveSettings({ ...s, setDueDate: true, webhookSecret: 'abc' });
    expect(forge.kvs.get('settings')).toMatchObject({ setDueDate: true });
    expect(JSON.stringify(forge.kvs.get('settings'))).not.toContain('abc');
    expect(forge.secrets.get('webhook-secret')).toBe('abc');
    expect(await store.getSettings()).toMatchObject({ setDueDate: true, webhookSecret: 'abc' });
  });
});
