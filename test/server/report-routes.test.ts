/**
 * Issue #15: GET /api/report.csv|xlsx|pdf on the running service — the same access as the other read
 * calls, the hand-counted record set's figures in each file, the previous month by default, and a bad
 * parameter named with its value.
 */
import * as fs from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { ADMIN, manualClock, service, tempDir, type TestService } from './helpers';
import { REPORT_NOW, reportRows } from '../support/report-records';
import { pdfText } from '../support/pdf-text';

jest.setTimeout(90_000);

let svc: TestService | undefined;
let dir = '';
const clock = manualClock(REPORT_NOW);

afterEach(async () => {
  await svc?.close();
  svc = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(anonymousRead: 'on' | 'off'): Promise<TestService> {
  dir = tempDir();
  svc = await service(dir, { auth: { anonymousRead } }, { now: clock.now });
  for (const r of reportRows()) await svc.store.upsertSlaRecord({ ...r, customer: 'Acme' }); // one customer's records
  return svc;
}

async function get(s: TestService, url: string, headers: Record<string, string> = ADMIN) {
  const res = await fetch(`${s.base}${url}`, { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('report files over HTTP', () => {
  it('CSV, XLSX and PDF of April 2026 with the figures (previous month by default)', async () => {
    const s = await start('off');
    const csv = await get(s, '/api/report.csv?lang=ru&project=SUP&customer=Acme');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="reglament-report-2026-04-01_2026-04-30-ru.csv"',
    );
    expect(csv.body.toString('utf8')).toContain('Ошибки,Все классы,16,11,5,68.8,80,нет,0,1,1,0,1');

    const xlsx = await get(s, '/api/report.xlsx?from=2026-04-01&to=2026-04-30&class=high');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const sheet = strFromU8(unzipSync(new Uint8Array(xlsx.body))['xl/worksheets/sheet1.xml']!);
    expect(sheet).toMatch(/<v>10<\/v>.*<v>8<\/v>.*<v>2<\/v>.*<v>80<\/v>/s);

    const pdf = await get(s, '/api/report.pdf?from=2026-04-01&to=2026-04-30&lang=en');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdfText(pdf.body).join(' ')).toContain('High 10 8 2 80 % yes');
  });

  it('needs a signed-in viewer unless anonymous reading is on', async () => {
    const s = await start('off');
    const res = await get(s, '/api/report.pdf', {});
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body.toString()).message).toContain('the report (pdf) needs a signed-in viewer');
    await s.close();
    svc = undefined;
    const open = await start('on');
    expect((await get(open, '/api/report.csv', {})).status).toBe(200);
  });

  it.each([
    ['/api/report.csv?lang=de', 'lang must be en or ru, got "de"'],
    ['/api/report.csv?from=2026-04-01&to=2026-13-01', 'to must be a date YYYY-MM-DD, got "2026-13-01"'],
    [
      '/api/report.pdf?from=2026-04-01&to=2026-04-30&class=urgent',
      'class must be one of critical, high, medium, low, planned, got "urgent"',
    ],
    [
      '/api/report.xlsx?from=2026-04-01&from=2026-05-01&to=2026-05-31',
      'from must be given once, got 2 values',
    ],
  ])('%s → 400 %s', async (url, message) => {
    const s = await start('off');
    const res = await get(s, url);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'invalid-request', message });
  });
});
