import { OpError } from '../errors';

/** A batch op: takes the parsed input line (without `op`/`id`), returns a JSON-able object. */
export type OpHandler = (input: Record<string, unknown>) => Record<string, unknown>;

const ops = new Map<string, OpHandler>();

/** Registers an op under its name (`incident-priority`, `evaluate`, ...). */
export function registerOp(name: string, handler: OpHandler): void {
  if (ops.has(name)) throw new Error(`op ${name} registered twice`);
  ops.set(name, handler);
}

export function opNames(): string[] {
  return [...ops.keys()].sort();
}

/** Runs one op; unknown ops are an OpError naming the known ones. */
export function runOp(name: unknown, input: Record<string, unknown>): Record<string, unknown> {
  if (typeof name !== 'string' || name === '') {
    throw new OpError('missing-op', `"op" is required: one of ${opNames().join(', ')}`);
  }
  const handler = ops.get(name);
  if (!handler)
    throw new OpError('unknown-op', `unknown op "${name}": expected one of ${opNames().join(', ')}`);
  return handler(input);
}
