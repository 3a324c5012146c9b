/**
 * The admin page's editing logic without a browser: the policy draft edited cell by cell (what a
 * person typed is kept as typed, so an invalid entry stays visible and is reported instead of being
 * silently dropped), validation with the domain's own validator (bundled into the page, so problems
 * appear as you type), which inputs each problem belongs to, and each problem in the viewer's
 * language.
 */
import type { Policy } from '../../src/domain/policy';
import { validatePolicy, type Problem } from '../../src/domain/policy-validate';
import type { Translator } from '../shared/i18n';
import { escalationProblemText } from './escalation-model';

export type Draft = Record<string, unknown>;

const segs = (path: string): string[] => (path === '' ? [] : path.split('.'));

/** The value at a dotted path ('error.matrix.high.low.0'), or undefined. */
export function getAt(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const s of segs(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** A copy of `root` with the value at `path` replaced (objects and arrays copied along the path). */
export function setAt<T>(root: T, path: string, value: unknown): T {
  const [head, ...rest] = segs(path);
  if (head === undefined) return value as T;
  const base = (root ?? {}) as Record<string, unknown> | unknown[];
  const child = (base as Record<string, unknown>)[head];
  const next = rest.length === 0 ? value : setAt(child, rest.join('.'), value);
  if (Array.isArray(base)) {
    const copy = base.slice();
    copy[Number(head)] = next;
    return copy as T;
  }
  const copy: Record<string, unknown> = { ...base };
  if (next === undefined) delete copy[head];
  else copy[head] = next;
  return copy as T;
}

/**
 * What a typed number means: empty → undefined (reported as missing); a number (a Unicode minus or a
 * decimal comma allowed) → that number divided by `scale` (percent fields use 100); anything else → the
 * text itself, which the validator reports as not a number.
 * @example parseNumberInput('−3') // -3
 * @example parseNumberInput('75', 100) // 0.75
 * @example parseNumberInput('abc') // 'abc'
 */
export function parseNumberInput(text: string, scale = 1): number | string | undefined {
  const s = text.trim().replace(/[−–]/g, '-').replace(',', '.');
  if (s === '') return undefined;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s)) return text;
  const n = Number(s) / scale;
  // keep shares exact where the percent is whole (75 → 0.75, not 0.75000000001)
  return scale === 1 ? n : Number(n.toFixed(10));
}

/** How a stored value is shown in its input. */
export function formatNumberValue(value: unknown, scale = 1): string {
  if (typeof value === 'number') return String(Number((value * scale).toFixed(6)));
  if (typeof value === 'string') return value;
  return '';
}

/** Validates the draft with the domain validator; every problem at once. */
export function validateDraft(
  draft: unknown,
): { ok: true; policy: Policy } | { ok: false; problems: Problem[] } {
  const r = validatePolicy(draft);
  return r.ok ? { ok: true, policy: r.value } : { ok: false, problems: r.errors };
}

/** Removes the 'policy.' prefix the server puts on settings problems. */
export function policyPath(p: Problem): Problem {
  return p.path.startsWith('policy.') ? { ...p, path: p.path.slice('policy.'.length) } : p;
}

/** Merges problem lists (client and server), dropping duplicates. */
export function mergeProblems(...lists: Problem[][]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of lists.flat()) {
    const k = `${p.path}\u0000${p.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(p);
    }
  }
  return out;
}

/**
 * The problems an input at `inputPath` shows: those about the input itself, about a cell or row it
 * belongs to (a range cell's two inputs share the cell's problem), or about something inside it.
 */
export function problemsFor(problems: readonly Problem[], inputPath: string): Problem[] {
  return problems.filter(
    (p) => p.path === inputPath || inputPath.startsWith(`${p.path}.`) || p.path.startsWith(`${inputPath}.`),
  );
}

/** The path of the first input a problem belongs to, for "go to the field". */
export function firstInputOf(problem: Problem, inputPaths: readonly string[]): string | undefined {
  return inputPaths.find((i) => problemsFor([problem], i).length > 0);
}

function cellLabel(t: Translator, rowDim: 'urgency' | 'mode', row: string, impact: string): string {
  return t('admin.cell', { row: t.label(rowDim, row), col: t.label('impact', impact) });
}

/** A validation problem in the viewer's language (anything unrecognised keeps the validator's text). */
export function problemText(problem: Problem, draft: unknown, t: Translator): string {
  const p = problem.path;
  let m: RegExpExecArray | null;
  if ((m = /^incident\.(matrix|modeMatrix)\.(\w+)\.(\w+)$/.exec(p)))
    return t('problem.incidentLevel', {
      cell: cellLabel(t, m[1] === 'matrix' ? 'urgency' : 'mode', m[2]!, m[3]!),
    });
  if (/^incident\.modifiers\.\w+$/.test(p)) return t('problem.incidentModifier');
  if ((m = /^incident\.reactionHours\.(\d)$/.exec(p))) {
    const level = Number(m[1]);
    const hours = getAt(draft, `incident.reactionHours.${level}`);
    const lowerHours = getAt(draft, `incident.reactionHours.${level - 1}`);
    if (/more time/.test(problem.message) && typeof hours === 'number' && typeof lowerHours === 'number')
      return t('problem.reactionOrder', { level, hours, lower: level - 1, lowerHours });
    return t('problem.reactionHours', { level });
  }
  if ((m = /^error\.matrix\.(\w+)\.(\w+)$/.exec(p)))
    return t('problem.errorRange', { cell: cellLabel(t, 'urgency', m[1]!, m[2]!) });
  if (/^error\.modifiers\./.test(p)) return t('problem.errorModifier');
  if (/^error\.classes/.test(p)) return t('problem.bands');
  if (p === 'error.verificationDays') return t('problem.verificationDays');
  if (/^error\.fix\.\w+\.days$/.test(p)) return t('problem.fixDays');
  if (/^error\.fix\.\w+\.months$/.test(p)) return t('problem.fixMonths');
  if (p === 'versions.releasePattern') return t('problem.releasePattern');
  if (/^reaction\.events/.test(p)) return t('problem.reactionEvents');
  if (p === 'atRiskShare') return t('problem.atRisk');
  if (p === 'complianceTarget') return t('problem.target');
  if (p === 'escalation' || p.startsWith('escalation.')) return escalationProblemText(problem, t);
  if (p === 'calendar' || p.startsWith('calendar.'))
    return t('problem.calendar', { message: `${p.slice('calendar.'.length)} ${problem.message}`.trim() });
  return problem.message;
}

/** Whether a version name is a release under a (possibly invalid) pattern; null when invalid. */
export function versionKindOf(pattern: unknown, name: string): 'release' | 'update' | null {
  if (typeof pattern !== 'string' || pattern === '') return null;
  try {
    return new RegExp(pattern).test(name.trim()) ? 'release' : 'update';
  } catch {
    return null;
  }
}
