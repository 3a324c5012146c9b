/**
 * Notification rules (issue #16), pure: validation naming the field and the value, planning an event
 * into messages with deterministic ids, recipients by role, the templates in both languages, and
 * quiet hours on the Russian production calendar (SPEC: Mon–Fri 09:00–18:00 MSK, break 13:00–14:00).
 */
import { compileCalendar, DEFAULT_CALENDAR_CONFIG, parseInstant } from '../../src/domain/calendar';
import {
  digestInstant,
  nextWorkingInstant,
  renderDigest,
  planNotifications,
  redactNotifications,
  renderNotification,
  validateNotifications,
  type NotificationsConfig,
  type NotifyEvent,
} from '../../src/domain/notify';

const CONFIG = {
  channels: [
    {
      id: 'mail',
      kind: 'email',
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      from: 'SLA <sla@example.com>',
      password: 'p4ss',
    },
    { id: 'chat', kind: 'chat', url: 'https://chat.example.com/hooks/abc' },
    { id: 'hook', kind: 'webhook', url: 'https://ops.example.com/reglament', secret: 'a-secret-of-16-chars' },
  ],
  rules: [
    {
      id: 'breaches-to-team',
      on: ['breached'],
      channel: 'mail',
      roles: ['assignee'],
      addresses: ['lead@example.com'],
      language: 'ru',
    },
    {
      id: 'sup-chat',
      projects: ['SUP'],
      on: ['at-risk', 'breached'],
      channel: 'chat',
      language: 'en',
      quietHours: false,
    },
    {
      id: 'customer',
      on: ['error-registered', 'error-fixed'],
      channel: 'mail',
      roles: ['customer-contact'],
      language: 'ru',
    },
  ],
};

function valid(): NotificationsConfig {
  const r = validateNotifications(CONFIG);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const breached = (over: Partial<NotifyEvent> = {}): NotifyEvent => ({
  trigger: 'breached',
  issueKey: 'SUP-101',
  project: 'SUP',
  summary: 'Не работает вход',
  eventId: 'reaction:breached',
  // SPEC §8 example 1: reaction due Tuesday 2026-03-10 16:30 MSK; Wednesday noon it is 4.5 h overdue.
  clock: { id: 'reaction', due: '2026-03-10T16:30:00+03:00', leftMinutes: -270 },
  zone: 'Europe/Moscow',
  people: { assignee: { name: 'Иван Петров', email: 'ivanov@example.com' }, 'customer-contact': null },
  atMs: parseInstant('2026-03-11T12:00:00+03:00'),
  ...over,
});

describe('validateNotifications', () => {
  it('accepts a valid document and fills the defaults (all projects, quiet hours on)', () => {
    const v = valid();
    expect(v.channels).toHaveLength(3);
    expect(v.rules[0]).toMatchObject({ projects: [], quietHours: true, roles: ['assignee'] });
    expect(v.rules[1]!.quietHours).toBe(false);
  });

  it('names the field and the value of every problem', () => {
    const r = validateNotifications({
      channels: [
        { id: 'mail', kind: 'email', host: '', port: 0, from: 'nobody' },
        { id: 'hook', kind: 'webhook', url: 'ftp://x', secret: 'short' },
        { id: 'sms', kind: 'sms' },
      ],
      rules: [{ id: 'r', on: ['late'], channel: 'nope', roles: ['boss'], addresses: ['not-an-address'] }],
    });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    const at = (path: string) => errors.find((e) => e.path === path)?.message;
    expect(at('channels[0].host')).toMatch(/got ""/);
    expect(at('channels[0].port')).toMatch(/got 0/);
    expect(at('channels[0].from')).toMatch(/got "nobody"/);
    expect(at('channels[1].url')).toMatch(/got "ftp:\/\/x"/);
    expect(at('channels[1].secret')).toMatch(/16 characters/);
    expect(at('channels[2].kind')).toMatch(/got "sms"/);
    expect(at('rules[0].on')).toMatch(/got \["late"\]/);
    expect(at('rules[0].channel')).toMatch(/got "nope"/);
    expect(at('rules[0].roles')).toMatch(/got \["boss"\]/);
    expect(at('rules[0].addresses[0]')).toMatch(/got "not-an-address"/);
  });

  it('refuses an e-mail rule without recipients and duplicate ids', () => {
    const r = validateNotifications({
      channels: [CONFIG.channels[0], CONFIG.channels[0]],
      rules: [{ id: 'x', on: ['breached'], channel: 'mail' }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['channels[1].id', 'rules[0].roles']));
  });

  it('masks secrets for the UI', () => {
    const shown = redactNotifications(valid());
    expect(JSON.stringify(shown)).not.toMatch(/p4ss|a-secret-of-16-chars/);
  });
});

describe('planNotifications', () => {
  it('one message per applicable rule, with ids of issue, event and rule, and the recipients of its roles', () => {
    const plan = planNotifications(valid(), breached());
    expect(plan.messages.map((m) => m.id)).toEqual([
      'SUP-101|reaction:breached|breaches-to-team',
      'SUP-101|reaction:breached|sup-chat',
    ]);
    const mail = plan.messages[0]!;
    expect(mail.to).toEqual(['ivanov@example.com', 'lead@example.com']);
    expect(mail.kind).toBe('email');
    expect(mail.subject).toBe('[SUP-101] Срок реакции: нарушен');
    expect(mail.text).toContain('Срок реакции по SUP-101 нарушен — крайний срок 10 марта 2026, 16:30');
    expect(mail.text).toContain('Просрочка (рабочее время): 4 ч 30 мин');
    expect(mail.html).toContain('<html lang="ru">');
    const chat = plan.messages[1]!;
    expect(chat.subject).toBe('[SUP-101] Reaction time breached');
    expect(chat.to).toEqual([]);
    expect(chat.quietHours).toBe(false);
  });

  it('a rule for other projects or other triggers gives nothing', () => {
    expect(
      planNotifications(valid(), breached({ project: 'OPS', issueKey: 'OPS-1' })).messages.map((m) => m.rule),
    ).toEqual(['breaches-to-team']);
    expect(
      planNotifications(valid(), breached({ trigger: 'at-risk', eventId: 'reaction:at-risk' })).messages.map(
        (m) => m.rule,
      ),
    ).toEqual(['sup-chat']);
  });

  it('a role without an address is skipped and said so; a rule left with no one sends nothing', () => {
    const plan = planNotifications(valid(), {
      ...breached({ trigger: 'error-registered', eventId: 'registered:SUP-7', clock: undefined }),
      message: {
        ru: {
          code: 'error-registered',
          locale: 'ru',
          parts: [],
          text: 'По вашему обращению SUP-101 зарегистрирована ошибка SUP-7.',
          mentions: [],
        },
        en: {
          code: 'error-registered',
          locale: 'en',
          parts: [],
          text: 'Error SUP-7 has been registered.',
          mentions: [],
        },
      },
    });
    expect(plan.messages).toEqual([]);
    expect(plan.skipped).toEqual(['rule customer: the customer-contact of SUP-101 has no e-mail address']);
  });

  it('escapes HTML of ticket data', () => {
    const r = renderNotification(breached({ summary: '<script>alert(1)</script>' }), 'en', 'x')!;
    expect(r.html).not.toContain('<script>');
    expect(r.html).toContain('&lt;script&gt;');
  });
});

describe('quiet hours: the next working instant on the production calendar', () => {
  const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
  const at = (iso: string) => nextWorkingInstant(cal, parseInstant(iso));
  const iso = (ms: number) => new Date(ms).toISOString();

  it('in working time: now', () => {
    expect(iso(at('2026-03-11T12:00:00+03:00'))).toBe('2026-03-11T09:00:00.000Z');
  });
  it('the lunch break waits for 14:00', () => {
    expect(iso(at('2026-03-11T13:20:00+03:00'))).toBe('2026-03-11T11:00:00.000Z');
  });
  it('Friday evening waits past the weekend and the 9 March 2026 day off (8 March moved) to Tuesday 09:00', () => {
    expect(iso(at('2026-03-06T18:30:00+03:00'))).toBe('2026-03-10T06:00:00.000Z');
  });
  it('the New Year holidays of 2026 wait until Monday 12 January 09:00', () => {
    expect(iso(at('2025-12-31T19:00:00+03:00'))).toBe('2026-01-12T06:00:00.000Z');
  });
});

describe('daily digest', () => {
  const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
  const iso = (ms: number) => new Date(ms).toISOString();

  it('goes out at the first working minute of the next working day', () => {
    expect(iso(digestInstant(cal, parseInstant('2026-03-11T12:00:00+03:00')))).toBe(
      '2026-03-12T06:00:00.000Z',
    );
    // Friday's events: Monday 9 March 2026 is a day off, so Tuesday 09:00.
    expect(iso(digestInstant(cal, parseInstant('2026-03-06T10:00:00+03:00')))).toBe(
      '2026-03-10T06:00:00.000Z',
    );
    // Events at 01:00 on Thursday belong to Thursday's digest (sent Friday).
    expect(iso(digestInstant(cal, parseInstant('2026-03-12T01:00:00+03:00')))).toBe(
      '2026-03-13T06:00:00.000Z',
    );
  });

  it('one message per recipient with their items; the count agrees in Russian', () => {
    const item = (key: string, to: string[]) => ({
      to,
      subject: `[${key}] Срок реакции: нарушен`,
      text: `Срок реакции по ${key} нарушен.\n…`,
      html: '',
      event: { issueKey: key },
    });
    const out = renderDigest(
      [
        item('SUP-1', ['a@x.ru', 'lead@x.ru']),
        item('SUP-2', ['b@x.ru', 'lead@x.ru']),
        item('SUP-3', ['lead@x.ru']),
      ],
      'ru',
      'daily',
      '2026-03-11',
    );
    const lead = out.find((m) => m.to[0] === 'lead@x.ru')!;
    expect(lead.subject).toBe('Сводка Reglament за 11 марта 2026: 3 события');
    expect(lead.text).toContain('[SUP-2] Срок реакции: нарушен');
    const a = out.find((m) => m.to[0] === 'a@x.ru')!;
    expect(a.subject).toBe('Сводка Reglament за 11 марта 2026: 1 событие');
    expect(a.text).not.toContain('SUP-2');
    expect(
      renderDigest(
        Array.from({ length: 5 }, (_, i) => item(`SUP-${i}`, [])),
        'ru',
        'd',
        '2026-03-11',
      )[0]!.subject,
    ).toBe('Сводка Reglament за 11 марта 2026: 5 событий');
    expect(renderDigest([item('SUP-1', [])], 'en', 'd', '2026-03-11')[0]!.subject).toBe(
      'Reglament digest for 11 March 2026: 1 event',
    );
  });
});
