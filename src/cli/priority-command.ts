import { labelOf, type Locale } from '../domain/codes';
import { parseFlags } from './args';
import { OpError } from './errors';
import { PRIORITY_STEPS } from './ops/priority-ops';
import { stepText } from './step-text';
import { runOp } from './ops/registry';
import './ops';

const USAGE = `usage:
  reglament priority incident --impact I --urgency U --mode M --nature N [--override V --reason R] [--preset as-printed] [--json] [--lang ru|en]
  reglament priority error    --impact I --urgency U --mode M --workaround W [--override V --reason R] [--json] [--lang ru|en]
codes: impact/urgency high|medium|low, mode operation|implementation, nature failure|question,
       workaround none|moderate|full (Russian labels are accepted too)`;

/**
 * «рабочий час» agreeing with its number.
 * @example ruHours(24) // => 'рабочих часа'
 */
export function ruHours(n: number): string {
  const d = n % 10;
  const dd = n % 100;
  if (d === 1 && dd !== 11) return 'рабочий час';
  if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return 'рабочих часа';
  return 'рабочих часов';
}

/** The breakdown lines of an op result in a language (the steps when known, else the English text). */
function steps(r: Record<string, unknown>, lang: Locale): string[] {
  const s = PRIORITY_STEPS.get(r);
  return s ? s.map((step) => stepText(step, lang)) : (r.breakdown as string[]);
}

/** `reglament priority ...`: one priority for a person, or `--json` for machines. Returns the exit code. */
export function priorityCommand(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  let parsed;
  try {
    parsed = parseFlags(
      args,
      {
        impact: { type: 'string' },
        urgency: { type: 'string' },
        mode: { type: 'string' },
        nature: { type: 'string' },
        workaround: { type: 'string' },
        override: { type: 'string' },
        reason: { type: 'string' },
        preset: { type: 'string' },
        json: { type: 'boolean' },
        lang: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      true,
    );
  } catch (e) {
    err.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const kind = positionals[0];
  if (values.help || (kind !== 'incident' && kind !== 'error')) {
    (values.help ? out : err).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (values.lang !== undefined && values.lang !== 'ru' && values.lang !== 'en') {
    err.write(`--lang must be ru or en, got ${JSON.stringify(values.lang)}\n`);
    return 2;
  }
  const lang: Locale = values.lang === 'ru' ? 'ru' : 'en';
  const input: Record<string, unknown> = { ...values };
  delete input.json;
  delete input.lang;
  if (values.override !== undefined)
    input.override = { value: Number(values.override), reason: values.reason ?? '' };
  try {
    const r = runOp(kind === 'incident' ? 'incident-priority' : 'error-priority', input);
    if (values.json) {
      out.write(JSON.stringify(r) + '\n');
    } else if (kind === 'incident') {
      const head = lang === 'ru' ? 'Приоритет инцидента' : 'Incident priority';
      const react = lang === 'ru' ? 'Время реакции' : 'Reaction time';
      const hours = Number(r.reactionHours);
      const h = lang === 'ru' ? ruHours(hours) : hours === 1 ? 'working hour' : 'working hours';
      out.write(
        `${head}: ${String(r.level)} – ${labelOf('class', String(r.name), lang)}\n${react}: ${String(r.reactionHours)} ${h}\n`,
      );
      for (const line of steps(r, lang)) out.write(`  ${line}\n`);
    } else {
      const head = lang === 'ru' ? 'Приоритет ошибки' : 'Error priority';
      out.write(`${head}: ${String(r.score)} – ${labelOf('class', String(r.class), lang)}\n`);
      for (const line of steps(r, lang)) out.write(`  ${line}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof OpError) {
      err.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
