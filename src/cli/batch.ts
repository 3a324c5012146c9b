import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { OpError } from './errors';
import { runOp } from './ops/registry';
import './ops';

/**
 * Processes one JSON Lines input line: `{"op": ..., "id"?: ..., ...fields}` → one output object.
 * A bad line gives `{"id", "error": {"code", "message"}}`; it never throws.
 */
export function processLine(line: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    return { id: null, error: { code: 'invalid-json', message: `not valid JSON: ${(e as Error).message}` } };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return {
      id: null,
      error: { code: 'invalid-line', message: 'each line must be a JSON object with an "op"' },
    };
  }
  const { op, id, ...rest } = parsed as Record<string, unknown>;
  const echo = id === undefined ? {} : { id };
  try {
    return { ...echo, ...runOp(op, rest) };
  } catch (e) {
    if (e instanceof OpError) {
      return {
        id: id ?? null,
        error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) },
      };
    }
    return { id: id ?? null, error: { code: 'internal', message: (e as Error).message ?? String(e) } };
  }
}

/**
 * Streams JSON Lines from `input` to `output`, one result line per input line, in order.
 * Blank lines are skipped. Output is buffered in chunks and honours back-pressure.
 * Resolves when the input ends and the output is flushed.
 */
export async function runBatch(input: Readable, output: Writable): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer === '') return;
    const chunk = buffer;
    buffer = '';
    if (!output.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = (): void => {
          output.off('error', onError);
          resolve();
        };
        const onError = (err: Error): void => {
          output.off('drain', onDrain);
          reject(err);
        };
        output.once('drain', onDrain);
        output.once('error', onError);
      });
    }
  };
  for await (const line of rl) {
    if (line.trim() === '') continue;
    buffer += JSON.stringify(processLine(line)) + '\n';
    if (buffer.length >= 64 * 1024) await flush();
  }
  await flush();
}
