/**
 * `reglament rebuild-aggregates [--data-dir DIR | --config file.json]` (issue #14): recomputes the
 * compliance buckets (src/domain/aggregates.ts) from the SLA records of the service's database —
 * SQLite or PostgreSQL, by the same configuration as `reglament serve` — in one transaction. Safe
 * while the service runs: record writes wait for it and then apply on top. The service rebuilds by
 * itself when the buckets are missing (a database upgraded to schema 4) or in another calendar zone.
 */
import * as path from 'node:path';
import { dataDirOf, formatProblems, loadConfig } from './config';
import { postgresStorage, sqliteStorage, type Storage } from './storage';

type Out = Pick<NodeJS.WritableStream, 'write'>;

export async function rebuildAggregatesCommand(
  args: string[],
  out: Out = process.stdout,
  err: Out = process.stderr,
): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    out.write(
      'reglament rebuild-aggregates [--data-dir DIR | --config file.json]\n' +
        "Recomputes the dashboard's compliance aggregates from the SLA records (SQLite or PostgreSQL).\n",
    );
    return 0;
  }
  const loaded = loadConfig({ env: process.env, argv: args });
  if (!loaded.ok) {
    err.write(`reglament rebuild-aggregates: invalid configuration\n${formatProblems(loaded.problems)}\n`);
    return 2;
  }
  const config = loaded.config;
  const started = Date.now();
  let storage: Storage;
  try {
    storage = config.databaseUrl
      ? await postgresStorage(config.databaseUrl, Date.now)
      : sqliteStorage(path.join(dataDirOf(config), 'reglament.sqlite'), config.sqliteSync, Date.now);
  } catch (e) {
    err.write(`reglament rebuild-aggregates: cannot open the database: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const n = await storage.store.rebuildAggregates!();
    const zone = (await storage.store.getSettings()).calendar.zone;
    out.write(
      `compliance aggregates rebuilt (${storage.kind}): ${n} buckets in zone ${zone}, ${Date.now() - started} ms\n`,
    );
    return 0;
  } finally {
    await storage.close();
  }
}
