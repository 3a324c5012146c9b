/**
 * A real Redmine for the end-to-end test, started by scripts/redmine.sh (Debian's `redmine` +
 * `redmine-sqlite`, rackup on 127.0.0.1). When Redmine is not installed (or we are not root), the
 * test is skipped with a message, unless REQUIRE_REDMINE=1 (CI), where that is an error.
 */
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/redmine.sh');

export function redmineAvailable(): boolean {
  const installed = fs.existsSync('/usr/share/redmine/config.ru') && fs.existsSync('/etc/redmine/default');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const ok = installed && root;
  if (!ok) {
    const why = !installed
      ? 'Redmine is not installed (scripts/redmine.sh installs redmine and redmine-sqlite as root)'
      : 'scripts/redmine.sh must run as root';
    if (process.env.REQUIRE_REDMINE === '1') throw new Error(`REQUIRE_REDMINE=1 but ${why}`);
    console.warn(`skipping the real Redmine test: ${why}`);
  }
  return ok;
}

/** What scripts/redmine.sh prints. */
export interface RedmineSetup {
  url: string;
  adminKey: string;
  serviceKey: string;
  agentKey: string;
  customerKey: string;
  agentId: number;
  customerId: number;
  serviceId: number;
  project: string;
  projectId: number;
  fields: Record<
    | 'impact'
    | 'urgency'
    | 'mode'
    | 'nature'
    | 'workaround'
    | 'slaPriority'
    | 'slaDeadline'
    | 'slaState'
    | 'agreedDeadline'
    | 'priorityOverride'
    | 'overrideReason'
    | 'affectedVersion'
    | 'estimateAt',
    number
  >;
  trackers: Record<string, number>;
  statuses: Record<string, { id: number; closed: boolean }>;
}

const answers = (url: string): boolean => {
  try {
    execFileSync('curl', ['-fsS', '-o', '/dev/null', '--max-time', '5', url], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Starts (or reuses) the Redmine on `port`; `stop` stops it only when this call started it. */
export function startRedmine(port = 3300): { setup: RedmineSetup; stop(): void } {
  const running = answers(`http://127.0.0.1:${port}/`);
  const out = execFileSync(SCRIPT, [String(port)], {
    encoding: 'utf8',
    timeout: 15 * 60_000,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = out.trim().split('\n').pop() ?? '';
  const setup = JSON.parse(line) as RedmineSetup;
  return {
    setup,
    stop: () => {
      if (!running) execFileSync(SCRIPT, ['--stop'], { stdio: 'ignore' });
    },
  };
}

/**
 * Redmine's own SQLite database (Debian's dbconfig path from /etc/redmine/default/database.yml), for
 * what the REST API cannot do in a test — backdating an issue, taking a field off a tracker. A direct
 * statement takes milliseconds where `rails runner` takes 10–20 s (more on a busy machine); Redmine
 * reads these rows afresh on every request.
 */
function redmineDb<T>(fn: (db: Database.Database) => T): T {
  const yml = fs.readFileSync('/etc/redmine/default/database.yml', 'utf8');
  const file = /^\s*database:\s*(\S+)/m.exec(yml)?.[1];
  if (!file) throw new Error('no database path in /etc/redmine/default/database.yml');
  const db = new Database(file, { timeout: 30_000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Sets an issue's registration (`created_on`, UTC) and start date, as Rails stores them. */
export function backdateIssue(id: number, at: Date): void {
  const iso = at.toISOString();
  redmineDb((db) =>
    db
      .prepare('UPDATE issues SET created_on = ?, start_date = ? WHERE id = ?')
      .run(`${iso.slice(0, 10)} ${iso.slice(11, 19)}.000000`, iso.slice(0, 10), id),
  );
}

/** The trackers a custom field is enabled for. */
export function setFieldTrackers(fieldId: number, trackerIds: readonly number[]): void {
  redmineDb((db) =>
    db.transaction(() => {
      db.prepare('DELETE FROM custom_fields_trackers WHERE custom_field_id = ?').run(fieldId);
      const add = db.prepare(
        'INSERT INTO custom_fields_trackers (custom_field_id, tracker_id) VALUES (?, ?)',
      );
      for (const t of trackerIds) add.run(fieldId, t);
    })(),
  );
}

/** A REST call to Redmine as the holder of `key`. */
export async function rm<T = unknown>(
  setup: RedmineSetup,
  key: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await fetch(`${setup.url}${p}`, {
    method,
    headers: {
      'X-Redmine-API-Key': key,
      Accept: 'application/json',
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: (text.trim() === '' ? null : JSON.parse(text)) as T };
}
