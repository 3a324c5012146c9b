/** Builders for the server tests: a configuration, a service on a temp data dir, signed requests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_CONFIG, type ServerConfig } from '../../src/server/config';
import { createService, type Service, type ServiceOptions } from '../../src/server/service';
import { sign } from '../../src/server/signature';
import { signTimestamped } from '../../src/app/webhook';
import type { Snapshot } from '../../src/domain/snapshot';

export const SECRET = 'test-webhook-secret-0123456789';

export function tempDir(prefix = 'reglament-server-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The administrator token of the test services (automation: `Authorization: Bearer`). */
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
/** JSON headers of an administrator's API call. */
export const ADMIN_JSON = { ...ADMIN, 'content-type': 'application/json' };

type Nested = 'inbox' | 'jira' | 'auth' | 'ldap' | 'limits';
export type ConfigOverrides = Partial<Omit<ServerConfig, Nested>> & {
  [K in Nested]?: Partial<ServerConfig[K]>;
};

export function config(dataDir: string, over: ConfigOverrides = {}): ServerConfig {
  return {
    ...DEFAULT_CONFIG,
    dataDir,
    webhookSecret: SECRET,
    adminToken: ADMIN_TOKEN,
    demo: 'off',
    sweepMinutes: 0,
    ...over,
    inbox: { ...DEFAULT_CONFIG.inbox, retryBaseMs: 1000, retryMaxMs: 60_000, ...over.inbox },
    jira: { ...DEFAULT_CONFIG.jira, ...over.jira },
    auth: { ...DEFAULT_CONFIG.auth, ...over.auth },
    ldap: { ...DEFAULT_CONFIG.ldap, ...over.ldap },
    limits: { ...DEFAULT_CONFIG.limits, ...over.limits },
  };
}

/** A clock the test moves by hand. */
export function manualClock(startIso: string): {
  now: () => number;
  advance(ms: number): void;
  set(ms: number): void;
} {
  let t = Date.parse(startIso);
  return { now: () => t, advance: (ms) => (t += ms), set: (ms) => (t = ms) };
}

export interface TestService extends Service {
  base: string;
  /** One HTTP request to the listening service (fastify's inject needs an ES module jest cannot load). */
  inject(req: InjectRequest): Promise<InjectResponse>;
}

export interface InjectRequest {
  method?: string;
  url: string;
  payload?: string;
  headers?: Record<string, string>;
}

export interface InjectResponse {
  statusCode: number;
  body: string;
  headers: Headers;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A service on a temp data dir, listening on 127.0.0.1 at a free port, background work off. */
export async function service(
  dataDir: string,
  over: ConfigOverrides = {},
  options: Partial<ServiceOptions> = {},
): Promise<TestService> {
  const svc = await createService({
    config: config(dataDir, { port: 0, host: '127.0.0.1', ...over }),
    logger: false,
    background: false,
    random: () => 0.5,
    ...options,
  });
  const base = await svc.listen();
  signingClock = options.now ?? Date.now;
  return Object.assign(svc, {
    base,
    inject: (req: InjectRequest) => request(base, req),
  });
}

export async function request(base: string, req: InjectRequest): Promise<InjectResponse> {
  const res = await fetch(`${base}${req.url}`, {
    method: req.method ?? 'GET',
    headers: req.headers ?? {},
    ...(req.payload !== undefined ? { body: req.payload } : {}),
    redirect: 'manual',
  });
  const body = await res.text();
  return { statusCode: res.status, body, headers: res.headers, json: () => JSON.parse(body) };
}

/** SPEC §8 example 1: incident, failure, high/high, operation, registered Friday 2026-03-06 16:30 MSK. */
export function example1(over: Partial<Snapshot> = {}): Snapshot {
  return {
    key: 'SUP-101',
    kind: 'incident',
    registeredAt: '2026-03-06T16:30:00+03:00',
    impact: 'high',
    urgency: 'high',
    mode: 'operation',
    nature: 'failure',
    ...over,
  };
}

/** The clock `signedGeneric` stamps with: the last test service's clock (set by `service`). */
let signingClock: () => number = Date.now;
export function setSigningClock(now: () => number): void {
  signingClock = now;
}

/**
 * A generic webhook request signed the current way: `X-Reglament-Timestamp` (unix seconds: `at` in
 * epoch ms, else the last test service's clock) and the HMAC of "<timestamp>.<body>".
 */
export function signedGeneric(
  body: unknown,
  headers: Record<string, string> = {},
  secret = SECRET,
  at: number = signingClock(),
) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST' as const,
    url: '/webhooks/generic',
    payload,
    headers: {
      'content-type': 'application/json',
      ...signTimestamped(secret, payload, at / 1000),
      ...headers,
    },
  };
}

/** A generic webhook signed the legacy way: the HMAC of the body only, no timestamp. */
export function legacySignedGeneric(body: unknown, headers: Record<string, string> = {}, secret = SECRET) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST' as const,
    url: '/webhooks/generic',
    payload,
    headers: {
      'content-type': 'application/json',
      'x-reglament-signature': sign(secret, payload),
      ...headers,
    },
  };
}
