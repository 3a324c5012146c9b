/** Every string of the screens exists in both languages, with the same placeholders and plural forms. */
import { DICTIONARIES, pluralCategory, pickLocale, translator, type Message } from '../../static/shared/i18n';

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
