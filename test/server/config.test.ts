import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CONFIG, formatProblems, isDemo, loadConfig } from '../../src/server/config';
import { serveCommand } from '../../src/server/main';

function problems(input: Parameters<typeof loadConfig>[0]): string {
  const r = loadConfig(input);
  if (r.ok) throw new Error('expected problems, got a valid config');
  return formatProblems(r.problems);
}

const WEBHOOK_TOKEN = 'jira-webhook-token-0123456789';

describe('server configuration', () => {
  it('defaults: loopback, port 3000, ./data, demo mode without Jira', () => {
    const r = loadConfig({ env: {} });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.config.host).toBe('127.0.0.1');
    expect(isDemo(r.config)).toBe(true);
  });

  it.each([
    [{ REGLAMENT_PORT: 'abc' }, "REGLAMENT_PORT: must be an integer 0..65535, got 'abc'"],
    [{ REGLAMENT_PORT: '70000' }, 'REGLAMENT_PORT: must be an integer 0..65535, got 70000'],
    [
      {
        REGLAMENT_JIRA_URL: 'ftp://jira',
        REGLAMENT_JIRA_TOKEN: 'pat',
        REGLAMENT_JIRA_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      },
      "REGLAMENT_JIRA_URL: must be an http(s) URL, e.g. https://jira.example.com, got 'ftp://jira'",
    ],
    [
      { REGLAMENT_LOG_LEVEL: 'loud' },
      "REGLAMENT_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
    ],
    [
      { REGLAMENT_JIRA_CREATE_FIELDS: 'maybe' },
      "REGLAMENT_JIRA_CREATE_FIELDS: must be true or false, got 'maybe'",
    ],
    [
      {
        REGLAMENT_JIRA_URL: 'https://jira.example.com',
        REGLAMENT_JIRA_USER: 'bob',
        REGLAMENT_JIRA_WEBHOOK_TOKEN: WEBHOOK_TOKEN,
      },
      'REGLAMENT_JIRA_PASSWORD: is required when a Jira user is set',
    ],
    [
      { REGLAMENT_JIRA_URL: 'https://jira.example.com', REGLAMENT_JIRA_WEBHOOK_TOKEN: WEBHOOK_TOKEN },
      'REGLAMENT_JIRA_TOKEN: a Jira URL needs credentials: a personal access token, or a user and password',
    ],
    // Issue #13, 2: Jira webhooks are unsigned unless configured; the service refuses to start so.
    [
      { REGLAMENT_JIRA_URL: 'https://jira.example.com', REGLAMENT_JIRA_TOKEN: 'pat' },
      'REGLAMENT_JIRA_WEBHOOK_SECRET: Jira webhooks must be authenticated when a Jira URL is configured: set REGLAMENT_JIRA_WEBHOOK_SECRET (the secret of the Jira DC 10+ webhook) or REGLAMENT_JIRA_WEBHOOK_TOKEN (at least 16 characters, added to the webhook URL as ?token=…), or accept forged events knowingly with REGLAMENT_JIRA_ALLOW_UNSIGNED_WEBHOOKS=true',
    ],
    [
      { REGLAMENT_LDAP_URL: 'ldap://dc.example.com' },
      'REGLAMENT_LDAP_USER_DN: is required when an LDAP URL is set',
    ],
    [
      { REGLAMENT_ANONYMOUS_READ: 'yes' },
      "REGLAMENT_ANONYMOUS_READ: must be 'auto', 'on' or 'off', got 'yes'",
    ],
    [
      { REGLAMENT_JIRA_FIELDS: '{"impact":"customfield_10100","colour":"x"}' },
      'REGLAMENT_JIRA_FIELDS: is not a setting of the service',
    ],
    // Issue #14: several inbox workers in one process only where there are several writers.
    [
      { REGLAMENT_WORKERS: '2' },
      'REGLAMENT_WORKERS: is 2, but a SQLite file has one writer: more than one worker needs PostgreSQL (REGLAMENT_DATABASE_URL)',
    ],
    [{ REGLAMENT_WORKERS: '0' }, 'REGLAMENT_WORKERS: must be an integer 1..16, got 0'],
  ])('%j → %s', (env, message) => {
    expect(problems({ env })).toBe(message);
  });

  it('several inbox workers are accepted with PostgreSQL', () => {
    const r = loadConfig({
      env: { REGLAMENT_WORKERS: '3', REGLAMENT_DATABASE_URL: 'postgres://u:p@db:5432/reglament' },
    });
    expect(r.ok && r.config.inbox.workers).toBe(3);
  });

  it('never echoes a secret it rejects', () => {
    const out = problems({ env: { REGLAMENT_WEBHOOK_SECRET: 'tooshort-secret' } });
    expect(out).toBe('REGLAMENT_WEBHOOK_SECRET: must be at least 16 characters, got (hidden)');
  });

  it('lists every problem at once', () => {
    const r = loadConfig({
      env: { REGLAMENT_PORT: 'x', REGLAMENT_MAX_ATTEMPTS: '0', REGLAMENT_DEMO: 'maybe' },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.setting).sort()).toEqual([
      'REGLAMENT_DEMO',
      'REGLAMENT_MAX_ATTEMPTS',
      'REGLAMENT_PORT',
    ]);
  });

  describe('config file', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-config-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('names the file and the key; the environment overrides the file; a flag overrides both', () => {
      const file = path.join(dir, 'reglament.json');
      fs.writeFileSync(
        file,
        JSON.stringify({ port: 4000, host: '0.0.0.0', inbox: { maxAttempts: 'many' }, colour: 1 }),
      );
      expect(problems({ env: {}, argv: ['--config', file] })).toBe(
        "reglament.json: inbox.maxAttempts: must be an integer 1..1000, got 'many'\nreglament.json: colour: is not a setting of the service",
      );
      fs.writeFileSync(file, JSON.stringify({ port: 4000, host: '0.0.0.0' }));
      const r = loadConfig({
        env: { REGLAMENT_CONFIG: file, REGLAMENT_PORT: '5000' },
        argv: ['--host', 'localhost'],
      });
      expect(r.ok && [r.config.port, r.config.host]).toEqual([5000, 'localhost']);
    });

    it('a missing file is named', () => {
      expect(problems({ env: {}, argv: ['--config', path.join(dir, 'nope.json')] })).toMatch(
        /^--config: file not found: /,
      );
    });
  });

  it('unknown flags are refused; unknown REGLAMENT_ variables are a warning', () => {
    expect(problems({ env: {}, argv: ['--prot', '1'] })).toMatch(/^--prot: unknown option/);
    const r = loadConfig({ env: { REGLAMENT_PROT: '1' } });
    expect(r.ok && r.warnings).toEqual(['REGLAMENT_PROT is not a setting of the service and is ignored']);
  });
});

describe('reglament serve', () => {
  it('exits with code 2 and names the setting when the configuration is invalid', async () => {
    const saved = { ...process.env };
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      process.env.REGLAMENT_PORT = 'abc';
      process.env.REGLAMENT_JIRA_URL = 'https://jira.example.com';
      process.env.REGLAMENT_JIRA_WEBHOOK_TOKEN = WEBHOOK_TOKEN;
      expect(await serveCommand([])).toBe(2);
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toBe(
        'reglament serve: invalid configuration\n' +
          "REGLAMENT_PORT: must be an integer 0..65535, got 'abc'\n" +
          'REGLAMENT_JIRA_TOKEN: a Jira URL needs credentials: a personal access token, or a user and password\n',
      );
    } finally {
      write.mockRestore();
      process.env = saved;
    }
  });
});
