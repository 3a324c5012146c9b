/**
 * Command-line flags checked with messages of our own (issue #15): an unknown flag is named with the
 * flags the command knows, a flag missing its value says so — never Node's parser text.
 */
import { parseArgs } from 'node:util';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `args` against `options`; throws UsageError with a plain message on a bad flag.
 * @example parseFlags(['--form', 'x'], { from: { type: 'string' } }) // throws 'unknown flag --form (known: --from)'
 */
export function parseFlags<O extends FlagSpec>(
  args: string[],
  options: O,
  positionals = false,
): { values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  const known = Object.keys(options)
    .map((k) => `--${k}`)
    .join(', ');
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'option') {
      const spec = options[t.name];
      if (!spec) throw new UsageError(`unknown flag ${t.rawName} (known: ${known})`);
      if (spec.type === 'string' && t.value === undefined)
        throw new UsageError(`${t.rawName} needs a value, e.g. ${t.rawName} VALUE`);
      if (spec.type === 'boolean' && t.inlineValue)
        throw new UsageError(`${t.rawName} takes no value, got ${JSON.stringify(t.value)}`);
    } else if (t.kind === 'positional' && !positionals)
      throw new UsageError(`unexpected argument ${JSON.stringify(t.value)} (flags: ${known})`);
  }
  const parsed = parseArgs({ args, options, allowPositionals: positionals });
  return parsed as never;
}
