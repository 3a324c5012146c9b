import type { BreakdownStep, PriorityOverride } from '../../domain/priority';
import { errorPriority, incidentPriority } from '../../domain/priority';
import { PRESETS, type Policy } from '../../domain/policy';
import { validatePolicy } from '../../domain/policy-validate';
import { OpError } from '../errors';
import { codeField, optionalCodeField, shown } from './input';
import { registerOp } from './registry';

const policyCache = new Map<string, Policy>();

/** The breakdown steps of a priority op's result (its `breakdown` is the English text), for `--lang`. */
export const PRIORITY_STEPS = new WeakMap<object, BreakdownStep[]>();

/** The policy of an op line: `preset` name and/or a full `policy` object (validated). */
export function policyField(input: Record<string, unknown>): Readonly<Policy> {
  if (input.policy !== undefined) {
    const key = JSON.stringify(input.policy);
    const cached = policyCache.get(key);
    if (cached) return cached;
    const r = validatePolicy(input.policy);
    if (!r.ok) {
      throw new OpError(
        'invalid-policy',
        `the policy has ${r.errors.length} problem(s): ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        r.errors,
      );
    }
    if (policyCache.size > 100) policyCache.clear();
    policyCache.set(key, r.value);
    return r.value;
  }
  const preset = input.preset ?? 'default';
  if (typeof preset !== 'string' || !Object.hasOwn(PRESETS, preset)) {
    throw new OpError(
      'invalid-field',
      `"preset" must be one of ${Object.keys(PRESETS).join(', ')}, got ${shown(preset)}`,
    );
  }
  return PRESETS[preset as keyof typeof PRESETS];
}

/** The optional `override` {value, reason} of an op line. */
export function overrideField(input: Record<string, unknown>, max: number): PriorityOverride | undefined {
  const raw = input.override ?? input.priorityOverride;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new OpError(
      'invalid-field',
      `"override" must be an object {"value": n, "reason": "..."}, got ${shown(raw)}`,
    );
  }
  const { value, reason } = raw as Record<string, unknown>;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new OpError(
      'invalid-field',
      `"override.value" must be a whole number from 1 to ${max}, got ${shown(value)}`,
    );
  }
  if (typeof reason !== 'string' || reason.trim() === '') {
    throw new OpError(
      'invalid-field',
      `"override.reason" is required: why the priority was changed (source §4.6.2), got ${shown(reason)}`,
    );
  }
  return { value, reason };
}

function withSteps<T extends object>(steps: BreakdownStep[], result: T): T {
  PRIORITY_STEPS.set(result, steps);
  return result;
}

registerOp('incident-priority', (input) => {
  const inputs = {
    impact: codeField(input, 'impact', 'impact'),
    urgency: codeField(input, 'urgency', 'urgency'),
    mode: codeField(input, 'mode', 'mode'),
    nature: codeField(input, 'nature', 'nature'),
  };
  const r = incidentPriority(inputs, policyField(input), overrideField(input, 5));
  return withSteps(r.breakdown, {
    level: r.level,
    name: r.class,
    reactionHours: r.reactionHours,
    computed: r.computed,
    overridden: r.overridden,
    breakdown: r.breakdown.map((s) => s.text),
  });
});

registerOp('error-priority', (input) => {
  const inputs = {
    impact: codeField(input, 'impact', 'impact'),
    urgency: codeField(input, 'urgency', 'urgency'),
    mode: codeField(input, 'mode', 'mode'),
    workaround: codeField(input, 'workaround', 'workaround'),
  };
  const linkedRaw = input.linkedIncidents ?? [];
  if (!Array.isArray(linkedRaw))
    throw new OpError(
      'invalid-field',
      `"linkedIncidents" must be a list of {impact, urgency, mode}, got ${shown(linkedRaw)}`,
    );
  const linked = linkedRaw.map((l: unknown, i: number) => {
    if (typeof l !== 'object' || l === null)
      throw new OpError('invalid-field', `"linkedIncidents[${i}]" must be an object, got ${shown(l)}`);
    const o = l as Record<string, unknown>;
    return {
      impact: optionalCodeField(o, 'impact', 'impact', `linkedIncidents[${i}].impact`),
      urgency: optionalCodeField(o, 'urgency', 'urgency', `linkedIncidents[${i}].urgency`),
      mode: optionalCodeField(o, 'mode', 'mode', `linkedIncidents[${i}].mode`),
    };
  });
  const r = errorPriority(inputs, policyField(input), overrideField(input, 10), linked);
  return withSteps(r.breakdown, {
    score: r.score,
    class: r.class,
    computed: r.computed,
    overridden: r.overridden,
    inputs: r.inputs,
    breakdown: r.breakdown.map((s) => s.text),
  });
});
