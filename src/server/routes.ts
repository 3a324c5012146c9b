/**
 * HTTP routes of the service:
 *
 *   POST /webhooks/generic   a contract snapshot, HMAC required → the verdict (and the event queued)
 *   POST /webhooks/jira      a Jira DC/Server webhook → 202 (queued), signature checked when configured
 *   POST /api/:name          the UI calls of src/contract/api.ts → JSON
 *   GET  /api/report.csv|xlsx|pdf   the compliance report's files (report-routes.ts)
 *   GET  /, /ui/<surface>/   index page and UI bundles
 *   GET  /healthz, /readyz, /metrics  operations (health.ts)
 *   GET  /admin/inbox, POST /admin/inbox/retry   failed events (administrator)
 *   GET  /admin/notifications, POST /admin/notifications/test, GET /admin/notifications/preview (notify-routes.ts)
 *   POST /webhooks/<name>    a declared source's delivery (source-routes.ts; GET /admin/sources, POST /admin/sources/test)
 *   GET|POST /login, POST /logout, GET /auth/session, /auth/accounts   people (auth/index.ts)
 *
 * Who may call what: ROLE_OF_CALL below, with the principal from auth/ (never the client's address).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitOptions } from '@fastify/rate-limit';
import type { AppDeps } from '../app/deps';
import { AppError } from '../app/errors';
import { callApi, createApi } from '../app/api';
import { checkGenericWebhook, genericTicket, SIGNATURE_HEADERS } from '../app/webhook';
import { isStale } from '../app/ledger';
import { exportFacts, formatFacts } from '../app/ledger-export';
import { INBOX_STATUSES, type InboxStatus } from '../adapters/sql';
import type { JiraHttpPort } from '../adapters/jira-http';
import type { ServerConfig } from './config';
import { readJiraEvent } from './jira-events';
import type { GroupCommit } from './group-commit';
import { registerHealth, type SweepStatus } from './health';
import type { Metrics } from './metrics';
import { bodyDigest, sameSecret, verify } from './signature';
import { atLeast, principalOf, requireRole, type Auth, type Role } from './auth';
import { builtSurfaces, indexPage, pageLocale, registerStatic } from './static';
import { registerNotifyRoutes } from './notify-routes';
import { registerSourceAdmin, registerSourceWebhooks } from './source-routes';
import type { SourceRegistry } from './sources';
import { registerReportRoutes } from './report-routes';
import type { InboxWorker } from './worker';
import type { InboxPort, ServiceStore, Storage, TicketStore } from './storage';

export interface RouteContext {
  config: ServerConfig;
  /** The database (SQLite or PostgreSQL). */
  storage: Pick<Storage, 'ping' | 'probeWrite' | 'kind' | 'file'>;
  /** The last scheduled sweep, for /readyz. */
  lastSweep?: () => SweepStatus | null;
  store: ServiceStore;
  inbox: InboxPort;
  /** Inserts accepted events with one commit per event-loop turn. */
  commit: Pick<GroupCommit, 'add'>;
  /** Where generic webhooks are stored and processed, for /healthz (see health.ts). */
  ingest?: () => string;
  /** Runs an agent's call, which writes to the ticket system (see service.ts); absent: as it is. */
  serializeAction?: <T>(fn: () => Promise<T>) => Promise<T>;
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
  auth: Auth;
  /** The declared ticket sources (issue #18): POST /webhooks/<name>, /admin/sources. */
  sources?: SourceRegistry;
}

const JIRA_SIGNATURES = ['x-hub-signature', 'x-hub-signature-256'];
const DELIVERY_IDS = ['x-reglament-delivery', 'x-atlassian-webhook-identifier', 'x-request-id'];
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const releasers = new WeakMap<FastifyRequest, () => void>();

/**
 * How long `/metrics` reuses its counts of whole tables (the inbox's done rows, the tickets): each
 * reads every row (~90 ms at 1,000,000 inbox rows), and Prometheus scrapes every 15–60 s.
 */
export const METRICS_FULL_COUNT_MS = 60_000;

/**
 * A value read at most every `maxAgeMs`: the first call waits for the read; later ones answer the
 * last value at once and, when it is older than `maxAgeMs`, start one read in the background (a
 * read that fails keeps the last value and is tried again at the next call).
 * @example const counts = refreshing(() => readCounts(), 60_000, Date.now); await counts()
 */
export function refreshing<T>(read: () => Promise<T>, maxAgeMs: number, now: () => number): () => Promise<T> {
  let last: { value: T; atMs: number } | null = null;
  let running: Promise<T> | null = null;
  const refresh = (): Promise<T> =>
    (running ??= read().then(
      (value) => {
        last = { value, atMs: now() };
        running = null;
        return value;
      },
      (e: unknown) => {
        running = null;
        throw e;
      },
    ));
  return async () => {
    if (last === null) return refresh();
    if (now() - last.atMs >= maxAgeMs) refresh().catch(() => undefined);
    return last.value;
  };
}

/** How far a generic webhook's X-Reglament-Timestamp may be from the service's clock. */
export const TIMESTAMP_TOLERANCE_S = 300;

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

/**
 * The generic webhook's signature: `X-Reglament-Timestamp: <unix seconds>` and `X-Reglament-Signature:
 * sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, the timestamp within 5 minutes of the
 * service's clock; body-only signatures (no timestamp) only with REGLAMENT_WEBHOOK_LEGACY_SIGNATURES.
 * Returns the refusal, or null when the signature holds.
 */
export function checkGenericSignature(
  secret: string,
  req: FastifyRequest,
  body: Buffer,
  nowMs: number,
  config: Pick<ServerConfig, 'webhookLegacySignatures'>,
): { error: string; message: string } | null {
  const signature = SIGNATURE_HEADERS.map((h) => header(req, h)).find((v) => v !== undefined);
  const ts = header(req, 'x-reglament-timestamp')?.trim();
  if (ts === undefined) {
    if (config.webhookLegacySignatures && verify(secret, body, signature)) return null;
    return {
      error: 'bad-signature',
      message: config.webhookLegacySignatures
        ? 'missing or invalid X-Reglament-Signature: expected sha256=<hex HMAC-SHA256 of "<X-Reglament-Timestamp>.<raw body>"> (or, from a legacy sender, of the raw body)'
        : 'missing X-Reglament-Timestamp: sign "<unix seconds>.<raw body>" and send X-Reglament-Timestamp and X-Reglament-Signature: sha256=<hex HMAC-SHA256> (body-only signatures need REGLAMENT_WEBHOOK_LEGACY_SIGNATURES=true)',
    };
  }
  if (!/^\d{1,12}$/.test(ts))
    return {
      error: 'bad-timestamp',
      message: `X-Reglament-Timestamp must be unix seconds, got ${JSON.stringify(ts.slice(0, 40))}`,
    };
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(ts));
  if (skew > TIMESTAMP_TOLERANCE_S)
    return {
      error: 'stale-timestamp',
      message: `X-Reglament-Timestamp ${ts} is ${skew} s away from the service's clock (${Math.floor(nowMs / 1000)}); at most ${TIMESTAMP_TOLERANCE_S} s is accepted`,
    };
  if (!verify(secret, Buffer.concat([Buffer.from(`${ts}.`), body]), signature))
    return {
      error: 'bad-signature',
      message:
        'missing or invalid X-Reglament-Signature: expected sha256=<hex HMAC-SHA256 of "<X-Reglament-Timestamp>.<raw body>" with the webhook secret>',
    };
  return null;
}

export function sendError(
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
  if (name === 'agreeDeadline' || name === 'overridePriority') return true;
  return name === 'checkVisit' && (body as { comment?: unknown } | null)?.comment === true;
}

/**
 * The role a UI call needs; `null`: a reading call, open to anonymous readers when the administrator
 * opened the dashboard to them (REGLAMENT_ANONYMOUS_READ), else a signed-in viewer.
 */
export function roleOfCall(name: string, body: unknown): Role | null {
  if (
    name === 'saveSettings' ||
    name === 'rotateWebhookSecret' ||
    name === 'recomputeAll' ||
    name === 'getNotifications' ||
    name === 'testNotification' ||
    name === 'retryNotifications'
  )
    return 'administrator';
  // The service acts in the ticket system with its own credentials: an agent must ask for it.
  if (writesToTicketSystem(name, body)) return 'agent';
  // Evaluations of arbitrary policies and calendars cost CPU: signed-in people only.
  if (name === 'preview' || name === 'validatePolicy') return 'viewer';
  if (name === 'getCalendarYear' && (body as { calendar?: unknown } | null)?.calendar !== undefined)
    return 'viewer';
  return null;
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

  // Bodies of unauthenticated senders (webhooks, anonymous calls, sign-in) are buffered before their
  // signature or credentials can be checked: at most maxPendingBodies at once, so unfinished bodies
  // cannot fill the memory; the request timeout ends the slow ones.
  let pending = 0;
  const maxPending = config.limits.maxPendingBodies;
  app.addHook('onRequest', (req, reply, done) => {
    if (!BODY_METHODS.has(req.method) || principalOf(req).via !== 'anonymous') return done();
    if (pending >= maxPending) {
      if (req.url.startsWith('/webhooks/'))
        metrics.rejected.inc({ source: req.url.split(/[/?]/)[2] ?? '', reason: 'busy' });
      void reply
        .code(503)
        .header('retry-after', '1')
        .header('connection', 'close')
        .type('application/json; charset=utf-8')
        .send({
          error: 'busy',
          message: `${maxPending} request bodies from unauthenticated senders are being received already (REGLAMENT_MAX_PENDING_BODIES); retry later`,
        });
      return;
    }
    pending++;
    let held = true;
    const release = () => {
      if (held) {
        held = false;
        pending--;
      }
    };
    releasers.set(req, release);
    reply.raw.once('close', release);
    reply.raw.once('finish', release);
    done();
  });
  app.addHook('preValidation', (req, _reply, done) => {
    releasers.get(req)?.();
    done();
  });

  // ---- Webhooks: the raw body is needed for the signature, so this scope parses nothing itself. ----
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) =>
      done(null, body),
    );

    const hookLimit: { rateLimit?: RateLimitOptions } =
      config.limits.webhookPerMinute > 0
        ? {
            rateLimit: {
              max: config.limits.webhookPerMinute,
              timeWindow: 60_000,
              keyGenerator: (req: FastifyRequest) => req.ip,
            },
          }
        : {};

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

    scope.post('/webhooks/generic', { config: hookLimit }, async (req, reply) => {
      const body = bodyOf(req);
      const current = settings();
      if (current.webhookSecret) {
        const refused = checkGenericSignature(current.webhookSecret, req, body, ctx.now(), config);
        if (refused) return reject(reply, 'generic', 401, refused.error, refused.message);
      }
      const checked = checkGenericWebhook({
        headers: req.headers,
        body,
        settings: current,
        now: ctx.now(),
        signatureChecked: true,
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
      // The verdict's JSON text made once, for the stored payload and the answer (issue #14: ~2 KiB,
      // a second JSON.stringify of it was ~13 µs of the event loop per event). The texts are those of
      // JSON.stringify({ snapshot, verdict, bodySha256 }) and of { verdict, event }.
      const verdictJson = JSON.stringify(verdict);
      const fresh = await ctx.commit.add({
        key,
        source: 'generic',
        type: 'snapshot',
        subject: snapshot.key,
        payload: `{"snapshot":${JSON.stringify(snapshot)},"verdict":${verdictJson},"bodySha256":${JSON.stringify(bodySha256)}}`,
      });
      if (fresh) {
        metrics.accepted.inc({ source: 'generic' });
        // The ingest thread's worker claims the generic events (it is woken by their commit); this
        // one would only find nothing to claim.
        if (ctx.ingest?.() !== 'thread') worker.wake();
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
      return reply
        .code(200)
        .type('application/json; charset=utf-8')
        .send(`{"verdict":${verdictJson},"event":${JSON.stringify({ id: key, duplicate: !fresh })}}`);
    });

    scope.post<{ Querystring: { token?: string } }>(
      '/webhooks/jira',
      {
        config: hookLimit,
        // The URL token is checked before the body is read.
        onRequest: (req, reply, done) => {
          const q = req.query as { token?: string };
          if (config.jira.webhookToken && !sameSecret(q.token, config.jira.webhookToken)) {
            void reject(
              reply,
              'jira',
              401,
              'bad-token',
              'missing or invalid token in the webhook URL (?token=…)',
            );
            return;
          }
          done();
        },
      },
      async (req, reply) => {
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
      },
    );

    if (ctx.sources)
      registerSourceWebhooks(scope, ctx, {
        registry: ctx.sources,
        settings,
        reject,
        bodyOf,
        routeConfig: hookLimit,
      });
  });

  // ---- UI calls. ----
  const apiLimit: { rateLimit?: RateLimitOptions } =
    config.limits.apiPerMinute > 0
      ? {
          rateLimit: {
            max: config.limits.apiPerMinute,
            timeWindow: 60_000,
            keyGenerator: (req: FastifyRequest) => principalOf(req).user ?? req.ip,
          },
        }
      : {};
  app.post<{ Params: { name: string } }>(
    '/api/:name',
    {
      config: apiLimit,
      // Without anonymous reading, nobody's body is not even read.
      onRequest: (req, reply, done) => {
        if (!ctx.auth.anonymousRead && principalOf(req).via === 'anonymous') {
          const name = (req.params as { name: string }).name;
          void requireRole(req, reply, roleOfCall(name, null) ?? 'viewer', name);
          return;
        }
        done();
      },
    },
    async (req, reply) => {
      const name = req.params.name;
      // JSON only: a cross-site form or text/plain POST cannot reach a call.
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
        return sendError(
          reply,
          415,
          'unsupported-media-type',
          `${name}: the body must be JSON (Content-Type: application/json), got ${JSON.stringify(req.headers['content-type'] ?? null)}`,
        );
      const need = roleOfCall(name, req.body);
      if (need) {
        if (!requireRole(req, reply, need, name)) return reply;
      } else if (!ctx.auth.anonymousRead && !requireRole(req, reply, 'viewer', name)) return reply;
      const deps: AppDeps = {
        ...ctx.apiDeps,
        isAdmin: async () => atLeast(principalOf(req).role, 'administrator'),
      };
      try {
        const call = () => callApi(createApi(deps), name, req.body ?? {});
        const result = await (need === 'agent' && ctx.serializeAction ? ctx.serializeAction(call) : call());
        return reply.code(200).send(result ?? null);
      } catch (e) {
        if (e instanceof AppError) return sendError(reply, e.status, e.code, e.message, { ...e.detail });
        req.log.error({ err: e, call: name }, 'api call failed');
        return sendError(reply, 500, 'internal', `${name} failed; see the service log`);
      }
    },
  );

  // ---- Pages. ----
  app.get<{ Querystring: { lang?: string } }>('/', async (req, reply) => {
    const locale = pageLocale(req.query.lang, req.headers.cookie, req.headers['accept-language']);
    // A language chosen here sticks for the screens too (they read the same cookie).
    if (req.query.lang === locale)
      void reply.header('set-cookie', `reglament_lang=${locale}; Path=/; Max-Age=31536000; SameSite=Lax`);
    return reply.type('text/html; charset=utf-8').send(
      indexPage({
        locale,
        demo: ctx.demo,
        jiraUrl: config.jira.url ?? null,
        sampleKeys: ctx.sampleKeys(),
        built: builtSurfaces(ctx.staticDir),
        anonymousRead: ctx.auth.anonymousRead,
      }),
    );
  });
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());
  registerStatic(app, ctx.staticDir);

  // ---- Operations. ----
  const maxSilenceMs = Math.max(30_000, config.inbox.pollMs * 20);
  registerHealth(app, {
    storage: ctx.storage,
    inbox,
    worker,
    now: ctx.now,
    mode: () => (ctx.demo ? 'demo' : ctx.jira ? 'jira' : 'generic'),
    maxSilenceMs,
    lastSweep: ctx.lastSweep ?? (() => null),
    sweepMinutes: config.sweepMinutes,
    ...(ctx.ingest ? { ingest: ctx.ingest } : {}),
  });

  // Counts that read a whole table — the inbox's done rows (kept for the retention period) and the
  // service-held tickets — at most once a minute, off the event loop where the store can; the
  // queue's statuses are counted exactly at every scrape, through an index (issue #14).
  const fullCounts = refreshing(
    async () => {
      const [all, tickets] = await Promise.all([
        inbox.countsOffLoop ? inbox.countsOffLoop() : inbox.counts(),
        ctx.tickets.countOffLoop ? ctx.tickets.countOffLoop() : ctx.tickets.count(),
      ]);
      return { inbox: all, tickets };
    },
    METRICS_FULL_COUNT_MS,
    ctx.now,
  );
  app.get('/metrics', async (_req, reply) => {
    const full = await fullCounts();
    const counts = { ...(await inbox.openCounts()), done: full.inbox.done };
    const oldest = await inbox.oldestPendingMs();
    const text = await metrics.render([
      {
        name: 'reglament_queue_depth',
        help: 'Inbox events waiting or in processing.',
        values: [{ value: counts.pending + counts.processing }],
      },
      {
        name: 'reglament_inbox_events',
        help: 'Inbox rows by status (done rows are pruned after the retention period, and counted at most once a minute; failed rows are kept).',
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
        help: 'Tickets held by the service (generic webhooks, demo), counted at most once a minute.',
        values: [{ value: full.tickets }],
      },
    ]);
    return reply.type(metrics.contentType).send(text);
  });

  // ---- Administration of the inbox. ----
  const requireAdmin = (req: FastifyRequest, reply: FastifyReply): boolean =>
    requireRole(req, reply, 'administrator', 'the inbox administration');

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

  // The same rule as POST /api/previewNotification (roleOfCall gives it no role of its own).
  const mayPreview = (req: FastifyRequest, reply: FastifyReply): boolean =>
    ctx.auth.anonymousRead || requireRole(req, reply, 'viewer', 'the notification preview');
  registerNotifyRoutes(app, ctx, requireAdmin, sendError, mayPreview);
  if (ctx.sources) registerSourceAdmin(app, ctx, ctx.sources, requireAdmin, sendError);
  registerReportRoutes(app, ctx, sendError, apiLimit);
}
