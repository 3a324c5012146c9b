/**
 * The admin page's matrix editor logic: what a typed cell becomes, which problems the validator finds,
 * which inputs they belong to, and how they read in both languages.
 */
import { clonePolicy, DEFAULT_POLICY } from '../../src/domain/policy';
import {
  firstInputOf,
  formatNumberValue,
  getAt,
  mergeProblems,
  parseNumberInput,
  policyPath,
  problemsFor,
  problemText,
  setAt,
  validateDraft,
  versionKindOf,
  type Draft,
} from '../../static/admin/model';
import { translator } from '../../static/shared/i18n';

const en = translator('en');
const ru = translator('ru');
const fresh = (): Draft => clonePolicy(DEFAULT_POLICY) as unknown as Draft;
/** What typing `text` into the input at `path` does to the draft. */
const type = (d: Draft, path: string, text: string, scale = 1) =>
  setAt(d, path, parseNumberInput(text, scale));

describe('parseNumberInput / formatNumberValue', () => {
  it.each([
    ['4', 1, 4],
    [' 12 ', 1, 12],
    ['−3', 1, -3],
    ['-3', 1, -3],
    ['2,5', 1, 2.5],
    ['75', 100, 0.75],
    ['80', 100, 0.8],
    ['', 1, undefined],
    ['abc', 1, 'abc'],
    ['1e3', 1, '1e3'],
    ['-', 1, '-'],
  ])('%j (scale %i) → %j', (text, scale, value) => expect(parseNumberInput(text, scale)).toBe(value));

  it('shows stored values as typed numbers (percents scaled back)', () => {
    expect(formatNumberValue(0.75, 100)).toBe('75');
    expect(formatNumberValue(0.8, 100)).toBe('80');
    expect(formatNumberValue(-2)).toBe('-2');
    expect(formatNumberValue('x')).toBe('x');
    expect(formatNumberValue(undefined)).toBe('');
  });
});

describe('setAt / getAt', () => {
  it('replaces one leaf and copies the path, leaving the original alone', () => {
    const d = fresh();
    const next = setAt(d, 'error.matrix.high.low.1', 7);
    expect(getAt(next, 'error.matrix.high.low')).toEqual([5, 7]);
    expect(getAt(d, 'error.matrix.high.low')).toEqual([5, 6]);
    expect(getAt(next, 'error.matrix.high.high')).toBe(getAt(d, 'error.matrix.high.high'));
    expect(Array.isArray(getAt(next, 'error.matrix.high.low'))).toBe(true);
  });

  it('removes a key set to undefined (reported as missing)', () => {
    const next = setAt(fresh(), 'incident.matrix.high.low', undefined);
    expect('low' in (getAt(next, 'incident.matrix.high') as object)).toBe(false);
  });
});

describe('validation of the edited policy', () => {
  it('accepts the default policy', () => {
    expect(validateDraft(fresh()).ok).toBe(true);
  });

  it('flags an incident cell typed as 7 (levels are 1..5) on that cell only', () => {
    const d = type(fresh(), 'incident.matrix.high.low', '7');
    const r = validateDraft(d);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(['incident.matrix.high.low']);
    expect(problemsFor(r.problems, 'incident.matrix.high.low')).toHaveLength(1);
    expect(problemsFor(r.problems, 'incident.matrix.high.medium')).toHaveLength(0);
    expect(problemsFor(r.problems, 'incident.matrix.medium.low')).toHaveLength(0);
    expect(problemText(r.problems[0]!, d, en)).toBe(
      'The level of High × Low must be a whole number from 1 to 5.',
    );
    expect(problemText(r.problems[0]!, d, ru)).toBe(
      'Уровень в ячейке Высокая × Низкая должен быть целым числом от 1 до 5.',
    );
  });

  it.each(['abc', '', '2.5', '0'])('flags an incident cell typed as %j', (text) => {
    const r = validateDraft(type(fresh(), 'incident.matrix.low.medium', text));
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['incident.matrix.low.medium']);
  });

  it("gives a range cell's problem to both of its inputs", () => {
    let d = type(fresh(), 'error.matrix.medium.high.0', '8');
    d = type(d, 'error.matrix.medium.high.1', '7');
    const r = validateDraft(d);
    if (r.ok) throw new Error('expected problems');
    expect(r.problems.map((p) => p.path)).toEqual(['error.matrix.medium.high']);
    expect(problemsFor(r.problems, 'error.matrix.medium.high.0')).toHaveLength(1);
    expect(problemsFor(r.problems, 'error.matrix.medium.high.1')).toHaveLength(1);
    expect(problemsFor(r.problems, 'error.matrix.medium.medium.0')).toHaveLength(0);
    expect(problemText(r.problems[0]!, d, ru)).toContain('Средняя × Высокая');
    expect(firstInputOf(r.problems[0]!, ['incident.matrix.high.high', 'error.matrix.medium.high.0'])).toBe(
      'error.matrix.medium.high.0',
    );
  });

  it('explains reaction hours that give a higher level more time, with the numbers', () => {
    const d = type(fresh(), 'incident.reactionHours.5', '100');
    const r = validateDraft(d);
    if (r.ok) throw new Error('expected problems');
    expect(r.problems.map((p) => p.path)).toEqual(['incident.reactionHours.5']);
    expect(problemText(r.problems[0]!, d, en)).toBe(
      'A higher priority must not get more time: level 5 has 100 h, level 4 has 16 h.',
    );
    expect(problemText(r.problems[0]!, d, ru)).toBe(
      'Более высокий приоритет не может получать больше времени: у уровня 5 — 100 ч, у уровня 4 — 16 ч.',
    );
  });

  it('reports every problem at once', () => {
    let d = type(fresh(), 'incident.matrix.high.high', '9');
    d = type(d, 'error.modifiers.workaround.full', 'x');
    d = type(d, 'error.fix.critical.days', '0');
    d = type(d, 'complianceTarget', '120', 100);
    d = type(d, 'error.classes.4.min', '3');
    const r = validateDraft(d);
    if (r.ok) throw new Error('expected problems');
    expect(r.problems.map((p) => p.path)).toEqual([
      'incident.matrix.high.high',
      'error.modifiers.workaround.full',
      'error.classes.4',
      'error.classes',
      'error.fix.critical.days',
      'complianceTarget',
    ]);
    expect(r.problems.map((p) => problemText(p, d, ru))).toEqual([
      'Уровень в ячейке Высокая × Высокая должен быть целым числом от 1 до 5.',
      'Модификатор должен быть целым числом от −9 до 9.',
      'Диапазоны баллов должны покрывать 1..10 без пропусков и пересечений.',
      'Диапазоны баллов должны покрывать 1..10 без пропусков и пересечений.',
      'Число рабочих дней — целое от 1 до 1000.',
      'Целевая доля должна быть больше 0 % и не больше 100 %.',
    ]);
  });

  it('reads percent fields: 75 % at risk is valid, 100 % is not', () => {
    expect(validateDraft(type(fresh(), 'atRiskShare', '75', 100)).ok).toBe(true);
    const r = validateDraft(type(fresh(), 'atRiskShare', '100', 100));
    expect(r.ok ? [] : r.problems.map((p) => p.path)).toEqual(['atRiskShare']);
  });

  it("merges the page's and the backend's problems without duplicates and strips the policy. prefix", () => {
    const a = { path: 'atRiskShare', message: 'm' };
    expect(mergeProblems([a], [{ ...a }], [{ path: 'x', message: 'y' }])).toEqual([
      a,
      { path: 'x', message: 'y' },
    ]);
    expect(policyPath({ path: 'policy.error.fix.low', message: 'm' }).path).toBe('error.fix.low');
    expect(policyPath({ path: 'calendar.zone', message: 'm' }).path).toBe('calendar.zone');
  });

  it("keeps unknown problems in the validator's words", () => {
    expect(problemText({ path: 'something.new', message: 'as the validator says' }, fresh(), ru)).toBe(
      'as the validator says',
    );
  });
});

describe('version kinds', () => {
  const pattern = DEFAULT_POLICY.versions.releasePattern;
  it.each([
    ['5.0', 'release'],
    ['5.0.0', 'release'],
    ['v6.0', 'release'],
    ['5.2.1', 'update'],
    ['5.1', 'update'],
  ])('%s is a %s', (name, kind) => expect(versionKindOf(pattern, name)).toBe(kind));
  it('is null for an invalid pattern', () => expect(versionKindOf('([', '5.0')).toBeNull());
});
