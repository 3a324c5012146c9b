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

/** Limits of one input line: longer or deeper lines get an error line and the batch goes on. */
export interface BatchLimits {
  /** Bytes in one line (UTF-8, without its line break); default 1 MiB. */
  maxLineBytes: number;
  /** Nesting of arrays and objects in one line; default 64. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: BatchLimits = { maxLineBytes: 1024 * 1024, maxDepth: 64 };

/**
 * The deepest nesting of `[`/`{` in JSON text (outside strings), or `limit + 1` as soon as it passes
 * `limit`; a linear scan, so a 5,000-deep value costs nothing to refuse.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function lineError(code: string, message: string): Record<string, unknown> {
  return { id: null, error: { code, message } };
}

/** One output line as text; a result that cannot be serialised becomes an error line. */
function outputLine(result: Record<string, unknown>): string {
  try {
    return JSON.stringify(result) + '\n';
  } catch (e) {
    return (
      JSON.stringify(lineError('internal', `the result cannot be written: ${(e as Error).message}`)) + '\n'
    );
  }
}

/**
 * Streams JSON Lines from `input` to `output`, one result line per input line, in order.
 *
 * - Lines end at `\n`; a `\r` before it is dropped (CRLF files). A lone `\r` is not a line break (as
 *   in JSON Lines): inside a line it is JSON whitespace, so `{…}\r{…}` is one invalid line.
 * - A byte order mark at the start of the input is ignored.
 * - A blank line (only spaces/tabs) gives an error line `blank-line`, so output line N always answers
 *   input line N; a final line break does not start another line.
 * - A line longer than `maxLineBytes` is read and discarded as it streams (never held whole) and gives
 *   `line-too-long`; one nested deeper than `maxDepth` gives `too-deep`. The next lines go on.
 *
 * Output is buffered in chunks and honours back-pressure. Resolves when the input ends and the
 * output is flushed.
 */
export async function runBatch(
  input: Readable,
  output: Writable,
  limits: BatchLimits = DEFAULT_LIMITS,
): Promise<void> {
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

  let lineNo = 0;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let first = true;

  const answer = (result: Record<string, unknown>): void => {
    buffer += outputLine(result);
  };
  const endLine = (): void => {
    lineNo++;
    const last = parts[parts.length - 1];
    if (size - (last && last[last.length - 1] === 0x0d ? 1 : 0) > limits.maxLineBytes) tooLong = true;
    if (tooLong) {
      answer(
        lineError(
          'line-too-long',
          `line ${lineNo} is longer than ${limits.maxLineBytes} bytes (the limit); it was skipped`,
        ),
      );
    } else {
      let text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString('utf8');
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') {
        answer(
          lineError('blank-line', `line ${lineNo} is blank: each line must be a JSON object with an "op"`),
        );
      } else if (nestingDepth(text, limits.maxDepth) > limits.maxDepth) {
        answer(
          lineError(
            'too-deep',
            `line ${lineNo} nests arrays/objects deeper than ${limits.maxDepth} levels (the limit)`,
          ),
        );
      } else answer(processLine(text));
    }
    first = false;
    parts = [];
    size = 0;
    tooLong = false;
  };
  const take = (piece: Buffer): void => {
    if (tooLong || piece.length === 0) return;
    // A CR that ends the line is not counted against the limit.
    if (size + piece.length > limits.maxLineBytes + 1) {
      tooLong = true;
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.length;
  };

  for await (const raw of input as AsyncIterable<Buffer | string>) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      take(chunk.subarray(from, nl));
      endLine();
      from = nl + 1;
      if (buffer.length >= 64 * 1024) await flush();
    }
    // Copy the tail: the chunk's memory may be reused by the stream.
    if (from < chunk.length) take(Buffer.from(chunk.subarray(from)));
    if (buffer.length >= 64 * 1024) await flush();
  }
  if (size > 0 || tooLong) endLine();
  await flush();
}
