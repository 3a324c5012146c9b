/** The ru/en message templates and their formatting (src/domain/messages.ts). */
import {
  formatDate,
  formatDue,
  formatWorkingMinutes,
  issuePart,
  joinParts,
  message,
  renderMessage,
  ruPlural,
  workingDays,
} from '../../src/domain/messages';

describe('formatting', () => {
  it('formats dates with month names, without Intl', () => {
    expect(formatDate('2026-05-12', 'ru')).toBe('12 мая 2026');
    expect(formatDate('2026-01-01', 'en')).toBe('1 January 2026');
    expect(formatDate('not a date', 'en')).toBe('not a date');
  });

  it('formats an instant in the calendar zone, whatever its offset and the process zone', () => {
    // 13:30 UTC = 16:30 Moscow; the process runs in Asia/Tokyo under `npm test`
    expect(formatDue('2026-03-10T13:30:00Z', 'Europe/Moscow', 'ru')).toBe(
      '10 марта 2026, 16:30 (Europe/Moscow)',
    );
    expect(formatDue(Date.UTC(2026, 2, 10, 13, 30), 'Europe/Berlin', 'en')).toBe(
      '10 March 2026, 14:30 (Europe/Berlin)',
    );
  });

  it('formats working minutes', () => {
    expect(formatWorkingMinutes(390, 'ru')).toBe('6 ч 30 мин');
    expect(formatWorkingMinutes(60, 'en')).toBe('1 h');
    expect(formatWorkingMinutes(-30, 'en')).toBe('30 min');
    expect(formatWorkingMinutes(0, 'ru')).toBe('0 мин');
  });

  it.each([
    [1, 'рабочий день'],
    [2, 'рабочих дня'],
    [4, 'рабочих дня'],
    [5, 'рабочих дней'],
    [11, 'рабочих дней'],
    [14, 'рабочих дней'],
    [21, 'рабочий день'],
    [22, 'рабочих дня'],
    [111, 'рабочих дней'],
    [0, 'рабочих дней'],
  ])('Russian plural of %i: %s', (n, form) => {
    expect(ruPlural(n, ['рабочий день', 'рабочих дня', 'рабочих дней'])).toBe(form);
  });

  it('names working days in both languages', () => {
    expect(workingDays(1, 'en')).toBe('1 working day');
    expect(workingDays(5, 'en')).toBe('5 working days');
    expect(workingDays(3, 'ru')).toBe('3 рабочих дня');
  });
});

describe('messages', () => {
  it('keeps mentions, groups and issue keys as structured parts', () => {
    const m = message('sla-at-risk', 'en', [
      { type: 'mention', accountId: 'a1', name: 'Ann' },
      { type: 'text', text: ', ' },
      { type: 'mention', accountId: 'a1' },
      { type: 'text', text: ' and ' },
      { type: 'group', name: 'leads' },
      { type: 'text', text: '' },
      { type: 'text', text: ': see ' },
      { type: 'issue', key: 'SUP-1' },
    ]);
    expect(m.text).toBe('@Ann, @a1 and @leads: see SUP-1');
    expect(m.mentions).toEqual(['a1']);
    // adjacent text merged, empty text dropped
    expect(m.parts.map((p) => p.type)).toEqual([
      'mention',
      'text',
      'mention',
      'text',
      'group',
      'text',
      'issue',
    ]);
  });

  it('renders the customer messages in both languages', () => {
    const params = { incident: issuePart('SUP-3'), error: issuePart('ERR-7') };
    expect(renderMessage('error-registered', 'ru', params).text).toBe(
      'По вашему обращению SUP-3 зарегистрирована ошибка ERR-7. Её исправление ведётся отдельно (п. 5.2 регламента); мы сообщим вам, когда ошибка будет исправлена.',
    );
    expect(renderMessage('error-registered', 'en', params).text).toBe(
      'Error ERR-7 has been registered from your request SUP-3. It is fixed separately (§5.2 of the regulation); we will let you know when it is fixed.',
    );
    const split = renderMessage('request-split', 'en', {
      key: issuePart('SUP-3'),
      parts: joinParts([issuePart('SUP-8'), issuePart('SUP-9')]),
    });
    expect(split.text).toBe(
      'Request SUP-3 has several parts and is split into separate requests (§3.2 of the regulation): SUP-8, SUP-9. Each is classified and handled on its own.',
    );
    expect(split.parts.filter((p) => p.type === 'issue')).toHaveLength(3);
  });

  it('fails loudly on a missing parameter (a bug, not a user error)', () => {
    expect(() => renderMessage('error-fixed', 'ru', { error: 'ERR-7' })).toThrow(
      'parameter {incident} missing',
    );
  });
});
