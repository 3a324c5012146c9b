/** The field editors' options and labels, without UI Kit (so tests can import them). */
import { codesOf, labelOf, type Dimension, type Locale } from '../../src/domain/codes';

export type InputDimension = Extract<Dimension, 'impact' | 'urgency' | 'mode' | 'nature' | 'workaround'>;

export const FIELD_NAMES: Record<InputDimension, { ru: string; en: string }> = {
  impact: { ru: 'Степень воздействия', en: 'Impact' },
  urgency: { ru: 'Срочность', en: 'Urgency' },
  mode: { ru: 'Режим использования', en: 'Usage mode' },
  nature: { ru: 'Характер', en: 'Nature' },
  workaround: { ru: 'Обходной путь', en: 'Workaround' },
};

export const PLACEHOLDER: Record<Locale, string> = { ru: 'Не задано', en: 'Not set' };

/** 'ru-RU' → 'ru'; anything not Russian → English. */
export function localeOf(code: unknown): Locale {
  return typeof code === 'string' && code.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

/** The options of a field, labelled in a locale. */
export function optionsOf(dimension: InputDimension, locale: Locale): { label: string; value: string }[] {
  return codesOf(dimension).map((c) => ({ label: labelOf(dimension, c, locale), value: c }));
}
