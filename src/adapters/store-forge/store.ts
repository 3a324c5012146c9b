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
import {
  RECORD_COLUMNS,
  TABLES,
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
import type { AggRow } from '../../domain/aggregates';
import type { AgreedCounting } from '../../domain/compliance-types';
import {
  aggregateFromRow,
  aggregatesSchema,
  pendingIndexSchema,
  liveRecordsSql,
  pendingBucketsSql,
  listAggregatesSql,
  rebuildBuckets,
  recordWriteDeltas,
  rollupSchema,
  runIssuePage,
  staleAggregatesSql,
  type MonthRange,
} from '../sql/aggregates';
import { dashboardBucketsSql, dashboardListsFromRows, dashboardListsSql } from '../sql/dashboard';
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

/** Schema 8 (issue #14): the rollup of the buckets over customers and projects. */
export function rollupMigrations(): { name: string; sql: string }[] {
  return rollupSchema('mysql').map((sql, i) => ({ name: `v008_rollup_${i}`, sql }));
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
    ...rollupMigrations(),
  ];
}

/** Rows per page when listing records (keeps Forge SQL responses well under their 4 MiB limit). */
export const LIST_PAGE = 1000;
/**
 * The list's columns: every column but the verdict JSON, and for the few agreed records (source §5.6.3)
 * only the agreed deadline out of it (`fix.due` of an agreed fix clock), so the gadget can tell an agreed
 * date kept from one missed without reading every verdict.
 */
const LIST_COLUMNS = [
  ...RECORD_COLUMNS.filter((c) => c !== 'verdict_json'),
  `CASE WHEN agreed = 1 THEN JSON_UNQUOTE(JSON_EXTRACT(verdict_json, '$.fix.due')) ELSE NULL END AS agreed_due`,
];

/** A listed row: no verdict JSON, except `{"agreed":{"due":…}}` for an agreed record (see LIST_COLUMNS). */
function listedRow(r: Record<string, unknown>): SlaRecordRow {
  const due = typeof r.agreed_due === 'string' && r.agreed_due !== 'null' ? r.agreed_due : null;
  return recordFromRow({ ...r, verdict_json: due === null ? '' : JSON.stringify({ agreed: { due } }) });
}

export class ForgeStore implements Store {
  private migrated: Promise<void> | null = null;

  constructor(
    private readonly kvs: KvsLike,
    private readonly sql: SqlRunner,
    private readonly clock: () => number = () => Date.now(),
  ) {}

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
    for (const d of recordWriteDeltas('mysql', old ? recordFromRow(old) : null, row, zone))
      await this.sql.execute(d.sql, d.params);
  }

  /** Whether the buckets were checked this process for the zone (see staleAggregatesSql). */
  private checkedZone: string | null = null;

  private async freshBuckets(zone: string): Promise<void> {
    if (this.checkedZone === zone) return;
    const s = staleAggregatesSql(zone);
    if ((await this.sql.query(s.sql, s.params)).length > 0) await this.rebuildAggregates();
    this.checkedZone = zone;
  }

  async listAggregates(
    mode: AgreedCounting,
    projects?: string[],
    range?: MonthRange,
    merged?: boolean,
    nowMs?: number,
  ): Promise<AggRow[]> {
    await this.ready();
    const zone = await this.zone();
    await this.freshBuckets(zone);
    const s = listAggregatesSql(mode, projects, range, merged);
    const buckets = (await this.sql.query(s.sql, s.params)).map(aggregateFromRow);
    const p = range && nowMs !== undefined ? pendingBucketsSql(nowMs, zone, range, projects, merged) : null;
    return p ? [...buckets, ...(await this.sql.query(p.sql, p.params)).map(aggregateFromRow)] : buckets;
  }

  async listLiveRecords(nowMs: number, projects?: string[]): Promise<SlaRecordRow[]> {
    await this.ready();
    const s = liveRecordsSql(nowMs, projects);
    return (await this.sql.query(s.sql, s.params)).map(recordFromRow);
  }

  /**
   * Every bucket from the records, a page at a time by key (Forge SQL: no transaction; a write
   * meanwhile may be off until the next rebuild). Returns the number of buckets.
   */
  async rebuildAggregates(): Promise<number> {
    await this.ready();
    const zone = await this.zone();
    const n = await rebuildBuckets(
      'mysql',
      zone,
      (st) => this.sql.query(st.sql, st.params),
      (st) => this.sql.execute(st.sql, st.params),
      2000,
    );
    this.checkedZone = zone;
    return n;
  }

  async listIssuePage(query: IssueQuery): Promise<IssuePage> {
    await this.ready();
    return runIssuePage(query, (st) => this.sql.query(st.sql, st.params));
  }

  /**
   * The dashboard in 3 queries (issue #14): buckets (counting in the months, and of open records),
   * live records, both lists with totals. Without any bucket in the answer it checks once whether the
   * buckets must be rebuilt (a site upgraded to v004 with records); buckets of another zone than the
   * settings' are rebuilt and read again.
   */
  async dashboardParts(q: DashboardQuery): Promise<DashboardParts> {
    await this.ready();
    const zone = await this.zone();
    const projects = q.projects.length > 0 ? q.projects : undefined;
    // The stored buckets and the pending records' correction (n < 0) in one query.
    const stored = dashboardBucketsSql(q.mode, projects, q.range);
    const pending = pendingBucketsSql(q.nowMs, zone, q.range, projects);
    const b = pending
      ? { sql: `${stored.sql} UNION ALL ${pending.sql}`, params: [...stored.params, ...pending.params] }
      : stored;
    let buckets = (await this.sql.query(b.sql, b.params)).map(aggregateFromRow);
    if (!buckets.some((x) => x.n > 0) || buckets.some((x) => x.zone !== zone)) {
      if (buckets.length > 0) this.checkedZone = null;
      await this.freshBuckets(zone);
      buckets = (await this.sql.query(b.sql, b.params)).map(aggregateFromRow);
    }
    let scope = projects ? [...projects] : null;
    if (q.scope) {
      const known = projects ?? [...new Set(buckets.map((x) => x.project))].sort();
      const visible = new Set(await q.scope(known));
      buckets = buckets.filter((x) => visible.has(x.project));
      scope = [...visible].sort();
    }
    const empty: IssuePage = { items: [], nextCursor: null, total: 0 };
    if (scope !== null && scope.length === 0) return { buckets, live: [], breached: empty, atRisk: empty };
    const where = scope ?? undefined;
    const l = liveRecordsSql(q.nowMs, where);
    const live = (await this.sql.query(l.sql, l.params)).map(recordFromRow);
    const d = dashboardListsSql(where, q.limit);
    const lists = dashboardListsFromRows(await this.sql.query(d.sql, d.params), q.limit);
    return { buckets, live, breached: lists.breached, atRisk: lists['at-risk'] };
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

  async listFactsBetween(fromMs: number, toMs: number): Promise<Fact[]> {
    await this.ready();
    const s = listFactsBetweenSql(fromMs, toMs);
    return factsFromRows(await this.sql.query(s.sql, s.params));
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
