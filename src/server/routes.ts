/**
 * HTTP routes of the service:
 *
 *   POST /webhooks/generic   a contract snapshot, HMAC required → the verdict (and the event queued)
 *   POST /webhooks/jira      a Jira DC/Server webhook → 202 (queued), signature checked when configured
 *   POST /api/:name          the UI calls of src/contract/api.ts → JSON
 *   GET  /, /ui/<surface>/   index page and UI bundles
 *   GET  /healthz, /metrics  operations
 *   GET  /admin/inbox, POST /admin/inbox/retry   failed events (admin)
 *   GET|POST /login          admin session cookie when REGLAMENT_ADMIN_TOKEN is set
 */
import { createHmac } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDeps } from '../app/deps';
import { AppError } from '../app/errors';
import { callApi, createApi } from '../app/api';
import { checkGenericWebhook, genericTicket } from '../app/webhook';
import { isStale } from '../app/ledger';
import { exportFacts, formatFacts } from '../app/ledger-export';
import { INBOX_STATUSES, type InboxStatus } from '../adapters/sql';
import type { JiraHttpPort } from '../adapters/jira-http';
import type { ServerConfig } from './config';
import { readJiraEvent } from './jira-events';
import type { GroupCommit } from './group-commit';
import type { Metrics } from './metrics';
import { bodyDigest, sameSecret, verify } from './signature';
import { builtSurfaces, indexPage, registerStatic } from './static';
import type { InboxWorker } from './worker';
import type { InboxPort, ServiceStore, Storage, TicketStore } from './storage';

export interface RouteContext {
  config: ServerConfig;
  /** The database (SQLite or PostgreSQL). */
  storage: Pick<Storage, 'ping'>;
  store: ServiceStore;
  inbox: InboxPort;
  /** Inserts accepted events with one commit per event-loop turn. */
  commit: GroupCommit;
  tickets: TicketStore;
  worker: InboxWorker;
  metrics: Metrics;
  demo: boolean;
  jira: JiraHttpPort | null;
  localDeps: AppDeps;
  apiDeps: AppDeps;
  now: () => number;
  staticDir: string;
  sampleKeys: () => string[];
}

const JIRA_SIGNATURES = ['x-hub-signature', 'x-hub-signature-256'];
const DELIVERY_IDS = ['x-reglament-delivery', 'x-atlassian-webhook-identifier', 'x-request-id'];
const SESSION_COOKIE = 'reglament_admin';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Idempotency key of a delivery: its delivery id header, else the SHA-256 of the body. */
export function idempotencyKey(source: string, req: FastifyRequest, body: Buffer): string {
  for (const h of DELIVERY_IDS) {
    const v = header(req, h)?.trim();
    if (v)
      return v.length <= 150 && /^[\x21-\x7e]+$/.test(v)
        ? `${source}:id:${v}`
        : `${source}:idh:${bodyDigest(Buffer.from(v))}`;
  }
  return `${source}:sha256:${bodyDigest(body)}`;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sessionValue(adminToken: string): string {
  return createHmac('sha256', adminToken).update('reglament-admin-session').digest('hex');
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  const raw = req.headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * Who is an administrator: with REGLAMENT_ADMIN_TOKEN, whoever presents it (`Authorization: Bearer`)
 * or its session cookie (/login); without it, requests from this machine (loopback) only.
 */
export function isAdminRequest(config: ServerConfig, req: FastifyRequest): boolean {
  if (!config.adminToken) return LOOPBACK.has(req.socket.remoteAddress ?? req.ip);
  const auth = header(req, 'authorization');
  if (auth?.startsWith('Bearer ') && sameSecret(auth.slice(7).trim(), config.adminToken)) return true;
  return sameSecret(cookie(req, SESSION_COOKIE), sessionValue(config.adminToken));
}

function sendError(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  extra: Record<string, unknown> = {},
) {
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send({ error, message, ...extra });
}

/** UI calls that create issues or post comments in the ticket system. */
export function writesToTicketSystem(name: string, body: unknown): boolean {
  if (name === 'registerError' || name === 'splitRequest') return true;
  return name === 'checkVisit' && (body as { comment?: unknown } | null)?.comment === true;
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const { config, inbox, metrics, worker } = ctx;
  const limit = config.bodyLimit;

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
      if (req.url.startsWith('/webhooks/'))
        metrics.rejected.inc({ source: req.url.split(/[/?]/)[2] ?? '', reason: 'too-large' });
      return sendError(
        reply,
        413,
        'payload-too-large',
        `the body is larger than the limit of ${limit} bytes (REGLAMENT_BODY_LIMIT)`,
      );
    }
    if (err.validation) return sendError(reply, 400, 'invalid-request', err.message);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return sendError(
        reply,
        err.statusCode,
        err.code ? err.code.toLowerCase().replace(/^fst_err_/, '') : 'bad-request',
        err.message,
      );
    req.log.error({ err }, 'request failed');
    return sendError(reply, 500, 'internal', 'internal error; see the service log');
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(reply, 404, 'not-found', `no route ${req.method} ${req.url.split('?')[0]}`),
  );
  app.addHook('onResponse', (req, reply, done) => {
    if (reply.statusCode >= 400)
      req.log.info(
        {
          method: req.method,
          url: req.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime),
        },
        'request refused',
      );
    done();
  });

  // ---- Webhooks: the raw body is needed for the signature, so this scope parses nothing itself. ----
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) =>
      done(null, body),
    );

    let settingsVersion = -1;
    let cachedSettings = ctx.store.getSettingsSync();
    const settings = () => {
      if (settingsVersion !== ctx.store.settingsVersion) {
        cachedSettings = ctx.store.getSettingsSync();
        settingsVersion = ctx.store.settingsVersion;
      }
      return cachedSettings;
    };
    const bodyOf = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    const reject = (
      reply: FastifyReply,
      source: string,
      status: number,
      reason: string,
      message: string,
      extra?: Record<string, unknown>,
    ) => {
      metrics.rejected.inc({ source, reason });
      return sendError(reply, status, reason, message, extra);
    };

    scope.post('/webhooks/generic', async (req, reply) => {
      const body = bodyOf(req);
      const checked = checkGenericWebhook({
        headers: req.headers,
        body,
        settings: settings(),
        now: ctx.now(),
      });
      if (!checked.ok)
        return reject(
          reply,
          'generic',
          checked.status,
          checked.error,
          checked.message,
          checked.problems ? { problems: checked.problems } : undefined,
        );
      const { snapshot, verdict } = checked;
      const key = idempotencyKey('generic', req, body);
      // A snapshot older than the newest applied for its issue changes nothing (CONTRACT.md).
      if (await isStale(ctx.localDeps, genericTicket(snapshot))) {
        metrics.duplicates.inc({ source: 'generic' });
        return reply.code(200).send({ stale: true, verdict, event: { id: key, duplicate: false } });
      }
      const bodySha256 = bodyDigest(body);
      const fresh = await ctx.commit.add({
        key,
        source: 'generic',
        type: 'snapshot',
        subject: snapshot.key,
        payload: JSON.stringify({ snapshot, verdict, bodySha256 }),
      });
      if (fresh) {
        metrics.accepted.inc({ source: 'generic' });
        worker.wake();
      } else {
        // The same delivery id must carry the same body: a different one is refused, not applied.
        const had = await inbox.get(key);
        const hadSha = had ? (JSON.parse(had.payload) as { bodySha256?: unknown }).bodySha256 : undefined;
        if (typeof hadSha === 'string' && hadSha !== bodySha256)
          return reject(
            reply,
            'generic',
            409,
            'delivery-conflict',
            `delivery ${key.replace(/^generic:(id|idh):/, '')} was already received with a different body; send a new delivery id for a new snapshot`,
          );
        metrics.duplicates.inc({ source: 'generic' });
      }
      return reply.code(200).send({ verdict, event: { id: key, duplicate: !fresh } });
    });

    scope.post<{ Querystring: { token?: string } }>('/webhooks/jira', async (req, reply) => {
      const body = bodyOf(req);
      if (!ctx.jira)
        return reject(
          reply,
          'jira',
          503,
          'not-configured',
          'no Jira is configured (REGLAMENT_JIRA_URL); Jira events cannot be processed',
        );
      if (config.jira.webhookSecret) {
        const signature = JIRA_SIGNATURES.map((h) => header(req, h)).find((v) => v !== undefined);
        if (!verify(config.jira.webhookSecret, body, signature))
          return reject(
            reply,
            'jira',
            401,
            'bad-signature',
            'missing or invalid X-Hub-Signature: expected sha256=<hex HMAC-SHA256 of the raw body with the Jira webhook secret>',
          );
      }
      if (config.jira.webhookToken && !sameSecret(req.query.token, config.jira.webhookToken))
        return reject(
          reply,
          'jira',
          401,
          'bad-token',
          'missing or invalid token in the webhook URL (?token=…)',
        );
      let json: unknown;
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch (e) {
        return reject(
          reply,
          'jira',
          400,
          'invalid-json',
          `the body is not valid JSON: ${(e as Error).message}`,
        );
      }
      const r = readJiraEvent(json, ctx.jira.ownFieldKeys());
      if (r.kind === 'invalid')
        return reject(
          reply,
          'jira',
          400,
          'invalid-payload',
          `the Jira webhook payload has ${r.problems.length} problem(s)`,
          {
            problems: r.problems,
          },
        );
      if (r.kind === 'ignored') {
        metrics.ignored.inc({
          source: 'jira',
          reason: r.reason.startsWith('event type') ? 'event-type' : r.reason,
        });
        return reply.code(200).send({ accepted: false, ignored: r.reason });
      }
      const key = idempotencyKey('jira', req, body);
      const fresh = await ctx.commit.add({
        key,
        source: 'jira',
        type: r.event.type,
        subject: r.event.subject,
        payload: JSON.stringify(r.event.payload),
      });
      if (fresh) {
        metrics.accepted.inc({ source: 'jira' });
        worker.wake();
      } else metrics.duplicates.inc({ source: 'jira' });
      return reply.code(202).send({ accepted: true, event: { id: key, duplicate: !fresh } });
    });
  });

  // ---- UI calls. ----
  app.post<{ Params: { name: string } }>('/api/:name', async (req, reply) => {
    const deps: AppDeps = { ...ctx.apiDeps, isAdmin: async () => isAdminRequest(config, req) };
    // The service acts in the ticket system with its own credentials, so calls that create issues or
    // post comments need an administrator here (the Forge app checks the user's Jira permissions).
    if (writesToTicketSystem(req.params.name, req.body) && !isAdminRequest(config, req))
      return sendError(
        reply,
        403,
        'forbidden',
        `${req.params.name} acts in the ticket system with the service's credentials: an administrator is needed`,
      );
    try {
      const result = await callApi(createApi(deps), req.params.name, req.body ?? {});
      return reply.code(200).send(result ?? null);
    } catch (e) {
      if (e instanceof AppError) return sendError(reply, e.status, e.code, e.message);
      req.log.error({ err: e, call: req.params.name }, 'api call failed');
      return sendError(reply, 500, 'internal', `${req.params.name} failed; see the service log`);
    }
  });

  // ---- Pages. ----
  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(
      indexPage({
        demo: ctx.demo,
        jiraUrl: config.jira.url ?? null,
        sampleKeys: ctx.sampleKeys(),
        built: builtSurfaces(ctx.staticDir),
      }),
    ),
  );
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  registerStatic(app, ctx.staticDir);

  // ---- Operations. ----
  const maxSilenceMs = Math.max(30_000, config.inbox.pollMs * 20);
  app.get('/healthz', async (_req, reply) => {
    let dbOk = true;
    try {
      await ctx.storage.ping();
    } catch {
      dbOk = false;
    }
    const workerOk = worker.alive(maxSilenceMs);
    const counts = dbOk ? await inbox.counts() : null;
    return reply.code(dbOk && workerOk ? 200 : 503).send({
      status: dbOk && workerOk ? 'ok' : 'unhealthy',
      db: dbOk ? 'ok' : 'unreachable',
      worker: workerOk ? 'ok' : worker.isRunning() ? 'stalled' : 'stopped',
      mode: ctx.demo ? 'demo' : ctx.jira ? 'jira' : 'generic',
      queue: counts,
    });
  });

  app.get('/metrics', async (_req, reply) => {
    const counts = await inbox.counts();
    const oldest = await inbox.oldestPendingMs();
    const text = metrics.render([
      {
        name: 'reglament_queue_depth',
        help: 'Inbox events waiting or in processing.',
        values: [{ value: counts.pending + counts.processing }],
      },
      {
        name: 'reglament_inbox_events',
        help: 'Inbox rows by status (done rows are pruned after the retention period; failed rows are kept).',
        values: INBOX_STATUSES.map((s) => ({ labels: { status: s }, value: counts[s] })),
      },
      {
        name: 'reglament_queue_oldest_pending_age_seconds',
        help: 'Age of the oldest pending event (0 when none).',
        values: [{ value: oldest === null ? 0 : Math.max(0, (ctx.now() - oldest) / 1000) }],
      },
      {
        name: 'reglament_worker_up',
        help: '1 when the inbox worker loop is alive.',
        values: [{ value: worker.alive(maxSilenceMs) ? 1 : 0 }],
      },
      {
        name: 'reglament_tickets',
        help: 'Tickets held by the service (generic webhooks, demo).',
        values: [{ value: await ctx.tickets.count() }],
      },
    ]);
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });

  // ---- Administration of the inbox. ----
  const requireAdmin = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (isAdminRequest(config, req)) return true;
    void sendError(
      reply,
      config.adminToken ? 401 : 403,
      config.adminToken ? 'unauthorized' : 'forbidden',
      config.adminToken
        ? 'administrator token required (Authorization: Bearer <REGLAMENT_ADMIN_TOKEN>, or /login)'
        : 'without REGLAMENT_ADMIN_TOKEN only requests from this machine may administer the service',
    );
    return false;
  };

  // ---- The SLA ledger export (an issue's, or a period's), JSON Lines or CSV. ----
  app.get<{ Querystring: { issue?: string; from?: string; to?: string; format?: string } }>(
    '/admin/ledger',
    async (req, reply) => {
      if (!requireAdmin(req, reply)) return reply;
      const format = req.query.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv')
        return sendError(
          reply,
          400,
          'invalid-request',
          `format must be jsonl or csv, got ${JSON.stringify(format)}`,
        );
      let facts;
      try {
        facts = await exportFacts(ctx.localDeps, req.query, ctx.store.getSettingsSync().calendar.zone);
      } catch (e) {
        if (e instanceof RangeError) return sendError(reply, 400, 'invalid-request', e.message);
        throw e;
      }
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .send(formatFacts(facts, format));
    },
  );

  app.get<{ Querystring: { status?: string; limit?: string; offset?: string } }>(
    '/admin/inbox',
    async (req, reply) => {
      if (!requireAdmin(req, reply)) return reply;
      const status = (req.query.status ?? 'failed') as InboxStatus;
      if (!INBOX_STATUSES.includes(status))
        return sendError(reply, 400, 'invalid-request', `status must be one of ${INBOX_STATUSES.join(', ')}`);
      const lim = Math.min(1000, Math.max(1, Number(req.query.limit ?? 100) || 100));
      const off = Math.max(0, Number(req.query.offset ?? 0) || 0);
      return reply.send({ status, counts: await inbox.counts(), events: await inbox.list(status, lim, off) });
    },
  );

  app.post<{ Body: { keys?: unknown } }>('/admin/inbox/retry', async (req, reply) => {
    if (!requireAdmin(req, reply)) return reply;
    const keys = (req.body as { keys?: unknown } | undefined)?.keys;
    if (keys !== undefined && !(Array.isArray(keys) && keys.every((k) => typeof k === 'string')))
      return sendError(
        reply,
        400,
        'invalid-request',
        'keys must be a list of event ids (omit it to retry every failed event)',
      );
    const n = await inbox.requeueFailed(ctx.now(), keys as string[] | undefined);
    worker.wake();
    return reply.send({ requeued: n });
  });

  // ---- Admin session for the browser (only with REGLAMENT_ADMIN_TOKEN). ----
  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string' },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.get('/login', async (_req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(
          config.adminToken
            ? '<!doctype html><meta charset="utf-8"><title>reglament</title><form method="post" action="/login" style="font-family:system-ui;margin:3rem">' +
                '<label>Administrator token · Токен администратора <input type="password" name="token" autofocus></label> <button>Sign in · Войти</button></form>'
            : '<!doctype html><meta charset="utf-8"><p style="font-family:system-ui;margin:3rem">No REGLAMENT_ADMIN_TOKEN is set: administration is open to this machine only. · Токен не задан: администрирование доступно только с этого компьютера.</p>',
        ),
    );
    scope.post<{ Body: { token?: string } }>('/login', async (req, reply) => {
      const token = (req.body as { token?: unknown } | undefined)?.token;
      if (!config.adminToken || typeof token !== 'string' || !sameSecret(token, config.adminToken))
        return sendError(reply, 401, 'unauthorized', 'wrong administrator token');
      return reply
        .header(
          'Set-Cookie',
          `${SESSION_COOKIE}=${sessionValue(config.adminToken)}; Path=/; HttpOnly; SameSite=Strict${config.publicUrl?.startsWith('https:') ? '; Secure' : ''}`,
        )
        .redirect('/');
    });
  });
}
