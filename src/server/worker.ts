/**
 * The inbox worker: claims due events in batches, processes them, settles them in one transaction.
 *
 * - Events of one subject (an issue) run in arrival order; different subjects run concurrently
 *   (bounded). Consecutive events of one subject that mean "re-read this issue" or "here is its latest
 *   snapshot" are coalesced into one unit of work: the result is the same, with one Jira read instead
 *   of several.
 * - A failure schedules a retry with exponential backoff and jitter (`attempts`, `next_attempt_ms`,
 *   `last_error`); after `maxAttempts`, or on a PermanentError, the row stays `failed` (never deleted).
 * - Stopping lets the unit of work in flight finish and gives the unstarted claimed rows back.
 */
import { performance } from 'node:perf_hooks';
import type { InboxOutcome, InboxPort } from './storage';
import type { ClaimSources, InboxEvent } from '../adapters/sql';
import type { Metrics } from './metrics';

/** An error that retrying cannot fix (a malformed stored payload): the event fails at once. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** One unit of work: one event, or several coalesced events of one subject (oldest first). */
export interface WorkItem {
  source: string;
  type: string;
  subject: string;
  events: InboxEvent[];
  /** The newest event's payload (what a coalesced unit acts on). */
  payload: string;
}

export interface WorkerLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface WorkerOptions {
  inbox: InboxPort;
  handle: (item: WorkItem) => Promise<void>;
  metrics: Metrics;
  log: WorkerLog;
  /** Wall clock (ms); tests pass their own. */
  now?: () => number;
  /** Jitter source in [0, 1). */
  random?: () => number;
  id?: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  leaseMs: number;
  concurrency: number;
  batch: number;
  pollMs: number;
  /** The sources this worker claims (all when absent): issue #14's ingest thread and main worker split them. */
  claimSources?: ClaimSources;
  /** Event types whose consecutive events on one subject are one unit of work. */
  coalesce?: ReadonlySet<string>;
  /**
   * Batches made only of events from these sources (their handlers do database work only, no network)
   * run one after another inside `run` — one database transaction, settle included — instead of one
   * commit per statement.
   */
  grouped?: {
    sources: ReadonlySet<string>;
    /**
     * `events`: the batch's events (PostgreSQL reads their subjects' rows up front). `nowMs`: the
     * worker's clock for this batch (the SQLite ingest thread stamps the accepted events it inserts
     * in the batch's transaction with it: the next batch's claim, at a later clock, finds them).
     */
    run<T>(fn: () => Promise<T>, events: readonly InboxEvent[], nowMs: number): Promise<T>;
    /**
     * The claim runs inside `run` too (SQLite: one connection, so the claim and the batch's work can
     * share one commit); `run` then gets no events up front. PostgreSQL reads the subjects first.
     */
    claimInside?: boolean;
    /**
     * With `claimInside` (PostgreSQL, issue #14; SQLite since session 20): the claim only holds the
     * rows for the transaction — PostgreSQL's row locks, SQLite's one write lock — (no lease written;
     * the settle writes each row once). Events that cannot run in the group get
     * their lease (`inbox.lease`) before `run` ends. When `run` fails, its rollback gives the events
     * back with no attempt counted, so the next batch runs outside the group, where each event's
     * failure is counted (a poison event cannot fail its batch for ever).
     */
    claimHeld?: boolean;
    /**
     * Runs one unit of work inside `run` all-or-nothing (SQLite: a savepoint), so a unit that fails
     * half-way leaves nothing and the batch's other units are kept. Absent: units run as they are.
     */
    unit?<T>(fn: () => Promise<T>): Promise<T>;
  };
}

/** The worker's tuning from the configuration (`inbox.*`): the main thread's worker and the ingest thread's share it. */
export type WorkerTuning = Pick<
  WorkerOptions,
  'maxAttempts' | 'retryBaseMs' | 'retryMaxMs' | 'leaseMs' | 'concurrency' | 'batch' | 'pollMs'
>;

/** Backoff before attempt `attempts + 1`: base × 2^(attempts−1), capped, with "equal jitter" (½ … 1×). */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp / 2 + (exp / 2) * random);
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

type Outcome = InboxOutcome;

export class InboxWorker {
  readonly id: string;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly coalesce: ReadonlySet<string>;
  private running = false;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private wakeUp: (() => void) | null = null;
  /** Wall-clock ms of the last loop turn (for /healthz). */
  lastTickMs = 0;
  /** The last grouped batch failed as a whole (`grouped.claimHeld`): the next one runs outside the group. */
  private soloNext = false;
  /**
   * A wake came while a batch ran (its events may have been stored after the batch's claim): the next
   * batch starts after one turn instead of after `pollMs`.
   */
  private wokenWhileBusy = false;
  /** The last claim found nothing: with `grouped.claimHeld`, the next one first asks whether anything is due. */
  private idle = false;
  /** Another worker this one's health includes (the SQLite ingest thread's, issue #14). */
  companion: ((maxSilenceMs: number) => boolean) | null = null;

  constructor(private readonly o: WorkerOptions) {
    this.now = o.now ?? Date.now;
    this.random = o.random ?? Math.random;
    this.id = o.id ?? `w-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
    this.coalesce = o.coalesce ?? new Set(['snapshot', 'issue']);
  }

  /** Starts the background loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loopDone = this.loop();
  }

  /** Processes new work soon (called after an event is accepted). */
  wake(): void {
    const w = this.wakeUp;
    if (w) {
      this.wakeUp = null;
      w();
    } else if (this.running) this.wokenWhileBusy = true;
  }

  /** Whether the loop turned recently (a stuck or dead loop fails /healthz). */
  alive(maxSilenceMs: number): boolean {
    return (
      this.running && Date.now() - this.lastTickMs <= maxSilenceMs && (this.companion?.(maxSilenceMs) ?? true)
    );
  }

  /** Claims every source from now on (the ingest thread that took some of them has failed). */
  claimAll(): void {
    delete this.o.claimSources;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Stops after the work in flight; unstarted claimed rows go back to pending. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.wake();
    await this.loopDone;
    this.running = false;
    this.stopping = false;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.lastTickMs = Date.now();
      let claimed = 0;
      this.wokenWhileBusy = false;
      try {
        claimed = await this.runOnce();
      } catch (e) {
        this.o.log.error({ err: e }, 'inbox worker turn failed');
      }
      if (this.stopping) break;
      if (claimed < this.o.batch && !this.wokenWhileBusy) {
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          this.timer = setTimeout(() => {
            this.wakeUp = null;
            resolve();
          }, this.o.pollMs);
        });
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
      } else {
        await yieldToIo();
      }
    }
  }

  /**
   * One batch: claim the due events, process them, settle them.
   * @returns how many events were claimed (0 when nothing was due).
   */
  async runOnce(): Promise<number> {
    const now = this.now();
    const grouped = this.o.grouped;
    const claim = () =>
      this.o.inbox.claim(this.id, this.o.batch, now, now + this.o.leaseMs, this.o.claimSources);
    const inGroup = (events: InboxEvent[]) =>
      grouped !== undefined && events.every((e) => grouped.sources.has(e.source));
    // An idle worker on PostgreSQL polls with one probe, not a transaction of three round trips
    // (BEGIN, the claim, COMMIT) every `pollMs`.
    if (
      grouped?.claimHeld &&
      this.idle &&
      this.o.inbox.anyClaimable &&
      !(await this.o.inbox.anyClaimable(now))
    )
      return 0;
    if (grouped?.claimInside && !this.soloNext) {
      // SQLite: the claim is part of the batch's transaction (one commit per batch, not two). A batch
      // that cannot run as one transaction commits its claim alone and runs below. PostgreSQL
      // (`claimHeld`): the claim is the transaction's row locks; such a batch writes its lease first.
      let events: InboxEvent[] = [];
      try {
        await grouped.run(
          async () => {
            events = await claim();
            if (events.length > 0 && inGroup(events)) await this.runGrouped(events, grouped);
            else if (events.length > 0 && grouped.claimHeld)
              await this.o.inbox.lease?.(
                events.map((e) => e.key),
                this.id,
                now,
                now + this.o.leaseMs,
              );
          },
          [],
          now,
        );
      } catch (e) {
        if (grouped.claimHeld && events.length > 0) this.soloNext = true;
        throw e;
      }
      this.idle = events.length === 0;
      if (events.length === 0 || inGroup(events)) {
        if (events.length > 0) this.lastTickMs = Date.now();
        return events.length;
      }
      return this.runLanes(events);
    }
    const events = await claim();
    if (events.length === 0) return 0;
    if (this.soloNext) {
      this.soloNext = false;
      return this.runLanes(events);
    }
    if (grouped && inGroup(events)) {
      await grouped.run(() => this.runGrouped(events, grouped), events, now);
      this.lastTickMs = Date.now();
      return events.length;
    }
    return this.runLanes(events);
  }

  /** The batch's units of work, per subject in arrival order (consecutive coalescible events as one). */
  private queueOf(events: readonly InboxEvent[]): WorkItem[][] {
    const groups = new Map<string, WorkItem[]>();
    for (const e of events) {
      const items = groups.get(e.subject) ?? [];
      const last = items[items.length - 1];
      if (last && last.source === e.source && last.type === e.type && this.coalesce.has(e.type)) {
        last.events.push(e);
        last.payload = e.payload;
      } else {
        items.push({ source: e.source, type: e.type, subject: e.subject, events: [e], payload: e.payload });
      }
      groups.set(e.subject, items);
    }
    return [...groups.values()];
  }

  /** Processes and settles a claimed batch inside the caller's transaction (`grouped.run`). */
  private async runGrouped(
    events: readonly InboxEvent[],
    grouped: NonNullable<WorkerOptions['grouped']>,
  ): Promise<void> {
    const outcomes: Outcome[] = [];
    const unstarted: string[] = [];
    // One transaction: no yielding in between (a yield would only delay the webhooks' commits).
    for (const items of this.queueOf(events))
      for (const item of items) {
        if (this.stopping) unstarted.push(...item.events.map((e) => e.key));
        else outcomes.push(...(await this.process(item, grouped.unit)));
      }
    const settledAt = this.now();
    await this.o.inbox.settle(this.id, settledAt, outcomes);
    if (unstarted.length > 0) await this.o.inbox.release(unstarted, this.id, settledAt);
  }

  /** Processes a claimed batch in concurrent lanes (one per subject at a time), then settles it. */
  private async runLanes(events: InboxEvent[]): Promise<number> {
    const outcomes: Outcome[] = [];
    const unstarted: string[] = [];
    const queue = this.queueOf(events);
    const runGroup = async (items: WorkItem[]) => {
      for (const item of items) {
        if (this.stopping) {
          unstarted.push(...item.events.map((e) => e.key));
          continue;
        }
        outcomes.push(...(await this.process(item)));
        this.lastTickMs = Date.now();
        await yieldToIo();
      }
    };
    const lanes = Array.from({ length: Math.min(this.o.concurrency, queue.length) }, async () => {
      for (let g = queue.shift(); g; g = queue.shift()) await runGroup(g);
    });
    await Promise.all(lanes);
    const settledAt = this.now();
    await this.o.inbox.settle(this.id, settledAt, outcomes);
    if (unstarted.length > 0) await this.o.inbox.release(unstarted, this.id, settledAt);
    return events.length;
  }

  /**
   * Processes until nothing is due at the worker's clock (tests; draining before a shutdown).
   * @returns events claimed in total.
   */
  async drain(maxBatches = 10_000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const n = await this.runOnce();
      if (n === 0) break;
      total += n;
    }
    return total;
  }

  private async process(item: WorkItem, unit?: <T>(fn: () => Promise<T>) => Promise<T>): Promise<Outcome[]> {
    const t0 = performance.now();
    try {
      await (unit ? unit(() => this.o.handle(item)) : this.o.handle(item));
      const seconds = (performance.now() - t0) / 1000;
      const now = this.now();
      for (const e of item.events) {
        this.o.metrics.processed.inc({ source: e.source });
        this.o.metrics.processing.observe(seconds / item.events.length, { source: e.source });
        this.o.metrics.lag.observe(Math.max(0, now - e.receivedMs) / 1000, { source: e.source });
      }
      return item.events.map((e) => ({ key: e.key, ok: true as const }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof PermanentError;
      const now = this.now();
      return item.events.map((e) => {
        const attempts = e.attempts + 1;
        if (permanent || attempts >= this.o.maxAttempts) {
          this.o.metrics.failed.inc({ source: e.source });
          this.o.log.error(
            { event: e.key, type: e.type, subject: e.subject, attempts, error: message },
            'inbox event failed for good (kept as failed)',
          );
          return {
            key: e.key,
            ok: false as const,
            attempts,
            error: message,
            next: { status: 'failed' as const },
          };
        }
        const delay = backoffMs(attempts, this.o.retryBaseMs, this.o.retryMaxMs, this.random());
        this.o.metrics.retried.inc({ source: e.source });
        this.o.log.warn(
          { event: e.key, type: e.type, subject: e.subject, attempts, retryInMs: delay, error: message },
          'inbox event failed; will retry',
        );
        return {
          key: e.key,
          ok: false as const,
          attempts,
          error: message,
          next: { status: 'pending' as const, nextAttemptMs: now + delay },
        };
      });
    }
  }
}
