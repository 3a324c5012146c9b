/**
 * The accepted events' group commit and the inbox worker's wake-ups (issue #14, session 12).
 *
 * - `carry`: the SQLite ingest thread's worker batch inserts the events accepted meanwhile at the end
 *   of its own transaction, so they share its commit (one commit per batch instead of one more per
 *   group of accepts). An event is answered only once it is committed: not before the batch's COMMIT,
 *   and when the batch rolls back, after a flush of its own — never lost, never answered twice.
 * - A wake that comes while a batch runs (an event stored after the batch's claim) starts the next
 *   batch after one turn; before, it was dropped and the event waited for the next poll (`pollMs`).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../src/server/group-commit';
import { Metrics } from '../../src/server/metrics';
import { sqliteStorage, type SqliteStorage } from '../../src/server/storage';
import { InboxWorker, type WorkItem } from '../../src/server/worker';
import type { NewInboxEvent } from '../../src/adapters/store-sqlite';
import { tempDir } from './helpers';

const NOW = Date.parse('2026-03-12T09:00:00Z');
const event = (n: number): NewInboxEvent => ({
  key: `generic:id:d-${n}`,
  source: 'generic',
  type: 'snapshot',
  subject: `SUP-${n}`,
  payload: JSON.stringify({ n }),
});
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('GroupCommit.carry (the SQLite ingest thread)', () => {
  let dir: string;
  let file: string;
  let storage: SqliteStorage;
  /** The committed inbox as another connection sees it. */
  const committed = () => {
    const other = new Database(file, { readonly: true });
    try {
      return other.prepare('SELECT event_key, status FROM reglament_inbox ORDER BY seq').all() as {
        event_key: string;
        status: string;
      }[];
    } finally {
      other.close();
    }
  };

  beforeEach(() => {
    dir = tempDir();
    file = path.join(dir, 'reglament.sqlite');
    storage = sqliteStorage(file, 'NORMAL', () => NOW);
  });
  afterEach(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores the waiting events in the transaction that carries them and answers them after its commit', async () => {
    const flushed = jest.fn();
    const commit = new GroupCommit(storage, storage.inbox, () => NOW, flushed);
    storage.inbox.enqueue(event(1), NOW); // an earlier delivery of event 1: a duplicate below
    let answered = false;
    const answers = Promise.all([commit.add(event(1)), commit.add(event(2)), commit.add(event(3))]).then(
      (fresh) => {
        answered = true;
        return fresh;
      },
    );
    let ended: ((ok: boolean) => void) | null = null;
    let seenInside: string[] = [];
    await storage.group!(async () => {
      ended = commit.carry(NOW);
      seenInside = storage.inbox.list('pending', 10).map((e) => e.key);
      await turn();
      // Inside the transaction: stored on this connection, not committed, not answered.
      expect(committed().map((r) => r.event_key)).toEqual(['generic:id:d-1']);
      expect(answered).toBe(false);
      return null;
    });
    expect(seenInside).toEqual(['generic:id:d-1', 'generic:id:d-2', 'generic:id:d-3']);
    expect(answered).toBe(false);
    (ended as unknown as (ok: boolean) => void)(true);
    expect(await answers).toEqual([false, true, true]);
    expect(committed()).toEqual([
      { event_key: 'generic:id:d-1', status: 'pending' },
      { event_key: 'generic:id:d-2', status: 'pending' },
      { event_key: 'generic:id:d-3', status: 'pending' },
    ]);
    // One commit for the three (the carrying one); the flush scheduled by `add` found nothing left.
    await turn();
    await turn();
    expect(commit.commits).toBe(1);
    expect(commit.events).toBe(3);
    expect(flushed).toHaveBeenCalledTimes(1);
  });

  it('a transaction that rolls back gives its carried events back: a flush of their own stores them, each answered once', async () => {
    const commit = new GroupCommit(storage, storage.inbox, () => NOW);
    const answers = Promise.all([commit.add(event(4)), commit.add(event(5))]);
    let ended: ((ok: boolean) => void) | null = null;
    await expect(
      storage.group!(async () => {
        ended = commit.carry(NOW);
        throw new Error('the batch failed');
      }),
    ).rejects.toThrow('the batch failed');
    expect(committed()).toEqual([]);
    (ended as unknown as (ok: boolean) => void)(false);
    expect(await answers).toEqual([true, true]);
    expect(committed().map((r) => r.event_key)).toEqual(['generic:id:d-4', 'generic:id:d-5']);
    expect(commit.commits).toBe(1);
  });

  it('carries nothing when nothing waits', async () => {
    const commit = new GroupCommit(storage, storage.inbox, () => NOW);
    await storage.group!(async () => expect(commit.carry(NOW)).toBeNull());
  });
});

describe('InboxWorker: a wake during a batch', () => {
  afterEach(() => jest.useRealTimers());

  it('starts the next batch after one turn, not after the poll interval', async () => {
    // Timers are frozen: only setImmediate turns pass, so a worker waiting for its poll never wakes.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const dir = tempDir();
    const storage = sqliteStorage(path.join(dir, 'reglament.sqlite'), 'NORMAL', () => NOW);
    const handled: string[] = [];
    let worker: InboxWorker | null = null;
    worker = new InboxWorker({
      inbox: storage.inbox,
      handle: async (item: WorkItem) => {
        handled.push(item.subject);
        // An event accepted while this batch runs, after its claim; its acceptance wakes the worker.
        if (item.subject === 'SUP-1') {
          storage.inbox.enqueue(event(2), NOW);
          worker!.wake();
        }
      },
      metrics: new Metrics(),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => NOW,
      maxAttempts: 3,
      retryBaseMs: 1000,
      retryMaxMs: 10_000,
      leaseMs: 60_000,
      concurrency: 1,
      batch: 100,
      pollMs: 3_600_000,
    });
    try {
      storage.inbox.enqueue(event(1), NOW);
      worker.start();
      for (let i = 0; i < 50 && handled.length < 2; i++) await turn();
      expect(handled).toEqual(['SUP-1', 'SUP-2']);
    } finally {
      const stopped = worker.stop();
      jest.runOnlyPendingTimers();
      await stopped;
      await storage.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
