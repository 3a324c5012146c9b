/**
 * A throw-away PostgreSQL server for the portability test: a temporary cluster (initdb, trust auth),
 * 127.0.0.1 on a free port, stopped and removed afterwards. The server refuses to run as root, so it
 * runs as the `postgres` system user when the tests run as root. Returns null when PostgreSQL is not
 * installed (the test then says it skipped).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
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
  pool: Pool;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<Postgres | null> {
  const initdb = which('initdb');
  const server = which('postgres');
  if (!initdb || !server || !postgresAvailable()) return null;
  const prefix = asUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-pg-'));
  if (prefix.length > 0) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    prefix.length > 0 ? ([prefix[0]!, [...prefix.slice(1), cmd, ...args]] as const) : ([cmd, args] as const);
  const [c1, a1] = run(initdb, ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  execFileSync(c1, [...a1], { stdio: 'ignore', cwd: dir });
  const port = await freePort();
  const [c2, a2] = run(server, ['-D', data, '-k', dir, '-p', String(port), '-h', '127.0.0.1', '-F']);
  const child: ChildProcess = spawn(c2, [...a2], { stdio: 'ignore', cwd: dir });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Pool } = require('pg') as typeof import('pg');
  let pool: Pool | null = null;
  for (let i = 0; i < 100 && !pool; i++) {
    const p = new Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 4 });
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
  const p = pool;
  // An idle pooled connection that the server drops (e.g. during its shutdown) emits 'error' on the
  // pool; unhandled, that would crash whichever test is running. Queries still reject on their own.
  p.on('error', (e) => console.warn(`PostgreSQL pool: idle connection dropped: ${e.message}`));
  return {
    pool: p,
    stop: async () => {
      await p.end();
      // Signal the postmaster itself (runuser does not pass signals on): SIGINT = fast shutdown.
      const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(pid, 'SIGINT');
      });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
