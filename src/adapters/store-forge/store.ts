/**
 * Store on Forge storage: settings in KVS (the webhook secret in KVS secret storage), SLA records and
 * escalation notices in Forge SQL (MySQL-compatible) with the portable statements of src/adapters/sql.
 * The schema is applied through @forge/sql's migrationRunner once per process before the first query.
 */
import { createHash } from 'node:crypto';
import type {
  DashboardParts,
  DashboardQuery,
  DueRecordsQuery,
  IssueMark,
  IssuePage,
  IssueQuery,
  RecordFilter,
  Settings,
  SlaRecordRow,
  Store,
} from '../../app/ports';
import type { Fact } from '../../domain/ledger';
import {
  factsFromRows,
  getMarkSql,
  insertFactSql,
  ledgerSchema,
  listFactsBetweenSql,
  listFactsSql,
  markFromRow,
  putMarkSql,
} from '../sql/ledger';
import { defaultSettings } from '../../app/settings';
import { AppError } from '../../app/errors';
import {
  RECORD_COLUMNS,
  TABLES,
  agreedDueSchema,
  deleteRecord,
  getRecord,
  inList,
  listDueRecords,
  nextChangeSchema,
  contractsSchema,
  recordFromRow,
  schemaStatements,
  upsertRecord,
  type SqlValue,
} from '../sql';
import { addBuckets, bucketId, contributions, type AggRow } from '../../domain/aggregates';
import { agreedDueMs, toSlaRecord } from '../../app/sla-record';
import type { AgreedCounting } from '../../domain/compliance-types';
import {
  AGGREGATES_TABLE,
  CLEAR_AGGREGATES_SQL,
  addToBucketsSql,
  aggregateFromRow,
  aggregatesSchema,
  pendingIndexSchema,
  liveRecordsSql,
  pendingBucketsSql,
  dashboardBucketsPreReducedSql,
  customerIndexSchema,
  stateCustomerIndexSchema,
  stateDueWideSchema,
  listAggregatesSql,
  recordWriteDeltas,
  runIssuePage,
  staleAggregatesSql,
  type MonthRange,
} from '../sql/aggregates';
import { dashboardListsFromRows, dashboardListsSql } from '../sql/dashboard';
import {
  claimNoticeSql,
  listNoticesSql,
  noticeIdsFromRows,
  noticesSchema,
  releaseNoticeSql,
} from '../sql/notices';

/** The part of @forge/kvs the store uses (a Map-backed fake in tests). */
export interface KvsLike {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  getSecret(key: string): Promise<unknown>;
  setSecret(key: string, value: unknown): Promise<unknown>;
}

/** Runs one SQL statement (Forge SQL: one statement per query) and returns its rows. */
export interface SqlRunner {
  query(sql: string, params: SqlValue[]): Promise<Record<string, unknown>[]>;
  /** Runs one data-changing statement and returns how many rows it affected. */
  execute(sql: string, params: SqlValue[]): Promise<{ affectedRows: number }>;
  /** Applies the named DDL migrations in order, each once (Forge: migrationRunner). */
  migrate(migrations: { name: string; sql: string }[]): Promise<void>;
}

export const SETTINGS_KEY = 'settings';
export const WEBHOOK_SECRET_KEY = 'webhook-secret';
/** KVS keys of generic-webhook deliveries: `delivery:` and the SHA-256 of the delivery id (KVS keys allow few characters). */
export const DELIVERY_KEY_PREFIX = 'delivery:';

/** The migrations of the SLA records table (names are permanent: never rename or reorder). */
export function recordMigrations(): { name: string; sql: string }[] {
  return schemaStatements('mysql', ['records']).map((sql, i) => ({ name: `v001_records_${i}`, sql }));
}

/** The migrations of the escalation notices table (src/adapters/sql/notices.ts). */
export function noticeMigrations(): { name: string; sql: string }[] {
  return noticesSchema('mysql').map((sql, i) => ({ name: `v002_notices_${i}`, sql }));
}

/** The migrations of the SLA ledger tables (src/adapters/sql/ledger.ts). */
export function ledgerMigrations(): { name: string; sql: string }[] {
  return ledgerSchema('mysql').map((sql, i) => ({ name: `v003_ledger_${i}`, sql }));
}

/** Schema 5: each record's next state-change instant and its index (src/adapters/sql/records.ts). */
export function nextChangeMigrations(): { name: string; sql: string }[] {
  return nextChangeSchema('mysql').map((sql, i) => ({ name: `v005_next_change_${i}`, sql }));
}

/** Schema 4 (issue #14): the compliance buckets table and the list indexes (src/adapters/sql/aggregates.ts). */
export function aggregateMigrations(): { name: string; sql: string }[] {
  return aggregatesSchema('mysql').map((sql, i) => ({ name: `v004_aggregates_${i}`, sql }));
}

/** Schema 6 (issue #17): each record's customer and contract, and the customer index. */
export function contractMigrations(): { name: string; sql: string }[] {
  return contractsSchema().map((sql, i) => ({ name: `v006_contracts_${i}`, sql }));
}

/** Schema 7 (issue #14): the open-records index widened for the pending correction. */
export function pendingIndexMigrations(): { name: string; sql: string }[] {
  return pendingIndexSchema('mysql').map((sql, i) => ({ name: `v007_pending_index_${i}`, sql }));
}

/**
 * The second buckets table a paged rebuild fills before it switches the views to it (issue #14): a
 * copy of the buckets table's shape, so it follows whatever columns earlier migrations gave that.
 */
export const SHADOW_AGGREGATES_TABLE = `${AGGREGATES_TABLE}_b`;

/** Schema v010 (issue #14): the shadow buckets table of the paged rebuild. */
export function shadowAggregateMigrations(): { name: string; sql: string }[] {
  return [
    {
      name: 'v010_aggregates_shadow_0',
      sql: `CREATE TABLE IF NOT EXISTS ${SHADOW_AGGREGATES_TABLE} LIKE ${AGGREGATES_TABLE}`,
    },
  ];
}

/** Schema v011 (issue #17): one customer's buckets by index (both bucket tables), and its open records by state. */
export function customerIndexMigrations(): { name: string; sql: string }[] {
  return [
    ...customerIndexSchema('mysql'),
    ...customerIndexSchema('mysql', SHADOW_AGGREGATES_TABLE),
    ...stateCustomerIndexSchema('mysql'),
  ].map((sql, i) => ({ name: `v011_aggregates_customer_${i}`, sql }));
}

/**
 * Schema v012 (issue #14): each agreed record's agreed deadline as a column (agreedDueSchema): the
 * settled open agreed records are left out of the live read in SQL, so they no longer count towards
 * its bound (LIVE_MAX). Rows written before it stay NULL (read live, as before) until rewritten.
 */
export function agreedDueMigrations(): { name: string; sql: string }[] {
  return agreedDueSchema('mysql').map((sql, i) => ({ name: `v012_agreed_due_${i}`, sql }));
}

/**
 * Schema v013 (issue #14, session 19): the records by state and deadline widened with every column the
 * issue list filters on (stateDueWideSchema), so a list of one state over the whole history is counted
 * from the index alone (MariaDB, 100,000 records: the met errors' page and count 293 ms before).
 */
export function stateDueWideMigrations(): { name: string; sql: string }[] {
  return stateDueWideSchema('mysql').map((sql, i) => ({ name: `v013_state_due_wide_${i}`, sql }));
}

/** Every migration of the store, in order (append only: v004 came after v005, v006 after v004). */
export function storeMigrations(): { name: string; sql: string }[] {
  return [
    ...recordMigrations(),
    ...noticeMigrations(),
    ...ledgerMigrations(),
    ...nextChangeMigrations(),
    ...aggregateMigrations(),
    ...contractMigrations(),
    ...pendingIndexMigrations(),
    ...shadowAggregateMigrations(),
    ...customerIndexMigrations(),
    ...agreedDueMigrations(),
    ...stateDueWideMigrations(),
  ];
}

/** KVS key of the buckets' state: the table the views read and the paged rebuild under way, if any. */
export const AGGREGATES_STATE_KEY = 'aggregates';

/** Which of the two buckets tables: `a` the original, `b` the shadow of v010. */
export type BucketTable = 'a' | 'b';

/** A paged rebuild under way (KVS, under AGGREGATES_STATE_KEY), one step per queue event. */
export interface RebuildRun {
  id: string;
  /** The zone the buckets are cut in (the settings' at the start). */
  zone: string;
  /** The table being filled; the views read the other one until the switch. */
  target: BucketTable;
  /** Records up to this key (inclusive) are counted in the target; '' none yet. */
  cursor: string;
  /**
   * A page up to this key was being added to the target and did not finish (the invocation died):
   * the target's count of it is unknown, so the next delivery starts the rebuild again.
   */
  inflight: string | null;
  /** The `after` of the step that brought the cursor here, and whether its next event was pushed. */
  from: string | null;
  pushed: boolean;
  records: number;
  pages: number;
}

export interface AggregatesState {
  active: BucketTable;
  rebuild: RebuildRun | null;
}

/** The queue event of one rebuild step: the run and the cursor it continues from. */
export interface RebuildEvent {
  id: string;
  after: string;
}

/** What one step did: the next event to push (null: finished, or a late or repeated delivery). */
export interface RebuildStepResult {
  next: RebuildEvent | null;
  pages: number;
  records: number;
  /** The step found its run switched in: the views now read the rebuilt table. */
  switched: boolean;
  /** The step found a page of an earlier delivery unfinished and started the rebuild again. */
  restarted: boolean;
}

/** Facts per query of the ledger export (~1 KiB each: well inside Forge SQL's 4 MiB answer). */
export const FACTS_PAGE = 1000;

/** Records read per SQL page of a rebuild (without their verdict JSON: ~0.3 KiB each). */
export const REBUILD_PAGE = 2000;
/** Records one rebuild step (one consumer invocation) counts at most: 25 pages. */
export const REBUILD_STEP_RECORDS = 50_000;

/** Open agreed records whose agreed deadline column one `fillAgreedDue` call fills (schema v012). */
export const AGREED_FILL_PAGE = 500;

/** The statement on another buckets table (the builders of src/adapters/sql name the first one). */
function onTable(s: { sql: string; params: SqlValue[] }, table: string) {
  return table === AGGREGATES_TABLE
    ? s
    : { sql: s.sql.replace(new RegExp(`\\b${AGGREGATES_TABLE}\\b`, 'g'), table), params: s.params };
}

const tableName = (t: BucketTable): string => (t === 'a' ? AGGREGATES_TABLE : SHADOW_AGGREGATES_TABLE);

/**
 * The columns compliance counts of a record (src/app/sla-record.ts toSlaRecord) and no other, with
 * the agreed deadline taken out of the verdict JSON in SQL (`$.agreed.due`, else `$.fix.due` of an
 * agreed fix clock) instead of the whole verdict: the rebuild's pages and the live records are
 * ~0.2 KiB a row (at most LIVE_ROW_BYTES with every column at its schema's longest).
 */
/** An agreed record's agreed deadline out of its verdict JSON, as agreedDueOf reads it (sla-record.ts). */
const AGREED_DUE_SQL =
  `CASE WHEN agreed = 1 THEN COALESCE(JSON_UNQUOTE(JSON_EXTRACT(verdict_json, '$.agreed.due')),` +
  ` CASE WHEN JSON_UNQUOTE(JSON_EXTRACT(verdict_json, '$.fix.agreed')) = 'true'` +
  ` THEN JSON_UNQUOTE(JSON_EXTRACT(verdict_json, '$.fix.due')) END) ELSE NULL END AS agreed_due`;

const COUNTED_COLUMNS = [
  'issue_key',
  'project_key',
  'kind',
  'priority_class',
  'registered_at',
  'due_at',
  'done_at',
  'agreed',
  'clock_state',
  'customer_id',
  AGREED_DUE_SQL,
];

/** The agreed deadline a row's AGREED_DUE_SQL column read out of its verdict (JSON null: none). */
function agreedDueText(r: Record<string, unknown>): string | null {
  return typeof r.agreed_due === 'string' && r.agreed_due !== 'null' ? r.agreed_due : null;
}

/** A counted row (COUNTED_COLUMNS): its verdict JSON is `{"agreed":{"due":…}}` for an agreed record. */
function countedRow(r: Record<string, unknown>): SlaRecordRow {
  const due = agreedDueText(r);
  return recordFromRow({ ...r, verdict_json: due === null ? '' : JSON.stringify({ agreed: { due } }) });
}

/**
 * The longest a live record's row can be in a Forge SQL answer (JSON, column names included) with
 * every column at its schema's longest (issue key 191 characters, project and customer 64, instants
 * 40): measured on MariaDB by test/forge/rebuild-paged.test.ts.
 */
export const LIVE_ROW_BYTES = 800;

/**
 * The most live records (open agreed, or stopped after now) a dashboard view reads in its one query:
 * LIVE_MAX × LIVE_ROW_BYTES is under 2 MiB, half of Forge SQL's 4 MiB answer, whatever the values
 * (typical rows are a quarter of that). A site with more gets a clear error instead of figures that
 * silently leave some out.
 */
export const LIVE_MAX = 2500;

/**
 * The longest a bucket row of a view can be in a Forge SQL answer (JSON, column names included) with
 * every column at its schema's longest (zone and project 64 characters): measured on MariaDB by
 * test/forge/rebuild-paged.test.ts.
 */
export const BUCKET_ROW_BYTES = 400;

/**
 * The most bucket rows one dashboard view reads (its months, summed over customers, per project, plus
 * the pending correction): BUCKETS_MAX × BUCKET_ROW_BYTES is 3.05 MiB, under Forge SQL's 4 MiB answer
 * whatever the values. More means too many projects × months for one query: the view says so, naming
 * the bound, instead of failing in Forge SQL. (bench:dashboard, five projects, ten customers, a year:
 * 838 rows, 189 KiB at 1,000,000 records, session 10.)
 */
export const BUCKETS_MAX = 8000;

/** Rows per page when listing records (keeps Forge SQL responses well under their 4 MiB limit). */
export const LIST_PAGE = 1000;
/**
 * The list's columns: every column but the verdict JSON, and for the few agreed records (source §5.6.3)
 * only the agreed deadline out of it (`agreed.due`, else `fix.due` of an agreed fix clock: AGREED_DUE_SQL),
 * so the gadget can tell an agreed date kept from one missed without reading every verdict. (It read
 * `fix.due` only, so a verdict whose fix clock keeps the standard deadline, with `agreed.due` beside it,
 * listed no agreed deadline: agreed kept and missed both 0 on the per-record path; found in session 10
 * by test/forge/aggregates-sql.test.ts.)
 */
const LIST_COLUMNS = [...RECORD_COLUMNS.filter((c) => c !== 'verdict_json'), AGREED_DUE_SQL];

/** A listed row: no verdict JSON, except `{"agreed":{"due":…}}` for an agreed record (see LIST_COLUMNS). */
function listedRow(r: Record<string, unknown>): SlaRecordRow {
  const due = agreedDueText(r);
  return recordFromRow({ ...r, verdict_json: due === null ? '' : JSON.stringify({ agreed: { due } }) });
}

/**
 * The dashboard's figures are being rebuilt (issue #14, a paged rebuild on the queue): shown in the
 * viewer's language (`error.aggregates-rebuilding`), with the records counted so far.
 */
export class RebuildingError extends AppError {
  constructor(readonly records: number) {
    super(
      'unavailable',
      `the dashboard's figures are being rebuilt (${records} records counted so far); try again in a few minutes`,
      { messageCode: 'aggregates-rebuilding', params: { n: records } },
    );
    this.name = 'RebuildingError';
  }
}

export class ForgeStore implements Store {
  private migrated: Promise<void> | null = null;

  private readonly queue: ((ev: RebuildEvent) => Promise<void>) | null;
  private readonly newId: () => string;
  private readonly liveMax: number;
  private readonly bucketsMax: number;
  private readonly factsPage: number;

  /**
   * @param options.queue pushes a rebuild step's event to the queue consumer (Forge); without it a
   *   stale buckets table is rebuilt in place, in the caller's invocation.
   * @param options.liveMax the most live records a view reads (LIVE_MAX; smaller in tests).
   * @param options.bucketsMax the most bucket rows a view reads (BUCKETS_MAX; smaller in tests).
   * @param options.factsPage facts per query of the ledger export (FACTS_PAGE; smaller in tests).
   */
  constructor(
    private readonly kvs: KvsLike,
    private readonly sql: SqlRunner,
    private readonly clock: () => number = () => Date.now(),
    options: {
      queue?: (ev: RebuildEvent) => Promise<void>;
      newId?: () => string;
      liveMax?: number;
      bucketsMax?: number;
      factsPage?: number;
    } = {},
  ) {
    this.bucketsMax = options.bucketsMax ?? BUCKETS_MAX;
    this.queue = options.queue ?? null;
    this.newId = options.newId ?? (() => globalThis.crypto.randomUUID());
    this.liveMax = options.liveMax ?? LIVE_MAX;
    this.factsPage = options.factsPage ?? FACTS_PAGE;
  }

  private ready(): Promise<void> {
    if (!this.migrated) {
      this.migrated = this.sql.migrate(storeMigrations()).catch((e: unknown) => {
        this.migrated = null;
        throw e;
      });
    }
    return this.migrated;
  }

  async getSettings(): Promise<Settings> {
    const [doc, secret] = await Promise.all([
      this.kvs.get(SETTINGS_KEY),
      this.kvs.getSecret(WEBHOOK_SECRET_KEY),
    ]);
    const base = defaultSettings();
    const settings: Settings =
      doc && typeof doc === 'object' ? { ...base, ...(doc as Partial<Settings>) } : base;
    delete settings.webhookSecret;
    this.zoneCache = settings.calendar.zone;
    if (typeof secret === 'string' && secret !== '') settings.webhookSecret = secret;
    return settings;
  }

  /** Whether settings were ever saved on this site (the installation hook fills defaults otherwise). */
  async hasSettings(): Promise<boolean> {
    return Boolean(await this.kvs.get(SETTINGS_KEY));
  }

  /**
   * A generic-webhook delivery id with the SHA-256 of its body, in KVS (one key per delivery id). Not
   * atomic: two different bodies racing with one new id may both pass; a redelivery after either is
   * refused or acknowledged as the service does.
   */
  async claimDelivery(deliveryId: string, bodySha256: string): Promise<'new' | 'same' | 'conflict'> {
    const key = DELIVERY_KEY_PREFIX + createHash('sha256').update(deliveryId).digest('hex');
    const had = (await this.kvs.get(key)) as { sha256?: unknown } | undefined | null;
    if (had && typeof had.sha256 === 'string') return had.sha256 === bodySha256 ? 'same' : 'conflict';
    await this.kvs.set(key, { sha256: bodySha256, at: this.clock() });
    return 'new';
  }

  async saveSettings(settings: Settings): Promise<void> {
    const { webhookSecret, ...doc } = settings;
    this.zoneCache = settings.calendar.zone;
    await this.kvs.set(SETTINGS_KEY, doc);
    if (webhookSecret !== undefined) await this.kvs.setSecret(WEBHOOK_SECRET_KEY, webhookSecret);
  }

  /** The settings' calendar zone, read once per store (saveSettings keeps it). */
  private zoneCache: string | null = null;

  private async zone(): Promise<string> {
    if (this.zoneCache === null) this.zoneCache = (await this.getSettings()).calendar.zone;
    return this.zoneCache;
  }

  /**
   * The record, then its compliance buckets (issue #14): the old record's out, the new one's in.
   * Forge SQL has no transactions across statements: two writes of one record at the same instant
   * can leave its buckets off by one until a rebuild ("Recompute all" does one); the bucket update
   * itself is one atomic statement.
   */
  async upsertSlaRecord(row: SlaRecordRow): Promise<void> {
    await this.writeRecord(row.key, row);
  }

  async deleteSlaRecord(key: string): Promise<void> {
    await this.writeRecord(key, null);
  }

  private async writeRecord(key: string, row: SlaRecordRow | null): Promise<void> {
    await this.ready();
    const zone = await this.zone();
    const g = getRecord(key);
    const old = (await this.sql.query(g.sql, g.params))[0];
    const s = row ? upsertRecord('mysql', row) : deleteRecord(key);
    await this.sql.query(s.sql, s.params);
    const deltas = recordWriteDeltas('mysql', old ? recordFromRow(old) : null, row, zone, { rollup: false });
    if (deltas.length === 0) return;
    // Read after the record's write: a rebuild that counted this key already gets the change too.
    const state = await this.aggregatesState();
    const run = state.rebuild;
    const tables = [tableName(state.active)];
    if (run && key <= (run.inflight ?? run.cursor)) tables.push(tableName(run.target));
    for (const table of tables)
      for (const d of deltas) await this.sql.execute(onTable(d, table).sql, d.params);
  }

  /** The buckets' state in KVS (the first table, no rebuild, when never written). */
  async aggregatesState(): Promise<AggregatesState> {
    const v = (await this.kvs.get(AGGREGATES_STATE_KEY)) as Partial<AggregatesState> | null | undefined;
    return {
      active: v?.active === 'b' ? 'b' : 'a',
      rebuild: v?.rebuild && typeof v.rebuild === 'object' ? v.rebuild : null,
    };
  }

  private async saveAggregatesState(state: AggregatesState): Promise<void> {
    await this.kvs.set(AGGREGATES_STATE_KEY, state);
  }

  /** Whether the buckets were checked this process for the zone (see staleAggregatesSql). */
  private checkedZone: string | null = null;

  /**
   * The table the views read, checked once per zone for staleness (another zone, or no bucket with
   * records). A stale table with a queue (`queue` given) starts a paged rebuild, unless one runs in
   * this zone, and throws: the figures wait for the switch. Without a queue (tests, the bench, the
   * CLI) it rebuilds in place. A rebuild started in another zone than the settings' starts again.
   * `check` false: the KVS state only, no query (a view checks when its answer looks stale).
   * @throws RebuildingError while the views' buckets are being rebuilt.
   */
  private async bucketsTable(zone: string, check = true): Promise<string> {
    const state = await this.aggregatesState();
    const run = state.rebuild;
    if (run && run.zone !== zone && this.queue) {
      await this.queue(await this.startRebuild());
      throw new RebuildingError(0);
    }
    const table = tableName(state.active);
    if (!check || this.checkedZone === zone) return table;
    const s = onTable(staleAggregatesSql(zone, { rollup: false }), table);
    if ((await this.sql.query(s.sql, s.params)).length > 0) {
      if (this.queue) {
        if (!run) await this.queue(await this.startRebuild());
        throw new RebuildingError(run?.records ?? 0);
      }
      await this.rebuildAggregates();
      return tableName((await this.aggregatesState()).active);
    }
    this.checkedZone = zone;
    return table;
  }

  async listAggregates(
    mode: AgreedCounting,
    projects?: string[],
    range?: MonthRange,
    merged?: boolean,
    nowMs?: number,
    customer?: string,
  ): Promise<AggRow[]> {
    await this.ready();
    const zone = await this.zone();
    const table = await this.bucketsTable(zone);
    const s = onTable(listAggregatesSql(mode, projects, range, merged, customer), table);
    const buckets = (await this.sql.query(s.sql, s.params)).map(aggregateFromRow);
    const p =
      range && nowMs !== undefined ? pendingBucketsSql(nowMs, zone, range, projects, merged, customer) : null;
    return p ? [...buckets, ...(await this.sql.query(p.sql, p.params)).map(aggregateFromRow)] : buckets;
  }

  /** The projects with a non-empty bucket (the issue list's candidates for a viewer's browse check). */
  async listAggregateProjects(): Promise<string[]> {
    await this.ready();
    const table = await this.bucketsTable(await this.zone());
    const rows = await this.sql.query(
      `SELECT DISTINCT project_key FROM ${table} WHERE n <> 0 ORDER BY project_key`,
      [],
    );
    return rows.map((r) => String(r.project_key));
  }

  async listLiveRecords(nowMs: number, projects?: string[], customer?: string): Promise<SlaRecordRow[]> {
    await this.ready();
    return (await this.liveAndHidden(nowMs, projects, [], customer)).live;
  }

  /**
   * The records whose outcome depends on now (liveRecordsSql; of one customer when given) in the
   * counted columns only, at most LIVE_MAX of them (one more is asked, to know), but those of `hide`;
   * and the records of `hide` (at most SECURED_MAX keys,
   * the issues the caller may not see), in one query: each row tagged with its part, the hidden ones
   * first, so the limit (live bound + 1 + hidden) never cuts them.
   * @throws RangeError naming the count when a site has more than LIVE_MAX live records.
   */
  private async liveAndHidden(
    nowMs: number,
    projects: readonly string[] | undefined,
    hide: readonly string[],
    customer?: string,
  ): Promise<{ live: SlaRecordRow[]; hidden: SlaRecordRow[] }> {
    const l = liveRecordsSql(nowMs, projects, customer);
    const cols = COUNTED_COLUMNS.join(', ');
    let sql = l.sql.replace(/SELECT .*? FROM /g, `SELECT 'l' AS part, ${cols} FROM `);
    const params: SqlValue[] = [...l.params];
    if (hide.length > 0) {
      sql += ` UNION ALL SELECT 'h' AS part, ${cols} FROM ${TABLES.records} WHERE issue_key IN ${inList(hide.length)}`;
      params.push(...hide);
      if (customer) {
        sql += ' AND customer_id = ?';
        params.push(customer);
      }
    }
    const rows = await this.sql.query(`${sql} ORDER BY part LIMIT ${this.liveMax + 1 + hide.length}`, params);
    const live = rows.filter((r) => r.part === 'l');
    if (live.length > this.liveMax)
      throw new RangeError(
        `live records: more than ${this.liveMax} open agreed records (or clocks stopped after now) in the dashboard's scope; ` +
          `Forge SQL cannot answer them in one query (4 MiB)`,
      );
    const hidden = new Set(hide);
    return {
      live: live.filter((r) => !hidden.has(String(r.issue_key))).map(countedRow),
      hidden: rows.filter((r) => r.part === 'h').map(countedRow),
    };
  }

  /**
   * Every bucket from the records, all steps of a paged rebuild in this call (tests, the bench; on
   * Forge each step is one queue event, see rebuildStep). Returns the number of non-empty buckets.
   */
  async rebuildAggregates(
    onStep?: (r: RebuildStepResult, ms: number) => void,
    options: { maxRecords?: number; pageSize?: number } = {},
  ): Promise<number> {
    let ev: RebuildEvent | null = await this.startRebuild();
    while (ev) {
      const t0 = Date.now();
      const r = await this.rebuildStep(ev, options);
      onStep?.(r, Date.now() - t0);
      ev = r.next;
    }
    const table = tableName((await this.aggregatesState()).active);
    const rows = await this.sql.query(`SELECT COUNT(*) AS n FROM ${table} WHERE n <> 0`, []);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Starts a paged rebuild into the table the views do not read (replacing any rebuild under way,
   * whose late events are then ignored): the run in KVS first, so writes stop adding to that table,
   * then the table cleared. Returns the first step's event.
   */
  async startRebuild(): Promise<RebuildEvent> {
    await this.ready();
    const zone = await this.zone();
    const state = await this.aggregatesState();
    const run: RebuildRun = {
      id: this.newId(),
      zone,
      target: state.active === 'a' ? 'b' : 'a',
      cursor: '',
      inflight: null,
      from: null,
      pushed: true,
      records: 0,
      pages: 0,
    };
    await this.saveAggregatesState({ active: state.active, rebuild: run });
    const clear = onTable(CLEAR_AGGREGATES_SQL, tableName(run.target));
    await this.sql.execute(clear.sql, clear.params);
    return { id: run.id, after: '' };
  }

  /**
   * One step of a paged rebuild (one consumer invocation): counts the records after `ev.after` into
   * the target table, SQL page by SQL page (REBUILD_PAGE records, by key), at most `maxRecords` or
   * until `shouldStop`; after the last page it switches the views to the target (one KVS write).
   * Idempotent when a queue event arrives twice or late: an event of another run, or whose cursor the
   * run has passed, changes nothing (the one whose next event was not pushed yet answers it again); a
   * delivery that finds a page of an earlier one unfinished starts the rebuild again (that page's
   * count in the target is unknown). Steps of one run must not run at the same time (the queue's
   * concurrency limit 1).
   */
  async rebuildStep(
    ev: RebuildEvent,
    options: { maxRecords?: number; pageSize?: number; shouldStop?: () => boolean } = {},
  ): Promise<RebuildStepResult> {
    await this.ready();
    const none = { next: null, pages: 0, records: 0, switched: false, restarted: false };
    const state = await this.aggregatesState();
    const run = state.rebuild;
    if (!run || run.id !== ev.id) return none;
    if (ev.after !== run.cursor) {
      // Delivered again: answer the next event only if the first delivery did not get to push it.
      return ev.after === run.from && !run.pushed
        ? { ...none, next: { id: run.id, after: run.cursor } }
        : none;
    }
    if (run.inflight !== null) return { ...none, next: await this.startRebuild(), restarted: true };
    const max = options.maxRecords ?? REBUILD_STEP_RECORDS;
    const pageSize = options.pageSize ?? REBUILD_PAGE;
    const target = tableName(run.target);
    // The step's buckets are summed over its pages and added once at its end (a few thousand rows,
    // 200 a statement): per page they were 2.5 × the statements. Each page read moves `inflight`
    // first, so writes meanwhile add their change to the target for the keys read (the sums are
    // additive: the order does not matter), and a delivery finding it set knows the step died.
    const sums = new Map<string, AggRow>();
    let pages = 0;
    let records = 0;
    let end = false;
    let read = run.cursor;
    for (;;) {
      const rows = await this.sql.query(
        `SELECT ${COUNTED_COLUMNS.join(', ')} FROM ${TABLES.records} WHERE issue_key > ? ORDER BY issue_key LIMIT ${pageSize}`,
        [read],
      );
      if (rows.length > 0) {
        read = String(rows[rows.length - 1]!.issue_key);
        run.inflight = read;
        await this.saveAggregatesState({ active: state.active, rebuild: run });
        for (const r of rows) addBuckets(sums, contributions(toSlaRecord(countedRow(r)), run.zone), 1);
        pages += 1;
        records += rows.length;
      }
      if (rows.length < pageSize) end = true;
      if (end || records >= max || options.shouldStop?.()) break;
    }
    const buckets = [...sums.values()].filter((b) => b.n !== 0);
    for (let i = 0; i < buckets.length; i += 200) {
      const add = onTable(addToBucketsSql('mysql', buckets.slice(i, i + 200), bucketId), target);
      await this.sql.execute(add.sql, add.params);
    }
    run.cursor = read;
    run.inflight = null;
    run.records += records;
    run.pages += pages;
    if (end) {
      // Every record counted: the views read the target from now on.
      await this.saveAggregatesState({ active: run.target, rebuild: null });
      this.checkedZone = run.zone;
      return { next: null, pages, records, switched: true, restarted: false };
    }
    run.from = ev.after;
    run.pushed = false;
    await this.saveAggregatesState({ active: state.active, rebuild: run });
    return { next: { id: run.id, after: run.cursor }, pages, records, switched: false, restarted: false };
  }

  /**
   * Fills `agreed_due_ms` (schema v012) of the open agreed records written before it, at most
   * AGREED_FILL_PAGE of them (the hourly sweep calls it until it answers 0): until then they are
   * read live by every view, settled or not, and count towards the live read's bound (LIVE_MAX). The
   * deadline is read out of the verdict JSON in SQL and parsed as the writer parses it
   * (agreedDueMs); a row rewritten in between (another `updated_at`) is left to its writer, and one
   * whose deadline does not parse stays empty (read live, as before). Two queries a page, through the
   * open agreed records' index. Returns how many rows it filled.
   */
  async fillAgreedDue(page = AGREED_FILL_PAGE): Promise<number> {
    await this.ready();
    const rows = await this.sql.query(
      `SELECT issue_key, updated_at, ${AGREED_DUE_SQL} FROM ${TABLES.records}` +
        ` WHERE agreed = 1 AND done_ms IS NULL AND agreed_due_ms IS NULL ORDER BY issue_key LIMIT ${page}`,
      [],
    );
    const fills: { key: string; updatedAt: string; ms: number }[] = [];
    for (const r of rows) {
      const due = agreedDueText(r);
      const ms = due === null ? null : agreedDueMs(due);
      if (ms !== null) fills.push({ key: String(r.issue_key), updatedAt: String(r.updated_at), ms });
    }
    if (fills.length === 0) return 0;
    const params: SqlValue[] = [];
    const whens = fills.map((f) => {
      params.push(f.key, f.updatedAt, f.ms);
      return 'WHEN issue_key = ? AND updated_at = ? THEN ?';
    });
    params.push(...fills.map((f) => f.key));
    const { affectedRows } = await this.sql.execute(
      `UPDATE ${TABLES.records} SET agreed_due_ms = CASE ${whens.join(' ')} ELSE NULL END` +
        ` WHERE agreed_due_ms IS NULL AND issue_key IN ${inList(fills.length)}`,
      params,
    );
    return affectedRows;
  }

  /** Notes that the next event of a step was pushed (a later delivery of that step then pushes none). */
  async rebuildPushed(next: RebuildEvent): Promise<void> {
    const state = await this.aggregatesState();
    if (state.rebuild?.id !== next.id || state.rebuild.cursor !== next.after) return;
    await this.saveAggregatesState({ ...state, rebuild: { ...state.rebuild, pushed: true } });
  }

  async listIssuePage(query: IssueQuery): Promise<IssuePage> {
    await this.ready();
    return runIssuePage(query, (st) => this.sql.query(st.sql, st.params));
  }

  /**
   * The dashboard in 3 queries (issue #14): buckets (counting in the months, and of open records),
   * live records, both lists with totals. The first view of a process (a Forge invocation) also asks,
   * in the buckets' query, whether the buckets must be rebuilt (a site upgraded to v004 with records,
   * or buckets of another zone than the settings'): stale ones are rebuilt and read again.
   */
  async dashboardParts(q: DashboardQuery): Promise<DashboardParts> {
    await this.ready();
    const zone = await this.zone();
    const projects = q.projects.length > 0 ? q.projects : undefined;
    let table = await this.bucketsTable(zone, false);
    // The buckets pre-reduced in SQL per project (figures 'f', trend 't', projects with open records
    // 'p') and the pending records' correction ('x', n < 0), in one query.
    const stored = () => onTable(dashboardBucketsPreReducedSql(q.mode, q.range, projects, q.customer), table);
    const pending = pendingBucketsSql(
      q.nowMs,
      zone,
      q.range,
      projects,
      q.customer ? false : 'customers',
      q.customer,
    );
    // `probe`: one more row, part 's', when the table is stale (staleAggregatesSql), so the first view
    // of a process needs no query of its own for the check (issue #14: a view is 3 queries, also for
    // a customer without records or months without any).
    const both = (probe: boolean) => {
      let x = pending
        ? {
            sql:
              `${stored().sql} UNION ALL SELECT 'x' AS part, zone, mode, kind, priority_class, due_month,` +
              ` done_month, reg_month, outcome, agreed, kept, n, project_key, customer FROM (${pending.sql}) px`,
            params: [...stored().params, ...pending.params],
          }
        : stored();
      if (probe) {
        const st = onTable(staleAggregatesSql(zone, { rollup: false }), table);
        x = {
          sql:
            `${x.sql} UNION ALL SELECT 's' AS part, NULL AS zone, NULL AS mode, NULL AS kind,` +
            ' NULL AS priority_class, NULL AS due_month, NULL AS done_month, NULL AS reg_month, NULL AS outcome,' +
            ` NULL AS agreed, NULL AS kept, 0 AS n, NULL AS project_key, NULL AS customer FROM (${st.sql}) sx`,
          params: [...x.params, ...st.params],
        };
      }
      return { sql: `${x.sql} LIMIT ${this.bucketsMax + 1}`, params: x.params };
    };
    const read = async (st: { sql: string; params: SqlValue[] }) => {
      const rows = await this.sql.query(st.sql, st.params);
      if (rows.length > this.bucketsMax)
        throw new RangeError(
          `dashboard buckets: more than ${this.bucketsMax} rows for the months and projects of this view; ` +
            `Forge SQL cannot answer them in one query (4 MiB): choose fewer projects or a shorter period`,
        );
      const stale = rows.some((r) => r.part === 's');
      const out = rows
        .filter((r) => r.part !== 's')
        .map((r) => ({ part: String(r.part), row: aggregateFromRow(r) }));
      return Object.assign(out, { stale });
    };
    const probe = this.checkedZone !== zone;
    let rows = await read(both(probe));
    if (rows.stale || rows.some((x) => x.row.zone !== zone)) {
      // Never built (a site upgraded with records), or of another zone: rebuilt (or queued) and read again.
      this.checkedZone = null;
      table = await this.bucketsTable(zone);
      rows = await read(both(false));
    } else if (probe) this.checkedZone = zone;
    const known = [...new Set(rows.map((x) => x.row.project))].sort();
    let buckets = rows.filter((x) => x.part === 'f' || x.part === 'x').map((x) => x.row);
    let trend = rows.filter((x) => x.part === 't' || x.part === 'x').map((x) => x.row);
    let scope = projects ? [...projects] : null;
    if (q.scope) {
      const visible = new Set(await q.scope(projects ?? known));
      buckets = buckets.filter((x) => visible.has(x.project));
      trend = trend.filter((x) => visible.has(x.project));
      scope = [...visible].sort();
    }
    const empty: IssuePage = { items: [], nextCursor: null, total: 0 };
    if (scope !== null && scope.length === 0)
      return { buckets, trendBuckets: trend, live: [], hidden: [], breached: empty, atRisk: empty };
    const where = scope ?? undefined;
    // Issue security: the keys the caller may not see leave the lists and the live records here; their
    // records come back with the live ones (same query) for the caller to take out of the figures.
    const hide = q.hide ? await q.hide(scope ?? known) : [];
    const { live, hidden } = await this.liveAndHidden(q.nowMs, where, hide, q.customer);
    const d = dashboardListsSql(where, q.limit, hide, q.customer);
    const lists = dashboardListsFromRows(await this.sql.query(d.sql, d.params), q.limit);
    return { buckets, trendBuckets: trend, live, hidden, breached: lists.breached, atRisk: lists['at-risk'] };
  }

  /** The stored records of some keys (a sweep page's), without their verdict JSON (see listSlaRecords). */
  async getSlaRecords(keys: readonly string[]): Promise<SlaRecordRow[]> {
    await this.ready();
    const out: SlaRecordRow[] = [];
    for (let i = 0; i < keys.length; i += LIST_PAGE) {
      const some = keys.slice(i, i + LIST_PAGE);
      const rows = await this.sql.query(
        `SELECT ${LIST_COLUMNS.join(', ')} FROM ${TABLES.records} WHERE issue_key IN ${inList(some.length)}`,
        [...some],
      );
      for (const r of rows) out.push(listedRow(r));
    }
    return out;
  }

  async getSlaRecord(key: string): Promise<SlaRecordRow | null> {
    await this.ready();
    const s = getRecord(key);
    const rows = await this.sql.query(s.sql, s.params);
    return rows[0] ? recordFromRow(rows[0]) : null;
  }

  /**
   * Records without their verdict JSON (`verdictJson` is ''; an agreed record's is `{"agreed":{"due":…}}`
   * only), paged by key.
   */
  async listSlaRecords(filter: RecordFilter): Promise<SlaRecordRow[]> {
    await this.ready();
    const out: SlaRecordRow[] = [];
    let after = '';
    for (;;) {
      const where: string[] = ['issue_key > ?'];
      const params: SqlValue[] = [after];
      if (filter.projects && filter.projects.length > 0) {
        where.push(`project_key IN ${inList(filter.projects.length)}`);
        params.push(...filter.projects);
      }
      if (filter.kind) {
        where.push('kind = ?');
        params.push(filter.kind);
      }
      if (filter.customer) {
        where.push('customer_id = ?');
        params.push(filter.customer);
      }
      const rows = await this.sql.query(
        `SELECT ${LIST_COLUMNS.join(', ')} FROM ${TABLES.records} WHERE ${where.join(' AND ')} ORDER BY issue_key LIMIT ${LIST_PAGE}`,
        params,
      );
      for (const r of rows) out.push(listedRow(r));
      if (rows.length < LIST_PAGE) break;
      after = String(rows[rows.length - 1]!.issue_key);
    }
    return out;
  }

  /** Records due for the sweep (index on next_change_ms), one bounded batch, without verdict JSON. */
  async listDueSlaRecords(query: DueRecordsQuery): Promise<SlaRecordRow[]> {
    await this.ready();
    const s = listDueRecords(query);
    const rows = await this.sql.query(
      s.sql.replace(/^SELECT .*? FROM /, `SELECT ${LIST_COLUMNS.join(', ')} FROM `),
      s.params,
    );
    return rows.map((r) => recordFromRow({ ...r, verdict_json: '' }));
  }

  async listNotices(issueKey: string): Promise<string[]> {
    await this.ready();
    const s = listNoticesSql(issueKey);
    return noticeIdsFromRows(await this.sql.query(s.sql, s.params));
  }

  /** `INSERT IGNORE`: claimed when one row was inserted (atomic across concurrent deliveries). */
  async claimNotice(issueKey: string, notice: string): Promise<boolean> {
    await this.ready();
    const s = claimNoticeSql('mysql', issueKey, notice, this.clock());
    return (await this.sql.execute(s.sql, s.params)).affectedRows === 1;
  }

  async releaseNotice(issueKey: string, notice: string): Promise<void> {
    await this.ready();
    const s = releaseNoticeSql(issueKey, notice);
    await this.sql.execute(s.sql, s.params);
  }

  async appendFacts(facts: readonly Fact[]): Promise<number> {
    await this.ready();
    let n = 0;
    for (const f of facts) {
      const s = insertFactSql('mysql', f);
      n += (await this.sql.execute(s.sql, s.params)).affectedRows;
    }
    return n;
  }

  async listFacts(issueId: string): Promise<Fact[]> {
    await this.ready();
    const s = listFactsSql(issueId);
    return factsFromRows(await this.sql.query(s.sql, s.params));
  }

  /**
   * The facts of [fromMs, toMs) (the ledger export), FACTS_PAGE rows a query in the order of the
   * `at_ms` index (its rows carry the primary key: no sort in the query's 16 MiB), then ordered as
   * the other stores' (listFactsBetweenSql: at, issue, fact).
   */
  async listFactsBetween(fromMs: number, toMs: number): Promise<Fact[]> {
    await this.ready();
    const base = listFactsBetweenSql(fromMs, toMs);
    const where = base.sql
      .slice(0, base.sql.indexOf(' ORDER BY '))
      .replace('SELECT fact_json', 'SELECT fact_json, at_ms, issue_id, fact_id');
    const rows: Record<string, unknown>[] = [];
    let after: { at: number; id: string } | null = null;
    for (;;) {
      const page: Record<string, unknown>[] = await this.sql.query(
        `${where}${after ? ' AND (at_ms > ? OR (at_ms = ? AND fact_id > ?))' : ''} ORDER BY at_ms, fact_id LIMIT ${this.factsPage}`,
        after ? [...base.params, after.at, after.at, after.id] : base.params,
      );
      rows.push(...page);
      if (page.length < this.factsPage) break;
      const last = page[page.length - 1]!;
      after = { at: Number(last.at_ms), id: String(last.fact_id) };
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    rows.sort(
      (a, b) =>
        Number(a.at_ms) - Number(b.at_ms) ||
        cmp(String(a.issue_id), String(b.issue_id)) ||
        cmp(String(a.fact_id), String(b.fact_id)),
    );
    return factsFromRows(rows);
  }

  async getIssueMark(issueId: string): Promise<IssueMark | null> {
    await this.ready();
    const s = getMarkSql(issueId);
    return markFromRow((await this.sql.query(s.sql, s.params))[0]);
  }

  async putIssueMark(issueId: string, mark: IssueMark): Promise<void> {
    await this.ready();
    const s = putMarkSql('mysql', issueId, mark, this.clock());
    await this.sql.execute(s.sql, s.params);
  }
}
