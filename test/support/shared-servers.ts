/**
 * Throw-away database servers shared by the test files of one jest run (issue #14: the suite's time).
 *
 * jest's globalSetup (test/support/global-setup.ts) makes a directory and names it in
 * TEST_SHARED_DB_SERVERS. The first test file that asks for a PostgreSQL or a MariaDB starts one
 * (initdb / mariadb-install-db and a server: 2–5 s each, formerly paid by every such file) and writes
 * how to reach it there; later files, in any worker, reuse it and get a database of their own, so no
 * file sees another's tables. globalTeardown (test/support/global-teardown.ts) stops what was started.
 * Without the variable (a bench, a script) each caller starts and stops a server of its own, as before.
 */
import fs from 'node:fs';
import path from 'node:path';

export const SHARED_ENV = 'TEST_SHARED_DB_SERVERS';

/** What a test file needs to reach a shared server and to stop it at the end of the run. */
export interface SharedServer {
  kind: 'postgres' | 'mariadb';
  port: number;
  /** The server's own process (postmaster / mariadbd), signalled by the teardown. */
  pid: number;
  /** SIGINT (PostgreSQL's fast shutdown) or SIGTERM. */
  signal: 'SIGINT' | 'SIGTERM';
  /** Removed after the server has stopped. */
  dir: string;
}

/** The run's directory of shared servers, or null outside a jest run with the global setup. */
export function sharedDir(): string | null {
  const dir = process.env[SHARED_ENV];
  return dir && fs.existsSync(dir) ? dir : null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The shared server of `kind`, started by `start` when this is the first file to ask. A directory
 * made with mkdir is the lock between jest's worker processes.
 */
export async function sharedServer(
  dir: string,
  kind: SharedServer['kind'],
  start: () => Promise<SharedServer>,
): Promise<SharedServer> {
  const file = path.join(dir, `${kind}.json`);
  const lock = path.join(dir, `${kind}.lock`);
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another worker is starting it; a start takes seconds (minutes on a very busy machine).
      if (i > 6000) throw new Error(`no shared ${kind} after 10 minutes (lock ${lock})`);
      await sleep(100);
    }
  }
  try {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as SharedServer;
    const server = await start();
    fs.writeFileSync(file, JSON.stringify(server));
    return server;
  } finally {
    fs.rmdirSync(lock);
  }
}

/** A database name of this test file's own: letters, digits and `_`, unique in the run. */
export function databaseName(base: string): string {
  databaseSeq += 1;
  return `${base}_${process.pid}_${databaseSeq}_${Math.random().toString(36).slice(2, 8)}`;
}
let databaseSeq = 0;

/** Stops every shared server of the run (globalTeardown), then removes the run's directory. */
export async function stopSharedServers(dir: string): Promise<void> {
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const s = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SharedServer;
    try {
      process.kill(s.pid, s.signal);
      // Wait for the server to exit (it is not our child: poll whether the pid is still there).
      for (let i = 0; i < 1200; i++) {
        process.kill(s.pid, 0);
        await sleep(50);
      }
      console.warn(`shared ${s.kind} (pid ${s.pid}) did not stop within 60 s: killed`);
      process.kill(s.pid, 'SIGKILL');
    } catch {
      // ESRCH: gone
    }
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
