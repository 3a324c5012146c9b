/**
 * `reglament ledger export` (src/cli/ledger-command.ts): the ledger of an issue (by key or id) or of a
 * period from the service's database, JSON Lines or CSV, the same text as GET /admin/ledger — on the
 * SQLite file and on PostgreSQL. SPEC §8 example 1: critical incident registered Fri 2026-03-06 16:30
 * MSK, reaction due Tue 2026-03-10 16:30, breached at 17:00.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ledgerCommand } from '../../src/cli/ledger-command';
import { ADMIN, example1, service, signedGeneric, tempDir, type TestService } from './helpers';
import { postgresAvailable, startPostgres, type Postgres } from './postgres';

const NOW = Date.parse('2026-03-10T17:00:00+03:00');

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await ledgerCommand(
    args,
    { write: (t: string) => ((out += t), true) } as never,
    { write: (t: string) => ((err += t), true) } as never,
  );
  return { code, out, err };
}

/** Two issues: SUP-101 (id = key) and SUP-7 whose stable id is 10007; the HTTP exports, read before closing. */
async function fill(svc: TestService) {
  expect((await svc.inject(signedGeneric(example1({ summary: 'a "quoted", summary' })))).statusCode).toBe(
    200,
  );
  expect((await svc.inject(signedGeneric(example1({ key: 'SUP-7', id: '10007' })))).statusCode).toBe(200);
  await svc.worker.drain();
  const get = async (q: string) => {
    const res = await svc.inject({ url: `/admin/ledger?${q}`, headers: ADMIN });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  return {
    issue: await get('issue=SUP-101'),
    byId: await get('issue=10007'),
    periodCsv: await get('from=2026-03-01&to=2026-03-31&format=csv'),
  };
}

describe('reglament ledger export (SQLite)', () => {
  let dir: string;
  let http: Awaited<ReturnType<typeof fill>>;
  beforeAll(async () => {
    dir = tempDir();
    const svc = await service(dir, {}, { now: () => NOW });
    http = await fill(svc);
    await svc.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exports an issue as JSON Lines, the same as GET /admin/ledger', async () => {
    const r = await run(['export', '--issue', 'SUP-101', '--data-dir', dir]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(http.issue);
    expect(
      r.out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { type: string }).type),
    ).toEqual(['registered', 'priority', 'deadline', 'breached']);
    const breach = JSON.parse(r.out.trim().split('\n')[3]!) as { at: string; data: { priority: number } };
    expect(breach).toMatchObject({ at: '2026-03-10T16:30:00+03:00', data: { priority: 5 } });
  });

  it('finds an issue by its key when the facts are kept under its stable id', async () => {
    const byKey = await run(['export', '--issue', 'SUP-7', '--db', path.join(dir, 'reglament.sqlite')]);
    expect(byKey.code).toBe(0);
    expect(byKey.out).toBe(http.byId);
    expect(byKey.out.trim().split('\n')).toHaveLength(4);
    expect((await run(['export', '--issue', '10007', '--data-dir', dir])).out).toBe(http.byId);
  });

  it('exports a period as CSV (--format csv), to stdout or --out', async () => {
    const r = await run([
      'export',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-31',
      '--format',
      'csv',
      '--data-dir',
      dir,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(http.periodCsv);
    const lines = r.out.trimEnd().split('\r\n');
    expect(lines[0]).toBe('issue_id,fact_id,type,clock,at,recorded_at,by,source,data');
    expect(lines).toHaveLength(1 + 8);
    const file = path.join(dir, 'out.csv');
    const w = await run([
      'export',
      '--from=2026-03-01',
      '--to=2026-03-31',
      '--format=csv',
      `--out=${file}`,
      '--data-dir',
      dir,
    ]);
    expect(w).toMatchObject({ code: 0, out: '' });
    expect(w.err).toContain('8 facts written to');
    expect(fs.readFileSync(file, 'utf8')).toBe(http.periodCsv);
    // A period with nothing in it: the header only.
    const empty = await run([
      'export',
      '--from',
      '2026-04-01',
      '--to',
      '2026-04-30',
      '--format',
      'csv',
      '--data-dir',
      dir,
    ]);
    expect(empty.out).toBe('issue_id,fact_id,type,clock,at,recorded_at,by,source,data\r\n');
  });

  it('refuses bad requests with a message naming the option and value', async () => {
    const cases: [string[], number, string][] = [
      [['export', '--data-dir', dir], 2, 'give --issue KEY-or-id, or --from and --to'],
      [
        ['export', '--issue', 'SUP-101', '--format', 'xml', '--data-dir', dir],
        2,
        '--format must be jsonl or csv, got "xml"',
      ],
      [['export', '--from', '2026-13-01', '--to', '2026-03-31', '--data-dir', dir], 2, '--from "2026-13-01"'],
      [['export', '--from', '2026-03-01', '--to', 'soon', '--data-dir', dir], 2, '--to "soon"'],
      [
        ['export', '--issue', 'SUP-101', '--from', '2026-03-01', '--to', '2026-03-31', '--data-dir', dir],
        2,
        'not both',
      ],
      [['export', '--issue', 'NOPE-1', '--data-dir', dir], 1, 'no facts for the issue "NOPE-1"'],
      [
        ['export', '--issue', 'SUP-101', '--db', path.join(dir, 'missing.sqlite')],
        2,
        'missing.sqlite: no such file',
      ],
      [['import'], 2, 'unknown subcommand "import"'],
    ];
    for (const [args, code, message] of cases) {
      const r = await run(args);
      expect({ args, code: r.code, out: r.out }).toEqual({ args, code, out: '' });
      expect(r.err).toContain(message);
    }
    const help = await run(['export', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('reglament ledger export (--issue KEY-or-id | --from D --to D)');
  });
});

const pgOk = postgresAvailable();
(pgOk ? describe : describe.skip)('reglament ledger export (PostgreSQL, --db postgres://…)', () => {
  let pg: Postgres;
  let dir: string;
  let url: string;
  let http: Awaited<ReturnType<typeof fill>>;
  beforeAll(async () => {
    pg = (await startPostgres())!;
    url = await pg.database('reglament_cli');
    dir = tempDir();
    const svc = await service(dir, { databaseUrl: url }, { now: () => NOW });
    http = await fill(svc);
    await svc.close();
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('exports an issue by key and a period as CSV, the same as GET /admin/ledger', async () => {
    const byKey = await run(['export', '--issue', 'SUP-7', '--db', url]);
    expect(byKey).toMatchObject({ code: 0, err: '' });
    expect(byKey.out).toBe(http.byId);
    const csv = await run([
      'export',
      '--from',
      '2026-03-01',
      '--to',
      '2026-03-31',
      '--format',
      'csv',
      '--db',
      url,
    ]);
    expect(csv.out).toBe(http.periodCsv);
    expect(csv.out.trimEnd().split('\r\n')).toHaveLength(9);
  }, 30_000);
});
