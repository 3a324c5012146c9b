/**
 * Escalation notices in Forge SQL (src/adapters/sql/notices.ts through ForgeStore): the real @forge/sql
 * client and migrationRunner against MariaDB standing in for Forge SQL (utf8mb4, binary collation, as
 * TiDB). A claim is `INSERT IGNORE`, decided by the affected-row count, so concurrent deliveries get
 * exactly one winner. Skips, saying so, without MariaDB.
 */
import { ForgeStore } from '../../src/adapters/store-forge';
import { forgeKvs, forgeSql } from '../../src/adapters/store-forge/forge-sql';
import Database from 'better-sqlite3';
import {
  MAX_NOTICE_ID,
  NOTICES_TABLE,
  claimNoticeSql,
  listNoticesSql,
  noticeIdsFromRows,
  noticesSchema,
  releaseNoticeSql,
} from '../../src/adapters/sql/notices';
import {
  installFakeForge,
  mariaDbAvailable,
  startMariaDb,
  type FakeForge,
  type MariaDb,
} from '../support/fake-jira';

describe('notices SQL on SQLite (the self-hosted store’s dialect)', () => {
  it('claims once (ON CONFLICT DO NOTHING, changes = 1), lists by issue, releases', () => {
    const db = new Database(':memory:');
    for (const ddl of noticesSchema('sqlite')) db.exec(ddl);
    for (const ddl of noticesSchema('sqlite')) db.exec(ddl); // idempotent
    const claim = (key: string, id: string) => {
      const s = claimNoticeSql('sqlite', key, id, 1_773_151_200_000);
      return db.prepare(s.sql).run(...s.params).changes === 1;
    };
    expect(claim('SUP-1', 'reaction:at-risk')).toBe(true);
    expect(claim('SUP-1', 'reaction:at-risk')).toBe(false);
    expect(claim('SUP-1', 'fixed:SUP-7:6.0.1')).toBe(true);
    const list = listNoticesSql('SUP-1');
    expect(noticeIdsFromRows(db.prepare(list.sql).all(...list.params) as Record<string, unknown>[])).toEqual([
      'fixed:SUP-7:6.0.1',
      'reaction:at-risk',
    ]);
    const release = releaseNoticeSql('SUP-1', 'reaction:at-risk');
    expect(db.prepare(release.sql).run(...release.params).changes).toBe(1);
    expect(claim('SUP-1', 'reaction:at-risk')).toBe(true);
    expect(claimNoticeSql('mysql', 'SUP-1', 'a', 0).sql).toBe(
      `INSERT IGNORE INTO ${NOTICES_TABLE} (issue_key, notice_id, created_ms) VALUES (?, ?, ?)`,
    );
    db.close();
  });
});

const available = mariaDbAvailable();
if (!available)
  console.warn(
    'SKIPPED test/forge/escalation-store.test.ts: MariaDB is not installed (apt-get install mariadb-server; .ci/run installs it).',
  );

(available ? describe : describe.skip)('ForgeStore notices on MariaDB (Forge SQL stand-in)', () => {
  let db: MariaDb;
  let forge: FakeForge;
  let store: ForgeStore;
  const now = Date.parse('2026-03-10T14:00:00Z');

  beforeAll(async () => {
    db = (await startMariaDb())!;
    forge = installFakeForge({ jiraUrl: 'http://127.0.0.1:9', sql: db.executor });
    store = new ForgeStore(forgeKvs, forgeSql, () => now);
  }, 60_000);

  afterAll(async () => {
    forge?.uninstall();
    await db?.stop();
  });

  it('claims a notice once, lists it, and gives it back on release', async () => {
    expect(await store.listNotices('SUP-1')).toEqual([]);
    expect(await store.claimNotice('SUP-1', 'reaction:at-risk')).toBe(true);
    expect(await store.claimNotice('SUP-1', 'reaction:at-risk')).toBe(false);
    expect(await store.claimNotice('SUP-1', 'reaction:breached')).toBe(true);
    expect(await store.claimNotice('SUP-2', 'reaction:at-risk')).toBe(true); // per issue
    expect(await store.listNotices('SUP-1')).toEqual(['reaction:at-risk', 'reaction:breached']);
    await store.releaseNotice('SUP-1', 'reaction:breached');
    expect(await store.listNotices('SUP-1')).toEqual(['reaction:at-risk']);
    expect(await store.claimNotice('SUP-1', 'reaction:breached')).toBe(true);
    const [rows] = await db.pool.query(
      `SELECT issue_key, notice_id, created_ms FROM ${NOTICES_TABLE} WHERE issue_key = 'SUP-2'`,
    );
    expect(rows).toEqual([{ issue_key: 'SUP-2', notice_id: 'reaction:at-risk', created_ms: now }]);
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
  });

  it('gives exactly one of eight concurrent claims the notice', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        new ForgeStore(forgeKvs, forgeSql).claimNotice('SUP-3', 'fix:breached'),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.listNotices('SUP-3')).toEqual(['fix:breached']);
  });

  it('keeps long and non-ASCII ids apart, case-sensitively, and refuses ids beyond the column', async () => {
    const split = `split:${Array.from({ length: 20 }, (_, i) => `SUPPORTDESK-${12000 + i}`).join(',')}`;
    expect(split.length).toBeLessThanOrEqual(MAX_NOTICE_ID);
    expect(await store.claimNotice('SUP-4', split)).toBe(true);
    expect(await store.claimNotice('SUP-4', 'visit:2026-05-08 — выезд')).toBe(true);
    expect(await store.claimNotice('SUP-4', 'Visit:2026-05-08 — выезд')).toBe(true);
    expect(await store.claimNotice('SUP-4', split)).toBe(false);
    expect(await store.listNotices('SUP-4')).toEqual(
      [split, 'Visit:2026-05-08 — выезд', 'visit:2026-05-08 — выезд'].sort(),
    );
    await expect(store.claimNotice('SUP-4', 'x'.repeat(MAX_NOTICE_ID + 1))).rejects.toThrow(
      'notice: id must be 1–512 characters',
    );
  });
});
