/**
 * The service's configuration: environment variables (REGLAMENT_*), an optional JSON file
 * (`--config path` or REGLAMENT_CONFIG) and a few command-line flags, validated once at start with
 * zod. Precedence: flag > environment > file > default. Every problem names the setting as the
 * operator wrote it (`REGLAMENT_PORT: must be an integer 1..65535, got 'abc'`); the command exits
 * with code 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { FIELD_ROLES, type FieldRole } from '../adapters/jira-http/fields';
import {
  OPTIONAL_REDMINE_FIELD_ROLES,
  REDMINE_FIELD_ROLES,
  type RedmineFieldRole,
} from '../adapters/redmine/mapping';
import { applySourceEnv, SOURCE_ENV_PREFIX, sourceListProblems, sourcesSchema } from './source-config';

const MAX_PORT = 65535;

const int = (min: number, max: number) => {
  const msg = `must be an integer ${min}..${max}`;
  return z.number({ error: msg }).int({ error: msg }).min(min, { error: msg }).max(max, { error: msg });
};
const text = (msg = 'must be a non-empty string') => z.string({ error: msg }).trim().min(1, { error: msg });
const bool = z.boolean({ error: 'must be true or false' });

const httpUrl = z.string({ error: 'must be an http(s) URL, e.g. https://jira.example.com' }).refine(
  (v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: 'must be an http(s) URL, e.g. https://jira.example.com' },
);

/** Jira custom field ids (customfield_NNNNN) or names the service reads and writes; see docs/server.md. */
const fieldsSchema = z
  .object(
    Object.fromEntries(
      FIELD_ROLES.map((r) => [
        r,
        text('must be a field id like customfield_10100 or a field name').optional(),
      ]),
    ),
  )
  .strict() as unknown as z.ZodType<Partial<Record<FieldRole, string>>>;

/** Redmine custom field ids (numbers) or names per role; see docs/redmine.md. */
const redmineFieldsSchema = z
  .object(
    Object.fromEntries(
      [...REDMINE_FIELD_ROLES, ...OPTIONAL_REDMINE_FIELD_ROLES].map((r) => [
        r,
        z
          .unknown()
          .refine(
            (v) =>
              (typeof v === 'number' && Number.isInteger(v) && v > 0) ||
              (typeof v === 'string' && v.trim() !== ''),
            { error: `${r}: must be a custom field id (a positive integer) or a custom field name` },
          )
          .optional(),
      ]),
    ),
  )
  .strict() as unknown as z.ZodType<Partial<Record<RedmineFieldRole, string | number>>>;

export const configSchema = z
  .object({
    port: int(0, MAX_PORT),
    host: text(),
    dataDir: text(),
    publicUrl: httpUrl.optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    }),
    demo: z.enum(['auto', 'on', 'off'], { error: "must be 'auto', 'on' or 'off'" }),
    /** HMAC-SHA256 key of the generic webhook; when absent, the key kept in the settings is used. */
    webhookSecret: z
      .string({ error: 'must be a string' })
      .min(16, { error: 'must be at least 16 characters' })
      .optional(),
    adminToken: z
      .string({ error: 'must be a string' })
      .min(16, { error: 'must be at least 16 characters' })
      .optional(),
    bodyLimit: int(1024, 64 * 1024 * 1024),
    /** Body-only generic signatures (no timestamp) from older senders; off by default (replayable). */
    webhookLegacySignatures: bool,
    /** People and sessions (src/server/auth/). */
    auth: z
      .object({
        /** Whether reading tickets and figures needs no sign-in: 'auto' = only in demo mode. */
        anonymousRead: z.enum(['auto', 'on', 'off'], { error: "must be 'auto', 'on' or 'off'" }),
        /** A browser session ends this many hours after sign-in. */
        sessionHours: int(1, 24 * 30),
        /** Failed and successful sign-in attempts allowed per client address in 15 minutes. */
        loginAttempts: int(1, 10000),
      })
      .strict(),
    /** LDAP / Active Directory bind (sign-in with directory accounts; roles from groups). */
    ldap: z
      .object({
        url: z
          .string({ error: 'must be an ldap:// or ldaps:// URL, e.g. ldaps://dc.example.com' })
          .refine((v) => /^ldaps?:\/\/[^/\s]+/i.test(v), {
            error: 'must be an ldap:// or ldaps:// URL, e.g. ldaps://dc.example.com',
          })
          .optional(),
        /** The bind name of a user, {username} replaced: uid={username},ou=people,dc=example,dc=com or {username}@example.com. */
        userDn: text()
          .refine((v) => v.includes('{username}'), { error: 'must contain {username}' })
          .optional(),
        /** Where the user's entry is looked up when the bind name is not a DN (AD: userPrincipalName). */
        userBase: text().optional(),
        /** Where groups are searched (member / uniqueMember / memberUid); the user's memberOf is read too. */
        groupBase: text().optional(),
        adminGroup: text().optional(),
        agentGroup: text().optional(),
        /** Members of this group are viewers; when unset, every directory user who can bind is a viewer. */
        viewerGroup: text().optional(),
        timeoutMs: int(100, 60000),
      })
      .strict(),
    /** Hostile traffic: timeouts, concurrency and rate limits. */
    limits: z
      .object({
        /** A request (headers and body) must arrive within this time, else 408 and the connection closes. */
        requestTimeoutMs: int(100, 600000),
        /** Bodies of unauthenticated senders being received at once (before a signature or credential can be checked); more get 503. */
        maxPendingBodies: int(1, 100000),
        /** Webhook requests per source address per minute (0 = no limit). */
        webhookPerMinute: int(0, 10_000_000),
        /** UI/API calls per client (session or address) per minute (0 = no limit). */
        apiPerMinute: int(0, 10_000_000),
      })
      .strict(),
    sqliteSync: z.enum(['NORMAL', 'FULL'], { error: "must be 'NORMAL' or 'FULL'" }),
    /** PostgreSQL instead of the SQLite file (several instances on one database). */
    databaseUrl: z
      .string({ error: 'must be a postgres:// URL, e.g. postgres://user:password@host:5432/reglament' })
      .refine((v) => /^postgres(ql)?:\/\/[^/\s]+/i.test(v), {
        error: 'must be a postgres:// URL, e.g. postgres://user:password@host:5432/reglament',
      })
      .optional(),
    sweepMinutes: int(0, 24 * 60),
    inbox: z
      .object({
        maxAttempts: int(1, 1000),
        retryBaseMs: int(1, 24 * 3600 * 1000),
        retryMaxMs: int(1, 7 * 24 * 3600 * 1000),
        leaseMs: int(1000, 24 * 3600 * 1000),
        retentionDays: int(0, 3650),
        concurrency: int(1, 64),
        /**
         * Inbox workers in this process, each claiming its own batches (issue #14). Absent: two on
         * PostgreSQL (one batch's round trips overlap the other's), one on a SQLite file (one writer).
         */
        workers: int(1, 16).optional(),
        batch: int(1, 10000),
        pollMs: int(1, 60000),
        thread: z.enum(['on', 'off'], { error: "must be 'on' or 'off'" }),
      })
      .strict(),
    jira: z
      .object({
        url: httpUrl.optional(),
        token: text().optional(),
        user: text().optional(),
        password: z
          .string({ error: 'must be a string' })
          .min(1, { error: 'must be a non-empty string' })
          .optional(),
        /** Secret of the Jira webhook (Jira DC 10: X-Hub-Signature); when set, unsigned Jira events are refused. */
        webhookSecret: z
          .string({ error: 'must be a string' })
          .min(1, { error: 'must be a non-empty string' })
          .optional(),
        /** For Jira versions without webhook secrets: a token the webhook URL must carry (?token=…). */
        webhookToken: z
          .string({ error: 'must be a string' })
          .min(16, { error: 'must be at least 16 characters' })
          .optional(),
        /** Accept unsigned Jira webhooks although a Jira URL is configured (not recommended). */
        allowUnsignedWebhooks: bool,
        fields: fieldsSchema,
        createFields: bool,
        timeoutMs: int(100, 600000),
        retries: int(0, 10),
      })
      .strict(),
    /** Redmine as a ticket source (polled over its REST API; docs/redmine.md). */
    redmine: z
      .object({
        url: httpUrl.optional(),
        /** The API key of the service's Redmine user (My account → API access key). */
        apiKey: text().optional(),
        fields: redmineFieldsSchema,
        /** Comma-separated project role names whose members' notes and changes are a reaction. */
        agentRoles: text('must be role names separated by commas, e.g. Manager,Developer').optional(),
        /** Seconds between polls of the changed issues (0 = no polling). */
        pollSeconds: int(0, 24 * 3600),
        /** How far back the first poll looks (days). */
        initialDays: int(0, 3650),
        timeoutMs: int(100, 600000),
        retries: int(0, 10),
      })
      .strict(),
    /** Ticket systems declared by name (issue #18; src/server/source-config.ts, docs/sources.md). */
    sources: sourcesSchema,
  })
  .strict();

/**
 * Settings that depend on each other. Checked on the raw values even when some fields are invalid,
 * so one run lists every problem.
 */
export function relationProblems(raw: unknown): { path: string[]; message: string }[] {
  const o = (raw ?? {}) as Record<string, unknown>;
  const j = (o.jira ?? {}) as Record<string, unknown>;
  const inbox = (o.inbox ?? {}) as Record<string, unknown>;
  const set = (v: unknown) => v !== undefined && v !== null && v !== '';
  const out: { path: string[]; message: string }[] = [];
  if (set(j.user) && !set(j.password))
    out.push({ path: ['jira', 'password'], message: 'is required when a Jira user is set' });
  if (set(j.password) && !set(j.user))
    out.push({ path: ['jira', 'user'], message: 'is required when a Jira password is set' });
  if (set(j.token) && set(j.user))
    out.push({ path: ['jira', 'token'], message: 'set either a token or a user and password, not both' });
  if (set(j.url) && !set(j.token) && !set(j.user))
    out.push({
      path: ['jira', 'token'],
      message: 'a Jira URL needs credentials: a personal access token, or a user and password',
    });
  if ((set(j.token) || set(j.user)) && !set(j.url))
    out.push({ path: ['jira', 'url'], message: 'is required when Jira credentials are set' });
  if (set(j.url) && !set(j.webhookSecret) && !set(j.webhookToken) && j.allowUnsignedWebhooks !== true)
    out.push({
      path: ['jira', 'webhookSecret'],
      message:
        'Jira webhooks must be authenticated when a Jira URL is configured: set REGLAMENT_JIRA_WEBHOOK_SECRET (the secret of the Jira DC 10+ webhook) or REGLAMENT_JIRA_WEBHOOK_TOKEN (at least 16 characters, added to the webhook URL as ?token=…), or accept forged events knowingly with REGLAMENT_JIRA_ALLOW_UNSIGNED_WEBHOOKS=true',
    });
  const l = (o.ldap ?? {}) as Record<string, unknown>;
  if (set(l.url) && !set(l.userDn))
    out.push({ path: ['ldap', 'userDn'], message: 'is required when an LDAP URL is set' });
  if (set(l.userDn) && !set(l.url))
    out.push({ path: ['ldap', 'url'], message: 'is required when an LDAP user DN is set' });
  const r = (o.redmine ?? {}) as Record<string, unknown>;
  if (set(r.url) && !set(r.apiKey))
    out.push({ path: ['redmine', 'apiKey'], message: 'is required when a Redmine URL is set' });
  if (set(r.apiKey) && !set(r.url))
    out.push({ path: ['redmine', 'url'], message: 'is required when a Redmine API key is set' });
  if (o.demo === 'on' && set(r.url))
    out.push({ path: ['demo'], message: "cannot be 'on' while a Redmine URL is configured" });
  if (o.demo === 'on' && set(j.url))
    out.push({ path: ['demo'], message: "cannot be 'on' while a Jira URL is configured" });
  for (const p of sourceListProblems(o.sources))
    out.push({ path: ['sources', ...p.path.map(String)], message: p.message });
  if (
    typeof inbox.retryMaxMs === 'number' &&
    typeof inbox.retryBaseMs === 'number' &&
    inbox.retryMaxMs < inbox.retryBaseMs
  )
    out.push({ path: ['inbox', 'retryMaxMs'], message: 'must not be below the base retry delay' });
  if (typeof inbox.workers === 'number' && inbox.workers > 1 && !set(o.databaseUrl))
    out.push({
      path: ['inbox', 'workers'],
      message: `is ${inbox.workers}, but a SQLite file has one writer: more than one worker needs PostgreSQL (REGLAMENT_DATABASE_URL)`,
    });
  return out;
}

export type ServerConfig = z.infer<typeof configSchema>;

/** Defaults: loopback only, port 3000, ./data, demo when no Jira is configured. */
export const DEFAULT_CONFIG: ServerConfig = {
  port: 3000,
  host: '127.0.0.1',
  dataDir: './data',
  logLevel: 'info',
  demo: 'auto',
  bodyLimit: 1024 * 1024,
  webhookLegacySignatures: false,
  auth: { anonymousRead: 'auto', sessionHours: 12, loginAttempts: 10 },
  ldap: { timeoutMs: 5000 },
  limits: { requestTimeoutMs: 30_000, maxPendingBodies: 64, webhookPerMinute: 60_000, apiPerMinute: 1200 },
  sqliteSync: 'NORMAL',
  sweepMinutes: 15,
  inbox: {
    maxAttempts: 10,
    retryBaseMs: 2000,
    retryMaxMs: 3600 * 1000,
    leaseMs: 5 * 60 * 1000,
    retentionDays: 7,
    concurrency: 4,
    batch: 100,
    pollMs: 200,
    thread: 'on',
  },
  jira: { allowUnsignedWebhooks: false, fields: {}, createFields: true, timeoutMs: 10000, retries: 3 },
  redmine: { fields: {}, pollSeconds: 60, initialDays: 30, timeoutMs: 10000, retries: 3 },
  sources: [],
};

type Kind = 'int' | 'string' | 'bool' | 'json';

/** Every setting: its path in the config object and file, its environment variable, its flag. */
export const SETTINGS: { path: string; env: string; kind: Kind; flag?: string; secret?: boolean }[] = [
  { path: 'port', env: 'REGLAMENT_PORT', kind: 'int', flag: '--port' },
  { path: 'host', env: 'REGLAMENT_HOST', kind: 'string', flag: '--host' },
  { path: 'dataDir', env: 'REGLAMENT_DATA_DIR', kind: 'string', flag: '--data-dir' },
  { path: 'publicUrl', env: 'REGLAMENT_PUBLIC_URL', kind: 'string' },
  { path: 'logLevel', env: 'REGLAMENT_LOG_LEVEL', kind: 'string' },
  { path: 'demo', env: 'REGLAMENT_DEMO', kind: 'string', flag: '--demo' },
  { path: 'webhookSecret', env: 'REGLAMENT_WEBHOOK_SECRET', kind: 'string', secret: true },
  { path: 'adminToken', env: 'REGLAMENT_ADMIN_TOKEN', kind: 'string', secret: true },
  { path: 'bodyLimit', env: 'REGLAMENT_BODY_LIMIT', kind: 'int' },
  { path: 'webhookLegacySignatures', env: 'REGLAMENT_WEBHOOK_LEGACY_SIGNATURES', kind: 'bool' },
  { path: 'auth.anonymousRead', env: 'REGLAMENT_ANONYMOUS_READ', kind: 'string' },
  { path: 'auth.sessionHours', env: 'REGLAMENT_SESSION_HOURS', kind: 'int' },
  { path: 'auth.loginAttempts', env: 'REGLAMENT_LOGIN_ATTEMPTS', kind: 'int' },
  { path: 'ldap.url', env: 'REGLAMENT_LDAP_URL', kind: 'string' },
  { path: 'ldap.userDn', env: 'REGLAMENT_LDAP_USER_DN', kind: 'string' },
  { path: 'ldap.userBase', env: 'REGLAMENT_LDAP_USER_BASE', kind: 'string' },
  { path: 'ldap.groupBase', env: 'REGLAMENT_LDAP_GROUP_BASE', kind: 'string' },
  { path: 'ldap.adminGroup', env: 'REGLAMENT_LDAP_ADMIN_GROUP', kind: 'string' },
  { path: 'ldap.agentGroup', env: 'REGLAMENT_LDAP_AGENT_GROUP', kind: 'string' },
  { path: 'ldap.viewerGroup', env: 'REGLAMENT_LDAP_VIEWER_GROUP', kind: 'string' },
  { path: 'ldap.timeoutMs', env: 'REGLAMENT_LDAP_TIMEOUT_MS', kind: 'int' },
  { path: 'limits.requestTimeoutMs', env: 'REGLAMENT_REQUEST_TIMEOUT_MS', kind: 'int' },
  { path: 'limits.maxPendingBodies', env: 'REGLAMENT_MAX_PENDING_BODIES', kind: 'int' },
  { path: 'limits.webhookPerMinute', env: 'REGLAMENT_WEBHOOK_RATE_LIMIT', kind: 'int' },
  { path: 'limits.apiPerMinute', env: 'REGLAMENT_API_RATE_LIMIT', kind: 'int' },
  { path: 'sqliteSync', env: 'REGLAMENT_SQLITE_SYNC', kind: 'string' },
  { path: 'databaseUrl', env: 'REGLAMENT_DATABASE_URL', kind: 'string', secret: true },
  { path: 'sweepMinutes', env: 'REGLAMENT_SWEEP_MINUTES', kind: 'int' },
  { path: 'inbox.maxAttempts', env: 'REGLAMENT_MAX_ATTEMPTS', kind: 'int' },
  { path: 'inbox.retryBaseMs', env: 'REGLAMENT_RETRY_BASE_MS', kind: 'int' },
  { path: 'inbox.retryMaxMs', env: 'REGLAMENT_RETRY_MAX_MS', kind: 'int' },
  { path: 'inbox.leaseMs', env: 'REGLAMENT_LEASE_MS', kind: 'int' },
  { path: 'inbox.retentionDays', env: 'REGLAMENT_INBOX_RETENTION_DAYS', kind: 'int' },
  { path: 'inbox.concurrency', env: 'REGLAMENT_WORKER_CONCURRENCY', kind: 'int' },
  { path: 'inbox.workers', env: 'REGLAMENT_WORKERS', kind: 'int' },
  { path: 'inbox.batch', env: 'REGLAMENT_WORKER_BATCH', kind: 'int' },
  { path: 'inbox.pollMs', env: 'REGLAMENT_WORKER_POLL_MS', kind: 'int' },
  { path: 'inbox.thread', env: 'REGLAMENT_INGEST_THREAD', kind: 'string' },
  { path: 'jira.url', env: 'REGLAMENT_JIRA_URL', kind: 'string' },
  { path: 'jira.token', env: 'REGLAMENT_JIRA_TOKEN', kind: 'string', secret: true },
  { path: 'jira.user', env: 'REGLAMENT_JIRA_USER', kind: 'string' },
  { path: 'jira.password', env: 'REGLAMENT_JIRA_PASSWORD', kind: 'string', secret: true },
  { path: 'jira.webhookSecret', env: 'REGLAMENT_JIRA_WEBHOOK_SECRET', kind: 'string', secret: true },
  { path: 'jira.webhookToken', env: 'REGLAMENT_JIRA_WEBHOOK_TOKEN', kind: 'string', secret: true },
  { path: 'jira.allowUnsignedWebhooks', env: 'REGLAMENT_JIRA_ALLOW_UNSIGNED_WEBHOOKS', kind: 'bool' },
  { path: 'jira.fields', env: 'REGLAMENT_JIRA_FIELDS', kind: 'json' },
  { path: 'jira.createFields', env: 'REGLAMENT_JIRA_CREATE_FIELDS', kind: 'bool' },
  { path: 'jira.timeoutMs', env: 'REGLAMENT_JIRA_TIMEOUT_MS', kind: 'int' },
  { path: 'jira.retries', env: 'REGLAMENT_JIRA_RETRIES', kind: 'int' },
  { path: 'redmine.url', env: 'REGLAMENT_REDMINE_URL', kind: 'string' },
  { path: 'redmine.apiKey', env: 'REGLAMENT_REDMINE_API_KEY', kind: 'string', secret: true },
  { path: 'redmine.fields', env: 'REGLAMENT_REDMINE_FIELDS', kind: 'json' },
  { path: 'redmine.agentRoles', env: 'REGLAMENT_REDMINE_AGENT_ROLES', kind: 'string' },
  { path: 'redmine.pollSeconds', env: 'REGLAMENT_REDMINE_POLL_SECONDS', kind: 'int' },
  { path: 'redmine.initialDays', env: 'REGLAMENT_REDMINE_INITIAL_DAYS', kind: 'int' },
  { path: 'redmine.timeoutMs', env: 'REGLAMENT_REDMINE_TIMEOUT_MS', kind: 'int' },
  { path: 'redmine.retries', env: 'REGLAMENT_REDMINE_RETRIES', kind: 'int' },
  { path: 'sources', env: 'REGLAMENT_SOURCES', kind: 'json' },
];

/** Environment variables the service reads besides the settings above. */
const OTHER_ENV = new Set(['REGLAMENT_CONFIG']);

export interface ConfigProblem {
  /** The setting as the operator wrote it: `REGLAMENT_PORT`, `--port`, `config.json: jira.url`. */
  setting: string;
  message: string;
}

export type ConfigResult =
  | { ok: true; config: ServerConfig; warnings: string[]; sources: Record<string, string> }
  | { ok: false; problems: ConfigProblem[] };

/** Reads a text value as its kind; a value that does not parse is kept as text for the validator to name. */
function fromText(kind: Kind, raw: string): unknown {
  const t = raw.trim();
  switch (kind) {
    case 'int':
      return /^[+-]?\d+$/.test(t) ? Number(t) : raw;
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(t)) return true;
      if (/^(false|0|no|off)$/i.test(t)) return false;
      return raw;
    case 'json':
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

function setPath(obj: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof o[p] !== 'object' || o[p] === null || Array.isArray(o[p])) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}

function getPath(obj: unknown, parts: readonly PropertyKey[]): unknown {
  let o = obj;
  for (const p of parts) {
    if (typeof o !== 'object' || o === null) return undefined;
    o = (o as Record<PropertyKey, unknown>)[p];
  }
  return o;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** Shows a rejected value; secrets are never echoed. */
function shown(value: unknown, secret: boolean): string {
  if (secret) return '(hidden)';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value.length > 80 ? `${value.slice(0, 77)}...` : value}'`;
  const j = JSON.stringify(value);
  return j.length > 80 ? `${j.slice(0, 77)}...` : j;
}

export interface ConfigInput {
  env?: NodeJS.ProcessEnv;
  argv?: string[];
  /** For resolving a relative config file path. */
  cwd?: string;
}

/**
 * Builds and validates the configuration.
 * @example loadConfig({ env: { REGLAMENT_PORT: 'abc' } })
 *   // { ok: false, problems: [{ setting: 'REGLAMENT_PORT', message: "must be an integer 0..65535, got 'abc'" }] }
 */
export function loadConfig(input: ConfigInput = {}): ConfigResult {
  const env = input.env ?? process.env;
  const argv = input.argv ?? [];
  const cwd = input.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const warnings: string[] = [];
  /** dotted path → where its value came from. */
  const sources: Record<string, string> = {};

  // Flags.
  const flags: Record<string, string> = {};
  let configFlag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const known = name === '--config' || SETTINGS.some((s) => s.flag === name);
    if (!known) {
      problems.push({
        setting: name,
        message: `unknown option (known: --config, ${SETTINGS.filter((s) => s.flag)
          .map((s) => s.flag)
          .join(', ')})`,
      });
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) {
      problems.push({ setting: name, message: 'needs a value' });
      continue;
    }
    if (name === '--config') configFlag = value;
    else flags[name] = value;
  }

  // File.
  let fileValues: Record<string, unknown> = {};
  const configPath = configFlag ?? env.REGLAMENT_CONFIG;
  const configName = configFlag !== undefined ? '--config' : 'REGLAMENT_CONFIG';
  let fileLabel = '';
  if (configPath !== undefined && configPath.trim() !== '') {
    const abs = path.resolve(cwd, configPath);
    fileLabel = path.basename(abs);
    try {
      const parsed = JSON.parse(fs.readFileSync(abs, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        problems.push({ setting: configName, message: `${abs} must hold a JSON object` });
      else fileValues = parsed as Record<string, unknown>;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      problems.push({
        setting: configName,
        message: err.code === 'ENOENT' ? `file not found: ${abs}` : `cannot read ${abs}: ${err.message}`,
      });
    }
  }
  const walk = (o: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(o)) {
      const p = prefix ? `${prefix}.${k}` : k;
      sources[p] = `${fileLabel}: ${p}`;
      if (v && typeof v === 'object' && !Array.isArray(v) && p !== 'jira.fields' && p !== 'redmine.fields')
        walk(v as Record<string, unknown>, p);
    }
  };
  walk(fileValues, '');

  // Environment, then flags.
  const overrides: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const raw = env[s.env];
    if (raw !== undefined && raw !== '') {
      setPath(overrides, s.path, fromText(s.kind, raw));
      sources[s.path] = s.env;
    }
    if (s.flag && flags[s.flag] !== undefined) {
      setPath(overrides, s.path, fromText(s.kind, flags[s.flag]!));
      sources[s.path] = s.flag;
    }
  }
  for (const name of Object.keys(env)) {
    if (
      name.startsWith('REGLAMENT_') &&
      !name.startsWith(SOURCE_ENV_PREFIX) &&
      !OTHER_ENV.has(name) &&
      !SETTINGS.some((s) => s.env === name)
    )
      warnings.push(`${name} is not a setting of the service and is ignored`);
  }
  if (problems.length > 0) return { ok: false, problems };

  const raw = deepMerge(
    deepMerge(DEFAULT_CONFIG as unknown as Record<string, unknown>, fileValues),
    overrides,
  );
  // A declared source's own variables (REGLAMENT_SOURCE_<NAME>_SECRET, …): secrets out of the JSON.
  const fromSourceEnv = applySourceEnv(raw, env);
  problems.push(...fromSourceEnv.problems);
  Object.assign(sources, fromSourceEnv.sources);
  const r = configSchema.safeParse(raw);
  const sourceOf = (dotted: string): { source: string; secret: boolean } => {
    const def =
      SETTINGS.find((s) => s.path === dotted) ?? SETTINGS.find((s) => dotted.startsWith(`${s.path}.`));
    const source =
      sources[dotted] ??
      (def && sources[def.path]) ??
      def?.env ??
      (fileLabel ? `${fileLabel}: ${dotted}` : dotted);
    return { source, secret: def?.secret === true };
  };
  if (!r.success) {
    for (const issue of r.error.issues) {
      const keys =
        issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const parts of keys) {
        const { source, secret } = sourceOf(parts.map(String).join('.'));
        if (issue.code === 'unrecognized_keys') {
          problems.push({ setting: source, message: 'is not a setting of the service' });
          continue;
        }
        problems.push({
          setting: source,
          message: `${innerPath(raw, parts)}${issue.message}, got ${shown(getPath(raw, parts), secret || isSecretPart(parts))}`,
        });
      }
    }
  }
  for (const rel of relationProblems(raw))
    problems.push({
      setting: sourceOf(rel.path.join('.')).source,
      message: `${innerPath(raw, rel.path)}${rel.message}`,
    });
  if (!r.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, config: r.data, warnings, sources };
}

/**
 * Inside the `sources` list (one setting holding JSON), the field a problem is about:
 * `sources[zammad].auth.secret: ` (the source's name when it has one, else its index).
 */
function innerPath(raw: unknown, parts: readonly PropertyKey[]): string {
  if (parts[0] !== 'sources' || parts.length < 2) return '';
  const i = Number(parts[1]);
  const name = (getPath(raw, ['sources', i, 'name']) as unknown) ?? null;
  const label = typeof name === 'string' && /^[\w-]{1,40}$/.test(name) ? name : String(i);
  const rest = parts.slice(2).map(String);
  return `sources[${label}]${rest.length ? `.${rest.join('.')}` : ''}: `;
}

/** Values of credentials inside JSON settings are never echoed either. */
function isSecretPart(parts: readonly PropertyKey[]): boolean {
  return parts.some(
    (p) => typeof p === 'string' && (/secret|token|password|apikey/i.test(p) || p === 'credentials'),
  );
}

/** One line per problem, for stderr. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.setting}: ${p.message}`).join('\n');
}

/** Whether the service runs on demo data (no ticket system configured, or forced). */
export function isDemo(config: ServerConfig): boolean {
  return config.demo === 'on' || (config.demo === 'auto' && !config.jira.url && !config.redmine.url);
}

/** The data directory, absolute. */
export function dataDirOf(config: ServerConfig, cwd = process.cwd()): string {
  return path.resolve(cwd, config.dataDir);
}
