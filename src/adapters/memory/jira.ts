/**
 * In-memory Jira for tests and the UI's browser tests: issues with their inputs and the values the
 * app shows, searched with the app's JQL. It counts calls so tests can check that nothing is written
 * when nothing changed.
 */
import type { Snapshot } from '../../domain/snapshot';
import type { JiraPort, Settings, ShownValues, Ticket, TicketWrite } from '../../app/ports';
import { kindOfIssueType, projectInScope } from '../../app/settings';
import { filterJql } from './jql';

/** What the in-memory Jira keeps per issue. */
export interface MemoryIssue {
  id: string;
  key: string;
  project: string;
  issueType: string;
  /** Status category: new (to do), indeterminate (in progress), done. */
  statusCategory: 'new' | 'indeterminate' | 'done';
  statusCategoryChangedAt?: string;
  fixVersions?: string[];
  /** The ticket's inputs (everything of the snapshot except key and kind, which follow the issue). */
  inputs: Omit<Snapshot, 'key' | 'kind'>;
  shown: ShownValues;
}

export const EMPTY_SHOWN: ShownValues = Object.freeze({
  slaPriority: null,
  slaState: null,
  reactionDue: null,
  verificationDue: null,
  fixDue: null,
  jiraPriority: null,
  dueDate: null,
}) as ShownValues;

export interface MemoryJiraCalls {
  readTicket: number;
  writeTicket: number;
  writeTickets: number;
  searchKeys: number;
  searchTickets: number;
}

export class MemoryJira implements JiraPort {
  readonly issues = new Map<string, MemoryIssue>();
  readonly calls: MemoryJiraCalls = {
    readTicket: 0,
    writeTicket: 0,
    writeTickets: 0,
    searchKeys: 0,
    searchTickets: 0,
  };
  /** Every write, in order: which issue, what changed. */
  readonly writes: { key: string; changes: Partial<ShownValues> }[] = [];
  issueTypes: { id: string; name: string }[] = [];
  priorities: { id: string; name: string }[] = [];
  pageSize = 100;

  constructor(private readonly now: () => number = () => Date.now()) {}

  add(
    issue: Omit<MemoryIssue, 'shown' | 'statusCategory'> &
      Partial<Pick<MemoryIssue, 'shown' | 'statusCategory'>>,
  ): MemoryIssue {
    const full: MemoryIssue = { statusCategory: 'new', shown: { ...EMPTY_SHOWN }, ...issue };
    this.issues.set(full.key, full);
    return full;
  }

  private find(keyOrId: string): MemoryIssue | undefined {
    return this.issues.get(keyOrId) ?? [...this.issues.values()].find((i) => i.id === keyOrId);
  }

  private toTicket(issue: MemoryIssue, settings: Settings): Ticket | null {
    const kind = kindOfIssueType(settings, { name: issue.issueType });
    if (!kind || !projectInScope(settings, issue.project)) return null;
    return {
      id: issue.id,
      key: issue.key,
      project: issue.project,
      issueType: issue.issueType,
      snapshot: { ...structuredClone(issue.inputs), key: issue.key, kind, project: issue.project },
      shown: { ...issue.shown },
    };
  }

  async readTicket(keyOrId: string, settings: Settings): Promise<Ticket | null> {
    this.calls.readTicket += 1;
    const issue = this.find(keyOrId);
    return issue ? this.toTicket(issue, settings) : null;
  }

  private apply(ticket: Ticket, changes: Partial<ShownValues>): void {
    const issue = this.find(ticket.key);
    if (!issue) throw new Error(`issue ${ticket.key} does not exist`);
    issue.shown = { ...issue.shown, ...changes };
    this.writes.push({ key: ticket.key, changes: { ...changes } });
  }

  async writeTicket(ticket: Ticket, changes: Partial<ShownValues>): Promise<void> {
    this.calls.writeTicket += 1;
    this.apply(ticket, changes);
  }

  async writeTickets(batch: TicketWrite[]): Promise<void> {
    this.calls.writeTickets += 1;
    for (const w of batch) this.apply(w.ticket, w.changes);
  }

  private search(jql: string, pageToken?: string): { items: MemoryIssue[]; nextPageToken?: string } {
    const all = filterJql(
      [...this.issues.values()].sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true })),
      jql,
      (issue, field) => readField(issue, field),
      this.now(),
    );
    const start = pageToken ? Number(pageToken) : 0;
    const items = all.slice(start, start + this.pageSize);
    const next = start + this.pageSize < all.length ? String(start + this.pageSize) : undefined;
    return { items, ...(next ? { nextPageToken: next } : {}) };
  }

  async searchKeys(jql: string, pageToken?: string): Promise<{ keys: string[]; nextPageToken?: string }> {
    this.calls.searchKeys += 1;
    const { items, nextPageToken } = this.search(jql, pageToken);
    return { keys: items.map((i) => i.key), ...(nextPageToken ? { nextPageToken } : {}) };
  }

  async searchTickets(
    jql: string,
    settings: Settings,
    pageToken?: string,
  ): Promise<{ tickets: Ticket[]; nextPageToken?: string }> {
    this.calls.searchTickets += 1;
    const { items, nextPageToken } = this.search(jql, pageToken);
    const tickets = items.map((i) => this.toTicket(i, settings)).filter((t): t is Ticket => t !== null);
    return { tickets, ...(nextPageToken ? { nextPageToken } : {}) };
  }

  async listIssueTypes(): Promise<{ id: string; name: string }[]> {
    return this.issueTypes;
  }

  async listPriorities(): Promise<{ id: string; name: string }[]> {
    return this.priorities;
  }
}

function readField(issue: MemoryIssue, field: string): string | string[] | null {
  switch (field) {
    case 'project':
      return issue.project;
    case 'issuetype':
    case 'type':
      return issue.issueType;
    case 'key':
    case 'issuekey':
      return issue.key;
    case 'id':
      return issue.id;
    case 'statuscategory':
      return { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[issue.statusCategory];
    case 'statuscategorychangeddate':
      return issue.statusCategoryChangedAt ?? issue.inputs.registeredAt;
    case 'fixversion':
      return issue.fixVersions ?? (issue.inputs.fixVersion ? [issue.inputs.fixVersion] : []);
    default:
      throw new Error(`MemoryJira: JQL field ${field} is not supported`);
  }
}
