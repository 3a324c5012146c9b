/**
 * `reglament backup --to FILE` and `reglament restore --from FILE` for the embedded SQLite database
 * (PostgreSQL: pg_dump / pg_restore, docs/server.md "Operations").
 *
 * - backup uses SQLite's online backup API: safe while the service runs, the copy is a consistent
 *   snapshot, checked (`quick_check`) before it is reported written.
 * - restore wants the service stopped. It checks the backup (a readable reglament database of a
 *   schema version this release knows), copies it beside the live file, checks the copy, moves the
 *   live file and its -wal/-shm aside (`<file>.before-restore-<time>`, nothing is deleted) and renames
 *   the copy into place. The next start applies any newer migrations.
 */
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APPLIED_VERSIONS_SQL, SCHEMA_VERSION, TABLES, VERSION_TABLE } from '../adapters/sql';
import { dataDirOf, formatProblems, loadConfig } from './config';

/** The database file of the configuration (`<data dir>/reglament.sqlite`). */
export function databaseFile(dataDir: string): string {
  return path.join(dataDir, 'reglament.sqlite');
}

class UsageError extends Error {}

/** Splits `--to X` / `--from X` / `--force` from the options `loadConfig` reads. */
function options(args: string[], own: string): { value: string | undefined; force: boolean; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  let force = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === own) value = args[++i];
    else if (a.startsWith(`${own}=`)) value = a.slice(own.length + 1);
    else if (a === '--force') force = true;
    else rest.push(a);
  }
  return { value, force, rest };
}

interface Checked {
  version: number;
  records: number;
  bytes: number;
}

/** Opens `file` read-only and checks it is a sound reglament database; throws naming the file. */
export function checkDatabaseFile(file: string): Checked {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`${file} does not exist`);
  }
  if (stat.size === 0) throw new UsageError(`${file} is empty (0 bytes): not a database`);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('quick_check', { simple: false }) as { quick_check: string }[])
      .map((r) => r.quick_check)
      .filter((r) => r !== 'ok');
    if (problems.length > 0)
      throw new UsageError(`${file} is damaged (SQLite quick_check: ${problems.slice(0, 3).join('; ')})`);
    const has = (t: string) =>
      db!.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
    if (!has(TABLES.settings))
      throw new UsageError(`${file} is not a reglament database (no ${TABLES.settings})`);
    const versions = has(VERSION_TABLE)
      ? (db.prepare(APPLIED_VERSIONS_SQL).all() as { version: number }[]).map((r) => r.version)
      : [1];
    const version = Math.max(...versions, 1);
    const records = (db.prepare(`SELECT COUNT(*) AS n FROM ${TABLES.records}`).get() as { n: number }).n;
    return { version, records, bytes: stat.size };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file} is not a readable database: ${(e as Error).message}`);
  } finally {
    if (db?.open) db.close();
  }
}

/** Writes a consistent copy of the live database to `to` (online: the service may be running). */
export async function backupDatabase(from: string, to: string, force = false): Promise<Checked> {
  checkDatabaseFile(from);
  if (fs.existsSync(to) && !force) throw new UsageError(`${to} exists; pass --force to overwrite it`);
  fs.mkdirSync(path.dirname(path.resolve(to)), { recursive: true });
  const tmp = `${to}.partial`;
  fs.rmSync(tmp, { force: true });
  const db = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await db.backup(tmp);
  } finally {
    db.close();
  }
  const checked = checkDatabaseFile(tmp);
  fs.renameSync(tmp, to);
  return { ...checked, bytes: fs.statSync(to).size };
}

/**
 * Replaces the database `live` with the backup `from` (the service stopped). Returns where the
 * replaced file went, or null when there was none.
 */
export async function restoreDatabase(
  from: string,
  live: string,
  force = false,
  now = Date.now(),
): Promise<{ checked: Checked; movedTo: string | null }> {
  const checked = checkDatabaseFile(from);
  if (checked.version > SCHEMA_VERSION)
    throw new UsageError(
      `${from} has schema version ${checked.version}, newer than this reglament understands (${SCHEMA_VERSION})`,
    );
  const sidecars = ['-wal', '-shm'].map((s) => `${live}${s}`).filter((f) => fs.existsSync(f));
  if (sidecars.length > 0 && !force)
    throw new UsageError(
      `${sidecars.join(' and ')} exist: the service seems to be running (or was killed). Stop it first; ` +
        'if it is stopped, pass --force (the files are moved aside with the database, not deleted)',
    );
  fs.mkdirSync(path.dirname(path.resolve(live)), { recursive: true });
  const tmp = `${live}.restoring`;
  fs.rmSync(tmp, { force: true });
  const src = new Database(from, { readonly: true, fileMustExist: true });
  try {
    await src.backup(tmp);
  } finally {
    src.close();
  }
  checkDatabaseFile(tmp);
  let movedTo: string | null = null;
  if (fs.existsSync(live)) {
    movedTo = `${live}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(live, movedTo);
    for (const f of sidecars) fs.renameSync(f, `${movedTo}${f.slice(live.length)}`);
  }
  fs.renameSync(tmp, live);
  return { checked, movedTo };
}

type Out = Pick<NodeJS.WritableStream, 'write'>;

async function withConfig(
  name: string,
  args: string[],
  own: string,
  err: Out,
  run: (file: string, value: string, force: boolean) => Promise<string>,
  out: Out,
): Promise<number> {
  const { value, force, rest } = options(args, own);
  if (rest.includes('--help') || rest.includes('-h') || !value) {
    (value ? out : err).write(
      `reglament ${name} ${own} FILE [--force] [--data-dir DIR | --config file.json]\n` +
        (name === 'backup'
          ? 'Writes a consistent copy of the SQLite database (safe while the service runs).\n'
          : 'Replaces the SQLite database with a backup (stop the service first); the old file is kept aside.\n') +
        'PostgreSQL: use pg_dump / pg_restore (docs/server.md, "Operations").\n',
    );
    return value ? 0 : 2;
  }
  const loaded = loadConfig({ env: process.env, argv: rest });
  if (!loaded.ok) {
    err.write(`reglament ${name}: invalid configuration\n${formatProblems(loaded.problems)}\n`);
    return 2;
  }
  if (loaded.config.databaseUrl) {
    err.write(
      `reglament ${name}: the database is PostgreSQL (REGLAMENT_DATABASE_URL); use pg_dump / pg_restore (docs/server.md, "Operations")\n`,
    );
    return 2;
  }
  try {
    out.write(`${await run(databaseFile(dataDirOf(loaded.config)), value, force)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`reglament ${name}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

export function backupCommand(
  args: string[],
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  return withConfig(
    'backup',
    args,
    '--to',
    err,
    async (live, to, force) => {
      const c = await backupDatabase(live, to, force);
      return `backup of ${live} written to ${path.resolve(to)}: ${c.bytes} bytes, schema version ${c.version}, ${c.records} SLA records`;
    },
    out,
  );
}

export function restoreCommand(
  args: string[],
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  return withConfig(
    'restore',
    args,
    '--from',
    err,
    async (live, from, force) => {
      const r = await restoreDatabase(from, live, force);
      return (
        `restored ${live} from ${path.resolve(from)}: schema version ${r.checked.version}, ${r.checked.records} SLA records` +
        (r.movedTo ? `; the previous database is kept as ${r.movedTo}` : '')
      );
    },
    out,
  );
}
