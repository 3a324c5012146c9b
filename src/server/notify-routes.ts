/**
 * Administration of notifications (issue #16), administrator only:
 *
 *   GET  /admin/notifications            the channels (secrets masked), the rules and the outbox:
 *                                        counts by status and the messages waiting or failed
 *   POST /admin/notifications/test       sends a sample message through a channel now: `{ channel, to?, language? }`
 *   GET  /admin/notifications/preview    a sample message rendered: `?trigger=breached&language=ru`
 *   GET  /admin/notifications/preview.html  its HTML as a page (the admin page's preview frame), open
 *                                        to whoever may call previewNotification (a sample, no data)
 *
 * A failed message is retried with POST /admin/inbox/retry (its key is `notify:<id>`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DeliveryError, deliver } from '../adapters/notify';
import type { InboxEvent, InboxStatus } from '../adapters/sql';
import type { Locale } from '../domain/codes';
import {
  EMPTY_NOTIFICATIONS,
  redactNotifications,
  renderNotification,
  sampleEvent,
  TRIGGERS,
  type Trigger,
} from '../domain/notify';
import type { RouteContext } from './routes';
import { outboxItem } from './notify';

type SendError = (reply: FastifyReply, status: number, error: string, message: string) => FastifyReply;

const isTrigger = (v: unknown): v is Trigger => (TRIGGERS as readonly unknown[]).includes(v);
const isLocale = (v: unknown): v is Locale => v === 'ru' || v === 'en';

export function registerNotifyRoutes(
  app: FastifyInstance,
  ctx: RouteContext,
  requireAdmin: (req: FastifyRequest, reply: FastifyReply) => boolean,
  sendError: SendError,
  mayPreview: (req: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  app.get('/admin/notifications', async (req, reply) => {
    if (!requireAdmin(req, reply)) return reply;
    const config = ctx.store.getSettingsSync().notifications ?? EMPTY_NOTIFICATIONS;
    const listed = async (status: InboxStatus): Promise<InboxEvent[]> =>
      (await ctx.inbox.list(status, 500)).filter((e) => e.source === 'notify');
    const row = outboxItem;
    return reply.send({
      ...redactNotifications(config),
      outbox: {
        pending: (await listed('pending')).map(row),
        failed: (await listed('failed')).map(row),
      },
    });
  });

  app.get<{ Querystring: { trigger?: string; language?: string } }>(
    '/admin/notifications/preview',
    async (req, reply) => {
      if (!requireAdmin(req, reply)) return reply;
      const trigger = req.query.trigger ?? 'breached';
      const language = req.query.language ?? 'ru';
      if (!isTrigger(trigger))
        return sendError(
          reply,
          400,
          'invalid-request',
          `trigger must be one of ${TRIGGERS.join(', ')}, got ${JSON.stringify(trigger)}`,
        );
      if (!isLocale(language))
        return sendError(
          reply,
          400,
          'invalid-request',
          `language must be ru or en, got ${JSON.stringify(language)}`,
        );
      const zone = ctx.store.getSettingsSync().calendar.zone;
      return reply.send(renderNotification(sampleEvent(trigger, ctx.now(), zone), language, 'preview'));
    },
  );

  // The HTML of a sample message as a page of its own, for the admin page's preview frame: our CSP
  // forbids framing (frame-ancestors 'none'), so this one page allows its own origin and nothing else.
  // It is a sample (no record's data), open to whoever may call previewNotification, whose text the
  // same panel shows: an anonymous reader's read-only admin page frames it too.
  app.get<{ Querystring: { trigger?: string; language?: string } }>(
    '/admin/notifications/preview.html',
    async (req, reply) => {
      if (!mayPreview(req, reply)) return reply;
      const trigger = req.query.trigger ?? 'breached';
      const language = req.query.language ?? 'ru';
      if (!isTrigger(trigger) || !isLocale(language))
        return sendError(
          reply,
          400,
          'invalid-request',
          `unknown trigger or language: ${JSON.stringify([trigger, language])}`,
        );
      const zone = ctx.store.getSettingsSync().calendar.zone;
      const r = renderNotification(sampleEvent(trigger, ctx.now(), zone), language, 'preview')!;
      return reply
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'",
        )
        .header('x-frame-options', 'SAMEORIGIN')
        .type('text/html; charset=utf-8')
        .send(r.html);
    },
  );

  app.post<{ Body: { channel?: unknown; to?: unknown; language?: unknown } }>(
    '/admin/notifications/test',
    async (req, reply) => {
      if (!requireAdmin(req, reply)) return reply;
      const body = (req.body ?? {}) as { channel?: unknown; to?: unknown; language?: unknown };
      const config = ctx.store.getSettingsSync().notifications ?? EMPTY_NOTIFICATIONS;
      const channel = config.channels.find((c) => c.id === body.channel);
      if (!channel)
        return sendError(
          reply,
          400,
          'invalid-request',
          `channel must be the id of a configured channel, got ${JSON.stringify(body.channel)}`,
        );
      const language = body.language ?? 'ru';
      if (!isLocale(language))
        return sendError(
          reply,
          400,
          'invalid-request',
          `language must be ru or en, got ${JSON.stringify(body.language)}`,
        );
      const to = body.to ?? [];
      if (!Array.isArray(to) || !to.every((a) => typeof a === 'string'))
        return sendError(reply, 400, 'invalid-request', 'to must be a list of e-mail addresses');
      if (channel.kind === 'email' && to.length === 0)
        return sendError(reply, 400, 'invalid-request', 'to: a test e-mail needs at least one address');
      const now = ctx.now();
      const event = sampleEvent('breached', now, ctx.store.getSettingsSync().calendar.zone);
      const rendered = renderNotification(event, language, 'test')!;
      try {
        await deliver(channel, {
          id: event.eventId,
          to: to as string[],
          ...rendered,
          event: {
            type: 'test',
            issueKey: event.issueKey,
            at: new Date(now).toISOString(),
            text: rendered.text.split('\n')[0],
          },
        });
      } catch (e) {
        const message = e instanceof DeliveryError ? e.message : (e as Error).message;
        return reply.code(502).send({ ok: false, error: 'delivery-failed', message });
      }
      return reply.send({ ok: true });
    },
  );
}
