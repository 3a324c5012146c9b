/**
 * One worker batch on PostgreSQL as one transaction with few round trips (issue #14).
 *
 * Per event, the generic-webhook path reads the issue's mark, ledger, shown values and old SLA record
 * and writes each of them back, plus the compliance buckets: about 20 statements, each a round trip
 * (and, outside a transaction, a commit). A `PgBatch` instead:
 *
 * 1. takes the record-write advisory locks of every subject of the batch in one statement (in lock-id
 *    order, so two instances' batches cannot deadlock on them);
 * 2. reads the marks, facts, shown values and SLA records of all subjects with one `= ANY($1)` query
 *    each;
 * 3. serves the stores' reads from memory and keeps their writes (read-your-writes);
 * 4. writes them at the end as multi-row statements (marks, facts, tickets, records, and the bucket
 *    deltas summed over the batch, in bucket order), inside the same transaction.
 *
 * A read of something not prefetched (another issue id or key than the subjects) goes to the
 * database on the batch's connection, and a record of another key takes its lock first.
 */
import type { PoolClient } from 'pg';
import type { IssueMark, SlaRecordRow } from '../../app/ports';
import type { AggRow } from '../../domain/aggregates';
import type { Fact } from '../../domain/ledger';
import { bucketDeltas, bucketWriteSql, sumBucketDeltas } from '../sql/aggregates';
import { unnestRows, type ColumnTypes } from './bulk';
import {
  LEDGER_TABLE,
  MARKS_TABLE,
  factsFromRows,
  insertFactSql,
  markFromRow,
  putMarkSql,
} from '../sql/ledger';
import {
  multiRow,
  placeholders,
  RECORD_COLUMNS,
  recordFromRow,
  TABLES,
  upsertRecord,
  upsertTicketWithShown,
  type SqlStatement,
} from '../sql';

/** Moved to src/adapters/sql/dialect.ts (SQLite's ledger inserts use it too); kept here for callers. */
export { multiRow };

/** Advisory lock class of record writes (with the key's hash); the same as PostgresStore's. */
export const RECORD_LOCK = 0x72656372; // 'recr'

/**
 * The prefetch's reads of a batch's subjects (`$1`: their keys, which are also issue ids).
 *
 * The ledger's is a lateral join, one index lookup per issue (`OFFSET 0` keeps the planner from
 * flattening it into a join that scans the ledger): with `issue_id = ANY($1)` the planner,
 * before the table's first ANALYZE, took 0.5 % of the rows per array element (issue_id is not unique
 * in the ledger), so half the table for a batch of 100, and scanned the whole ledger, in parallel,
 * on every batch (issue #14, session 8: perf on bench:server phase 3 put most of PostgreSQL's time in
 * sequential scans; a fresh site under load is never analysed in time). The other three tables are
 * read by their primary keys, which the planner knows to be unique.
 */
export const PREFETCH_SQL = {
  marks: `SELECT issue_id, issue_key, updated_ms FROM ${MARKS_TABLE} WHERE issue_id = ANY($1)`,
  facts:
    `SELECT l.issue_id, l.fact_json FROM unnest($1::text[]) AS s(id) ` +
    `CROSS JOIN LATERAL (SELECT issue_id, fact_json, at_ms, fact_id FROM ${LEDGER_TABLE} WHERE issue_id = s.id OFFSET 0) AS l ` +
    `ORDER BY l.issue_id, l.at_ms, l.fact_id`,
  tickets: `SELECT ticket_key, shown_json FROM ${TABLES.tickets} WHERE ticket_key = ANY($1)`,
  records: `SELECT ${RECORD_COLUMNS.join(', ')} FROM ${TABLES.records} WHERE issue_key = ANY($1)`,
} as const;

/** Rows per multi-row statement. */
const CHUNK = 500;

interface RecordSlot {
  /** The record as committed before this batch (the buckets' "before"). */
  before: SlaRecordRow | null;
  /** The record after the batch's writes so far. */
  now: SlaRecordRow | null;
  written: boolean;
}

export class PgBatch {
  private readonly marks = new Map<string, IssueMark | null>();
  private readonly facts = new Map<string, Fact[]>();
  private readonly shown = new Map<string, string | null>();
  private readonly records = new Map<string, RecordSlot>();
  private readonly locked = new Set<string>();
  /** Subjects whose rows were all read by `prefetch` (an absent row there means: none). */
  private readonly prefetched = new Set<string>();
  private readonly markWrites = new Map<string, SqlStatement>();
  private readonly factWrites = new Map<string, SqlStatement>();
  private readonly ticketWrites = new Map<string, SqlStatement>();
  /**
   * Inbox events this transaction holds by row lock (claimed inside it, `PostgresInbox.claim`): their
   * settle writes them without a lease check, and a release leaves them as they are.
   */
  readonly held = new Set<string>();
  /** Statements sent (diagnostics and tests). */
  statements = 0;

  constructor(
    readonly client: PoolClient,
    private readonly now: () => number,
    private readonly types: ColumnTypes,
  ) {}

  private async query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    this.statements += 1;
    return (await this.client.query(sql, params)).rows as Record<string, unknown>[];
  }

  private async run(s: SqlStatement): Promise<void> {
    await this.query(placeholders(s.sql, 'postgres'), s.params);
  }

  /** Locks and reads everything the batch's subjects (ticket keys, which are also issue ids) need. */
  async prefetch(subjects: readonly string[]): Promise<void> {
    const keys = [...new Set(subjects)].filter((k) => !this.locked.has(k));
    if (keys.length === 0) return;
    await this.lock(keys);
    const [marks, facts, tickets, records] = [
      await this.query(PREFETCH_SQL.marks, [keys]),
      await this.query(PREFETCH_SQL.facts, [keys]),
      await this.query(PREFETCH_SQL.tickets, [keys]),
      await this.query(PREFETCH_SQL.records, [keys]),
    ];
    for (const k of keys) {
      this.prefetched.add(k);
      this.marks.set(k, null);
      this.facts.set(k, []);
      if (!this.records.has(k)) this.records.set(k, { before: null, now: null, written: false });
    }
    for (const r of marks) this.marks.set(String(r.issue_id), markFromRow(r));
    for (const r of facts) this.facts.get(String(r.issue_id))!.push(...factsFromRows([r]));
    for (const r of tickets) this.shown.set(String(r.ticket_key), (r.shown_json as string | null) ?? null);
    for (const r of records) {
      const rec = recordFromRow(r);
      this.records.set(rec.key, { before: rec, now: rec, written: false });
    }
  }

  /** The record-write locks of `keys`, in lock-id order (the same order on every instance). */
  private async lock(keys: readonly string[]): Promise<void> {
    const fresh = keys.filter((k) => !this.locked.has(k));
    if (fresh.length === 0) return;
    await this.query(
      'SELECT pg_advisory_xact_lock($1, h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY h) AS s',
      [RECORD_LOCK, fresh],
    );
    for (const k of fresh) this.locked.add(k);
  }

  async getMark(issueId: string): Promise<IssueMark | null> {
    if (!this.marks.has(issueId)) {
      const rows = await this.query(`SELECT issue_key, updated_ms FROM ${MARKS_TABLE} WHERE issue_id = $1`, [
        issueId,
      ]);
      this.marks.set(issueId, markFromRow(rows[0]));
    }
    return this.marks.get(issueId) ?? null;
  }

  putMark(issueId: string, mark: IssueMark): void {
    this.marks.set(issueId, { ...mark });
    this.markWrites.set(issueId, putMarkSql('postgres', issueId, mark, this.now()));
  }

  async listFacts(issueId: string): Promise<Fact[]> {
    let list = this.facts.get(issueId);
    if (!list) {
      list = factsFromRows(
        await this.query(
          `SELECT fact_json FROM ${LEDGER_TABLE} WHERE issue_id = $1 ORDER BY at_ms, fact_id`,
          [issueId],
        ),
      );
      this.facts.set(issueId, list);
    }
    return [...list].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  }

  /** Appends facts unless recorded; @returns how many were new to this batch's view of the ledger. */
  async appendFacts(facts: readonly Fact[]): Promise<number> {
    let n = 0;
    for (const f of facts) {
      const list = this.facts.get(f.issueId) ?? (await this.listFacts(f.issueId));
      if (!this.facts.has(f.issueId)) this.facts.set(f.issueId, list);
      const known = this.facts.get(f.issueId)!;
      if (known.some((x) => x.id === f.id) || this.factWrites.has(f.id)) continue;
      known.push(f);
      this.factWrites.set(f.id, insertFactSql('postgres', f));
      n += 1;
    }
    return n;
  }

  /** The stored shown values (JSON) of a ticket; undefined: no ticket. */
  async shownJson(key: string): Promise<string | null | undefined> {
    if (!this.shown.has(key) && !this.prefetched.has(key)) {
      const rows = await this.query(`SELECT shown_json FROM ${TABLES.tickets} WHERE ticket_key = $1`, [key]);
      if (rows[0]) this.shown.set(key, (rows[0].shown_json as string | null) ?? null);
      else return undefined;
    }
    return this.shown.has(key) ? this.shown.get(key)! : undefined;
  }

  /** Keeps a ticket write with its shown values (the last one per key is written). */
  putTicketWithShown(t: {
    key: string;
    project: string;
    source: string;
    snapshotJson: string;
    shownJson: string;
    updatedMs: number;
  }): void {
    this.shown.set(t.key, t.shownJson);
    this.ticketWrites.set(t.key, upsertTicketWithShown('postgres', t));
  }

  /**
   * Before a statement on the ticket that does not go through the batch (a plain put, a read of the
   * whole ticket, a removal): the ticket's kept write goes first, so that statement sees it.
   */
  async flushTicket(key: string): Promise<void> {
    const s = this.ticketWrites.get(key);
    if (!s) return;
    this.ticketWrites.delete(key);
    await this.run(s);
  }

  /** Forgets what the batch knows of a ticket's shown values (changed by a statement of its own). */
  forgetShown(key: string): void {
    this.shown.delete(key);
    this.prefetched.delete(key);
  }

  async getRecord(key: string): Promise<SlaRecordRow | null> {
    return (await this.slot(key)).now;
  }

  async writeRecord(key: string, row: SlaRecordRow | null): Promise<void> {
    const slot = await this.slot(key);
    slot.now = row;
    slot.written = true;
  }

  private async slot(key: string): Promise<RecordSlot> {
    let slot = this.records.get(key);
    if (!slot) {
      await this.lock([key]);
      const rows = await this.query(
        `SELECT ${RECORD_COLUMNS.join(', ')} FROM ${TABLES.records} WHERE issue_key = $1`,
        [key],
      );
      const rec = rows[0] ? recordFromRow(rows[0]) : null;
      slot = { before: rec, now: rec, written: false };
      this.records.set(key, slot);
    }
    return slot;
  }

  /** Writes what the batch kept, as multi-row statements; the bucket deltas summed, in bucket order. */
  async flush(zone: string): Promise<void> {
    // One array per column (`unnestRows`): the same text for any row count, planned as one row.
    const chunks = async (statements: SqlStatement[]) => {
      for (let i = 0; i < statements.length; i += CHUNK)
        await this.run(await unnestRows(statements.slice(i, i + CHUNK), this.types));
    };
    await chunks([...this.markWrites.values()]);
    await chunks([...this.factWrites.values()]);
    await chunks([...this.ticketWrites.values()]);

    const upserts: SqlStatement[] = [];
    const deletes: string[] = [];
    const deltas: AggRow[] = [];
    for (const [key, slot] of this.records) {
      if (!slot.written) continue;
      if (slot.now) upserts.push(upsertRecord('postgres', slot.now));
      else if (slot.before) deletes.push(key);
      for (const d of bucketDeltas(slot.before, slot.now, zone)) deltas.push(d);
    }
    if (deletes.length > 0)
      await this.query(`DELETE FROM ${TABLES.records} WHERE issue_key = ANY($1)`, [deletes]);
    await chunks(upserts);
    const buckets = sumBucketDeltas(deltas);
    // The buckets, then the rollup (migration 8), 200 rows a statement, each in id order.
    for (const st of bucketWriteSql('postgres', buckets)) await this.run(st);
  }
}
