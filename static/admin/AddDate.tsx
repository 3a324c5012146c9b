/** The calendar's explicit "Add date" (issue #15): a date, its kind and a note, besides click-to-cycle. */
import React, { useState } from 'react';
import type { CalendarConfig, DateExceptionKind } from '../../src/domain/calendar/types';
import { useUi } from '../shared/ui';
import { addOwnDate, OWN_KINDS } from './calendar-model';

export function AddDate({
  calendar,
  setCalendar,
  readOnly,
}: {
  calendar: CalendarConfig;
  setCalendar: (c: CalendarConfig) => void;
  readOnly: boolean;
}) {
  const { t } = useUi();
  const [date, setDate] = useState('');
  const [kind, setKind] = useState<DateExceptionKind>('holiday');
  const [note, setNote] = useState('');
  const [invalid, setInvalid] = useState(false);
  const add = (e: React.FormEvent) => {
    e.preventDefault();
    const r = addOwnDate(calendar.overrides, { date, kind, note });
    if (!r.ok) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setCalendar({ ...calendar, overrides: r.overrides });
    setDate('');
    setNote('');
  };
  return (
    <form
      className="rg-row rg-add-date"
      onSubmit={add}
      aria-label={t('admin.addDate')}
      data-testid="add-date"
    >
      <div className="rg-field">
        <label htmlFor="add-date-date">{t('admin.addDate.date')}</label>
        <input
          id="add-date-date"
          className="rg-input"
          type="date"
          value={date}
          disabled={readOnly}
          aria-invalid={invalid}
          aria-describedby={invalid ? 'add-date-err' : undefined}
          onChange={(e) => setDate(e.target.value)}
        />
        {invalid && (
          <span id="add-date-err" className="rg-error-text">
            {t('admin.addDate.invalid')}
          </span>
        )}
      </div>
      <div className="rg-field">
        <label htmlFor="add-date-kind">{t('admin.addDate.kind')}</label>
        <select
          id="add-date-kind"
          className="rg-select"
          value={kind}
          disabled={readOnly}
          onChange={(e) => setKind(e.target.value as DateExceptionKind)}
        >
          {OWN_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="rg-field">
        <label htmlFor="add-date-note">{t('admin.addDate.note')}</label>
        <input
          id="add-date-note"
          className="rg-input"
          value={note}
          disabled={readOnly}
          onChange={(e) => setNote(e.target.value)}
        />
      </div>
      <div className="rg-field">
        <span className="rg-label" aria-hidden="true">
          &nbsp;
        </span>
        <button type="submit" className="rg-button" disabled={readOnly} data-testid="add-date-submit">
          {t('admin.addDate.add')}
        </button>
      </div>
    </form>
  );
}
