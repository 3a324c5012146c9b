/**
 * A real Redmine for the end-to-end test, started by scripts/redmine.sh (Debian's `redmine` +
 * `redmine-sqlite`, rackup on 127.0.0.1). When Redmine is not installed (or we are not root), the
 * test is skipped with a message, unless REQUIRE_REDMINE=1 (CI), where that is an error.
 */
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
    'impact' | 'urgency' | 'mode' | 'nature' | 'workaround' | 'slaPriority' | 'slaDeadline' | 'slaState',
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

/** Runs Ruby in Redmine (`rails runner`, as www-data): for what the REST API cannot do, e.g. backdating. */
export function railsRunner(code: string): string {
  return execFileSync(
    'setpriv',
    ['--reuid=www-data', '--regid=www-data', '--init-groups', 'ruby', 'bin/rails', 'runner', code],
    {
      cwd: '/usr/share/redmine',
      encoding: 'utf8',
      timeout: 5 * 60_000,
      env: {
        ...process.env,
        HOME: '/var/lib/redmine-ci',
        RAILS_ENV: 'production',
        REDMINE_INSTANCE: 'default',
        BUNDLE_GEMFILE: '/var/lib/redmine-ci/Gemfile',
      },
    },
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
