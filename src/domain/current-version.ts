/**
 * Source §2.9.4: support covers the current version of the product only; requests about other
 * versions are flagged (a label for JQL and a message for the agent). Pure.
 *
 * Definitions (docs/escalation.md):
 * - Only versions marked **released** can be current.
 * - Released versions are ordered by release date; a released version without a date keeps its place
 *   in the project's list (it sorts right after the dated version listed before it, or first when
 *   none is). Equal dates keep the list order.
 * - `release-line` (default): the current version is the latest release (a name matching the policy's
 *   release pattern, `X.0` / `X.0.0` by default) **with the updates and patches released after it** —
 *   a customer on 6.0 or on its patch 6.0.2 is on the current version (§2.9.3 gives patches "to the
 *   current version"). When no released version is a release, `latest` applies.
 * - `latest`: only the last released version is current.
 * - A request names its version in "affects version". It is about the current version when any of
 *   the versions it names is current. Names are compared trimmed and case-insensitively.
 */
import type { Locale } from './codes';
import { versionKind } from './deadlines';
import { formatDate, renderMessage, type Message } from './messages';
import type { Policy } from './policy';
import type { VersionInfo } from './snapshot';

/** The label on requests about a version other than the current one (`labels = sla-version-not-current`). */
export const VERSION_LABEL = 'sla-version-not-current';

export type CurrentVersionMode = 'release-line' | 'latest';

export interface CurrentVersion {
  /** The release (release-line) or the latest released version (latest). */
  name: string;
  releaseDate: string | null;
  /** Every version name that counts as current, oldest first. */
  line: string[];
  mode: CurrentVersionMode;
}

export type VersionCheck =
  /** The request names no version: nothing to check. */
  | { status: 'not-stated' }
  /** The project has no released version: nothing is current, nothing is flagged. */
  | { status: 'no-current'; versions: string[] }
  | { status: 'current'; version: string; current: CurrentVersion }
  /** Flagged: an older released version, or a version not released yet. */
  | { status: 'not-current'; reason: 'older' | 'unreleased'; version: string; current: CurrentVersion }
  /** The named version is not one of the project's: not flagged (it cannot be placed). */
  | { status: 'unknown'; version: string; current: CurrentVersion };

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Released versions in release order (see the module comment). */
function releasedInOrder(versions: readonly VersionInfo[]): VersionInfo[] {
  let carried = '';
  const keyed = versions
    .filter((v) => v.released === true && v.name.trim() !== '')
    .map((v, i) => {
      const date = typeof v.releaseDate === 'string' && DATE_RE.test(v.releaseDate) ? v.releaseDate : null;
      if (date !== null) carried = date;
      return { v, sortDate: date ?? carried, i };
    });
  keyed.sort((a, b) => (a.sortDate < b.sortDate ? -1 : a.sortDate > b.sortDate ? 1 : a.i - b.i));
  return keyed.map((k) => k.v);
}

/**
 * The project's current version under a mode.
 * @example currentVersion([{ name: '5.0', releaseDate: '2025-06-01', released: true }, { name: '6.0', releaseDate: '2026-02-02', released: true }, { name: '6.0.1', releaseDate: '2026-03-02', released: true }, { name: '6.1', releaseDate: '2026-06-01', released: false }], DEFAULT_POLICY)
 * // => { name: '6.0', releaseDate: '2026-02-02', line: ['6.0', '6.0.1'], mode: 'release-line' }
 * @returns null when no version is released.
 */
export function currentVersion(
  versions: readonly VersionInfo[] | undefined,
  policy: Readonly<Policy>,
  mode: CurrentVersionMode = 'release-line',
): CurrentVersion | null {
  const ordered = releasedInOrder(versions ?? []);
  if (ordered.length === 0) return null;
  if (mode === 'release-line') {
    let start = -1;
    ordered.forEach((v, i) => {
      if (versionKind(policy, v.name) === 'release') start = i;
    });
    if (start >= 0) {
      const head = ordered[start] as VersionInfo;
      return {
        name: head.name,
        releaseDate: head.releaseDate ?? null,
        line: ordered.slice(start).map((v) => v.name),
        mode,
      };
    }
  }
  const last = ordered[ordered.length - 1] as VersionInfo;
  return { name: last.name, releaseDate: last.releaseDate ?? null, line: [last.name], mode: 'latest' };
}

/**
 * Checks the versions a request is about ("affects version") against the current version.
 * Flagged (`not-current`) when none of them is current and one of them is a known older released
 * version (`older`) or a version not released yet (`unreleased`).
 * @example checkRequestVersion(['5.0'], versions, DEFAULT_POLICY) // { status: 'not-current', reason: 'older', version: '5.0', current: { name: '6.0', … } }
 */
export function checkRequestVersion(
  affects: readonly string[] | undefined,
  versions: readonly VersionInfo[] | undefined,
  policy: Readonly<Policy>,
  mode: CurrentVersionMode = 'release-line',
): VersionCheck {
  const named = (affects ?? []).map((a) => a.trim()).filter((a) => a !== '');
  if (named.length === 0) return { status: 'not-stated' };
  const current = currentVersion(versions, policy, mode);
  if (!current) return { status: 'no-current', versions: named };
  const inLine = named.find((a) => current.line.some((l) => same(l, a)));
  if (inLine !== undefined) return { status: 'current', version: inLine, current };
  const known = named
    .map((a) => ({ a, v: (versions ?? []).find((x) => same(x.name, a)) }))
    .filter((x): x is { a: string; v: VersionInfo } => x.v !== undefined);
  const older = known.find((k) => k.v.released === true);
  if (older) return { status: 'not-current', reason: 'older', version: older.v.name, current };
  const unreleased = known[0];
  if (unreleased) return { status: 'not-current', reason: 'unreleased', version: unreleased.v.name, current };
  return { status: 'unknown', version: named[0] as string, current };
}

/** Whether a check flags the request. */
export const isFlagged = (check: VersionCheck): boolean => check.status === 'not-current';

/**
 * The agent's message for a flagged request, or null when it is not flagged.
 * @example versionMessage(check, 'en')?.text
 * // => 'The request is about version 5.0, and support covers the current version 6.0 (released 2 February 2026) only (§2.9.4 of the regulation). …'
 */
export function versionMessage(check: VersionCheck, lang: Locale): Message | null {
  if (check.status !== 'not-current') return null;
  const c = check.current;
  const when = c.releaseDate
    ? lang === 'ru'
      ? ` (выпуск ${formatDate(c.releaseDate, lang)})`
      : ` (released ${formatDate(c.releaseDate, lang)})`
    : '';
  return renderMessage(check.reason === 'older' ? 'version-not-current' : 'version-unreleased', lang, {
    version: check.version,
    current: `${c.name}${when}`,
  });
}
