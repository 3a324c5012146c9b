/**
 * In-memory Jira for tests and the UI's browser tests: issues with their inputs and the values the
 * app shows, searched with the app's JQL; also what escalation needs (assignee, labels, links, affects
 * versions and the visit date on tickets; comments, label edits, created issues, links and project
 * versions); saved filters (`filters`: id → JQL). It counts calls and keeps every comment, label
 * edit and created issue, so tests can check that nothing is written when nothing changed and that a
 * notice went out once.
 */
import { formatInstant } from '../../domain/calendar';
import type { LinkedInputs } from '../../domain/priority';
import type { Person } from '../../domain/messages';
import type { Snapshot, VersionInfo } from '../../domain/snapshot';
import type {
  CommentBody,
  JiraPort,
  NewIssue,
  NewLink,
  Settings,
  ShownValues,
  Ticket,
  TicketLink,
  TicketWrite,
} from '../../app/ports';
import { kindOfIssueType, projectInScope } from '../../app/settings';
import { filterJql as matchJql } from './jql';

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
  /** Escalation: the assignee (mentioned in escalation comments). */
  assignee?: Person | null;
  /** Escalation: the issue's labels. */
  labels?: string[];
  /** §2.9.4: the versions the request is about. */
  affectsVersions?: string[];
  /** §2.7: the on-site visit date and when it was entered. */
  visit?: { date: string; requestedAt: string } | null;
  /** Issue #17: organizations, components, field values and instance naming the customer. */
  identity?: Ticket['identity'];
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
  addComment: number;
  updateLabels: number;
  createIssue: number;
  linkIssues: number;
  listVersions: number;
  filterJql: number;
}

export class MemoryJira implements JiraPort {
  readonly issues = new Map<string, MemoryIssue>();
  readonly calls: MemoryJiraCalls = {
    readTicket: 0,
    writeTicket: 0,
    writeTickets: 0,
    searchKeys: 0,
    searchTickets: 0,
    addComment: 0,
    updateLabels: 0,
    createIssue: 0,
    linkIssues: 0,
    listVersions: 0,
    filterJql: 0,
  };
  /** Every write, in order: which issue, what changed. */
  readonly writes: { key: string; changes: Partial<ShownValues> }[] = [];
  /** Issue links (`from` <outward> `to`), in order of creation. */
  readonly links: NewLink[] = [];
  /** Every comment posted, in order. */
  readonly comments: { key: string; body: CommentBody }[] = [];
  /** Every label edit, in order. */
  readonly labelEdits: { key: string; add: string[]; remove: string[] }[] = [];
  /** Every issue created through the port, in order. */
  readonly created: { key: string; issue: NewIssue }[] = [];
  /** Versions per project key (also the `versions` of errors' snapshots when set). */
  readonly versions = new Map<string, VersionInfo[]>();
  /** Saved filters the caller can see: id → JQL (the compliance gadget's filter scope). */
  readonly filters = new Map<string, string>();
  issueTypes: { id: string; name: string }[] = [];
  priorities: { id: string; name: string }[] = [];
  pageSize = 100;
  /** The next `failComments` comments fail (like a Jira answering 503). */
  failComments = 0;
  /** Whether tickets carry labels / links (an adapter that reads them); switch off to test without. */
  readsLabels = true;
  readsLinks = true;
  private nextId = 90000;

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
    const snapshot: Snapshot = {
      ...structuredClone(issue.inputs),
      key: issue.key,
      kind,
      project: issue.project,
    };
    if (issue.fixVersions?.[0]) snapshot.fixVersion = issue.fixVersions[0];
    if (kind === 'error' && this.versions.has(issue.project))
      snapshot.versions = structuredClone(this.versions.get(issue.project));
    const links = this.linksOf(issue.key);
    if (
      kind === 'error' &&
      snapshot.linkedIncidents === undefined &&
      settings.policy.error.combineLinkedIncidents
    ) {
      const linked = this.linkedIncidentInputs(links, settings);
      if (linked.length > 0) snapshot.linkedIncidents = linked;
    }
    return {
      id: issue.id,
      key: issue.key,
      project: issue.project,
      issueType: issue.issueType,
      snapshot,
      shown: { ...issue.shown },
      assignee: issue.assignee ? { ...issue.assignee } : null,
      ...(this.readsLabels ? { labels: [...(issue.labels ?? [])] } : {}),
      ...(this.readsLinks ? { links } : {}),
      ...(issue.affectsVersions ? { affectsVersions: [...issue.affectsVersions] } : {}),
      ...(issue.visit ? { visit: { ...issue.visit } } : {}),
      ...(issue.identity
        ? { identity: JSON.parse(JSON.stringify(issue.identity)) as Ticket['identity'] }
        : {}),
    };
  }

  /** The issues linked to one (either direction), with their type and whether they are done. */
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

  /** §5.5: the inputs of the incidents linked to an error, as the Jira adapters read them. */
  private linkedIncidentInputs(links: TicketLink[], settings: Settings): LinkedInputs[] {
    const out: LinkedInputs[] = [];
    for (const l of links) {
      const issue = this.issues.get(l.key);
      if (!issue || kindOfIssueType(settings, { name: issue.issueType }) !== 'incident') continue;
      const li: LinkedInputs = {};
      if (issue.inputs.impact) li.impact = issue.inputs.impact;
      if (issue.inputs.urgency) li.urgency = issue.inputs.urgency;
      if (issue.inputs.mode) li.mode = issue.inputs.mode;
      out.push(li);
    }
    return out;
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
    const all = matchJql(
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

  async unevaluatedClause(): Promise<string | null> {
    return 'slaState is EMPTY';
  }

  async listIssueTypes(): Promise<{ id: string; name: string }[]> {
    return this.issueTypes;
  }

  async listPriorities(): Promise<{ id: string; name: string }[]> {
    return this.priorities;
  }

  async addComment(issueKey: string, body: CommentBody): Promise<void> {
    this.calls.addComment += 1;
    if (this.failComments > 0) {
      this.failComments -= 1;
      throw new Error('Jira answered 503');
    }
    if (!this.issues.has(issueKey)) throw new Error(`issue ${issueKey} does not exist`);
    this.comments.push({ key: issueKey, body: structuredClone(body) });
  }

  async updateLabels(issueKey: string, change: { add: string[]; remove: string[] }): Promise<void> {
    this.calls.updateLabels += 1;
    const issue = this.find(issueKey);
    if (!issue) throw new Error(`issue ${issueKey} does not exist`);
    const labels = new Set(issue.labels ?? []);
    for (const l of change.add) labels.add(l);
    for (const l of change.remove) labels.delete(l);
    issue.labels = [...labels];
    this.labelEdits.push({ key: issue.key, add: [...change.add], remove: [...change.remove] });
  }

  /** Creates the issue registered now (in the calendar's zone), with the inputs set. */
  async createIssue(issue: NewIssue, settings: Settings): Promise<{ id: string; key: string }> {
    this.calls.createIssue += 1;
    this.nextId += 1;
    const id = String(this.nextId);
    const key = `${issue.project}-${this.nextId}`;
    this.add({
      id,
      key,
      project: issue.project,
      issueType: issue.issueType,
      inputs: {
        registeredAt: formatInstant(this.now(), settings.calendar.zone),
        summary: issue.summary,
        ...issue.inputs,
      },
    });
    this.created.push({ key, issue: structuredClone(issue) });
    return { id, key };
  }

  async linkIssues(link: NewLink): Promise<void> {
    this.calls.linkIssues += 1;
    for (const k of [link.from, link.to]) if (!this.find(k)) throw new Error(`issue ${k} does not exist`);
    this.links.push({ ...link });
  }

  async listVersions(project: string): Promise<VersionInfo[]> {
    this.calls.listVersions += 1;
    return structuredClone(this.versions.get(project) ?? []);
  }

  async filterJql(filterId: string): Promise<string | null> {
    this.calls.filterJql += 1;
    return this.filters.get(filterId) ?? null;
  }
}

function readField(issue: MemoryIssue, field: string): string | string[] | null {
  switch (field) {
    case 'slastate':
      return issue.shown.slaState;
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
