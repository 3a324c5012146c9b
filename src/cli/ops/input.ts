import { codesOf, parseCode, type Dimension, type LABELS } from '../../domain/codes';
import { OpError } from '../errors';

/**
 * A value as the user wrote it, for error messages: JSON text, except that numbers JSON.parse made
 * infinite (`1e309`) read "Infinity" rather than JSON.stringify's "null", and long values are cut.
 * @example shown(1e309) // 'Infinity'
 */
export function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) return String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Reads a required code field (code or ru/en label) or throws an OpError naming the field. */
export function codeField<D extends Dimension>(
  input: Record<string, unknown>,
  field: string,
  dimension: D,
  label = field,
): keyof (typeof LABELS)[D] {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') {
    throw new OpError('missing-field', `"${label}" is required: one of ${codesOf(dimension).join(', ')}`);
  }
  const code = parseCode(dimension, raw);
  if (code === undefined) {
    throw new OpError(
      'invalid-field',
      `"${label}" has an invalid value ${shown(raw)}: expected one of ${codesOf(dimension).join(', ')} (or its Russian label)`,
    );
  }
  return code;
}

/** Like codeField but undefined when absent. */
export function optionalCodeField<D extends Dimension>(
  input: Record<string, unknown>,
  field: string,
  dimension: D,
  label = field,
): keyof (typeof LABELS)[D] | undefined {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') return undefined;
  return codeField(input, field, dimension, label);
}

/** A required finite number field, optionally whole and within [min, max]. */
export function numberField(
  input: Record<string, unknown>,
  field: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number {
  const raw = input[field];
  if (raw === undefined || raw === null)
    throw new OpError('missing-field', `"${field}" is required (a number)`);
  const { min, max } = opts;
  const ok =
    typeof raw === 'number' &&
    Number.isFinite(raw) &&
    (!opts.integer || Number.isSafeInteger(raw)) &&
    (min === undefined || raw >= min) &&
    (max === undefined || raw <= max);
  if (!ok) {
    const what =
      min === 0 && max === undefined
        ? `a non-negative ${opts.integer ? 'integer' : 'number'}`
        : opts.integer
          ? 'an integer'
          : 'a number';
    const range =
      min !== undefined && max !== undefined
        ? ` from ${min} to ${max}`
        : min !== undefined && min !== 0
          ? ` of at least ${min}`
          : max !== undefined
            ? ` of at most ${max}`
            : '';
    throw new OpError('invalid-field', `"${field}" must be ${what}${range}, got ${shown(raw)}`);
  }
  return raw;
}

/** A required string field. */
export function stringField(input: Record<string, unknown>, field: string): string {
  const raw = input[field];
  if (raw === undefined || raw === null) throw new OpError('missing-field', `"${field}" is required`);
  if (typeof raw !== 'string')
    throw new OpError('invalid-field', `"${field}" must be a string, got ${shown(raw)}`);
  return raw;
}
