/**
 * The self-hosted service, assembled: SQLite database, stores, inbox and worker, the Jira port (when
 * configured), the app's use cases, demo data (when no ticket system is configured) and the HTTP
 * routes. `createService` builds it without listening, so tests drive it with `app.inject`.
 */
import * as http from 'node:http';
import * as path from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { AppDeps, AppLog } from '../app/deps';
import { newSecret } from '../app/api';
import { onIssueChange, onIssueDeleted, onVersionChange, sweep } from '../app/issue-change';
import { siteCatalog, siteProblems } from '../app/site-check';
import type { JiraPort } from '../app/ports';
import { MemoryJobs } from '../adapters/memory/jobs';
import { createJiraHttpPort, type JiraHttpPort } from '../adapters/jira-http';
import { createRedminePort, type RedminePort } from '../adapters/redmine';
import { pollRedmine } from './redmine-poller';
import {
  createRegistry,
  handleSourceItem,
  pollSource,
  type ImplicitSource,
  type SourceFactory,
  type SourceRegistry,
} from './sources';
import type { SourceKind, TicketSource } from '../app/source';
import { dataDirOf, isDemo, type ServerConfig } from './config';
import { seedDemo, type DemoSeedResult } from './demo/seed';
import { demoTicketPort } from './demo';
import { newestGeneric, processGeneric, processGenericItem, readGenericPayload } from './generic';
import { GroupCommit } from './group-commit';
import { IngestHost } from './ingest-host';
import { shareWriteTurn } from '../adapters/store-sqlite/db';
import type { SweepStatus } from './health';
import { Metrics } from './metrics';
import { registerRoutes } from './routes';
import { createAuth, registerAuth, type Auth } from './auth';
import { defaultStaticDir } from './static';
import { InboxWorker, PermanentError, type WorkerLog, type WorkerTuning, type WorkItem } from './worker';
import { notifyAdmin, notifyOutbox, sendDigest, sendNotification } from './notify';
import {
  postgresStorage,
  sqliteStorage,
  type PostgresStorage,
  type SqliteStorage,
  type Storage,
} from './storage';

export interface ServiceOptions {
  config: ServerConfig;
  /** Resolves the data directory (default: process.cwd()). */
  cwd?: string;
  /** Wall clock in epoch ms (tests pass their own). */
  now?: () => number;
  /** Jitter source for retries (tests pass a constant). */
  random?: () => number;
  /** Pino logger options, or false for none (tests). Default: JSON lines at config.logLevel. */
  logger?: boolean | Record<string, unknown>;
  /** Start the background worker, sweep and pruning timers (tests drive `worker.drain()` instead). */
  background?: boolean;
  /** Where static/<surface>/build/ live. */
  staticDir?: string;
  /** A Jira port instead of the HTTP one built from the configuration (tests). */
  jira?: JiraHttpPort;
  /** A Redmine port instead of the one built from the configuration (tests). */
  redmine?: RedminePort;
  /** Source factories per kind instead of the built-in ones (tests; issue #18). */
  sourceFactories?: Partial<Record<SourceKind, SourceFactory>>;
  /** The declared sources' HTTP client instead of global fetch (tests: a fake ticket system). */
  sourceFetch?: typeof fetch;
}

/**
 * The assembled service. `S` is the storage the caller expects: SQLite unless the configuration has a
 * `databaseUrl` (then pass `PostgresStorage`); `storage.kind` says which one it is.
 */
export interface Service<S extends SqliteStorage | PostgresStorage = SqliteStorage> {
  app: FastifyInstance;
  config: ServerConfig;
  storage: S;
  db: S['db'];
  store: S['store'];
  inbox: S['inbox'];
  tickets: S['tickets'];
  worker: InboxWorker;
  /** Every inbox worker of this process (`worker` first): `inbox.workers`, by default 2 on PostgreSQL. */
  workers: InboxWorker[];
  /** The SQLite ingest thread while it runs (issue #14); null without one, or once it failed. */
  ingestThread(): IngestHost | null;
  metrics: Metrics;
  demo: boolean;
  /** Use-case dependencies on the service-held tickets (generic webhooks, demo). */
  localDeps: AppDeps;
  /** Use-case dependencies on Jira, when configured. */
  jiraDeps: AppDeps | null;
  /** Use-case dependencies on Redmine, when configured (docs/redmine.md). */
  redmineDeps: AppDeps | null;
  /** Lists the Redmine issues changed since the stored cursor into the inbox (the poller's one run); 0 without Redmine. */
  pollRedmineNow(): Promise<number>;
  /** The ticket sources: implicit (Jira, Redmine, generic) and declared in `sources` (issue #18). */
  sources: SourceRegistry;
  /** Polls every declared source that can be polled once; returns the events enqueued. */
  pollSourcesNow(): Promise<number>;
  /** The dependencies the UI/API calls use (Jira when configured, else local). */
  apiDeps: AppDeps;
  seed: DemoSeedResult | null;
  /** People and sessions. */
  auth: Auth;
  /** The first administrator created on this start (no account existed), else null. */
  initialAdmin: { name: string; password: string; file: string } | null;
  /**
   * Runs the scheduled sweep once (both sources); on PostgreSQL only when no other instance is
   * sweeping the same database (then `skipped`).
   */
  sweepNow(): Promise<SweepStatus>;
  /** Listens on the configured host and port; returns the base URL. */
  listen(): Promise<string>;
  /** Graceful stop: no new requests, requests in flight answered, worker finishes its unit of work, db closed. */
  close(): Promise<void>;
}

/** Redacted paths of the JSON logs: credentials and signatures never reach a log line. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-reglament-signature"]',
  'req.headers["x-gitlab-token"]',
  'req.headers["x-glpi-signature"]',
  'req.headers["webhook-signature"]',
  'config.sources',
  'headers.authorization',
  'config.webhookSecret',
  'config.adminToken',
  'config.databaseUrl',
  'config.jira.token',
  'config.jira.password',
  'config.jira.webhookSecret',
  'config.jira.webhookToken',
  'config.redmine.apiKey',
  'secret',
  'token',
  'password',
];

/** Removes secrets from a URL for logs (`?token=…`). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|secret|password)=)[^&]*/gi, '$1[redacted]');
}

export async function createService<S extends SqliteStorage | PostgresStorage = SqliteStorage>(
  options: ServiceOptions,
): Promise<Service<S>> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const storage: Storage & { db: unknown } = config.databaseUrl
    ? await postgresStorage(config.databaseUrl, now)
    : sqliteStorage(path.join(dataDirOf(config, options.cwd), 'reglament.sqlite'), config.sqliteSync, now);
  const { store, inbox, tickets } = storage;
  const metrics = new Metrics();
  const demo = isDemo(config);
  if (
    config.jira.url &&
    !config.jira.webhookSecret &&
    !config.jira.webhookToken &&
    !config.jira.allowUnsignedWebhooks
  ) {
    await storage.close();
    throw new Error(
      'Jira webhooks must be authenticated when a Jira URL is configured: set REGLAMENT_JIRA_WEBHOOK_SECRET or REGLAMENT_JIRA_WEBHOOK_TOKEN (or REGLAMENT_JIRA_ALLOW_UNSIGNED_WEBHOOKS=true)',
    );
  }
  const requestTimeout = config.limits.requestTimeoutMs;

  const app = Fastify({
    logger:
      options.logger === undefined
        ? {
            level: config.logLevel,
            redact: { paths: REDACT, censor: '[redacted]' },
            serializers: {
              req: (req: { method: string; url: string; ip?: string }) => ({
                method: req.method,
                url: redactUrl(req.url),
                remoteAddress: req.ip,
              }),
            },
          }
        : options.logger,
    bodyLimit: config.bodyLimit,
    // Requests are not logged one by one (thousands per second); refusals and errors are (routes.ts).
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: false,
    return503OnClosing: true,
    // A request (headers and body) must arrive within requestTimeoutMs: slow bodies end with 408. Node
    // checks the deadline every connectionsCheckingInterval, so it is a fraction of the timeout.
    requestTimeout,
    serverFactory: (handler) =>
      http.createServer(
        {
          requestTimeout,
          headersTimeout: Math.min(requestTimeout, 60_000),
          connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(requestTimeout / 4))),
        },
        handler,
      ),
    // The client's address is the socket's: X-Forwarded-For is not trusted (loopback is no identity).
    trustProxy: false,
  });
  const log = app.log;
  const appLog: AppLog = {
    info: (message, data) => log.debug(data ?? {}, message),
    warn: (message, data) => log.warn(data ?? {}, message),
  };

  // First start: a webhook secret exists (from the configuration, or generated and kept in the settings).
  const settings = store.getSettingsSync();
  if (config.webhookSecret && settings.webhookSecret !== config.webhookSecret) {
    await store.saveSettings({ ...settings, webhookSecret: config.webhookSecret });
  } else if (!settings.webhookSecret) {
    await store.saveSettings({ ...settings, webhookSecret: newSecret() });
    log.info(
      'generated a webhook secret for the generic webhook; set REGLAMENT_WEBHOOK_SECRET or rotate it on the admin page to know it',
    );
  }

  const jobsHolder: { deps: AppDeps | null } = { deps: null };
  // When every clock was last re-evaluated (issue #15: the dashboard says so) survives a restart.
  // The SQLite ingest thread (issue #14), when it runs: see below.
  let ingest: IngestHost | null = null;
  let ingestFailure: string | null = null;
  // With the thread running, an agent's action on a service-held ticket is one transaction.
  const writesSerialized = <T>(fn: () => Promise<T>): Promise<T> =>
    ingest?.usable() && storage.group ? storage.group(fn) : fn();
  const jobs = new MemoryJobs(
    () => jobsHolder.deps!,
    {
      get: async () => (await storage.getDoc('last-recompute')) ?? null,
      put: async (iso) => storage.putDoc('last-recompute', iso, now()),
    },
    // The service-held tickets' recomputation runs in the ingest thread, their records' writer.
    (jql, onPage) =>
      ingest?.usable() && jobsHolder.deps === localDeps ? ingest.recompute(jql, onPage) : null,
  );
  // Service-held tickets (generic webhooks, demo) have no comments, labels or links by design, so the
  // app's notes that it skipped an escalation for want of them are not warnings there.
  const localLog: AppLog = {
    info: appLog.info,
    warn: (message, data) =>
      /skipped$/.test(message) ? log.debug(data ?? {}, message) : log.warn(data ?? {}, message),
  };
  // Notifications (issue #16): stored in the inbox (source `notify`) before they are sent, once per id.
  const outbox = notifyOutbox(inbox, now);
  const wakeWorker = { wake: (): void => undefined };
  const outboxAdmin = notifyAdmin(inbox, now, () => wakeWorker.wake());
  // Demo mode (issue #15): a demo ticket system that can create, link and comment (src/server/demo/).
  const demoPort = demo ? demoTicketPort({ tickets, docs: storage, store, now }) : null;
  // What every ticket system's deps share (each adds its port, links and log).
  const shared = { store, clock: now, jobs, log: appLog, outbox, notifyAdmin: outboxAdmin };
  const localDeps: AppDeps = { ...shared, jira: demoPort ?? tickets, log: localLog };
  demoPort?.bind(localDeps);

  let jira: JiraHttpPort | null = options.jira ?? null;
  if (!jira && config.jira.url) {
    jira = createJiraHttpPort({
      baseUrl: config.jira.url,
      auth: config.jira.token
        ? { kind: 'bearer', token: config.jira.token }
        : { kind: 'basic', user: config.jira.user!, password: config.jira.password! },
      fields: config.jira.fields,
      createFields: config.jira.createFields,
      timeoutMs: config.jira.timeoutMs,
      retries: config.jira.retries,
      log: { warn: (obj, msg) => log.warn(obj, msg), info: (obj, msg) => log.info(obj, msg) },
    });
  }
  const jiraUrl = config.jira.url?.replace(/\/+$/, '') ?? null;
  const jiraDeps: AppDeps | null = jira
    ? {
        ...shared,
        jira: jira as JiraPort,
        issueUrl: (key) => (jiraUrl ? `${jiraUrl}/browse/${encodeURIComponent(key)}` : null),
        // The dashboard's "and N more": a Jira search by the app's label (escalation labels on).
        issueListUrl: (state) =>
          jiraUrl
            ? `${jiraUrl}/issues/?jql=${encodeURIComponent(`labels = sla-${state} AND statusCategory != Done ORDER BY duedate ASC`)}`
            : null,
      }
    : null;
  // Redmine (issue #18): its own port and deps, polled (core Redmine has no webhooks).
  let redmine: RedminePort | null = options.redmine ?? null;
  if (!redmine && config.redmine.url && config.redmine.apiKey) {
    redmine = createRedminePort({
      baseUrl: config.redmine.url,
      apiKey: config.redmine.apiKey,
      fields: config.redmine.fields,
      agentRoles: (config.redmine.agentRoles ?? '').split(',').map((r) => r.trim()),
      timeoutMs: config.redmine.timeoutMs,
      retries: config.redmine.retries,
      now,
      log: { warn: (obj, msg) => log.warn(obj, msg) },
    });
  }
  const redmineUrl = config.redmine.url?.replace(/\/+$/, '') ?? null;
  const redmineDeps: AppDeps | null = redmine
    ? {
        ...shared,
        jira: redmine,
        issueUrl: (key) =>
          redmineUrl ? `${redmineUrl}/issues/${encodeURIComponent(key.replace(/^#/, ''))}` : null,
      }
    : null;
  // Issue #18: the declared sources, and the implicit ones of the older settings (admin page, sweeps).
  const implicit: ImplicitSource[] = [
    {
      name: 'generic',
      kind: 'generic',
      webhookPath: '/webhooks/generic',
      auth: 'HMAC-SHA256 of "<timestamp>.<body>", X-Reglament-Signature + X-Reglament-Timestamp',
      polled: false,
      keyPrefix: null,
      fields: {},
    },
    ...(config.jira.url
      ? [
          {
            name: 'jira' as const,
            kind: 'jira-dc' as const,
            webhookPath: '/webhooks/jira',
            auth: config.jira.webhookSecret
              ? `HMAC-SHA256, X-Hub-Signature${config.jira.webhookToken ? ' + ?token=' : ''}`
              : config.jira.webhookToken
                ? 'Token, ?token='
                : 'none',
            polled: false,
            keyPrefix: null,
            fields: { ...config.jira.fields },
          },
        ]
      : []),
    ...(config.redmine.url
      ? [
          {
            name: 'redmine' as const,
            kind: 'redmine' as const,
            webhookPath: null,
            auth: 'none (polled)',
            polled: config.redmine.pollSeconds > 0,
            keyPrefix: '#',
            fields: { ...config.redmine.fields },
          },
        ]
      : []),
  ];
  let sources: SourceRegistry;
  try {
    sources = createRegistry(
      config.sources ?? [],
      {
        now,
        log: { warn: (obj, msg) => log.warn(obj, msg) },
        ...(options.sourceFetch ? { fetch: options.sourceFetch } : {}),
      },
      implicit,
      ...(options.sourceFactories ? [options.sourceFactories] : []),
    );
  } catch (e) {
    await storage.close();
    throw e;
  }
  const sourceDeps = new Map<string, AppDeps>();
  for (const src of sources.sources())
    if (src.port)
      sourceDeps.set(src.name, {
        ...shared,
        jira: src.port,
        ...(src.ticketUrl ? { issueUrl: (key: string) => src.ticketUrl!(key) } : {}),
      });
  const depsOfSource = (src: TicketSource): AppDeps | null => sourceDeps.get(src.name) ?? null;
  for (const src of sources.sources())
    if (src.auth?.scheme === 'none' && (src.parseEvent || src.mapSnapshot))
      log.warn(
        { source: src.name },
        'source webhooks are accepted without authentication (auth scheme none)',
      );

  const apiDeps = jiraDeps ?? redmineDeps ?? localDeps;
  jobsHolder.deps = apiDeps;

  const needJira = (): AppDeps => {
    if (!jiraDeps)
      throw new Error('no Jira is configured (REGLAMENT_JIRA_URL); the event is kept until one is');
    return jiraDeps;
  };

  const handle = async (item: WorkItem): Promise<void> => {
    // The generic webhooks' snapshots (parsed once, in processGenericItem: issue #14).
    if (item.source === 'generic' && item.type === 'snapshot')
      return processGenericItem(localDeps, tickets, item);
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(item.payload) as Record<string, unknown>;
    } catch {
      throw new PermanentError('stored payload is not JSON');
    }
    // The item's payload is parsed once (a single event's item is that event: issue #14).
    const parsed = { text: item.payload, value: payload };
    const str = (k: string): string => {
      const v = payload[k];
      if (typeof v !== 'string' || v === '') throw new PermanentError(`stored payload lacks ${k}`);
      return v;
    };
    switch (`${item.source}/${item.type}`) {
      case 'jira/issue':
        await onIssueChange(needJira(), str('key'));
        return;
      case 'redmine/issue':
        if (!redmineDeps)
          throw new Error('no Redmine is configured (REGLAMENT_REDMINE_URL); the event is kept until one is');
        await onIssueChange(redmineDeps, str('key'));
        return;
      case 'jira/issue-deleted': {
        // Jira webhooks may be unsigned: the record goes only when Jira itself says the issue is gone.
        const deps = needJira();
        const key = str('key');
        if (!jira?.issueExists) throw new PermanentError('the Jira port cannot confirm a deletion');
        if (await jira.issueExists(key)) {
          log.warn({ key }, 'a deletion event for an issue Jira still has: ignored (forged or stale)');
          await onIssueChange(deps, key);
          return;
        }
        await onIssueDeleted(deps, key);
        return;
      }
      case 'jira/link':
        await onIssueChange(needJira(), str('source'));
        await onIssueChange(needJira(), str('destination'));
        return;
      case 'notify/send': {
        const sent = await sendNotification(store.getSettingsSync(), payload, now);
        metrics.notifications.inc({ kind: sent });
        return;
      }
      case 'notify/digest': {
        const payloads = item.events.map((e) => JSON.parse(e.payload) as Record<string, unknown>);
        const sent = await sendDigest(store.getSettingsSync(), payloads, item.events[0]!.receivedMs, now);
        metrics.notifications.inc({ kind: sent });
        return;
      }
      case 'jira/version':
        jira?.forgetVersions?.(str('projectId'));
        await onVersionChange(needJira(), { projectId: str('projectId'), versionId: str('versionId') });
        return;
      default: {
        // Issue #18: events of the declared sources.
        if (await handleSourceItem(sources, depsOfSource, item, now)) return;
        if (item.type === 'snapshot' && sources.get(item.source)) {
          const generic =
            newestGeneric(
              item.events.map((e) => e.payload),
              parsed,
            ) ?? readGenericPayload(payload);
          if (typeof generic.snapshot?.key !== 'string')
            throw new PermanentError('stored payload lacks the snapshot');
          await processGeneric(localDeps, tickets, generic);
          return;
        }
        throw new PermanentError(`unknown event ${item.source}/${item.type}`);
      }
    }
  };

  // Issue #14: on a SQLite file, the generic webhooks' events are stored and processed by the ingest
  // thread (the second core); the main thread's worker takes every other source. Only with background
  // work (tests drive the worker themselves), a real clock (the thread has its own), and not in the
  // demo (its living tickets are written by the main thread).
  const threaded =
    options.background !== false &&
    storage.kind === 'sqlite' &&
    config.inbox.thread === 'on' &&
    options.now === undefined &&
    !demo &&
    !(storage as SqliteStorage).db.memory;
  const THREAD_SOURCES = ['generic'];
  const tuning: WorkerTuning = {
    maxAttempts: config.inbox.maxAttempts,
    retryBaseMs: config.inbox.retryBaseMs,
    retryMaxMs: config.inbox.retryMaxMs,
    leaseMs: config.inbox.leaseMs,
    concurrency: config.inbox.concurrency,
    batch: config.inbox.batch,
    pollMs: config.inbox.pollMs,
  };
  const workerLog: WorkerLog = {
    info: (o, m) => log.info(o, m),
    warn: (o, m) => log.warn(o, m),
    error: (o, m) => log.error(o, m),
  };
  // Issue #14: on PostgreSQL two workers by default, each claiming its own batches, so one batch's round
  // trips to the server overlap the other's (bench:server phase 3: 1,823-1,852 -> 2,498-2,512 events/s
  // processed); a SQLite file has one writer, so one there. Several workers (or instances) taking events
  // of the same issue is safe: a batch takes its issues' advisory locks, and the newest snapshot wins.
  const workerCount = config.inbox.workers ?? (storage.kind === 'postgres' ? 2 : 1);
  const newWorker = () =>
    new InboxWorker({
      inbox,
      handle,
      ...(threaded ? { claimSources: { except: THREAD_SOURCES } } : {}),
      metrics,
      log: workerLog,
      now,
      ...(options.random ? { random: options.random } : {}),
      // Re-read an issue once for several events of it; send a rule's digest items as one digest.
      coalesce: new Set(['snapshot', 'issue', 'digest']),
      ...tuning,
      ...(storage.group
        ? {
            grouped: {
              sources: new Set(['generic']),
              run: storage.group,
              ...(storage.unit ? { unit: storage.unit } : {}),
              // Not with the ingest thread: this worker's claims would then wait for the thread's write
              // lock (BEGIN IMMEDIATE) on every wake, holding the event loop.
              // PostgreSQL (issue #14): inside too, the claim being the transaction's row locks, so each
              // event's inbox row is written once (settled) instead of twice (claimed, then settled).
              // SQLite too since session 20: the claim is the batch transaction's write lock.
              claimInside: (storage.kind === 'sqlite' && !threaded) || storage.kind === 'postgres',
              claimHeld: (storage.kind === 'sqlite' && !threaded) || storage.kind === 'postgres',
            },
          }
        : {}),
    });
  const worker = newWorker();
  /** Every worker of this process: `worker` first, then the extra ones (PostgreSQL only). */
  const workers = [worker, ...Array.from({ length: workerCount - 1 }, newWorker)];
  const wakeAll = () => {
    for (const w of workers) w.wake();
  };
  wakeWorker.wake = wakeAll;
  const localCommit = new GroupCommit(storage, inbox, now);
  // The routes' way to store an accepted event: through the ingest thread while it runs, else here.
  const commit: Pick<GroupCommit, 'add'> = {
    add: (event) => (ingest?.usable() ? ingest.add(event) : localCommit.add(event)),
  };

  // Rows a dead process left 'processing' go back to the queue (one process owns the SQLite file).
  // On PostgreSQL other instances may hold them: their leases expire instead.
  if (storage.singleProcess) {
    const released = await inbox.releaseAll(now());
    if (released > 0) log.warn({ released }, 'resumed inbox events left in processing by a previous run');
  }

  let seed: DemoSeedResult | null = null;
  if (demo) {
    seed = await seedDemo({ deps: localDeps, tickets, store, docs: storage, now: now() });
    if (seed.created > 0) log.info({ tickets: seed.created }, 'demo data created');
  }
  if (!demo && !config.jira.webhookSecret && !config.jira.webhookToken && config.jira.url)
    log.warn(
      {},
      'Jira webhooks are accepted without a signature: set REGLAMENT_JIRA_WEBHOOK_SECRET (Jira DC 10+) or REGLAMENT_JIRA_WEBHOOK_TOKEN',
    );

  let sweeping: Promise<SweepStatus> | null = null;
  let lastSweep: SweepStatus | null = null;
  // A due record the Jira search did not return: a service-held ticket is the local sweep's; any other
  // is re-read once (and its record deleted when Jira no longer has it).
  // Redmine's records are keyed `#<id>`: each source's sweep handles its own missing issues only.
  const isRedmineKey = (key: string): boolean => /^#\d+$/.test(key);
  const jiraMissing = async (key: string): Promise<void> => {
    if (!jiraDeps || isRedmineKey(key) || sources.ownerOf(key) || (await tickets.shownOf(key)) !== null)
      return;
    await onIssueChange(jiraDeps, key);
  };
  const runSweep = async (): Promise<void> => {
    if (jiraDeps) await sweep(jiraDeps, { onMissing: jiraMissing });
    if (redmineDeps) {
      const deps = redmineDeps;
      await sweep(deps, {
        onMissing: async (key) => {
          if (isRedmineKey(key)) await onIssueDeleted(deps, key);
        },
      });
    }
    // Each declared source with a port sweeps its own records (`owns`); a missing one is re-read.
    for (const src of sources.sources()) {
      const deps = sourceDeps.get(src.name);
      if (!deps) continue;
      await sweep(deps, {
        onMissing: async (key) => {
          if (src.owns(key)) await onIssueChange(deps, key);
        },
      });
    }
    // Records of Jira issues are the Jira sweep's: the local one leaves them alone.
    // With the ingest thread (SQLite), the service-held tickets' records are the thread's to write: it
    // sweeps them itself, between its batches, on its own connection.
    if (ingest?.usable()) {
      if ((await tickets.count()) > 0) await ingest.sweep();
      return;
    }
    // On PostgreSQL each batch of due records is one transaction with their rows read up front (PgBatch).
    const group = storage.kind === 'postgres' ? storage.group : null;
    if ((await tickets.count()) > 0)
      await sweep(localDeps, {
        onMissing: async () => undefined,
        ...(group
          ? {
              page: (keys, fn) =>
                group(
                  fn,
                  keys.map((subject) => ({ subject })),
                ),
            }
          : {}),
      });
  };
  const sweepNow = async (): Promise<SweepStatus> => {
    if (sweeping) return sweeping;
    sweeping = (async (): Promise<SweepStatus> => {
      try {
        // Several instances on one PostgreSQL: one sweeps, the others skip this round.
        const ran = await storage.exclusive('sweep', runSweep);
        if (!ran) {
          log.info({}, 'sweep skipped: another instance is sweeping the same database');
          return { atMs: now(), ok: true, skipped: true };
        }
        metrics.sweeps.inc();
        lastSweep = { atMs: now(), ok: true };
      } catch (e) {
        lastSweep = { atMs: now(), ok: false, error: (e as Error).message ?? String(e) };
        log.warn({ err: e }, 'sweep failed; the next one retries');
      } finally {
        sweeping = null;
      }
      return lastSweep!;
    })();
    return sweeping;
  };

  const auth = await createAuth({ config, docs: storage, now, demo });
  // First start: a local administrator with a random password (printed once, kept in the data dir).
  const initialAdmin = await auth.accounts.bootstrap(dataDirOf(config, options.cwd));
  if (initialAdmin)
    log.warn(
      { user: initialAdmin.name, file: initialAdmin.file },
      'created the first administrator account; its password is in the file (sign in at /login; replace it with POST /auth/accounts)',
    );
  await registerAuth(app, auth);

  registerRoutes(app, {
    auth,
    config,
    // The health probe's write goes to the SQLite ingest thread while it runs: on the serving
    // connection it waited for the thread's write lock with the event loop held (issue #14).
    storage: {
      ping: () => storage.ping(),
      probeWrite: (nowMs: number) =>
        ingest?.usable() ? ingest.probeWrite(nowMs) : storage.probeWrite(nowMs),
      kind: storage.kind,
      ...(storage.file !== undefined ? { file: storage.file } : {}),
    },
    store,
    inbox,
    commit,
    tickets,
    worker,
    metrics,
    demo,
    jira,
    localDeps,
    apiDeps,
    now,
    staticDir: options.staticDir ?? defaultStaticDir(),
    sampleKeys: () => seed?.sampleKeys ?? [],
    lastSweep: () => lastSweep,
    sources,
    // An agent's action on a service-held ticket reads and writes its record: one transaction while
    // the ingest thread may write the same record (Jira's and Redmine's actions go over the network).
    ingest: () =>
      ingest?.usable()
        ? 'thread'
        : ingestFailure
          ? `main (the ingest thread failed: ${ingestFailure})`
          : 'main',
    serializeAction: (fn) => (apiDeps === localDeps ? writesSerialized(fn) : fn()),
  });

  let polling: Promise<number> | null = null;
  const pollRedmineNow = (): Promise<number> => {
    if (!redmine) return Promise.resolve(0);
    const port = redmine;
    polling ??= (async () => {
      try {
        const { enqueued } = await pollRedmine({
          port,
          docs: storage,
          inbox,
          now,
          initialDays: config.redmine.initialDays,
        });
        if (enqueued > 0) wakeAll();
        return enqueued;
      } finally {
        polling = null;
      }
    })();
    return polling;
  };

  // Issue #18: the declared sources that can be polled, each with its own cursor document.
  const sourcePolls = new Map<string, Promise<number>>();
  const pollOne = (src: TicketSource): Promise<number> => {
    let p = sourcePolls.get(src.name);
    if (!p) {
      p = (async () => {
        try {
          const n = await pollSource({ source: src, docs: storage, inbox, now });
          if (n > 0) wakeAll();
          return n;
        } catch (e) {
          sources.noteError(src.name, now(), `poll: ${(e as Error).message ?? String(e)}`);
          throw e;
        } finally {
          sourcePolls.delete(src.name);
        }
      })();
      sourcePolls.set(src.name, p);
    }
    return p;
  };
  const pollSourcesNow = async (): Promise<number> => {
    let n = 0;
    for (const src of sources.sources()) if (src.poll) n += await pollOne(src);
    return n;
  };

  const timers: NodeJS.Timeout[] = [];
  if (options.background !== false) {
    if (threaded) {
      const sqlite = storage as SqliteStorage;
      // A main-thread write waiting for the lock makes the thread hold its next batch back (session 18).
      const writeTurn = new SharedArrayBuffer(4);
      shareWriteTurn(sqlite.db, new Int32Array(writeTurn));
      ingest = new IngestHost({
        data: {
          file: sqlite.db.name,
          synchronous: config.sqliteSync,
          sources: THREAD_SOURCES,
          inbox: tuning,
          writeTurn,
        },
        metrics,
        log: workerLog,
        wakeMain: () => worker.wake(),
        onFailure: (e) => {
          ingestFailure = e.message;
          // Nothing is lost: accepted events are in the inbox; the main thread takes them from here.
          log.error({ err: e }, 'the ingest thread failed; the main thread stores and processes all events');
          worker.claimAll();
          worker.companion = null;
          worker.wake();
        },
      });
      worker.companion = (maxSilenceMs) => ingest!.alive(maxSilenceMs);
      await ingest.whenReady().catch(() => undefined);
    }
    // /healthz and /readyz include the extra workers: one whose loop stopped turning is a stalled service.
    if (workers.length > 1)
      worker.companion = (maxSilenceMs) => workers.slice(1).every((w) => w.alive(maxSilenceMs));
    for (const w of workers) w.start();
    // On start: what the settings name that the Jira site lacks (issue types, priorities) is logged
    // (scans skip missing issue types; the admin page lists them too).
    if (jiraDeps) {
      const deps = jiraDeps;
      void (async () => {
        try {
          const problems = siteProblems(await deps.store.getSettings(), await siteCatalog(deps.jira));
          if (problems.length > 0)
            log.warn(
              { problems: problems.map((p) => `${p.path}: ${p.message}`) },
              'the settings name issue types or priorities this Jira site lacks: fix them on the admin page',
            );
        } catch (e) {
          log.warn({ err: e }, 'could not check the settings against the Jira site');
        }
      })();
    }
    if (redmine && config.redmine.pollSeconds > 0) {
      const poll = () =>
        void pollRedmineNow().catch((e: unknown) =>
          log.warn({ err: e }, 'polling Redmine failed; the next poll retries'),
        );
      poll();
      timers.push(setInterval(poll, config.redmine.pollSeconds * 1000));
    }
    for (const src of sources.sources()) {
      const seconds = sources.configOf(src.name)?.pollSeconds ?? 60;
      if (!src.poll || seconds <= 0) continue;
      const poll = () =>
        void pollOne(src).catch((e: unknown) =>
          log.warn({ err: e, source: src.name }, 'polling a source failed; the next poll retries'),
        );
      poll();
      timers.push(setInterval(poll, seconds * 1000));
    }
    if (config.sweepMinutes > 0)
      timers.push(setInterval(() => void sweepNow(), config.sweepMinutes * 60_000));
    if (config.inbox.retentionDays > 0) {
      const prune = async () => {
        try {
          const n = await inbox.prune(now() - config.inbox.retentionDays * 86_400_000);
          if (n > 0) log.info({ pruned: n }, 'pruned processed inbox events past retention');
        } catch (e) {
          log.warn({ err: e }, 'pruning the inbox failed; the next one retries');
        }
      };
      void prune();
      timers.push(setInterval(() => void prune(), 3_600_000));
    }
    for (const t of timers) t.unref();
  }

  let closing: Promise<void> | null = null;
  const service = {
    app,
    config,
    storage,
    db: storage.db,
    store,
    inbox,
    tickets,
    worker,
    workers,
    ingestThread: () => (ingest?.usable() ? ingest : null),
    metrics,
    demo,
    localDeps,
    jiraDeps,
    redmineDeps,
    pollRedmineNow,
    sources,
    pollSourcesNow,
    apiDeps,
    seed,
    auth,
    initialAdmin,
    sweepNow,
    async listen() {
      return app.listen({ port: config.port, host: config.host });
    },
    close() {
      closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        await app.close();
        await ingest?.stop();
        for (const w of workers) await w.stop();
        if (sweeping) await sweeping.catch(() => undefined);
        if (polling) await polling.catch(() => undefined);
        for (const p of sourcePolls.values()) await p.catch(() => undefined);
        const last = jobs.last;
        if (last) await last.catch(() => undefined);
        await storage.close();
      })();
      return closing;
    },
  };
  // The caller's `S` names the storage it expects (it chose it with `databaseUrl`).
  return service as unknown as Service<S>;
}
