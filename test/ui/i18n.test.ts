/** Every string of the screens exists in both languages, with the same placeholders and plural forms. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApiCallError, forgeTransport, httpTransport } from '../../src/contract/client';
import { errorText } from '../../static/shared/errors';
import {
  compileMessage,
  DICTIONARIES,
  pluralCategory,
  pickLocale,
  toIcu,
  translator,
  type Message,
} from '../../static/shared/i18n';
import { stepText } from '../../static/shared/verdict-model';

/** Keys whose Russian text may equal the English one (names, pure templates). */
const SAME_ALLOWED = new Set(['lang.en', 'lang.ru', 'admin.cell', 'admin.calendar.dayLabel', 'problem.esc']);

const placeholders = (m: Message): string[] => {
  const texts =
    typeof m === 'string' ? [m] : Object.values(m).filter((v): v is string => typeof v === 'string');
  return [...new Set(texts.flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!)))].sort();
};

describe('i18n dictionaries', () => {
  const en = DICTIONARIES.en;
  const ru = DICTIONARIES.ru;

  it('have the same keys in English and Russian', () => {
    const enKeys = Object.keys(en).sort();
    const ruKeys = Object.keys(ru).sort();
    expect(ruKeys.filter((k) => !(k in en))).toEqual([]);
    expect(enKeys.filter((k) => !(k in ru))).toEqual([]);
    expect(enKeys.length).toBeGreaterThan(200);
  });

  it.each(Object.keys(DICTIONARIES.en))('%s: both languages, same placeholders, no empty text', (key) => {
    const e = en[key as keyof typeof en];
    const r = ru[key as keyof typeof ru];
    expect(typeof e).toBe(typeof r);
    expect(placeholders(r)).toEqual(placeholders(e));
    const all = [e, r].flatMap((m) => (typeof m === 'string' ? [m] : Object.values(m)));
    for (const s of all) expect(String(s).trim()).not.toBe('');
    if (typeof e === 'string' && typeof r === 'string' && !SAME_ALLOWED.has(key)) {
      // untranslated copies would be equal; Russian text has Cyrillic letters
      expect(r).not.toBe(e);
      expect(r).toMatch(/[А-Яа-яЁё]/);
    }
  });

  it('give plural messages every form their language needs', () => {
    for (const [key, m] of Object.entries(en))
      if (typeof m !== 'string') expect([key, ...Object.keys(m).sort()]).toEqual([key, 'one', 'other']);
    for (const [key, m] of Object.entries(ru))
      if (typeof m !== 'string')
        expect([key, ...Object.keys(m).sort()]).toEqual([key, 'few', 'many', 'one', 'other']);
  });
});

describe('plural rules and the budget line', () => {
  it.each([
    [0, 'many'],
    [1, 'one'],
    [2, 'few'],
    [4, 'few'],
    [5, 'many'],
    [11, 'many'],
    [12, 'many'],
    [21, 'one'],
    [22, 'few'],
    [111, 'many'],
  ])('Russian %i is %s', (n, cat) => expect(pluralCategory('ru', n)).toBe(cat));

  it('says the budget in both languages', () => {
    const ru = translator('ru');
    const en = translator('en');
    expect(ru('gadget.budget.errors', { n: 0 })).toBe('Можно допустить ещё 0 просрочек в этом периоде');
    expect(ru('gadget.budget.errors', { n: 1 })).toBe('Можно допустить ещё 1 просрочку в этом периоде');
    expect(ru('gadget.budget.errors', { n: 3 })).toBe('Можно допустить ещё 3 просрочки в этом периоде');
    expect(en('gadget.budget.errors', { n: 1 })).toBe('1 more late fix possible this period');
    expect(en('gadget.budget.errors', { n: 0 })).toBe('0 more late fixes possible this period');
  });

  it('says a count that stopped at its cap as "more than" in both languages (issue #14, session 21)', () => {
    const ru = translator('ru');
    const en = translator('en');
    expect(en('issues.totalAtLeast', { n: 10000 })).toBe('more than 10000 issues');
    expect(ru('issues.totalAtLeast', { n: 10000 })).toBe('более 10000 заявок');
    expect(ru('issues.totalAtLeast', { n: 21 })).toBe('более 21 заявки');
    expect(ru('issues.totalAtLeast', { n: 3 })).toBe('более 3 заявок');
  });

  it('labels codes from the domain vocabulary', () => {
    expect(translator('ru').label('class', 'critical')).toBe('Критический');
    expect(translator('en').label('workaround', 'moderate')).toBe('Moderately acceptable');
  });
});

describe('pickLocale', () => {
  it.each([
    [['ru-RU'], 'ru'],
    [[undefined, null, 'en-GB'], 'en'],
    [['de-DE', 'ru'], 'ru'],
    [['fr'], 'en'],
    [[], 'en'],
  ] as const)('%j → %s', (candidates, expected) => expect(pickLocale(candidates)).toBe(expected));
});

describe('the dashboard lists\' "and N more" (issue #14)', () => {
  it.each([
    ['en', 1, 'and 1 more issue'],
    ['en', 21, 'and 21 more issues'],
    ['ru', 1, 'и ещё 1 задача'],
    ['ru', 21, 'и ещё 21 задача'],
    ['ru', 3, 'и ещё 3 задачи'],
    ['ru', 1054, 'и ещё 1054 задачи'],
    ['ru', 11, 'и ещё 11 задач'],
  ] as const)('%s %d: %s', (locale, n, want) => {
    expect(translator(locale)('gadget.more', { n })).toBe(want);
  });
});

describe('ICU MessageFormat engine (issue #15)', () => {
  it.each(['en', 'ru'] as const)('compiles every %s message as ICU', (locale) => {
    for (const [key, m] of Object.entries(DICTIONARIES[locale])) {
      const f = (() => {
        try {
          return compileMessage(locale, m);
        } catch (e) {
          throw new Error(`${locale} ${key}: ${(e as Error).message}`);
        }
      })();
      expect(f).toBeDefined();
    }
  });

  it('turns the old plural objects into ICU plural messages', () => {
    expect(toIcu({ one: '{n} item', other: '{n} items' })).toBe(
      '{n, plural, one {{n} item} other {{n} items}}',
    );
    expect(toIcu('{a} and {b}')).toBe('{a} and {b}');
  });

  it('substitutes plain templates as before and leaves a missing placeholder visible', () => {
    const en = translator('en');
    expect(en('common.loadFailed', { message: 'boom' })).toBe('Could not load: boom');
    expect(en('common.loadFailed')).toBe('Could not load: {message}');
    // numbers are not grouped or localised by the engine
    expect(translator('ru')('gadget.more', { n: 1054 })).toBe('и ещё 1054 задачи');
  });

  it('agrees the clock state with the clock name in Russian («Реакция — Выполнена»)', () => {
    const ru = translator('ru');
    const state = (clock: 'reaction' | 'verification' | 'fix', s: 'met' | 'breached') =>
      `${ru(`panel.clock.${clock}`)} — ${ru(`state.${s}`, { gender: ru.gender(`panel.clock.${clock}`) })}`;
    expect(state('reaction', 'met')).toBe('Реакция — Выполнена');
    expect(state('verification', 'breached')).toBe('Верификация — Нарушена');
    expect(state('fix', 'met')).toBe('Исправление — Выполнено');
    expect(state('fix', 'breached')).toBe('Исправление — Нарушено');
    // without a noun (a deadline, masculine): the old text
    expect(ru('state.met')).toBe('Выполнен');
    expect(translator('en')('state.met', { gender: 'f' })).toBe('Met');
  });

  it('agrees the raised field in Russian («Степень воздействия: повышена»)', () => {
    const ru = translator('ru');
    const step = { code: 'linked', field: 'impact', from: 'medium', to: 'high' } as const;
    expect(stepText(step as never, ru)).toBe(
      'Степень воздействия: повышена по связанному инциденту: «Средняя» → «Высокая»',
    );
    expect(stepText({ ...step, field: 'urgency' } as never, ru)).toMatch(/^Срочность: повышена /);
    expect(stepText(step as never, translator('en'))).toBe(
      'Impact raised by a linked incident: Medium → High',
    );
  });

  it('writes regulation clauses one way in Russian («п. 4.7», never «§»)', () => {
    const texts = Object.values(DICTIONARIES.ru).flatMap((m) =>
      typeof m === 'string' ? [m] : Object.values(m),
    );
    expect(texts.filter((s) => String(s).includes('§'))).toEqual([]);
    expect(translator('ru')('admin.reactionHours')).toBe('Время реакции, рабочие часы (п. 4.7)');
  });
});

describe('backend error codes (issue #15)', () => {
  const codesInSource = (): string[] => {
    const files = ['src/app/api.ts', 'src/app/escalation.ts'];
    const codes = new Set<string>();
    for (const f of files)
      for (const line of readFileSync(resolve(__dirname, '../..', f), 'utf8').match(/messageCode:[^\n]*/g) ??
        [])
        for (const m of line.matchAll(/'([\w-]+)'/g)) codes.add(m[1]!);
    return [...codes].sort();
  };

  it('every code the backend sends has a message in both languages', () => {
    const codes = codesInSource();
    expect(codes).toEqual(
      expect.arrayContaining(['filters-unavailable', 'cannot-create-issues', 'admin-only']),
    );
    for (const c of codes) {
      expect([c, translator('en').has(`error.${c}`)]).toEqual([c, true]);
      expect([c, translator('ru').has(`error.${c}`)]).toEqual([c, true]);
    }
  });

  it('shows the Russian text of a coded error, the backend text otherwise', () => {
    const ru = translator('ru');
    const coded = new ApiCallError(
      'getCompliance',
      400,
      'Saved filters are not available for this ticket system',
      'filters-unavailable',
    );
    expect(errorText(ru, coded)).toBe(
      'Сохранённые фильтры недоступны для этой системы заявок; выберите проекты в качестве области.',
    );
    expect(
      errorText(ru, new ApiCallError('getIssueSla', 404, 'no issue X-1', 'issue-not-found', { key: 'X-1' })),
    ).toBe('Заявки X-1 нет, или она вам недоступна.');
    expect(errorText(ru, new ApiCallError('x', 400, 'plain text', 'no-such-code'))).toBe('plain text');
    expect(errorText(ru, new Error('boom'))).toBe('boom');
    expect(errorText(ru, 'str')).toBe('str');
  });

  it('the HTTP transport carries the code and parameters of a refused call', async () => {
    const transport = httpTransport('', async () => ({
      ok: false,
      status: 404,
      text: async () =>
        JSON.stringify({
          error: 'not-found',
          message: 'no issue X-1',
          messageCode: 'issue-not-found',
          params: { key: 'X-1' },
        }),
    }));
    const err = await transport('getIssueSla', { key: 'X-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect(err).toMatchObject({
      status: 404,
      message: 'no issue X-1',
      messageCode: 'issue-not-found',
      params: { key: 'X-1' },
    });
  });

  it('the Forge transport carries the code a resolver appended to its message', async () => {
    const transport = forgeTransport(async () => async () => {
      throw new Error(
        'There was an error invoking the function - forbidden: Only a Jira administrator can do this. [[{"messageCode":"admin-only"}]]',
      );
    });
    const err = await transport('waiveBreach', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({
      message: 'There was an error invoking the function - forbidden: Only a Jira administrator can do this.',
      messageCode: 'admin-only',
    });
    expect(errorText(translator('ru'), err)).toBe('Это может сделать только администратор.');
    const plain = await forgeTransport(async () => async () => {
      throw new Error('boom [[not json]]');
    })('getIssueSla', {}).catch((e: unknown) => e);
    expect(plain).toMatchObject({ message: 'boom [[not json]]', messageCode: undefined });
  });
});
