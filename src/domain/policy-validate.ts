/**
 * One validator for an edited policy: a table of rules that reports every problem at once, each
 * with a path (e.g. `incident.matrix.high.low`) and a message a person understands.
 */
import { CLASSES, IMPACTS, MODES, URGENCIES } from './codes';
import type { Policy } from './policy';

export interface Problem {
  path: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: Problem[] };

const FIX_TYPES = [
  'working-days',
  'later-of-days-and-update',
  'earlier-of-update-and-months',
  'next-release',
  'none',
];
const REACTION_EVENTS = ['status', 'comment', 'assignee'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

class Collector {
  readonly errors: Problem[] = [];
  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }
  /** Returns the object at `path` of `root`, or records a problem and returns undefined. */
  obj(v: unknown, path: string, what: string): Obj | undefined {
    if (isObj(v)) return v;
    this.add(path, v === undefined ? `${what} is missing` : `${what} must be an object`);
    return undefined;
  }
  int(v: unknown, path: string, what: string, min: number, max: number): number | undefined {
    if (v === undefined) {
      this.add(path, `${what} is missing`);
      return undefined;
    }
    if (!isInt(v) || v < min || v > max) {
      this.add(path, `${what} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v;
  }
  oneOf(v: unknown, path: string, what: string, allowed: readonly string[]): void {
    if (typeof v !== 'string' || !allowed.includes(v)) {
      this.add(path, `${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    }
  }
}

function checkIncidentTable(
  c: Collector,
  table: unknown,
  path: string,
  rows: readonly string[],
  rowWord: string,
): void {
  const t = c.obj(table, path, 'the incident matrix');
  if (!t) return;
  for (const r of rows) {
    const row = c.obj(t[r], `${path}.${r}`, `the row for ${rowWord} "${r}"`);
    if (!row) continue;
    for (const i of IMPACTS) {
      c.int(row[i], `${path}.${r}.${i}`, `the level for ${rowWord} ${r} × impact ${i}`, 1, 5);
    }
  }
}

/**
 * Validates a policy (from JSON or an edited copy) and lists every problem.
 * @example validatePolicy({ ...clonePolicy(DEFAULT_POLICY), atRiskShare: 2 }) // => { ok: false, errors: [{ path: 'atRiskShare', ... }] }
 */
export function validatePolicy(input: unknown): Result<Policy> {
  const c = new Collector();
  const p = c.obj(input, '', 'the policy');
  if (!p) return { ok: false, errors: c.errors };

  // Incidents (SPEC §2, §3)
  const inc = c.obj(p.incident, 'incident', 'the incident section');
  if (inc) {
    c.oneOf(inc.rows, 'incident.rows', 'the row reading of the incident table', ['urgency', 'mode']);
    checkIncidentTable(c, inc.matrix, 'incident.matrix', URGENCIES, 'urgency');
    checkIncidentTable(c, inc.modeMatrix, 'incident.modeMatrix', MODES, 'mode');
    const mods = c.obj(inc.modifiers, 'incident.modifiers', 'the incident modifiers');
    if (mods) {
      c.int(
        mods.implementation,
        'incident.modifiers.implementation',
        'the implementation-mode modifier',
        -4,
        4,
      );
      c.int(mods.question, 'incident.modifiers.question', 'the question modifier', -4, 4);
    }
    const hours = c.obj(inc.reactionHours, 'incident.reactionHours', 'the reaction hours');
    if (hours) {
      const values: (number | undefined)[] = [];
      for (const level of [1, 2, 3, 4, 5]) {
        const h = hours[String(level)];
        if (h === undefined) {
          c.add(`incident.reactionHours.${level}`, `the reaction time of level ${level} is missing`);
          values[level] = undefined;
        } else if (typeof h !== 'number' || !Number.isFinite(h) || h <= 0 || h > 10000) {
          c.add(
            `incident.reactionHours.${level}`,
            `the reaction time of level ${level} must be a positive number of hours, got ${JSON.stringify(h)}`,
          );
          values[level] = undefined;
        } else values[level] = h;
      }
      for (let level = 2; level <= 5; level++) {
        const lower = values[level - 1];
        const higher = values[level];
        if (lower !== undefined && higher !== undefined && higher > lower) {
          c.add(
            `incident.reactionHours.${level}`,
            `a higher priority must not get more time: level ${level} has ${higher} h but level ${level - 1} has ${lower} h`,
          );
        }
      }
    }
    const classes = c.obj(inc.classes, 'incident.classes', 'the level names');
    if (classes) {
      for (const level of [1, 2, 3, 4, 5]) {
        c.oneOf(classes[String(level)], `incident.classes.${level}`, `the class of level ${level}`, CLASSES);
      }
    }
  }

  // Errors (SPEC §4, §5)
  const err = c.obj(p.error, 'error', 'the error section');
  if (err) {
    const m = c.obj(err.matrix, 'error.matrix', 'the error matrix');
    if (m) {
      for (const u of URGENCIES) {
        const row = c.obj(m[u], `error.matrix.${u}`, `the row for urgency "${u}"`);
        if (!row) continue;
        for (const i of IMPACTS) {
          const path = `error.matrix.${u}.${i}`;
          const cell = row[i];
          if (!Array.isArray(cell) || cell.length !== 2 || !isInt(cell[0]) || !isInt(cell[1])) {
            c.add(
              path,
              `the range for urgency ${u} × impact ${i} must be two whole numbers [from, to], got ${JSON.stringify(cell)}`,
            );
          } else if (cell[0] < 1 || cell[1] > 10 || cell[0] > cell[1]) {
            c.add(
              path,
              `the range for urgency ${u} × impact ${i} must lie within 1..10 with from ≤ to, got ${cell[0]}–${cell[1]}`,
            );
          }
        }
      }
    }
    c.oneOf(err.rangePoint, 'error.rangePoint', 'the point of the range used', ['upper', 'lower']);
    const mods = c.obj(err.modifiers, 'error.modifiers', 'the error modifiers');
    if (mods) {
      c.int(mods.implementation, 'error.modifiers.implementation', 'the implementation-mode modifier', -9, 9);
      const w = c.obj(mods.workaround, 'error.modifiers.workaround', 'the workaround modifiers');
      if (w)
        for (const k of ['none', 'moderate', 'full'])
          c.int(w[k], `error.modifiers.workaround.${k}`, `the "${k}" workaround modifier`, -9, 9);
    }
    if (!Array.isArray(err.classes)) c.add('error.classes', 'the score bands must be a list');
    else {
      const covered = new Map<number, string>();
      err.classes.forEach((b: unknown, idx: number) => {
        const path = `error.classes.${idx}`;
        const band = c.obj(b, path, 'a score band');
        if (!band) return;
        c.oneOf(band.class, `${path}.class`, 'the class of a band', CLASSES);
        const lo = c.int(band.min, `${path}.min`, 'the lowest score of a band', 1, 10);
        const hi = c.int(band.max, `${path}.max`, 'the highest score of a band', 1, 10);
        if (lo === undefined || hi === undefined) return;
        if (lo > hi) c.add(path, `band ${String(band.class)}: lowest score ${lo} is above highest ${hi}`);
        for (let s = lo; s <= hi; s++) {
          const prev = covered.get(s);
          if (prev !== undefined)
            c.add(path, `score ${s} is in two bands (${prev} and ${String(band.class)})`);
          covered.set(s, String(band.class));
        }
      });
      const missing = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((s) => !covered.has(s));
      if (missing.length > 0) c.add('error.classes', `scores ${missing.join(', ')} belong to no class`);
    }
    if (typeof err.combineLinkedIncidents !== 'boolean') {
      c.add('error.combineLinkedIncidents', 'combining linked incidents must be true or false');
    }
    c.int(err.verificationDays, 'error.verificationDays', 'the verification period (working days)', 1, 250);
    const fix = c.obj(err.fix, 'error.fix', 'the fix rules');
    if (fix) {
      for (const cls of CLASSES) {
        const path = `error.fix.${cls}`;
        const rule = c.obj(fix[cls], path, `the fix rule of class ${cls}`);
        if (!rule) continue;
        c.oneOf(rule.type, `${path}.type`, `the fix rule type of class ${cls}`, FIX_TYPES);
        if (rule.type === 'working-days' || rule.type === 'later-of-days-and-update') {
          c.int(rule.days, `${path}.days`, `the working days of class ${cls}`, 1, 1000);
        }
        if (rule.type === 'earlier-of-update-and-months') {
          c.int(rule.months, `${path}.months`, `the months of class ${cls}`, 1, 120);
        }
      }
    }
  }

  const versions = c.obj(p.versions, 'versions', 'the version rules');
  if (versions) {
    if (typeof versions.releasePattern !== 'string' || versions.releasePattern === '') {
      c.add('versions.releasePattern', 'the release pattern must be a non-empty regular expression');
    } else {
      try {
        new RegExp(versions.releasePattern);
      } catch (e) {
        c.add(
          'versions.releasePattern',
          `the release pattern is not a valid regular expression: ${(e as Error).message}`,
        );
      }
    }
  }
  const reaction = c.obj(p.reaction, 'reaction', 'the reaction rules');
  if (reaction) {
    if (!Array.isArray(reaction.events) || reaction.events.length === 0) {
      c.add('reaction.events', `at least one reaction event is needed: ${REACTION_EVENTS.join(', ')}`);
    } else {
      reaction.events.forEach((e: unknown, i: number) =>
        c.oneOf(e, `reaction.events.${i}`, 'a reaction event', REACTION_EVENTS),
      );
    }
  }
  const share = p.atRiskShare;
  if (typeof share !== 'number' || !(share > 0 && share < 1)) {
    c.add(
      'atRiskShare',
      `the at-risk threshold must be a share between 0 and 1 (e.g. 0.75), got ${JSON.stringify(share)}`,
    );
  }
  const target = p.complianceTarget;
  if (typeof target !== 'number' || !(target > 0 && target <= 1)) {
    c.add(
      'complianceTarget',
      `the compliance target must be a share above 0 and at most 1 (e.g. 0.8), got ${JSON.stringify(target)}`,
    );
  }
  if (p.agreedCounting !== undefined)
    c.oneOf(p.agreedCounting, 'agreedCounting', 'how an agreed deadline counts', ['standard', 'agreed']);
  if (p.preset !== undefined) c.oneOf(p.preset, 'preset', 'the preset', ['default', 'as-printed', 'custom']);

  return c.errors.length > 0 ? { ok: false, errors: c.errors } : { ok: true, value: input as Policy };
}
