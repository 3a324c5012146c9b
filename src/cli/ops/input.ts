import { codesOf, parseCode, type Dimension, type LABELS } from '../../domain/codes';
import { OpError } from '../errors';

/** Reads a required code field (code or ru/en label) or throws an OpError naming the field. */
export function codeField<D extends Dimension>(
  input: Record<string, unknown>,
  field: string,
  dimension: D,
): keyof (typeof LABELS)[D] {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') {
    throw new OpError('missing-field', `"${field}" is required: one of ${codesOf(dimension).join(', ')}`);
  }
  const code = parseCode(dimension, raw);
  if (code === undefined) {
    throw new OpError(
      'invalid-field',
      `"${field}" has an invalid value ${JSON.stringify(raw)}: expected one of ${codesOf(dimension).join(', ')} (or its Russian label)`,
    );
  }
  return code;
}

/** Like codeField but undefined when absent. */
export function optionalCodeField<D extends Dimension>(
  input: Record<string, unknown>,
  field: string,
  dimension: D,
): keyof (typeof LABELS)[D] | undefined {
  const raw = input[field];
  if (raw === undefined || raw === null || raw === '') return undefined;
  return codeField(input, field, dimension);
}

/** A required finite number field. */
export function numberField(
  input: Record<string, unknown>,
  field: string,
  opts: { integer?: boolean } = {},
): number {
  const raw = input[field];
  if (raw === undefined || raw === null)
    throw new OpError('missing-field', `"${field}" is required (a number)`);
  if (typeof raw !== 'number' || !Number.isFinite(raw) || (opts.integer && !Number.isInteger(raw))) {
    throw new OpError(
      'invalid-field',
      `"${field}" must be ${opts.integer ? 'an integer' : 'a number'}, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}

/** A required string field. */
export function stringField(input: Record<string, unknown>, field: string): string {
  const raw = input[field];
  if (raw === undefined || raw === null) throw new OpError('missing-field', `"${field}" is required`);
  if (typeof raw !== 'string')
    throw new OpError('invalid-field', `"${field}" must be a string, got ${JSON.stringify(raw)}`);
  return raw;
}
