/** In-memory Store: settings and SLA records in maps, for tests and the UI's browser tests. */
import { defaultSettings } from '../../app/settings';
import type { RecordFilter, Settings, SlaRecordRow, Store } from '../../app/ports';

export class MemoryStore implements Store {
  settings: Settings;
  readonly records = new Map<string, SlaRecordRow>();
  readonly calls = { upsert: 0, delete: 0, saveSettings: 0 };

  constructor(settings: Settings = defaultSettings()) {
    this.settings = structuredClone(settings);
  }

  async getSettings(): Promise<Settings> {
    return structuredClone(this.settings);
  }

  async saveSettings(settings: Settings): Promise<void> {
    this.calls.saveSettings += 1;
    this.settings = structuredClone(settings);
  }

  async upsertSlaRecord(row: SlaRecordRow): Promise<void> {
    this.calls.upsert += 1;
    this.records.set(row.key, { ...row });
  }

  async deleteSlaRecord(key: string): Promise<void> {
    this.calls.delete += 1;
    this.records.delete(key);
  }

  async getSlaRecord(key: string): Promise<SlaRecordRow | null> {
    const r = this.records.get(key);
    return r ? { ...r } : null;
  }

  async listSlaRecords(filter: RecordFilter): Promise<SlaRecordRow[]> {
    return [...this.records.values()]
      .filter((r) => !filter.projects || filter.projects.length === 0 || filter.projects.includes(r.project))
      .filter((r) => !filter.kind || r.kind === filter.kind)
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((r) => ({ ...r }));
  }
}
