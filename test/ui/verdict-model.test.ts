/**
 * The issue panel's words: breakdown steps translated by their codes (checked against the domain's own
 * priority functions on SPEC §8's examples), warnings by code, rules and working time.
 */
import { DEFAULT_POLICY } from '../../src/domain/policy';
import { errorPriority, incidentPriority } from '../../src/domain/priority';
import { hm, workDuration } from '../../static/shared/format';
import { translator } from '../../static/shared/i18n';
import { clockProgress, ruleText, stepText, warningText } from '../../static/shared/verdict-model';

const en = translator('en');
const ru = translator('ru');

describe('breakdown steps', () => {
  it('SPEC example 2: incident, question, medium impact, high urgency, implementation → 1', () => {
    const p = incidentPriority(
      { impact: 'medium', urgency: 'high', mode: 'implementation', nature: 'question' },
      DEFAULT_POLICY,
    );
    expect(p.breakdown.map((s) => stepText(s, en))).toEqual([
      'Base: urgency High × impact Medium = 4',
      'Implementation mode −1 = 3',
      'Question −2 = 1',
    ]);
    expect(p.breakdown.map((s) => stepText(s, ru))).toEqual([
      'База: срочность «Высокая» × воздействие «Средняя» = 4',
      'Режим «Внедрение» −1 = 3',
      'Вопрос −2 = 1',
    ]);
  });

  it('SPEC example 3: error, high impact, medium urgency, moderate workaround → 5', () => {
    const p = errorPriority(
      { impact: 'high', urgency: 'medium', mode: 'operation', workaround: 'moderate' },
      DEFAULT_POLICY,
    );
    expect(p.breakdown.map((s) => stepText(s, ru))).toEqual([
      'База: срочность «Средняя» × воздействие «Высокая» = 7–8, верхняя граница: 8',
      'Обходной путь −3 = 5',
    ]);
  });

  it('SPEC example 4: clamped to 1, and the linked incident raising an input', () => {
    const p = errorPriority(
      { impact: 'low', urgency: 'low', mode: 'implementation', workaround: 'full' },
      DEFAULT_POLICY,
      undefined,
      [{ urgency: 'medium' }],
    );
    expect(p.breakdown.map((s) => stepText(s, en))).toEqual([
      'Urgency raised by a linked incident: Low → Medium',
      'Base: urgency Medium × impact Low = 3–4, upper end: 4',
      'Implementation mode −2 = 2',
      'Workaround −4 = −2',
      'Kept within the allowed range: −2 → 1',
    ]);
    expect(stepText(p.breakdown[0]!, ru)).toBe(
      'Срочность: повышена по связанному инциденту: «Низкая» → «Средняя»',
    );
  });

  it('the override, and the lower end of a range', () => {
    const p = errorPriority(
      { impact: 'high', urgency: 'high', mode: 'operation', workaround: 'none' },
      { ...DEFAULT_POLICY, error: { ...DEFAULT_POLICY.error, rangePoint: 'lower' } },
      { value: 6, reason: 'customer request' },
    );
    expect(p.breakdown.map((s) => stepText(s, ru))).toEqual([
      'База: срочность «Высокая» × воздействие «Высокая» = 9–10, нижняя граница: 9',
      'Установлен вручную: 6 (расчётный 9): customer request',
    ]);
  });
});

describe('warnings', () => {
  const v = { missing: ['urgency', 'workaround'] };
  it.each([
    [
      'incomplete',
      'x',
      'Не заполнены: Срочность, Обходной путь. Приоритет и сроки появятся после заполнения.',
    ],
    [
      'year-secondary-source',
      'The production calendar for 2027 comes from secondary sources',
      'Производственный календарь на 2027 год взят из вторичных источников; постановление не проверено.',
    ],
    [
      'year-not-confirmed',
      '2031 is not confirmed by decree',
      'Производственный календарь на 2031 год не утверждён постановлением: приняты праздники по ТК РФ.',
    ],
    ['something-new', 'Kept as is', 'Kept as is'],
  ])('%s', (code, message, text) => expect(warningText({ code, message }, v, ru)).toBe(text));
});

describe('clocks', () => {
  it('shows working time as h:mm', () => {
    expect(hm(390)).toBe('6:30');
    expect(hm(0)).toBe('0:00');
    expect(hm(-5)).toBe('−0:05');
    expect(hm(4800)).toBe('80:00');
  });

  it('derives the reaction time from used + left minutes', () => {
    const clock = {
      due: '2026-03-10T16:30:00+03:00',
      state: 'running' as const,
      usedMinutes: 270,
      leftMinutes: 210,
    };
    expect(ruleText('reaction', clock, en)).toBe('Reaction time: 8 working hours from registration (§4.7)');
    expect(clockProgress(clock)).toEqual({ kind: 'left', hm: '3 h 30 min' });
    expect(clockProgress({ ...clock, leftMinutes: -75 }, 'ru')).toEqual({
      kind: 'overdue',
      hm: '1 ч 15 мин',
    });
    expect(clockProgress({ ...clock, at: '2026-03-10T10:00:00+03:00' })).toEqual({
      kind: 'done',
      at: '2026-03-10T10:00:00+03:00',
      late: null,
    });
  });

  it('says how late a clock closed after its deadline was (issue #15)', () => {
    // 675 working minutes past the deadline = one 8-hour working day + 3 h 15 min.
    const late = {
      due: '2026-03-10T16:30:00+03:00',
      state: 'breached' as const,
      at: '2026-03-12T11:45:00+03:00',
      usedMinutes: 1155,
      leftMinutes: -675,
    };
    expect(clockProgress(late, 'en')).toEqual({
      kind: 'done',
      at: '2026-03-12T11:45:00+03:00',
      late: '1 working day 3 h 15 min',
    });
    expect(clockProgress(late, 'ru')).toMatchObject({ late: '1 раб. дн. 3 ч 15 мин' });
  });

  it('the working-days rule states its figure (issue #15)', () => {
    const fix = {
      due: '2026-03-17T18:00:00+03:00',
      state: 'running' as const,
      rule: 'working-days' as const,
      ruleText: '10 working days from registration',
    };
    expect(ruleText('fix', fix, en)).toBe('10 working days from registration (§5.6.2)');
    expect(ruleText('fix', fix, ru)).toBe('10 рабочих дней от регистрации (п. 5.6.2)');
    expect(ruleText('fix', { ...fix, ruleText: '1 working day from registration' }, ru)).toBe(
      '1 рабочий день от регистрации (п. 5.6.2)',
    );
    expect(ruleText('fix', { ...fix, ruleText: undefined }, en)).toBe(
      'Working days from registration (§5.6.2)',
    );
  });

  it('every dated rule states its figures: days or months from the engine, reaction hours with plural agreement (issue #15)', () => {
    const base = { due: '2026-07-10T18:00:00+03:00', state: 'running' as const };
    const later = {
      ...base,
      rule: 'later-of-days-and-update' as const,
      ruleText: 'later of 15 working days (2026-03-27) and the next update 5.2.1 (2026-04-15)',
    };
    expect(ruleText('fix', later, en)).toBe(
      '15 working days or the next update, whichever is later (§5.6.2)',
    );
    expect(ruleText('fix', later, ru)).toBe(
      '15 рабочих дней или следующее обновление — что позже (п. 5.6.2)',
    );
    const earlier = {
      ...base,
      rule: 'earlier-of-update-and-months' as const,
      ruleText: 'earlier of the next update 5.3 (2026-08-01) and 4 months (2026-07-06)',
    };
    expect(ruleText('fix', earlier, en)).toBe('The next update, but no later than 4 months (§5.6.2)');
    expect(ruleText('fix', earlier, ru)).toBe(
      'Следующее обновление, но не позже чем через 4 месяца (п. 5.6.2)',
    );
    const reaction = (minutes: number) => ({ ...base, usedMinutes: 0, leftMinutes: minutes });
    expect(ruleText('reaction', reaction(8 * 60), ru)).toBe(
      'Время реакции: 8 рабочих часов от регистрации (п. 4.7)',
    );
    expect(ruleText('reaction', reaction(2 * 60), ru)).toBe(
      'Время реакции: 2 рабочих часа от регистрации (п. 4.7)',
    );
    expect(ruleText('reaction', reaction(24 * 60), en)).toBe(
      'Reaction time: 24 working hours from registration (§4.7)',
    );
  });

  it('durations read as working days and hours, not "218:56" (issue #15)', () => {
    expect(workDuration(218 * 60 + 56, 'en')).toBe('27 working days 2 h 56 min');
    expect(workDuration(218 * 60 + 56, 'ru')).toBe('27 раб. дн. 2 ч 56 мин');
    expect(workDuration(480, 'en')).toBe('1 working day');
    expect(workDuration(-540, 'en')).toBe('1 working day 1 h');
    expect(workDuration(0, 'ru')).toBe('0 мин');
    expect(workDuration(45, 'en')).toBe('45 min');
  });

  it('names the fix rule and its version', () => {
    const fix = { due: null, state: 'running' as const, rule: 'next-release' as const, version: '6.0' };
    expect(ruleText('fix', fix, ru)).toBe('Следующий релиз (п. 5.6.2) · Версия 6.0');
    expect(ruleText('fix', { ...fix, rule: 'agreed', version: null }, en)).toBe(
      'Agreed individually with the customer (§5.6.3)',
    );
  });
});
