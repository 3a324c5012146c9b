/**
 * Notifications beyond the ticket system (issue #16): rules that say who hears of what, and through
 * which channel (e-mail, a Slack-compatible chat webhook, a signed outgoing webhook). Pure: the rules
 * are validated here, and an event (a clock at risk or breached, an error registered from a request,
 * a linked error fixed, a too-short visit notice) is planned into messages with deterministic ids, so
 * the shell can store each one once (the outbox) and send it later. Sending is an adapter's job
 * (src/adapters/notify/).
 */
import type { Locale } from './codes';
import type { ClockId } from './escalation';
import {
  CLOCK_NAMES,
  formatDate,
  formatDue,
  formatWorkingMinutes,
  issuePart,
  renderMessage,
  ruPlural,
  type Message,
} from './messages';

export const TRIGGERS = ['at-risk', 'breached', 'error-registered', 'error-fixed', 'visit-notice'] as const;
export type Trigger = (typeof TRIGGERS)[number];

/** Recipients by role, resolved per ticket (a role without an e-mail address is skipped and logged). */
export const ROLES = ['assignee', 'reporter', 'customer-contact', 'project-lead'] as const;
export type Role = (typeof ROLES)[number];

export const CHANNEL_KINDS = ['email', 'chat', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface EmailChannel {
  id: string;
  kind: 'email';
  /** SMTP server. */
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS is used when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** The sender, e.g. `Reglament <sla@example.com>`. */
  from: string;
}

/** Slack-compatible incoming webhook (`{"text": …}`): Slack, Mattermost, Rocket.Chat. */
export interface ChatChannel {
  id: string;
  kind: 'chat';
  url: string;
}

/** Signed outgoing webhook: the event and the verdict as JSON, signed like our incoming webhook. */
export interface WebhookChannel {
  id: string;
  kind: 'webhook';
  url: string;
  /** HMAC-SHA256 key: `X-Reglament-Signature: sha256=<hex of "<timestamp>.<body>">`. */
  secret: string;
}

export type Channel = EmailChannel | ChatChannel | WebhookChannel;

export interface NotificationRule {
  id: string;
  /** Project keys the rule applies to; empty = every project. */
  projects: string[];
  on: Trigger[];
  /** The channel's id. */
  channel: string;
  /** E-mail recipients: roles of the ticket and fixed addresses (ignored by chat and webhook channels). */
  roles: Role[];
  addresses: string[];
  language: Locale;
  /**
   * Outside working time (the settings' production calendar) the message waits for the next working
   * minute instead of going out at once.
   */
  quietHours: boolean;
  /**
   * Daily digest: the rule's messages of a day go out together, one per recipient, at the first
   * working minute of the next working day (instead of one message each, at once).
   */
  digest: boolean;
}

export interface NotificationsConfig {
  channels: Channel[];
  rules: NotificationRule[];
}

export const EMPTY_NOTIFICATIONS: Readonly<NotificationsConfig> = Object.freeze({ channels: [], rules: [] });

export interface Problem {
  path: string;
  message: string;
}
export type Result<T> = { ok: true; value: T } | { ok: false; errors: Problem[] };

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
// A pragmatic address check (the SMTP server has the last word): local@domain.tld, no spaces.
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function httpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The address inside `Name <a@b.c>`, or the text itself. */
export function bareAddress(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}

/**
 * Validates a notifications document (the admin's edit), naming the field and the value of each problem.
 * @example validateNotifications({ channels: [{ id: 'mail', kind: 'email', host: 'smtp', port: 25, secure: false, from: 'sla@example.com' }], rules: [] }).ok // true
 */
export function validateNotifications(value: unknown): Result<NotificationsConfig> {
  const errors: Problem[] = [];
  if (!isObject(value))
    return { ok: false, errors: [{ path: '', message: `must be an object, got ${show(value)}` }] };
  const channelsIn = value.channels ?? [];
  const rulesIn = value.rules ?? [];
  if (!Array.isArray(channelsIn))
    errors.push({ path: 'channels', message: `must be a list, got ${show(channelsIn)}` });
  if (!Array.isArray(rulesIn))
    errors.push({ path: 'rules', message: `must be a list, got ${show(rulesIn)}` });
  if (errors.length > 0) return { ok: false, errors };
  const channels: Channel[] = [];
  const ids = new Set<string>();
  (channelsIn as unknown[]).forEach((c, i) => {
    const at = `channels[${i}]`;
    if (!isObject(c)) return errors.push({ path: at, message: `must be an object, got ${show(c)}` });
    if (typeof c.id !== 'string' || !ID_RE.test(c.id))
      return errors.push({
        path: `${at}.id`,
        message: `must be 1–64 letters, digits, "_", "." or "-", got ${show(c.id)}`,
      });
    if (ids.has(c.id))
      return errors.push({ path: `${at}.id`, message: `duplicate channel id ${show(c.id)}` });
    ids.add(c.id);
    if (c.kind === 'email') {
      const before = errors.length;
      if (typeof c.host !== 'string' || c.host.trim() === '')
        errors.push({
          path: `${at}.host`,
          message: `must be the SMTP server's host name, got ${show(c.host)}`,
        });
      if (typeof c.port !== 'number' || !Number.isInteger(c.port) || c.port < 1 || c.port > 65535)
        errors.push({ path: `${at}.port`, message: `must be a port number 1–65535, got ${show(c.port)}` });
      if (c.secure !== undefined && typeof c.secure !== 'boolean')
        errors.push({ path: `${at}.secure`, message: `must be true or false, got ${show(c.secure)}` });
      if (typeof c.from !== 'string' || !EMAIL_RE.test(bareAddress(c.from)))
        errors.push({
          path: `${at}.from`,
          message: `must be an e-mail address (Name <a@b.c> allowed), got ${show(c.from)}`,
        });
      for (const k of ['user', 'password'] as const)
        if (c[k] !== undefined && typeof c[k] !== 'string')
          errors.push({ path: `${at}.${k}`, message: `must be text, got ${show(c[k])}` });
      if (errors.length === before)
        channels.push({
          id: c.id,
          kind: 'email',
          host: (c.host as string).trim(),
          port: c.port as number,
          secure: c.secure === true,
          from: c.from as string,
          ...(typeof c.user === 'string' && c.user !== '' ? { user: c.user } : {}),
          ...(typeof c.password === 'string' && c.password !== '' ? { password: c.password } : {}),
        });
    } else if (c.kind === 'chat') {
      if (!httpUrl(c.url))
        errors.push({ path: `${at}.url`, message: `must be an http(s) URL, got ${show(c.url)}` });
      else channels.push({ id: c.id, kind: 'chat', url: c.url as string });
    } else if (c.kind === 'webhook') {
      const before = errors.length;
      if (!httpUrl(c.url))
        errors.push({ path: `${at}.url`, message: `must be an http(s) URL, got ${show(c.url)}` });
      if (typeof c.secret !== 'string' || c.secret.length < 16)
        errors.push({ path: `${at}.secret`, message: 'must be a secret of at least 16 characters' });
      if (errors.length === before)
        channels.push({ id: c.id, kind: 'webhook', url: c.url as string, secret: c.secret as string });
    } else {
      errors.push({
        path: `${at}.kind`,
        message: `must be one of ${CHANNEL_KINDS.join(', ')}, got ${show(c.kind)}`,
      });
    }
    return undefined;
  });
  const rules: NotificationRule[] = [];
  const ruleIds = new Set<string>();
  (rulesIn as unknown[]).forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!isObject(r)) return errors.push({ path: at, message: `must be an object, got ${show(r)}` });
    const before = errors.length;
    if (typeof r.id !== 'string' || !ID_RE.test(r.id))
      errors.push({
        path: `${at}.id`,
        message: `must be 1–64 letters, digits, "_", "." or "-", got ${show(r.id)}`,
      });
    else if (ruleIds.has(r.id)) errors.push({ path: `${at}.id`, message: `duplicate rule id ${show(r.id)}` });
    else ruleIds.add(r.id);
    const projects = r.projects ?? [];
    if (!Array.isArray(projects) || projects.some((p) => typeof p !== 'string' || p.trim() === ''))
      errors.push({
        path: `${at}.projects`,
        message: `must be a list of project keys, got ${show(r.projects)}`,
      });
    if (
      !Array.isArray(r.on) ||
      r.on.length === 0 ||
      r.on.some((t) => !(TRIGGERS as readonly unknown[]).includes(t))
    )
      errors.push({
        path: `${at}.on`,
        message: `must list one or more of ${TRIGGERS.join(', ')}, got ${show(r.on)}`,
      });
    if (typeof r.channel !== 'string' || !ids.has(r.channel))
      errors.push({
        path: `${at}.channel`,
        message: `must be the id of a channel above, got ${show(r.channel)}`,
      });
    const roles = r.roles ?? [];
    if (!Array.isArray(roles) || roles.some((x) => !(ROLES as readonly unknown[]).includes(x)))
      errors.push({
        path: `${at}.roles`,
        message: `must list roles among ${ROLES.join(', ')}, got ${show(r.roles)}`,
      });
    const addresses = r.addresses ?? [];
    if (!Array.isArray(addresses))
      errors.push({ path: `${at}.addresses`, message: `must be a list, got ${show(addresses)}` });
    else
      addresses.forEach((a, j) => {
        if (typeof a !== 'string' || !EMAIL_RE.test(a))
          errors.push({
            path: `${at}.addresses[${j}]`,
            message: `must be an e-mail address, got ${show(a)}`,
          });
      });
    const language = r.language ?? 'ru';
    if (language !== 'ru' && language !== 'en')
      errors.push({ path: `${at}.language`, message: `must be ru or en, got ${show(r.language)}` });
    if (r.quietHours !== undefined && typeof r.quietHours !== 'boolean')
      errors.push({ path: `${at}.quietHours`, message: `must be true or false, got ${show(r.quietHours)}` });
    if (r.digest !== undefined && typeof r.digest !== 'boolean')
      errors.push({ path: `${at}.digest`, message: `must be true or false, got ${show(r.digest)}` });
    const channel = channels.find((c) => c.id === r.channel);
    if (
      channel?.kind === 'email' &&
      Array.isArray(roles) &&
      Array.isArray(addresses) &&
      roles.length === 0 &&
      addresses.length === 0
    )
      errors.push({ path: `${at}.roles`, message: 'an e-mail rule needs at least one role or address' });
    if (errors.length === before)
      rules.push({
        id: r.id as string,
        projects: (projects as string[]).map((p) => p.trim()),
        on: [...new Set(r.on as Trigger[])],
        channel: r.channel as string,
        roles: [...new Set(roles as Role[])],
        addresses: [...new Set(addresses as string[])],
        language: language as Locale,
        quietHours: r.quietHours !== false,
        digest: r.digest === true,
      });
    return undefined;
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { channels, rules } };
}

/** What the UI gets instead of a stored secret. */
export const MASK = '********';

/** Secrets replaced for the UI (the admin sees that one is set, never its value). */
export function redactNotifications(config: NotificationsConfig): NotificationsConfig {
  return {
    rules: config.rules,
    channels: config.channels.map((c) =>
      c.kind === 'email' && c.password
        ? { ...c, password: MASK }
        : c.kind === 'webhook'
          ? { ...c, secret: MASK }
          : c,
    ),
  };
}

/** A person of the ticket for notifications. */
export interface Contact {
  name?: string | null;
  email?: string | null;
}

/** What happened, with what the messages need. */
export interface NotifyEvent {
  trigger: Trigger;
  issueKey: string;
  project: string;
  summary?: string | null;
  /** Link to the issue in the ticket system, when known. */
  url?: string | null;
  /** The deterministic id of the event for this issue (`reaction:breached`, `registered:SUP-7`, …). */
  eventId: string;
  /** The message in each language (at-risk and breached are rendered here from `clock`). */
  message?: Partial<Record<Locale, Message>>;
  clock?: { id: ClockId; due: string; leftMinutes: number | null };
  /** The calendar zone for instants in the message. */
  zone: string;
  people: Partial<Record<Role, Contact | null>>;
  /** Extra JSON for the outgoing webhook (the verdict, the related issue). */
  data?: Record<string, unknown>;
  /** When it happened (epoch ms). */
  atMs: number;
}

/** One message to deliver: stored in the outbox under `id`, sent by the channel's adapter. */
export interface Outgoing {
  /** `<issue>|<event id>|<rule id>`: one message per rule and event, ever. */
  id: string;
  rule: string;
  channel: string;
  kind: ChannelKind;
  /** E-mail recipients (empty for chat and webhook channels). */
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The JSON the outgoing webhook posts. */
  event: Record<string, unknown>;
  quietHours: boolean;
  /** Part of the rule's daily digest. */
  digest: boolean;
  language: Locale;
}

export interface NotifyPlan {
  messages: Outgoing[];
  /** Why a rule sent nothing (a role without an address, …), for the log. */
  skipped: string[];
}

const SUBJECTS: Record<Trigger, Record<Locale, (clock: string) => string>> = {
  'at-risk': { ru: (c) => `${cap(c)}: под угрозой нарушения`, en: (c) => `${cap(c)} at risk` },
  breached: { ru: (c) => `${cap(c)}: нарушен`, en: (c) => `${cap(c)} breached` },
  'error-registered': { ru: () => 'Зарегистрирована ошибка', en: () => 'Error registered' },
  'error-fixed': { ru: () => 'Ошибка исправлена', en: () => 'Error fixed' },
  'visit-notice': { ru: () => 'Выезд запрошен слишком поздно', en: () => 'Visit requested too late' },
};

const LABELS: Record<
  Locale,
  Record<'issue' | 'summary' | 'due' | 'left' | 'over' | 'open' | 'footer', string>
> = {
  ru: {
    issue: 'Обращение',
    summary: 'Тема',
    due: 'Крайний срок',
    left: 'Осталось рабочего времени',
    over: 'Просрочка (рабочее время)',
    open: 'Открыть обращение',
    footer: 'Это сообщение отправлено Reglament по правилу уведомлений',
  },
  en: {
    issue: 'Issue',
    summary: 'Summary',
    due: 'Deadline',
    left: 'Working time left',
    over: 'Overdue (working time)',
    open: 'Open the issue',
    footer: 'Sent by Reglament under the notification rule',
  },
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

const escapeHtml = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

/** The message of an event in a language: the clock sentence for at-risk/breached, else the one given. */
function messageOf(event: NotifyEvent, lang: Locale): Message | null {
  const given = event.message?.[lang];
  if (given) return given;
  if ((event.trigger === 'at-risk' || event.trigger === 'breached') && event.clock) {
    const left = event.clock.leftMinutes;
    return renderMessage(event.trigger === 'at-risk' ? 'sla-at-risk' : 'sla-breached', lang, {
      clock: CLOCK_NAMES[event.clock.id][lang],
      key: { type: 'issue', key: event.issueKey },
      due: formatDue(event.clock.due, event.zone, lang),
      left: left === null ? '—' : formatWorkingMinutes(left, lang),
      over: left === null ? '—' : formatWorkingMinutes(-left, lang),
    });
  }
  return null;
}

/**
 * The subject, plain text and HTML of an event in a language (also the admin page's preview).
 * @example renderNotification({ trigger: 'breached', issueKey: 'SUP-1', … }, 'ru', 'sla-breach').subject // '[SUP-1] Срок реакции: нарушен'
 */
export function renderNotification(
  event: NotifyEvent,
  lang: Locale,
  ruleId: string,
): { subject: string; text: string; html: string } | null {
  const msg = messageOf(event, lang);
  if (!msg) return null;
  const L = LABELS[lang];
  const clockName = event.clock ? CLOCK_NAMES[event.clock.id][lang] : '';
  const subject = `[${event.issueKey}] ${SUBJECTS[event.trigger][lang](clockName)}`;
  const sentence = cap(msg.text);
  const rows: [string, string][] = [[L.issue, event.issueKey]];
  if (event.summary) rows.push([L.summary, event.summary]);
  if (event.clock) {
    rows.push([L.due, formatDue(event.clock.due, event.zone, lang)]);
    const left = event.clock.leftMinutes;
    if (left !== null)
      rows.push(
        left >= 0 ? [L.left, formatWorkingMinutes(left, lang)] : [L.over, formatWorkingMinutes(-left, lang)],
      );
  }
  const text = [
    sentence,
    '',
    ...rows.map(([k, v]) => `${k}: ${v}`),
    ...(event.url ? ['', `${L.open}: ${event.url}`] : []),
    '',
    `-- ${L.footer} ${lang === 'ru' ? `«${ruleId}»` : `"${ruleId}"`}.`,
  ].join('\n');
  const html = [
    '<!doctype html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #172b4d; margin: 0; padding: 16px;">',
    `<p style="font-size: 16px; margin: 0 0 12px;">${escapeHtml(sentence)}</p>`,
    '<table style="border-collapse: collapse;">',
    ...rows.map(
      ([k, v]) =>
        `<tr><th style="text-align: left; padding: 4px 12px 4px 0; color: #44546f; font-weight: normal;">${escapeHtml(k)}</th><td style="padding: 4px 0;">${escapeHtml(v)}</td></tr>`,
    ),
    '</table>',
    ...(event.url
      ? [
          `<p style="margin: 16px 0;"><a href="${escapeHtml(event.url)}" style="background: #0c66e4; color: #fff; padding: 8px 12px; border-radius: 3px; text-decoration: none;">${escapeHtml(L.open)}</a></p>`,
        ]
      : []),
    `<p style="color: #626f86; font-size: 12px; margin-top: 24px;">${escapeHtml(L.footer)} ${lang === 'ru' ? `«${escapeHtml(ruleId)}»` : `“${escapeHtml(ruleId)}”`}.</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** Whether a rule covers an event. */
export function ruleApplies(
  rule: NotificationRule,
  event: Pick<NotifyEvent, 'trigger' | 'project'>,
): boolean {
  return (
    rule.on.includes(event.trigger) && (rule.projects.length === 0 || rule.projects.includes(event.project))
  );
}

/**
 * The messages an event gives under the rules: one per applicable rule, with the e-mail recipients
 * of its roles and addresses. A role whose person has no address is skipped (and said so).
 * @example planNotifications(config, event).messages.map((m) => m.id) // ['SUP-1|reaction:breached|team-mail']
 */
export function planNotifications(config: NotificationsConfig, event: NotifyEvent): NotifyPlan {
  const messages: Outgoing[] = [];
  const skipped: string[] = [];
  for (const rule of config.rules) {
    if (!ruleApplies(rule, event)) continue;
    const channel = config.channels.find((c) => c.id === rule.channel);
    if (!channel) {
      skipped.push(`rule ${rule.id}: no channel ${rule.channel}`);
      continue;
    }
    const rendered = renderNotification(event, rule.language, rule.id);
    if (!rendered) {
      skipped.push(`rule ${rule.id}: nothing to say for ${event.trigger}`);
      continue;
    }
    const to: string[] = [];
    if (channel.kind === 'email') {
      for (const role of rule.roles) {
        const email = event.people[role]?.email;
        if (email && EMAIL_RE.test(email)) to.push(email);
        else skipped.push(`rule ${rule.id}: the ${role} of ${event.issueKey} has no e-mail address`);
      }
      to.push(...rule.addresses);
      if (to.length === 0) continue;
    }
    messages.push({
      id: `${event.issueKey}|${event.eventId}|${rule.id}`,
      rule: rule.id,
      channel: channel.id,
      kind: channel.kind,
      to: [...new Set(to)],
      ...rendered,
      event: {
        type: event.trigger,
        eventId: event.eventId,
        issueKey: event.issueKey,
        project: event.project,
        summary: event.summary ?? null,
        url: event.url ?? null,
        at: new Date(event.atMs).toISOString(),
        ...(event.clock ? { clock: event.clock } : {}),
        text: rendered.text.split('\n')[0],
        ...(event.data ?? {}),
      },
      quietHours: rule.quietHours,
      digest: rule.digest,
      language: rule.language,
    });
  }
  return { messages, skipped };
}

/**
 * Quiet hours: the first working instant at or after `nowMs` on a working calendar. Outside working
 * time the first working minute after `nowMs` ends one minute after the next working interval starts
 * (intervals are whole minutes), which `addWorkingMinutes` finds.
 * @example nextWorkingInstant(cal, parseInstant('2026-03-07T12:00:00+03:00')) // Monday 2026-03-09T09:00+03:00 (Saturday → Monday)
 */
export function nextWorkingInstant(
  calendar: {
    addWorkingMinutes(start: number, minutes: number): number;
    workingMinutesBetween(a: number, b: number): number;
  },
  nowMs: number,
): number {
  const now = Math.floor(nowMs);
  // In working time when the next second counts as working.
  if (calendar.workingMinutesBetween(now, now + 1000) > 0) return now;
  return calendar.addWorkingMinutes(now, 1) - 60_000;
}

/** A sample event for previews and test messages: SUP-1's reaction, breached or at risk, on `now`. */
export function sampleEvent(trigger: Trigger, nowMs: number, zone: string): NotifyEvent {
  const clocked = trigger === 'at-risk' || trigger === 'breached';
  const fixed = (lang: Locale) =>
    renderMessage('error-fixed-update', lang, {
      error: issuePart('SUP-7'),
      incident: issuePart('SUP-1'),
      version: '6.0.1',
      released: '',
    });
  const registered = (lang: Locale) =>
    renderMessage('error-registered', lang, { error: issuePart('SUP-7'), incident: issuePart('SUP-1') });
  const visit = (lang: Locale) =>
    renderMessage('visit-in-past', lang, { date: '2026-01-12', earliest: '2026-01-19' });
  const message =
    trigger === 'error-fixed'
      ? { ru: fixed('ru'), en: fixed('en') }
      : trigger === 'error-registered'
        ? { ru: registered('ru'), en: registered('en') }
        : trigger === 'visit-notice'
          ? { ru: visit('ru'), en: visit('en') }
          : undefined;
  return {
    trigger,
    issueKey: 'SUP-1',
    project: 'SUP',
    summary: 'Не открывается карточка клиента',
    url: null,
    eventId: `test:${trigger}:${nowMs}`,
    ...(clocked
      ? {
          clock: {
            id: 'reaction' as const,
            // SPEC §8 example 1: reaction due Tuesday 2026-03-10 16:30 MSK; breached: seen Wednesday
            // 12:00 (4.5 working hours late); at risk: seen Tuesday 15:00 (1.5 hours left).
            due: '2026-03-10T16:30:00+03:00',
            leftMinutes: trigger === 'breached' ? -270 : 90,
          },
        }
      : {}),
    ...(message ? { message } : {}),
    zone,
    people: {},
    atMs: nowMs,
  };
}

/** What a channel sends: a planned message without its rule (a test message has none). */
export type Deliverable = Pick<Outgoing, 'id' | 'to' | 'subject' | 'text' | 'html' | 'event'>;

/**
 * The instant a day's digest goes out: the first working minute of the next working day after the
 * calendar date of `nowMs` (events of Friday evening and of the weekend go out on Monday at 09:00).
 * @example digestInstant(cal, parseInstant('2026-03-06T18:30:00+03:00')) // Tuesday 2026-03-10T09:00+03:00 (9 March is a day off)
 */
export function digestInstant(
  calendar: {
    addWorkingMinutes(start: number, minutes: number): number;
    workingMinutesBetween(a: number, b: number): number;
    dateOf(instant: number): string;
    startOfDate(date: string): number;
  },
  nowMs: number,
): number {
  const today = calendar.dateOf(Math.floor(nowMs));
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  return nextWorkingInstant(calendar, calendar.startOfDate(next));
}

/** One item of a digest: a planned message as stored. */
export interface DigestItem {
  to: string[];
  subject: string;
  text: string;
  html: string;
  event: Record<string, unknown>;
}

/**
 * The digest messages of a rule for one day: one per recipient (each gets only the items addressed to
 * them), or one for a chat or webhook channel (no recipients). Subjects and the count agree in Russian.
 * @example renderDigest(items, 'ru', 'team-mail', '2026-03-16')[0].subject // 'Сводка Reglament за 16 марта 2026: 3 события'
 */
export function renderDigest(
  items: readonly DigestItem[],
  lang: Locale,
  ruleId: string,
  date: string,
): { to: string[]; subject: string; text: string; html: string; event: Record<string, unknown> }[] {
  const byRecipient = new Map<string, DigestItem[]>();
  for (const item of items) {
    const targets = item.to.length > 0 ? item.to : [''];
    for (const t of targets) byRecipient.set(t, [...(byRecipient.get(t) ?? []), item]);
  }
  const L = LABELS[lang];
  return [...byRecipient.entries()].map(([to, mine]) => {
    const n = mine.length;
    const count =
      lang === 'ru'
        ? `${n} ${ruPlural(n, ['событие', 'события', 'событий'])}`
        : `${n} ${n === 1 ? 'event' : 'events'}`;
    const subject =
      lang === 'ru'
        ? `Сводка Reglament за ${formatDate(date, lang)}: ${count}`
        : `Reglament digest for ${formatDate(date, lang)}: ${count}`;
    const lines = mine.map((i) => `${i.subject}\n${cap(i.text.split('\n')[0] ?? '')}`);
    const text = [
      subject,
      '',
      ...lines.flatMap((l) => [l, '']),
      `-- ${L.footer} ${lang === 'ru' ? `«${ruleId}»` : `"${ruleId}"`}.`,
    ].join('\n');
    const html = [
      '<!doctype html>',
      `<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
      '<body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px; color: #172b4d; margin: 0; padding: 16px;">',
      `<p style="font-size: 16px; margin: 0 0 12px;"><strong>${escapeHtml(subject)}</strong></p>`,
      '<ul style="padding-left: 20px;">',
      ...mine.map(
        (i) =>
          `<li style="margin: 0 0 8px;"><strong>${escapeHtml(i.subject)}</strong><br>${escapeHtml(cap(i.text.split('\n')[0] ?? ''))}${typeof i.event.url === 'string' ? ` <a href="${escapeHtml(i.event.url)}">${escapeHtml(L.open)}</a>` : ''}</li>`,
      ),
      '</ul>',
      `<p style="color: #626f86; font-size: 12px; margin-top: 24px;">${escapeHtml(L.footer)} ${lang === 'ru' ? `«${escapeHtml(ruleId)}»` : `“${escapeHtml(ruleId)}”`}.</p>`,
      '</body></html>',
    ].join('\n');
    return {
      to: to === '' ? [] : [to],
      subject,
      text,
      html,
      event: { type: 'digest', rule: ruleId, date, items: mine.map((i) => i.event) },
    };
  });
}
