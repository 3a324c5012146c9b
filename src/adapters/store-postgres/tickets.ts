/**
 * Service-held tickets (generic webhooks, demo data) on PostgreSQL: the same JiraPort over the
 * tickets table as the SQLite adapter, asynchronous.
 */
import type { JiraPort, Settings, ShownValues, Ticket } from '../../app/ports';
import type { Snapshot } from '../../domain/snapshot';
import {
  countTickets,
  deleteTicket,
  getTicket,
  getTicketShown,
  listTicketKeys,
  setTicketShown,
  toNumber,
  upsertTicket,
  upsertTicketWithShown,
} from '../sql';
import { EMPTY_SHOWN, projectOf } from '../store-sqlite/tickets';
import type { PgDb } from './db';

const PAGE = 200;

function shownFrom(json: string | null): ShownValues {
  return json ? { ...EMPTY_SHOWN, ...(JSON.parse(json) as Partial<ShownValues>) } : { ...EMPTY_SHOWN };
}

export class PostgresTicketPort implements JiraPort {
  constructor(
    readonly db: PgDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores (or replaces) a ticket's snapshot; what it shows is kept. */
  async put(snapshot: Snapshot, source: string): Promise<void> {
    await this.db.batch()?.flushTicket(snapshot.key);
    await this.db.run(
      upsertTicket('postgres', {
        key: snapshot.key,
        project: projectOf(snapshot),
        source,
        snapshotJson: JSON.stringify(snapshot),
        updatedMs: this.now(),
      }),
    );
  }

  async shownOf(key: string): Promise<ShownValues | null> {
    const batch = this.db.batch();
    if (batch) {
      const json = await batch.shownJson(key);
      return json === undefined ? null : shownFrom(json);
    }
    const row = await this.db.get<{ shown_json: string | null }>(getTicketShown(key));
    return row ? shownFrom(row.shown_json) : null;
  }

  async putWithShown(snapshot: Snapshot, source: string, shown: ShownValues): Promise<void> {
    const row = {
      key: snapshot.key,
      project: projectOf(snapshot),
      source,
      snapshotJson: JSON.stringify(snapshot),
      shownJson: JSON.stringify(shown),
      updatedMs: this.now(),
    };
    const batch = this.db.batch();
    if (batch) return batch.putTicketWithShown(row);
    await this.db.run(upsertTicketWithShown('postgres', row));
  }

  async remove(key: string): Promise<void> {
    const batch = this.db.batch();
    await batch?.flushTicket(key);
    await this.db.run(deleteTicket(key));
    batch?.forgetShown(key);
  }

  async count(): Promise<number> {
    return toNumber((await this.db.get<{ n: unknown }>(countTickets()))?.n) ?? 0;
  }

  async readTicket(keyOrId: string, _settings: Settings): Promise<Ticket | null> {
    await this.db.batch()?.flushTicket(keyOrId);
    const row = await this.db.get<{
      ticket_key: string;
      project_key: string;
      snapshot_json: string;
      shown_json: string | null;
    }>(getTicket(keyOrId));
    if (!row) return null;
    const snapshot = JSON.parse(row.snapshot_json) as Snapshot;
    return {
      id: row.ticket_key,
      key: row.ticket_key,
      project: row.project_key,
      issueType: snapshot.kind,
      snapshot,
      shown: shownFrom(row.shown_json),
    };
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>, _settings: Settings): Promise<void> {
    const shown = { ...ticket.shown, ...changes };
    const batch = this.db.batch();
    await batch?.flushTicket(ticket.key);
    await this.db.run(setTicketShown(ticket.key, JSON.stringify(shown), this.now()));
    batch?.forgetShown(ticket.key);
  }

  /** Every stored ticket, in key order, a page at a time (keyset paging). */
  async searchKeys(_jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    const keys = (await this.db.all<{ ticket_key: string }>(listTicketKeys(pageToken ?? null, PAGE))).map(
      (r) => r.ticket_key,
    );
    return keys.length === PAGE ? { keys, nextPageToken: keys[keys.length - 1]! } : { keys };
  }
}
