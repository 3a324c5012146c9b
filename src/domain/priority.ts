/**
 * Priorities of the regulation: incident level 1–5 (SPEC §2) and error score 1–10 with its class
 * (SPEC §4). Every result carries its breakdown so a UI can say why.
 */
import type { Impact, Mode, Nature, PriorityClass, Urgency, Workaround } from './codes';
import { errorClassOf, type IncidentLevel, type Policy } from './policy';

export interface IncidentInputs {
  impact: Impact;
  urgency: Urgency;
  mode: Mode;
  nature: Nature;
}

export interface ErrorInputs {
  impact: Impact;
  urgency: Urgency;
  mode: Mode;
  workaround: Workaround;
}

/** Inputs of an incident linked to an error (SPEC §4, source §5.5). */
export interface LinkedInputs {
  impact?: Impact;
  urgency?: Urgency;
  mode?: Mode;
}

export interface PriorityOverride {
  value: number;
  reason: string;
}

/** One line of a priority's explanation. `code` is stable (for UI translation); `text` is English. */
export type BreakdownStep =
  | {
      code: 'base';
      rows: 'urgency' | 'mode';
      row: string;
      impact: Impact;
      range?: [number, number];
      value: number;
      text: string;
    }
  | {
      code: 'modifier';
      modifier: 'implementation' | 'question' | 'workaround';
      delta: number;
      value: number;
      text: string;
    }
  | { code: 'clamp'; from: number; value: number; text: string }
  | { code: 'linked'; field: 'impact' | 'urgency' | 'mode'; from: string; to: string; text: string }
  | { code: 'override'; computed: number; value: number; reason: string; text: string };

export interface PriorityResult {
  kind: 'incident' | 'error';
  /** The effective value: incident level 1–5 or error score 1–10 (the override when there is one). */
  value: number;
  class: PriorityClass;
  /** The value the policy computes, before any override. */
  computed: number;
  computedClass: PriorityClass;
  overridden: boolean;
  override?: PriorityOverride;
  breakdown: BreakdownStep[];
}

export interface IncidentPriority extends PriorityResult {
  kind: 'incident';
  level: IncidentLevel;
  /** Reaction time in working hours for the effective level. */
  reactionHours: number;
}

export interface ErrorPriority extends PriorityResult {
  kind: 'error';
  score: number;
  /** The inputs actually used (after combining linked incidents). */
  inputs: ErrorInputs;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function applyOverride(
  computed: number,
  override: PriorityOverride | undefined,
  max: number,
  breakdown: BreakdownStep[],
): number {
  if (!override) return computed;
  if (!Number.isInteger(override.value) || override.value < 1 || override.value > max) {
    throw new RangeError(`priority override must be an integer 1..${max}, got ${override.value}`);
  }
  breakdown.push({
    code: 'override',
    computed,
    value: override.value,
    reason: override.reason,
    text: `set manually to ${override.value} (computed ${computed}): ${override.reason}`,
  });
  return override.value;
}

/**
 * Incident priority (SPEC §2): the base cell of the §4.6 matrix, then the modifiers
 * (implementation −1, question −2 by default), clamped to 1..5; a manual override wins.
 * @example incidentPriority({ impact: 'medium', urgency: 'high', mode: 'implementation', nature: 'question' }, DEFAULT_POLICY).level // => 1
 */
export function incidentPriority(
  inputs: IncidentInputs,
  policy: Readonly<Policy>,
  override?: PriorityOverride,
): IncidentPriority {
  const p = policy.incident;
  const breakdown: BreakdownStep[] = [];
  let value: number;
  if (p.rows === 'mode') {
    value = p.modeMatrix[inputs.mode][inputs.impact];
    breakdown.push({
      code: 'base',
      rows: 'mode',
      row: inputs.mode,
      impact: inputs.impact,
      value,
      text: `base: mode ${inputs.mode} × impact ${inputs.impact} = ${value}`,
    });
  } else {
    value = p.matrix[inputs.urgency][inputs.impact];
    breakdown.push({
      code: 'base',
      rows: 'urgency',
      row: inputs.urgency,
      impact: inputs.impact,
      value,
      text: `base: urgency ${inputs.urgency} × impact ${inputs.impact} = ${value}`,
    });
  }
  if (inputs.mode === 'implementation' && p.modifiers.implementation !== 0) {
    value += p.modifiers.implementation;
    breakdown.push({
      code: 'modifier',
      modifier: 'implementation',
      delta: p.modifiers.implementation,
      value,
      text: `implementation mode ${signed(p.modifiers.implementation)} = ${value}`,
    });
  }
  if (inputs.nature === 'question' && p.modifiers.question !== 0) {
    value += p.modifiers.question;
    breakdown.push({
      code: 'modifier',
      modifier: 'question',
      delta: p.modifiers.question,
      value,
      text: `question ${signed(p.modifiers.question)} = ${value}`,
    });
  }
  const clamped = clamp(value, 1, 5);
  if (clamped !== value) {
    breakdown.push({ code: 'clamp', from: value, value: clamped, text: `clamped to 1..5: ${clamped}` });
  }
  const computed = clamped as IncidentLevel;
  const level = applyOverride(computed, override, 5, breakdown) as IncidentLevel;
  return {
    kind: 'incident',
    level,
    value: level,
    class: p.classes[level],
    computed,
    computedClass: p.classes[computed],
    overridden: override !== undefined,
    ...(override ? { override } : {}),
    reactionHours: p.reactionHours[level],
    breakdown,
  };
}

const SEVERITY: Record<Impact, number> = { low: 0, medium: 1, high: 2 };

/**
 * Combines an error's own inputs with those of its linked incidents (SPEC §4, source §5.5): the
 * most severe impact and urgency, and `operation` if any of them is in operation.
 * @example combineErrorInputs({ impact: 'low', urgency: 'low', mode: 'implementation', workaround: 'none' }, [{ impact: 'high' }]).inputs.impact // => 'high'
 */
export function combineErrorInputs(
  own: ErrorInputs,
  linked: readonly LinkedInputs[],
): { inputs: ErrorInputs; steps: BreakdownStep[] } {
  const inputs = { ...own };
  const steps: BreakdownStep[] = [];
  for (const field of ['impact', 'urgency'] as const) {
    let best = own[field];
    for (const l of linked) {
      const v = l[field];
      if (v !== undefined && SEVERITY[v] > SEVERITY[best]) best = v;
    }
    if (best !== own[field]) {
      steps.push({
        code: 'linked',
        field,
        from: own[field],
        to: best,
        text: `${field} raised to ${best} by a linked incident`,
      });
      inputs[field] = best;
    }
  }
  if (own.mode === 'implementation' && linked.some((l) => l.mode === 'operation')) {
    inputs.mode = 'operation';
    steps.push({
      code: 'linked',
      field: 'mode',
      from: 'implementation',
      to: 'operation',
      text: 'mode set to operation by a linked incident',
    });
  }
  return { inputs, steps };
}

/**
 * Error priority (SPEC §4): the cell's range end chosen by the policy (upper by default), then the
 * modifiers (implementation −2; workaround moderate −3, full −4), clamped to 1..10; the class follows
 * from the final score. Linked incidents raise the inputs first when the policy says so.
 * @example errorPriority({ impact: 'high', urgency: 'medium', mode: 'operation', workaround: 'moderate' }, DEFAULT_POLICY).score // => 5
 */
export function errorPriority(
  own: ErrorInputs,
  policy: Readonly<Policy>,
  override?: PriorityOverride,
  linked: readonly LinkedInputs[] = [],
): ErrorPriority {
  const p = policy.error;
  const combined = p.combineLinkedIncidents
    ? combineErrorInputs(own, linked)
    : { inputs: { ...own }, steps: [] };
  const inputs = combined.inputs;
  const breakdown: BreakdownStep[] = [...combined.steps];
  const range = p.matrix[inputs.urgency][inputs.impact];
  let value = p.rangePoint === 'upper' ? range[1] : range[0];
  breakdown.push({
    code: 'base',
    rows: 'urgency',
    row: inputs.urgency,
    impact: inputs.impact,
    range: [range[0], range[1]],
    value,
    text: `base: urgency ${inputs.urgency} × impact ${inputs.impact} = ${range[0]}–${range[1]}, ${p.rangePoint} end ${value}`,
  });
  if (inputs.mode === 'implementation' && p.modifiers.implementation !== 0) {
    value += p.modifiers.implementation;
    breakdown.push({
      code: 'modifier',
      modifier: 'implementation',
      delta: p.modifiers.implementation,
      value,
      text: `implementation mode ${signed(p.modifiers.implementation)} = ${value}`,
    });
  }
  const w = p.modifiers.workaround[inputs.workaround];
  if (w !== 0) {
    value += w;
    breakdown.push({
      code: 'modifier',
      modifier: 'workaround',
      delta: w,
      value,
      text: `workaround ${inputs.workaround} ${signed(w)} = ${value}`,
    });
  }
  const clamped = clamp(value, 1, 10);
  if (clamped !== value) {
    breakdown.push({ code: 'clamp', from: value, value: clamped, text: `clamped to 1..10: ${clamped}` });
  }
  const score = applyOverride(clamped, override, 10, breakdown);
  const cls = errorClassOf(policy, score);
  const computedClass = errorClassOf(policy, clamped);
  if (!cls || !computedClass) throw new RangeError(`policy error classes do not cover score ${score}`);
  return {
    kind: 'error',
    score,
    value: score,
    class: cls,
    computed: clamped,
    computedClass,
    overridden: override !== undefined,
    ...(override ? { override } : {}),
    inputs,
    breakdown,
  };
}

function signed(n: number): string {
  return n >= 0 ? `+${n}` : `−${-n}`;
}
