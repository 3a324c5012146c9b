/** A priority breakdown step in English or Russian for the CLI (the UI has its own, by the same codes). */
import { labelOf, type Locale } from '../domain/codes';
import type { BreakdownStep } from '../domain/priority';

const signed = (n: number): string => (n < 0 ? `−${-n}` : `+${n}`);

const FIELD_RU = { impact: 'воздействие', urgency: 'срочность', mode: 'режим' } as const;

/**
 * One step's text; English is the engine's own text.
 * @example stepText({ code: 'modifier', modifier: 'question', delta: -2, value: 1, text: '' }, 'ru') // => 'вопрос −2 = 1'
 */
export function stepText(step: BreakdownStep, lang: Locale): string {
  if (lang === 'en') return step.text;
  switch (step.code) {
    case 'base': {
      const row = `${step.rows === 'mode' ? 'режим' : 'срочность'} «${labelOf(step.rows, step.row, 'ru')}»`;
      const impact = `воздействие «${labelOf('impact', step.impact, 'ru')}»`;
      const value = step.range ? `${step.range[0]}–${step.range[1]}, итог ${step.value}` : String(step.value);
      return `базовое значение: ${row} × ${impact} = ${value}`;
    }
    case 'modifier': {
      const what = { implementation: 'режим внедрения', question: 'вопрос', workaround: 'обходное решение' }[
        step.modifier
      ];
      return `${what} ${signed(step.delta)} = ${step.value}`;
    }
    case 'clamp':
      return `приведено к допустимому диапазону: ${step.from} → ${step.value}`;
    case 'linked':
      return `по связанному инциденту (${FIELD_RU[step.field]}): «${labelOf(step.field, step.from, 'ru')}» → «${labelOf(step.field, step.to, 'ru')}»`;
    case 'override':
      return `задано вручную: ${step.value} (расчётное значение ${step.computed}), причина: ${step.reason}`;
    default:
      return (step as { text: string }).text;
  }
}
