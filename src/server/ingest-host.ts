/**
 * The main thread's side of the SQLite ingest thread (issue #14, see ingest-thread.ts): starts it,
 * sends it the accepted events of each turn and resolves each request's promise with the thread's
 * answer (stored, and whether it was new), applies its metrics and log lines, and watches it.
 *
 * If the thread fails (it cannot open the database, or it dies), `onFailure` is called once: the
 * service then stores and processes on the main thread as before, and /healthz reports the worker.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NewInboxEvent } from '../adapters/store-sqlite';
import type { ScopeStats } from '../app/issue-change';
import type { FromThread, IngestThreadData, ToThread } from './ingest-thread';
import type { Metrics } from './metrics';
import type { WorkerLog } from './worker';

interface Waiting {
  event: NewInboxEvent;
  resolve: (fresh: boolean) => void;
  reject: (e: unknown) => void;
}

export interface IngestHostOptions {
  data: Omit<IngestThreadData, 'kind' | 'entry'>;
  metrics: Metrics;
  log: WorkerLog;
  /** A notification was queued in the thread: the main thread's worker sends it. */
  wakeMain: () => void;
  /** The thread failed (once): the caller takes its work back. */
  onFailure: (e: Error) => void;
}

/** The thread's entry: the built .js next to this file, or the .ts sources through the SWC loader. */
function entryOf(): { script: string; entry: string } {
  if (__filename.endsWith('.ts')) {
    const entry = path.join(__dirname, 'ingest-thread.ts');
    return { script: path.join(__dirname, '..', '..', 'scripts', 'ts-thread.js'), entry };
  }
  const entry = path.join(__dirname, 'ingest-thread.js');
  return { script: entry, entry };
}

/** How long the health probe waits for the thread's answer before it fails (its busy timeout is 5 s). */
const PROBE_ANSWER_MS = 10_000;

export class IngestHost {
  private readonly worker: Worker;
  private queue: Waiting[] = [];
  private scheduled = false;
  private readonly waiting = new Map<number, Waiting[]>();
  private readonly sweeps = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly pages = new Map<number, (stats: ScopeStats) => void>();
  private readonly probes = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;
  private stopped: Promise<void> | null = null;
  private resolveStopped: (() => void) | null = null;
  private readonly ready: Promise<void>;
  /** Wall-clock ms of the thread worker's last loop turn (its heartbeat). */
  lastTickMs = Date.now();

  constructor(private readonly o: IngestHostOptions) {
    const { script, entry } = entryOf();
    const data: IngestThreadData = { kind: 'reglament-ingest', entry, ...o.data };
    this.worker = new Worker(script, { workerData: data });
    let resolveReady: () => void = () => undefined;
    let rejectReady: (e: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: FromThread) => {
      switch (m.op) {
        case 'ready':
          resolveReady();
          return;
        case 'enqueued': {
          const batch = this.waiting.get(m.id);
          if (!batch) return;
          this.waiting.delete(m.id);
          if (m.fresh) batch.forEach((w, i) => w.resolve(m.fresh![i]!));
          else
            for (const w of batch)
              w.reject(new Error(`the ingest thread could not store the events: ${m.error}`));
          return;
        }
        case 'swept':
          this.answer(m.id, m.error, 'sweep');
          return;
        case 'recompute-page':
          this.pages.get(m.id)?.(m.stats);
          return;
        case 'recomputed':
          this.pages.delete(m.id);
          this.answer(m.id, m.error, 'recomputation');
          return;
        case 'tick':
          this.lastTickMs = Date.now();
          return;
        case 'metrics':
          for (const op of m.items) {
            const metric = this.o.metrics[op.name] as unknown as {
              inc?: (labels: Record<string, string>, by: number) => void;
              observe?: (value: number, labels: Record<string, string>) => void;
            };
            if (op.kind === 'inc') metric.inc?.(op.labels, op.value);
            else metric.observe?.(op.value, op.labels);
          }
          this.lastTickMs = Date.now();
          return;
        case 'log':
          this.o.log[m.level]({ ...m.obj, thread: 'ingest' }, m.msg);
          return;
        case 'wake-main':
          this.o.wakeMain();
          return;
        case 'probed': {
          const w = this.probes.get(m.id);
          if (!w) return;
          this.probes.delete(m.id);
          if (!m.error) w.resolve();
          // The database's error code kept (health.ts storageFailure names SQLITE_FULL and the like).
          else
            w.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
          return;
        }
        case 'stopped':
          this.resolveStopped?.();
          return;
        case 'failed':
          this.fail(new Error(`the ingest thread failed to start: ${m.message}`));
          rejectReady(this.failure!);
          return;
      }
    });
    this.worker.on('error', (e) => {
      this.fail(e);
      rejectReady(e);
    });
    this.worker.on('exit', (code) => {
      this.resolveStopped?.();
      // A sweep or accepts the thread did not answer before it ended fail now (never hang a close).
      const gone = new Error(`the ingest thread exited (code ${code})`);
      for (const w of this.sweeps.values()) w.reject(gone);
      this.sweeps.clear();
      for (const w of this.probes.values()) w.reject(gone);
      this.probes.clear();
      for (const batch of this.waiting.values()) for (const w of batch) w.reject(gone);
      this.waiting.clear();
      if (!this.stopped) this.fail(new Error(`the ingest thread exited (code ${code})`));
      rejectReady(this.failure ?? new Error('the ingest thread exited'));
    });
  }

  /** Resolves when the thread has opened the database and started its worker. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** Whether the thread takes events (it has not failed and is not stopping). */
  usable(): boolean {
    return this.failure === null && this.stopped === null;
  }

  /** Whether the thread's worker turned within `maxSilenceMs`. */
  alive(maxSilenceMs: number): boolean {
    return this.usable() && Date.now() - this.lastTickMs <= maxSilenceMs;
  }

  /** Stores an event with the others of this turn, in the thread. @returns false for a known key. */
  add(event: NewInboxEvent): Promise<boolean> {
    if (!this.usable()) return Promise.reject(this.failure ?? new Error('the ingest thread is stopping'));
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Settles a sweep's or a recomputation's promise with the thread's answer. */
  private answer(id: number, error: string | undefined, what: string): void {
    const w = this.sweeps.get(id);
    if (!w) return;
    this.sweeps.delete(id);
    if (error === undefined) w.resolve();
    else w.reject(new Error(`the ingest thread's ${what} failed: ${error}`));
  }

  /** Sweeps the service-held tickets' due records in the thread. */
  sweep(): Promise<void> {
    if (!this.usable()) return Promise.reject(this.failure ?? new Error('the ingest thread is stopping'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.sweeps.set(id, { resolve, reject });
      this.send({ op: 'sweep', id });
    });
  }

  /** Recomputes the service-held tickets a query finds, in the thread; `onPage` gets its progress. */
  recompute(jql: string, onPage: (stats: ScopeStats) => void): Promise<void> {
    if (!this.usable()) return Promise.reject(this.failure ?? new Error('the ingest thread is stopping'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.sweeps.set(id, { resolve, reject });
      this.pages.set(id, onPage);
      this.send({ op: 'recompute', id, jql });
    });
  }

  /** Processes new work soon in the thread. */
  /**
   * The health probe's write on the thread's connection, between its transactions (the main thread's
   * connection would wait for the thread's write lock with the event loop held). Rejects with the
   * database's error (its `code` kept) when the write fails.
   */
  probeWrite(nowMs: number): Promise<void> {
    if (!this.usable()) return Promise.reject(this.failure ?? new Error('the ingest thread is stopping'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      // A thread that does not answer (stuck in a transaction) fails the probe, named, after a bound.
      const timer = setTimeout(() => {
        if (!this.probes.delete(id)) return;
        reject(new Error(`the ingest thread did not answer the health probe within ${PROBE_ANSWER_MS} ms`));
      }, PROBE_ANSWER_MS);
      timer.unref();
      this.probes.set(id, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.send({ op: 'probe', id, nowMs });
    });
  }

  wake(): void {
    if (this.usable()) this.send({ op: 'wake' });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (!this.usable()) {
      for (const w of batch) w.reject(this.failure ?? new Error('the ingest thread is stopping'));
      return;
    }
    const id = this.nextId++;
    this.waiting.set(id, batch);
    this.send({ op: 'enqueue', id, events: batch.map((w) => w.event) });
  }

  private send(m: ToThread): void {
    this.worker.postMessage(m);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const batch of this.waiting.values()) for (const w of batch) w.reject(e);
    this.waiting.clear();
    for (const w of this.queue) w.reject(e);
    this.queue = [];
    for (const w of this.sweeps.values()) w.reject(e);
    this.sweeps.clear();
    if (!this.stopped) this.o.onFailure(e);
  }

  /** Ends the thread at once, as a crash would (tests of the fallback). */
  async crash(): Promise<void> {
    await this.worker.terminate();
  }

  /** Stops the thread's worker after its unit in flight, then the thread (its connection closed). */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped;
    // Events already sent are answered before the thread stops (messages are taken in order).
    this.flush();
    this.stopped = new Promise<void>((resolve) => {
      this.resolveStopped = resolve;
    });
    if (this.failure) {
      void this.worker.terminate();
      this.resolveStopped!();
    } else {
      this.send({ op: 'stop' });
      // A thread that does not answer within 30 s is ended (its claimed rows' leases expire).
      const timer = setTimeout(() => void this.worker.terminate(), 30_000);
      timer.unref();
      void this.stopped.then(() => clearTimeout(timer));
    }
    return this.stopped;
  }
}
