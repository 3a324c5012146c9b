import { AS_PRINTED_POLICY, DEFAULT_POLICY, clonePolicy } from '../../src/domain/policy';
import { validatePolicy } from '../../src/domain/policy-validate';

const paths = (input: unknown): string[] => {
  const r = validatePolicy(input);
  return r.ok ? [] : r.errors.map((e) => e.path);
};

describe('policy validator', () => {
  it('accepts both presets', () => {
    expect(validatePolicy(clonePolicy(DEFAULT_POLICY)).ok).toBe(true);
    expect(validatePolicy(clonePolicy(AS_PRINTED_POLICY)).ok).toBe(true);
  });

  it('reports a wrong incident cell with its path and a readable message', () => {
    const p = clonePolicy(DEFAULT_POLICY);
    (p.incident.matrix.high as Record<string, unknown>).low = 7;
    const r = validatePolicy(p);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        {
          path: 'incident.matrix.high.low',
          message: 'the level for urgency high × impact low must be a whole number from 1 to 5, got 7',
        },
      ]);
    }
  });

  it('reports every problem at once', () => {
    const p = clonePolicy(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    p.incident.matrix.medium.medium = 0;
    delete p.incident.reactionHours['3'];
    p.error.matrix.low.low = [3, 1];
    p.error.classes = p.error.classes.filter((b: { class: string }) => b.class !== 'low');
    p.error.fix.high = { type: 'someday' };
    p.versions.releasePattern = '(';
    p.atRiskShare = 1.5;
    p.complianceTarget = 0;
    expect(paths(p)).toEqual([
      'incident.matrix.medium.medium',
      'incident.reactionHours.3',
      'error.matrix.low.low',
      'error.classes',
      'error.fix.high.type',
      'versions.releasePattern',
      'atRiskShare',
      'complianceTarget',
    ]);
  });

  it('rejects non-monotonic reaction hours (a higher level may not get more time)', () => {
    const p = clonePolicy(DEFAULT_POLICY);
    p.incident.reactionHours[4] = 30; // level 3 has 24
    const r = validatePolicy(p);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0]).toEqual({
        path: 'incident.reactionHours.4',
        message: 'a higher priority must not get more time: level 4 has 30 h but level 3 has 24 h',
      });
    }
  });

  it('reports a missing level and a missing matrix row', () => {
    const p = clonePolicy(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    delete p.incident.classes['2'];
    delete p.error.matrix.medium;
    expect(paths(p)).toEqual(['incident.classes.2', 'error.matrix.medium']);
  });

  it('reports overlapping score bands', () => {
    const p = clonePolicy(DEFAULT_POLICY);
    p.error.classes[1] = { class: 'high', min: 6, max: 8 };
    const r = validatePolicy(p);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.message)).toContain('score 6 is in two bands (high and medium)');
  });

  it('rejects fix rules without their number', () => {
    const p = clonePolicy(DEFAULT_POLICY) as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    p.error.fix.critical = { type: 'working-days' };
    p.error.fix.medium = { type: 'earlier-of-update-and-months', months: -1 };
    expect(paths(p)).toEqual(['error.fix.critical.days', 'error.fix.medium.months']);
  });

  it('rejects something that is not a policy', () => {
    expect(paths(null)).toEqual(['']);
    expect(paths({})).toEqual([
      'incident',
      'error',
      'versions',
      'reaction',
      'atRiskShare',
      'complianceTarget',
    ]);
  });
});
