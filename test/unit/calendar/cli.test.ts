import { PassThrough } from 'node:stream';
import { calendarCommand } from '../../../src/cli/calendar-command';
import { OpError } from '../../../src/cli/errors';
import { runOp } from '../../../src/cli/ops/registry';
import '../../../src/cli/ops/calendar-ops';

function run(args: string[]): { code: number; text: string } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const code = calendarCommand(args, out);
  return { code, text: Buffer.concat(chunks).toString('utf8') };
}

function opError(op: string, input: Record<string, unknown>): OpError {
  try {
    runOp(op, input);
  } catch (e) {
    if (e instanceof OpError) return e;
    throw e;
  }
  throw new Error(`${op} did not fail`);
}

describe('calendar ops', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'add-working-time',
      { start: '2026-03-06T16:30:00+03:00', minutes: 480 },
      { end: '2026-03-10T16:30:00+03:00' },
    ],
    [
      'add-working-time',
      { start: '2026-03-06T13:30:00Z', minutes: 90 },
      { end: '2026-03-06T18:00:00+03:00' },
    ],
    [
      'working-time-between',
      { from: '2026-03-06T16:30:00+03:00', to: '2026-03-10T16:30:00+03:00' },
      { minutes: 480 },
    ],
    [
      'add-working-days',
      { start: '2026-03-06T16:30:00+03:00', days: 5 },
      { end: '2026-03-16T18:00:00+03:00' },
    ],
    ['add-months', { start: '2025-10-31T12:00:00+03:00', months: 4 }, { end: '2026-03-02T18:00:00+03:00' }],
    ['month-norm', { year: 2026, month: 4 }, { workingDays: 22, hours: 175 }],
    [
      'add-working-time',
      {
        start: '2026-03-28T17:00:00+01:00',
        minutes: 120,
        calendar: { zone: 'Europe/Berlin', production: 'none' },
      },
      { end: '2026-03-30T11:00:00+02:00' },
    ],
    [
      'add-working-time',
      {
        start: '2026-03-06T16:30:00+03:00',
        minutes: 480,
        calendar: { overrides: [{ date: '2026-03-09', kind: 'working-day' }] },
      },
      { end: '2026-03-09T16:30:00+03:00' },
    ],
  ])('%s %j', (op, input, expected) => {
    expect(runOp(op, input)).toEqual(expected);
  });

  it('adds warnings for unconfirmed years', () => {
    expect(runOp('add-working-time', { start: '2026-12-30T17:00:00+03:00', minutes: 120 })).toEqual({
      end: '2027-01-11T10:00:00+03:00',
      warnings: [expect.objectContaining({ code: 'year-secondary-source', year: 2027 })],
    });
    expect(runOp('month-norm', { year: 2030, month: 2 })).toEqual({
      workingDays: 19,
      hours: 151,
      warnings: [expect.objectContaining({ code: 'year-not-confirmed', year: 2030 })],
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['add-working-time', { minutes: 60 }, 'missing-field', /"start" is required/],
    ['add-working-time', { start: '2026-03-06T16:30:00', minutes: 60 }, 'invalid-field', /offset/],
    ['add-working-time', { start: '2026-03-06T16:30:00+03:00', minutes: 1.5 }, 'invalid-field', /integer/],
    [
      'add-working-time',
      { start: '2026-03-06T16:30:00+03:00', minutes: -5 },
      'invalid-field',
      /non-negative/,
    ],
    [
      'add-working-time',
      { start: '2040-03-06T16:30:00+03:00', minutes: 60 },
      'out-of-range',
      /outside the compiled calendar/,
    ],
    ['add-working-days', { start: '2026-03-06T16:30:00+03:00', days: 'five' }, 'invalid-field', /"days"/],
    ['month-norm', { year: 2026, month: 13 }, 'invalid-field', /month 1–12/],
    ['working-time-between', { from: '2026-03-06T16:30:00+03:00', to: 'soon' }, 'invalid-field', /"to"/],
    [
      'add-months',
      { start: '2026-03-06T16:30:00+03:00', months: 1, calendar: { zone: 'Mars/Olympus' } },
      'invalid-calendar',
      /zone/,
    ],
  ])('%s %j fails with %s', (op, input, code, message) => {
    const e = opError(op, input);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });
});

describe('reglament calendar <year>', () => {
  it('prints the 2026 monthly norms', () => {
    const { code, text } = run(['2026']);
    expect(code).toBe(0);
    expect(text).toContain('Production calendar of Russia, 2026 (official)');
    expect(text).toContain('№ 1466');
    expect(text).toMatch(/January\s+15\s+16\s+120\n/);
    expect(text).toMatch(/April\s+22\s+8\s+175\n/);
    expect(text).toMatch(/Year\s+247\s+118\s+1972\n/);
    expect(text).toContain('Shortened days: 2026-04-30, 2026-05-08, 2026-06-11, 2026-11-03');
    expect(text).not.toContain('Warning');
  });

  it('marks 2027 and statutory years', () => {
    expect(run(['2027']).text).toMatch(/Warning: The 2027 production calendar comes from secondary sources/);
    const y2031 = run(['2031']).text;
    expect(y2031).toContain('(statutory-rule)');
    expect(y2031).toMatch(/Warning: The 2031 production calendar is not confirmed by decree/);
  });

  it('--json gives the same figures', () => {
    const { code, text } = run(['2025', '--json']);
    expect(code).toBe(0);
    const json = JSON.parse(text) as { total: unknown; months: { hours: number }[]; status: string };
    expect(json.status).toBe('official');
    expect(json.total).toEqual({ workingDays: 247, daysOff: 118, hours: 1972 });
    expect(json.months.map((m) => m.hours)).toEqual([
      136, 160, 167, 175, 144, 151, 184, 168, 176, 184, 151, 176,
    ]);
  });

  it.each([[[]], [['26']], [['2026', '2027']], [['--bogus']], [['1800']]])('usage error for %j', (args) => {
    const { code, text } = run(args);
    expect(code).toBe(2);
    expect(text).toContain('usage: reglament calendar <year>');
  });
});
