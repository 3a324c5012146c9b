/**
 * The working calendar: a year grid (12 months of days: holidays, transfers, shortened days, own
 * dates) whose dates are set by click or keyboard, the year's source and status, and the calendar's
 * settings.
 */
import React, { useEffect, useRef, useState } from 'react';
import type { CalendarDay, CalendarYearView } from '../../src/contract/api';
import type { CalendarConfig, DateExceptionKind } from '../../src/domain/calendar/types';
import type { Problem } from '../../src/domain/policy-validate';
import { dateOnly } from '../shared/format';
import type { Translator } from '../shared/i18n';
import { LoadError, Lozenge, useLoad, useUi } from '../shared/ui';
import { monthWeeks, moveDate, nextOwnKind, setOwnDate, yearConfirmed } from './calendar-model';
import { problemText } from './model';
import { AddDate } from './AddDate';

const MIN_YEAR = 2020;
const MAX_YEAR = 2035;

function weekdayNames(locale: string): string[] {
  // 2024-01-01 was a Monday
  return Array.from({ length: 7 }, (_, i) =>
    new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(
      new Date(Date.UTC(2024, 0, 1 + i)),
    ),
  );
}

function monthName(locale: string, month: number): string {
  return new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' }).format(
    new Date(Date.UTC(2024, month - 1, 1)),
  );
}

function dayLabel(t: Translator, day: CalendarDay): string {
  const kind = t(`kind.${day.kind}`);
  const text = t('admin.calendar.dayLabel', { date: dateOnly(day.date, t.locale), kind });
  return day.own ? `${text} (${t('admin.calendar.ownMark')})` : text;
}

function YearGrid({
  view,
  focusDate,
  setFocusDate,
  onActivate,
  readOnly,
}: {
  view: CalendarYearView;
  focusDate: string;
  setFocusDate: (d: string) => void;
  onActivate: (day: CalendarDay) => void;
  readOnly: boolean;
}) {
  const { t } = useUi();
  const gridRef = useRef<HTMLDivElement>(null);
  const moved = useRef(false);
  const weekdays = weekdayNames(t.locale);
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    gridRef.current?.querySelector<HTMLButtonElement>(`[data-date="${focusDate}"]`)?.focus();
  }, [focusDate]);
  const onKey = (e: React.KeyboardEvent<HTMLButtonElement>, day: CalendarDay) => {
    const next = moveDate(day.date, e.key, view.year);
    if (next !== undefined) {
      e.preventDefault();
      moved.current = true;
      setFocusDate(next);
    }
  };
  return (
    <div className="rg-year" ref={gridRef}>
      {Array.from({ length: 12 }, (_, i) => i + 1).map((m) => {
        const norm = view.months.find((x) => x.month === m);
        const titleId = `month-${m}`;
        return (
          <div key={m} className="rg-month">
            <table className="rg-month-table" role="grid" aria-labelledby={titleId}>
              <caption id={titleId} className="rg-month-title">
                {monthName(t.locale, m)}
              </caption>
              <thead>
                <tr>
                  {weekdays.map((w, i) => (
                    <th key={i} scope="col" abbr={w}>
                      {w}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {monthWeeks(view.year, m, view.days).map((week, wi) => (
                  <tr key={wi}>
                    {week.map((day, di) =>
                      day ? (
                        <td key={di} role="gridcell">
                          <button
                            type="button"
                            className={`rg-day rg-kind-${day.kind}${day.own ? ' rg-own' : ''}`}
                            data-date={day.date}
                            data-kind={day.kind}
                            data-own={day.own}
                            tabIndex={day.date === focusDate ? 0 : -1}
                            aria-label={dayLabel(t, day)}
                            aria-disabled={readOnly}
                            title={dayLabel(t, day)}
                            onFocus={() => setFocusDate(day.date)}
                            onKeyDown={(e) => onKey(e, day)}
                            onClick={() => !readOnly && onActivate(day)}
                          >
                            {Number(day.date.slice(8, 10))}
                          </button>
                        </td>
                      ) : (
                        <td key={di} role="gridcell" aria-hidden="true" />
                      ),
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            {norm && (
              <p className="rg-month-norm rg-small rg-muted">
                {t('admin.calendar.month', { days: norm.workingDays, hours: norm.hours })}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}

const LEGEND: CalendarDay['kind'][] = [
  'workday',
  'weekend',
  'holiday',
  'day-off',
  'working-day',
  'short-day',
];

export function CalendarTab({
  calendar,
  setCalendar,
  readOnly,
  problems,
}: {
  calendar: CalendarConfig;
  setCalendar: (c: CalendarConfig) => void;
  readOnly: boolean;
  problems: Problem[];
}) {
  const { client, t } = useUi();
  const [year, setYear] = useState(() => Math.min(MAX_YEAR, Math.max(MIN_YEAR, new Date().getFullYear())));
  const [focusDate, setFocusDate] = useState(`${year}-01-01`);
  const calendarKey = JSON.stringify(calendar);
  const calendarValid = !problems.some((p) => p.path === 'calendar' || p.path.startsWith('calendar.'));
  const { data, error, reload } = useLoad(
    () => (calendarValid ? client.call('getCalendarYear', { year, calendar }) : Promise.resolve(null)),
    [year, calendarKey, calendarValid],
  );
  const view = data && data.year === year ? data : null;

  const changeYear = (y: number) => {
    const next = Math.min(MAX_YEAR, Math.max(MIN_YEAR, y));
    setYear(next);
    setFocusDate(`${next}${focusDate.slice(4)}`.replace(/-02-29$/, '-02-28'));
  };
  const activate = (day: CalendarDay) => {
    const kind: DateExceptionKind | null = nextOwnKind(day);
    setCalendar({ ...calendar, overrides: setOwnDate(calendar.overrides, day.date, kind) });
  };
  const set = <K extends keyof CalendarConfig>(k: K, v: CalendarConfig[K]) =>
    setCalendar({ ...calendar, [k]: v });
  const calProblems = problems.filter((p) => p.path.startsWith('calendar'));

  return (
    <div>
      <div className="rg-row rg-cal-settings">
        <div className="rg-field">
          <label htmlFor="cal-zone">{t('admin.calendar.zone')}</label>
          <input
            id="cal-zone"
            className="rg-input"
            value={calendar.zone}
            readOnly={readOnly}
            aria-invalid={calProblems.some((p) => p.path === 'calendar.zone')}
            onChange={(e) => set('zone', e.target.value)}
          />
        </div>
        <div className="rg-field">
          <label htmlFor="cal-production">{t('admin.calendar.production')}</label>
          <select
            id="cal-production"
            className="rg-select"
            value={calendar.production}
            disabled={readOnly}
            onChange={(e) => set('production', e.target.value as CalendarConfig['production'])}
          >
            <option value="ru">{t('admin.calendar.production.ru')}</option>
            <option value="none">{t('admin.calendar.production.none')}</option>
          </select>
        </div>
        <div className="rg-field">
          <label htmlFor="cal-short">{t('admin.calendar.shortDay')}</label>
          <input
            id="cal-short"
            className="rg-input rg-input-num"
            inputMode="numeric"
            value={String(calendar.shortDayMinutes)}
            readOnly={readOnly}
            aria-invalid={calProblems.some((p) => p.path === 'calendar.shortDayMinutes')}
            onChange={(e) => {
              const n = Number(e.target.value);
              set(
                'shortDayMinutes',
                (e.target.value.trim() !== '' && Number.isFinite(n) ? n : e.target.value) as number,
              );
            }}
          />
        </div>
        <label className="rg-check">
          <input
            type="checkbox"
            checked={calendar.allDay === true}
            disabled={readOnly}
            onChange={(e) => set('allDay', e.target.checked)}
          />
          {t('admin.calendar.allDay')}
        </label>
      </div>
      {calProblems.length > 0 && (
        <ul className="rg-error-list">
          {calProblems.map((p, i) => (
            <li key={i} className="rg-error-text">
              {problemText(p, {}, t)}
            </li>
          ))}
        </ul>
      )}

      <div className="rg-row rg-year-nav">
        <button
          type="button"
          className="rg-button"
          onClick={() => changeYear(year - 1)}
          disabled={year <= MIN_YEAR}
        >
          <span aria-hidden="true">‹ </span>
          {t('admin.calendar.prev')}
        </button>
        <label className="rg-visually-hidden" htmlFor="cal-year">
          {t('admin.calendar.year')}
        </label>
        <select
          id="cal-year"
          className="rg-select"
          value={year}
          onChange={(e) => changeYear(Number(e.target.value))}
        >
          {Array.from({ length: MAX_YEAR - MIN_YEAR + 1 }, (_, i) => MIN_YEAR + i).map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="rg-button"
          onClick={() => changeYear(year + 1)}
          disabled={year >= MAX_YEAR}
        >
          {t('admin.calendar.next')}
          <span aria-hidden="true"> ›</span>
        </button>
        {view && (
          <span className="rg-year-status" data-testid="year-status" data-status={view.status}>
            <Lozenge appearance={yearConfirmed(view.status) ? 'success' : 'moved'}>
              {yearConfirmed(view.status)
                ? t(`admin.calendar.status.${view.status}`)
                : t('admin.calendar.notConfirmed')}
            </Lozenge>{' '}
            {!yearConfirmed(view.status) && <span>{t(`admin.calendar.status.${view.status}`)} · </span>}
            <span className="rg-muted rg-small">{t('admin.calendar.source', { source: view.source })}</span>
          </span>
        )}
      </div>
      <p className="rg-muted rg-small" id="cal-help">
        {t('admin.calendar.help')}
      </p>
      <ul className="rg-legend rg-small" aria-label={t('admin.tab.calendar')}>
        {LEGEND.map((k) => (
          <li key={k}>
            <span className={`rg-day rg-day-sample rg-kind-${k}`} aria-hidden="true" /> {t(`kind.${k}`)}
          </li>
        ))}
        <li>
          <span className="rg-day rg-day-sample rg-own" aria-hidden="true" /> {t('admin.calendar.ownMark')}
        </li>
      </ul>
      {error !== undefined && <LoadError error={error} onRetry={reload} />}
      {view && (
        <YearGrid
          view={view}
          focusDate={focusDate.startsWith(String(year)) ? focusDate : `${year}-01-01`}
          setFocusDate={setFocusDate}
          onActivate={activate}
          readOnly={readOnly}
        />
      )}
      <section className="rg-section" aria-labelledby="h-own">
        <h2 id="h-own">{t('admin.calendar.own')}</h2>
        <AddDate calendar={calendar} setCalendar={setCalendar} readOnly={readOnly} />
        {calendar.overrides.length === 0 ? (
          <p className="rg-muted">{t('admin.calendar.ownNone')}</p>
        ) : (
          <ul className="rg-own-list" data-testid="own-dates">
            {calendar.overrides.map((o) => (
              <li key={o.date}>
                <span>
                  {dateOnly(o.date, t.locale)} — {t(`kind.${o.kind}`)}
                  {o.note ? ` · ${o.note}` : ''}
                </span>{' '}
                <button
                  type="button"
                  className="rg-button rg-button-subtle"
                  disabled={readOnly}
                  aria-label={`${t('common.remove')}: ${dateOnly(o.date, t.locale)}`}
                  onClick={() =>
                    setCalendar({ ...calendar, overrides: setOwnDate(calendar.overrides, o.date, null) })
                  }
                >
                  {t('common.remove')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
