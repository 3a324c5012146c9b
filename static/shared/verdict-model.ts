/**
 * What the issue panel says, computed from a verdict: breakdown steps translated by their `code`
 * (never the English `text`), warnings translated by `code`, the rule of each clock. Pure, so the
 * component tests can check it without a browser.
 */
import type { BreakdownStep } from '../../src/domain/priority';
import type { Clock, FixClock, Verdict, VerdictWarning } from '../../src/domain/snapshot';
import { hm, signed, workDuration } from './format';
import type { MessageKey, Translator } from './i18n';
import type { Locale } from '../../src/domain/codes';

const FIELD_KEY = {
  impact: 'field.impact',
  urgency: 'field.urgency',
  mode: 'field.mode',
  nature: 'field.nature',
  workaround: 'field.workaround',
} as const satisfies Record<string, MessageKey>;

/** Localized name of an input field (impact, urgency, …); the code itself when unknown. */
export function fieldName(field: string, t: Translator): string {
  const key = (FIELD_KEY as Record<string, MessageKey | undefined>)[field];
  return key ? t(key) : field;
}

/** The grammatical gender of a field's name (for Russian agreement: «Степень воздействия: повышена»). */
export function fieldGender(field: string, t: Translator): string {
  const key = (FIELD_KEY as Record<string, MessageKey | undefined>)[field];
  return key ? t.gender(key) : 'other';
}

/** A number with a true minus sign. */
const num = (n: number): string => (n < 0 ? `−${-n}` : String(n));

/** One breakdown step in the viewer's language. */
export function stepText(step: BreakdownStep, t: Translator): string {
  switch (step.code) {
    case 'base': {
      const row = t.label(step.rows === 'mode' ? 'mode' : 'urgency', step.row);
      const impact = t.label('impact', step.impact);
      if (step.range) {
        const [from, to] = step.range;
        const end = t(step.value === from && from !== to ? 'panel.step.end.lower' : 'panel.step.end.upper');
        return t('panel.step.base.range', { row, impact, from, to, end, value: step.value });
      }
      return t(step.rows === 'mode' ? 'panel.step.base.mode' : 'panel.step.base.urgency', {
        row,
        impact,
        value: step.value,
      });
    }
    case 'modifier':
      return t(`panel.step.modifier.${step.modifier}`, { delta: signed(step.delta), value: num(step.value) });
    case 'clamp':
      return t('panel.step.clamp', { from: num(step.from), value: num(step.value) });
    case 'linked':
      return t('panel.step.linked', {
        field: fieldName(step.field, t),
        gender: fieldGender(step.field, t),
        from: t.label(step.field, step.from),
        to: t.label(step.field, step.to),
      });
    case 'override':
      return t('panel.step.override', { value: step.value, computed: step.computed, reason: step.reason });
    default:
      return (step as { text?: string }).text ?? '';
  }
}

/** A verdict warning in the viewer's language (unknown codes keep the engine's English message). */
export function warningText(w: VerdictWarning, verdict: Pick<Verdict, 'missing'>, t: Translator): string {
  switch (w.code) {
    case 'incomplete':
      return t('warning.incomplete', { fields: verdict.missing.map((f) => fieldName(f, t)).join(', ') });
    case 'year-not-confirmed':
    case 'year-secondary-source': {
      const year = /\b(\d{4})\b/.exec(w.message)?.[1] ?? '';
      return t(`warning.${w.code}`, { year });
    }
    case 'fix-version-after-deadline':
      return t('warning.fix-version-after-deadline');
    default:
      return t.locale === 'ru' && w.ru ? w.ru : w.message;
  }
}

/** Total working time of a clock (used + left), when both are known. */
export function clockTotalMinutes(clock: Clock): number | null {
  if (typeof clock.usedMinutes !== 'number' || typeof clock.leftMinutes !== 'number') return null;
  return clock.usedMinutes + clock.leftMinutes;
}

/** The rule line of a clock. */
export function ruleText(
  which: 'reaction' | 'verification' | 'fix',
  clock: Clock | FixClock,
  t: Translator,
): string {
  if (which === 'fix') {
    const fix = clock as FixClock;
    // Issue #15: the rule with its figure ("within 10 working days"), read from the engine's text.
    const text = fix.ruleText ?? '';
    const figure =
      fix.rule === 'working-days' || fix.rule === 'later-of-days-and-update'
        ? /(\d+) working days?\b/.exec(text)?.[1]
        : fix.rule === 'earlier-of-update-and-months'
          ? /(\d+) months?\b/.exec(text)?.[1]
          : undefined;
    const base = figure
      ? t(`panel.rule.${fix.rule}.n` as MessageKey, { n: Number(figure) })
      : t(`panel.rule.${fix.rule}`);
    return fix.version ? `${base} · ${t('panel.rule.version', { version: fix.version })}` : base;
  }
  if (which === 'verification') return t('panel.rule.verification');
  const total = clockTotalMinutes(clock);
  // "8 working hours", not "8:00" (issue #15); a deadline of part hours keeps hours and minutes.
  if (total !== null && total % 60 === 0) return t('panel.rule.reaction.h', { n: total / 60 });
  return t('panel.rule.reaction', { hm: total === null ? '—' : hm(total) });
}

/**
 * Left / overdue / done line of a clock, durations as working days and hours (issue #15); a clock
 * closed after its deadline says by how much (`late`).
 */
export function clockProgress(
  clock: Clock,
  locale: Locale = 'en',
): { kind: 'done'; at: string; late: string | null } | { kind: 'left' | 'overdue'; hm: string } | null {
  const late = clock.state === 'breached' && typeof clock.leftMinutes === 'number' && clock.leftMinutes < 0;
  if (clock.at)
    return { kind: 'done', at: clock.at, late: late ? workDuration(clock.leftMinutes!, locale) : null };
  if (typeof clock.leftMinutes !== 'number') return null;
  return clock.leftMinutes < 0
    ? { kind: 'overdue', hm: workDuration(-clock.leftMinutes, locale) }
    : { kind: 'left', hm: workDuration(clock.leftMinutes, locale) };
}
