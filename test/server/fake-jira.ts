/**
 * A small fake Jira Data Center (REST v2) on 127.0.0.1: fields, statuses, issues, project versions,
 * search, edit and field creation — and an outage switch that answers 503 to everything.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DcIssue } from '../../src/adapters/jira-http';
import { unknownJqlValue } from '../support/jql-values';

export interface FakeJiraCall {
  method: string;
  path: string;
  body: unknown;
  auth: string | undefined;
}

export interface FakeJira {
  url: string;
  fields: { id: string; name: string; custom: boolean }[];
  issues: Map<string, DcIssue>;
  /**
   * Field ids on the issues' edit screen; when set, an edit naming another field is refused whole
   * with Jira's 400 (tenable/integration-jira-cloud #64): "Field '…' cannot be set. It is not on the
   * appropriate screen, or unknown."
   */
  screenFields: Set<string> | null;
  /** The site's issue types (`GET /rest/api/2/issuetype`; a JQL naming another one is answered 400). */
  issueTypes: { id: string; name: string }[];
  versions: Map<string, { id: string; name: string; releaseDate?: string; released: boolean }[]>;
  calls: FakeJiraCall[];
  /** Comments posted, by issue key: body and whether it went through Service Management as internal. */
  comments: { key: string; body: string; internal: boolean }[];
  /** Projects whose issues are Service Management requests (internal comments allowed). */
  serviceDeskProjects: Set<string>;
  /** Group name → member user names (`GET /rest/api/2/user?username=…&expand=groups`). */
  groupMembers: Map<string, Set<string>>;
  /** Project key → role name → actors: user names and group names. */
  projectRoles: Map<string, Map<string, { users: string[]; groups: string[] }>>;
  /** Project key → holders of SERVICEDESK_AGENT (`GET /rest/api/2/user/permission/search`). */
  serviceDeskAgents: Map<string, Set<string>>;
  /** While true every request is answered 503 (with Retry-After when `retryAfter` is set). */
  down: boolean;
  retryAfter?: string;
  /** The fake's clock (epoch ms) for the creation time of posted comments; Date.now unless set. */
  now: () => number;
  puts(): FakeJiraCall[];
  close(): Promise<void>;
}

/** Service Management's "Request participants" field on the fake site. */
export const PARTICIPANTS_FIELD = 'customfield_10300';

/** Existing custom fields of the fake site (inputs and outputs); `SLA State` is missing on purpose. */
export const FIELD_IDS = {
  impact: 'customfield_10101',
  urgency: 'customfield_10102',
  mode: 'customfield_10103',
  nature: 'customfield_10104',
  workaround: 'customfield_10105',
  slaPriority: 'customfield_10110',
  reactionDue: 'customfield_10112',
  verificationDue: 'customfield_10113',
  fixDue: 'customfield_10114',
};

export async function startFakeJira(): Promise<FakeJira> {
  const state = {
    fields: [
      { id: 'summary', name: 'Summary', custom: false },
      { id: 'priority', name: 'Priority', custom: false },
      { id: FIELD_IDS.impact, name: 'SLA Impact', custom: true },
      { id: FIELD_IDS.urgency, name: 'SLA Urgency', custom: true },
      { id: FIELD_IDS.mode, name: 'SLA Usage mode', custom: true },
      { id: FIELD_IDS.nature, name: 'SLA Request nature', custom: true },
      { id: FIELD_IDS.workaround, name: 'SLA Workaround', custom: true },
      { id: FIELD_IDS.slaPriority, name: 'SLA Priority', custom: true },
      { id: FIELD_IDS.reactionDue, name: 'SLA Reaction due', custom: true },
      { id: FIELD_IDS.verificationDue, name: 'SLA Verification due', custom: true },
      { id: FIELD_IDS.fixDue, name: 'SLA Fix due', custom: true },
      {
        id: PARTICIPANTS_FIELD,
        name: 'Request participants',
        custom: true,
        schema: { custom: 'com.atlassian.servicedesk:sd-request-participants' },
      },
    ] as { id: string; name: string; custom: boolean; schema?: { custom: string } }[],
    issues: new Map<string, DcIssue>(),
    screenFields: null as Set<string> | null,
    issueTypes: [
      { id: '10001', name: 'Incident' },
      { id: '10004', name: 'Bug' },
      { id: '10002', name: 'Task' },
    ],
    versions: new Map<string, { id: string; name: string; releaseDate?: string; released: boolean }[]>(),
    calls: [] as FakeJiraCall[],
    comments: [] as { key: string; body: string; internal: boolean }[],
    serviceDeskProjects: new Set<string>(),
    groupMembers: new Map<string, Set<string>>(),
    projectRoles: new Map<string, Map<string, { users: string[]; groups: string[] }>>(),
    serviceDeskAgents: new Map<string, Set<string>>(),
    down: false,
    retryAfter: undefined as string | undefined,
  };
  let nextField = 10200;
  const send = (
    res: http.ServerResponse,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  // A posted comment shows on the issue as Jira shows it: by the caller (the fake's only user,
  // `reglament`, see /myself), created at the fake's clock.
  const keepComment = (issue: DcIssue, text: string) => {
    const list = ((issue.fields.comment as { comments?: unknown[] } | undefined)?.comments ?? []).slice();
    list.push({
      id: String(state.comments.length),
      author: { name: 'reglament', key: 'reglament' },
      body: text,
      created: new Date(fake.now()).toISOString().replace('Z', '+0000'),
    });
    issue.fields.comment = { comments: list };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as unknown) : undefined;
      const url = new URL(req.url ?? '/', 'http://fake');
      state.calls.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        body,
        auth: req.headers.authorization,
      });
      if (fake.down)
        return send(
          res,
          503,
          { errorMessages: ['Jira is starting'] },
          fake.retryAfter ? { 'retry-after': fake.retryAfter } : {},
        );
      const p = url.pathname;
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && p === '/rest/api/2/field') return send(res, 200, state.fields);
      if (req.method === 'POST' && p === '/rest/api/2/field') {
        const f = { id: `customfield_${nextField++}`, name: (body as { name: string }).name, custom: true };
        state.fields.push(f);
        return send(res, 201, f);
      }
      if (req.method === 'GET' && p === '/rest/api/2/status')
        return send(res, 200, [
          { id: '1', name: 'Open', statusCategory: { key: 'new' } },
          { id: '3', name: 'In Progress', statusCategory: { key: 'indeterminate' } },
          { id: '6', name: 'Closed', statusCategory: { key: 'done' } },
        ]);
      if ((m = /^\/rest\/api\/2\/project\/([^/]+)\/versions$/.exec(p)) && req.method === 'GET')
        return send(res, 200, state.versions.get(decodeURIComponent(m[1]!)) ?? []);
      if (req.method === 'GET' && p === '/rest/api/2/issuetype') return send(res, 200, state.issueTypes);
      if (req.method === 'GET' && p === '/rest/api/2/priority')
        return send(
          res,
          200,
          ['Highest', 'High', 'Medium', 'Low', 'Lowest'].map((name, i) => ({ id: String(i + 1), name })),
        );
      if (req.method === 'GET' && p === '/rest/api/2/myself')
        return send(res, 200, { name: 'reglament', key: 'reglament', displayName: 'Reglament service' });
      if (req.method === 'GET' && p === '/rest/api/2/groups/picker') {
        const q = (url.searchParams.get('query') ?? '').toLowerCase();
        const groups = [...state.groupMembers.keys()]
          .filter((g) => g.toLowerCase().includes(q))
          .map((name) => ({ name, html: name }));
        return send(res, 200, {
          header: `Showing ${groups.length} of ${groups.length} matching groups`,
          total: groups.length,
          groups,
        });
      }
      if (req.method === 'GET' && p === '/rest/api/2/user') {
        const name = url.searchParams.get('username') ?? '';
        const items = [...state.groupMembers]
          .filter(([, members]) => members.has(name))
          .map(([g]) => ({ name: g, self: `${fake.url}/rest/api/2/group?groupname=${g}` }));
        return send(res, 200, { name, key: name, groups: { size: items.length, items } });
      }
      const roleNames = ['Administrators', 'Developers', 'Service Desk Team', 'Support'];
      if ((m = /^\/rest\/api\/2\/project\/([^/]+)\/role$/.exec(p)) && req.method === 'GET') {
        const key = decodeURIComponent(m[1]!);
        return send(
          res,
          200,
          Object.fromEntries(
            roleNames.map((r, i) => [r, `${fake.url}/rest/api/2/project/${key}/role/${10000 + i}`]),
          ),
        );
      }
      if ((m = /^\/rest\/api\/2\/project\/([^/]+)\/role\/(\d+)$/.exec(p)) && req.method === 'GET') {
        const key = decodeURIComponent(m[1]!);
        const role = roleNames[Number(m[2]) - 10000];
        if (!role) return send(res, 404, { errorMessages: ['Role not found'] });
        const a = state.projectRoles.get(key)?.get(role) ?? { users: [], groups: [] };
        return send(res, 200, {
          name: role,
          id: Number(m[2]),
          actors: [
            ...a.users.map((u, i) => ({ id: i, type: 'atlassian-user-role-actor', name: u, displayName: u })),
            ...a.groups.map((g, i) => ({
              id: 100 + i,
              type: 'atlassian-group-role-actor',
              name: g,
              displayName: g,
            })),
          ],
        });
      }
      if (req.method === 'GET' && p === '/rest/api/2/user/permission/search') {
        const perms = (url.searchParams.get('permissions') ?? '').split(',');
        if (perms.includes('SERVICEDESK_AGENT') && state.serviceDeskProjects.size === 0)
          return send(res, 400, { errorMessages: ['Unrecognized permission SERVICEDESK_AGENT'] });
        const name = url.searchParams.get('username') ?? '';
        const holders = [...(state.serviceDeskAgents.get(url.searchParams.get('projectKey') ?? '') ?? [])];
        // DC matches `username` as a prefix of the name, display name or e-mail.
        return send(
          res,
          200,
          holders.filter((h) => h.startsWith(name)).map((h) => ({ name: h, key: h, displayName: h })),
        );
      }
      const issueOf = (key: string) => [...state.issues.values()].find((i) => i.key === key || i.id === key);
      if ((m = /^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/.exec(p)) && req.method === 'POST') {
        const key = decodeURIComponent(m[1]!);
        if (!issueOf(key) || !state.serviceDeskProjects.has(key.split('-')[0]!))
          return send(res, 404, { errorMessage: 'Request does not exist' });
        const b = body as { body: string; public: boolean };
        state.comments.push({ key, body: b.body, internal: b.public === false });
        keepComment(issueOf(key)!, b.body);
        return send(res, 201, { id: String(state.comments.length) });
      }
      if ((m = /^\/rest\/api\/2\/issue\/([^/]+)\/comment$/.exec(p)) && req.method === 'POST') {
        const key = decodeURIComponent(m[1]!);
        if (!issueOf(key)) return send(res, 404, { errorMessages: ['Issue Does Not Exist'] });
        state.comments.push({ key, body: (body as { body: string }).body, internal: false });
        keepComment(issueOf(key)!, (body as { body: string }).body);
        return send(res, 201, { id: String(state.comments.length) });
      }
      if ((m = /^\/rest\/api\/2\/issue\/([^/]+)\/notify$/.exec(p)) && req.method === 'POST')
        return send(res, 204);
      if ((m = /^\/rest\/api\/2\/issue\/([^/]+)\/editmeta$/.exec(p)) && req.method === 'GET') {
        const options = (values: string[]) => ({
          allowedValues: values.map((value, i) => ({ id: String(100 + i), value })),
        });
        return send(res, 200, {
          fields: {
            [FIELD_IDS.impact]: options(['High / Высокая', 'Medium / Средняя', 'Low / Низкая']),
            [FIELD_IDS.urgency]: options(['High / Высокая', 'Medium / Средняя', 'Low / Низкая']),
            [FIELD_IDS.mode]: options(['Operation / Эксплуатация', 'Implementation / Внедрение']),
          },
        });
      }
      if (req.method === 'POST' && p === '/rest/api/2/issue') {
        const f = (body as { fields: Record<string, unknown> }).fields;
        const project = (f.project as { key: string }).key;
        const n = [...state.issues.values()].filter((i) => i.key.startsWith(`${project}-`)).length + 100;
        const issue = incidentIssue(`${project}-${n}`, {
          summary: f.summary,
          issuetype: f.issuetype,
          [FIELD_IDS.impact]: null,
          [FIELD_IDS.urgency]: null,
          [FIELD_IDS.mode]: null,
          [FIELD_IDS.nature]: null,
        });
        state.issues.set(issue.key, issue);
        return send(res, 201, { id: issue.id, key: issue.key });
      }
      if (req.method === 'POST' && p === '/rest/api/2/issueLink') return send(res, 201);
      if ((m = /^\/rest\/api\/2\/issue\/([^/]+)$/.exec(p))) {
        const key = decodeURIComponent(m[1]!);
        const issue = [...state.issues.values()].find((i) => i.key === key || i.id === key);
        if (!issue) return send(res, 404, { errorMessages: ['Issue Does Not Exist'] });
        if (req.method === 'GET') return send(res, 200, issue);
        if (req.method === 'PUT') {
          const edit = body as {
            fields?: Record<string, unknown>;
            update?: { labels?: { add?: string; remove?: string }[] };
          };
          const screen = fake.screenFields;
          const off = Object.keys(edit.fields ?? {}).filter((f) => screen && !screen.has(f));
          if (off.length > 0)
            return send(res, 400, {
              errorMessages: [],
              errors: Object.fromEntries(
                off.map((f) => [
                  f,
                  `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`,
                ]),
              ),
            });
          Object.assign(issue.fields, edit.fields ?? {});
          for (const op of edit.update?.labels ?? []) {
            const labels = new Set((issue.fields.labels as string[] | undefined) ?? []);
            if (op.add) labels.add(op.add);
            if (op.remove) labels.delete(op.remove);
            issue.fields.labels = [...labels];
          }
          return send(res, 204);
        }
      }
      if (req.method === 'POST' && p === '/rest/api/2/search') {
        const q = body as { jql: string; startAt?: number; maxResults?: number };
        const unknown = unknownJqlValue(q.jql, 'issuetype', state.issueTypes);
        if (unknown) return send(res, 400, unknown);
        // The clauses the service's searches filter on: `key in (…)` and `cf[N] is EMPTY` (the rest of
        // the JQL — issue types, status — is not evaluated here).
        const keyIn = /\bkey in \(([^)]*)\)/.exec(q.jql);
        const empty = /\bcf\[(\d+)\] is EMPTY\b/.exec(q.jql);
        let all = [...state.issues.values()];
        if (keyIn) {
          const keys = keyIn[1]!.split(',').map((k) => k.trim().replace(/^"|"$/g, ''));
          all = all.filter((i) => keys.includes(i.key));
        }
        if (empty) {
          const id = `customfield_${empty[1]}`;
          all = all.filter((i) => {
            const v = (i.fields as Record<string, unknown>)[id];
            return v === undefined || v === null || v === '';
          });
        }
        const start = q.startAt ?? 0;
        const page = all.slice(start, start + (q.maxResults ?? 50));
        return send(res, 200, { startAt: start, maxResults: q.maxResults, total: all.length, issues: page });
      }
      return send(res, 404, { errorMessages: [`no route ${req.method} ${p}`] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeJira = {
    url: `http://127.0.0.1:${port}`,
    ...state,
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    get retryAfter() {
      return state.retryAfter;
    },
    get screenFields() {
      return state.screenFields;
    },
    set screenFields(v: Set<string> | null) {
      state.screenFields = v;
    },
    set retryAfter(v: string | undefined) {
      state.retryAfter = v;
    },
    now: Date.now,
    puts: () => state.calls.filter((c) => c.method === 'PUT'),
    comments: state.comments,
    serviceDeskProjects: state.serviceDeskProjects,
    groupMembers: state.groupMembers,
    projectRoles: state.projectRoles,
    serviceDeskAgents: state.serviceDeskAgents,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}

/** A Jira DC incident as REST v2 returns it (SPEC §8 example 1 inputs). */
export function incidentIssue(key = 'SUP-1', over: Record<string, unknown> = {}): DcIssue {
  return {
    id: String(10000 + Number(key.split('-')[1])),
    key,
    fields: {
      summary: 'Отчёт не формируется',
      issuetype: { id: '10001', name: 'Incident' },
      project: { id: '10000', key: key.split('-')[0] },
      created: '2026-03-06T16:30:00.000+0300',
      resolutiondate: null,
      status: { id: '1', name: 'Open' },
      reporter: { name: 'customer', key: 'customer' },
      priority: { name: 'Medium' },
      duedate: null,
      fixVersions: [],
      issuelinks: [],
      comment: { comments: [] },
      [FIELD_IDS.impact]: { value: 'High / Высокая', id: '1' },
      [FIELD_IDS.urgency]: { value: 'Высокая', id: '2' },
      [FIELD_IDS.mode]: { value: 'Operation', id: '3' },
      [FIELD_IDS.nature]: { value: 'Сбой', id: '4' },
      ...over,
    },
    changelog: { histories: [] },
  };
}
