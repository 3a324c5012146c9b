/**
 * A throw-away MariaDB server for the Forge SQL tests (Forge SQL is MySQL-compatible): a temporary
 * data directory, 127.0.0.1 on a free port, no grant tables, stopped and removed afterwards. Returns
 * null when MariaDB is not installed (.ci/run installs it, so CI runs these tests).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../free-port';
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

/** `bufferPool`: InnoDB's buffer pool (tests: 16M; the bench at 1M records: more, as a real server has). */
export async function startMariaDb(opts: { bufferPool?: string } = {}): Promise<MariaDb | null> {
  const server = which(['mariadbd', 'mysqld']);
  const install = which(['mariadb-install-db', 'mysql_install_db']);
  if (!server || !install) return null;
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
      `--innodb-buffer-pool-size=${opts.bufferPool ?? '16M'}`,
      '--skip-log-bin',
      // A throw-away database: no fsync per statement (a busy disk made each write take milliseconds).
      '--innodb-flush-log-at-trx-commit=0',
      // Forge SQL is TiDB: utf8mb4 with binary collation by default.
      '--character-set-server=utf8mb4',
      '--collation-server=utf8mb4_bin',
      `--pid-file=${path.join(dir, 'server.pid')}`,
    ],
    { stdio: 'ignore' },
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql = require('mysql2/promise') as typeof import('mysql2/promise');
  let pool: Pool | null = null;
  for (let i = 0; i < 100 && !pool; i++) {
    try {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
      await c.query('CREATE DATABASE IF NOT EXISTS forge CHARACTER SET utf8mb4 COLLATE utf8mb4_bin');
      await c.end();
      pool = mysql.createPool({
        host: '127.0.0.1',
        port,
        user: 'root',
        database: 'forge',
        charset: 'utf8mb4',
        connectionLimit: 4,
      });
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!pool) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error('MariaDB did not start');
  }
  const p = pool;
  const executor: SqlExecutor = async (query, params) => {
    const [rows] = await p.query(query, params as never[]);
    return { rows };
  };
  return {
    pool: p,
    port,
    executor,
    stop: async () => {
      await p.end();
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
