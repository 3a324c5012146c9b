/**
 * The messages the product posts to an issue or shows beside a field, in Russian and English.
 * A message is structured: text parts, mentions of users (by account id), a group to notify and issue
 * keys. The platform adapter turns the parts into its markup (an ADF `mention` node in Jira Cloud,
 * `[~accountid:…]` / `[~username]` wiki markup in Jira Data Center); `text` is the plain rendering for
 * logs, e-mail and systems without mentions. Pure: dates and instants are formatted in the zone given,
 * with fixed month names (no Intl data, no process time zone).
 */
import { DateTime } from 'luxon';
import type { Locale } from './codes';

/** One piece of a message. */
export type MessagePart =
  | { type: 'text'; text: string }
  /** A user to mention (notify), by the ticket system's account id. */
  | { type: 'mention'; accountId: string; name?: string }
  /** A group to notify (Jira cannot mention a group in a comment; the adapter notifies it). */
  | { type: 'group'; name: string }
  /** An issue key (the adapter may render it as a link). */
  | { type: 'issue'; key: string };

export type MessageCode =
  | 'sla-at-risk'
  | 'sla-breached'
  | 'no-assignee'
  | 'error-registered'
  | 'error-fixed-release'
  | 'error-fixed-update'
  | 'error-fixed'
  | 'request-split'
  | 'visit-notice-too-short'
  | 'visit-in-past'
  | 'version-not-current'
  | 'version-unreleased';

export interface Message {
  code: MessageCode;
  locale: Locale;
  parts: MessagePart[];
  /** Plain text: mentions as `@name` (or `@accountId`), groups as `@name`, issues as their keys. */
  text: string;
  /** Account ids mentioned, in order of appearance, without duplicates. */
  mentions: string[];
}

/** A user as the ticket system knows them. */
export interface Person {
  accountId: string;
  displayName?: string;
  /** The person's e-mail address where the ticket system gives it (notifications, issue #16). */
  email?: string;
}

type Value = string | number | MessagePart | readonly MessagePart[];

/**
 * The templates: `{name}` is replaced by a parameter (text, or structured parts). Section numbers are
 * those of the source regulation.
 */
const TEMPLATES: Record<MessageCode, Record<Locale, string>> = {
  'sla-at-risk': {
    ru: '{clock} по {key} под угрозой нарушения — крайний срок {due}, осталось {left} рабочего времени.',
    en: 'the {clock} of {key} is at risk — due {due}, {left} of working time left.',
  },
  'sla-breached': {
    ru: '{clock} по {key} нарушен — крайний срок {due} истёк, просрочка {over} рабочего времени.',
    en: 'the {clock} of {key} is breached — it was due {due}, {over} of working time ago.',
  },
  'no-assignee': { ru: 'Исполнитель не назначен.', en: 'No assignee.' },
  'error-registered': {
    ru: 'По вашему обращению {incident} зарегистрирована ошибка {error}. Её исправление ведётся отдельно (п. 5.2 регламента); мы сообщим вам, когда ошибка будет исправлена.',
    en: 'Error {error} has been registered from your request {incident}. It is fixed separately (§5.2 of the regulation); we will let you know when it is fixed.',
  },
  'error-fixed-release': {
    ru: 'Ошибка {error}, связанная с вашим обращением {incident}, исправлена в релизе {version}{released}.',
    en: 'Error {error}, linked to your request {incident}, is fixed in release {version}{released}.',
  },
  'error-fixed-update': {
    ru: 'Ошибка {error}, связанная с вашим обращением {incident}, исправлена в обновлении (патче) {version}{released}.',
    en: 'Error {error}, linked to your request {incident}, is fixed in update (patch) {version}{released}.',
  },
  'error-fixed': {
    ru: 'Ошибка {error}, связанная с вашим обращением {incident}, исправлена.',
    en: 'Error {error}, linked to your request {incident}, is fixed.',
  },
  'request-split': {
    ru: 'Обращение {key} содержит несколько составляющих и разделено на отдельные обращения (п. 3.2 регламента): {parts}. Каждое из них классифицируется и обрабатывается отдельно.',
    en: 'Request {key} has several parts and is split into separate requests (§3.2 of the regulation): {parts}. Each is classified and handled on its own.',
  },
  'visit-notice-too-short': {
    ru: 'Выезд специалиста на {date} запрошен за {given}, а регламент (п. 2.7) требует запрашивать его не менее чем за {min}. Ближайшая возможная дата — {earliest}.',
    en: 'The on-site visit on {date} was requested {given} ahead, and the regulation (§2.7) requires at least {min}. The earliest possible date is {earliest}.',
  },
  'visit-in-past': {
    ru: 'Дата выезда {date} уже прошла. Ближайшая возможная дата — {earliest}.',
    en: 'The visit date {date} has passed. The earliest possible date is {earliest}.',
  },
  'version-not-current': {
    ru: 'Обращение относится к версии {version}, а техническая поддержка оказывается только для текущей версии {current} (п. 2.9.4 регламента). Поддержка других версий — по дополнительному письменному согласованию.',
    en: 'The request is about version {version}, and support covers the current version {current} only (§2.9.4 of the regulation). Other versions are supported only by a separate written agreement.',
  },
  'version-unreleased': {
    ru: 'Обращение относится к версии {version}, которая ещё не выпущена; техническая поддержка оказывается только для текущей версии {current} (п. 2.9.4 регламента).',
    en: 'The request is about version {version}, which is not released yet; support covers the current version {current} only (§2.9.4 of the regulation).',
  },
};

/**
 * Renders a template with its parameters into a structured message.
 * @example renderMessage('error-fixed', 'en', { error: issuePart('SUP-7'), incident: issuePart('SUP-3') }).text
 * // => 'Error SUP-7, linked to your request SUP-3, is fixed.'
 * @throws Error for a parameter the template names but the caller did not give (a bug).
 */
export function renderMessage(code: MessageCode, locale: Locale, params: Record<string, Value>): Message {
  const template = TEMPLATES[code][locale];
  const parts: MessagePart[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  for (let m = re.exec(template); m !== null; m = re.exec(template)) {
    if (m.index > last) parts.push({ type: 'text', text: template.slice(last, m.index) });
    const name = m[1] as string;
    const v = params[name];
    if (v === undefined) throw new Error(`message ${code}: parameter {${name}} missing`);
    if (typeof v === 'string' || typeof v === 'number') parts.push({ type: 'text', text: String(v) });
    else if (Array.isArray(v)) parts.push(...(v as readonly MessagePart[]));
    else parts.push(v as MessagePart);
    last = re.lastIndex;
  }
  if (last < template.length) parts.push({ type: 'text', text: template.slice(last) });
  return message(code, locale, parts);
}

/** A message from parts: merges adjacent text, computes the plain text and the mentions. */
export function message(code: MessageCode, locale: Locale, parts: readonly MessagePart[]): Message {
  const merged: MessagePart[] = [];
  for (const p of parts) {
    const prev = merged[merged.length - 1];
    if (p.type === 'text' && prev?.type === 'text')
      merged[merged.length - 1] = { type: 'text', text: prev.text + p.text };
    else if (p.type !== 'text' || p.text !== '') merged.push({ ...p });
  }
  const mentions: string[] = [];
  for (const p of merged)
    if (p.type === 'mention' && !mentions.includes(p.accountId)) mentions.push(p.accountId);
  return { code, locale, parts: merged, text: merged.map(plain).join(''), mentions };
}

function plain(p: MessagePart): string {
  switch (p.type) {
    case 'text':
      return p.text;
    case 'mention':
      return `@${p.name ?? p.accountId}`;
    case 'group':
      return `@${p.name}`;
    case 'issue':
      return p.key;
  }
}

/** An issue-key part. */
export const issuePart = (key: string): MessagePart => ({ type: 'issue', key });

/** A mention part. */
export const mentionPart = (person: Person): MessagePart => ({
  type: 'mention',
  accountId: person.accountId,
  ...(person.displayName ? { name: person.displayName } : {}),
});

/** Parts joined by a separator (`, ` by default). */
export function joinParts(items: readonly MessagePart[], separator = ', '): MessagePart[] {
  const out: MessagePart[] = [];
  items.forEach((p, i) => {
    if (i > 0) out.push({ type: 'text', text: separator });
    out.push(p);
  });
  return out;
}

/** Names of the clocks in messages (Russian: all «срок …», masculine, to agree with «нарушен»). */
export const CLOCK_NAMES: Record<
  'reaction' | 'verification' | 'fix' | 'fix-agreed',
  Record<Locale, string>
> = {
  reaction: { ru: 'срок реакции', en: 'reaction time' },
  verification: { ru: 'срок проверки ошибки', en: 'verification deadline' },
  fix: { ru: 'срок исправления ошибки', en: 'fix deadline' },
  'fix-agreed': { ru: 'согласованный срок исправления ошибки', en: 'agreed fix deadline' },
};

const MONTHS: Record<Locale, readonly string[]> = {
  ru: [
    'января',
    'февраля',
    'марта',
    'апреля',
    'мая',
    'июня',
    'июля',
    'августа',
    'сентября',
    'октября',
    'ноября',
    'декабря',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A calendar date ('YYYY-MM-DD') for people.
 * @example formatDate('2026-05-12', 'ru') // '12 мая 2026'
 * @example formatDate('2026-05-12', 'en') // '12 May 2026'
 */
export function formatDate(date: string, locale: Locale): string {
  const m = DATE_RE.exec(date);
  if (!m) return date;
  return `${Number(m[3])} ${MONTHS[locale][Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/**
 * An instant (ISO with offset, or epoch ms) for people, in the calendar's zone, naming the zone.
 * @example formatDue('2026-03-10T16:30:00+03:00', 'Europe/Moscow', 'ru') // '10 марта 2026, 16:30 (Europe/Moscow)'
 */
export function formatDue(instant: string | number, zone: string, locale: Locale): string {
  const dt =
    typeof instant === 'number'
      ? DateTime.fromMillis(instant, { zone })
      : DateTime.fromISO(instant, { setZone: true }).setZone(zone);
  if (!dt.isValid) return String(instant);
  return `${formatDate(dt.toFormat('yyyy-MM-dd'), locale)}, ${dt.toFormat('HH:mm')} (${zone})`;
}

/**
 * A duration in working minutes, rounded to the minute.
 * @example formatWorkingMinutes(390, 'ru') // '6 ч 30 мин'
 * @example formatWorkingMinutes(60, 'en') // '1 h'
 */
export function formatWorkingMinutes(minutes: number, locale: Locale): string {
  const total = Math.max(0, Math.round(Math.abs(minutes)));
  const h = Math.floor(total / 60);
  const m = total % 60;
  const [hu, mu] = locale === 'ru' ? ['ч', 'мин'] : ['h', 'min'];
  if (h === 0) return `${m} ${mu}`;
  return m === 0 ? `${h} ${hu}` : `${h} ${hu} ${m} ${mu}`;
}

/**
 * Russian plural form: `one` for 1, 21, 31…; `few` for 2–4, 22–24…; `many` otherwise.
 * @example ruPlural(3, ['рабочий день', 'рабочих дня', 'рабочих дней']) // 'рабочих дня'
 */
export function ruPlural(n: number, forms: readonly [one: string, few: string, many: string]): string {
  const a = Math.abs(n) % 100;
  const b = a % 10;
  if (a > 10 && a < 20) return forms[2];
  if (b === 1) return forms[0];
  if (b >= 2 && b <= 4) return forms[1];
  return forms[2];
}

/**
 * A number of working days with its noun ('за …' in Russian takes the accusative, same as these forms).
 * @example workingDays(1, 'ru') // '1 рабочий день'
 * @example workingDays(4, 'en') // '4 working days'
 */
export function workingDays(n: number, locale: Locale): string {
  if (locale === 'ru') return `${n} ${ruPlural(n, ['рабочий день', 'рабочих дня', 'рабочих дней'])}`;
  return `${n} working ${n === 1 ? 'day' : 'days'}`;
}
