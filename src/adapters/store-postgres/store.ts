/**
 * Store on PostgreSQL: settings document, SLA records and escalation notices (the Store port),
 * through the portable statements of src/adapters/sql.
 *
 * Settings are read on every event: kept parsed in memory and re-read when older than
 * `settingsTtlMs`, so a change saved on another instance is seen there within that time.
 */
import type {
  DueRecordsQuery,
  IssueMark,
  IssuePage,
  IssueQuery,
  RecordFilter,
  Settings,
  SlaRecordRow,
  Store,
} from '../../app/ports';
import type { AggRow } from '../../domain/aggregates';
import type { AgreedCounting } from '../../domain/compliance-types';
import {
  AGGREGATES_TABLE,
  aggregateFromRow,
  listAggregatesSql,
  listRollupSql,
  readDashboardBuckets,
  ROLLUP_PROJECTS_SQL,
  type MonthRange,
  liveRecordsSql,
  pendingBucketsSql,
  rebuildBuckets,
  recordWriteDeltas,
  runIssuePage,
  staleAggregatesSql,
} from '../sql/aggregates';
import type { Fact } from '../../domain/ledger';
import {
  factsFromRows,
  getMarkSql,
  insertFactSql,
  listFactsBetweenSql,
  listFactsSql,
  markFromRow,
  putMarkSql,
} from '../sql/ledger';
import { defaultSettings } from '../../app/settings';
import { deepFreeze } from '../../domain/freeze';
import {
  deleteRecord,
  getRecord,
  getSettingsDoc,
  listDueRecords,
  listRecords,
  putSettingsDoc,
  recordFromRow,
  upsertRecord,
} from '../sql';
import { claimNoticeSql, listNoticesSql, noticeIdsFromRows, releaseNoticeSql } from '../sql/notices';
import type { PgDb } from './db';

import { RECORD_LOCK } from './batch';

export class PostgresStore implements Store {
  private cached: Settings | null = null;
  private cachedJson: string | null = null;
  private readAtMs = 0;
  /** Incremented whenever the settings in memory change (saved here, or seen changed in the database). */
  settingsVersion = 0;

  constructor(
    readonly db: PgDb,
    private readonly now: () => number = Date.now,
    private readonly fallback: () => Settings = defaultSettings,
    private readonly settingsTtlMs = 5_000,
  ) {}

  /** Reads the settings document into memory (at start, and when the copy is older than the TTL). */
  async load(): Promise<Settings> {
    const row = await this.db.get<{ doc: string }>(getSettingsDoc());
    const json = row?.doc ?? null;
    if (this.cached === null || json !== this.cachedJson) {
      this.cached = deepFreeze(
        json ? ({ ...this.fallback(), ...(JSON.parse(json) as Settings) } as Settings) : this.fallback(),
      );
      this.cachedJson = json;
      this.settingsVersion += 1;
    }
    this.readAtMs = Date.now();
    return this.cached;
  }

  async getSettings(): Promise<Settings> {
    if (this.cached && Date.now() - this.readAtMs < this.settingsTtlMs) return this.cached;
    return this.load();
  }

  /** The settings in memory (call `load()` once first); re-read in the background past the TTL. */
  getSettingsSync(): Settings {
    if (!this.cached) throw new Error('PostgresStore: settings not loaded yet (call load() first)');
    if (Date.now() - this.readAtMs >= this.settingsTtlMs) {
      this.readAtMs = Date.now();
      void this.load().catch(() => undefined);
    }
    return this.cached;
  }

  async saveSettings(settings: Settings): Promise<void> {
    const json = JSON.stringify(settings);
    await this.db.run(putSettingsDoc('postgres', json, new Date(this.now()).toISOString()));
    this.cached = deepFreeze(JSON.parse(json) as Settings);
    this.cachedJson = json;
    this.readAtMs = Date.now();
    this.settingsVersion += 1;
  }

  async hasSettings(): Promise<boolean> {
    return (await this.db.get(getSettingsDoc())) !== undefined;
  }

  /** Another named document of the settings table (e.g. the demo data's marker), or null. */
  async getDoc(name: string): Promise<string | null> {
    return (await this.db.get<{ doc: string }>(getSettingsDoc(name)))?.doc ?? null;
  }

  async putDoc(name: string, doc: string): Promise<void> {
    await this.db.run(putSettingsDoc('postgres', doc, new Date(this.now()).toISOString(), name));
  }

  /** The record and its compliance buckets (issue #14) in one transaction: the old record's out, the new one's in. */
  async upsertSlaRecord(row: SlaRecordRow): Promise<void> {
    await this.writeRecord(row.key, row);
  }

  async deleteSlaRecord(key: string): Promise<void> {
    await this.writeRecord(key, null);
  }

  private async writeRecord(key: string, row: SlaRecordRow | null): Promise<void> {
    // Inside the worker's batch: kept, written with the batch's other records (see PgBatch).
    const batch = this.db.batch();
    if (batch) return batch.writeRecord(key, row);
    const zone = (await this.getSettings()).calendar.zone;
    await this.db.tx(async (c) => {
      // Writers of one issue take turns (two would both take out the same old record); a rebuild
      // holds the buckets table meanwhile, and a write waits for it (see rebuildAggregates).
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [RECORD_LOCK, key]);
      const old = await this.db.get(getRecord(key), c);
      await this.db.run(row ? upsertRecord('postgres', row) : deleteRecord(key), c);
      for (const st of recordWriteDeltas('postgres', old ? recordFromRow(old) : null, row, zone))
        await this.db.run(st, c);
    });
  }

  /** The zone whose buckets were checked (see staleAggregatesSql). */
  private aggregatesZone: string | null = null;

  /**
   * The buckets of one reading (that count in `range`, when given); rebuilt first when they are
   * missing (a database upgraded to schema 4 with records) or in another zone than the settings'.
   */
  async listAggregates(
    mode: AgreedCounting,
    projects?: string[],
    range?: MonthRange,
    merged?: boolean,
    nowMs?: number,
    customer?: string,
  ): Promise<AggRow[]> {
    const zone = await this.freshAggregates();
    // Merged over projects for some months: the rollup's rows of those months (migration 8); the
    // rollup has no customers, so one customer's are summed from the buckets.
    const s =
      merged && range && !customer
        ? listRollupSql(mode, range, projects)
        : listAggregatesSql(mode, projects, range, merged, customer);
    const p =
      range && nowMs !== undefined ? pendingBucketsSql(nowMs, zone, range, projects, merged, customer) : null;
    // Both at once, on two connections of the pool (session 18).
    const [buckets, pending] = await Promise.all([this.db.all(s), p ? this.db.all(p) : []]);
    return [...buckets, ...pending].map(aggregateFromRow);
  }

  /** The settings' zone, after rebuilding the buckets when stale (see staleAggregatesSql), once per zone. */
  private async freshAggregates(): Promise<string> {
    const zone = (await this.getSettings()).calendar.zone;
    if (this.aggregatesZone !== zone) {
      if (await this.db.get(staleAggregatesSql(zone))) await this.rebuildAggregates();
      this.aggregatesZone = zone;
    }
    return zone;
  }

  async listDashboardBuckets(
    mode: AgreedCounting,
    range: MonthRange,
    projects: string[],
    nowMs: number,
  ): Promise<{ figures: AggRow[]; trend: AggRow[] }> {
    const zone = await this.freshAggregates();
    return readDashboardBuckets(mode, range, projects, nowMs, zone, (st) => this.db.all(st));
  }

  async listAggregateProjects(): Promise<string[]> {
    await this.freshAggregates();
    return (await this.db.all(ROLLUP_PROJECTS_SQL)).map((r) => String(r.project_key));
  }

  async listLiveRecords(nowMs: number, projects?: string[], customer?: string): Promise<SlaRecordRow[]> {
    return (await this.db.all(liveRecordsSql(nowMs, projects, customer))).map(recordFromRow);
  }

  /**
   * Rebuilds the buckets in one transaction holding the buckets table exclusively: a record write
   * waits, then applies its change on top of the rebuilt counts (it read its old record before).
   */
  async rebuildAggregates(): Promise<number> {
    const zone = (await this.getSettings()).calendar.zone;
    return this.db.tx(async (c) => {
      await c.query(`LOCK TABLE ${AGGREGATES_TABLE} IN EXCLUSIVE MODE`);
      return rebuildBuckets(
        'postgres',
        zone,
        (st) => this.db.all(st, c),
        (st) => this.db.run(st, c),
      );
    });
  }

  async listIssuePage(query: IssueQuery): Promise<IssuePage> {
    return runIssuePage(query, (st) => this.db.all(st), { openFirst: true });
  }

  async getSlaRecord(key: string): Promise<SlaRecordRow | null> {
    const batch = this.db.batch();
    if (batch) return batch.getRecord(key);
    const row = await this.db.get(getRecord(key));
    return row ? recordFromRow(row) : null;
  }

  async listSlaRecords(filter: RecordFilter): Promise<SlaRecordRow[]> {
    return (await this.db.all(listRecords(filter))).map(recordFromRow);
  }

  /** Records due for the sweep (index on next_change_ms), one bounded batch. */
  async listDueSlaRecords(query: DueRecordsQuery): Promise<SlaRecordRow[]> {
    return (await this.db.all(listDueRecords(query))).map(recordFromRow);
  }

  async listNotices(issueKey: string): Promise<string[]> {
    return noticeIdsFromRows(await this.db.all(listNoticesSql(issueKey)));
  }

  /** Records a notice if absent (one statement: across instances, one claim wins). */
  async claimNotice(issueKey: string, notice: string): Promise<boolean> {
    return (await this.db.run(claimNoticeSql('postgres', issueKey, notice, this.now()))) === 1;
  }

  async releaseNotice(issueKey: string, notice: string): Promise<void> {
    await this.db.run(releaseNoticeSql(issueKey, notice));
  }

  /** Appends facts unless recorded (insert-if-absent by fact id). */
  async appendFacts(facts: readonly Fact[]): Promise<number> {
    const batch = this.db.batch();
    if (batch) return batch.appendFacts(facts);
    let n = 0;
    for (const f of facts) n += await this.db.run(insertFactSql('postgres', f));
    return n;
  }

  async listFacts(issueId: string): Promise<Fact[]> {
    const batch = this.db.batch();
    if (batch) return batch.listFacts(issueId);
    return factsFromRows(await this.db.all(listFactsSql(issueId)));
  }

  async listFactsBetween(fromMs: number, toMs: number): Promise<Fact[]> {
    return factsFromRows(await this.db.all(listFactsBetweenSql(fromMs, toMs)));
  }

  async getIssueMark(issueId: string): Promise<IssueMark | null> {
    const batch = this.db.batch();
    if (batch) return batch.getMark(issueId);
    return markFromRow(await this.db.get(getMarkSql(issueId)));
  }

  async putIssueMark(issueId: string, mark: IssueMark): Promise<void> {
    const batch = this.db.batch();
    if (batch) return batch.putMark(issueId, mark);
    await this.db.run(putMarkSql('postgres', issueId, mark, this.now()));
  }

  /** Drops the in-memory settings: the next read goes to the database. */
  invalidate(): void {
    this.readAtMs = 0;
  }
}
