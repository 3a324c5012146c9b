import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime, IANAZone } from 'luxon';
import { parseInstant } from '../domain/calendar/instant';
import { CLASSES, labelOf, type Locale } from '../domain/codes';
import { compliance } from '../domain/compliance';
import type { ComplianceRow, ComplianceSummary, SlaRecord } from '../domain/compliance-types';
import { DEFAULT_POLICY } from '../domain/policy';
import { parseSlaRecord } from '../contract/snapshot-schema';

const USAGE = `usage:
  reglament report --input records.jsonl --from YYYY-MM-DD --to YYYY-MM-DD [--now ISO] [--lang ru|en]
                   [--target 0.8] [--zone Europe/Moscow] [--customer ID] [--json]
Prints the compliance table (SPEC §5): errors per class and overall, then incidents.
--input: one SLA record per line ({"key","kind","class","due","doneAt","agreed"?}); "-" reads stdin.
--from/--to: both dates included, read in --zone; --now defaults to the current time.
--customer: only the records of that customer id (their "customer" field).
A bad line is reported on stderr with its number and skipped; the exit code is then 1.`;

const TEXT = {
  en: {
    title: (from: string, to: string, now: string, target: string) =>
      `Compliance ${from} … ${to} (at ${now}; target ${target})`,
    errors: 'Errors (fix deadlines)',
    incidents: 'Incidents (reaction time)',
    head: ['Class', 'Counted', 'On time', 'Late', 'Share', 'Target', 'Meets', 'Can absorb'],
    overall: 'Overall',
    yes: 'yes',
    no: 'no',
    undated: (n: number) => `Without a dated deadline (left out): ${n}`,
    agreed: (n: number) => `Of the counted, agreed individually: ${n}`,
    agreedKept: (kept: number, missed: number) => `Agreed dates kept: ${kept}, missed: ${missed}`,
    read: (ok: number, bad: number) => `${ok} record(s) read${bad > 0 ? `, ${bad} line(s) skipped` : ''}`,
  },
  ru: {
    title: (from: string, to: string, now: string, target: string) =>
      `Соблюдение сроков ${from} … ${to} (на ${now}; цель ${target})`,
    errors: 'Ошибки (сроки исправления)',
    incidents: 'Инциденты (время реакции)',
    head: ['Класс', 'Учтено', 'В срок', 'Просрочено', 'Доля', 'Цель', 'Выполнена', 'Запас'],
    overall: 'Итого',
    yes: 'да',
    no: 'нет',
    undated: (n: number) => `Без срока (не учитываются): ${n}`,
    agreed: (n: number) => `Из учтённых со сроком, согласованным индивидуально: ${n}`,
    agreedKept: (kept: number, missed: number) => `Согласованный срок соблюдён: ${kept}, нарушен: ${missed}`,
    read: (ok: number, bad: number) =>
      `Прочитано записей: ${ok}${bad > 0 ? `, пропущено строк: ${bad}` : ''}`,
  },
} as const;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

const percent = (share: number | null): string => (share === null ? '—' : `${(share * 100).toFixed(1)} %`);

function table(summary: ComplianceSummary, lang: Locale): string {
  const t = TEXT[lang];
  const line = (name: string, r: ComplianceRow): string[] => [
    name,
    String(r.counted),
    String(r.onTime),
    String(r.late),
    percent(r.share),
    `${+(summary.target * 100).toFixed(2)} %`,
    r.counted === 0 ? '—' : r.meetsTarget ? t.yes : t.no,
    String(r.budget),
  ];
  const rows = [
    [...t.head],
    ...CLASSES.map((c) => line(labelOf('class', c, lang), summary.byClass[c])),
    line(t.overall, summary.overall),
  ];
  const widths = t.head.map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
        .join('  '),
    )
    .join('\n');
}

/** Reads SLA records from JSONL text; bad lines go to `err` with their line numbers. */
export function readRecords(text: string, err: NodeJS.WritableStream): { records: SlaRecord[]; bad: number } {
  const records: SlaRecord[] = [];
  let bad = 0;
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      bad++;
      err.write(`line ${i + 1}: not valid JSON: ${(e as Error).message}\n`);
      return;
    }
    const r = parseSlaRecord(json);
    if (r.ok) {
      records.push(r.value);
      return;
    }
    bad++;
    err.write(
      `line ${i + 1}: ${r.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}\n`,
    );
  });
  return { records, bad };
}

/**
 * `reglament report`: the compliance table of SLA records for a person (or `--json`). Returns the exit
 * code: 0, 1 when some lines were skipped, 2 for bad arguments.
 */
export function reportCommand(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): number {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        input: { type: 'string', short: 'i' },
        from: { type: 'string' },
        to: { type: 'string' },
        now: { type: 'string' },
        lang: { type: 'string' },
        target: { type: 'string' },
        zone: { type: 'string' },
        customer: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    err.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    out.write(`${USAGE}\n`);
    return 0;
  }
  const problems: string[] = [];
  if (!values.input) problems.push('--input is required');
  for (const f of ['from', 'to'] as const) {
    const v = values[f];
    if (!v || !DATE_RE.test(v) || !DateTime.fromISO(v).isValid)
      problems.push(`--${f} must be a date YYYY-MM-DD`);
  }
  if (values.from && values.to && values.from > values.to) problems.push('--from is after --to');
  const lang: Locale = values.lang === 'ru' ? 'ru' : 'en';
  if (values.lang !== undefined && values.lang !== 'ru' && values.lang !== 'en')
    problems.push('--lang must be ru or en');
  const zone = values.zone ?? 'Europe/Moscow';
  if (!IANAZone.isValidZone(zone)) problems.push(`--zone ${JSON.stringify(zone)} is not an IANA time zone`);
  const target = values.target === undefined ? DEFAULT_POLICY.complianceTarget : Number(values.target);
  if (!(target > 0 && target <= 1)) problems.push('--target must be a share above 0 and at most 1, e.g. 0.8');
  let now = Date.now();
  if (values.now !== undefined) {
    try {
      now = parseInstant(values.now);
    } catch (e) {
      problems.push(`--now: ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) {
    err.write(`${problems.join('\n')}\n${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(values.input === '-' ? 0 : (values.input as string), 'utf8');
  } catch (e) {
    err.write(`cannot read ${values.input}: ${(e as Error).message}\n`);
    return 2;
  }
  const read = readRecords(text, err);
  const bad = read.bad;
  const records =
    values.customer === undefined ? read.records : read.records.filter((r) => r.customer === values.customer);
  const from = values.from as string;
  const to = values.to as string;
  const errors = compliance(records, 'error', from, to, now, target, zone);
  const incidents = compliance(records, 'incident', from, to, now, target, zone);
  if (values.json) {
    out.write(`${JSON.stringify({ errors, incidents })}\n`);
    return bad > 0 ? 1 : 0;
  }
  const t = TEXT[lang];
  const nowText = values.now ?? new Date(now).toISOString();
  const parts = [
    t.title(from, to, nowText, `${+(target * 100).toFixed(2)} %`),
    t.read(records.length, bad),
    '',
    t.errors,
    table(errors, lang),
    t.undated(errors.undated),
    t.agreed(errors.overall.agreed),
    t.agreedKept(errors.overall.agreedKept ?? 0, errors.overall.agreedMissed ?? 0),
    '',
    t.incidents,
    table(incidents, lang),
    t.undated(incidents.undated),
  ];
  out.write(`${parts.join('\n')}\n`);
  return bad > 0 ? 1 : 0;
}
