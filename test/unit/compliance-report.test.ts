/** `reglament report` (src/cli/report-command.ts): the compliance table for a person. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { reportCommand } from '../../src/cli/report-command';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

const LINES = [
  // Errors: critical 2 of 2 on time; high 8 of 10 on time (exactly 80 %); one planned (undated).
  ...Array.from({ length: 2 }, (_, i) =>
    JSON.stringify({
      key: `C-${i}`,
      kind: 'error',
      class: 'critical',
      due: '2026-03-17T18:00:00+03:00',
      doneAt: '2026-03-16T12:00:00+03:00',
    }),
  ),
  ...Array.from({ length: 8 }, (_, i) =>
    JSON.stringify({
      key: `H-${i}`,
      kind: 'error',
      class: 'high',
      due: '2026-03-24T18:00:00+03:00',
      doneAt: '2026-03-23T12:00:00+03:00',
    }),
  ),
  'not json',
  ...Array.from({ length: 2 }, (_, i) =>
    JSON.stringify({
      key: `HL-${i}`,
      kind: 'error',
      class: 'high',
      due: '2026-03-24T18:00:00+03:00',
      doneAt: '2026-03-26T12:00:00+03:00',
    }),
  ),
  JSON.stringify({ key: 'P-1', kind: 'error', class: 'planned', due: null, doneAt: null }),
  JSON.stringify({ key: 'BAD', kind: 'error', class: 'high', due: '2026-03-24T18:00' }),
  '',
  JSON.stringify({
    key: 'I-1',
    kind: 'incident',
    class: 'critical',
    due: '2026-03-10T16:30:00+03:00',
    doneAt: '2026-03-10T10:00:00+03:00',
  }),
];

describe('reglament report', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'reglament-report-'));
    file = join(dir, 'records.jsonl');
    writeFileSync(file, LINES.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (...args: string[]) => {
    const out = new Sink();
    const err = new Sink();
    const code = await reportCommand(args, out, err);
    return { code, out: out.text, err: err.text };
  };
  const base = ['--from', '2026-01-01', '--to', '2026-12-31', '--now', '2026-04-01T12:00:00+03:00'];

  it('prints the table, reports bad lines by number and goes on (exit 1)', async () => {
    const r = await run('--input', file, ...base);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      expect.stringMatching(/^line 11: not valid JSON: /),
      'line 15: due: instant must be ISO 8601 with an offset, e.g. 2026-03-06T16:30:00+03:00, got "2026-03-24T18:00"',
      '',
    ]);
    const rows = r.out.split('\n');
    expect(rows[0]).toBe(
      'Compliance 2026-01-01 … 2026-12-31 (at 2026-04-01 12:00 Europe/Moscow; target 80 %)',
    );
    expect(rows[1]).toBe('14 record(s) read, 2 line(s) skipped');
    const cells = (name: string, from: number) =>
      rows
        .slice(from)
        .find((l) => l.startsWith(name))
        ?.trim()
        .split(/\s{2,}/);
    expect(cells('Critical', 0)).toEqual(['Critical', '2', '2', '0', '100.0 %', '80 %', 'yes', '0']);
    expect(cells('High', 0)).toEqual(['High', '10', '8', '2', '80.0 %', '80 %', 'yes', '0']);
    // 10 on time of 12: 83.3 %; one more late: 10/13 = 76.9 % → can absorb 0.
    expect(cells('Overall', 0)).toEqual(['Overall', '12', '10', '2', '83.3 %', '80 %', 'yes', '0']);
    expect(r.out).toContain('Without a dated deadline (left out): 1');
    const incidents = rows.indexOf('Incidents (reaction time)');
    // 1 of 1: one late more would give 50 %, so nothing to absorb.
    expect(cells('Overall', incidents)).toEqual(['Overall', '1', '1', '0', '100.0 %', '80 %', 'yes', '0']);
  });

  it('in Russian', async () => {
    const r = await run('--input', file, ...base, '--lang', 'ru');
    expect(r.out).toContain('Ошибки (сроки исправления)');
    expect(r.out).toMatch(/Высокий\s+10\s+8\s+2\s+80,0 %\s+80 %\s+да\s+0/);
    expect(r.out).toMatch(/Итого\s+12\s+10\s+2\s+83,3 %/);
  });

  it('--json gives the two summaries', async () => {
    const r = await run('--input', file, ...base, '--json');
    const j = JSON.parse(r.out) as {
      errors: { overall: unknown; undated: number };
      incidents: { overall: unknown };
    };
    expect(j.errors.overall).toEqual({
      counted: 12,
      onTime: 10,
      late: 2,
      share: 10 / 12,
      meetsTarget: true,
      budget: 0,
      agreed: 0,
      agreedKept: 0,
      agreedMissed: 0,
      waived: 0,
    });
    expect(j.errors.undated).toBe(1);
  });

  it('a period that excludes the records, and bad arguments', async () => {
    expect(
      (
        await run(
          '--input',
          file,
          '--from',
          '2026-04-01',
          '--to',
          '2026-04-30',
          '--now',
          '2026-05-01T00:00:00Z',
          '--json',
        )
      ).out,
    ).toContain('"counted":0');
    const bad = await run('--input', file, '--from', '2026-31-01', '--to', '2026-12-31', '--lang', 'de');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--from must be a date YYYY-MM-DD');
    expect(bad.err).toContain('--lang must be ru or en');
    expect((await run('--from', '2026-01-01', '--to', '2026-12-31')).err).toContain('--input is required');
    expect((await run('--input', join(dir, 'missing.jsonl'), ...base)).code).toBe(2);
  });
});
