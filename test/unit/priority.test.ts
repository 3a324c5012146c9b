import { combineErrorInputs, errorPriority, incidentPriority } from '../../src/domain/priority';
import { AS_PRINTED_POLICY, DEFAULT_POLICY, clonePolicy, isReleaseVersion } from '../../src/domain/policy';
import type { Impact, Mode, Nature, PriorityClass, Urgency, Workaround } from '../../src/domain/codes';

describe('incident base matrix (SPEC §2), operation + failure: every cell', () => {
  it.each<[Urgency, Impact, number]>([
    ['high', 'high', 5],
    ['high', 'medium', 4],
    ['high', 'low', 2],
    ['medium', 'high', 4],
    ['medium', 'medium', 3],
    ['medium', 'low', 1],
    ['low', 'high', 3],
    ['low', 'medium', 2],
    ['low', 'low', 1],
  ])('urgency %s × impact %s = %i', (urgency, impact, level) => {
    const r = incidentPriority({ impact, urgency, mode: 'operation', nature: 'failure' }, DEFAULT_POLICY);
    expect(r.level).toBe(level);
    expect(r.breakdown[0]).toMatchObject({ code: 'base', row: urgency, impact, value: level });
  });
});

describe('incident level with every modifier combination and clamp (SPEC §2)', () => {
  it.each<[Urgency, Impact, Mode, Nature, number]>([
    ['high', 'high', 'operation', 'failure', 5],
    ['high', 'high', 'operation', 'question', 3],
    ['high', 'high', 'implementation', 'failure', 4],
    ['high', 'high', 'implementation', 'question', 2],
    ['high', 'medium', 'operation', 'failure', 4],
    ['high', 'medium', 'operation', 'question', 2],
    ['high', 'medium', 'implementation', 'failure', 3],
    ['high', 'medium', 'implementation', 'question', 1],
    ['high', 'low', 'operation', 'failure', 2],
    ['high', 'low', 'operation', 'question', 1],
    ['high', 'low', 'implementation', 'failure', 1],
    ['high', 'low', 'implementation', 'question', 1],
    ['medium', 'high', 'operation', 'failure', 4],
    ['medium', 'high', 'operation', 'question', 2],
    ['medium', 'high', 'implementation', 'failure', 3],
    ['medium', 'high', 'implementation', 'question', 1],
    ['medium', 'medium', 'operation', 'failure', 3],
    ['medium', 'medium', 'operation', 'question', 1],
    ['medium', 'medium', 'implementation', 'failure', 2],
    ['medium', 'medium', 'implementation', 'question', 1],
    ['medium', 'low', 'operation', 'failure', 1],
    ['medium', 'low', 'operation', 'question', 1],
    ['medium', 'low', 'implementation', 'failure', 1],
    ['medium', 'low', 'implementation', 'question', 1],
    ['low', 'high', 'operation', 'failure', 3],
    ['low', 'high', 'operation', 'question', 1],
    ['low', 'high', 'implementation', 'failure', 2],
    ['low', 'high', 'implementation', 'question', 1],
    ['low', 'medium', 'operation', 'failure', 2],
    ['low', 'medium', 'operation', 'question', 1],
    ['low', 'medium', 'implementation', 'failure', 1],
    ['low', 'medium', 'implementation', 'question', 1],
    ['low', 'low', 'operation', 'failure', 1],
    ['low', 'low', 'operation', 'question', 1],
    ['low', 'low', 'implementation', 'failure', 1],
    ['low', 'low', 'implementation', 'question', 1],
  ])('urgency %s, impact %s, %s, %s → %i', (urgency, impact, mode, nature, level) => {
    const r = incidentPriority({ impact, urgency, mode, nature }, DEFAULT_POLICY);
    expect(r.level).toBe(level);
    expect(r.overridden).toBe(false);
  });

  it.each<[number, number, PriorityClass]>([
    [5, 8, 'critical'],
    [4, 16, 'high'],
    [3, 24, 'medium'],
    [2, 40, 'low'],
    [1, 80, 'planned'],
  ])('level %i reacts within %i working hours (SPEC §3), class %s', (level, hours, cls) => {
    const r = incidentPriority(
      { impact: 'high', urgency: 'high', mode: 'operation', nature: 'failure' },
      DEFAULT_POLICY,
      { value: level, reason: 'test' },
    );
    expect(r.reactionHours).toBe(hours);
    expect(r.class).toBe(cls);
  });

  it('SPEC §8 example 2: question, medium impact, high urgency, implementation → 4 − 1 − 2 = 1 planned, 80 h', () => {
    const r = incidentPriority(
      { impact: 'medium', urgency: 'high', mode: 'implementation', nature: 'question' },
      DEFAULT_POLICY,
    );
    expect(r).toMatchObject({ level: 1, class: 'planned', reactionHours: 80 });
    expect(r.breakdown.map((s) => s.code)).toEqual(['base', 'modifier', 'modifier']);
  });

  it('records the clamp when the modifiers go below 1', () => {
    const r = incidentPriority(
      { impact: 'low', urgency: 'low', mode: 'implementation', nature: 'question' },
      DEFAULT_POLICY,
    );
    expect(r.level).toBe(1);
    expect(r.breakdown.at(-1)).toMatchObject({ code: 'clamp', from: -2, value: 1 });
  });

  it('SPEC §8 example 1 priority: failure, high/high, operation → 5 critical, 8 h', () => {
    expect(
      incidentPriority(
        { impact: 'high', urgency: 'high', mode: 'operation', nature: 'failure' },
        DEFAULT_POLICY,
      ),
    ).toMatchObject({ level: 5, class: 'critical', reactionHours: 8 });
  });
});

describe('incident override (source §4.6.2)', () => {
  it('wins, keeps the computed value and says so', () => {
    const r = incidentPriority(
      { impact: 'low', urgency: 'low', mode: 'operation', nature: 'failure' },
      DEFAULT_POLICY,
      { value: 4, reason: 'customer request' },
    );
    expect(r).toMatchObject({
      level: 4,
      computed: 1,
      computedClass: 'planned',
      class: 'high',
      overridden: true,
      reactionHours: 16,
    });
    expect(r.breakdown.at(-1)).toMatchObject({
      code: 'override',
      computed: 1,
      value: 4,
      reason: 'customer request',
    });
  });
  it('rejects a level outside 1..5', () => {
    expect(() =>
      incidentPriority(
        { impact: 'low', urgency: 'low', mode: 'operation', nature: 'failure' },
        DEFAULT_POLICY,
        { value: 6, reason: 'x' },
      ),
    ).toThrow(/1\.\.5/);
  });
});

describe('the "as printed" preset: rows are the usage mode, urgency ignored', () => {
  it.each<[Mode, Impact, Urgency, number]>([
    ['operation', 'high', 'low', 5],
    ['operation', 'medium', 'low', 4],
    ['operation', 'low', 'high', 2],
    ['implementation', 'high', 'low', 3],
    ['implementation', 'medium', 'high', 2],
    ['implementation', 'low', 'high', 1],
  ])('%s × impact %s (urgency %s) → %i', (mode, impact, urgency, level) => {
    // printed rows: operation 5/4/2, implementation 4/3/1; §4.6.1 still lowers implementation by 1
    expect(incidentPriority({ impact, urgency, mode, nature: 'failure' }, AS_PRINTED_POLICY).level).toBe(
      level,
    );
  });
});

describe('error score and class with every modifier combination and clamp (SPEC §4)', () => {
  it.each<[Urgency, Impact, Mode, Workaround, number, PriorityClass]>([
    ['high', 'high', 'operation', 'none', 10, 'critical'],
    ['high', 'high', 'operation', 'moderate', 7, 'high'],
    ['high', 'high', 'operation', 'full', 6, 'medium'],
    ['high', 'high', 'implementation', 'none', 8, 'high'],
    ['high', 'high', 'implementation', 'moderate', 5, 'medium'],
    ['high', 'high', 'implementation', 'full', 4, 'low'],
    ['high', 'medium', 'operation', 'none', 8, 'high'],
    ['high', 'medium', 'operation', 'moderate', 5, 'medium'],
    ['high', 'medium', 'operation', 'full', 4, 'low'],
    ['high', 'medium', 'implementation', 'none', 6, 'medium'],
    ['high', 'medium', 'implementation', 'moderate', 3, 'low'],
    ['high', 'medium', 'implementation', 'full', 2, 'planned'],
    ['high', 'low', 'operation', 'none', 6, 'medium'],
    ['high', 'low', 'operation', 'moderate', 3, 'low'],
    ['high', 'low', 'operation', 'full', 2, 'planned'],
    ['high', 'low', 'implementation', 'none', 4, 'low'],
    ['high', 'low', 'implementation', 'moderate', 1, 'planned'],
    ['high', 'low', 'implementation', 'full', 1, 'planned'],
    ['medium', 'high', 'operation', 'none', 8, 'high'],
    ['medium', 'high', 'operation', 'moderate', 5, 'medium'],
    ['medium', 'high', 'operation', 'full', 4, 'low'],
    ['medium', 'high', 'implementation', 'none', 6, 'medium'],
    ['medium', 'high', 'implementation', 'moderate', 3, 'low'],
    ['medium', 'high', 'implementation', 'full', 2, 'planned'],
    ['medium', 'medium', 'operation', 'none', 6, 'medium'],
    ['medium', 'medium', 'operation', 'moderate', 3, 'low'],
    ['medium', 'medium', 'operation', 'full', 2, 'planned'],
    ['medium', 'medium', 'implementation', 'none', 4, 'low'],
    ['medium', 'medium', 'implementation', 'moderate', 1, 'planned'],
    ['medium', 'medium', 'implementation', 'full', 1, 'planned'],
    ['medium', 'low', 'operation', 'none', 4, 'low'],
    ['medium', 'low', 'operation', 'moderate', 1, 'planned'],
    ['medium', 'low', 'operation', 'full', 1, 'planned'],
    ['medium', 'low', 'implementation', 'none', 2, 'planned'],
    ['medium', 'low', 'implementation', 'moderate', 1, 'planned'],
    ['medium', 'low', 'implementation', 'full', 1, 'planned'],
    ['low', 'high', 'operation', 'none', 6, 'medium'],
    ['low', 'high', 'operation', 'moderate', 3, 'low'],
    ['low', 'high', 'operation', 'full', 2, 'planned'],
    ['low', 'high', 'implementation', 'none', 4, 'low'],
    ['low', 'high', 'implementation', 'moderate', 1, 'planned'],
    ['low', 'high', 'implementation', 'full', 1, 'planned'],
    ['low', 'medium', 'operation', 'none', 4, 'low'],
    ['low', 'medium', 'operation', 'moderate', 1, 'planned'],
    ['low', 'medium', 'operation', 'full', 1, 'planned'],
    ['low', 'medium', 'implementation', 'none', 2, 'planned'],
    ['low', 'medium', 'implementation', 'moderate', 1, 'planned'],
    ['low', 'medium', 'implementation', 'full', 1, 'planned'],
    ['low', 'low', 'operation', 'none', 2, 'planned'],
    ['low', 'low', 'operation', 'moderate', 1, 'planned'],
    ['low', 'low', 'operation', 'full', 1, 'planned'],
    ['low', 'low', 'implementation', 'none', 1, 'planned'],
    ['low', 'low', 'implementation', 'moderate', 1, 'planned'],
    ['low', 'low', 'implementation', 'full', 1, 'planned'],
  ])('urgency %s, impact %s, %s, workaround %s → %i %s', (urgency, impact, mode, workaround, score, cls) => {
    const r = errorPriority({ impact, urgency, mode, workaround }, DEFAULT_POLICY);
    expect(r.score).toBe(score);
    expect(r.class).toBe(cls);
  });

  it.each<[Urgency, Impact, number, number]>([
    ['high', 'high', 9, 10],
    ['high', 'medium', 7, 8],
    ['high', 'low', 5, 6],
    ['medium', 'high', 7, 8],
    ['medium', 'medium', 5, 6],
    ['medium', 'low', 3, 4],
    ['low', 'high', 5, 6],
    ['low', 'medium', 3, 4],
    ['low', 'low', 1, 2],
  ])('range point: urgency %s × impact %s = %i–%i (lower / upper)', (urgency, impact, lo, hi) => {
    const lower = clonePolicy(DEFAULT_POLICY);
    lower.error.rangePoint = 'lower';
    const inputs = { impact, urgency, mode: 'operation' as const, workaround: 'none' as const };
    expect(errorPriority(inputs, DEFAULT_POLICY).score).toBe(hi);
    expect(errorPriority(inputs, lower).score).toBe(lo);
  });

  it('SPEC §8 example 3: high impact, medium urgency, operation, moderate workaround → 8 − 3 = 5 medium', () => {
    const r = errorPriority(
      { impact: 'high', urgency: 'medium', mode: 'operation', workaround: 'moderate' },
      DEFAULT_POLICY,
    );
    expect(r).toMatchObject({ score: 5, class: 'medium' });
  });

  it('SPEC §8 example 4: low/low, implementation, full workaround → 2 − 2 − 4 → clamped to 1, planned', () => {
    const r = errorPriority(
      { impact: 'low', urgency: 'low', mode: 'implementation', workaround: 'full' },
      DEFAULT_POLICY,
    );
    expect(r).toMatchObject({ score: 1, class: 'planned' });
    expect(r.breakdown.at(-1)).toMatchObject({ code: 'clamp', from: -4, value: 1 });
  });

  it('override wins and the class follows the overridden score', () => {
    const r = errorPriority(
      { impact: 'low', urgency: 'low', mode: 'operation', workaround: 'none' },
      DEFAULT_POLICY,
      { value: 9, reason: 'agreed with customer' },
    );
    expect(r).toMatchObject({
      score: 9,
      class: 'critical',
      computed: 2,
      computedClass: 'planned',
      overridden: true,
    });
  });
});

describe('errors linked to incidents take the most severe inputs (SPEC §4, source §5.5)', () => {
  it('raises impact, urgency and mode from linked incidents', () => {
    const own = {
      impact: 'low' as const,
      urgency: 'medium' as const,
      mode: 'implementation' as const,
      workaround: 'none' as const,
    };
    const r = errorPriority(own, DEFAULT_POLICY, undefined, [
      { impact: 'high', urgency: 'low', mode: 'implementation' },
      { impact: 'medium', urgency: 'high', mode: 'operation' },
    ]);
    expect(r.inputs).toEqual({ impact: 'high', urgency: 'high', mode: 'operation', workaround: 'none' });
    expect(r.score).toBe(10);
    expect(r.breakdown.filter((s) => s.code === 'linked')).toHaveLength(3);
  });
  it("never lowers the error's own inputs", () => {
    const own = {
      impact: 'high' as const,
      urgency: 'high' as const,
      mode: 'operation' as const,
      workaround: 'none' as const,
    };
    expect(
      combineErrorInputs(own, [{ impact: 'low', urgency: 'low', mode: 'implementation' }]).inputs,
    ).toEqual(own);
  });
  it('can be switched off by the policy', () => {
    const p = clonePolicy(DEFAULT_POLICY);
    p.error.combineLinkedIncidents = false;
    const own = {
      impact: 'low' as const,
      urgency: 'low' as const,
      mode: 'operation' as const,
      workaround: 'none' as const,
    };
    expect(errorPriority(own, p, undefined, [{ impact: 'high', urgency: 'high' }]).score).toBe(2);
  });
});

describe('version kinds (SPEC §5 default)', () => {
  it.each<[string, boolean]>([
    ['5.0', true],
    ['5.0.0', true],
    ['v6.0', true],
    ['5.2', false],
    ['5.2.1', false],
    ['5.0.1', false],
    ['10.0', true],
  ])('%s is a release: %s', (name, release) => {
    expect(isReleaseVersion(DEFAULT_POLICY, name)).toBe(release);
  });
});
