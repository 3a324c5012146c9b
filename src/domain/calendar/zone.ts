/**
 * Zone arithmetic for the compiler: wall-clock time in an IANA zone → epoch ms, through Luxon's zone
 * offsets. Used at compile time only (a few calls per day), never per query.
 */
import { IANAZone } from 'luxon';

const MS_PER_MINUTE = 60_000;

/**
 * Epoch ms of a wall-clock time, given as "local ms" (the wall clock read as if it were UTC, e.g.
 * `Date.UTC(2026, 2, 29, 9, 0)` for 09:00 on 29 March 2026), and a guess of the zone's offset in minutes.
 * A time inside a spring-forward gap moves forward by the gap (02:30 → 03:30 in Berlin); an ambiguous
 * time in a fall-back overlap resolves by the guess (the earlier occurrence when the guess is the
 * offset before the change). Same algorithm as Luxon's own `DateTime.fromObject`.
 *
 * @example
 * const berlin = IANAZone.create('Europe/Berlin');
 * localToEpoch(berlin, Date.UTC(2026, 2, 29, 9, 0), 60) // Date.UTC(2026, 2, 29, 7, 0): 09:00 CEST
 */
export function localToEpoch(zone: IANAZone, localMs: number, guessOffset: number): number {
  let utcGuess = localMs - guessOffset * MS_PER_MINUTE;
  const o2 = zone.offset(utcGuess);
  if (o2 === guessOffset) return utcGuess;
  utcGuess -= (o2 - guessOffset) * MS_PER_MINUTE;
  const o3 = zone.offset(utcGuess);
  if (o2 === o3) return utcGuess;
  return localMs - Math.min(o2, o3) * MS_PER_MINUTE;
}
