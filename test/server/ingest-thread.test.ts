/**
 * Issue #14, ingest on the second core: with background work on a SQLite file, the generic webhooks'
 * events are stored and processed by the ingest thread (src/server/ingest-thread.ts) on a connection
 * of its own, while the main thread serves HTTP. Measured before: bench:server's event loop spent
 * 1,161 µs per event on accept and process together (~740–830 events/s); the thread took the process
 * half off it.
 *
 * Checked without timing (the waits below are liveness bounds, not measurements): the events are
 * stored and processed once each, with the same records and ledger facts as the main thread's worker
 * gives; the main thread's connection runs none of the processing; settings saved on the main thread
 * apply in the thread; /healthz says where ingest runs; a thread that dies hands its work to the main
 * thread and nothing accepted is lost; a restart finishes what a close left.
 */
import * as fs from 'node:fs';
import type { Snapshot } from '../../src/domain/snapshot';
import type { MemoryJobs } from '../../src/adapters/memory/jobs';
import { ADMIN_JSON, example1, service, signedGeneric, tempDir, type TestService } from './helpers';

const IMPACT = ['high', 'medium', 'low'] as const;

/** Snapshot n: incidents and errors over a few months, as bench:server sends. */
function snapshotOf(n: number, prefix = 'THR'): Snapshot {
  const registered = new Date(Date.parse('2026-02-02T10:00:00+03:00') + n * 3_600_000 * 1.37).toISOString();
  return n % 3 === 0
    ? {
        key: `${prefix}-${n}`,
        kind: 'error',
        registeredAt: registered,
        impact: IMPACT[n % 3]!,
        urgency: IMPACT[(n >> 1) % 3]!,
        mode: 'operation',
        workaround: 'none',
      }
    : {
        key: `${prefix}-${n}`,
        kind: 'incident',
        registeredAt: registered,
        impact: IMPACT[n % 3]!,
        urgency: IMPACT[(n >> 1) % 3]!,
        mode: n % 7 === 0 ? 'implementation' : 'operation',
        nature: 'failure',
      };
}

/** Polls until `done` holds (a bound for liveness, not a timing assertion). */
async function until(what: string, done: () => boolean | Promise<boolean>, boundMs = 60_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`not within ${boundMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Records the SQL a connection prepares from now on (the main thread's, to show what did not run there). */
function spyPrepared(db: import('better-sqlite3').Database) {
  const prepared: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  return { prepared, restore: () => void (db.prepare = prepare) };
}

/** Records and ledger facts of a database, comparable across runs (no arrival instants). */
function contentOf(svc: TestService) {
  const db = svc.storage.db as import('better-sqlite3').Database;
  const records = db
    .prepare(
      'SELECT issue_key, kind, priority_class, priority_value, due_ms, done_ms, clock_state FROM reglament_sla_records ORDER BY issue_key',
    )
    .all();
  const facts = db
    .prepare('SELECT fact_id, issue_id, fact_type, at_ms FROM reglament_ledger ORDER BY fact_id')
    .all();
  return { records, facts };
}

describe('the SQLite ingest thread (issue #14)', () => {
  const dirs: string[] = [];
  const services: TestService[] = [];
  const start = async (background: boolean, dir = tempDir('reglament-thread-')) => {
    dirs.push(dir);
    const svc = await service(dir, { sweepMinutes: 0 }, { background });
    services.push(svc);
    return svc;
  };
  afterEach(async () => {
    for (const s of services.splice(0)) await s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('stores and processes each generic event once, on the thread, with the main thread’s results', async () => {
    const svc = await start(true);
    expect(svc.ingestThread()).not.toBeNull();
    // Which SQL the main thread's connection prepares from here on (the processing's must not be there).
    const db = svc.storage.db as import('better-sqlite3').Database;
    const { prepared } = spyPrepared(db);
    // The main thread's worker claims no generic event: an accept does not wake it for nothing.
    const mainWakes = jest.spyOn(svc.worker, 'wake');

    const N = 120;
    const bodies = Array.from({ length: N }, (_, i) => snapshotOf(i + 1));
    // Concurrent deliveries, a tenth of them twice (a redelivery is a duplicate, not a second event).
    const answers = await Promise.all(
      [...bodies, ...bodies.filter((_, i) => i % 10 === 0)].map((b) => svc.inject(signedGeneric(b))),
    );
    expect(answers.map((a) => a.statusCode).filter((c) => c !== 200)).toEqual([]);
    const duplicates = answers.filter((a) => a.json().event.duplicate === true).length;
    expect(duplicates).toBe(N / 10);
    await until('all processed', () => svc.inbox.counts().done === N);
    expect(svc.inbox.counts()).toMatchObject({ pending: 0, processing: 0, failed: 0, done: N });
    expect(mainWakes).not.toHaveBeenCalled();
    expect(
      prepared.filter((s) => /reglament_ledger|reglament_sla_records|reglament_sla_rollup/.test(s)),
    ).toEqual([]);
    // The thread's metrics reach /metrics.
    const metrics = await svc.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(
      new RegExp(`reglament_events_processed_total\\{source="generic"\\} ${N}\\b`),
    );

    // The same deliveries on the main thread's worker (no thread): the same records and facts.
    const ref = await start(false);
    expect(ref.ingestThread()).toBeNull();
    for (const b of bodies) expect((await ref.inject(signedGeneric(b))).statusCode).toBe(200);
    await ref.worker.drain();
    const got = contentOf(svc);
    expect(got.records).toHaveLength(N);
    expect(got.facts.length).toBeGreaterThan(N);
    expect(got).toEqual(contentOf(ref));
  });

  it('settings saved on the main thread apply to the thread’s next batch', async () => {
    const svc = await start(true);
    const settings = await svc.store.getSettings();
    expect(settings.calendar.zone).toBe('Europe/Moscow');
    expect((await svc.inject(signedGeneric(snapshotOf(1, 'SET')))).statusCode).toBe(200);
    await until('first processed', () => svc.inbox.counts().done === 1);
    // The thread's store has read and cached the settings by now; the main thread saves new ones.
    await svc.store.saveSettings({
      ...settings,
      calendar: { ...settings.calendar, zone: 'Asia/Yekaterinburg' },
    });
    expect((await svc.inject(signedGeneric(snapshotOf(2, 'SET')))).statusCode).toBe(200);
    await until('second processed', () => svc.inbox.counts().done === 2);
    const db = svc.storage.db as import('better-sqlite3').Database;
    const zones = db.prepare('SELECT DISTINCT zone FROM reglament_sla_aggregates ORDER BY zone').all();
    expect(zones).toEqual([{ zone: 'Asia/Yekaterinburg' }, { zone: 'Europe/Moscow' }]);
  });

  it('/healthz names the thread; a thread that dies hands its work to the main thread, nothing lost', async () => {
    const svc = await start(true);
    const health = await svc.inject({ url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', worker: 'ok', ingest: 'thread' });
    for (let i = 1; i <= 20; i++)
      expect((await svc.inject(signedGeneric(snapshotOf(i, 'DIE')))).statusCode).toBe(200);
    await svc.ingestThread()!.crash();
    // Accepted before or after the crash: all stored and processed (the main thread took over).
    for (let i = 21; i <= 40; i++)
      expect((await svc.inject(signedGeneric(snapshotOf(i, 'DIE')))).statusCode).toBe(200);
    await until('all processed by the main thread', () => svc.inbox.counts().done === 40);
    expect(svc.ingestThread()).toBeNull();
    const after = await svc.inject({ url: '/healthz' });
    expect(after.statusCode).toBe(200);
    expect(after.json().ingest).toMatch(/^main \(the ingest thread failed: the ingest thread exited/);
    const db = svc.storage.db as import('better-sqlite3').Database;
    expect(db.prepare('SELECT COUNT(*) AS n FROM reglament_sla_records').get()).toEqual({ n: 40 });
  });

  it('the health probe writes on the thread: a held write lock does not hold the event loop', async () => {
    // bench:server phase 4: on the serving connection the probe's write waited for the ingest thread's
    // write lock with the event loop held (0.2 s at a time during a sweep): every request waited.
    const svc = await start(true);
    const first = await svc.inject({ url: '/healthz' });
    expect(first.json()).toMatchObject({ status: 'ok', ingest: 'thread' });
    // The probe runs at most once a second (health.ts PROBE_EVERY_MS): the next /healthz probes again.
    await new Promise((r) => setTimeout(r, 1_100));
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(svc.storage.file!);
    try {
      other.exec('BEGIN IMMEDIATE'); // the write lock, as the thread's batches and sweeps hold it
      let answered = false;
      const health = svc.inject({ url: '/healthz' }).finally(() => (answered = true));
      // Another request is answered while the probe waits for the lock.
      expect((await svc.inject({ url: '/favicon.ico' })).statusCode).toBe(204);
      expect(answered).toBe(false);
      other.exec('COMMIT');
      const h = await health;
      expect(h.statusCode).toBe(200);
      expect(h.json()).toMatchObject({ status: 'ok', db: 'ok' });
    } finally {
      other.close();
    }
  });

  it('the thread sweeps the service-held tickets while it ingests: one writer for their records', async () => {
    // Seen in bench:server phase 4 (100,000 due records): the sweep on the main thread's connection, in
    // transactions, starved the thread's accepts (webhook p99 501 ms, max 1.9 s; target < 100 ms).
    const svc = await start(true);
    const N = 60;
    for (let i = 1; i <= N; i++)
      expect((await svc.inject(signedGeneric(snapshotOf(i, 'SWP')))).statusCode).toBe(200);
    await until('processed', () => svc.inbox.counts().done === N);
    const db = svc.storage.db as import('better-sqlite3').Database;
    const read = () =>
      db
        .prepare(
          'SELECT issue_key, clock_state, next_change_ms FROM reglament_sla_records ORDER BY issue_key',
        )
        .all();
    const before = read();
    // Every record due for the sweep now (as if its next state change had come).
    db.prepare('UPDATE reglament_sla_records SET next_change_ms = 0').run();
    const { prepared, restore } = spyPrepared(db);
    // More events arrive while the sweep runs: both finish, nothing fails.
    const more = Promise.all(
      Array.from({ length: 40 }, (_, i) => svc.inject(signedGeneric(snapshotOf(N + i + 1, 'SWP')))),
    );
    expect(await svc.sweepNow()).toMatchObject({ ok: true });
    expect((await more).map((a) => a.statusCode).filter((c) => c !== 200)).toEqual([]);
    await until('all processed', () => svc.inbox.counts().done === N + 40);
    restore();
    expect(svc.inbox.counts().failed).toBe(0);
    // Nothing of the sweep on the main thread's connection; the thread re-evaluated the 60 and wrote
    // them back as they were, their next change included.
    expect(
      prepared.filter((sql) =>
        /reglament_sla_records|reglament_ledger|^(INSERT|UPDATE|DELETE).*reglament_tickets/.test(sql),
      ),
    ).toEqual([]);
    const keys = new Set((before as { issue_key: string }[]).map((r) => r.issue_key));
    expect((read() as { issue_key: string }[]).filter((r) => keys.has(r.issue_key))).toEqual(before);
  });

  it('the thread recomputes the service-held tickets when saved settings move the clocks', async () => {
    const svc = await start(true);
    // SPEC §8 example 1 a year on, still running (the real clock: a deadline already past would be a
    // recorded breach, which no recomputation moves): Friday 9 April 2027, 16:30 + 8 working hours.
    expect(
      (await svc.inject(signedGeneric(example1({ registeredAt: '2027-04-09T16:30:00+03:00' })))).statusCode,
    ).toBe(200);
    for (let i = 1; i <= 30; i++)
      expect((await svc.inject(signedGeneric(snapshotOf(i, 'REC')))).statusCode).toBe(200);
    await until('processed', () => svc.inbox.counts().done === 31);
    expect((await svc.store.getSlaRecord('SUP-101'))!.due).toBe('2027-04-12T16:30:00+03:00');
    const db = svc.storage.db as import('better-sqlite3').Database;
    const { prepared, restore } = spyPrepared(db);
    // Monday 12 April becomes a day off: the reaction moves to Tuesday 13th, 16:30.
    const settings = await svc.store.getSettings();
    const calendar = {
      ...settings.calendar,
      overrides: [...settings.calendar.overrides, { date: '2027-04-12', kind: 'day-off', note: 'test' }],
    };
    const saved = await svc.inject({
      method: 'POST',
      url: '/api/saveSettings',
      payload: JSON.stringify({ calendar }),
      headers: ADMIN_JSON,
    });
    expect(saved.json()).toMatchObject({ ok: true, recompute: { state: 'running', reason: 'settings' } });
    await (svc.apiDeps.jobs as MemoryJobs).last;
    const status = await svc.inject({
      method: 'POST',
      url: '/api/getRecomputeStatus',
      payload: JSON.stringify({ jobId: saved.json().recompute.jobId }),
      headers: ADMIN_JSON,
    });
    expect(status.json()).toMatchObject({ state: 'done', done: 31, total: 31 });
    restore();
    expect((await svc.store.getSlaRecord('SUP-101'))!.due).toBe('2027-04-13T16:30:00+03:00');
    // The records were rewritten by the thread, not on the main thread's connection.
    expect(
      prepared.filter((sql) =>
        /^(INSERT|UPDATE|DELETE).*(reglament_sla_records|reglament_ledger)/s.test(sql),
      ),
    ).toEqual([]);
  });

  it('a recomputation cut short by a stop is not reported done', async () => {
    const dir = tempDir('reglament-thread-');
    const svc = await start(true, dir);
    // Three pages of 200 tickets: the stop arrives while the first one runs.
    const N = 450;
    for (let i = 0; i < N; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, (_, k) => svc.inject(signedGeneric(snapshotOf(i + k + 1, 'CUT')))),
      );
    await until('processed', () => svc.inbox.counts().done === N);
    const jobs = svc.apiDeps.jobs as MemoryJobs;
    const job = await jobs.start('manual');
    await svc.close();
    services.splice(services.indexOf(svc), 1);
    await jobs.last;
    const status = await jobs.status(job.jobId);
    expect(status).toMatchObject({ state: 'failed' });
    expect(status!.error).toMatch(/stopped before the end/);
    expect(status!.done).toBeLessThan(N);
    // Nothing says every clock was re-evaluated.
    const again = await start(true, dir);
    expect(await again.storage.getDoc('last-recompute')).toBeNull();
  });

  it('a close answers what was accepted; a restart processes what was left', async () => {
    const dir = tempDir('reglament-thread-');
    const svc = await start(true, dir);
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => svc.inject(signedGeneric(snapshotOf(i + 1, 'CLS')))),
    );
    expect(answers.map((a) => a.statusCode).filter((c) => c !== 200)).toEqual([]);
    await svc.close();
    services.splice(services.indexOf(svc), 1);
    const again = await start(true, dir);
    await until('all processed after the restart', () => again.inbox.counts().done === 60);
    expect(again.inbox.counts()).toMatchObject({ pending: 0, processing: 0, failed: 0 });
  });
});
