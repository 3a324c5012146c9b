/**
 * A fake Jira Cloud on 127.0.0.1 (node:http, random port) implementing just the endpoints the Forge
 * adapter calls, with state. Every request and every response it sends is validated against the
 * Jira OpenAPI description (shared/jira-openapi) with openapi-backend; violations are collected in
 * `violations` (tests assert it stays empty) and a bad request is answered 400 as Jira would.
 * It can answer 429 (with Retry-After) or 503 for the next N calls, and counts calls per endpoint.
 *
 * Escalation endpoints: comments (the body must be a well-formed ADF document — the OpenAPI
 * description leaves it untyped, so the fake checks the nodes the app sends), issue notifications,
 * issue creation (only the fields of a default create screen: project, type, summary, description),
 * issue links (known link types only), label edits (`update.labels` add/remove) and project
 * permissions of the calling user (`mypermissions`). Saved filters (`GET /rest/api/3/filter/{id}`)
 * are visible to their owner and the users they are shared with (everyone, app included, when shared
 * with the site).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAPIBackend, type Request as OasRequest } from 'openapi-backend';
import addFormats from 'ajv-formats';
import type Ajv from 'ajv';
import { filterJql } from '../../../src/adapters/memory/jql';
import { unknownJqlValue } from '../jql-values';
import { FIELD_MODULE_KEYS } from '../../../src/adapters/jira-forge/fields';

const SPEC_PATH = '/work/shared/jira-openapi/jira-platform-v3.openapi.json';

/** Loads the OpenAPI description once per process (≈0.1–0.2 s). */
let backend: Promise<OpenAPIBackend> | null = null;
export function openApi(): Promise<OpenAPIBackend> {
  if (!backend) {
    const specPath = process.env.JIRA_OPENAPI ?? resolveSpec();
    backend = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const definition = require(specPath);
      const api = new OpenAPIBackend({
        definition,
        quick: true,
        validate: true,
        strict: false,
        coerceTypes: true,
        customizeAjv: (ajv) => {
          addFormats(ajv as unknown as Ajv);
          return ajv;
        },
      });
      await api.init();
      precompileRouter(api);
      return api;
    })();
  }
  return backend;
}

/**
 * openapi-backend's router lists all ~620 operations and compiles a regular expression for each of
 * them on every request (half of the time of a 5,000-issue sweep test). The same matching, with the
 * list and the patterns built once: an exact path first, else the most specific template (longest
 * literal part) whose method matches — openapi-backend's order.
 */
function precompileRouter(api: OpenAPIBackend): void {
  type Op = ReturnType<OpenAPIBackend['router']['getOperations']>[number];
  const router = api.router;
  const ops = router.getOperations();
  router.getOperations = () => ops;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const templates = ops
    .map((op) => ({
      op,
      re: new RegExp(
        `^${op.path
          .split(/\{[^}]*\}/)
          .map(escape)
          .join('[^/]+')}$`,
      ),
      literal: op.path.replace(/\{.*?\}/g, '').length,
    }))
    .sort((a, b) => b.literal - a.literal);
  router.matchOperation = ((req: OasRequest) => {
    const method = req.method.toLowerCase();
    const path = router.normalizePath(router.normalizeRequest(req).path);
    const exact = ops.find((op) => op.path === path && op.method === method);
    if (exact) return exact;
    return templates.find((t) => t.op.method === method && t.re.test(path))?.op as Op | undefined;
  }) as typeof router.matchOperation;
}

function resolveSpec(): string {
  // The repository sits beside shared/ (…/main and …/shared); CI clones it the same way.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('node:path') as typeof import('node:path');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  const beside = path.resolve(__dirname, '../../../../shared/jira-openapi/jira-platform-v3.openapi.json');
  return fs.existsSync(beside) ? beside : SPEC_PATH;
}

export interface FakeVersion {
  id: string;
  projectId: string;
  name: string;
  releaseDate?: string;
  released: boolean;
  archived?: boolean;
}

export interface FakeHistory {
  id: string;
  created: string;
  author?: string;
  items: { field: string; fieldId: string; from: string | null; to: string | null }[];
  /** The author's account type: 'app' for automation and apps ('atlassian' when absent). */
  authorType?: 'app' | 'atlassian' | 'customer';
}

export interface FakeComment {
  id: string;
  author: string;
  created: string;
  /** 'app' for comments the app posted; 'customer' for a Service Management customer. */
  authorType?: 'app' | 'atlassian' | 'customer';
  /** The ADF body as posted. */
  body?: unknown;
  properties?: { key: string; value: unknown }[];
}

export interface FakeLinkType {
  id: string;
  name: string;
  inward: string;
  outward: string;
}

export interface FakeIssueLink {
  id: string;
  type: string;
  /** Issue ids: `outward` <type's outward description> `inward`. */
  outward: string;
  inward: string;
}

export interface FakeIssue {
  id: string;
  key: string;
  projectId: string;
  projectKey: string;
  issueType: { id: string; name: string };
  summary: string;
  /** ISO with offset. */
  created: string;
  status: { name: string; category: 'new' | 'indeterminate' | 'done' };
  statusCategoryChangedAt?: string;
  resolutiondate?: string | null;
  reporter: string;
  assignee?: string | null;
  priority?: string | null;
  duedate?: string | null;
  fixVersions: string[];
  /** Affects versions (version ids). */
  affectsVersions?: string[];
  labels?: string[];
  /** Linked issue ids (shown as `Relates` links; links the app creates are in `FakeJira.issueLinks`). */
  links: string[];
  comments: FakeComment[];
  histories: FakeHistory[];
  /** Custom field id → value as Jira stores it. */
  custom: Record<string, unknown>;
  /**
   * Issue-level security: when set, only these users (and the app) may see the issue, whatever their
   * project permissions; Jira applies a security level to administrators too.
   */
  securityViewers?: string[];
  /** Service Management request participants (account ids; field "Request participants"). */
  participants?: string[];
}

/** A saved filter and who may see it (its share permissions, simplified). */
export interface FakeFilter {
  id: string;
  name: string;
  jql: string;
  owner: string;
  /** 'everyone' (shared with the site: the app sees it too) or the account ids it is shared with. */
  sharedWith: 'everyone' | string[];
}

export interface FailPlan {
  status: 429 | 500 | 502 | 503;
  retryAfter?: string;
  /** Only calls to this endpoint (operationId) fail; all when absent. */
  operationId?: string;
}

export interface CallRecord {
  operationId: string;
  method: string;
  path: string;
  status: number;
  /** Monotonic ms when the request arrived. */
  at: number;
}

const APP_ARI = 'ari:cloud:ecosystem::extension/0e1f2a3b-0000-4000-8000-000000000001/env-1';

/** Field ids the fake assigns to the app's fields (customfield_10100 …). */
export function appFieldIds(): Record<keyof typeof FIELD_MODULE_KEYS, string> {
  const out: Record<string, string> = {};
  Object.keys(FIELD_MODULE_KEYS).forEach((role, i) => (out[role] = `customfield_${10100 + i}`));
  return out as Record<keyof typeof FIELD_MODULE_KEYS, string>;
}

const APP_FIELD_TYPES: Record<keyof typeof FIELD_MODULE_KEYS, 'string' | 'number' | 'datetime' | 'date'> = {
  impact: 'string',
  urgency: 'string',
  mode: 'string',
  nature: 'string',
  workaround: 'string',
  override: 'number',
  overrideReason: 'string',
  agreed: 'datetime',
  estimate: 'number',
  visitDate: 'date',
  slaPriority: 'number',
  slaState: 'string',
  reactionDue: 'datetime',
  verificationDue: 'datetime',
  fixDue: 'datetime',
};

/** Jira's own datetime format: UTC with milliseconds and a `+0000` offset. */
export function jiraDateTime(iso: string): string {
  const ms = Date.parse(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) throw new Error(`fake Jira: bad datetime ${iso}`);
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The request of `submitBulkEdit` (IssueBulkEditPayload), the labels, priority and due date parts. */
interface BulkEditBody {
  selectedIssueIdsOrKeys: string[];
  selectedActions: string[];
  editedFieldsInput: {
    priority?: { priorityId: string };
    datePickerFields?: { fieldId: string; date?: { formattedDate: string } }[];
    labelsFields?: {
      fieldId: string;
      bulkEditMultiSelectFieldOption: 'ADD' | 'REMOVE' | 'REPLACE' | 'REMOVE_ALL';
      labels: { name: string }[];
    }[];
  };
  sendBulkNotification?: boolean;
}

export class FakeJira {
  readonly issues = new Map<string, FakeIssue>();
  readonly versions: FakeVersion[] = [];
  readonly priorities = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];
  readonly issueTypes = [
    { id: '10001', name: 'Incident' },
    { id: '10002', name: 'Bug' },
    { id: '10003', name: 'Task' },
  ];
  readonly admins = new Set<string>();
  /** Users with the project permissions (browse, create, edit, link, comment); admins have them too. */
  readonly agents = new Set<string>();
  /**
   * Users who may browse one project's issues only (project key → account ids): BROWSE_PROJECTS of
   * `mypermissions?projectKey=…|issueKey=…`; admins and agents browse every project.
   */
  readonly projectViewers = new Map<string, Set<string>>();
  /** Display names of users (assignees). */
  readonly users = new Map<string, string>();
  /** Keys of Service Management projects (`projectTypeKey: service_desk`); others are software. */
  readonly serviceDeskProjects = new Set<string>();
  /** Holders of the agent permission (SERVICEDESK_AGENT), per service desk project key. */
  readonly serviceDeskAgents = new Map<string, Set<string>>();
  /** Group name → member account ids (`GET /rest/api/3/user/groups`). */
  readonly groupMembers = new Map<string, Set<string>>();
  /** Project key → role name → actors (`GET /rest/api/3/project/{key}/role/{id}`). */
  readonly projectRoles = new Map<string, Map<string, { users: string[]; groups: string[] }>>();
  /** The JSM "Request participants" field's id on this site. */
  readonly participantsFieldId = 'customfield_10030';
  /** Role name → id (Jira Cloud shares roles between projects). */
  private readonly roleIds = new Map<string, string>([
    ['Administrators', '10002'],
    ['Service Desk Team', '10003'],
    ['Support', '10004'],
  ]);
  readonly projects: { id: string; key: string }[] = [{ id: '10000', key: 'SUP' }];
  readonly linkTypes: FakeLinkType[] = [
    { id: '10000', name: 'Relates', inward: 'relates to', outward: 'relates to' },
    { id: '10001', name: 'Blocks', inward: 'is blocked by', outward: 'blocks' },
    { id: '10002', name: 'Problem/Incident', inward: 'is caused by', outward: 'causes' },
  ];
  /**
   * Field ids on the issues' edit screen; when set, `PUT /issue` naming another field is refused whole
   * with Jira's 400 "Field '…' cannot be set. It is not on the appropriate screen, or unknown."
   */
  editScreen: Set<string> | null = null;
  /** Links created through `POST /rest/api/3/issueLink`. */
  readonly issueLinks: FakeIssueLink[] = [];
  /** Saved filters (`GET /rest/api/3/filter/{id}`), by id. */
  readonly filters = new Map<string, FakeFilter>();
  /** Notifications sent through `POST /rest/api/3/issue/{key}/notify`. */
  readonly notifications: { key: string; body: Record<string, unknown> }[] = [];
  /** The app's own account (author of its comments, reporter of the issues it creates). */
  readonly appAccountId = '712020:reglament-app';
  /** The fake's time for what it stamps (comments, created issues); the wall clock by default. */
  clock: () => number = () => Date.now();
  readonly fieldIds = appFieldIds();
  readonly calls: CallRecord[] = [];
  readonly violations: string[] = [];
  /** The last request bodies per operationId (for assertions). */
  readonly bodies = new Map<string, unknown[]>();
  private failures: (FailPlan & { left: number })[] = [];
  private server: http.Server | null = null;
  private seq = 0;
  /** Bulk edit tasks by id (submitBulkEdit), polled through getBulkOperationProgress. */
  private readonly bulkTasks = new Map<
    string,
    { polls: number; processed: number[]; failed: Record<string, string[]>; invalid: number; total: number }
  >();
  /** Answer 403 to bulk edits (an app without the Bulk Change global permission). */
  bulkEditRefused = false;
  /**
   * A site that reads the bulk edit's date picker format otherwise than the app writes it (the format
   * has not been tried on a real site): the task completes, and each date it sets is a day later.
   */
  bulkDateMisread = false;
  /** The date picker formats the bulk edit accepts: both the API names, or one (the other answers 400). */
  bulkDateFormats: 'both' | 'named' | 'numeric' = 'both';
  /**
   * Permission scheme grants of BROWSE_PROJECTS beside the project role (project key → holder types,
   * e.g. `['reporter']`: the reporter of an issue browses it). For such a project `mypermissions`
   * with a project key says yes when the user meets the criteria for any issue of the project, as
   * Jira documents; per issue (`issueKey`, bulk fetch, search as the user) only for those issues.
   */
  readonly browseGrants = new Map<string, string[]>();
  /** Answer 403 to the app's read of a project's permission scheme (an app without Administer projects). */
  permissionSchemeRefused = false;
  url = '';

  /** Answers the next `n` matching calls with `plan.status`. */
  failNext(n: number, plan: FailPlan): void {
    this.failures.push({ ...plan, left: n });
  }

  /** Calls per operationId. */
  count(operationId?: string): number {
    return operationId ? this.calls.filter((c) => c.operationId === operationId).length : this.calls.length;
  }

  addIssue(partial: Partial<FakeIssue> & { key: string }): FakeIssue {
    this.seq += 1;
    const projectKey = partial.projectKey ?? partial.key.split('-')[0]!;
    const projectId = partial.projectId ?? '10000';
    if (!this.projects.some((p) => p.id === projectId))
      this.projects.push({ id: projectId, key: projectKey });
    const issue: FakeIssue = {
      id: String(10000 + this.seq),
      projectId: '10000',
      projectKey: partial.key.split('-')[0]!,
      issueType: this.issueTypes[0]!,
      summary: `Issue ${partial.key}`,
      created: '2026-03-06T16:30:00+03:00',
      status: { name: 'Open', category: 'new' },
      reporter: 'customer-1',
      fixVersions: [],
      links: [],
      comments: [],
      histories: [],
      custom: {},
      ...partial,
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  /** Sets an input field by role (impact, urgency, …) the way a user edit would. */
  setField(issue: FakeIssue, role: keyof typeof FIELD_MODULE_KEYS, value: unknown): void {
    issue.custom[this.fieldIds[role]] = value;
  }

  /** The app field's stored value by role. */
  field(keyOrIssue: string | FakeIssue, role: keyof typeof FIELD_MODULE_KEYS): unknown {
    const issue = typeof keyOrIssue === 'string' ? this.find(keyOrIssue) : keyOrIssue;
    return issue?.custom[this.fieldIds[role]] ?? null;
  }

  find(keyOrId: string): FakeIssue | undefined {
    return this.issues.get(keyOrId) ?? [...this.issues.values()].find((i) => i.id === keyOrId);
  }

  async start(): Promise<this> {
    const api = await openApi();
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(api, req, Buffer.concat(chunks).toString('utf8'))
          .then(({ status, body, headers }) => {
            res.writeHead(status, {
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
              ...headers,
            });
            res.end(body === undefined ? undefined : JSON.stringify(body));
          })
          .catch((e: Error) => {
            this.violations.push(`fake Jira crashed: ${e.stack ?? e.message}`);
            res.writeHead(500);
            res.end();
          });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  private async handle(
    api: OpenAPIBackend,
    req: http.IncomingMessage,
    raw: string,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    let body: unknown = undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${req.method} ${url.pathname}: body is not JSON`);
        return { status: 400 };
      }
    }
    const oasReq: OasRequest = {
      method: (req.method ?? 'GET').toLowerCase(),
      path: url.pathname,
      query,
      headers: req.headers as Record<string, string>,
      ...(body !== undefined ? { body } : {}),
    };
    const op = api.matchOperation(oasReq);
    if (!op) {
      this.violations.push(`${req.method} ${url.pathname}: no such operation in the OpenAPI description`);
      return { status: 404 };
    }
    const opId = op.operationId ?? `${req.method} ${url.pathname}`;
    this.bodies.set(opId, [...(this.bodies.get(opId) ?? []), body]);
    const record = (status: number) =>
      this.calls.push({ operationId: opId, method: req.method ?? 'GET', path: url.pathname, status, at });

    const failure = this.failures.find((f) => f.left > 0 && (!f.operationId || f.operationId === opId));
    if (failure) {
      failure.left -= 1;
      record(failure.status);
      return {
        status: failure.status,
        ...(failure.retryAfter ? { headers: { 'retry-after': failure.retryAfter } } : {}),
      };
    }

    const valid = api.validateRequest(oasReq, op);
    if (!valid.valid) {
      this.violations.push(`request ${opId}: ${JSON.stringify(valid.errors)}`);
      record(400);
      return { status: 400, body: { errorMessages: ['invalid request'], errors: {} } };
    }
    const params = (op as unknown as { path: string }).path;
    const out = this.route(opId, url.pathname, params, query, body, req.headers);
    record(out.status);
    const check = api.validateResponse(out.body ?? null, op, out.status);
    if (!check.valid) this.violations.push(`response ${opId} ${out.status}: ${JSON.stringify(check.errors)}`);
    return out;
  }

  private route(
    opId: string,
    path: string,
    _template: string,
    query: Record<string, string | string[]>,
    body: unknown,
    headers: http.IncomingHttpHeaders,
  ): { status: number; body?: unknown } {
    const tail = decodeURIComponent(path.split('/').filter(Boolean).slice(-1)[0] ?? '');
    const q = (k: string) =>
      Array.isArray(query[k]) ? (query[k] as string[]).join(',') : (query[k] as string | undefined);
    switch (opId) {
      case 'getFields':
        return { status: 200, body: this.fieldBeans() };
      case 'getIssue': {
        const issue = this.find(tail);
        if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'], errors: {} } };
        const fields = (q('fields') ?? '*all').split(',').filter(Boolean);
        return {
          status: 200,
          body: this.bean(issue, fields, (q('expand') ?? '').split(',').includes('changelog')),
        };
      }
      case 'editIssue':
        return this.editIssue(
          path.split('/').slice(-1)[0]!,
          body as { fields?: Record<string, unknown>; update?: Record<string, unknown[]> },
        );
      case 'addComment':
        return this.addComment(decodeURIComponent(path.split('/').slice(-2)[0]!), body);
      case 'notify': {
        const issue = this.find(decodeURIComponent(path.split('/').slice(-2)[0]!));
        if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'], errors: {} } };
        this.notifications.push({ key: issue.key, body: body as Record<string, unknown> });
        return { status: 204 };
      }
      case 'createIssue':
        return this.createIssue(body as { fields?: Record<string, unknown> });
      case 'linkIssues':
        return this.linkIssues(
          body as { type: { id?: string; name?: string }; inwardIssue: IssueRef; outwardIssue: IssueRef },
        );
      case 'searchAndReconsileIssuesUsingJqlPost':
        return this.search(
          body as {
            jql: string;
            fields?: string[];
            maxResults?: number;
            nextPageToken?: string;
            expand?: string;
          },
        );
      case 'updateMultipleCustomFieldValues':
        return this.appFieldValues(
          body as { updates: { customField: string; issueIds: number[]; value: unknown }[] },
        );
      case 'getProjectVersions': {
        const project = path.split('/').slice(-2)[0]!;
        return {
          status: 200,
          body: this.versions
            .filter((v) => v.projectId === project || this.projectKeyOf(v.projectId) === project)
            .map((v) => ({
              id: v.id,
              name: v.name,
              projectId: Number(v.projectId),
              released: v.released,
              archived: Boolean(v.archived),
              ...(v.releaseDate ? { releaseDate: v.releaseDate } : {}),
            })),
        };
      }
      case 'getIssueAllTypes':
        return {
          status: 200,
          body: this.issueTypes.map((t) => ({ id: t.id, name: t.name, subtask: false })),
        };
      case 'getPriorities':
        return {
          status: 200,
          body: this.priorities.map((name, i) => ({ id: String(i + 1), name })),
        };
      case 'searchPriorities':
        return {
          status: 200,
          body: {
            startAt: 0,
            maxResults: 100,
            total: this.priorities.length,
            isLast: true,
            values: this.priorities.map((name, i) => ({ id: String(i + 1), name })),
          },
        };
      case 'getFilter': {
        // Jira Cloud answers 400 both for a filter that does not exist and for one the caller may not
        // see. Calls as the app carry no X-Fake-User: the app sees filters shared with everyone.
        const user = String(headers['x-fake-user'] ?? '');
        const f = this.filters.get(tail);
        const visible =
          f !== undefined && (f.sharedWith === 'everyone' || f.owner === user || f.sharedWith.includes(user));
        if (!f || !visible)
          return {
            status: 400,
            body: { errorMessages: [`The selected filter is not available to you: ${tail}`], errors: {} },
          };
        return {
          status: 200,
          body: {
            self: `${this.url}/rest/api/3/filter/${f.id}`,
            id: f.id,
            name: f.name,
            jql: f.jql,
            owner: { accountId: f.owner, accountType: 'atlassian', active: true, displayName: f.owner },
            favourite: false,
            sharePermissions: [],
            viewUrl: `${this.url}/issues/?filter=${f.id}`,
            searchUrl: `${this.url}/rest/api/3/search?jql=${encodeURIComponent(f.jql)}`,
          },
        };
      }
      case 'bulkFetchIssues': {
        // As the user: issues they may not see (or that do not exist) are left out silently, as Jira
        // Cloud does ("Issues which aren't found or that the user doesn't have permission to view
        // won't be returned"); as the app (no X-Fake-User): every issue.
        const user = headers['x-fake-user'] === undefined ? null : String(headers['x-fake-user']);
        const req = body as { issueIdsOrKeys: string[]; fields?: string[] };
        if (req.issueIdsOrKeys.length > 100)
          return {
            status: 400,
            body: { errorMessages: ['You can request up to 100 issues.'], errors: {} },
          };
        const fields = req.fields ?? ['*navigable'];
        const found = req.issueIdsOrKeys
          .map((k) => this.find(k))
          .filter((i): i is FakeIssue => i !== undefined && (user === null || this.canBrowse(user, i)));
        const unique = [...new Map(found.map((i) => [i.id, i])).values()].sort(
          (a, b) => Number(a.id) - Number(b.id),
        );
        return {
          status: 200,
          body: { issues: unique.map((i) => this.bean(i, fields, false)), issueErrors: [] },
        };
      }
      case 'bulkGetGroups': {
        const asked = Array.isArray(query.groupName)
          ? query.groupName
          : query.groupName
            ? [query.groupName]
            : [];
        const values = [...this.groupMembers.keys()]
          .filter((g) => asked.includes(g))
          .map((name) => ({ name, groupId: `group-${name}` }));
        return {
          status: 200,
          body: { isLast: true, maxResults: 50, startAt: 0, total: values.length, values },
        };
      }
      case 'getUserGroups': {
        const accountId = q('accountId') ?? '';
        return {
          status: 200,
          body: [...this.groupMembers]
            .filter(([, members]) => members.has(accountId))
            .map(([name]) => ({ name, groupId: `group-${name}` })),
        };
      }
      case 'getProjectRoles': {
        const project = decodeURIComponent(path.split('/').slice(-2)[0]!);
        if (!this.projects.some((p) => p.key === project || p.id === project))
          return { status: 404, body: { errorMessages: ['No project could be found'], errors: {} } };
        return {
          status: 200,
          body: Object.fromEntries(
            [...this.roleIds].map(([name, id]) => [
              name,
              `${this.url}/rest/api/3/project/${project}/role/${id}`,
            ]),
          ),
        };
      }
      case 'getProjectRole': {
        const parts = path.split('/');
        const id = parts.slice(-1)[0]!;
        const project = decodeURIComponent(parts.slice(-3)[0]!);
        const name = [...this.roleIds].find(([, i]) => i === id)?.[0];
        if (!name) return { status: 404, body: { errorMessages: ['No role'], errors: {} } };
        const actors = this.projectRoles.get(project)?.get(name) ?? { users: [], groups: [] };
        let n = 0;
        return {
          status: 200,
          body: {
            self: `${this.url}/rest/api/3/project/${project}/role/${id}`,
            name,
            id: Number(id),
            actors: [
              ...actors.users.map((accountId) => ({
                id: ++n,
                displayName: this.users.get(accountId) ?? accountId,
                type: 'atlassian-user-role-actor',
                actorUser: { accountId },
              })),
              ...actors.groups.map((g) => ({
                id: ++n,
                displayName: g,
                type: 'atlassian-group-role-actor',
                name: g,
                actorGroup: { name: g, displayName: g, groupId: `group-${g}` },
              })),
            ],
          },
        };
      }
      case 'findUsersWithAllPermissions': {
        const permissions = (q('permissions') ?? '').split(',');
        const project = q('projectKey') ?? '';
        // Jira answers 400 for a permission key the site does not know (no Service Management).
        if (permissions.includes('SERVICEDESK_AGENT') && this.serviceDeskProjects.size === 0)
          return {
            status: 400,
            body: { errorMessages: ["Unrecognized permission 'SERVICEDESK_AGENT'"], errors: {} },
          };
        const holders = [...(this.serviceDeskAgents.get(project) ?? [])];
        const accountId = q('accountId');
        return {
          status: 200,
          body: holders
            .filter((a) => accountId === undefined || a === accountId)
            .map((a) => ({ accountId: a, accountType: 'atlassian', active: true, displayName: a })),
        };
      }
      case 'getAssignedPermissionScheme': {
        const user = headers['x-fake-user'] === undefined ? null : String(headers['x-fake-user']);
        // /rest/api/3/project/{projectKeyOrId}/permissionscheme
        const projectKey = decodeURIComponent(path.split('/').filter(Boolean).slice(-2)[0] ?? '');
        if (!this.projects.some((p) => p.key === projectKey || p.id === projectKey))
          return { status: 404, body: { errorMessages: ['No project could be found'], errors: {} } };
        // Administer Jira or Administer projects: the app here, unless refused; a user only as admin.
        if ((user === null && this.permissionSchemeRefused) || (user !== null && !this.admins.has(user)))
          return {
            status: 403,
            body: {
              errorMessages: ['You do not have permission to view this project configuration.'],
              errors: {},
            },
          };
        const key = this.projects.find((p) => p.key === projectKey || p.id === projectKey)!.key;
        const holders = [
          { type: 'projectRole', parameter: '10002', value: '10002' },
          ...(this.browseGrants.get(key) ?? []).map((type) => ({ type })),
        ];
        const base = {
          id: 10000,
          name: 'Default software scheme',
          self: `${this.url}/rest/api/3/permissionscheme/10000`,
        };
        if (!q('expand')) return { status: 200, body: base };
        return {
          status: 200,
          body: {
            ...base,
            permissions: [
              ...holders.map((holder, i) => ({ id: 10100 + i, holder, permission: 'BROWSE_PROJECTS' })),
              {
                id: 10200,
                holder: { type: 'projectRole', parameter: '10002', value: '10002' },
                permission: 'EDIT_ISSUES',
              },
              { id: 10201, holder: { type: 'reporter' }, permission: 'EDIT_ISSUES' },
            ],
          },
        };
      }
      case 'getMyPermissions': {
        const user = String(headers['x-fake-user'] ?? '');
        const asked = (q('permissions') ?? 'ADMINISTER').split(',').filter(Boolean);
        const issueKey = q('issueKey');
        const issue = issueKey ? this.find(issueKey) : undefined;
        // Jira answers 404 for an issue that does not exist or the caller may not see.
        const projectKey = q('projectKey') ?? issue?.projectKey;
        // A project permission granted through issue data counts when the user meets it on any issue of
        // the project (Jira: "if the user meets the permission's criteria for any issue in the project").
        const browses = issue
          ? this.canBrowse(user, issue)
          : this.browsesProject(user, projectKey) ||
            [...this.issues.values()].some(
              (i) => i.projectKey === projectKey && this.grantedByIssue(user, i),
            );
        if (issueKey && (!issue || !browses))
          return {
            status: 404,
            body: {
              errorMessages: ['Issue does not exist or you do not have permission to see it.'],
              errors: {},
            },
          };
        const permissions: Record<string, unknown> = {};
        asked.forEach((key, i) => {
          const global = key === 'ADMINISTER';
          permissions[key] = {
            id: String(i),
            key,
            name: key,
            type: global ? 'GLOBAL' : 'PROJECT',
            havePermission: global
              ? this.admins.has(user)
              : key === 'BROWSE_PROJECTS'
                ? browses
                : this.admins.has(user) || this.agents.has(user),
          };
        });
        return { status: 200, body: { permissions } };
      }
      case 'submitBulkEdit':
        return this.submitBulkEdit(body as BulkEditBody);
      case 'getBulkOperationProgress':
        return this.bulkProgress(tail);
      default:
        this.violations.push(`fake Jira does not implement ${opId}`);
        return { status: 501 };
    }
  }

  /** BROWSE_PROJECTS on the issue's project, within the issue's security level when it has one. */
  canBrowse(user: string, issue: FakeIssue): boolean {
    if (issue.securityViewers) return issue.securityViewers.includes(user);
    return this.browsesProject(user, issue.projectKey) || this.grantedByIssue(user, issue);
  }

  /** BROWSE_PROJECTS through the issue's own data (`browseGrants`: its reporter or assignee). */
  private grantedByIssue(user: string, issue: FakeIssue): boolean {
    const grants = this.browseGrants.get(issue.projectKey) ?? [];
    return (
      (grants.includes('reporter') && issue.reporter === user) ||
      (grants.includes('assignee') && issue.assignee === user)
    );
  }

  private browsesProject(user: string, projectKey: string | undefined): boolean {
    return (
      this.admins.has(user) ||
      this.agents.has(user) ||
      (projectKey !== undefined && (this.projectViewers.get(projectKey)?.has(user) ?? false))
    );
  }

  /**
   * `POST /rest/api/3/bulk/issues/fields` (the labels part of Jira's bulk edit): validates what Jira
   * checks (at most 1,000 issues, `labels` selected and edited, one-word labels, known issues), answers
   * 201 with a task id and applies the edit as Jira's task does. `bulkEditRefused` answers 403 (an app
   * without the "Make bulk changes" global permission).
   */
  private submitBulkEdit(body: BulkEditBody): { status: number; body?: unknown } {
    const bad = (message: string) => ({ status: 400, body: { errors: [{ message }] } });
    if (this.bulkEditRefused)
      return {
        status: 403,
        body: { errors: [{ message: 'You do not have the Bulk Change global permission.' }] },
      };
    const keys = body.selectedIssueIdsOrKeys;
    if (keys.length === 0 || keys.length > 1000) return bad('Select between 1 and 1000 issues.');
    if (body.selectedActions.join() === 'priority') return this.submitBulkPriority(body);
    if (body.selectedActions.join() === 'duedate') return this.submitBulkDueDate(body);
    const fields = body.editedFieldsInput.labelsFields ?? [];
    if (body.selectedActions.join() !== 'labels' || fields.length !== 1 || fields[0]!.fieldId !== 'labels')
      return bad('the fake edits the labels field only, selected once');
    const f = fields[0]!;
    if (f.labels.some((l) => l.name === '' || /\s/.test(l.name))) return bad('a label is one word');
    const processed: number[] = [];
    let invalid = 0;
    for (const k of keys) {
      const issue = this.find(k);
      if (!issue) {
        invalid += 1;
        continue;
      }
      const labels = new Set(f.bulkEditMultiSelectFieldOption === 'REPLACE' ? [] : (issue.labels ?? []));
      if (f.bulkEditMultiSelectFieldOption === 'REMOVE_ALL') labels.clear();
      for (const l of f.labels) {
        if (f.bulkEditMultiSelectFieldOption === 'REMOVE') labels.delete(l.name);
        else labels.add(l.name);
      }
      issue.labels = [...labels];
      processed.push(Number(issue.id));
    }
    return this.startBulkTask(processed, {}, invalid, keys.length);
  }

  /** Registers a bulk edit task's outcome, reported by getBulkOperationProgress; answers its id (201). */
  private startBulkTask(
    processed: number[],
    failed: Record<string, string[]>,
    invalid: number,
    total: number,
  ): { status: number; body: { taskId: string } } {
    this.seq += 1;
    const taskId = String(30000 + this.seq);
    this.bulkTasks.set(taskId, { polls: 0, processed, failed, invalid, total });
    return { status: 201, body: { taskId } };
  }

  /**
   * The priority part of `submitBulkEdit`: `editedFieldsInput.priority.priorityId` (a priority of the
   * site) set on every selected issue. An issue whose edit screen lacks the priority (`editScreen`)
   * is not edited and is reported in the task's `failedAccessibleIssues`, with Jira's message.
   */
  private submitBulkPriority(body: BulkEditBody): { status: number; body?: unknown } {
    const id = body.editedFieldsInput.priority?.priorityId;
    const name = id === undefined ? undefined : this.priorities[Number(id) - 1];
    if (name === undefined)
      return { status: 400, body: { errors: [{ message: `Priority ${id ?? '(none)'} does not exist.` }] } };
    const processed: number[] = [];
    const failed: Record<string, string[]> = {};
    let invalid = 0;
    for (const k of body.selectedIssueIdsOrKeys) {
      const issue = this.find(k);
      if (!issue) {
        invalid += 1;
        continue;
      }
      if (this.editScreen && !this.editScreen.has('priority')) {
        failed[issue.id] = [
          "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown.",
        ];
        continue;
      }
      issue.priority = name;
      processed.push(Number(issue.id));
    }
    return this.startBulkTask(processed, failed, invalid, body.selectedIssueIdsOrKeys.length);
  }

  /**
   * The due date part of `submitBulkEdit`: `editedFieldsInput.datePickerFields` with the `duedate` field
   * once, its `formattedDate` in one of the two formats the API names (`d/mmm/yy`, English month names,
   * or `dd-mm-yyyy`), an empty one clearing it; another format answers 400. An issue whose edit screen
   * lacks the due date is reported in `failedAccessibleIssues`.
   */
  private submitBulkDueDate(body: BulkEditBody): { status: number; body?: unknown } {
    const fields = body.editedFieldsInput.datePickerFields ?? [];
    if (fields.length !== 1 || fields[0]!.fieldId !== 'duedate')
      return { status: 400, body: { errors: [{ message: 'the fake edits the duedate date picker only' }] } };
    const text = fields[0]!.date?.formattedDate ?? '';
    let date: string | null = null;
    if (text !== '') {
      const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
      const named =
        this.bulkDateFormats === 'numeric' ? null : /^(\d{1,2})\/([A-Za-z]{3})\/(\d{2})$/.exec(text);
      const numeric = this.bulkDateFormats === 'named' ? null : /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
      const [d, m, y] = named
        ? [Number(named[1]), months.indexOf(named[2]!.toLowerCase()) + 1, 2000 + Number(named[3])]
        : numeric
          ? [Number(numeric[1]), Number(numeric[2]), Number(numeric[3])]
          : [0, 0, 0];
      const ms = Date.UTC(y, m - 1, d + (this.bulkDateMisread ? 1 : 0));
      if (m < 1 || d < 1 || d > 31 || Number.isNaN(ms))
        return { status: 400, body: { errors: [{ message: `Invalid date format: ${text}` }] } };
      date = new Date(ms).toISOString().slice(0, 10);
    }
    const processed: number[] = [];
    const failed: Record<string, string[]> = {};
    let invalid = 0;
    for (const k of body.selectedIssueIdsOrKeys) {
      const issue = this.find(k);
      if (!issue) {
        invalid += 1;
        continue;
      }
      if (this.editScreen && !this.editScreen.has('duedate')) {
        failed[issue.id] = [
          "Field 'duedate' cannot be set. It is not on the appropriate screen, or unknown.",
        ];
        continue;
      }
      issue.duedate = date;
      processed.push(Number(issue.id));
    }
    return this.startBulkTask(processed, failed, invalid, body.selectedIssueIdsOrKeys.length);
  }

  /** `GET /rest/api/3/bulk/queue/{taskId}`: RUNNING on the first poll, COMPLETE from the second. */
  private bulkProgress(taskId: string): { status: number; body?: unknown } {
    const t = this.bulkTasks.get(taskId);
    if (!t) return { status: 400, body: { errors: [{ message: `no task ${taskId}` }] } };
    t.polls += 1;
    const base = { taskId, created: '2026-03-10T12:00:00.000+0000', submittedBy: { accountId: 'app' } };
    if (t.polls === 1) return { status: 200, body: { ...base, status: 'RUNNING', progressPercent: 50 } };
    return {
      status: 200,
      body: {
        ...base,
        status: 'COMPLETE',
        progressPercent: 100,
        processedAccessibleIssues: t.processed,
        ...(Object.keys(t.failed).length > 0 ? { failedAccessibleIssues: t.failed } : {}),
        invalidOrInaccessibleIssueCount: t.invalid,
        totalIssueCount: t.total,
      },
    };
  }

  private projectKeyOf(projectId: string): string | undefined {
    return [...this.issues.values()].find((i) => i.projectId === projectId)?.projectKey;
  }

  private fieldBeans(): unknown[] {
    const system = [
      'summary',
      'issuetype',
      'project',
      'status',
      'created',
      'priority',
      'duedate',
      'labels',
      'assignee',
      'versions',
    ].map((id) => ({
      id,
      key: id,
      name: id,
      custom: false,
      navigable: true,
      orderable: true,
      searchable: true,
      clauseNames: [id],
      schema: { type: 'string', system: id },
    }));
    const app = (Object.entries(FIELD_MODULE_KEYS) as [keyof typeof FIELD_MODULE_KEYS, string][]).map(
      ([role, moduleKey]) => ({
        id: this.fieldIds[role],
        key: `0e1f2a3b__DEVELOPMENT__${moduleKey}`,
        name: moduleKey,
        custom: true,
        navigable: true,
        orderable: true,
        searchable: true,
        clauseNames: [`cf[${this.fieldIds[role].split('_')[1]}]`],
        schema: {
          type: APP_FIELD_TYPES[role],
          custom: `${APP_ARI}/static/${moduleKey}`,
          customId: Number(this.fieldIds[role].split('_')[1]),
        },
      }),
    );
    return [
      ...system,
      {
        id: this.participantsFieldId,
        key: this.participantsFieldId,
        name: 'Request participants',
        custom: true,
        navigable: true,
        orderable: true,
        searchable: true,
        clauseNames: ['Request participants', 'cf[10030]'],
        schema: {
          type: 'array',
          items: 'user',
          custom: 'com.atlassian.servicedesk:sd-request-participants',
          customId: 10030,
        },
      },
      {
        id: 'customfield_10010',
        key: 'customfield_10010',
        name: 'Other app field',
        custom: true,
        schema: { type: 'string', custom: 'ari:cloud:ecosystem::extension/other/env/static/impact-x' },
      },
      ...app,
    ];
  }

  private bean(issue: FakeIssue, fields: string[], changelog: boolean): Record<string, unknown> {
    const all = fields.includes('*all') || fields.includes('*navigable');
    const want = (f: string) => all || fields.includes(f);
    const f: Record<string, unknown> = {};
    if (want('summary')) f.summary = issue.summary;
    if (want('issuetype')) f.issuetype = { id: issue.issueType.id, name: issue.issueType.name };
    if (want('project'))
      f.project = {
        id: issue.projectId,
        key: issue.projectKey,
        projectTypeKey: this.serviceDeskProjects.has(issue.projectKey) ? 'service_desk' : 'software',
      };
    if (want(this.participantsFieldId))
      f[this.participantsFieldId] = (issue.participants ?? []).map((accountId) => ({
        accountId,
        accountType: 'atlassian',
        active: true,
      }));
    if (want('status'))
      f.status = { name: issue.status.name, statusCategory: { key: issue.status.category } };
    if (want('created')) f.created = jiraDateTime(issue.created);
    if (want('resolutiondate'))
      f.resolutiondate = issue.resolutiondate ? jiraDateTime(issue.resolutiondate) : null;
    if (want('statuscategorychangedate'))
      f.statuscategorychangedate = jiraDateTime(issue.statusCategoryChangedAt ?? issue.created);
    if (want('reporter')) f.reporter = { accountId: issue.reporter };
    if (want('assignee'))
      f.assignee = issue.assignee
        ? {
            accountId: issue.assignee,
            accountType: 'atlassian',
            active: true,
            displayName: this.users.get(issue.assignee) ?? issue.assignee,
          }
        : null;
    if (want('labels')) f.labels = [...(issue.labels ?? [])];
    if (want('versions'))
      f.versions = (issue.affectsVersions ?? [])
        .map((id) => this.versions.find((v) => v.id === id))
        .filter(Boolean)
        .map((v) => ({
          id: v!.id,
          name: v!.name,
          released: v!.released,
          ...(v!.releaseDate ? { releaseDate: v!.releaseDate } : {}),
        }));
    if (want('priority'))
      f.priority = issue.priority
        ? { name: issue.priority, id: String(this.priorities.indexOf(issue.priority) + 1) }
        : null;
    if (want('duedate')) f.duedate = issue.duedate ?? null;
    if (want('fixVersions'))
      f.fixVersions = issue.fixVersions
        .map((id) => this.versions.find((v) => v.id === id))
        .filter(Boolean)
        .map((v) => ({
          id: v!.id,
          name: v!.name,
          released: v!.released,
          ...(v!.releaseDate ? { releaseDate: v!.releaseDate } : {}),
        }));
    if (want('issuelinks')) f.issuelinks = this.linksOf(issue);
    if (want('comment'))
      f.comment = {
        comments: issue.comments.map((c) => ({
          id: c.id,
          author: { accountId: c.author, accountType: c.authorType ?? 'atlassian' },
          created: jiraDateTime(c.created),
        })),
        total: issue.comments.length,
        maxResults: issue.comments.length,
        startAt: 0,
      };
    for (const [id, value] of Object.entries(issue.custom)) if (want(id)) f[id] = value;
    const bean: Record<string, unknown> = {
      id: issue.id,
      key: issue.key,
      self: `${this.url}/rest/api/3/issue/${issue.id}`,
      fields: f,
    };
    if (changelog) {
      const histories = [...issue.histories].reverse().slice(0, 100);
      bean.changelog = {
        startAt: 0,
        maxResults: 100,
        total: histories.length,
        histories: histories.map((h) => ({
          id: h.id,
          created: jiraDateTime(h.created),
          ...(h.author ? { author: { accountId: h.author, accountType: h.authorType ?? 'atlassian' } } : {}),
          // The OpenAPI description types `from`/`to` (and `fromString`/`toString`) as strings, not
          // nullable: an empty side is left out. Null-prototype objects, so the validator does not
          // mistake Object.prototype.toString for the `toString` property.
          items: h.items.map((it) =>
            Object.assign(Object.create(null) as Record<string, unknown>, {
              field: it.field,
              fieldId: it.fieldId,
              ...(it.from !== null ? { from: it.from, fromString: it.from } : {}),
              ...(it.to !== null ? { to: it.to, toString: it.to } : {}),
            }),
          ),
        })),
      };
    }
    return bean;
  }

  /** An issue's links as Jira shows them: the other issue with its summary, status and type. */
  private linksOf(issue: FakeIssue): Record<string, unknown>[] {
    const linked = (id: string) => {
      const other = this.find(id);
      return {
        id,
        key: other?.key ?? id,
        ...(other
          ? {
              fields: {
                summary: other.summary,
                status: { name: other.status.name, statusCategory: { key: other.status.category } },
                issuetype: { id: other.issueType.id, name: other.issueType.name },
              },
            }
          : {}),
      };
    };
    const relates = this.linkTypes[0]!;
    const out: Record<string, unknown>[] = issue.links.map((id, i) => ({
      id: String(i + 1),
      type: { ...relates },
      outwardIssue: linked(id),
    }));
    for (const l of this.issueLinks) {
      const type = this.linkTypes.find((t) => t.name === l.type)!;
      if (l.outward === issue.id) out.push({ id: l.id, type: { ...type }, inwardIssue: linked(l.inward) });
      else if (l.inward === issue.id)
        out.push({ id: l.id, type: { ...type }, outwardIssue: linked(l.outward) });
    }
    return out;
  }

  /** The links of an issue by key: [other key, link type, direction from this issue]. */
  linkedKeys(keyOrIssue: string | FakeIssue): [string, string, 'outward' | 'inward'][] {
    const issue = typeof keyOrIssue === 'string' ? this.find(keyOrIssue) : keyOrIssue;
    if (!issue) return [];
    const out: [string, string, 'outward' | 'inward'][] = [];
    for (const l of this.issueLinks) {
      if (l.outward === issue.id) out.push([this.find(l.inward)!.key, l.type, 'outward']);
      else if (l.inward === issue.id) out.push([this.find(l.outward)!.key, l.type, 'inward']);
    }
    return out;
  }

  /** Comments the app posted on an issue (plain text of their ADF, mentions, internal flag). */
  appComments(keyOrIssue: string | FakeIssue): { text: string; mentions: string[]; internal: boolean }[] {
    const issue = typeof keyOrIssue === 'string' ? this.find(keyOrIssue) : keyOrIssue;
    return (issue?.comments ?? [])
      .filter((c) => c.authorType === 'app')
      .map((c) => ({
        text: adfPlainText(c.body),
        mentions: adfMentions(c.body),
        internal: (c.properties ?? []).some(
          (p) => p.key === 'sd.public.comment' && (p.value as { internal?: boolean })?.internal === true,
        ),
      }));
  }

  private addComment(issueRef: string, body: unknown): { status: number; body?: unknown } {
    const issue = this.find(issueRef);
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'], errors: {} } };
    const b = (body ?? {}) as { body?: unknown; properties?: { key: string; value: unknown }[] };
    const problems = adfProblems(b.body);
    if (problems.length > 0) {
      this.violations.push(`addComment ${issue.key}: ADF body: ${problems.join('; ')}`);
      return { status: 400, body: { errorMessages: ['INVALID_INPUT'], errors: { comment: problems[0] } } };
    }
    this.seq += 1;
    const created = new Date(this.clock()).toISOString();
    const comment: FakeComment = {
      id: String(50000 + this.seq),
      author: this.appAccountId,
      authorType: 'app',
      created,
      body: b.body,
      ...(b.properties ? { properties: b.properties } : {}),
    };
    issue.comments.push(comment);
    return {
      status: 201,
      body: {
        id: comment.id,
        self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
        author: { accountId: this.appAccountId, accountType: 'app', active: true, displayName: 'Reglament' },
        body: b.body,
        created,
        updated: created,
        jsdPublic: true,
      },
    };
  }

  private createIssue(body: { fields?: Record<string, unknown> }): { status: number; body?: unknown } {
    const fields = body.fields ?? {};
    const errors: Record<string, string> = {};
    for (const k of Object.keys(fields))
      if (!['project', 'issuetype', 'summary', 'description'].includes(k))
        errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
    const pRef = (fields.project ?? {}) as { id?: string; key?: string };
    const project = this.projects.find((p) => p.id === pRef.id || p.key === pRef.key);
    if (!project) errors.project = 'valid project is required';
    const tRef = (fields.issuetype ?? {}) as { id?: string; name?: string };
    const type = this.issueTypes.find((t) => t.id === tRef.id || t.name === tRef.name);
    if (!type) errors.issuetype = 'valid issue type is required';
    const summary = fields.summary;
    if (typeof summary !== 'string' || summary.trim() === '' || summary.length > 255)
      errors.summary = 'You must specify a summary of the issue (at most 255 characters).';
    if (fields.description !== undefined) {
      const problems = adfProblems(fields.description);
      if (problems.length > 0) errors.description = problems.join('; ');
    }
    if (Object.keys(errors).length > 0) return { status: 400, body: { errorMessages: [], errors } };
    const numbers = [...this.issues.values()]
      .filter((i) => i.projectKey === project!.key)
      .map((i) => Number(i.key.split('-')[1]));
    const key = `${project!.key}-${Math.max(0, ...numbers) + 1}`;
    const issue = this.addIssue({
      key,
      projectId: project!.id,
      projectKey: project!.key,
      issueType: type!,
      summary: summary as string,
      created: new Date(this.clock()).toISOString(),
      reporter: this.appAccountId,
    });
    if (fields.description !== undefined)
      (issue as FakeIssue & { description?: unknown }).description = fields.description;
    return {
      status: 201,
      body: { id: issue.id, key: issue.key, self: `${this.url}/rest/api/3/issue/${issue.id}` },
    };
  }

  private linkIssues(body: {
    type: { id?: string; name?: string };
    inwardIssue: IssueRef;
    outwardIssue: IssueRef;
  }): { status: number; body?: unknown } {
    const type = this.linkTypes.find((t) => t.id === body.type.id || t.name === body.type.name);
    if (!type)
      return {
        status: 404,
        body: { errorMessages: [`No issue link type with name '${body.type.name}' found.`], errors: {} },
      };
    const inward = this.find(body.inwardIssue.key ?? body.inwardIssue.id ?? '');
    const outward = this.find(body.outwardIssue.key ?? body.outwardIssue.id ?? '');
    if (!inward || !outward)
      return { status: 404, body: { errorMessages: ['Issue does not exist'], errors: {} } };
    this.seq += 1;
    this.issueLinks.push({
      id: String(70000 + this.seq),
      type: type.name,
      outward: outward.id,
      inward: inward.id,
    });
    return { status: 201 };
  }

  private readField(issue: FakeIssue, field: string): string | string[] | null {
    switch (field) {
      case 'project':
        return [issue.projectKey, issue.projectId];
      case 'issuetype':
        return [issue.issueType.name, issue.issueType.id];
      case 'id':
        return issue.id;
      case 'key':
        return issue.key;
      case 'level':
        // The issue security level (JQL `level`): one level per secured issue here.
        return issue.securityViewers ? 'Restricted' : null;
      case 'statuscategory':
        return { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[issue.status.category];
      case 'statuscategorychangeddate':
        return issue.statusCategoryChangedAt ?? issue.created;
      case 'fixversion':
        return issue.fixVersions.flatMap((id) => [id, this.versions.find((v) => v.id === id)?.name ?? id]);
      default: {
        // `cf[10110]`: a custom field by its number (the app's fields; EMPTY when unset).
        const cf = /^cf\[(\d+)\]$/.exec(field);
        if (cf) {
          const v = issue.custom[`customfield_${cf[1]}`];
          return v === undefined || v === null ? null : String(v as string | number);
        }
        throw new Error(`fake Jira: JQL field ${field} is not supported`);
      }
    }
  }

  private search(body: {
    jql: string;
    fields?: string[];
    maxResults?: number;
    nextPageToken?: string;
    expand?: string;
  }): {
    status: number;
    body: unknown;
  } {
    const unknown = unknownJqlValue(body.jql, 'issuetype', this.issueTypes);
    if (unknown) return { status: 400, body: unknown };
    let matched: FakeIssue[];
    try {
      matched = filterJql(
        [...this.issues.values()].sort((a, b) => Number(a.id) - Number(b.id)),
        body.jql,
        (i, f) => this.readField(i, f),
        Date.now(),
      );
    } catch (e) {
      return { status: 400, body: { errorMessages: [(e as Error).message], errors: {} } };
    }
    const fields = body.fields ?? ['id'];
    const idOnly = fields.every((f) => f === 'id' || f === 'key');
    const limit = Math.min(body.maxResults ?? 50, idOnly ? 5000 : 100);
    const start = body.nextPageToken ? Number(Buffer.from(body.nextPageToken, 'base64url').toString()) : 0;
    const page = matched.slice(start, start + limit);
    const next =
      start + limit < matched.length ? Buffer.from(String(start + limit)).toString('base64url') : undefined;
    const changelog = (body.expand ?? '').split(',').includes('changelog');
    return {
      status: 200,
      body: {
        issues: page.map((i) => this.bean(i, fields, changelog)),
        isLast: next === undefined,
        ...(next ? { nextPageToken: next } : {}),
      },
    };
  }

  private appFieldValues(body: { updates: { customField: string; issueIds: number[]; value: unknown }[] }): {
    status: number;
    body?: unknown;
  } {
    const appIds = new Set(Object.values(this.fieldIds));
    const seen = new Set<string>();
    for (const u of body.updates) {
      if (!appIds.has(u.customField))
        return { status: 403, body: { errorMessages: [`not the app's field ${u.customField}`], errors: {} } };
      for (const id of u.issueIds) {
        const pair = `${u.customField}:${id}`;
        if (seen.has(pair))
          return { status: 400, body: { errorMessages: [`duplicate ${pair}`], errors: {} } };
        seen.add(pair);
        if (!this.find(String(id)))
          return { status: 404, body: { errorMessages: [`issue ${id} not found`], errors: {} } };
      }
    }
    const role = (fieldId: string) =>
      (Object.keys(this.fieldIds) as (keyof typeof FIELD_MODULE_KEYS)[]).find(
        (r) => this.fieldIds[r] === fieldId,
      )!;
    for (const u of body.updates) {
      const type = APP_FIELD_TYPES[role(u.customField)];
      for (const id of u.issueIds) {
        const issue = this.find(String(id))!;
        if (u.value === null) delete issue.custom[u.customField];
        else if (type === 'datetime') issue.custom[u.customField] = jiraDateTime(String(u.value));
        else issue.custom[u.customField] = u.value;
      }
    }
    return { status: 204 };
  }

  private editIssue(
    idOrKey: string,
    body: { fields?: Record<string, unknown>; update?: Record<string, unknown[]> },
  ): { status: number; body?: unknown } {
    const issue = this.find(decodeURIComponent(idOrKey));
    if (!issue) return { status: 404, body: { errorMessages: ['Issue does not exist'], errors: {} } };
    const screen = this.editScreen;
    const off = Object.keys(body.fields ?? {}).filter((f) => screen && !screen.has(f));
    if (off.length > 0)
      return {
        status: 400,
        body: {
          errorMessages: [],
          errors: Object.fromEntries(
            off.map((f) => [
              f,
              `Field '${f}' cannot be set. It is not on the appropriate screen, or unknown.`,
            ]),
          ),
        },
      };
    const update = body.update ?? {};
    for (const [field, ops] of Object.entries(update)) {
      if (field !== 'labels')
        return {
          status: 400,
          body: { errorMessages: [], errors: { [field]: 'the fake only updates labels' } },
        };
      const labels = new Set(issue.labels ?? []);
      for (const op of ops as { add?: unknown; remove?: unknown; set?: unknown }[]) {
        const value = op.add ?? op.remove;
        if (typeof value !== 'string' || /\s/.test(value) || value === '' || op.set !== undefined)
          return {
            status: 400,
            body: { errorMessages: [], errors: { labels: 'a label is one word, added or removed' } },
          };
        if (op.add !== undefined) labels.add(value);
        else labels.delete(value);
      }
      issue.labels = [...labels];
    }
    const fields = body.fields ?? {};
    if ('priority' in fields) {
      const name = (fields.priority as { name?: string } | null)?.name;
      if (!name || !this.priorities.includes(name))
        return { status: 400, body: { errorMessages: [], errors: { priority: `unknown priority ${name}` } } };
      issue.priority = name;
    }
    if ('duedate' in fields) issue.duedate = (fields.duedate as string | null) ?? null;
    for (const k of Object.keys(fields)) {
      if (k !== 'priority' && k !== 'duedate')
        return {
          status: 400,
          body: { errorMessages: [], errors: { [k]: 'the fake only edits priority and duedate' } },
        };
    }
    return { status: 204 };
  }
}

interface IssueRef {
  id?: string;
  key?: string;
}

type AdfNode = { type?: unknown; text?: unknown; attrs?: Record<string, unknown>; content?: unknown };

/**
 * Problems of an ADF document, for the nodes the app sends (doc → paragraph → text / mention /
 * hardBreak; text non-empty, a mention with an account id), as Jira's ADF validation refuses them.
 */
export function adfProblems(doc: unknown): string[] {
  const d = doc as AdfNode & { version?: unknown };
  if (typeof d !== 'object' || d === null || d.type !== 'doc' || d.version !== 1 || !Array.isArray(d.content))
    return ['not an ADF document (type doc, version 1, content)'];
  const problems: string[] = [];
  for (const block of d.content as AdfNode[]) {
    if (block?.type !== 'paragraph') problems.push(`unexpected block ${String(block?.type)}`);
    for (const n of (Array.isArray(block?.content) ? block.content : []) as AdfNode[]) {
      if (n.type === 'text') {
        if (typeof n.text !== 'string' || n.text === '') problems.push('empty text node');
      } else if (n.type === 'mention') {
        if (typeof n.attrs?.id !== 'string' || n.attrs.id === '') problems.push('mention without attrs.id');
      } else if (n.type !== 'hardBreak') problems.push(`unexpected inline ${String(n.type)}`);
    }
  }
  return problems;
}

/** The plain text of an ADF document (mentions as their text, paragraphs joined by a blank line). */
export function adfPlainText(doc: unknown): string {
  const d = doc as AdfNode;
  return ((Array.isArray(d?.content) ? d.content : []) as AdfNode[])
    .map((p) =>
      ((Array.isArray(p.content) ? p.content : []) as AdfNode[])
        .map((n) =>
          n.type === 'text' ? String(n.text) : n.type === 'mention' ? String(n.attrs?.text ?? '') : '\n',
        )
        .join(''),
    )
    .join('\n\n');
}

/** The account ids mentioned in an ADF document. */
export function adfMentions(doc: unknown): string[] {
  const d = doc as AdfNode;
  return ((Array.isArray(d?.content) ? d.content : []) as AdfNode[]).flatMap((p) =>
    ((Array.isArray(p.content) ? p.content : []) as AdfNode[])
      .filter((n) => n.type === 'mention')
      .map((n) => String(n.attrs?.id)),
  );
}

export async function startFakeJira(): Promise<FakeJira> {
  return new FakeJira().start();
}
