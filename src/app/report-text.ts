/**
 * The words and number formats of the compliance report's files (CSV, XLSX, PDF, CLI), in English and
 * Russian (issue #15). The reports page has its own strings in static/shared/i18n.ts.
 */
import { DateTime } from 'luxon';
import type { ReportView } from '../contract/report';
import type { Kind, Locale, PriorityClass } from '../domain/codes';

export const REPORT_LOCALES: readonly Locale[] = ['en', 'ru'];

const EN = {
  title: 'SLA compliance report',
  monthlyTitle: 'Monthly SLA compliance report',
  customer: 'Customer',
  projects: 'Projects',
  allProjects: 'all',
  period: 'Period',
  classFilter: 'Priority class',
  target: 'Target',
  targetText: 'at least {target} of deadlines met',
  generated: 'Generated',
  figures: 'Figures against the target',
  kind: 'Kind',
  class: 'Class',
  counted: 'Counted',
  onTime: 'On time',
  late: 'Late',
  share: 'Compliance',
  meets: 'Target met',
  budget: 'Late still allowed',
  agreed: 'Agreed deadlines',
  agreedKept: 'Agreed kept',
  agreedMissed: 'Agreed missed',
  waived: 'Waived breaches',
  undated: 'Without a dated deadline (not counted)',
  yes: 'yes',
  no: 'no',
  allClasses: 'All classes',
  trend: 'Monthly trend',
  month: 'Month',
  breached: 'Breached items (open past the deadline)',
  noBreached: 'None.',
  andMore: 'and {n} more',
  key: 'Key',
  summary: 'Summary',
  due: 'Due',
  state: 'State',
  exceptions: 'Agreed exceptions',
  exceptionsText:
    '{agreed} with an individually agreed deadline: {kept} kept, {missed} missed; {waived} breaches waived by an administrator.',
  notCounted: '—',
  sheetFigures: 'Figures',
  sheetTrend: 'Trend',
  sheetBreached: 'Breached',
  page: 'Page {n} of {total}',
};

type Words = typeof EN;

const RU: Words = {
  title: 'Отчёт о соблюдении сроков SLA',
  monthlyTitle: 'Ежемесячный отчёт о соблюдении сроков SLA',
  customer: 'Заказчик',
  projects: 'Проекты',
  allProjects: 'все',
  period: 'Период',
  classFilter: 'Класс приоритета',
  target: 'Цель',
  targetText: 'не менее {target} сроков соблюдено',
  generated: 'Сформирован',
  figures: 'Показатели относительно цели',
  kind: 'Вид',
  class: 'Класс',
  counted: 'Учтено',
  onTime: 'В срок',
  late: 'С нарушением',
  share: 'Соблюдение',
  meets: 'Цель достигнута',
  budget: 'Ещё допустимо нарушений',
  agreed: 'Согласованные сроки',
  agreedKept: 'Согласованный срок соблюдён',
  agreedMissed: 'Согласованный срок нарушен',
  waived: 'Снятые нарушения',
  undated: 'Без установленного срока (не учитываются)',
  yes: 'да',
  no: 'нет',
  allClasses: 'Все классы',
  trend: 'Динамика по месяцам',
  month: 'Месяц',
  breached: 'Просроченные обращения (открыты после срока)',
  noBreached: 'Нет.',
  andMore: 'и ещё {n}',
  key: 'Ключ',
  summary: 'Тема',
  due: 'Срок',
  state: 'Состояние',
  exceptions: 'Согласованные исключения',
  exceptionsText:
    'С индивидуально согласованным сроком: {agreed}; соблюдено: {kept}, нарушено: {missed}. Нарушений снято администратором: {waived}.',
  notCounted: '—',
  sheetFigures: 'Показатели',
  sheetTrend: 'Динамика',
  sheetBreached: 'Просрочено',
  page: 'Страница {n} из {total}',
};

export type ReportWord = keyof Words;

const KIND_WORDS: Record<Locale, Record<Kind, string>> = {
  en: { error: 'Errors', incident: 'Incidents' },
  ru: { error: 'Ошибки', incident: 'Инциденты' },
};

const CLASS_WORDS: Record<Locale, Record<PriorityClass, string>> = {
  en: { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', planned: 'Planned' },
  ru: { critical: 'Критический', high: 'Высокий', medium: 'Средний', low: 'Низкий', planned: 'Плановый' },
};

const STATE_WORDS: Record<Locale, Record<string, string>> = {
  en: { breached: 'breached', 'at-risk': 'at risk', running: 'running', met: 'met', waived: 'waived' },
  ru: {
    breached: 'просрочено',
    'at-risk': 'под угрозой',
    running: 'идёт',
    met: 'выполнено',
    waived: 'снято',
  },
};

/**
 * A word of the report in a language, with `{name}` placeholders filled.
 * @example word('ru', 'andMore', { n: 3 }) // => 'и ещё 3'
 */
export function word(lang: Locale, key: ReportWord, vars: Record<string, string | number> = {}): string {
  const text = (lang === 'ru' ? RU : EN)[key];
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
}

export const kindWord = (lang: Locale, k: Kind): string => KIND_WORDS[lang][k];
export const classWord = (lang: Locale, c: PriorityClass | null): string =>
  c === null ? word(lang, 'allClasses') : CLASS_WORDS[lang][c];
export const stateWord = (lang: Locale, s: string | null): string =>
  s === null ? '' : (STATE_WORDS[lang][s] ?? s);

/**
 * A share as a percentage with one decimal (decimal comma in Russian), or a dash when nothing counted.
 * @example percent('ru', 0.6875) // => '68,8 %'
 */
export function percent(lang: Locale, share: number | null): string {
  if (share === null) return word(lang, 'notCounted');
  const text = (Math.round(share * 1000) / 10).toFixed(1).replace(/\.0$/, '');
  return `${lang === 'ru' ? text.replace('.', ',') : text} %`;
}

/**
 * The period in words: one whole month by its name, else the two dates.
 * @example periodText('ru', '2026-04-01', '2026-04-30') // => 'апрель 2026'
 */
export function periodText(lang: Locale, from: string, to: string): string {
  const a = DateTime.fromISO(from).setLocale(lang);
  const b = DateTime.fromISO(to).setLocale(lang);
  if (a.day === 1 && a.hasSame(b, 'month') && b.day === b.daysInMonth) return a.toFormat('LLLL yyyy');
  return `${a.toFormat('d MMM yyyy')} – ${b.toFormat('d MMM yyyy')}`;
}

/**
 * A month 'YYYY-MM' in words.
 * @example monthText('en', '2026-04') // => 'Apr 2026'
 */
export const monthText = (lang: Locale, month: string): string =>
  DateTime.fromISO(`${month}-01`).setLocale(lang).toFormat('LLL yyyy');

/**
 * An instant in the report's zone, minutes, with the zone named.
 * @example localTime('2026-04-25T15:00:00Z', 'Europe/Moscow') // => '2026-04-25 18:00 (Europe/Moscow)'
 */
export function localTime(iso: string | null, zone: string, withZone = true): string {
  if (iso === null) return '';
  const d = DateTime.fromISO(iso, { setZone: true }).setZone(zone);
  if (!d.isValid) return iso;
  return `${d.toFormat('yyyy-MM-dd HH:mm')}${withZone ? ` (${zone})` : ''}`;
}

/** The header lines of a report (label, value), as every format prints them first. */
export function headerLines(v: ReportView, lang: Locale): [string, string][] {
  return [
    ...(v.customer ? [[word(lang, 'customer'), v.customer] as [string, string]] : []),
    [word(lang, 'period'), `${periodText(lang, v.from, v.to)} (${v.from} – ${v.to})`],
    [word(lang, 'projects'), v.projects.length > 0 ? v.projects.join(', ') : word(lang, 'allProjects')],
    ...(v.class ? [[word(lang, 'classFilter'), classWord(lang, v.class)] as [string, string]] : []),
    [word(lang, 'target'), word(lang, 'targetText', { target: percent(lang, v.target) })],
    [word(lang, 'generated'), localTime(v.generatedAt, v.zone)],
  ];
}

/** Checks a language parameter. */
export function reportLocale(value: unknown): Locale {
  if (value === undefined || value === null || value === '') return 'en';
  if (value === 'en' || value === 'ru') return value;
  throw new RangeError(`lang must be en or ru, got ${JSON.stringify(value)}`);
}
