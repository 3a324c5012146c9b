/**
 * A throw-away MariaDB server for the Forge SQL tests (Forge SQL is MySQL-compatible): a temporary
 * data directory, 127.0.0.1 on a free port, no grant tables, stopped and removed afterwards — in a
 * jest run one per run, shared by the test files, each with a database of its own. Returns
 * null when MariaDB is not installed (.ci/run installs it, so CI runs these tests).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../free-port';
import { databaseName, sharedDir, sharedServer } from '../shared-servers';
import type { Pool } from 'mysql2/promise';
import type { SqlExecutor } from './forge-runtime';

export interface MariaDb {
  pool: Pool;
  port: number;
  /** Runs statements the way Forge SQL's HTTP API does: one statement, `?` params, `{ rows }`. */
  executor: SqlExecutor;
  stop(): Promise<void>;
}

function which(names: string[]): string | null {
  for (const n of names) {
    for (const dir of [
      '/usr/sbin',
      '/usr/bin',
      '/usr/local/sbin',
      '/usr/local/bin',
      ...(process.env.PATH ?? '').split(':'),
    ]) {
      const p = path.join(dir, n);
      if (fs.existsSync(p)) return p;
    }
  }
  return null;
}

export function mariaDbAvailable(): boolean {
  const ok =
    which(['mariadbd', 'mysqld']) !== null && which(['mariadb-install-db', 'mysql_install_db']) !== null;
  if (!ok && process.env.REQUIRE_REAL_DATABASES === '1')
    throw new Error('REQUIRE_REAL_DATABASES=1 but MariaDB is not installed (apt-get install mariadb-server)');
  return ok;
}

interface Launched {
  port: number;
  dir: string;
  child: ChildProcess;
}

/** mariadb-install-db and a server on a free port; `detached` for one that outlives the caller. */
async function launch(bufferPool: string, detached: boolean): Promise<Launched> {
  const server = which(['mariadbd', 'mysqld'])!;
  const install = which(['mariadb-install-db', 'mysql_install_db'])!;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-mariadb-'));
  const data = path.join(dir, 'data');
  execFileSync(
    install,
    [
      '--no-defaults',
      `--datadir=${data}`,
      '--user=root',
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    {
      stdio: 'ignore',
    },
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    server,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${path.join(dir, 'sock')}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      '--user=root',
      '--skip-grant-tables',
      `--innodb-buffer-pool-size=${bufferPool}`,
      '--skip-log-bin',
      // A throw-away database: no fsync per statement (a busy disk made each write take milliseconds).
      '--innodb-flush-log-at-trx-commit=0',
      // Forge SQL is TiDB: utf8mb4 with binary collation by default.
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_bin',
      `--pid-file=${path.join(dir, 'server.pid')}`,
    ],
    { stdio: 'ignore', detached },
  );
  if (detached) child.unref();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  for (let i = 0; i < 300; i++) {
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      await c.end();
      return { port, dir, child };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
  throw new Error('MariaDB did not start');
}

/** A pool on a new database `name` (utf8mb4, binary collation, as Forge SQL). */
async function databasePool(port: number, name: string): Promise<Pool> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  try {
    await c.query(`CREATE DATABASE IF NOT EXISTS ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await c.end();
  }
  return mysql.createPool({
    host: '127.0.0.1',
    port,
    user: 'root',
    database: name,
    charset: 'utf8mb4',
    connectionLimit: 4,
  });
}

/**
 * A MariaDB for one test file: in a jest run, a database of its own on the run's shared server
 * (test/support/shared-servers.ts); otherwise — or with a `bufferPool` (the bench at 1M records:
 * more, as a real server has; tests: 16M) — a server of its own, stopped and removed by `stop`.
 */
export async function startMariaDb(opts: { bufferPool?: string } = {}): Promise<MariaDb | null> {
  if (!which(['mariadbd', 'mysqld']) || !which(['mariadb-install-db', 'mysql_install_db'])) return null;
  const executorOf =
    (p: Pool): SqlExecutor =>
    async (query, params) => {
      const [rows] = await p.query(query, params as never[]);
      return { rows };
    };
  const shared = opts.bufferPool === undefined ? sharedDir() : null;
  if (shared) {
    const server = await sharedServer(shared, 'mariadb', async () => {
      const l = await launch('16M', true);
      const pid = Number(fs.readFileSync(path.join(l.dir, 'server.pid'), 'utf8').trim());
      return { kind: 'mariadb', port: l.port, pid, signal: 'SIGTERM', dir: l.dir };
    });
    const pool = await databasePool(server.port, databaseName('forge'));
    return {
      pool,
      port: server.port,
      executor: executorOf(pool),
      // The database goes with the server at the end of the run.
      stop: () => pool.end(),
    };
  }
  const l = await launch(opts.bufferPool ?? '16M', false);
  let pool: Pool;
  try {
    pool = await databasePool(l.port, 'forge');
  } catch (e) {
    l.child.kill('SIGKILL');
    fs.rmSync(l.dir, { recursive: true, force: true });
    throw e;
  }
  const p = pool;
  return {
    pool: p,
    port: l.port,
    executor: executorOf(p),
    stop: async () => {
      await p.end();
      await new Promise<void>((resolve) => {
        if (l.child.exitCode !== null) return resolve();
        l.child.once('exit', () => resolve());
        l.child.kill('SIGTERM');
      });
      fs.rmSync(l.dir, { recursive: true, force: true });
    },
  };
}
