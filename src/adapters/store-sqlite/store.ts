/**
 * Store on SQLite: settings document and SLA records (the Store port), through the portable
 * statements of src/adapters/sql. The driver is synchronous; the port is async for the other stores.
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
  aggregateFromRow,
  listAggregatesSql,
  listRollupSql,
  readDashboardBuckets,
  ROLLUP_PROJECTS_SQL,
  type MonthRange,
  liveRecordsSql,
  pendingBucketsSql,
  bucketDeltas,
  bucketWriteSql,
  rebuildBuckets,
  recordWriteDeltas,
  runIssuePage,
  staleAggregatesSql,
  sumBucketDeltas,
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
  multiRow,
  putSettingsDoc,
  recordFromRow,
  upsertRecord,
} from '../sql';
import { claimNoticeSql, listNoticesSql, noticeIdsFromRows, releaseNoticeSql } from '../sql/notices';
import { all, explicitTransaction, get, run, writeWhenFree, type SqliteDb } from './db';
import type { SqliteReader } from './reader';
import type { SqlStatement } from '../sql';

/** Changes when another connection commits (SQLite's `data_version`), read without touching a table. */
const DATA_VERSION: SqlStatement = { sql: 'PRAGMA data_version', params: [] };

/** Facts per multi-row insert (7 parameters each; far below SQLite's 32,766). */
const FACT_CHUNK = 200;

export class SqliteStore implements Store {
  private cached: Settings | null = null;
  /** The stored document the cached settings were read from (null: none stored). */
  private cachedJson: string | null = null;
  /** Incremented on every saved settings document (lets callers cache what they derive from it). */
  settingsVersion = 0;
  /** `PRAGMA data_version` when refreshSettings last read the document (another connection's commits change it). */
  private seenDataVersion: number | null = null;

  constructor(
    readonly db: SqliteDb,
    private readonly now: () => number = Date.now,
    /** Reads of the views on a second connection in a worker thread (a file database only). */
    private readonly reader?: SqliteReader,
    private readonly fallback: () => Settings = defaultSettings,
  ) {}

  /**
   * Settings are read on every event and change rarely: kept parsed in memory (deeply frozen, so no
   * caller can change the shared copy by accident), re-read after a save.
   */
  async getSettings(): Promise<Settings> {
    return this.getSettingsSync();
  }

  getSettingsSync(): Settings {
    if (!this.cached) {
      const row = get<{ doc: string }>(this.db, getSettingsDoc());
      const settings = row
        ? ({ ...this.fallback(), ...(JSON.parse(row.doc) as Settings) } as Settings)
        : this.fallback();
      this.cached = deepFreeze(settings);
      this.cachedJson = row?.doc ?? null;
    }
    return this.cached;
  }

  /**
   * Re-reads the settings when another connection saved them (issue #14: the ingest thread's store,
   * before each batch, sees what the main thread's admin page saved). @returns whether they changed.
   */
  refreshSettings(): boolean {
    if (!this.cached) return false;
    // Nothing committed by another connection since the last look (`data_version`, no table read):
    // nothing to re-read. Under load the ingest thread asked for the settings document before every
    // batch (session 20).
    const version = get<{ data_version: number }>(this.db, DATA_VERSION)?.data_version ?? null;
    if (version === this.seenDataVersion) return false;
    this.seenDataVersion = version;
    const doc = get<{ doc: string }>(this.db, getSettingsDoc())?.doc ?? null;
    if (doc === this.cachedJson) return false;
    this.cached = null;
    this.settingsVersion += 1;
    return true;
  }

  async saveSettings(settings: Settings): Promise<void> {
    const json = JSON.stringify(settings);
    // The lock waited for off the event loop (the ingest thread may be writing, issue #14).
    const s = putSettingsDoc('sqlite', json, new Date(this.now()).toISOString());
    await writeWhenFree(this.db, () => run(this.db, s));
    this.cached = deepFreeze(JSON.parse(json) as Settings);
    this.cachedJson = json;
    this.settingsVersion += 1;
  }

  /** Whether a settings document was ever saved (first start seeds one). */
  hasSettings(): boolean {
    return get(this.db, getSettingsDoc()) !== undefined;
  }

  /** The record and its compliance buckets (issue #14) in one transaction: the old record's out, the new one's in. */
  async upsertSlaRecord(row: SlaRecordRow): Promise<void> {
    await this.writeRecord(row.key, row);
  }

  async deleteSlaRecord(key: string): Promise<void> {
    await this.writeRecord(key, null);
  }

  /** Inside a batch's unit: at once; else in a transaction begun when the write lock is free. */
  private writeRecord(key: string, row: SlaRecordRow | null): void | Promise<void> {
    const zone = this.getSettingsSync().calendar.zone;
    return writeWhenFree(this.db, () => {
      const old = get(this.db, getRecord(key));
      run(this.db, row ? upsertRecord('sqlite', row) : deleteRecord(key));
      const before = old ? recordFromRow(old) : null;
      if (this.deferred) for (const d of bucketDeltas(before, row, zone)) this.deferred.push(d);
      else for (const s of recordWriteDeltas('sqlite', before, row, zone)) run(this.db, s);
    });
  }

  /**
   * The bucket changes of the records written in the worker batch in progress (`inBatch`), written
   * summed before its COMMIT; null outside a batch (each record's are written with it).
   */
  private deferred: AggRow[] | null = null;

  /**
   * Runs a worker batch (issue #14) whose records' bucket changes are summed and written once, at its
   * end, inside its transaction: the batch's events mostly share their buckets, so one upsert of each
   * table per batch instead of one per event. The records and their buckets still commit together.
   * No view sees the middle of a batch, where records are written and their buckets not yet: the
   * ingest thread's connection serves no view, and on the main thread a grouped batch runs in one
   * turn of the event loop (runGrouped does not yield; its units' awaits are SQLite's synchronous
   * calls), while the views read between turns, on the reader thread. An in-memory database (tests)
   * is not deferred (storage.ts). A unit that fails drops its changes (`inUnit`).
   */
  async inBatch<T>(fn: () => Promise<T>): Promise<T> {
    if (this.deferred) return fn();
    this.deferred = [];
    try {
      const out = await fn();
      for (const s of bucketWriteSql('sqlite', sumBucketDeltas(this.deferred))) run(this.db, s);
      return out;
    } finally {
      this.deferred = null;
    }
  }

  /** One unit of work of a batch (inside its savepoint): when it throws, its bucket changes are dropped. */
  async inUnit<T>(fn: () => Promise<T>): Promise<T> {
    const mark = this.deferred?.length ?? 0;
    try {
      return await fn();
    } catch (e) {
      if (this.deferred) this.deferred.length = mark;
      throw e;
    }
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
    // Both at once: the reader's two threads run them side by side (session 18).
    const [buckets, pending] = await Promise.all([this.read(s), p ? this.read(p) : []]);
    return [...buckets, ...pending].map(aggregateFromRow);
  }

  /** The settings' zone, after rebuilding the buckets when stale (see staleAggregatesSql), once per zone. */
  private async freshAggregates(): Promise<string> {
    const zone = this.getSettingsSync().calendar.zone;
    if (this.aggregatesZone !== zone) {
      if (get(this.db, staleAggregatesSql(zone))) await this.rebuildAggregates();
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
    return readDashboardBuckets(mode, range, projects, nowMs, zone, (st) => this.read(st));
  }

  async listAggregateProjects(): Promise<string[]> {
    await this.freshAggregates();
    return (await this.read(ROLLUP_PROJECTS_SQL)).map((r) => String(r.project_key));
  }

  async listLiveRecords(nowMs: number, projects?: string[], customer?: string): Promise<SlaRecordRow[]> {
    return (await this.read(liveRecordsSql(nowMs, projects, customer, { sqlite: true }))).map(recordFromRow);
  }

  /**
   * A view's read: on the reader's thread when there is one (the event loop stays free meanwhile),
   * else — and always inside a transaction, whose own writes only this connection sees — here.
   */
  private read(st: SqlStatement): Promise<Record<string, unknown>[]> | Record<string, unknown>[] {
    const reader = this.reader;
    return reader && reader.usable() && !this.db.inTransaction ? reader.all(st) : all(this.db, st);
  }

  async rebuildAggregates(): Promise<number> {
    const zone = this.getSettingsSync().calendar.zone;
    // One transaction, after any other explicit one on this connection (the worker's batch) ends.
    return explicitTransaction(this.db, () =>
      rebuildBuckets(
        'sqlite',
        zone,
        async (st) => all(this.db, st),
        async (st) => run(this.db, st),
      ),
    );
  }

  async listIssuePage(query: IssueQuery): Promise<IssuePage> {
    return runIssuePage(query, async (st) => this.read(st), { sqliteIndexes: true });
  }

  async getSlaRecord(key: string): Promise<SlaRecordRow | null> {
    const row = get(this.db, getRecord(key));
    return row ? recordFromRow(row) : null;
  }

  async listSlaRecords(filter: RecordFilter): Promise<SlaRecordRow[]> {
    return all(this.db, listRecords(filter)).map(recordFromRow);
  }

  /** Records due for the sweep (index on next_change_ms), one bounded batch. */
  async listDueSlaRecords(query: DueRecordsQuery): Promise<SlaRecordRow[]> {
    return all(this.db, listDueRecords(query)).map(recordFromRow);
  }

  /** Escalation notices already sent for an issue. */
  async listNotices(issueKey: string): Promise<string[]> {
    return noticeIdsFromRows(all(this.db, listNoticesSql(issueKey)));
  }

  /** Records a notice if absent (one statement, so concurrent claims have one winner). */
  async claimNotice(issueKey: string, notice: string): Promise<boolean> {
    return (
      (await writeWhenFree(this.db, () =>
        run(this.db, claimNoticeSql('sqlite', issueKey, notice, this.now())),
      )) === 1
    );
  }

  async releaseNotice(issueKey: string, notice: string): Promise<void> {
    await writeWhenFree(this.db, () => run(this.db, releaseNoticeSql(issueKey, notice)));
  }

  /**
   * Appends facts unless recorded (insert-if-absent by fact id): one multi-row statement per
   * FACT_CHUNK facts (issue #14: an event's 4–5 facts were as many statements).
   */
  async appendFacts(facts: readonly Fact[]): Promise<number> {
    if (facts.length === 0) return 0;
    const rows = facts.map((f) => insertFactSql('sqlite', f));
    return writeWhenFree(this.db, () => {
      let n = 0;
      for (let i = 0; i < rows.length; i += FACT_CHUNK)
        n += run(this.db, multiRow(rows.slice(i, i + FACT_CHUNK)));
      return n;
    });
  }

  async listFacts(issueId: string): Promise<Fact[]> {
    return factsFromRows(all(this.db, listFactsSql(issueId)));
  }

  async listFactsBetween(fromMs: number, toMs: number): Promise<Fact[]> {
    return factsFromRows(all(this.db, listFactsBetweenSql(fromMs, toMs)));
  }

  async getIssueMark(issueId: string): Promise<IssueMark | null> {
    return markFromRow(get(this.db, getMarkSql(issueId)));
  }

  async putIssueMark(issueId: string, mark: IssueMark): Promise<void> {
    await writeWhenFree(this.db, () => run(this.db, putMarkSql('sqlite', issueId, mark, this.now())));
  }

  /** Drops the in-memory settings (after another process changed them). */
  invalidate(): void {
    this.cached = null;
  }
}
