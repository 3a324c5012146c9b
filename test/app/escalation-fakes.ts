/**
 * Test-local fakes for the escalation use cases: the in-memory Jira and Store of src/adapters/memory
 * extended with the optional port members escalation uses (assignee, labels, links and affects
 * versions on tickets; comments, label edits, issue creation, links, versions; notices in the store).
 * They record every call so tests can count comments and writes.
 */
import { MemoryJira, MemoryStore, type MemoryIssue } from '../../src/adapters/memory';
import type { CommentBody, NewIssue, NewLink, Settings, Ticket, TicketLink } from '../../src/app/ports';
import type { AppDeps } from '../../src/app/deps';
import { formatInstant, parseInstant } from '../../src/domain/calendar';
import type { Person } from '../../src/domain/messages';
import type { VersionInfo } from '../../src/domain/snapshot';
import { settings as baseSettings } from '../support/builders';

/** What the fake keeps per issue beyond MemoryIssue. */
export interface Extras {
  assignee?: Person | null;
  labels?: string[];
  affectsVersions?: string[];
}

export class EscalationJira extends MemoryJira {
  readonly extras = new Map<string, Extras>();
  readonly links: NewLink[] = [];
  readonly comments: { key: string; body: CommentBody }[] = [];
  readonly labelEdits: { key: string; add: string[]; remove: string[] }[] = [];
  readonly created: { key: string; issue: NewIssue }[] = [];
  versions = new Map<string, VersionInfo[]>();
  /** Set to make the next addComment fail. */
  failNextComment = false;
  /** Whether tickets carry labels / links (an adapter that reads them). */
  readsLabels = true;
  readsLinks = true;
  private nextId = 90000;

  constructor(private readonly clock: () => number) {
    super(clock);
  }

  extra(key: string): Extras {
    let e = this.extras.get(key);
    if (!e) {
      e = {};
      this.extras.set(key, e);
    }
    return e;
  }

  linksOf(key: string): TicketLink[] {
    const out: TicketLink[] = [];
    for (const l of this.links) {
      const other = l.from === key ? l.to : l.to === key ? l.from : null;
      const issue = other ? this.issues.get(other) : undefined;
      if (!other || !issue) continue;
      out.push({
        key: other,
        issueType: issue.issueType,
        type: l.type,
        done: issue.statusCategory === 'done',
      });
    }
    return out;
  }

  override async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const t = await super.readTicket(keyOrId, settings);
    if (!t) return null;
    const e = this.extra(t.key);
    const issue = this.issues.get(t.key) as MemoryIssue;
    return {
      ...t,
      assignee: e.assignee ?? null,
      ...(this.readsLabels ? { labels: [...(e.labels ?? [])] } : {}),
      ...(this.readsLinks ? { links: this.linksOf(t.key) } : {}),
      ...(e.affectsVersions ? { affectsVersions: [...e.affectsVersions] } : {}),
      snapshot: {
        ...t.snapshot,
        ...(issue.fixVersions?.[0] ? { fixVersion: issue.fixVersions[0] } : {}),
        ...(t.snapshot.kind === 'error' && this.versions.has(issue.project)
          ? { versions: structuredClone(this.versions.get(issue.project)) }
          : {}),
      },
    };
  }

  async addComment(issueKey: string, body: CommentBody): Promise<void> {
    if (this.failNextComment) {
      this.failNextComment = false;
      throw new Error('Jira answered 503');
    }
    if (!this.issues.has(issueKey)) throw new Error(`issue ${issueKey} does not exist`);
    this.comments.push({ key: issueKey, body: structuredClone(body) });
  }

  async updateLabels(issueKey: string, change: { add: string[]; remove: string[] }): Promise<void> {
    const e = this.extra(issueKey);
    const labels = new Set(e.labels ?? []);
    for (const l of change.add) labels.add(l);
    for (const l of change.remove) labels.delete(l);
    e.labels = [...labels];
    this.labelEdits.push({ key: issueKey, ...structuredClone(change) });
  }

  async createIssue(issue: NewIssue): Promise<{ id: string; key: string }> {
    this.nextId += 1;
    const key = `${issue.project}-${this.nextId}`;
    this.add({
      id: String(this.nextId),
      key,
      project: issue.project,
      issueType: issue.issueType,
      inputs: {
        registeredAt: formatInstant(this.clock(), 'Europe/Moscow'),
        summary: issue.summary,
        ...issue.inputs,
      },
    });
    this.created.push({ key, issue: structuredClone(issue) });
    return { id: String(this.nextId), key };
  }

  async linkIssues(link: NewLink): Promise<void> {
    this.links.push({ ...link });
  }

  async listVersions(project: string): Promise<VersionInfo[]> {
    return structuredClone(this.versions.get(project) ?? []);
  }
}

/** A store that remembers notices; claims are atomic (a Set), as an INSERT … ON CONFLICT DO NOTHING. */
export class EscalationStore extends MemoryStore {
  readonly notices = new Map<string, Set<string>>();
  readonly noticeCalls = { list: 0, claim: 0, release: 0 };

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
}

export type EscalationDeps = AppDeps & {
  jira: EscalationJira;
  store: EscalationStore;
  setNow: (iso: string) => void;
  /** Every log line, info and warn. */
  /** Every log line. */
  logs: { level: 'info' | 'warn'; message: string; data?: Record<string, unknown> }[];
};

/** Deps at a fixed instant (ISO with offset). */
export function escalationDeps(opts: { now?: string; settings?: Settings } = {}): EscalationDeps {
  let now = parseInstant(opts.now ?? '2026-03-10T12:00:00+03:00');
  const clock = () => now;
  const logs: EscalationDeps['logs'] = [];
  return {
    jira: new EscalationJira(clock),
    store: new EscalationStore(opts.settings ?? baseSettings()),
    clock,
    setNow: (iso: string) => {
      now = parseInstant(iso);
    },
    logs,
    log: {
      info: (message, data) => logs.push({ level: 'info', message, ...(data ? { data } : {}) }),
      warn: (message, data) => logs.push({ level: 'warn', message, ...(data ? { data } : {}) }),
    },
  };
}
