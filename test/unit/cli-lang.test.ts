/**
 * Issue #15, the CLI: `--lang ru` everywhere (priority's breakdown, calendar), `--version`, clear
 * messages for unknown flags (not Node's parser text), local time with the zone in `report`, the
 * shipped sample records (examples/records.jsonl, the README's example) and `report --pdf`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { parseFlags, UsageError } from '../../src/cli/args';
import { calendarCommand } from '../../src/cli/calendar-command';
import { version } from '../../src/cli/main';
import { priorityCommand, ruHours } from '../../src/cli/priority-command';
import { reportCommand } from '../../src/cli/report-command';
import { pdfText } from '../support/pdf-text';

jest.setTimeout(60_000);

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

const ROOT = path.join(__dirname, '..', '..');
const SAMPLE = path.join(ROOT, 'examples', 'records.jsonl');

function priority(...args: string[]) {
  const out = new Sink();
  const err = new Sink();
  const code = priorityCommand(args, out, err);
  return { code, out: out.text, err: err.text };
}

async function report(...args: string[]) {
  const out = new Sink();
  const err = new Sink();
  const code = await reportCommand(args, out, err);
  return { code, out: out.text, err: err.text };
}

describe('priority --lang ru', () => {
  it('translates the headline, the reaction time and every breakdown line', () => {
    const r = priority(
      'incident',
      '--impact',
      'high',
      '--urgency',
      'high',
      '--mode',
      'implementation',
      '--nature',
      'question',
      '--lang',
      'ru',
    );
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'Приоритет инцидента: 2 – Низкий',
      'Время реакции: 40 рабочих часов',
      '  базовое значение: срочность «Высокая» × воздействие «Высокая» = 5',
      '  режим внедрения −1 = 4',
      '  вопрос −2 = 2',
      '',
    ]);
    expect(r.out).not.toMatch(/[a-z]{3,}/);
  });

  it('error: score, class, workaround and override in Russian', () => {
    const r = priority(
      'error',
      '--impact',
      'high',
      '--urgency',
      'medium',
      '--mode',
      'operation',
      '--workaround',
      'none',
      '--override',
      '9',
      '--reason',
      'договорённость',
      '--lang',
      'ru',
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('Приоритет ошибки: 9');
    expect(r.out).toContain('задано вручную: 9 (расчётное значение');
    expect(r.out).toContain('причина: договорённость');
    expect(r.out).not.toMatch(/\b(base|urgency|impact|set manually|workaround)\b/);
  });

  it('a wrong --lang is refused', () => {
    expect(priority('incident', '--lang', 'de').err).toBe('--lang must be ru or en, got "de"\n');
  });

  it.each([
    [1, 'рабочий час'],
    [2, 'рабочих часа'],
    [8, 'рабочих часов'],
    [11, 'рабочих часов'],
    [24, 'рабочих часа'],
    [40, 'рабочих часов'],
  ])('%i %s', (n, text) => expect(ruHours(n)).toBe(text));
});

describe('calendar --lang ru', () => {
  it('prints the 2026 norms in Russian', () => {
    const out = new Sink();
    expect(calendarCommand(['2026', '--lang', 'ru'], out)).toBe(0);
    expect(out.text).toContain('Производственный календарь России, 2026 (официальный)');
    expect(out.text).toMatch(/Январь\s+15\s+16\s+120\n/);
    expect(out.text).toMatch(/Год\s+247\s+118\s+1972\n/);
    expect(out.text).toContain('Сокращённые дни: 2026-04-30, 2026-05-08, 2026-06-11, 2026-11-03');
  });

  it('a statutory year warns in Russian', () => {
    const out = new Sink();
    calendarCommand(['2031', '--lang', 'ru'], out);
    expect(out.text).toContain('Внимание: календарь этого года не подтверждён постановлением');
  });
});

describe('clear messages for unknown flags', () => {
  it.each([
    [['--form', 'x'], 'unknown flag --form (known: --from, --json)'],
    [['--from'], '--from needs a value, e.g. --from VALUE'],
    [['--json=yes'], '--json takes no value, got "yes"'],
    [['extra'], 'unexpected argument "extra" (flags: --from, --json)'],
  ])('%j → %s', (args, message) => {
    const f = () => parseFlags(args, { from: { type: 'string' }, json: { type: 'boolean' } });
    expect(f).toThrow(UsageError);
    expect(f).toThrow(message);
  });

  it('report and calendar say it in their own words, with the usage', async () => {
    const r = await report('--inptu', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^unknown flag --inptu \(known: --input, --from/);
    expect(r.err).not.toContain('ERR_PARSE_ARGS');
    expect(r.err).not.toContain('Unknown option');
    const out = new Sink();
    expect(calendarCommand(['2026', '--lnag', 'ru'], out)).toBe(2);
    expect(out.text).toMatch(/^unknown flag --lnag \(known: --json, --lang, --help\)/);
  });
});

describe('--version', () => {
  it('is the package.json version', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version()).toBe(pkg.version);
  });

  it('the binary prints it (dist built)', () => {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) return;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'reglament.js'), '--version'], {
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^reglament \d+\.\d+\.\d+\n$/);
  });
});

describe('report: the shipped sample, local time with the zone, --pdf', () => {
  it('examples/records.jsonl is in the package files and gives the README figures', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('examples/');
    const r = await report(
      '--input',
      SAMPLE,
      '--from',
      '2026-04-01',
      '--to',
      '2026-04-30',
      '--now',
      '2026-05-10T09:00:00Z',
    );
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(
      'Compliance 2026-04-01 … 2026-04-30 (at 2026-05-10 12:00 Europe/Moscow; target 80 %)',
    );
    expect(r.out).toMatch(/High\s+10\s+8\s+2\s+80\.0 %/);
    expect(r.out).toMatch(/Overall\s+16\s+11\s+5\s+68\.8 %/);
    expect(r.out).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}Z/);
  });

  it('--zone changes the printed time', async () => {
    const r = await report(
      '--input',
      SAMPLE,
      '--from',
      '2026-04-01',
      '--to',
      '2026-04-30',
      '--now',
      '2026-05-10T09:00:00Z',
      '--zone',
      'Asia/Vladivostok',
    );
    expect(r.out.split('\n')[0]).toContain('at 2026-05-10 19:00 Asia/Vladivostok');
  });

  it('--pdf writes the monthly PDF in Russian with the figures', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-cli-pdf-')), 'r.pdf');
    const r = await report(
      '--input',
      SAMPLE,
      '--from',
      '2026-04-01',
      '--to',
      '2026-04-30',
      '--now',
      '2026-05-10T12:00:00+03:00',
      '--lang',
      'ru',
      '--pdf',
      file,
      '--customer',
      'ООО «Ромашка»',
    );
    expect(r.code).toBe(0);
    expect(r.err).toBe(`PDF записан: ${file}\n`);
    const text = pdfText(fs.readFileSync(file)).join(' ');
    expect(text).toContain('Заказчик: ООО «Ромашка»');
    expect(text).toContain('Все классы 16 11 5 68,8 % нет');
    expect(text).toContain('Высокий 10 8 2 80 % да');
    expect(text).toContain('SUP-40');
  });
});
