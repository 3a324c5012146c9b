/**
 * Storage you can trust (issue #13, item 6), over real HTTP and the real `reglament` commands:
 * a truncated, damaged or read-only database is refused at start with one line naming the file;
 * `/healthz` and `/readyz` answer 503 when writes fail (a full database: SQLite `max_page_count`
 * gives SQLITE_FULL exactly as a full disk does); backup and restore give back the same figures.
 */
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { countOpenByStatus, SCHEMA_VERSION } from '../../src/adapters/sql';
import { backupCommand, restoreCommand } from '../../src/server/backup';
import { FAILURE_WINDOW_MS, PROBE_EVERY_MS } from '../../src/server/health';
import { serveCommand } from '../../src/server/main';
import { example1, manualClock, service, signedGeneric, tempDir } from './helpers';

const NOW = Date.parse('2026-03-10T12:00:00+03:00');
const ROOT = path.resolve(__dirname, '../..');

/** Runs `fn` with process.stderr captured; returns its result and the text. */
async function capture<T>(fn: () => Promise<T>): Promise<{ result: T; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  try {
    return { result: await fn(), err: err.join(''), out: out.join('') };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

const serve = (dir: string) =>
  capture(() => serveCommand(['--data-dir', dir, '--port', '0', '--demo', 'off']));

/**
 * A data directory with some data (the demo), closed: built once for the file, copied for each test
 * that needs one (the demo seed is CPU work: four builds took most of the file's time, and a test
 * 28 of its 30 s under two CPU hogs on a loaded 2-core machine; issue #14).
 */
let template: string | null = null;
beforeAll(async () => {
  template = tempDir('reglament-storage-template-');
  const svc = await service(template, { demo: 'on' }, { now: () => NOW });
  await svc.worker.drain();
  await svc.close();
}, 90_000);
afterAll(() => {
  if (template) fs.rmSync(template, { recursive: true, force: true });
});

/** A database with some data, closed: a copy of the template's data directory in `dir`. */
async function populated(dir: string): Promise<string> {
  fs.cpSync(template!, dir, { recursive: true });
  return path.join(dir, 'reglament.sqlite');
}

describe('start-up integrity check', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('reglament-storage-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('refuses a database truncated to zero bytes, naming it, and leaves it as it is', async () => {
    const file = await populated(dir);
    fs.truncateSync(file, 0);
    const before = fs.readdirSync(dir);
    const { result, err } = await serve(dir);
    expect(result).toBe(1);
    expect(err).toBe(
      `reglament serve: ${file} is empty (0 bytes): a database was expected there, so it was probably truncated. ` +
        'Nothing was changed. To recover, restore the last backup (reglament restore --from FILE, docs/server.md "Operations"); ' +
        'to start over with an empty database, delete the file\n',
    );
    expect(fs.statSync(file).size).toBe(0);
    // Nothing written beside it either (no new WAL, no new files: the listing is as before).
    expect(fs.readdirSync(dir)).toEqual(before);
    expect(before).toContain('reglament.sqlite');
  });

  it('refuses a database damaged in the middle, naming it', async () => {
    const file = await populated(dir);
    const size = fs.statSync(file).size;
    const page = 4096;
    expect(size).toBeGreaterThan(8 * page);
    // Garbage over the middle pages (the header and first pages stay intact, so it still opens).
    const fd = fs.openSync(file, 'r+');
    const junk = Buffer.alloc(page * 2, 0xa5);
    fs.writeSync(fd, junk, 0, junk.length, Math.floor(size / page / 2) * page);
    fs.closeSync(fd);
    const before = fs.readFileSync(file);
    const { result, err } = await serve(dir);
    expect(result).toBe(1);
    expect(err).toMatch(
      new RegExp(
        `^reglament serve: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (is damaged|is not a readable database)`,
      ),
    );
    expect(err).toContain('restore the last backup');
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('says in one line that a read-only database cannot be written, naming it (no stack trace)', async () => {
    const file = await populated(dir);
    // The service runs as another user than the file's owner: root ignores permissions, so as root
    // the command runs as `nobody` (the CLI bundled by esbuild so that user can run it).
    const root = process.getuid?.() === 0;
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(file, 0o444);
    const bundle = path.join(ROOT, '.tmp', `storage-test-cli-${process.pid}.js`);
    fs.mkdirSync(path.dirname(bundle), { recursive: true });
    execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), [
      path.join(ROOT, 'src/cli/main.ts'),
      '--bundle',
      '--platform=node',
      '--packages=external',
      '--log-level=error',
      `--outfile=${bundle}`,
    ]);
    try {
      const child = spawn(
        process.execPath,
        [
          '-e',
          `require(${JSON.stringify(bundle)}).main(['serve', '--data-dir', ${JSON.stringify(dir)}, '--port', '0', '--demo', 'off'])`,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(root ? { uid: 65534, gid: 65534 } : {}) },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve, reject) => {
        child.on('exit', resolve);
        child.on('error', reject);
      });
      expect(code).toBe(1);
      expect(err).toMatch(
        new RegExp(`^reglament serve: cannot open the database ${file.replace(/[.]/g, '\\.')} for writing: `),
      );
      expect(err).toContain('check owner and permissions');
      expect(err).not.toMatch(/^\s+at /m);
      expect(err.trim().split('\n')).toHaveLength(1);
    } finally {
      fs.rmSync(bundle, { force: true });
    }
  }, 60_000);

  it('starts on a fresh data directory (the first start of npm start)', async () => {
    const svc = await service(dir, {}, { now: () => NOW });
    try {
      svc.worker.start();
      expect((await svc.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await svc.close();
    }
  });
});

describe('/healthz and /readyz', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('reglament-health-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('write their probe at most once a second, however often they are asked', async () => {
    const clock = manualClock('2026-03-10T12:00:00+03:00');
    const svc = await service(dir, {}, { now: clock.now });
    try {
      svc.worker.start();
      const probes = jest.spyOn(svc.storage, 'probeWrite');
      const asked = await Promise.all(
        ['/healthz', '/readyz', '/healthz', '/healthz', '/readyz'].map((url) => svc.inject({ url })),
      );
      expect(asked.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
      expect(probes).toHaveBeenCalledTimes(1);
      clock.advance(PROBE_EVERY_MS - 1);
      expect((await svc.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect(probes).toHaveBeenCalledTimes(1);
      clock.advance(1);
      expect((await svc.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(probes).toHaveBeenCalledTimes(2);
    } finally {
      await svc.close();
    }
  });

  it('answer 503 while the database is full and every webhook gets 500, and recover after', async () => {
    const clock = manualClock('2026-03-10T12:00:00+03:00');
    const svc = await service(dir, {}, { now: clock.now });
    try {
      svc.worker.start();
      expect((await svc.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await svc.inject({ url: '/readyz' })).statusCode).toBe(200);
      // A full disk: no page can be added, and the pages there are are filled up.
      const db = svc.db;
      db.exec('CREATE TABLE filler (x BLOB)');
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      const fill = db.prepare('INSERT INTO filler (x) VALUES (randomblob(?))');
      for (const size of [4000, 1000, 200, 50, 10, 1]) {
        for (;;) {
          try {
            fill.run(size);
          } catch (e) {
            expect((e as { code: string }).code).toBe('SQLITE_FULL');
            break;
          }
        }
      }
      // Webhooks whose rows need a new page fail (Jira's payloads are tens of kilobytes).
      const statuses: number[] = [];
      for (let i = 0; i < 5 && !statuses.includes(500); i++) {
        const big = example1({ key: `SUP-${10 + i}`, summary: `${'Сбой '.repeat(800)}${i}` });
        statuses.push((await svc.inject(signedGeneric(big))).statusCode);
      }
      expect(statuses).toContain(500);

      const health = await svc.inject({ url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({
        status: 'unhealthy',
        db: expect.stringMatching(/^failing: .*SQLITE_FULL: database or disk is full/),
      });
      const ready = await svc.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'not-ready',
        write: expect.stringContaining('SQLITE_FULL'),
      });

      // Space again (the filler goes): webhooks work; health is ok once the failure window has passed.
      db.exec('DROP TABLE filler');
      db.pragma('max_page_count = 1073741823');
      expect(
        (await svc.inject(signedGeneric(example1({ key: 'SUP-20', summary: 'Сбой '.repeat(800) }))))
          .statusCode,
      ).toBe(200);
      clock.advance(FAILURE_WINDOW_MS);
      expect((await svc.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await svc.inject({ url: '/readyz' })).statusCode).toBe(200);
    } finally {
      await svc.close();
    }
  });

  // Issue #14, session 11: both probes counted the inbox by status, done rows included: a scan of the
  // whole table at every probe (92 ms at 1,000,000 rows), on the serving connection.
  it('/healthz and /readyz count the queue through an index, never the done rows', async () => {
    const svc = await service(tempDir(), {}, { now: () => NOW });
    try {
      const db = svc.storage.db;
      const plan = (sql: string) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);
      expect(plan(countOpenByStatus().sql).join(' ')).toMatch(
        /^SEARCH reglament_inbox USING (COVERING )?INDEX/,
      );
      expect(plan(countOpenByStatus().sql).join(' ')).not.toMatch(/SCAN reglament_inbox/);
      // 3,000 done rows and two pending events.
      db.prepare(
        'INSERT INTO reglament_inbox (event_key, seq, source, event_type, subject, payload, status, attempts, next_attempt_ms, received_ms, done_ms, updated_ms) ' +
          'WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 3000) ' +
          "SELECT 'old-' || value, value, 'generic', 'snapshot', 'OLD-' || value, '{}', 'done', 1, 0, 0, 1, 1 FROM n",
      ).run();
      for (const key of ['SUP-1', 'SUP-2'])
        expect((await svc.inject(signedGeneric(example1({ key })))).statusCode).toBe(200);
      expect((await svc.inject({ url: '/healthz' })).json().queue).toEqual({
        pending: 2,
        processing: 0,
        failed: 0,
      });
      expect((await svc.inject({ url: '/readyz' })).json().queue).toEqual({
        depth: 2,
        pending: 2,
        processing: 0,
        failed: 0,
        oldestPendingAgeSeconds: 0,
      });
      // The full count stays for the administrator (and /metrics).
      expect(svc.inbox.counts()).toEqual({ pending: 2, processing: 0, done: 3000, failed: 0 });
    } finally {
      await svc.close();
    }
  });

  it('/readyz reports the queue depth and the last sweep', async () => {
    const svc = await service(dir, {}, { now: () => NOW });
    try {
      svc.worker.start();
      await svc.worker.stop();
      svc.worker.start();
      let ready = (await svc.inject({ url: '/readyz' })).json();
      expect(ready).toMatchObject({ status: 'ready', write: 'ok', database: 'sqlite', lastSweep: null });
      await svc.worker.stop();
      for (const key of ['SUP-1', 'SUP-2'])
        expect((await svc.inject(signedGeneric(example1({ key })))).statusCode).toBe(200);
      await svc.sweepNow();
      ready = (await svc.inject({ url: '/readyz' })).json();
      expect(ready.queue).toMatchObject({ depth: 2, pending: 2, processing: 0, oldestPendingAgeSeconds: 0 });
      expect(ready.lastSweep).toEqual({ at: new Date(NOW).toISOString(), ageSeconds: 0, ok: true });
      expect(ready.worker).toBe('stopped');
      expect(typeof ready.diskFreeBytes).toBe('number');
    } finally {
      await svc.close();
    }
  });
});

describe('reglament backup / restore', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('reglament-backup-')));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const figures = async (svc: Awaited<ReturnType<typeof service>>) => {
    const res = await svc.inject({
      method: 'POST',
      url: '/api/getCompliance',
      payload: JSON.stringify({ from: '2026-01-01', to: '2026-12-31' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('a restored database gives the same compliance figures as when it was backed up', async () => {
    const data = path.join(dir, 'data');
    const copy = path.join(dir, 'backups', 'reglament-2026-03-10.sqlite');
    const svc = await service(data, { demo: 'on' }, { now: () => NOW });
    let before: unknown;
    try {
      await svc.worker.drain();
      before = await figures(svc);
      // Online: the service is running while the backup is taken.
      const b = await capture(() => backupCommand(['--to', copy, '--data-dir', data]));
      expect(b.result).toBe(0);
      expect(b.out).toMatch(
        new RegExp(
          `^backup of .*reglament\\.sqlite written to .*reglament-2026-03-10\\.sqlite: \\d+ bytes, schema version ${SCHEMA_VERSION}, \\d+ SLA records\n$`,
        ),
      );
      // Later changes: another record.
      expect((await svc.inject(signedGeneric(example1({ key: 'NEW-1' })))).statusCode).toBe(200);
      await svc.worker.drain();
      expect(await svc.store.getSlaRecord('NEW-1')).not.toBeNull();
    } finally {
      await svc.close();
    }

    const r = await capture(() => restoreCommand(['--from', copy, '--data-dir', data]));
    expect(r.err).toBe('');
    expect(r.result).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^restored .*reglament\\.sqlite from .*: schema version ${SCHEMA_VERSION}, \\d+ SLA records; the previous database is kept as .*reglament\\.sqlite\\.before-restore-`,
      ),
    );

    const again = await service(data, { demo: 'on' }, { now: () => NOW });
    try {
      expect(await figures(again)).toEqual(before);
      expect(await again.store.getSlaRecord('NEW-1')).toBeNull();
    } finally {
      await again.close();
    }
  });

  it('restore refuses a damaged backup and a running service, and changes nothing', async () => {
    const data = path.join(dir, 'data');
    const file = await populated(data);
    const bad = path.join(dir, 'bad.sqlite');
    fs.writeFileSync(bad, 'not a database');
    const before = fs.readFileSync(file);
    const r1 = await capture(() => restoreCommand(['--from', bad, '--data-dir', data]));
    expect(r1.result).toBe(1);
    expect(r1.err).toMatch(/^reglament restore: .*bad\.sqlite is not a readable database/);

    const good = path.join(dir, 'good.sqlite');
    expect((await capture(() => backupCommand(['--to', good, '--data-dir', data]))).result).toBe(0);
    const svc = await service(data, {}, { now: () => NOW });
    try {
      const r2 = await capture(() => restoreCommand(['--from', good, '--data-dir', data]));
      expect(r2.result).toBe(1);
      expect(r2.err).toMatch(/the service seems to be running/);
    } finally {
      await svc.close();
    }
    expect(fs.readFileSync(file).length).toBeGreaterThanOrEqual(before.length);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    db.close();
  });
});
