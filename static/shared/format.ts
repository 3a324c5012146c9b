/**
 * Formatting for people: shares, working time as h:mm, instants in a zone, months. Pure (no DOM), so
 * the component tests can import it.
 */
import { DateTime } from 'luxon';
import type { Locale } from './i18n';

/** A share 0..1 as a percent, at most one decimal: 0.8 → "80%" (en), "80 %" (ru). */
export function pct(share: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-US', {
    style: 'percent',
    maximumFractionDigits: 1,
  }).format(share);
}

/**
 * Working minutes as h:mm; negative values keep their sign.
 * @example hm(390) // '6:30'
 * @example hm(-5) // '−0:05'
 */
export function hm(minutes: number): string {
  const m = Math.round(Math.abs(minutes));
  const text = `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
  return minutes < 0 && m !== 0 ? `−${text}` : text;
}

/**
 * Working time as working days and hours (issue #15: not "218:56"): whole working days of
 * `dayMinutes` (8 h by default, the regulation's working day), then hours and minutes; the sign is
 * dropped (the caller says "left" or "late by").
 * @example workDuration(13136, 'en') // '27 working days 2 h 56 min'
 * @example workDuration(390, 'ru') // '6 ч 30 мин'
 */
export function workDuration(minutes: number, locale: Locale, dayMinutes = 480): string {
  const m = Math.round(Math.abs(minutes));
  const days = Math.floor(m / dayMinutes);
  const hours = Math.floor((m % dayMinutes) / 60);
  const mins = m % 60;
  const parts: string[] = [];
  if (days > 0)
    parts.push(locale === 'ru' ? `${days} раб. дн.` : `${days} working ${days === 1 ? 'day' : 'days'}`);
  if (hours > 0) parts.push(locale === 'ru' ? `${hours} ч` : `${hours} h`);
  if (mins > 0 || parts.length === 0) parts.push(locale === 'ru' ? `${mins} мин` : `${mins} min`);
  return parts.join(' ');
}

// 'MMM' is the month in its date form (Russian genitive: «16 июн. 2026»); 'LLL' would be the standalone form.
const DATE_TIME: Record<Locale, string> = { en: 'd MMM yyyy, HH:mm', ru: 'd MMM yyyy, HH:mm' };
const DATE_ONLY: Record<Locale, string> = { en: 'd MMM yyyy', ru: 'd MMM yyyy' };

/** An ISO instant shown in a zone: "10 Mar 2026, 16:30" / «10 мар. 2026, 16:30». */
export function dateTimeIn(iso: string, zone: string, locale: Locale): string {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) return iso;
  return dt.setZone(zone).setLocale(locale).toFormat(DATE_TIME[locale]);
}

/** An ISO instant or a 'YYYY-MM-DD' date shown as a date. */
export function dateOnly(isoOrDate: string, locale: Locale, zone?: string): string {
  let dt = DateTime.fromISO(isoOrDate, { setZone: true });
  if (!dt.isValid) return isoOrDate;
  if (zone && isoOrDate.length > 10) dt = dt.setZone(zone);
  return dt.setLocale(locale).toFormat(DATE_ONLY[locale]);
}

/** 'YYYY-MM' as a short month name with the year: "Mar 2026" / «март 2026». */
export function monthLabel(ym: string, locale: Locale, short = false): string {
  const dt = DateTime.fromISO(`${ym}-01`);
  if (!dt.isValid) return ym;
  return dt.setLocale(locale).toFormat(short ? 'LLL' : 'LLLL yyyy');
}

/** A signed number with a true minus: 2 → "+2", -3 → "−3". */
export function signed(n: number): string {
  return n >= 0 ? `+${n}` : `−${-n}`;
}

/** Splits "A, b ,C" into ['A', 'b', 'C'] (empty items dropped). */
export function splitList(text: string): string[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
