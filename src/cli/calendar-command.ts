import { parseArgs } from 'node:util';
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, yearWarning } from '../domain/calendar/engine';
import { ruYear } from '../domain/calendar/ru-rule';

const USAGE = `usage: reglament calendar <year> [--json]
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

/**
 * `reglament calendar <year> [--json]`: the year's monthly working days, days off and hours, computed
 * from the compiled default calendar. Writes to `out`; returns the exit code (2 on a usage error).
 */
export function calendarCommand(args: string[], out: NodeJS.WritableStream): number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    out.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
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

  const lines = [
    `Production calendar of Russia, ${year} (${status})`,
    days.decree ? `Decree: ${days.decree}` : 'No decree: statutory holidays (Labour Code art. 112) assumed.',
    'Norms for a 5-day, 40-hour week (8 h a day, 7 h on a shortened pre-holiday day).',
    '',
    `${'Month'.padEnd(10)}${'Working days'.padStart(14)}${'Days off'.padStart(10)}${'Hours'.padStart(8)}`,
    ...months.map(
      (m) =>
        `${m.name.padEnd(10)}${String(m.workingDays).padStart(14)}${String(m.daysOff).padStart(10)}${String(m.hours).padStart(8)}`,
    ),
    `${'Year'.padEnd(10)}${String(total.workingDays).padStart(14)}${String(total.daysOff).padStart(10)}${String(total.hours).padStart(8)}`,
    '',
    `Shortened days: ${days.shortDays.join(', ') || 'none'}`,
    ...(days.workingWeekends.length > 0 ? [`Working weekends: ${days.workingWeekends.join(', ')}`] : []),
    ...(warning ? ['', `Warning: ${warning.message}`] : []),
  ];
  out.write(`${lines.join('\n')}\n`);
  return 0;
}
