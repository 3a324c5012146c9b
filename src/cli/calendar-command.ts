import type { Locale } from '../domain/codes';
import { parseFlags } from './args';
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, yearWarning } from '../domain/calendar/engine';
import { ruYear } from '../domain/calendar/ru-rule';

const USAGE = `usage: reglament calendar <year> [--json] [--lang ru|en]
  the Russian production calendar's monthly norms for a 5-day, 40-hour week
  (8 h a day, 7 h on a shortened pre-holiday day); years without a decree follow
  the statutory rule (Labour Code art. 112) and are marked as not confirmed`;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const MONTHS_RU = [
  'Январь',
  'Февраль',
  'Март',
  'Апрель',
  'Май',
  'Июнь',
  'Июль',
  'Август',
  'Сентябрь',
  'Октябрь',
  'Ноябрь',
  'Декабрь',
];

const TEXT = {
  en: {
    title: (year: number, status: string) => `Production calendar of Russia, ${year} (${status})`,
    status: {
      official: 'official',
      secondary: 'secondary',
      'statutory-rule': 'statutory-rule',
      custom: 'custom',
    },
    decree: (d: string) => `Decree: ${d}`,
    noDecree: 'No decree: statutory holidays (Labour Code art. 112) assumed.',
    norms: 'Norms for a 5-day, 40-hour week (8 h a day, 7 h on a shortened pre-holiday day).',
    head: ['Month', 'Working days', 'Days off', 'Hours'],
    year: 'Year',
    shortDays: 'Shortened days',
    none: 'none',
    workingWeekends: 'Working weekends',
    warning: 'Warning',
    warnings: { 'year-not-confirmed': '', 'year-secondary-source': '' },
  },
  ru: {
    title: (year: number, status: string) => `Производственный календарь России, ${year} (${status})`,
    status: {
      official: 'официальный',
      secondary: 'по вторичным источникам',
      'statutory-rule': 'по правилу Трудового кодекса',
      custom: 'собственный',
    },
    decree: (d: string) => `Постановление: ${d}`,
    noDecree: 'Постановления нет: приняты праздники по ст. 112 Трудового кодекса.',
    norms: 'Нормы для пятидневной 40-часовой недели (8 ч в день, 7 ч в сокращённый предпраздничный день).',
    head: ['Месяц', 'Рабочих дней', 'Выходных', 'Часов'],
    year: 'Год',
    shortDays: 'Сокращённые дни',
    none: 'нет',
    workingWeekends: 'Рабочие выходные',
    warning: 'Внимание',
    warnings: {
      'year-not-confirmed':
        'календарь этого года не подтверждён постановлением: приняты праздники по ст. 112 и сокращённые дни по ст. 95 Трудового кодекса.',
      'year-secondary-source':
        'календарь этого года взят из вторичных источников и не подтверждён официальной публикацией; выходные могут измениться.',
    },
  },
} as const;

/**
 * `reglament calendar <year> [--json] [--lang ru|en]`: the year's monthly working days, days off and hours, computed
 * from the compiled default calendar. Writes to `out`; returns the exit code (2 on a usage error).
 */
export function calendarCommand(args: string[], out: NodeJS.WritableStream): number {
  let parsed;
  try {
    parsed = parseFlags(
      args,
      { json: { type: 'boolean' }, lang: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      true,
    );
  } catch (e) {
    out.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  if (values.lang !== undefined && values.lang !== 'ru' && values.lang !== 'en') {
    out.write(`--lang must be ru or en, got ${JSON.stringify(values.lang)}\n${USAGE}\n`);
    return 2;
  }
  const lang: Locale = values.lang === 'ru' ? 'ru' : 'en';
  const year = Number(positionals[0]);
  if (positionals.length !== 1 || !/^\d{4}$/.test(positionals[0] ?? '') || year < 1900 || year > 2200) {
    out.write(
      `expected one year from 1900 to 2200, got ${JSON.stringify(positionals.join(' '))}\n${USAGE}\n`,
    );
    return 2;
  }

  const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG, { fromYear: year, toYear: year });
  const days = ruYear(year);
  const status = cal.yearStatus(year);
  const warning = yearWarning(year, status);
  const months = MONTHS.map((name, i) => {
    const norm = cal.monthNorm(year, i + 1);
    const calendarDays = new Date(Date.UTC(year, i + 1, 0)).getUTCDate();
    return {
      month: i + 1,
      name,
      workingDays: norm.workingDays,
      daysOff: calendarDays - norm.workingDays,
      hours: norm.hours,
    };
  });
  const total = months.reduce(
    (t, m) => ({
      workingDays: t.workingDays + m.workingDays,
      daysOff: t.daysOff + m.daysOff,
      hours: t.hours + m.hours,
    }),
    { workingDays: 0, daysOff: 0, hours: 0 },
  );

  if (values.json) {
    out.write(
      `${JSON.stringify({
        year,
        status,
        ...(days.decree ? { decree: days.decree } : {}),
        months: months.map(({ month, workingDays, daysOff, hours }) => ({
          month,
          workingDays,
          daysOff,
          hours,
        })),
        total,
        shortDays: days.shortDays,
        ...(warning ? { warnings: [warning] } : {}),
      })}\n`,
    );
    return 0;
  }

  const t = TEXT[lang];
  const names = lang === 'ru' ? MONTHS_RU : MONTHS;
  const w = [12, 15, 10, 8];
  const cells = (c: readonly (string | number)[]) =>
    c.map((x, i) => (i === 0 ? String(x).padEnd(w[i]!) : String(x).padStart(w[i]!))).join('');
  const lines = [
    t.title(year, t.status[status]),
    days.decree ? t.decree(days.decree) : t.noDecree,
    t.norms,
    '',
    cells(t.head),
    ...months.map((m) => cells([names[m.month - 1]!, m.workingDays, m.daysOff, m.hours])),
    cells([t.year, total.workingDays, total.daysOff, total.hours]),
    '',
    `${t.shortDays}: ${days.shortDays.join(', ') || t.none}`,
    ...(days.workingWeekends.length > 0 ? [`${t.workingWeekends}: ${days.workingWeekends.join(', ')}`] : []),
    ...(warning ? ['', `${t.warning}: ${lang === 'ru' ? t.warnings[warning.code] : warning.message}`] : []),
  ];
  out.write(`${lines.join('\n')}\n`);
  return 0;
}
