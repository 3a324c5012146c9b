/**
 * Session 20 (issue #14): the ingest thread's store asks, before each batch, whether the main thread's
 * connection saved new settings (`refreshSettings`). It read the settings document every time; now it
 * reads it only when another connection committed something since its last look (`PRAGMA
 * data_version`), and a save on the other connection is still seen at the next batch.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDatabase, SqliteStore, type SqliteDb } from '../../src/adapters/store-sqlite';
import { tempDir } from './helpers';

describe('SqliteStore.refreshSettings: another connection’s saved settings, read only after its commits', () => {
  let dir: string;
  let mainDb: SqliteDb;
  let threadDb: SqliteDb;
  let main: SqliteStore;
  let thread: SqliteStore;
  let docReads: number;

  beforeEach(() => {
    dir = tempDir('reglament-refresh-');
    const file = path.join(dir, 'reglament.sqlite');
    mainDb = openDatabase({ file });
    threadDb = openDatabase({ file, second: true });
    main = new SqliteStore(mainDb, () => 1);
    thread = new SqliteStore(threadDb, () => 1);
    // Counts the reads of the settings document on the thread's connection.
    docReads = 0;
    const prepare = threadDb.prepare.bind(threadDb);
    threadDb.prepare = ((sql: string) => {
      const st = prepare(sql);
      if (!/FROM reglament_settings/.test(sql)) return st;
      const get = st.get.bind(st);
      st.get = ((...params: unknown[]) => {
        docReads += 1;
        return get(...params);
      }) as typeof st.get;
      return st;
    }) as typeof threadDb.prepare;
  });
  afterEach(() => {
    threadDb.close();
    mainDb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sees a save of the other connection at its next look, and reads nothing while none came', async () => {
    const before = thread.getSettingsSync();
    expect(thread.refreshSettings()).toBe(false); // first look: the document read once, unchanged
    const reads = docReads;
    for (let i = 0; i < 5; i++) expect(thread.refreshSettings()).toBe(false);
    expect(docReads).toBe(reads); // nothing committed elsewhere: no read

    // The thread's own writes do not count as another connection's.
    threadDb.exec('CREATE TABLE t (n INTEGER)');
    threadDb.prepare('INSERT INTO t VALUES (1)').run();
    expect(thread.refreshSettings()).toBe(false);
    expect(docReads).toBe(reads);

    await main.saveSettings({ ...before, webhookSecret: 'changed-on-the-main-thread-0123456789' });
    const version = thread.settingsVersion;
    expect(thread.refreshSettings()).toBe(true);
    expect(thread.settingsVersion).toBe(version + 1);
    expect(thread.getSettingsSync().webhookSecret).toBe('changed-on-the-main-thread-0123456789');

    // Another commit of the main connection that is not a settings save: read, found unchanged.
    mainDb.exec('CREATE TABLE u (n INTEGER)');
    const reads2 = docReads;
    expect(thread.refreshSettings()).toBe(false);
    expect(docReads).toBeGreaterThan(reads2);
    expect(thread.settingsVersion).toBe(version + 1);
  });
});
