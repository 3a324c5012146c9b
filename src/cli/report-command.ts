import { readFileSync, writeFileSync } from 'node:fs';
import { DateTime, IANAZone } from 'luxon';
import { parseInstant } from '../domain/calendar/instant';
import { CLASSES, labelOf, type Locale } from '../domain/codes';
import { compliance, complianceTrend, instantMs } from '../domain/compliance';
import type { ReportView } from '../contract/report';
import { parseFlags } from './args';
import type { ComplianceRow, ComplianceSummary, SlaRecord } from '../domain/compliance-types';
import { DEFAULT_POLICY } from '../domain/policy';
import { parseSlaRecord } from '../contract/snapshot-schema';

const USAGE = `usage:
  reglament report --input records.jsonl --from YYYY-MM-DD --to YYYY-MM-DD [--now ISO] [--lang ru|en]
                   [--target 0.8] [--zone Europe/Moscow] [--customer ID] [--json] [--pdf FILE]
Prints the compliance table (SPEC §5): errors per class and overall, then incidents.
--pdf: also writes the compliance report as a PDF in --lang (figures per class, trend, breached, exceptions).
--input: one SLA record per line ({"key","kind","class","due","doneAt","agreed"?}); "-" reads stdin.
--from/--to: both dates included, read in --zone; --now defaults to the current time.
--customer: only the records of that customer id (their "customer" field); the PDF names it.
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

const percent = (share: number | null, lang: Locale = 'en'): string =>
  share === null ? '—' : `${(share * 100).toFixed(1).replace('.', lang === 'ru' ? ',' : '.')} %`;

function table(summary: ComplianceSummary, lang: Locale): string {
  const t = TEXT[lang];
  const line = (name: string, r: ComplianceRow): string[] => [
    name,
    String(r.counted),
    String(r.onTime),
    String(r.late),
    percent(r.share, lang),
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

/** Months 'YYYY-MM' from the month of `from` to that of `to` (at most 36). */
function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (
    let d = DateTime.fromISO(from).startOf('month');
    d.toISODate()! <= to && out.length < 36;
    d = d.plus({ months: 1 })
  )
    out.push(d.toFormat('yyyy-MM'));
  return out;
}

/** The report view of records read from a file (the service builds it from its store: src/app/report.ts). */
export function viewOfRecords(
  records: SlaRecord[],
  from: string,
  to: string,
  now: number,
  target: number,
  zone: string,
  customer: string | null,
): ReportView {
  const errors = compliance(records, 'error', from, to, now, target, zone);
  const incidents = compliance(records, 'incident', from, to, now, target, zone);
  const months = monthsOf(from, to);
  const te = complianceTrend(records, 'error', months, zone, now, target);
  const ti = complianceTrend(records, 'incident', months, zone, now, target);
  const pick = (p: { counted: number; onTime: number; share: number | null }) => ({
    counted: p.counted,
    onTime: p.onTime,
    share: p.share,
  });
  const breached = records
    .filter((r) => r.doneAt === null && r.due !== null && !r.waived && (r.breached || instantMs(r.due) < now))
    .sort((a, b) => instantMs(a.due!) - instantMs(b.due!) || (a.key < b.key ? -1 : 1));
  const summaries = [errors, incidents];
  return {
    from,
    to,
    target,
    projects: [...new Set(records.map((r) => r.project ?? '').filter((p) => p !== ''))].sort(),
    class: null,
    customer,
    zone,
    generatedAt: DateTime.fromMillis(now, { zone }).toISO({ suppressMilliseconds: true })!,
    figures: summaries.flatMap((s) => [
      { ...s.overall, kind: s.kind, class: null },
      ...CLASSES.map((c) => ({ ...s.byClass[c], kind: s.kind, class: c })),
    ]),
    undated: { errors: errors.undated, incidents: incidents.undated },
    trend: months.map((month, i) => ({ month, errors: pick(te[i]!), incidents: pick(ti[i]!) })),
    breached: {
      items: breached.map((r) => ({
        key: r.key,
        summary: null,
        kind: r.kind,
        class: r.class,
        due: r.due,
        state: 'breached',
        url: null,
      })),
      total: breached.length,
    },
    exceptions: summaries.map((s) => ({
      kind: s.kind,
      agreed: s.overall.agreed,
      agreedKept: s.overall.agreedKept ?? 0,
      agreedMissed: s.overall.agreedMissed ?? 0,
      waived: s.overall.waived ?? 0,
    })),
  };
}

/**
 * `reglament report`: the compliance table of SLA records for a person (or `--json`). Returns the exit
 * code: 0, 1 when some lines were skipped, 2 for bad arguments.
 */
export async function reportCommand(
  args: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
): Promise<number> {
  let values;
  try {
    values = parseFlags(args, {
      input: { type: 'string', short: 'i' },
      from: { type: 'string' },
      to: { type: 'string' },
      now: { type: 'string' },
      lang: { type: 'string' },
      target: { type: 'string' },
      zone: { type: 'string' },
      json: { type: 'boolean' },
      pdf: { type: 'string' },
      customer: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
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
  if (values.pdf) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- pdfkit loaded only when asked
    const { reportPdf } = require('../app/report-pdf') as typeof import('../app/report-pdf');
    const view = viewOfRecords(records, from, to, now, target, zone, values.customer ?? null);
    try {
      writeFileSync(values.pdf, await reportPdf(view, lang));
    } catch (e) {
      err.write(`cannot write ${values.pdf}: ${(e as Error).message}\n`);
      return 2;
    }
    err.write(`${lang === 'ru' ? 'PDF записан' : 'PDF written'}: ${values.pdf}\n`);
  }
  if (values.json) {
    out.write(`${JSON.stringify({ errors, incidents })}\n`);
    return bad > 0 ? 1 : 0;
  }
  const t = TEXT[lang];
  const nowText = `${DateTime.fromMillis(now, { zone }).toFormat('yyyy-MM-dd HH:mm')} ${zone}`;
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
