/**
 * A throw-away PostgreSQL server for the storage tests: a temporary cluster (initdb, trust auth),
 * 127.0.0.1 on a free port, stopped and removed afterwards — in a jest run one per run, shared by the
 * test files, each with databases of its own (test/support/shared-servers.ts). The server refuses to run as root, so it
 * runs as the `postgres` system user when the tests run as root. Returns null when PostgreSQL is not
 * installed (the test then says it skipped).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { databaseName, sharedDir, sharedServer } from '../support/shared-servers';
import type { Pool } from 'pg';

function which(name: string): string | null {
  const dirs = ['/usr/local/bin', '/usr/bin', ...(process.env.PATH ?? '').split(':')];
  if (fs.existsSync('/usr/lib/postgresql'))
    for (const v of fs.readdirSync('/usr/lib/postgresql')) dirs.push(`/usr/lib/postgresql/${v}/bin`);
  for (const d of dirs) {
    const p = path.join(d, name);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

function asUser(): string[] {
  if (process.getuid?.() !== 0) return [];
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
    return ['runuser', '-u', 'postgres', '--'];
  } catch {
    return [];
  }
}

export function postgresAvailable(): boolean {
  const root = process.getuid?.() === 0;
  const ok = which('initdb') !== null && which('postgres') !== null && (!root || asUser().length > 0);
  if (!ok && process.env.REQUIRE_REAL_DATABASES === '1')
    throw new Error('REQUIRE_REAL_DATABASES=1 but PostgreSQL is not installed (apt-get install postgresql)');
  return ok;
}

export interface Postgres {
  /** A database of this test file's own ('postgres' on a server of its own). */
  pool: Pool;
  port: number;
  /** Creates another database of this file's own (`base` plus a suffix unique in the run); its URL. */
  database(base: string): Promise<string>;
  stop(): Promise<void>;
}

const connect = (port: number, database: string, max = 4): Pool => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Pool } = require('pg') as typeof import('pg');
  const p = new Pool({ host: '127.0.0.1', port, user: 'postgres', database, max });
  // An idle pooled connection that the server drops (e.g. during its shutdown) emits 'error' on the
  // pool; unhandled, that would crash whichever test is running. Queries still reject on their own.
  p.on('error', (e) => console.warn(`PostgreSQL pool: idle connection dropped: ${e.message}`));
  return p;
};

interface Launched {
  port: number;
  dir: string;
  data: string;
  child: ChildProcess;
  /** A pool on the 'postgres' database, the server answering. */
  pool: Pool;
}

/** initdb and a server on a free port; `detached` for a server that outlives the calling process. */
async function launch(detached: boolean): Promise<Launched> {
  const initdb = which('initdb')!;
  const server = which('postgres')!;
  const prefix = asUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-pg-'));
  if (prefix.length > 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    prefix.length > 0 ? ([prefix[0]!, [...prefix.slice(1), cmd, ...args]] as const) : ([cmd, args] as const);
  const [c1, a1] = run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(c1, [...a1], { stdio: 'ignore', cwd: dir });
  const port = await freePort();
  // REGLAMENT_PG_OPTIONS: extra server settings for a diagnostic run (bench:server's BENCH_PG_STATEMENTS
  // preloads pg_stat_statements), e.g. "-c shared_preload_libraries=pg_stat_statements".
  const extra = (process.env.REGLAMENT_PG_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const [c2, a2] = run(server, [
    '-D',
    data,
    '-k',
    dir,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-F',
    ...extra,
  ]);
  const child: ChildProcess = spawn(c2, [...a2], { stdio: 'ignore', cwd: dir, detached });
  if (detached) child.unref();
  let pool: Pool | null = null;
  for (let i = 0; i < 300 && !pool; i++) {
    const p = connect(port, 'postgres');
    try {
      await p.query('SELECT 1');
      pool = p;
    } catch {
      await p.end();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!pool) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error('PostgreSQL did not start');
  }
  return { port, dir, data, child, pool };
}

/** The postmaster's pid (runuser does not pass signals on, so the postmaster itself is signalled). */
const postmasterPid = (data: string): number =>
  Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);

/**
 * A PostgreSQL for one test file: in a jest run, a database of its own on the run's shared server
 * (test/support/shared-servers.ts); otherwise a server of its own, stopped and removed by `stop`.
 */
export async function startPostgres(): Promise<Postgres | null> {
  if (!which('initdb') || !which('postgres') || !postgresAvailable()) return null;
  const shared = sharedDir();
  if (shared) {
    const server = await sharedServer(shared, 'postgres', async () => {
      const l = await launch(true);
      await l.pool.end();
      return { kind: 'postgres', port: l.port, pid: postmasterPid(l.data), signal: 'SIGINT', dir: l.dir };
    });
    const admin = connect(server.port, 'postgres', 1);
    const pools: Pool[] = [admin];
    const database = async (base: string): Promise<string> => {
      const name = databaseName(base);
      await admin.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${server.port}/${name}`;
    };
    const own = await database('reglament_file');
    const pool = connect(server.port, own.slice(own.lastIndexOf('/') + 1));
    pools.push(pool);
    return {
      pool,
      port: server.port,
      database,
      // The databases go with the server at the end of the run.
      stop: async () => {
        await Promise.all(pools.map((p) => p.end()));
      },
    };
  }
  const l = await launch(false);
  const p = l.pool;
  return {
    pool: p,
    port: l.port,
    database: async (base) => {
      const name = databaseName(base);
      await p.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${l.port}/${name}`;
    },
    stop: async () => {
      await p.end();
      const pid = postmasterPid(l.data);
      await new Promise<void>((resolve) => {
        if (l.child.exitCode !== null) return resolve();
        l.child.once('exit', () => resolve());
        process.kill(pid, 'SIGINT'); // fast shutdown
      });
      fs.rmSync(l.dir, { recursive: true, force: true });
    },
  };
}
