/**
 * The stable codes of the regulation's vocabulary (SPEC §1) and their Russian labels.
 * Codes are what is stored and exchanged; labels are for people.
 */

export const IMPACTS = ['high', 'medium', 'low'] as const;
export const URGENCIES = ['high', 'medium', 'low'] as const;
export const MODES = ['operation', 'implementation'] as const;
export const NATURES = ['failure', 'question'] as const;
export const WORKAROUNDS = ['none', 'moderate', 'full'] as const;
export const KINDS = ['incident', 'error'] as const;
export const CLASSES = ['critical', 'high', 'medium', 'low', 'planned'] as const;

export type Impact = (typeof IMPACTS)[number];
export type Urgency = (typeof URGENCIES)[number];
export type Level3 = Impact;
export type Mode = (typeof MODES)[number];
export type Nature = (typeof NATURES)[number];
export type Workaround = (typeof WORKAROUNDS)[number];
export type Kind = (typeof KINDS)[number];
export type PriorityClass = (typeof CLASSES)[number];

export type Locale = 'ru' | 'en';

/** Labels per code, in both UI languages. */
export const LABELS = {
  impact: {
    high: { ru: 'Высокая', en: 'High' },
    medium: { ru: 'Средняя', en: 'Medium' },
    low: { ru: 'Низкая', en: 'Low' },
  },
  urgency: {
    high: { ru: 'Высокая', en: 'High' },
    medium: { ru: 'Средняя', en: 'Medium' },
    low: { ru: 'Низкая', en: 'Low' },
  },
  mode: {
    operation: { ru: 'Эксплуатация', en: 'Operation' },
    implementation: { ru: 'Внедрение', en: 'Implementation' },
  },
  nature: {
    failure: { ru: 'Сбой', en: 'Failure' },
    question: { ru: 'Вопрос', en: 'Question' },
  },
  workaround: {
    none: { ru: 'Нет', en: 'None' },
    moderate: { ru: 'Средне приемлемый', en: 'Moderately acceptable' },
    full: { ru: 'Вполне приемлемый', en: 'Fully acceptable' },
  },
  kind: {
    incident: { ru: 'Инцидент', en: 'Incident' },
    error: { ru: 'Ошибка', en: 'Error' },
  },
  class: {
    critical: { ru: 'Критический', en: 'Critical' },
    high: { ru: 'Высокий', en: 'High' },
    medium: { ru: 'Средний', en: 'Medium' },
    low: { ru: 'Низкий', en: 'Low' },
    planned: { ru: 'Плановый', en: 'Planned' },
  },
} as const;

export type Dimension = keyof typeof LABELS;

const CODES: { [D in Dimension]: readonly string[] } = {
  impact: IMPACTS,
  urgency: URGENCIES,
  mode: MODES,
  nature: NATURES,
  workaround: WORKAROUNDS,
  kind: KINDS,
  class: CLASSES,
};

/** Extra Russian spellings people type (besides the labels above). */
const ALIASES: { [D in Dimension]?: Record<string, string> } = {
  workaround: {
    отсутствует: 'none',
    'нет обходного пути': 'none',
    средне: 'moderate',
    'средне приемлемый': 'moderate',
    вполне: 'full',
    'вполне приемлемый': 'full',
  },
  impact: {
    высокое: 'high',
    среднее: 'medium',
    низкое: 'low',
    высокий: 'high',
    средний: 'medium',
    низкий: 'low',
  },
  urgency: { высокий: 'high', средний: 'medium', низкий: 'low' },
};

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/ё/g, 'е').replace(/[«»"]/g, '').replace(/\s+/g, ' ');
}

/**
 * Reads a code of one dimension from a code or a Russian/English label.
 * @example parseCode('impact', 'Высокая') // => 'high'
 * @returns the code, or undefined when the text is none of them.
 */
export function parseCode<D extends Dimension>(
  dimension: D,
  text: unknown,
): keyof (typeof LABELS)[D] | undefined {
  if (typeof text !== 'string') return undefined;
  const t = normalise(text);
  const codes = CODES[dimension];
  if (codes.includes(t)) return t as keyof (typeof LABELS)[D];
  const labels = LABELS[dimension] as Record<string, { ru: string; en: string }>;
  for (const code of codes) {
    const l = labels[code];
    if (l && (normalise(l.ru) === t || normalise(l.en) === t)) return code as keyof (typeof LABELS)[D];
  }
  // Own properties only: "__proto__" or "constructor" must not find Object.prototype's members.
  const aliases = ALIASES[dimension];
  const alias = aliases && Object.hasOwn(aliases, t) ? aliases[t] : undefined;
  return alias as keyof (typeof LABELS)[D] | undefined;
}

/** The codes allowed for a dimension, for error messages. */
export function codesOf(dimension: Dimension): readonly string[] {
  return CODES[dimension];
}

/** The label of a code in a locale, or the code itself when unknown. */
export function labelOf(dimension: Dimension, code: string, locale: Locale): string {
  const labels = LABELS[dimension] as Record<string, { ru: string; en: string } | undefined>;
  return (Object.hasOwn(labels, code) ? labels[code]?.[locale] : undefined) ?? code;
}
