/**
 * The benches run the service and the tests' throw-away database helpers from a SWC transpile of
 * their own (.tmp/bench-*), not through jest: each module they load must be in that transpile. A
 * helper gaining an import (test/server/postgres.ts → test/support/shared-servers.ts) once broke
 * `npm run bench:server` and `bench:dashboard` with "Cannot find module" while every test passed.
 * Loading the transpiled modules in a plain Node process (as the benches do) starts no server.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

function loads(file: string): void {
  execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
  });
}

describe('the benches transpile every module they load', () => {
  it('bench:dashboard — the PostgreSQL, MariaDB and free-port helpers load from its transpile', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bench = require(path.join(ROOT, 'bench', 'dashboard.js')) as { transpile(): void; OUT: string };
    bench.transpile();
    for (const rel of [
      'test/server/postgres.js',
      'test/support/fake-jira/mariadb.js',
      'test/support/free-port.js',
    ])
      expect(() => loads(path.join(bench.OUT, rel))).not.toThrow();
  }, 90_000);

  it('bench:server — the PostgreSQL helper loads from its transpile beside src/', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const scale = require(path.join(ROOT, 'bench', 'server-scale.js')) as {
      transpileTestHelpers(): void;
      OUT: string;
    };
    scale.transpileTestHelpers();
    expect(() => loads(path.join(scale.OUT, 'test/server/postgres.js'))).not.toThrow();
  }, 90_000);
});
