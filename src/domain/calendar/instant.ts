/**
 * Instants at the edges: ISO 8601 text with an explicit offset in, ISO text in a calendar's zone out.
 * The engine itself works on epoch milliseconds only.
 */
import { DateTime, IANAZone } from 'luxon';
import { fastIso } from './format';
import { CalendarError } from './types';

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
/** The offset part: hours 00–23 and minutes 00–59 (RFC 3339 `time-numoffset`); `+24:00` is no offset. */
const OFFSET = /(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Parses an ISO 8601 date-time that carries its offset (`Z` or `±HH:mm`) to epoch ms. Text without an
 * offset is rejected rather than read in some default zone.
 *
 * @throws CalendarError 'invalid-input' with the reason.
 * @example parseInstant('2026-03-06T16:30:00+03:00') // 1772803800000
 * @example parseInstant('2026-03-06T16:30')          // throws: no offset
 */
export function parseInstant(iso: string): number {
  // One event parses the same instants several times (schema, evaluation, next change, ledger): the
  // last few thousand answers are kept (a pure function; refusals are not kept and throw every time).
  const known = parsed.get(iso);
  if (known !== undefined) return known;
  const fast = typeof iso === 'string' ? fieldsMs(iso) : null;
  if (fast !== null) {
    remember(iso, fast);
    return fast;
  }
  if (typeof iso !== 'string' || !ISO_WITH_OFFSET.test(iso)) {
    throw new CalendarError(
      'invalid-input',
      `instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got ${JSON.stringify(iso)}`,
    );
  }
  const [, , hh, mm] = OFFSET.exec(iso) ?? [];
  if ((hh !== undefined && Number(hh) > 23) || (mm !== undefined && Number(mm) > 59)) {
    throw new CalendarError(
      'invalid-input',
      `instant ${JSON.stringify(iso)} has an invalid offset: hours must be 00–23 and minutes 00–59`,
    );
  }
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) {
    throw new CalendarError(
      'invalid-input',
      `instant ${JSON.stringify(iso)} is not a valid date-time: ${dt.invalidExplanation ?? dt.invalidReason}`,
    );
  }
  const ms = dt.toMillis();
  remember(iso, ms);
  return ms;
}

function remember(iso: string, ms: number): void {
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(iso, ms);
}

/** The fields of an `ISO_WITH_OFFSET` instant: date, time, fraction, offset sign/hours/minutes. */
const FIELDS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:Z|([+-])(\d{2})(?::?(\d{2}))?)$/;

/**
 * Epoch ms of an `ISO_WITH_OFFSET` instant, read from its fields without building a Luxon object
 * (Luxon's `fromISO` was ~2 % of the server's CPU per webhook event, issue #14), or null when the
 * text has another shape or a field is out of the plain range (a month 13, February 30, hour 24, a
 * year before 1000, an offset of 24 hours): the checks and Luxon below then decide, so their answers
 * and error texts stay the only rule. The same arithmetic as Luxon's
 * for a fixed offset: the wall time as UTC less the offset, the fraction floored to milliseconds.
 * test/unit/calendar/instant-fast.test.ts compares the two over generated text.
 */
function fieldsMs(iso: string): number | null {
  const m = FIELDS.exec(iso);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const milli = m[7] === undefined ? 0 : Math.floor(parseFloat(`0.${m[7]}`) * 1000);
  const offHours = m[9] === undefined ? 0 : Number(m[9]);
  const offMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (offHours > 23 || offMinutes > 59) return null;
  const offset = (m[8] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
  return Date.UTC(year, month - 1, day, hour, minute, second, milli) - offset * 60_000;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Instants parsed lately (text → epoch ms), cleared when full. */
const parsed = new Map<string, number>();
const PARSED_MAX = 4096;

const validZones = new Set<string>();

/** Checks an IANA zone name once per name (the check costs tens of µs). */
function zoneOf(name: string): string {
  if (!validZones.has(name)) {
    if (!IANAZone.isValidZone(name))
      throw new CalendarError('invalid-input', `unknown IANA time zone ${JSON.stringify(name)}`);
    validZones.add(name);
  }
  return name;
}

/**
 * Formats epoch ms as ISO 8601 with the zone's offset at that instant (milliseconds only when non-zero).
 *
 * @throws CalendarError 'invalid-input' for a non-finite instant or an unknown zone.
 * @example formatInstant(1773149400000, 'Europe/Moscow') // '2026-03-10T16:30:00+03:00'
 */
export function formatInstant(ms: number, zone: string): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new CalendarError(
      'invalid-input',
      `instant must be a finite number of epoch ms, got ${String(ms)}`,
    );
  }
  const text =
    fastIso(ms, zoneOf(zone)) ?? DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true });
  if (text === null) throw new CalendarError('invalid-input', `instant ${ms} cannot be formatted`);
  return text;
}
