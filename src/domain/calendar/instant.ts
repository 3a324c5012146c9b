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
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(iso, ms);
  return ms;
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
