/** The field editors' options: codes stored, labels shown in the viewer's language. */
import { FIELD_NAMES, localeOf, optionsOf, PLACEHOLDER } from '../../static/field-editors/_options';

describe('field editor options', () => {
  it('label the workaround codes in Russian and English', () => {
    expect(optionsOf('workaround', 'ru')).toEqual([
      { value: 'none', label: 'Нет' },
      { value: 'moderate', label: 'Средне приемлемый' },
      { value: 'full', label: 'Вполне приемлемый' },
    ]);
    expect(optionsOf('mode', 'en').map((o) => o.label)).toEqual(['Operation', 'Implementation']);
    expect(optionsOf('impact', 'ru').map((o) => o.value)).toEqual(['high', 'medium', 'low']);
  });

  it.each([
    ['ru-RU', 'ru'],
    ['ru', 'ru'],
    ['en-US', 'en'],
    ['de-DE', 'en'],
    [undefined, 'en'],
  ])('reads the Forge locale %s as %s', (code, locale) => expect(localeOf(code)).toBe(locale));

  it('names every field and the empty value in both languages', () => {
    for (const n of Object.values(FIELD_NAMES)) expect(n.ru).not.toBe(n.en);
    expect(PLACEHOLDER).toEqual({ ru: 'Не задано', en: 'Not set' });
  });
});
