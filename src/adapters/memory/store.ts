/**
 * In-memory Store: settings, SLA records and escalation notices in maps, for tests and the UI's browser
 * tests. A notice claim is atomic like the SQL stores' insert-if-absent.
 */
import { defaultSettings } from '../../app/settings';
import type {
  DueRecordsQuery,
  IssueMark,
  RecordFilter,
  Settings,
  SlaRecordRow,
  Store,
} from '../../app/ports';
import type { Fact } from '../../domain/ledger';

/** A copy of a fact as a store would give it back (its data is plain JSON). */
const copyFact = (f: Fact): Fact => JSON.parse(JSON.stringify(f)) as Fact;

export class MemoryStore implements Store {
  settings: Settings;
  readonly records = new Map<string, SlaRecordRow>();
  readonly calls = { upsert: 0, delete: 0, saveSettings: 0, due: 0 };
  /** Notices sent per issue (escalation): issue key → notice ids. */
  readonly notices = new Map<string, Set<string>>();
  readonly noticeCalls = { list: 0, claim: 0, release: 0 };
  /** The SLA ledger: fact id → fact (append-only), and the marks per issue id. */
  readonly facts = new Map<string, Fact>();
  readonly marks = new Map<string, IssueMark>();

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
      .filter((r) => !filter.customer || r.customer === filter.customer)
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((r) => ({ ...r }));
  }

  /** Records due for the sweep: `nextChangeMs` at or before `untilMs` (absent counts as due). */
  async listDueSlaRecords(query: DueRecordsQuery): Promise<SlaRecordRow[]> {
    this.calls.due += 1;
    return [...this.records.values()]
      .filter((r) => r.nextChangeMs !== null && (r.nextChangeMs ?? 0) <= query.untilMs)
      .filter((r) => query.afterKey === null || r.key > query.afterKey)
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, query.limit)
      .map((r) => ({ ...r }));
  }

  async listNotices(issueKey: string): Promise<string[]> {
    this.noticeCalls.list += 1;
    return [...(this.notices.get(issueKey) ?? [])].sort();
  }

  async claimNotice(issueKey: string, notice: string): Promise<boolean> {
    this.noticeCalls.claim += 1;
    await Promise.resolve(); // let a concurrent caller interleave, as a real store would
    const set = this.notices.get(issueKey) ?? new Set<string>();
    this.notices.set(issueKey, set);
    if (set.has(notice)) return false;
    set.add(notice);
    return true;
  }

  async releaseNotice(issueKey: string, notice: string): Promise<void> {
    this.noticeCalls.release += 1;
    this.notices.get(issueKey)?.delete(notice);
  }

  private readonly factsByIssue = new Map<string, Fact[]>();

  async appendFacts(facts: readonly Fact[]): Promise<number> {
    let n = 0;
    for (const f of facts)
      if (!this.facts.has(f.id)) {
        const copy = copyFact(f);
        this.facts.set(f.id, copy);
        const list = this.factsByIssue.get(f.issueId) ?? [];
        list.push(copy);
        this.factsByIssue.set(f.issueId, list);
        n++;
      }
    return n;
  }

  async listFacts(issueId: string): Promise<Fact[]> {
    return (this.factsByIssue.get(issueId) ?? []).map(copyFact);
  }

  async listFactsBetween(fromMs: number, toMs: number): Promise<Fact[]> {
    return [...this.facts.values()]
      .filter((f) => Date.parse(f.at) >= fromMs && Date.parse(f.at) < toMs)
      .map(copyFact);
  }

  async getIssueMark(issueId: string): Promise<IssueMark | null> {
    const m = this.marks.get(issueId);
    return m ? { ...m } : null;
  }

  async putIssueMark(issueId: string, mark: IssueMark): Promise<void> {
    this.marks.set(issueId, { ...mark });
  }

  private readonly deliveries = new Map<string, string>();

  async claimDelivery(deliveryId: string, bodySha256: string): Promise<'new' | 'same' | 'conflict'> {
    const had = this.deliveries.get(deliveryId);
    if (had === undefined) {
      this.deliveries.set(deliveryId, bodySha256);
      return 'new';
    }
    return had === bodySha256 ? 'same' : 'conflict';
  }
}
