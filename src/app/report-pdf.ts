/**
 * The monthly compliance report as a PDF a vendor sends to its customer (issue #15): title, customer,
 * period, the figures per class against the target, the agreed exceptions, the monthly trend and the
 * breached items, in English or Russian. Rendered server-side with pdfkit; DejaVu Sans (Cyrillic
 * included, assets/fonts/, Bitstream Vera licence) is embedded as a subset of the glyphs used.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import PDFDocument from 'pdfkit';
import type { ReportView } from '../contract/report';
import type { Locale } from '../domain/codes';
import { classWord, headerLines, kindWord, localTime, monthText, percent, word } from './report-text';

/** The fonts shipped with the package (src/app and dist/app are both two levels below the root). */
export const FONT_DIR = path.join(__dirname, '..', '..', 'assets', 'fonts');
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

/** Breached items the PDF lists (the rest are counted in a line). */
export const PDF_LIST_LIMIT = 100;

const MARGIN = 48;
const GREEN = '#216e39';
const RED = '#b42318';
const GREY = '#5b6472';

/**
 * The report as a PDF document (a Buffer).
 * @example const pdf = await reportPdf(await api.getReport({ from: '2026-04-01', to: '2026-04-30' }), 'ru')
 */
export async function reportPdf(v: ReportView, lang: Locale): Promise<Buffer> {
  for (const f of [REGULAR, BOLD])
    if (!fs.existsSync(f)) throw new Error(`the report font is missing: ${f} (assets/fonts/ of the package)`);
  const title = word(lang, 'monthlyTitle');
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    font: REGULAR,
    lang,
    info: {
      Title: v.customer ? `${title} — ${v.customer}` : title,
      Creator: 'reglament',
      CreationDate: new Date(v.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 24;

  /** One table row at the current y: cells at fixed widths, the tallest cell moves y on. */
  const row = (
    cells: string[],
    widths: number[],
    opts: { bold?: boolean; colors?: (string | null)[] } = {},
  ) => {
    doc.font(opts.bold ? 'bold' : 'regular').fontSize(opts.bold ? 8 : 9);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: widths[i]! - 6 }));
    const h = Math.max(12, ...heights) + 4;
    if (doc.y + h > bottom()) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    cells.forEach((c, i) => {
      doc.fillColor(opts.colors?.[i] ?? 'black').text(c, x + 3, y + 2, { width: widths[i]! - 6 });
      x += widths[i]!;
    });
    doc
      .moveTo(MARGIN, y + h)
      .lineTo(MARGIN + width, y + h)
      .lineWidth(0.5)
      .strokeColor(opts.bold ? '#333333' : '#d0d5dd')
      .stroke();
    doc.x = MARGIN;
    doc.y = y + h;
  };
  const heading = (text: string) => {
    if (doc.y + 48 > bottom()) doc.addPage();
    doc.moveDown(0.8).font('bold').fontSize(12).fillColor('black').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };
  const fraction = (ws: number[]) => ws.map((f) => f * width);

  // Title and header.
  doc.font('bold').fontSize(17).fillColor('black').text(title, { width });
  doc.moveDown(0.4);
  for (const [label, value] of headerLines(v, lang)) {
    doc.font('bold').fontSize(10).text(`${label}: `, { continued: true });
    doc.font('regular').text(value);
  }

  // Figures per kind and class against the target.
  heading(word(lang, 'figures'));
  const fw = fraction([0.23, 0.12, 0.12, 0.16, 0.16, 0.21]);
  row(
    [
      word(lang, 'class'),
      word(lang, 'counted'),
      word(lang, 'onTime'),
      word(lang, 'late'),
      word(lang, 'share'),
      word(lang, 'meets'),
    ],
    fw,
    { bold: true },
  );
  let kind: string | null = null;
  for (const f of v.figures) {
    if (f.kind !== kind) {
      kind = f.kind;
      doc
        .font('bold')
        .fontSize(10)
        .fillColor('black')
        .text(kindWord(lang, f.kind), MARGIN + 3, doc.y + 4, { width });
      doc.y += 2;
    }
    const verdict =
      f.counted === 0 ? word(lang, 'notCounted') : f.meetsTarget ? word(lang, 'yes') : word(lang, 'no');
    const color = f.counted === 0 ? GREY : f.meetsTarget ? GREEN : RED;
    row(
      [
        classWord(lang, f.class),
        String(f.counted),
        String(f.onTime),
        String(f.late),
        percent(lang, f.share),
        verdict,
      ],
      fw,
      { bold: f.class === null && !v.class, colors: [null, null, null, null, color, color] },
    );
  }
  doc.moveDown(0.4).font('regular').fontSize(9).fillColor(GREY);
  doc.text(
    `${word(lang, 'undated')}: ${kindWord(lang, 'error')} ${v.undated.errors}, ${kindWord(lang, 'incident')} ${v.undated.incidents}`,
    MARGIN,
    doc.y,
    { width },
  );

  // Agreed exceptions.
  heading(word(lang, 'exceptions'));
  for (const e of v.exceptions) {
    doc
      .font('bold')
      .fontSize(10)
      .fillColor('black')
      .text(`${kindWord(lang, e.kind)}: `, { continued: true });
    doc.font('regular').text(
      word(lang, 'exceptionsText', {
        agreed: e.agreed,
        kept: e.agreedKept,
        missed: e.agreedMissed,
        waived: e.waived,
      }),
    );
  }

  // Monthly trend.
  if (v.trend.length > 0) {
    heading(word(lang, 'trend'));
    const tw = fraction([0.16, 0.14, 0.14, 0.14, 0.14, 0.14, 0.14]);
    const k = (x: 'error' | 'incident', w: 'counted' | 'onTime' | 'share') =>
      `${kindWord(lang, x)}: ${word(lang, w)}`;
    row(
      [
        word(lang, 'month'),
        k('error', 'counted'),
        k('error', 'onTime'),
        k('error', 'share'),
        k('incident', 'counted'),
        k('incident', 'onTime'),
        k('incident', 'share'),
      ],
      tw,
      { bold: true },
    );
    for (const t of v.trend)
      row(
        [
          monthText(lang, t.month),
          String(t.errors.counted),
          String(t.errors.onTime),
          percent(lang, t.errors.share),
          String(t.incidents.counted),
          String(t.incidents.onTime),
          percent(lang, t.incidents.share),
        ],
        tw,
      );
  }

  // Breached items.
  heading(word(lang, 'breached'));
  if (v.breached.items.length === 0)
    doc.font('regular').fontSize(10).fillColor('black').text(word(lang, 'noBreached'));
  else {
    const bw = fraction([0.14, 0.4, 0.14, 0.14, 0.18]);
    row(
      [
        word(lang, 'key'),
        word(lang, 'summary'),
        word(lang, 'kind'),
        word(lang, 'class'),
        `${word(lang, 'due')} (${v.zone})`,
      ],
      bw,
      {
        bold: true,
      },
    );
    for (const i of v.breached.items.slice(0, PDF_LIST_LIMIT))
      row(
        [
          i.key,
          i.summary ?? '',
          kindWord(lang, i.kind),
          i.class === null ? '' : classWord(lang, i.class as never),
          localTime(i.due, v.zone, false),
        ],
        bw,
      );
    const more = v.breached.total - Math.min(v.breached.items.length, PDF_LIST_LIMIT);
    if (more > 0)
      doc
        .moveDown(0.3)
        .font('regular')
        .fontSize(9)
        .fillColor(GREY)
        .text(word(lang, 'andMore', { n: more }), MARGIN, doc.y);
  }

  // Page numbers.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The number sits in the bottom margin: without this pdfkit would start a new page for it.
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(GREY)
      .text(word(lang, 'page', { n: i + 1, total: range.count }), MARGIN, doc.page.height - MARGIN, {
        width,
        align: 'right',
        lineBreak: false,
      });
  }
  doc.end();
  return done;
}
