/**
 * The SQLite ingest thread (issue #14): the generic webhooks' events are stored and processed on the
 * machine's second core, on a connection of their own, while the main thread serves HTTP.
 *
 * - Accepting: the main thread receives, authenticates and validates a webhook, then sends the event
 *   here (`enqueue`); this thread stores the events of one turn in one transaction (GroupCommit) and
 *   answers which were new. The main thread answers 2xx only after that: "stored before the 2xx" holds.
 * - Processing: an InboxWorker that claims the `generic` source only (the main thread's worker claims
 *   every other source), in batches of one transaction each (claim, units, settle), as the main thread
 *   did before. A batch first re-reads the settings if another connection saved them.
 * - Sweeping: the scheduled sweep of the service-held tickets runs here too (`sweep`), so their
 *   records have one writer.
 * - The thread reports its worker's metrics, its log lines and a heartbeat (for /healthz) to the main
 *   thread, and asks it to wake its worker when a notification was queued.
 *
 * Only the main thread writes with the other connection; SQLite serializes the two writers (WAL, one
 * write lock). The thread runs from the built JavaScript; under jest or from src/ it is loaded
 * through scripts/ts-thread.js, which compiles the TypeScript sources with SWC.
 */
import {
  isMainThread,
  parentPort,
  receiveMessageOnPort,
  workerData,
  type MessagePort,
} from 'node:worker_threads';
import type { AppDeps, AppLog } from '../app/deps';
import { MemoryJobs } from '../adapters/memory/jobs';
import { recomputeScope, sweep, type ScopeStats } from '../app/issue-change';
import type { NewInboxEvent } from '../adapters/store-sqlite';
import { yieldWriteTurn } from '../adapters/store-sqlite/db';
import { processGenericItem } from './generic';
import { GroupCommit } from './group-commit';
import type { Metrics } from './metrics';
import { notifyAdmin, notifyOutbox } from './notify';
import { sqliteStorage } from './storage';
import { InboxWorker, type WorkerLog, type WorkerTuning } from './worker';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What the main thread gives the ingest thread at start. */
export interface IngestThreadData {
  kind: 'reglament-ingest';
  /** The entry module (this file, .ts or .js), for the TypeScript loader. */
  entry: string;
  file: string;
  synchronous: 'NORMAL' | 'FULL';
  /** The sources whose events this thread claims and processes. */
  sources: string[];
  inbox: WorkerTuning;
  /**
   * Above 0 while a write of the main thread's connection waits for the write lock (shareWriteTurn):
   * the thread then holds its next batch back a moment (yieldWriteTurn).
   */
  writeTurn?: SharedArrayBuffer;
}

/** A metric change made in the thread, applied to the main thread's registry. */
export interface MetricOp {
  name: 'processed' | 'processing' | 'lag' | 'failed' | 'retried';
  kind: 'inc' | 'observe';
  labels: Record<string, string>;
  value: number;
}

export type ToThread =
  | { op: 'enqueue'; id: number; events: NewInboxEvent[] }
  | { op: 'sweep'; id: number }
  | { op: 'recompute'; id: number; jql: string }
  | { op: 'wake' }
  | { op: 'probe'; id: number; nowMs: number }
  | { op: 'stop' };

export type FromThread =
  | { op: 'ready' }
  | { op: 'enqueued'; id: number; fresh?: boolean[]; error?: string }
  | { op: 'swept'; id: number; error?: string }
  | { op: 'recompute-page'; id: number; stats: ScopeStats }
  | { op: 'recomputed'; id: number; error?: string }
  | { op: 'tick'; ms: number }
  | { op: 'metrics'; items: MetricOp[] }
  | { op: 'log'; level: 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string }
  | { op: 'wake-main' }
  | { op: 'probed'; id: number; error?: { message: string; code?: string } }
  | { op: 'stopped' }
  | { op: 'failed'; message: string };

/** Log fields as data a message can carry (an Error becomes its message and stack). */
function plain(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj))
    out[k] = v instanceof Error ? { message: v.message, stack: v.stack } : v;
  return out;
}

/** Runs the thread: opens the connection, starts the worker, serves the main thread's messages. */
export function runIngestThread(port: MessagePort, data: IngestThreadData): void {
  const post = (m: FromThread) => port.postMessage(m);
  const now = Date.now;
  const storage = sqliteStorage(data.file, data.synchronous, now, { second: true });
  const { store, inbox, tickets } = storage;

  const logLine =
    (level: 'info' | 'warn' | 'error') =>
    (obj: Record<string, unknown>, msg: string): void =>
      post({ op: 'log', level, obj: plain(obj), msg });
  const workerLog: WorkerLog = { info: logLine('info'), warn: logLine('warn'), error: logLine('error') };
  // As on the main thread: service-held tickets have no comments or labels, so skipped escalations are
  // not warnings there.
  const appLog: AppLog = {
    info: () => undefined,
    warn: (message, data) => {
      if (!/skipped$/.test(message)) workerLog.warn(data ?? {}, message);
    },
  };

  // Metrics: buffered per turn, applied by the main thread to the registry /metrics serves.
  let buffered: MetricOp[] = [];
  const flushMetrics = () => {
    if (buffered.length === 0) return;
    post({ op: 'metrics', items: buffered });
    buffered = [];
  };
  const metric = (name: MetricOp['name']) => ({
    inc: (labels: Record<string, string> = {}, by = 1) => {
      if (buffered.length === 0) setImmediate(flushMetrics);
      buffered.push({ name, kind: 'inc', labels, value: by });
    },
    observe: (value: number, labels: Record<string, string> = {}) => {
      if (buffered.length === 0) setImmediate(flushMetrics);
      buffered.push({ name, kind: 'observe', labels, value });
    },
  });
  const metrics = {
    processed: metric('processed'),
    processing: metric('processing'),
    lag: metric('lag'),
    failed: metric('failed'),
    retried: metric('retried'),
  } as unknown as Metrics;

  const wakeMain = () => post({ op: 'wake-main' });
  // Notifications queued here are sent by the main thread's worker: wake it.
  const outbox = notifyOutbox(
    {
      enqueueBatch: (events, nowMs) => {
        const fresh = inbox.enqueueBatch(events, nowMs);
        wakeMain();
        return fresh;
      },
    },
    now,
  );
  const holder: { deps: AppDeps | null } = { deps: null };
  const jobs = new MemoryJobs(() => holder.deps!, {
    get: async () => (await storage.getDoc('last-recompute')) ?? null,
    put: async (iso) => storage.putDoc('last-recompute', iso, now()),
  });
  const deps: AppDeps = {
    store,
    clock: now,
    jobs,
    log: appLog,
    outbox,
    notifyAdmin: notifyAdmin(inbox, now, wakeMain),
    jira: tickets,
  };
  holder.deps = deps;

  const sources = new Set(data.sources);
  const writeTurn = data.writeTurn ? new Int32Array(data.writeTurn) : undefined;
  const group = storage.group!;
  // Declared before the worker: its batches carry the accepted events (below). Events stored by a
  // flush of their own wake the worker.
  const commit = new GroupCommit(storage, inbox, now, () => worker.wake());
  const worker = new InboxWorker({
    inbox,
    handle: (item) => processGenericItem(deps, tickets, item),
    metrics,
    log: workerLog,
    now,
    coalesce: new Set(['snapshot']),
    ...data.inbox,
    claimSources: { only: data.sources },
    grouped: {
      sources,
      run: async (fn, events, nowMs) => {
        // A write of the main thread waiting for the lock goes first (at most 20 ms).
        await yieldWriteTurn(writeTurn);
        // Settings the admin page saved on the main thread's connection apply from this batch on.
        store.refreshSettings();
        // The events accepted meanwhile are inserted at the end of the batch's transaction and
        // answered after its commit: one commit per batch instead of one more per group of accepts
        // (issue #14). The next batch processes them (their commit wakes the worker).
        const carried: { ended: ((committed: boolean) => void) | null } = { ended: null };
        try {
          const out = await group(async () => {
            const done = await fn();
            takeAccepts();
            carried.ended = commit.carry(nowMs);
            return done;
          }, events);
          carried.ended?.(true);
          return out;
        } catch (e) {
          carried.ended?.(false);
          throw e;
        }
      },
      ...(storage.unit ? { unit: storage.unit } : {}),
      claimInside: true,
      // The claim reads the rows and the batch's transaction holds them (SQLite's write lock): each
      // event's inbox row is written once, when settled (session 20).
      claimHeld: true,
    },
  });

  let lastTick = 0;
  let stopping = false;
  /** The sweep or recomputation running (one at a time, in order); a stop waits for it. */
  let sweeping: Promise<void> = Promise.resolve();
  const heartbeat = setInterval(() => {
    if (worker.lastTickMs !== lastTick) {
      lastTick = worker.lastTickMs;
      post({ op: 'tick', ms: lastTick });
    }
  }, 250);

  /**
   * The accepts the main thread sent while a batch ran, taken in before its commit (session 21): the
   * batch runs without a turn of this thread's event loop, so they were still in the port's queue and
   * waited for the next batch's commit — about two batches between a webhook and its answer, which
   * with a bounded number of senders bounds the throughput too. Read synchronously (no turn: a sweep
   * paused between its transactions must not resume inside the batch's); other messages are handled
   * after the batch, in their order.
   */
  const takeAccepts = (): void => {
    let later: ToThread[] | null = null;
    for (let got = receiveMessageOnPort(port); got !== undefined; got = receiveMessageOnPort(port)) {
      const m = got.message as ToThread;
      if (m.op === 'enqueue' && later === null) onMessage(m);
      else (later ??= []).push(m);
    }
    if (later !== null) {
      const rest = later;
      setImmediate(() => rest.forEach(onMessage));
    }
  };

  const onMessage = (m: ToThread): void => {
    switch (m.op) {
      case 'enqueue': {
        const stored = Promise.all(m.events.map((e) => commit.add(e)));
        // The worker's next batch stores them (`carry`); a group commit of their own (next turn)
        // does when no batch ran first. Either wakes the worker once they are stored.
        worker.wake();
        stored.then(
          (fresh) => post({ op: 'enqueued', id: m.id, fresh }),
          (e: unknown) => post({ op: 'enqueued', id: m.id, error: (e as Error)?.message ?? String(e) }),
        );
        return;
      }
      case 'sweep':
        // The service-held tickets' due records, swept here: the thread writes their records anyway,
        // so the sweep and the batches never race. The sweep yields between tickets and batches; the
        // worker's turns and the accepts run meanwhile (a turn is one transaction without yields).
        // A stop ends it after the batch in hand (`shouldStop`); the next sweep starts over.
        sweeping = sweeping
          .then(() => {
            store.refreshSettings();
            return sweep(deps, { onMissing: async () => undefined, shouldStop: () => stopping });
          })
          .then(
            () => post({ op: 'swept', id: m.id }),
            (e: unknown) => post({ op: 'swept', id: m.id, error: (e as Error)?.message ?? String(e) }),
          );
        return;
      case 'recompute':
        // A recomputation of the service-held tickets (Recompute all, or saved settings that move the
        // clocks), here for the same reason as the sweep; it yields every few tickets.
        sweeping = sweeping
          .then(async () => {
            store.refreshSettings();
            const stats = await recomputeScope(deps, m.jql, {
              pause: nextTurn,
              shouldStop: () => stopping,
              onPage: (page) => post({ op: 'recompute-page', id: m.id, stats: page }),
            });
            // Cut short by a stop: not done (its finish would say every clock was re-evaluated).
            if (stats.nextPageToken)
              throw new Error(
                'stopped before the end: the service is stopping; run it again after the restart',
              );
          })
          .then(
            () => post({ op: 'recomputed', id: m.id }),
            (e: unknown) => post({ op: 'recomputed', id: m.id, error: (e as Error)?.message ?? String(e) }),
          );
        return;
      case 'wake':
        worker.wake();
        return;
      case 'probe': {
        // The health probe's write (src/server/health.ts), on this connection between its transactions:
        // on the main thread's connection it waited for this thread's write lock with the event loop
        // held (0.2 s at a time during a sweep of 100,000 records, bench:server phase 4; issue #14).
        const attempt = (): void => {
          if (storage.busy()) {
            setImmediate(attempt);
            return;
          }
          try {
            storage.probeWrite(m.nowMs);
            post({ op: 'probed', id: m.id });
          } catch (e) {
            const err = e as { message?: unknown; code?: unknown } | null;
            post({
              op: 'probed',
              id: m.id,
              error: {
                message: typeof err?.message === 'string' ? err.message : String(e),
                ...(typeof err?.code === 'string' ? { code: err.code } : {}),
              },
            });
          }
        };
        attempt();
        return;
      }
      case 'stop':
        stopping = true;
        void (async () => {
          clearInterval(heartbeat);
          await worker.stop();
          await sweeping;
          // Accepts that arrived with the stop: their group commit (scheduled for the next turn) runs
          // before the connection closes.
          await nextTurn();
          flushMetrics();
          await storage.close();
          post({ op: 'stopped' });
          port.close();
        })();
        return;
    }
  };
  port.on('message', onMessage);
  worker.start();
  post({ op: 'tick', ms: worker.lastTickMs });
  post({ op: 'ready' });
}

if (!isMainThread && (workerData as IngestThreadData | undefined)?.kind === 'reglament-ingest') {
  try {
    runIngestThread(parentPort!, workerData as IngestThreadData);
  } catch (e) {
    parentPort!.postMessage({
      op: 'failed',
      message: (e as Error)?.message ?? String(e),
    } satisfies FromThread);
  }
}
