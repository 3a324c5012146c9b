/** SqlRunner and KVS on the real Forge packages. */
import { kvs } from '@forge/kvs';
import { migrationRunner, sql } from '@forge/sql';
import type { UpdateQueryResponse } from '@forge/sql';
import type { KvsLike, SqlRunner } from './store';

export const forgeSql: SqlRunner = {
  async query(query, params) {
    const result = await sql
      .prepare<Record<string, unknown>>(query)
      .bindParams(...params)
      .execute();
    return Array.isArray(result.rows) ? (result.rows as Record<string, unknown>[]) : [];
  },
  async execute(query, params) {
    // A data-changing statement answers with an UpdateQueryResponse ({ affectedRows, … }) as `rows`.
    const result = await sql
      .prepare<UpdateQueryResponse>(query)
      .bindParams(...params)
      .execute();
    const rows = result.rows as unknown as { affectedRows?: unknown } | null;
    return { affectedRows: typeof rows?.affectedRows === 'number' ? rows.affectedRows : 0 };
  },
  async migrate(migrations) {
    let runner = migrationRunner;
    for (const m of migrations) runner = runner.enqueue(m.name, m.sql);
    await runner.run();
  },
};

export const forgeKvs: KvsLike = {
  get: (key) => kvs.get(key),
  set: (key, value) => kvs.set(key, value as never),
  delete: (key) => kvs.delete(key),
  getSecret: (key) => kvs.getSecret(key),
  setSecret: (key, value) => kvs.setSecret(key, value as never),
};
