/**
 * Issue #14, session 21: the SQLite ingest thread stores the accepts that arrive while a batch runs in
 * that batch's transaction. The batch runs without a turn of the thread's event loop, so before, the
 * main thread's `enqueue` messages sent meanwhile stayed in the port's queue until the batch had
 * committed, and were stored by one more commit (or the next batch's): a webhook waited about two
 * batches for its answer, which with a bounded number of senders bounds the throughput too
 * (bench:server phase 1, 16 connections).
 *
 * The thread runs here in process (runIngestThread on one end of a MessageChannel), so the test can
 * send an accept while the batch runs and count the thread connection's commits. Nothing is timed.
 */
import * as path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { NewInboxEvent } from '../../src/adapters/store-sqlite';
import { runIngestThread, type FromThread, type ToThread } from '../../src/server/ingest-thread';
import { sqliteStorage } from '../../src/server/storage';
import { InboxWorker } from '../../src/server/worker';
import { tempDir } from './helpers';

const TUNING = {
  maxAttempts: 10,
  retryBaseMs: 2000,
  retryMaxMs: 3_600_000,
  leaseMs: 300_000,
  concurrency: 4,
  batch: 100,
  pollMs: 200,
};

function accept(n: number): NewInboxEvent {
  const snapshot = {
    key: `ACC-${n}`,
    kind: 'incident',
    registeredAt: '2026-02-02T10:00:00+03:00',
    impact: 'high',
    urgency: 'medium',
    mode: 'operation',
    nature: 'failure',
  };
  return {
    key: `generic:id:acc-${n}`,
    source: 'generic',
    type: 'snapshot',
    subject: snapshot.key,
    payload: JSON.stringify({ snapshot }),
  };
}

describe('the ingest thread takes in the accepts sent during a batch (issue #14, session 21)', () => {
  afterEach(() => jest.restoreAllMocks());

  /**
   * Runs the thread in process; `during` is sent while its first batch (A's) runs; resolves once the
   * answers `awaited` (enqueue ids) came and every event is done, with the trace of commits, batches,
   * answers and sweeps.
   */
  async function run(during: ToThread[], awaited: number[], events: number): Promise<string[]> {
    const file = path.join(tempDir(), 'reglament.sqlite');
    const main = sqliteStorage(file, 'NORMAL', Date.now);
    const { port1, port2 } = new MessageChannel();

    // The trace: the thread connection's COMMITs, the batches begun, the answers posted.
    const trace: string[] = [];
    const exec = Database.prototype.exec;
    jest.spyOn(Database.prototype, 'exec').mockImplementation(function (
      this: Database.Database,
      sql: string,
    ) {
      const out = exec.call(this, sql);
      if (this !== main.db && /^COMMIT/.test(sql)) trace.push('commit');
      return out;
    });
    const post = port2.postMessage.bind(port2);
    jest.spyOn(port2, 'postMessage').mockImplementation((m: unknown) => {
      const msg = m as FromThread;
      if (msg.op === 'enqueued') trace.push(`answered ${msg.id}`);
      if (msg.op === 'swept') trace.push('swept');
      post(m);
    });
    // While the first batch runs (A's), the main thread sends B.
    const runGrouped = (
      InboxWorker.prototype as unknown as { runGrouped: (...a: unknown[]) => Promise<void> }
    ).runGrouped;
    let sent = false;
    jest
      .spyOn(InboxWorker.prototype as unknown as { runGrouped: () => Promise<void> }, 'runGrouped')
      .mockImplementation(function (this: InboxWorker, ...args: unknown[]) {
        trace.push('batch');
        if (!sent) {
          sent = true;
          for (const m of during) port1.postMessage(m);
        }
        return runGrouped.apply(this, args);
      });

    const got: FromThread[] = [];
    const waitFor = (pred: (m: FromThread) => boolean) =>
      new Promise<FromThread>((resolve) => {
        const hit = got.find(pred);
        if (hit) return resolve(hit);
        const on = (m: FromThread) => {
          if (pred(m)) {
            port1.off('message', on);
            resolve(m);
          }
        };
        port1.on('message', on);
      });
    port1.on('message', (m: FromThread) => got.push(m));

    runIngestThread(port2, {
      kind: 'reglament-ingest',
      entry: '',
      file,
      synchronous: 'NORMAL',
      sources: ['generic'],
      inbox: TUNING,
    });
    await waitFor((m) => m.op === 'ready');
    port1.postMessage({ op: 'enqueue', id: 1, events: [accept(1)] } satisfies ToThread);
    for (const id of awaited) await waitFor((m) => m.op === 'enqueued' && m.id === id);
    const done = async () => (await main.inbox.counts()).done;
    for (let i = 0; i < 500 && (await done()) < events; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await done()).toBe(events);
    port1.postMessage({ op: 'stop' } satisfies ToThread);
    await waitFor((m) => m.op === 'stopped');
    await main.close();
    return trace;
  }

  /** The thread connection's commits from the first batch on, until `until` is in the trace. */
  const commitsBefore = (trace: string[], until: string) =>
    trace.slice(trace.indexOf('batch'), trace.indexOf(until)).filter((t) => t === 'commit').length;

  it('an accept sent while a batch runs is stored by that batch’s commit, not by one more', async () => {
    const trace = await run([{ op: 'enqueue', id: 2, events: [accept(2)] }], [2], 2);
    // A stored by a commit of its own, then A's batch, which stores B: B answered after that commit;
    // B processed by the next batch.
    expect(trace).toContain('answered 2');
    expect(commitsBefore(trace, 'answered 2')).toBe(1);
    expect(trace.filter((t) => t === 'batch')).toHaveLength(2);
  });

  it('other messages sent meanwhile wait for the batch’s end, and the accepts after them too (their order kept)', async () => {
    const trace = await run(
      [
        { op: 'sweep', id: 7 },
        { op: 'enqueue', id: 3, events: [accept(3)] },
      ],
      [3],
      2,
    );
    // The sweep starts after A's batch committed (a sweep inside the batch's transaction would share
    // its fate); C, sent after it, is not taken in: stored by a commit after the batch's.
    expect(commitsBefore(trace, 'answered 3')).toBe(2);
    expect(trace.indexOf('swept')).toBeGreaterThan(trace.indexOf('commit', trace.indexOf('batch')));
  });
});
