/**
 * The demo ticket system: a JiraPort over the service's own tickets that can also do what a real
 * ticket system does for the app's actions — create issues, link them, take comments and labels, list
 * a project's versions — so "Register error", "Split request", agreed deadlines and escalation comments
 * all work in demo mode. What a snapshot cannot hold (links, comments, labels, the versions a request is
 * about, the reporter) is kept per issue in a named document (`demo-issue:<KEY>`); no schema change.
 * A created issue is registered at the service's clock and evaluated at once (`onChange`), as a
 * ticket system's creation event would make it.
 */
import { formatInstant } from '../../domain/calendar';
import type { Kind } from '../../domain/codes';
import type { Snapshot, VersionInfo } from '../../domain/snapshot';
import type {
  CommentBody,
  JiraPort,
  NewIssue,
  NewLink,
  Settings,
  ShownValues,
  InputEdit,
  Ticket,
  TicketLink,
} from '../../app/ports';
import { kindOfIssueType } from '../../app/settings';
import type { Storage, TicketStore } from '../storage';

/** A comment posted on a demo issue. */
export interface DemoComment {
  at: string;
  audience: CommentBody['audience'];
  text: string;
}

/** What the demo keeps about an issue beside its snapshot. */
export interface DemoExtras {
  links: { key: string; type: string; direction: 'outward' | 'inward' }[];
  comments: DemoComment[];
  labels: string[];
  /** The versions the request is about (§2.9.4). */
  affectsVersions?: string[];
}

const EXTRAS = (key: string): string => `demo-issue:${key}`;
const COUNTER = (project: string): string => `demo-next-key:${project}`;
const EMPTY = (): DemoExtras => ({ links: [], comments: [], labels: [] });

export interface DemoPortOptions {
  tickets: TicketStore;
  docs: Pick<Storage, 'getDoc' | 'putDoc'>;
  now: () => number;
  /** The project's versions as of an instant (the demo's are relative to today). */
  versions: (project: string, nowMs: number) => VersionInfo[];
  /** Called after an issue was created or linked: evaluates it (the app's `onIssueChange`). */
  onChange?: (key: string) => Promise<void>;
}

export class DemoTicketPort implements JiraPort {
  onChange: ((key: string) => Promise<void>) | undefined;
  constructor(private readonly o: DemoPortOptions) {
    this.onChange = o.onChange;
  }

  async extras(key: string): Promise<DemoExtras> {
    const doc = await this.o.docs.getDoc(EXTRAS(key));
    return doc ? { ...EMPTY(), ...(JSON.parse(doc) as Partial<DemoExtras>) } : EMPTY();
  }

  async putExtras(key: string, extras: DemoExtras): Promise<void> {
    await this.o.docs.putDoc(EXTRAS(key), JSON.stringify(extras), this.o.now());
  }

  private async edit(key: string, change: (x: DemoExtras) => void): Promise<void> {
    const x = await this.extras(key);
    change(x);
    await this.putExtras(key, x);
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    const t = await this.o.tickets.readTicket(keyOrId, settings);
    if (!t) return null;
    const x = await this.extras(t.key);
    const typeName = (kind: Kind): string => settings.issueTypes[kind][0] ?? kind;
    const links: TicketLink[] = [];
    for (const l of x.links) {
      const other = await this.o.tickets.readTicket(l.key, settings);
      if (!other) continue;
      links.push({
        key: l.key,
        issueType: typeName(other.snapshot.kind),
        type: l.type,
        done: Boolean(other.snapshot.resolvedAt),
      });
    }
    return {
      ...t,
      issueType: typeName(t.snapshot.kind),
      links,
      labels: x.labels,
      ...(x.affectsVersions ? { affectsVersions: x.affectsVersions } : {}),
    };
  }

  writeTicket(ticket: Ticket, changes: Partial<ShownValues>, settings: Settings): Promise<void> {
    return this.o.tickets.writeTicket(ticket, changes, settings) as Promise<void>;
  }

  searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    return this.o.tickets.searchKeys(jql, pageToken);
  }

  async addComment(issueKey: string, body: CommentBody): Promise<void> {
    const at = new Date(this.o.now()).toISOString();
    await this.edit(issueKey, (x) => x.comments.push({ at, audience: body.audience, text: body.text }));
  }

  async updateLabels(issueKey: string, change: { add: string[]; remove: string[] }): Promise<void> {
    await this.edit(issueKey, (x) => {
      x.labels = [...new Set([...x.labels.filter((l) => !change.remove.includes(l)), ...change.add])];
    });
  }

  async listVersions(project: string): Promise<VersionInfo[]> {
    return this.o.versions(project, this.o.now());
  }

  /** The next free number of a project's keys (a counter document; the stored keys the first time). */
  private async nextKey(project: string): Promise<string> {
    const doc = await this.o.docs.getDoc(COUNTER(project));
    let next = doc ? Number(doc) : 0;
    if (!Number.isSafeInteger(next) || next < 1) {
      next = 1;
      let token: string | undefined;
      do {
        const page = await this.o.tickets.searchKeys('', token);
        for (const k of page.keys) {
          const m = /^([A-Za-z][A-Za-z0-9_]*)-(\d+)$/.exec(k);
          if (m && m[1]!.toUpperCase() === project.toUpperCase()) next = Math.max(next, Number(m[2]) + 1);
        }
        token = page.nextPageToken;
      } while (token);
    }
    while ((await this.o.tickets.shownOf(`${project}-${next}`)) !== null) next++;
    await this.o.docs.putDoc(COUNTER(project), String(next + 1), this.o.now());
    return `${project}-${next}`;
  }

  async createIssue(issue: NewIssue, settings: Settings): Promise<{ id: string; key: string }> {
    const kind: Kind | undefined =
      kindOfIssueType(settings, { name: issue.issueType, id: issue.issueType }) ??
      (issue.issueType === 'incident' || issue.issueType === 'error' ? issue.issueType : undefined);
    if (!kind)
      throw new RangeError(
        `issueType must be a mapped incident or error type, got ${JSON.stringify(issue.issueType)}`,
      );
    const key = await this.nextKey(issue.project);
    const nowMs = this.o.now();
    const snapshot: Snapshot = {
      key,
      kind,
      project: issue.project,
      summary: issue.summary,
      registeredAt: formatInstant(Math.floor(nowMs / 60_000) * 60_000, settings.calendar.zone),
      ...issue.inputs,
      ...(kind === 'error' ? { versions: this.o.versions(issue.project, nowMs) } : {}),
    };
    await this.o.tickets.put(snapshot, 'demo');
    await this.putExtras(key, EMPTY());
    if (this.onChange) await this.onChange(key);
    return { id: key, key };
  }

  /**
   * An agreed deadline or a priority override set on a demo issue: stored in its snapshot with the
   * change in its history (as a ticket system's changelog would give it), so the ledger places it.
   */
  async setInputs(issueKey: string, edit: InputEdit, settings: Settings): Promise<void> {
    const t = await this.o.tickets.readTicket(issueKey, settings);
    if (!t) throw new RangeError(`no demo issue ${JSON.stringify(issueKey)}`);
    const at = formatInstant(this.o.now(), settings.calendar.zone);
    const snapshot: Snapshot = { ...t.snapshot, history: [...(t.snapshot.history ?? [])] };
    if (edit.agreedDeadline !== undefined) {
      snapshot.history!.push({
        field: 'agreedDeadline',
        from: snapshot.agreedDeadline ?? null,
        to: edit.agreedDeadline,
        at,
      });
      snapshot.agreedDeadline = edit.agreedDeadline;
    }
    if (edit.priorityOverride !== undefined) {
      snapshot.history!.push({
        field: 'priorityOverride',
        from: snapshot.priorityOverride ?? null,
        to: edit.priorityOverride,
        at,
      });
      snapshot.priorityOverride = edit.priorityOverride;
    }
    snapshot.updatedAt = at;
    await this.o.tickets.put(snapshot, 'demo');
  }

  async linkIssues(link: NewLink): Promise<void> {
    for (const key of [link.from, link.to])
      if ((await this.o.tickets.shownOf(key)) === null)
        throw new RangeError(`cannot link: issue ${JSON.stringify(key)} does not exist`);
    await this.edit(link.from, (x) => x.links.push({ key: link.to, type: link.type, direction: 'outward' }));
    await this.edit(link.to, (x) => x.links.push({ key: link.from, type: link.type, direction: 'inward' }));
  }
}
