/**
 * Liveness (`/healthz`) and readiness (`/readyz`) that tell the truth about storage:
 *
 * - both write: a one-row upsert in `reglament_health` in its own transaction (a read-only, full,
 *   failing or unreachable database answers 503 naming the error), at most once a second
 *   (`PROBE_EVERY_MS`);
 * - both remember storage failures of requests: when a webhook got 500 because the database refused a
 *   write (SQLite `SQLITE_FULL`, `SQLITE_IOERR…`, `SQLITE_READONLY…`; PostgreSQL disk full, read-only,
 *   shut down, connection lost) they answer 503 for the next minute, even when the small probe write
 *   still fits;
 * - `/readyz` adds the queue depth, the age of the oldest pending event and the last sweep.
 */
import * as fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { InboxPort, Storage } from './storage';
import type { InboxWorker } from './worker';

/**
 * The probe write runs at most this often; `/healthz` and `/readyz` asked in between answer its last
 * result (and any storage failure a request saw meanwhile, at once). On SQLite the probe commits on
 * the serving connection and waits for the ingest thread's write lock: probed every 20 ms during a
 * sweep, it held the event loop (issue #14, bench:server phase 4).
 */
export const PROBE_EVERY_MS = 1_000;

/** How long a storage failure seen by a request keeps the service unhealthy. */
export const FAILURE_WINDOW_MS = 60_000;

/** The error of a failed storage write, or null when `err` is not one. */
export function storageFailure(err: unknown): string | null {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (/^SQLITE_(FULL|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN|PERM|NOMEM)/.test(code))
    return `${code}: ${message}`;
  // PostgreSQL SQLSTATE: 53xxx insufficient resources, 25006 read-only transaction, 57P0x shutdown,
  // 08xxx connection; node errors when the server is gone.
  if (/^(53\d\d\d|25006|57P0\d|08\d\d\d|ECONNREFUSED|ECONNRESET|ETIMEDOUT)$/.test(code))
    return `${code}: ${message}`;
  return null;
}

export interface SweepStatus {
  atMs: number;
  ok: boolean;
  error?: string;
  /** Another instance held the sweep lock (PostgreSQL): this one did not sweep. */
  skipped?: boolean;
}

export interface HealthContext {
  storage: Pick<Storage, 'ping' | 'probeWrite' | 'kind'> & { file?: string };
  inbox: InboxPort;
  worker: InboxWorker;
  now: () => number;
  mode: () => string;
  /** The worker is stalled when its loop has been silent this long. */
  maxSilenceMs: number;
  lastSweep: () => SweepStatus | null;
  /** Minutes between sweeps (0: off), to say when a sweep is overdue. */
  sweepMinutes: number;
  /**
   * Where generic webhooks are stored and processed (issue #14): `thread` (the SQLite ingest thread),
   * `main` (no thread), or `main (the ingest thread failed: …)`.
   */
  ingest?: () => string;
}

export function registerHealth(app: FastifyInstance, ctx: HealthContext): void {
  let lastFailure: { atMs: number; error: string } | null = null;
  app.addHook('onError', async (_req, _reply, err) => {
    const f = storageFailure(err);
    if (f) lastFailure = { atMs: ctx.now(), error: f };
  });

  /** The probe write: null when it worked, else the failure. */
  const probe = async (): Promise<string | null> => {
    try {
      await ctx.storage.ping();
      await ctx.storage.probeWrite(ctx.now());
      return null;
    } catch (e) {
      const f = storageFailure(e) ?? (e as Error).message ?? String(e);
      lastFailure = { atMs: ctx.now(), error: f };
      return f;
    }
  };
  let lastProbe: { atMs: number; problem: string | null } | null = null;
  let probing: Promise<string | null> | null = null;
  /** Probe (at most every PROBE_EVERY_MS, concurrent calls sharing one) and recent failures: null when writes work. */
  const writeProblem = async (): Promise<string | null> => {
    const now = ctx.now();
    if (lastProbe === null || now - lastProbe.atMs >= PROBE_EVERY_MS || now < lastProbe.atMs) {
      probing ??= probe().finally(() => (probing = null));
      lastProbe = { atMs: now, problem: await probing };
    }
    if (lastProbe.problem !== null) return lastProbe.problem;
    if (lastFailure && ctx.now() - lastFailure.atMs < FAILURE_WINDOW_MS)
      return `a request failed to write ${Math.round((ctx.now() - lastFailure.atMs) / 1000)} s ago: ${lastFailure.error}`;
    return null;
  };

  app.get('/healthz', async (_req, reply) => {
    const problem = await writeProblem();
    const workerOk = ctx.worker.alive(ctx.maxSilenceMs);
    // The queue only (pending, processing, failed): counting the done rows kept for the retention
    // period read all of them at every probe (issue #14).
    const counts = problem === null ? await Promise.resolve(ctx.inbox.openCounts()).catch(() => null) : null;
    const ok = problem === null && workerOk;
    return reply.code(ok ? 200 : 503).send({
      status: ok ? 'ok' : 'unhealthy',
      db: problem === null ? 'ok' : `failing: ${problem}`,
      worker: workerOk ? 'ok' : ctx.worker.isRunning() ? 'stalled' : 'stopped',
      ...(ctx.ingest ? { ingest: ctx.ingest() } : {}),
      mode: ctx.mode(),
      queue: counts,
    });
  });

  app.get('/readyz', async (_req, reply) => {
    const problem = await writeProblem();
    const workerOk = ctx.worker.alive(ctx.maxSilenceMs);
    let counts: Awaited<ReturnType<InboxPort['openCounts']>> | null = null;
    let oldest: number | null = null;
    if (problem === null) {
      counts = await ctx.inbox.openCounts();
      oldest = await ctx.inbox.oldestPendingMs();
    }
    const sweep = ctx.lastSweep();
    const now = ctx.now();
    const ready = problem === null && workerOk;
    let diskFreeBytes: number | null = null;
    if (ctx.storage.file) {
      try {
        const s = fs.statfsSync(ctx.storage.file);
        diskFreeBytes = s.bavail * s.bsize;
      } catch {
        diskFreeBytes = null;
      }
    }
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not-ready',
      write: problem === null ? 'ok' : `failing: ${problem}`,
      worker: workerOk ? 'ok' : ctx.worker.isRunning() ? 'stalled' : 'stopped',
      ...(ctx.ingest ? { ingest: ctx.ingest() } : {}),
      database: ctx.storage.kind,
      ...(diskFreeBytes === null ? {} : { diskFreeBytes }),
      queue: counts && {
        depth: counts.pending + counts.processing,
        ...counts,
        oldestPendingAgeSeconds: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 1000)),
      },
      lastSweep: sweep && {
        at: new Date(sweep.atMs).toISOString(),
        ageSeconds: Math.max(0, Math.round((now - sweep.atMs) / 1000)),
        ok: sweep.ok,
        ...(sweep.error ? { error: sweep.error } : {}),
      },
      sweepMinutes: ctx.sweepMinutes,
    });
  });
}
