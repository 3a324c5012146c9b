/**
 * A JiraPort over the service's own tickets table: tickets that arrive as contract snapshots (the
 * generic webhook) or demo data have no ticket system to read from, so the service keeps their last
 * snapshot and what it last "showed", and the use cases run on them exactly as on Jira issues.
 */
import type { JiraPort, Settings, ShownValues, Ticket } from '../../app/ports';
import { withShown } from '../../app/shown';
import type { Snapshot } from '../../domain/snapshot';
import {
  countTickets,
  deleteTicket,
  getTicket,
  getTicketShown,
  listTicketKeys,
  setTicketShown,
  upsertTicket,
  upsertTicketWithShown,
} from '../sql';
import { all, get, run, writeWhenFree, type SqliteDb } from './db';
import type { SqliteReader } from './reader';

export const EMPTY_SHOWN: ShownValues = {
  slaPriority: null,
  slaState: null,
  reactionDue: null,
  verificationDue: null,
  fixDue: null,
  jiraPriority: null,
  dueDate: null,
};

const PAGE = 200;

/** The project of a snapshot: its `project`, else the key's prefix (`SUP-101` → `SUP`), else `-`. */
export function projectOf(s: Snapshot): string {
  if (s.project) return s.project;
  const m = /^([A-Za-z][A-Za-z0-9_]*)-\d+$/.exec(s.key);
  return m ? m[1]!.toUpperCase() : '-';
}

/**
 * Its writes wait for the write lock off the event loop (`writeWhenFree`): on the main thread (the demo
 * data, a ticket source's poller) they meet the ingest thread's batches, and SQLite's busy handler
 * would sleep the event loop meanwhile (issue #14). Inside a transaction (the ingest thread's units)
 * they run at once, in it.
 */
export class SqliteTicketPort implements JiraPort {
  constructor(
    readonly db: SqliteDb,
    private readonly now: () => number = Date.now,
    /** The views' reader thread: `/metrics`' count of every ticket runs there, off the event loop. */
    private readonly reader?: SqliteReader,
  ) {}

  /** Stores (or replaces) a ticket's snapshot; what it shows is kept. */
  put(snapshot: Snapshot, source: string): void | Promise<void> {
    const s = upsertTicket('sqlite', {
      key: snapshot.key,
      project: projectOf(snapshot),
      source,
      snapshotJson: JSON.stringify(snapshot),
      updatedMs: this.now(),
    });
    return writeWhenFree(this.db, () => void run(this.db, s));
  }

  /** What a stored ticket shows (all null when it shows nothing yet), or null when it is not stored. */
  shownOf(key: string): ShownValues | null {
    const row = get<{ shown_json: string | null }>(this.db, getTicketShown(key));
    if (!row) return null;
    return row.shown_json
      ? withShown(EMPTY_SHOWN, JSON.parse(row.shown_json) as Partial<ShownValues>)
      : { ...EMPTY_SHOWN };
  }

  /** Stores a ticket's snapshot and what it shows, in one statement. */
  putWithShown(snapshot: Snapshot, source: string, shown: ShownValues): void | Promise<void> {
    const s = upsertTicketWithShown('sqlite', {
      key: snapshot.key,
      project: projectOf(snapshot),
      source,
      snapshotJson: JSON.stringify(snapshot),
      shownJson: JSON.stringify(shown),
      updatedMs: this.now(),
    });
    return writeWhenFree(this.db, () => void run(this.db, s));
  }

  remove(key: string): void | Promise<void> {
    return writeWhenFree(this.db, () => void run(this.db, deleteTicket(key)));
  }

  count(): number {
    return get<{ n: number }>(this.db, countTickets())?.n ?? 0;
  }

  /** `count()` on the reader thread when there is one (it reads every ticket); the last committed state. */
  async countOffLoop(): Promise<number> {
    const reader = this.reader;
    if (!reader?.usable() || this.db.inTransaction) return this.count();
    const rows = (await reader.all(countTickets())) as { n: unknown }[];
    return Number(rows[0]?.n ?? 0);
  }

  async readTicket(keyOrId: string, _settings: Settings): Promise<Ticket | null> {
    const row = get<{
      ticket_key: string;
      project_key: string;
      snapshot_json: string;
      shown_json: string | null;
    }>(this.db, getTicket(keyOrId));
    if (!row) return null;
    const snapshot = JSON.parse(row.snapshot_json) as Snapshot;
    return {
      id: row.ticket_key,
      key: row.ticket_key,
      project: row.project_key,
      issueType: snapshot.kind,
      snapshot,
      shown: row.shown_json
        ? withShown(EMPTY_SHOWN, JSON.parse(row.shown_json) as Partial<ShownValues>)
        : { ...EMPTY_SHOWN },
    };
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>, _settings: Settings): Promise<void> {
    const shown = withShown(ticket.shown, changes);
    const s = setTicketShown(ticket.key, JSON.stringify(shown), this.now());
    await writeWhenFree(this.db, () => void run(this.db, s));
  }

  /**
   * Every stored ticket, in key order, a page at a time (keyset paging). The JQL is not interpreted:
   * service-held tickets carry their kind in the snapshot and are all in scope.
   */
  async searchKeys(_jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const keys = all<{ ticket_key: string }>(this.db, listTicketKeys(pageToken ?? null, PAGE)).map(
      (r) => r.ticket_key,
    );
    return keys.length === PAGE ? { keys, nextPageToken: keys[keys.length - 1]! } : { keys };
  }
}
