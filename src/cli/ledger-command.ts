/**
 * `reglament ledger export`: the SLA ledger of one issue (`--issue KEY-or-id`) or of a period
 * (`--from D --to D`, every issue's facts that happened then) from the service's database, as JSON Lines
 * (default) or CSV (`--format csv`) — the same text as `GET /admin/ledger` (src/app/ledger-export.ts).
 *
 * The database: `--db FILE` (a SQLite file) or `--db postgres://…`, else the service's configuration
 * (`--data-dir DIR`, `--config file.json`, REGLAMENT_DATA_DIR, REGLAMENT_DATABASE_URL; as `reglament
 * serve`). Reading only; safe while the service runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { exportFacts, formatFacts, type ExportFormat } from '../app/ledger-export';
import type { Store } from '../app/ports';
import { periodBound } from '../domain/compliance';
import { issueIdsByKeySql } from '../adapters/sql/ledger';
import type { SqlStatement } from '../adapters/sql';
import { dataDirOf, formatProblems, loadConfig } from '../server/config';
import { postgresStorage, sqliteStorage } from '../server/storage';

type Out = Pick<NodeJS.WritableStream, 'write'>;

export const LEDGER_USAGE = `reglament ledger export (--issue KEY-or-id | --from D --to D) [--format jsonl|csv] [--out FILE]
                        [--db FILE.sqlite | --db postgres://… | --data-dir DIR | --config file.json]

Exports the SLA ledger (docs/rules.md, "The ledger") from the service's database: the facts of one
issue (by its key or its stable id), or every issue's facts that happened in a period (dates
YYYY-MM-DD read in the calendar's zone, both included, or ISO instants). One fact a line as JSON Lines
(default) or CSV with a header (issue_id,fact_id,type,clock,at,recorded_at,by,source,data), the same as
GET /admin/ledger. Written to stdout, or to --out FILE. Without --db the database is the one
\`reglament serve\` uses with the same options and environment.
`;

interface Options {
  issue?: string;
  from?: string;
  to?: string;
  format: string;
  out?: string;
  db?: string;
  rest: string[];
  help: boolean;
}

const OWN = ['--issue', '--from', '--to', '--format', '--out', '--db'] as const;

function parse(args: string[]): Options {
  const o: Options = { format: 'jsonl', rest: [], help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') {
      o.help = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if ((OWN as readonly string[]).includes(name)) {
      const value = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      (o as unknown as Record<string, string>)[name.slice(2)] = value;
    } else o.rest.push(a);
  }
  return o;
}

class UsageError extends Error {}

interface Opened {
  store: Store;
  /** Runs a read statement (`?` placeholders). */
  query(s: SqlStatement): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function open(o: Options, err: Out): Promise<Opened | null> {
  let url: string | undefined;
  let file: string | undefined;
  if (o.db) {
    if (/^postgres(ql)?:\/\//.test(o.db)) url = o.db;
    else {
      file = path.resolve(o.db);
      if (!fs.existsSync(file)) throw new UsageError(`--db ${o.db}: no such file`);
    }
  } else {
    const loaded = loadConfig({ env: process.env, argv: o.rest });
    if (!loaded.ok) {
      err.write(`reglament ledger: invalid configuration\n${formatProblems(loaded.problems)}\n`);
      return null;
    }
    url = loaded.config.databaseUrl;
    if (!url) {
      file = path.join(dataDirOf(loaded.config), 'reglament.sqlite');
      if (!fs.existsSync(file))
        throw new UsageError(`${file} does not exist (give --db FILE, --data-dir DIR or --config file.json)`);
    }
  }
  if (url) {
    const s = await postgresStorage(url, () => Date.now());
    return {
      store: s.store,
      query: (q) => s.db.all(q),
      close: () => s.close(),
    };
  }
  const s = sqliteStorage(file!, 'NORMAL', () => Date.now());
  return {
    store: s.store,
    query: async (q) => s.db.prepare(q.sql).all(...q.params) as Record<string, unknown>[],
    close: () => s.close(),
  };
}

/**
 * Runs `reglament ledger …`; returns the exit code (0 done, 1 bad request, 2 usage).
 * @example await ledgerCommand(['export', '--issue', 'SUP-101', '--db', 'data/reglament.sqlite'], process.stdout, process.stderr)
 */
export async function ledgerCommand(args: string[], out: Out, err: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    (sub === undefined ? err : out).write(LEDGER_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'export') {
    err.write(`reglament ledger: unknown subcommand "${sub}" (only "export")\n${LEDGER_USAGE}`);
    return 2;
  }
  let db: Opened | null = null;
  try {
    const o = parse(rest);
    if (o.help) {
      out.write(LEDGER_USAGE);
      return 0;
    }
    if (o.format !== 'jsonl' && o.format !== 'csv')
      throw new UsageError(`--format must be jsonl or csv, got ${JSON.stringify(o.format)}`);
    if (o.issue === undefined && (o.from === undefined || o.to === undefined))
      throw new UsageError('give --issue KEY-or-id, or --from and --to (dates YYYY-MM-DD or instants)');
    if (o.issue !== undefined && (o.from !== undefined || o.to !== undefined))
      throw new UsageError('give either --issue or --from/--to, not both');
    db = await open(o, err);
    if (!db) return 2;
    const zone = (await db.store.getSettings()).calendar.zone;
    const deps = { store: db.store } as Parameters<typeof exportFacts>[0];
    let facts;
    if (o.issue !== undefined) {
      // Facts are kept by the issue's stable id; a key is looked up in the issue marks.
      facts = await exportFacts(deps, { issue: o.issue }, zone);
      if (facts.length === 0) {
        const ids = (await db.query(issueIdsByKeySql(o.issue))).map((r) => String(r.issue_id));
        for (const id of ids) facts.push(...(await exportFacts(deps, { issue: id }, zone)));
      }
      if (facts.length === 0) {
        err.write(
          `reglament ledger: no facts for the issue ${JSON.stringify(o.issue)} (neither an id nor a key)\n`,
        );
        return 1;
      }
    } else {
      for (const [flag, value, end] of [
        ['--from', o.from!, false],
        ['--to', o.to!, true],
      ] as const)
        try {
          periodBound(value, zone, end);
        } catch (e) {
          throw new UsageError(`${flag} ${JSON.stringify(value)}: ${(e as Error).message}`);
        }
      facts = await exportFacts(deps, { from: o.from, to: o.to }, zone);
    }
    const text = formatFacts(facts, o.format as ExportFormat);
    if (o.out) {
      fs.writeFileSync(o.out, text);
      err.write(`reglament ledger: ${facts.length} facts written to ${path.resolve(o.out)}\n`);
    } else out.write(text);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`reglament ledger: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await db?.close();
  }
}
