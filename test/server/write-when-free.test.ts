/**
 * Session 18 (issue #14, bench:server phase 5): a write on the main thread's SQLite connection while
 * the ingest thread holds the write lock waited in SQLite's busy handler, which sleeps the thread:
 * `/healthz` and every webhook waited with it, and 20 Jira events a second cut the generic events
 * answered by about a third. `writeWhenFree` waits for the lock off the event loop instead, and tells
 * the other writer, which holds its next transaction back (`yieldWriteTurn`).
 *
 * Checked without timing: another connection of this process holds the lock and lets it go from a
 * timer, which can only run if the waiting write leaves the event loop free (a blocking wait would
 * sleep through it and fail with SQLITE_BUSY after the busy timeout).
 */
import * as path from 'node:path';
import {
  openDatabase,
  shareWriteTurn,
  writeWhenFree,
  yieldWriteTurn,
  type SqliteDb,
} from '../../src/adapters/store-sqlite/db';
import { sqliteStorage, type SqliteStorage } from '../../src/server/storage';
import { EMPTY_SHOWN } from '../../src/adapters/store-sqlite';
import { example1, tempDir } from './helpers';

describe('writeWhenFree: a write that waits for the lock off the event loop (session 18)', () => {
  let main: SqliteDb;
  let other: SqliteDb;

  beforeEach(() => {
    const file = path.join(tempDir('reglament-wwf-'), 'reglament.sqlite');
    main = openDatabase({ file });
    other = openDatabase({ file, second: true });
    main.exec('CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  });
  afterEach(() => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    main.close();
  });

  const rows = () => main.prepare('SELECT n, v FROM t ORDER BY n').all();

  it('with the lock free: writes at once, in a transaction of its own, and answers fn’s result', () => {
    const out = writeWhenFree(main, () => main.prepare("INSERT INTO t (v) VALUES ('a')").run().changes);
    expect(out).toBe(1);
    expect(main.inTransaction).toBe(false);
    expect(rows()).toEqual([{ n: 1, v: 'a' }]);
  });

  it('while another connection holds the lock: the event loop runs, and the write lands after its COMMIT', async () => {
    other.exec('BEGIN IMMEDIATE');
    other.prepare("INSERT INTO t (v) VALUES ('other')").run();
    let turns = 0;
    const ticking = setInterval(() => (turns += 1), 1);
    // The other connection lets go from a timer: only a write that does not hold the loop sees it.
    setTimeout(() => other.exec('COMMIT'), 30);
    try {
      const out = writeWhenFree(main, () => main.prepare("INSERT INTO t (v) VALUES ('main')").run().changes);
      expect(out).toBeInstanceOf(Promise);
      expect(await out).toBe(1);
    } finally {
      clearInterval(ticking);
    }
    expect(turns).toBeGreaterThan(0);
    expect(rows()).toEqual([
      { n: 1, v: 'other' },
      { n: 2, v: 'main' },
    ]);
    expect(main.inTransaction).toBe(false);
  });

  it('says it is waiting through the shared flag, and clears it when written', async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    shareWriteTurn(main, flag);
    other.exec('BEGIN IMMEDIATE');
    const write = writeWhenFree(main, () => main.prepare("INSERT INTO t (v) VALUES ('x')").run().changes);
    expect(Atomics.load(flag, 0)).toBe(1);
    // The other writer's side: it holds back while the flag is up (here until its own COMMIT below).
    let yielded = false;
    const held = yieldWriteTurn(flag, 10_000).then(() => (yielded = true));
    setTimeout(() => other.exec('COMMIT'), 5);
    expect(await write).toBe(1);
    await held;
    expect(yielded).toBe(true);
    expect(Atomics.load(flag, 0)).toBe(0);
    // Nobody waiting: the other writer goes on at once.
    let now = false;
    const free = yieldWriteTurn(flag).then(() => (now = true));
    await Promise.resolve();
    await free;
    expect(now).toBe(true);
  });

  it('inside an open transaction runs in it at once, all or nothing, and a throwing fn leaves nothing', async () => {
    main.exec('BEGIN IMMEDIATE');
    const out = writeWhenFree(main, () => main.prepare("INSERT INTO t (v) VALUES ('in')").run().changes);
    expect(out).toBe(1);
    expect(main.inTransaction).toBe(true);
    // A failure inside is rolled back to its savepoint; the open transaction goes on (the ingest
    // thread's batch carrying accepted events: a failed insert must not leave half of them).
    expect(() =>
      writeWhenFree(main, () => {
        main.prepare("INSERT INTO t (v) VALUES ('half')").run();
        throw new Error('the second insert failed');
      }),
    ).toThrow('the second insert failed');
    expect(main.inTransaction).toBe(true);
    expect(rows()).toEqual([{ n: 1, v: 'in' }]);
    main.exec('ROLLBACK');
    expect(rows()).toEqual([]);
    expect(() =>
      writeWhenFree(main, () => {
        main.prepare("INSERT INTO t (v) VALUES ('lost')").run();
        throw new Error('the unit failed');
      }),
    ).toThrow('the unit failed');
    expect(main.inTransaction).toBe(false);
    expect(rows()).toEqual([]);
    // The same after a wait: the lock is let go.
    other.exec('BEGIN IMMEDIATE');
    setTimeout(() => other.exec('COMMIT'), 5);
    await expect(
      writeWhenFree(main, () => {
        main.prepare("INSERT INTO t (v) VALUES ('lost')").run();
        throw new Error('failed after the wait');
      }),
    ).rejects.toThrow('failed after the wait');
    expect(main.inTransaction).toBe(false);
    expect(writeWhenFree(main, () => main.prepare("INSERT INTO t (v) VALUES ('b')").run().changes)).toBe(1);
    expect(rows()).toEqual([{ n: 1, v: 'b' }]);
  });
});

/**
 * Session 19: the main thread's other writes — the admin's settings, a poller's cursor and the other
 * named documents, the service-held tickets of the demo data and of ticket sources — used SQLite's
 * blocking wait too: beside the ingest thread's batches each held the event loop until the lock was
 * free. Now each waits off the event loop as above.
 */
describe('the main thread’s other SQLite writes wait for the lock off the event loop (session 19)', () => {
  let storage: SqliteStorage;
  let other: SqliteDb;

  beforeEach(() => {
    const file = path.join(tempDir('reglament-wwf-'), 'reglament.sqlite');
    storage = sqliteStorage(file, 'NORMAL', () => Date.parse('2026-03-12T09:00:00Z'));
    other = openDatabase({ file, second: true });
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await storage.close();
  });

  /** Runs `write` while `other` holds the lock, which it lets go from a timer after 30 ms. */
  async function whileLocked(write: () => unknown): Promise<number> {
    other.exec('BEGIN IMMEDIATE');
    let turns = 0;
    const ticking = setInterval(() => (turns += 1), 1);
    setTimeout(() => other.exec('COMMIT'), 30);
    try {
      const out = write();
      expect(out).toBeInstanceOf(Promise);
      await out;
    } finally {
      clearInterval(ticking);
    }
    expect(other.inTransaction).toBe(false);
    return turns;
  }

  it('settings, documents and service-held tickets land after the other COMMIT, the event loop free meanwhile', async () => {
    const settings = await storage.store.getSettings();
    expect(
      await whileLocked(() => storage.store.saveSettings({ ...settings, setDueDate: true })),
    ).toBeGreaterThan(0);
    expect(await whileLocked(() => storage.putDoc('redmine-cursor', '{"at":1}', Date.now()))).toBeGreaterThan(
      0,
    );
    const snapshot = example1({ key: 'SUP-7' });
    expect(await whileLocked(() => storage.tickets.put(snapshot, 'demo'))).toBeGreaterThan(0);
    const shown = { ...EMPTY_SHOWN, slaState: 'ok' };
    expect(await whileLocked(() => storage.tickets.putWithShown(snapshot, 'demo', shown))).toBeGreaterThan(0);
    const ticket = await storage.tickets.readTicket('SUP-7', settings);
    expect(
      await whileLocked(() => storage.tickets.writeTicket(ticket!, { slaState: 'at-risk' }, settings)),
    ).toBeGreaterThan(0);
    // What landed, read on a fresh connection.
    const check = openDatabase({ file: storage.file!, second: true });
    try {
      const docs = check.prepare('SELECT name, doc FROM reglament_settings ORDER BY name').all() as {
        name: string;
        doc: string;
      }[];
      expect(docs.find((d) => d.name === 'redmine-cursor')?.doc).toBe('{"at":1}');
      expect(JSON.parse(docs.find((d) => d.name === 'settings')!.doc).setDueDate).toBe(true);
      const row = check
        .prepare('SELECT shown_json FROM reglament_tickets WHERE ticket_key = ?')
        .get('SUP-7') as {
        shown_json: string;
      };
      expect(JSON.parse(row.shown_json).slaState).toBe('at-risk');
    } finally {
      check.close();
    }
    expect(await whileLocked(() => storage.tickets.remove('SUP-7'))).toBeGreaterThan(0);
    expect(await storage.tickets.readTicket('SUP-7', settings)).toBeNull();
  });
});
