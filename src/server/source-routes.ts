/**
 * Issue #18: HTTP routes of the declared sources (src/server/sources.ts).
 *
 *   POST /webhooks/<name>        a delivery of source <name> (its own auth scheme and payload) →
 *                                202 `{ accepted, events }` (tickets queued), or for a snapshot source
 *                                (generic) 200 `{ verdict, event }` like /webhooks/generic
 *   GET  /admin/sources          the sources (implicit and declared; secrets never shown), their
 *                                webhook URL, auth scheme, field mapping and last delivery / error
 *   POST /admin/sources/test     `{ mapping?, source?, payload }` → the mapped snapshot and its verdict,
 *                                or the problems (field and value) — the admin page's "Test" button
 *
 * /webhooks/jira and /webhooks/generic keep their own handlers (the implicit sources); fastify
 * prefers those static routes to the parametric one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SourcePayloadError, type IncomingDelivery, type TicketSource } from '../app/source';
import { verifyDelivery } from '../app/webhook-auth';
import { checkGenericWebhook, deliveryIdOf, genericTicket } from '../app/webhook';
import { isStale } from '../app/ledger';
import type { Settings } from '../app/ports';
import { evaluateMapping } from './generic-source';
import type { RouteContext } from './routes';
import { bodyDigest } from './signature';
import { parseDeliveryBody, sourceEventKey, type SourceIssuePayload, type SourceRegistry } from './sources';

type Reject = (
  reply: FastifyReply,
  source: string,
  status: number,
  reason: string,
  message: string,
  extra?: Record<string, unknown>,
) => FastifyReply;

export interface SourceRouteOptions {
  registry: SourceRegistry;
  settings: () => Settings;
  reject: Reject;
  bodyOf: (req: FastifyRequest) => Buffer;
  routeConfig: object;
}

function deliveryOf(req: FastifyRequest, body: Buffer, nowMs: number): IncomingDelivery {
  return {
    headers: req.headers,
    rawBody: body,
    query: (req.query ?? {}) as Record<string, string | undefined>,
    nowMs,
  };
}

const payloadProblem = (e: SourcePayloadError) => ({
  path: e.field,
  message: e.message,
  ...(e.value !== undefined ? { value: e.value } : {}),
});

/** Maps, validates and evaluates a snapshot source's body (the webhook and the admin page's test). */
async function mappedVerdict(
  source: Pick<TicketSource, 'mapSnapshot'>,
  body: unknown,
  settings: Settings,
  nowMs: number,
) {
  const snapshot = await source.mapSnapshot!(body);
  return {
    snapshot,
    checked: checkGenericWebhook({
      headers: {},
      body: JSON.stringify(snapshot),
      settings: { ...settings, webhookSecret: settings.webhookSecret ?? 'checked-by-the-source' },
      now: nowMs,
      signatureChecked: true,
    }),
  };
}

/** Registers POST /webhooks/:name inside the webhook scope (raw bodies). */
export function registerSourceWebhooks(
  scope: FastifyInstance,
  ctx: RouteContext,
  o: SourceRouteOptions,
): void {
  const { registry, reject } = o;
  scope.post<{ Params: { name: string } }>(
    '/webhooks/:name',
    { config: o.routeConfig },
    async (req, reply) => {
      const name = req.params.name;
      const source = registry.get(name);
      if (!source)
        return reject(
          reply,
          'unknown',
          404,
          'unknown-source',
          `no source named ${JSON.stringify(name.slice(0, 40))} is configured (sources: ${['jira', 'generic', ...registry.sources().map((s) => s.name)].join(', ')})`,
        );
      const nowMs = ctx.now();
      const body = o.bodyOf(req);
      const delivery = deliveryOf(req, body, nowMs);
      const verified = verifyDelivery(source.auth ?? { scheme: 'none' }, delivery);
      if (!verified.ok) {
        registry.noteError(name, nowMs, `401 ${verified.message}`);
        return reject(reply, name, 401, verified.error, verified.message);
      }
      registry.noteDelivery(name, nowMs);
      let json: unknown;
      try {
        json = parseDeliveryBody(delivery);
      } catch (e) {
        if (!(e instanceof SourcePayloadError)) throw e;
        registry.noteError(name, nowMs, e.message);
        return reject(reply, name, 400, 'invalid-json', e.message);
      }

      // A snapshot source: the body is the ticket's state (mapped), evaluated now, answered with the verdict.
      if (!source.parseEvent && source.mapSnapshot) {
        let result;
        try {
          result = await mappedVerdict(source, json, o.settings(), nowMs);
        } catch (e) {
          if (!(e instanceof SourcePayloadError)) throw e;
          registry.noteError(name, nowMs, e.message);
          return reject(reply, name, 400, 'invalid-payload', e.message, { problems: [payloadProblem(e)] });
        }
        const { checked } = result;
        if (!checked.ok) {
          const text = `${checked.message}${checked.problems ? `: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` : ''}`;
          registry.noteError(name, nowMs, text);
          return reject(
            reply,
            name,
            checked.status,
            checked.error,
            checked.message,
            checked.problems
              ? { problems: checked.problems, snapshot: result.snapshot }
              : { snapshot: result.snapshot },
          );
        }
        const { snapshot, verdict } = checked;
        const id = deliveryIdOf(req.headers);
        const key = sourceEventKey(name, { key: snapshot.key }, body, id);
        if (await isStale(ctx.localDeps, genericTicket(snapshot))) {
          ctx.metrics.duplicates.inc({ source: name });
          return reply.code(200).send({ stale: true, verdict, event: { id: key, duplicate: false } });
        }
        const fresh = await ctx.commit.add({
          key,
          source: name,
          type: 'snapshot',
          subject: snapshot.key,
          payload: JSON.stringify({ snapshot, verdict, bodySha256: bodyDigest(body) }),
        });
        if (fresh) {
          ctx.metrics.accepted.inc({ source: name });
          ctx.worker.wake();
        } else ctx.metrics.duplicates.inc({ source: name });
        return reply.code(200).send({ verdict, event: { id: key, duplicate: !fresh } });
      }

      if (!source.parseEvent)
        return reject(
          reply,
          name,
          405,
          'not-a-webhook-source',
          `source ${name} is polled; it takes no webhooks`,
        );
      let events;
      try {
        events = source.parseEvent(json, delivery);
      } catch (e) {
        if (!(e instanceof SourcePayloadError)) throw e;
        registry.noteError(name, nowMs, e.message);
        return reject(reply, name, 400, 'invalid-payload', e.message, { problems: [payloadProblem(e)] });
      }
      if (events.length === 0) {
        ctx.metrics.ignored.inc({ source: name, reason: 'no-ticket' });
        return reply.code(200).send({ accepted: false, ignored: 'the delivery names no ticket' });
      }
      const id = deliveryIdOf(req.headers);
      const stored = await Promise.all(
        events.map(async (ev) => {
          const key = sourceEventKey(name, ev, body, id);
          const fresh = await ctx.commit.add({
            key,
            source: name,
            type: ev.deleted ? 'issue-deleted' : 'issue',
            subject: `${name}:${ev.key}`,
            payload: JSON.stringify({
              key: ev.key,
              ...(ev.type ? { type: ev.type } : {}),
              ...(ev.occurredAt ? { occurredAt: ev.occurredAt } : {}),
            } satisfies SourceIssuePayload),
          });
          (fresh ? ctx.metrics.accepted : ctx.metrics.duplicates).inc({ source: name });
          return { id: key, key: ev.key, duplicate: !fresh };
        }),
      );
      if (stored.some((s) => !s.duplicate)) ctx.worker.wake();
      return reply.code(202).send({ accepted: true, events: stored });
    },
  );
}

/** GET /admin/sources and POST /admin/sources/test (administrator). */
export function registerSourceAdmin(
  app: FastifyInstance,
  ctx: RouteContext,
  registry: SourceRegistry,
  requireAdmin: (req: FastifyRequest, reply: FastifyReply) => boolean,
  sendError: (
    reply: FastifyReply,
    status: number,
    error: string,
    message: string,
    extra?: Record<string, unknown>,
  ) => FastifyReply,
): void {
  // The implicit sources' own routes (/webhooks/jira, /webhooks/generic) report their traffic here too.
  app.addHook('onSend', (req, reply, payload, done) => {
    const m = req.method === 'POST' ? /^\/webhooks\/(jira|generic)(?:[?/]|$)/.exec(req.url) : null;
    if (m) {
      const name = m[1]!;
      if (reply.statusCode < 400) registry.noteDelivery(name, ctx.now());
      else {
        let message = `HTTP ${reply.statusCode}`;
        if (typeof payload === 'string')
          try {
            const body = JSON.parse(payload) as { message?: unknown };
            if (typeof body.message === 'string') message = `${reply.statusCode} ${body.message}`;
          } catch {
            // not JSON: the status says enough
          }
        registry.noteError(name, ctx.now(), message);
      }
    }
    done(null, payload);
  });

  app.get('/admin/sources', async (req, reply) => {
    if (!requireAdmin(req, reply)) return reply;
    const base = ctx.config.publicUrl?.replace(/\/+$/, '') ?? '';
    return reply.send({
      sources: registry.list().map((s) => ({
        ...s,
        webhookUrl: s.webhookPath ? `${base}${s.webhookPath}` : null,
      })),
    });
  });

  app.post<{ Body: { mapping?: unknown; source?: unknown; payload?: unknown } }>(
    '/admin/sources/test',
    async (req, reply) => {
      if (!requireAdmin(req, reply)) return reply;
      // JSON only: a cross-site form or text/plain POST cannot reach it.
      if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
        return sendError(
          reply,
          415,
          'unsupported-media-type',
          `the body must be JSON (Content-Type: application/json), got ${JSON.stringify(req.headers['content-type'] ?? null)}`,
        );
      const b = (req.body ?? {}) as { mapping?: unknown; source?: unknown; payload?: unknown };
      if (b.mapping !== undefined && typeof b.mapping !== 'string')
        return sendError(
          reply,
          400,
          'invalid-request',
          `mapping must be a JSONata expression (text), got ${JSON.stringify(b.mapping).slice(0, 40)}`,
        );
      if (b.source !== undefined && (typeof b.source !== 'string' || !registry.get(b.source)?.mapSnapshot))
        return sendError(
          reply,
          400,
          'invalid-request',
          `source must name a configured generic source, got ${JSON.stringify(b.source).slice(0, 40)}`,
        );
      if (b.payload === undefined)
        return sendError(
          reply,
          400,
          'invalid-request',
          'payload (the sample JSON the system sends) is required',
        );
      const nowMs = ctx.now();
      const configured = typeof b.source === 'string' ? registry.get(b.source) : undefined;
      const prefix = typeof b.source === 'string' ? registry.configOf(b.source)?.keyPrefix : undefined;
      const mapper: Pick<TicketSource, 'mapSnapshot'> =
        typeof b.mapping === 'string'
          ? {
              mapSnapshot: async (body) => {
                const s = (await evaluateMapping(b.mapping as string, body, nowMs)) as Record<
                  string,
                  unknown
                >;
                return prefix && typeof s.key === 'string' && !s.key.startsWith(prefix)
                  ? { ...s, key: `${prefix}${s.key}` }
                  : s;
              },
            }
          : (configured ?? { mapSnapshot: async (body) => body });
      try {
        const { snapshot, checked } = await mappedVerdict(
          mapper,
          b.payload,
          ctx.store.getSettingsSync(),
          nowMs,
        );
        if (!checked.ok)
          return reply.send({
            ok: false,
            snapshot,
            message: checked.message,
            problems: checked.problems ?? [],
          });
        return reply.send({ ok: true, snapshot: checked.snapshot, verdict: checked.verdict });
      } catch (e) {
        if (!(e instanceof SourcePayloadError)) throw e;
        return reply.send({ ok: false, snapshot: null, message: e.message, problems: [payloadProblem(e)] });
      }
    },
  );
}
