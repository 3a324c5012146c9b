/**
 * Issue #15: the report's files — CSV, XLSX and the monthly PDF — from the hand-counted record set
 * (test/support/report-records.ts), in English and Russian. The PDF is checked by extracting its text
 * (pdfjs-dist) and by its embedded fonts.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { createApi } from '../../src/app/api';
import { reportCsv, reportXlsx } from '../../src/app/report-export';
import { reportPdf } from '../../src/app/report-pdf';
import type { ReportView } from '../../src/contract/report';
import { memoryDeps } from '../support/builders';
import { REPORT_NOW, reportRows } from '../support/report-records';
import { pdfText } from '../support/pdf-text';

jest.setTimeout(60_000);

async function view(req: Record<string, unknown> = {}): Promise<ReportView> {
  const deps = memoryDeps({ now: REPORT_NOW });
  // one customer's records: the report is that customer's, named by the settings
  const settings = await deps.store.getSettings();
  await deps.store.saveSettings({
    ...settings,
    customers: { customers: [{ id: 'romashka', name: 'ООО «Ромашка»', identities: [], contracts: [] }] },
  });
  for (const r of reportRows()) await deps.store.upsertSlaRecord({ ...r, customer: 'romashka' });
  return createApi(deps).getReport({
    from: '2026-04-01',
    to: '2026-04-30',
    customer: 'ООО «Ромашка»',
    ...req,
  });
}

describe('monthly compliance PDF', () => {
  it.each([
    [
      'en',
      [
        'Monthly SLA compliance report',
        'Customer: ООО «Ромашка»',
        'April 2026 (2026-04-01 – 2026-04-30)',
        'at least 80 % of deadlines met',
        'Errors',
        'All classes 16 11 5 68.8 % no',
        'High 10 8 2 80 % yes',
        'Medium 5 3 2 60 % no',
        'Low 1 0 1 0 % no',
        'Incidents',
        'Critical 5 4 1 80 % yes',
        '1 with an individually agreed deadline: 1 kept, 0 missed; 1 breaches waived by an administrator.',
        'Apr 2026 16 11 68.8 %',
        'SUP-40 Report sample SUP-40 Incidents Critical 2026-04-20 18:00',
        'SUP-30 Report sample SUP-30 Errors Low 2026-04-25 18:00',
        'Page 1 of',
      ],
    ],
    [
      'ru',
      [
        'Ежемесячный отчёт о соблюдении сроков SLA',
        'Заказчик: ООО «Ромашка»',
        'апрель 2026 (2026-04-01 – 2026-04-30)',
        'не менее 80 % сроков соблюдено',
        'Ошибки',
        'Все классы 16 11 5 68,8 % нет',
        'Высокий 10 8 2 80 % да',
        'Средний 5 3 2 60 % нет',
        'Низкий 1 0 1 0 % нет',
        'Инциденты',
        'Критический 5 4 1 80 % да',
        'С индивидуально согласованным сроком: 1; соблюдено: 1, нарушено: 0. Нарушений снято администратором: 1.',
        'SUP-40 Report sample SUP-40 Инциденты Критический 2026-04-20 18:00',
        'Страница 1 из',
      ],
    ],
  ] as const)(
    '%s: title, customer, period, figures per class against 80 %%, exceptions, breached',
    async (lang, lines) => {
      const pdf = await reportPdf(await view(), lang);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(pdf).join(' ');
      for (const l of lines) expect(text).toContain(l);
    },
  );

  it('embeds the DejaVu Sans subsets and no standard (unembedded) font', async () => {
    const raw = (await reportPdf(await view(), 'ru')).toString('latin1');
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans\b/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans-Bold\b/);
    expect(raw).toContain('/FontFile2');
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
  });

  it('one class, no breached items: says so', async () => {
    const text = pdfText(await reportPdf(await view({ class: 'medium' }), 'en')).join(' ');
    expect(text).toContain('Priority class: Medium');
    expect(text).toContain('Medium 5 3 2 60 % no');
    expect(text).not.toContain('All classes');
    expect(text).toMatch(/Breached items \(open past the deadline\) None\./);
  });
});

describe('CSV', () => {
  it('en: header, the figures, the trend and the breached items; BOM and CRLF', async () => {
    const csv = reportCsv(await view(), 'en');
    expect(csv.startsWith('\uFEFFSLA compliance report — ООО «Ромашка»\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toContain(
      'Kind,Class,Counted,On time,Late,"Compliance, %","Target, %",Target met,Late still allowed,Agreed deadlines,Agreed kept,Agreed missed,Waived breaches',
    );
    expect(lines).toContain('Errors,All classes,16,11,5,68.8,80,no,0,1,1,0,1');
    expect(lines).toContain('Errors,High,10,8,2,80,80,yes,0,0,0,0,1');
    expect(lines).toContain('Incidents,Critical,5,4,1,80,80,yes,0,0,0,0,0');
    expect(lines).toContain('2026-04,16,11,68.8,5,4,80');
    expect(lines).toContain('SUP-40,Report sample SUP-40,Incidents,Critical,2026-04-20 18:00,breached');
  });

  it('ru: Russian headers and words', async () => {
    const lines = reportCsv(await view(), 'ru').split('\r\n');
    expect(lines).toContain('Ошибки,Все классы,16,11,5,68.8,80,нет,0,1,1,0,1');
    expect(lines).toContain('SUP-30,Report sample SUP-30,Ошибки,Низкий,2026-04-25 18:00,просрочено');
  });

  it('a summary that a spreadsheet would run as a formula is quoted as text', async () => {
    const v = await view();
    v.breached.items[0]!.summary = '=HYPERLINK("http://x","y")';
    expect(reportCsv(v, 'en')).toContain(`"'=HYPERLINK(""http://x"",""y"")"`);
  });
});

describe('XLSX', () => {
  it.each(['en', 'ru'] as const)(
    '%s: three sheets with the figures, trend and breached items',
    async (lang) => {
      const files = unzipSync(new Uint8Array(await reportXlsx(await view(), lang)));
      const workbook = strFromU8(files['xl/workbook.xml']!);
      const names =
        lang === 'en' ? ['Figures', 'Trend', 'Breached'] : ['Показатели', 'Динамика', 'Просрочено'];
      for (const n of names) expect(workbook).toContain(`name="${n}"`);
      const all = Object.entries(files)
        .filter(([f]) => f.endsWith('.xml'))
        .map(([, d]) => strFromU8(d))
        .join('\n');
      expect(all).toContain(lang === 'en' ? 'All classes' : 'Все классы');
      expect(all).toContain('SUP-40');
      // 68.8 % as a number cell in the figures sheet.
      expect(strFromU8(files['xl/worksheets/sheet1.xml']!)).toMatch(/<v>68\.8<\/v>/);
    },
  );
});
