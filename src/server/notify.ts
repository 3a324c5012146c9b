/**
 * Notifications in the service (issue #16): the outbox is the inbox table (source `notify`, key
 * `notify:<message id>`), so a message is stored before it is sent, retried with the inbox's backoff,
 * kept as `failed` when its attempts are exhausted (the admin retries it), never pruned (the row is
 * what makes it go out once, ever), and held until `notBeforeMs` under quiet hours.
 */
import { DeliveryError, deliver, type Deliverable } from '../adapters/notify';
import type { OutboxItem } from '../contract/api';
import type { InboxEvent, InboxStatus } from '../adapters/sql';
import type { NotifyAdmin, NotifyOutbox } from '../app/notify';
import type { Settings } from '../app/ports';
import { calendarFor } from '../app/calendars';
import type { Locale } from '../domain/codes';
import { renderDigest, type ChannelKind, type DigestItem } from '../domain/notify';
import type { InboxPort } from './storage';
import { PermanentError } from './worker';

export function notifyOutbox(inbox: Pick<InboxPort, 'enqueueBatch'>, now: () => number): NotifyOutbox {
  return {
    async enqueue(items) {
      if (items.length === 0) return 0;
      const added = await inbox.enqueueBatch(
        items.map(({ message, notBeforeMs }) => ({
          key: `notify:${message.id}`,
          source: 'notify',
          // A digest's items share a subject (rule and sending instant): the worker takes them as one.
          type: message.digest ? 'digest' : 'send',
          subject: message.digest ? `digest:${message.rule}:${notBeforeMs}` : `notify:${message.id}`,
          payload: JSON.stringify({
            id: message.id,
            rule: message.rule,
            channel: message.channel,
            to: message.to,
            subject: message.subject,
            text: message.text,
            html: message.html,
            event: message.event,
            language: message.language,
          }),
          notBeforeMs,
        })),
        now(),
      );
      return added.filter(Boolean).length;
    },
  };
}

/**
 * Sends a stored notification through its channel as configured now (a fixed SMTP password applies
 * to messages already waiting). A removed channel or a refusal for good is permanent; the rest retry.
 * @returns the channel's kind
 */
export async function sendNotification(
  settings: Settings,
  payload: Record<string, unknown>,
  now: () => number,
): Promise<ChannelKind> {
  const channelId = payload.channel;
  const channel = settings.notifications?.channels.find((c) => c.id === channelId);
  if (!channel)
    throw new PermanentError(`notification channel ${JSON.stringify(channelId)} is not configured any more`);
  const message: Deliverable = {
    id: String(payload.id),
    to: Array.isArray(payload.to) ? (payload.to as string[]) : [],
    subject: String(payload.subject ?? ''),
    text: String(payload.text ?? ''),
    html: String(payload.html ?? ''),
    event: (payload.event as Record<string, unknown>) ?? {},
  };
  try {
    await deliver(channel, message, { now });
  } catch (e) {
    if (e instanceof DeliveryError && e.permanent) throw new PermanentError(e.message);
    throw e;
  }
  return channel.kind;
}

/** An outbox row for the admin page. */
export function outboxItem(e: InboxEvent): OutboxItem {
  let p: { channel?: string; to?: string[]; subject?: string } = {};
  try {
    p = JSON.parse(e.payload) as typeof p;
  } catch {
    // shown without its fields
  }
  return {
    key: e.key,
    status: e.status,
    channel: p.channel ?? null,
    to: p.to ?? [],
    subject: p.subject ?? null,
    attempts: e.attempts,
    notBefore: new Date(e.nextAttemptMs).toISOString(),
    lastError: e.lastError,
  };
}

/** The outbox's administration over the inbox (notification rows only). */
export function notifyAdmin(
  inbox: Pick<InboxPort, 'list' | 'requeueFailed'>,
  now: () => number,
  wake: () => void,
): NotifyAdmin {
  const listed = async (status: InboxStatus): Promise<InboxEvent[]> =>
    (await inbox.list(status, 500)).filter((e) => e.source === 'notify');
  return {
    async list() {
      return {
        pending: (await listed('pending')).map(outboxItem),
        failed: (await listed('failed')).map(outboxItem),
      };
    },
    async retry(keys) {
      const chosen = keys ?? (await listed('failed')).map((e) => e.key);
      if (chosen.length === 0) return 0;
      const n = await inbox.requeueFailed(now(), chosen);
      wake();
      return n;
    },
    async send(channel, message) {
      await deliver(channel, message, { now });
    },
  };
}

/**
 * Sends a rule's digest: the stored items (one worker unit: the inbox events of one digest subject),
 * one message per recipient with the items addressed to them.
 * @returns the channel's kind
 */
export async function sendDigest(
  settings: Settings,
  payloads: readonly Record<string, unknown>[],
  receivedMs: number,
  now: () => number,
): Promise<ChannelKind> {
  const first = payloads[0];
  if (!first) throw new PermanentError('an empty digest');
  const channel = settings.notifications?.channels.find((c) => c.id === first.channel);
  if (!channel)
    throw new PermanentError(
      `notification channel ${JSON.stringify(first.channel)} is not configured any more`,
    );
  const language: Locale = first.language === 'en' ? 'en' : 'ru';
  const date = calendarFor(settings.calendar).dateOf(receivedMs);
  const items: DigestItem[] = payloads.map((p) => ({
    to: Array.isArray(p.to) ? (p.to as string[]) : [],
    subject: String(p.subject ?? ''),
    text: String(p.text ?? ''),
    html: String(p.html ?? ''),
    event: (p.event as Record<string, unknown>) ?? {},
  }));
  const rule = String(first.rule ?? '');
  for (const m of renderDigest(items, language, rule, date)) {
    try {
      await deliver(channel, { id: `digest:${rule}:${date}:${m.to.join(',')}`, ...m }, { now });
    } catch (e) {
      // A retry sends the whole digest again (a recipient may get it twice): rare, and nothing is lost.
      if (e instanceof DeliveryError && e.permanent) throw new PermanentError(e.message);
      throw e;
    }
  }
  return channel.kind;
}
