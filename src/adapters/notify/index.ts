/**
 * The notification channels (issue #16), one adapter behind one function: e-mail over SMTP
 * (nodemailer), a Slack-compatible chat webhook (`{"text": …}`, accepted by Slack, Mattermost and
 * Rocket.Chat), and a signed outgoing webhook (the same `X-Reglament-Timestamp` /
 * `X-Reglament-Signature` scheme as our incoming generic webhook). A failure says whether trying again
 * can help (`DeliveryError.permanent`): the outbox retries the others with backoff.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import { signTimestamped } from '../../app/webhook';
import type { Channel, Deliverable } from '../../domain/notify';

export type { Deliverable };

export class DeliveryError extends Error {
  constructor(
    message: string,
    /** True when a retry cannot help (a refused address, a 4xx answer other than 408/429). */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface DeliveryOptions {
  /** Per attempt (connect + send), default 15 s. */
  timeoutMs?: number;
  /** Wall clock in ms (the webhook timestamp). */
  now?: () => number;
}

/**
 * Sends one message through a channel.
 * @throws DeliveryError (permanent or not)
 */
export async function deliver(
  channel: Channel,
  message: Deliverable,
  options: DeliveryOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (channel.kind === 'email') return sendEmail(channel, message, timeoutMs);
  if (channel.kind === 'chat') {
    const link =
      typeof message.event.url === 'string'
        ? `\n<${message.event.url}|${String(message.event.issueKey)}>`
        : '';
    return post(
      channel.url,
      JSON.stringify({ text: `*${message.subject}*\n${message.text.split('\n')[0]}${link}` }),
      {},
      timeoutMs,
    );
  }
  const body = JSON.stringify({ id: message.id, ...message.event });
  const now = options.now ?? Date.now;
  return post(
    channel.url,
    body,
    { ...signTimestamped(channel.secret, body, now() / 1000), 'x-reglament-delivery': message.id },
    timeoutMs,
  );
}

async function sendEmail(
  channel: Extract<Channel, { kind: 'email' }>,
  m: Deliverable,
  timeoutMs: number,
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.secure,
    ...(channel.user ? { auth: { user: channel.user, pass: channel.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      // One Message-ID per outbox message: a resend after a lost answer is recognisable as the same mail.
      messageId: `<${m.id.replace(/[^A-Za-z0-9._-]/g, '.')}.${randomUUID().slice(0, 8)}@reglament>`,
      headers: { 'X-Reglament-Notification': m.id },
    });
  } catch (e) {
    const err = e as { responseCode?: number; code?: string; message?: string };
    // SMTP 5xx: the server refused for good (unknown mailbox, rejected sender); 4xx and network: later.
    const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
    throw new DeliveryError(`SMTP ${channel.host}:${channel.port}: ${err.message ?? String(e)}`, permanent);
  } finally {
    transport.close();
  }
}

async function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    throw new DeliveryError(`POST ${redact(url)}: ${(e as Error).message}`, false);
  }
  // Read the answer so the connection is freed; its text helps the admin.
  const answer = (await res.text().catch(() => '')).slice(0, 200);
  if (res.ok) return;
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
  throw new DeliveryError(`POST ${redact(url)}: HTTP ${res.status}${answer ? ` ${answer}` : ''}`, permanent);
}

/** A webhook URL's path often is its secret (Slack, Mattermost): logs get the origin only. */
export function redact(url: string): string {
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}
