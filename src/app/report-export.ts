/**
 * The compliance report as tables (issue #15): CSV (one file, sections separated by an empty line) and
 * XLSX (a sheet each for the figures, the trend and the breached items), in English or Russian.
 */
import type { ReportView } from '../contract/report';
import type { Locale } from '../domain/codes';
import { classWord, headerLines, kindWord, localTime, stateWord, word } from './report-text';

type Cell = string | number | null;

/** write-excel-file's cells as used here (its types are ES-module only; the package also ships CommonJS). */
type XlsxCell = null | {
  value: string | number;
  type: StringConstructor | NumberConstructor;
  fontWeight?: 'bold';
};
type SheetData = XlsxCell[][];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const writeXlsxFile = require('write-excel-file/node') as (sheets: { data: SheetData; sheet: string }[]) => {
  toBuffer: () => Promise<Buffer>;
};

/** The report's tables: the header lines, the figures, the trend, the breached items. */
export function reportTables(
  v: ReportView,
  lang: Locale,
): Record<'header' | 'figures' | 'trend' | 'breached', Cell[][]> {
  const w = (k: Parameters<typeof word>[1]) => word(lang, k);
  const pct = (share: number | null): Cell => (share === null ? null : Math.round(share * 1000) / 10);
  const title: Cell[] = [v.customer ? `${w('title')} — ${v.customer}` : w('title')];
  return {
    header: [title, ...headerLines(v, lang)],
    figures: [
      [
        w('kind'),
        w('class'),
        w('counted'),
        w('onTime'),
        w('late'),
        `${w('share')}, %`,
        `${w('target')}, %`,
        w('meets'),
        w('budget'),
        w('agreed'),
        w('agreedKept'),
        w('agreedMissed'),
        w('waived'),
      ],
      ...v.figures.map((f): Cell[] => [
        kindWord(lang, f.kind),
        classWord(lang, f.class),
        f.counted,
        f.onTime,
        f.late,
        pct(f.share),
        pct(v.target),
        f.meetsTarget ? w('yes') : w('no'),
        f.budget,
        f.agreed,
        f.agreedKept ?? 0,
        f.agreedMissed ?? 0,
        f.waived ?? 0,
      ]),
      [w('undated'), kindWord(lang, 'error'), v.undated.errors],
      [w('undated'), kindWord(lang, 'incident'), v.undated.incidents],
    ],
    trend: [
      [
        w('month'),
        `${kindWord(lang, 'error')}: ${w('counted')}`,
        `${kindWord(lang, 'error')}: ${w('onTime')}`,
        `${kindWord(lang, 'error')}: ${w('share')}, %`,
        `${kindWord(lang, 'incident')}: ${w('counted')}`,
        `${kindWord(lang, 'incident')}: ${w('onTime')}`,
        `${kindWord(lang, 'incident')}: ${w('share')}, %`,
      ],
      ...v.trend.map((t): Cell[] => [
        t.month,
        t.errors.counted,
        t.errors.onTime,
        pct(t.errors.share),
        t.incidents.counted,
        t.incidents.onTime,
        pct(t.incidents.share),
      ]),
    ],
    breached: [
      [w('key'), w('summary'), w('kind'), w('class'), `${w('due')} (${v.zone})`, w('state')],
      ...v.breached.items.map((i): Cell[] => [
        i.key,
        i.summary ?? '',
        kindWord(lang, i.kind),
        i.class === null ? '' : classWord(lang, i.class as never),
        localTime(i.due, v.zone, false),
        stateWord(lang, i.state),
      ]),
      ...(v.breached.total > v.breached.items.length
        ? [[word(lang, 'andMore', { n: v.breached.total - v.breached.items.length })]]
        : []),
    ],
  };
}

/** A CSV field: quoted when needed; text that a spreadsheet would run as a formula starts with '. */
function csvField(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'number') return String(c);
  const safe = /^[=+\-@\t\r]/.test(c) ? `'${c}` : c;
  return /[",\n\r;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The report as CSV (UTF-8 with a byte-order mark, so spreadsheets read Cyrillic; CRLF lines).
 * @example reportCsv(view, 'en').split('\r\n')[0] // => '\uFEFFSLA compliance report'
 */
export function reportCsv(v: ReportView, lang: Locale): string {
  const t = reportTables(v, lang);
  const sections = [
    t.header,
    t.figures,
    [[word(lang, 'trend')], ...t.trend],
    [[word(lang, 'breached')], ...t.breached],
  ];
  return (
    '\uFEFF' +
    sections.map((rows) => rows.map((r) => r.map(csvField).join(',')).join('\r\n')).join('\r\n\r\n') +
    '\r\n'
  );
}

/** The report as an XLSX workbook: header and figures, trend, breached items. */
export async function reportXlsx(v: ReportView, lang: Locale): Promise<Buffer> {
  const t = reportTables(v, lang);
  const sheet = (rows: Cell[][], headRows: number[]): SheetData =>
    rows.map((r, i) =>
      r.map((c) =>
        c === null
          ? null
          : typeof c === 'number'
            ? { value: c, type: Number }
            : { value: c, type: String, ...(headRows.includes(i) ? { fontWeight: 'bold' as const } : {}) },
      ),
    );
  const figuresStart = t.header.length + 1;
  const sheets = [
    { data: sheet([...t.header, [], ...t.figures], [0, figuresStart]), sheet: word(lang, 'sheetFigures') },
    { data: sheet(t.trend, [0]), sheet: word(lang, 'sheetTrend') },
    { data: sheet(t.breached, [0]), sheet: word(lang, 'sheetBreached') },
  ];
  return writeXlsxFile(sheets).toBuffer();
}
