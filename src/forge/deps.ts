/**
 * The composition root of the Forge app: real adapters on @forge/api, @forge/kvs, @forge/sql and
 * @forge/events, built per invocation. Tests replace parts with `overrideForgeDeps` (e.g. the store,
 * when no MySQL-compatible server is available to stand in for Forge SQL).
 */
import { Queue } from '@forge/events';
import { SECURED_MAX, type AppDeps, type AppLog } from '../app/deps';
import type { Store } from '../app/ports';
import {
  ForgeJira,
  JiraClient,
  asUserTransport,
  browsableProjects,
  browsableIssues,
  hasIssuePermissions,
  issueBoundProjects,
  isJiraAdmin,
  type ClientOptions,
  type KeyValue,
} from '../adapters/jira-forge';
import { ForgeJobs, ForgeStore } from '../adapters/store-forge';
import { forgeKvs, forgeSql } from '../adapters/store-forge/forge-sql';

export const QUEUE_KEY = 'sla-events';

/** Events the consumer handles (pushed by the trigger, the sweep and the recompute job). */
export type QueueBody =
  | { type: 'issue'; key: string }
  | { type: 'deleted'; key: string }
  | { type: 'version'; projectId: string; versionId?: string; pageToken?: string }
  | { type: 'sweep'; pageToken?: string }
  | { type: 'recompute'; jobId: string; pageToken?: string; done?: number; failed?: number }
  | { type: 'installed' }
  /** One step of a paged rebuild of the dashboard's buckets (ForgeStore.rebuildStep). */
  | { type: 'aggregates'; id: string; after: string };

export interface ForgeDeps extends AppDeps {
  jira: ForgeJira;
  jobs: ForgeJobs;
  push(bodies: QueueBody[]): Promise<void>;
  /** Whether the calling user holds these project permissions on an issue (escalation actions). */
  userCan(issueKey: string, permissions: readonly string[]): Promise<boolean>;
}

interface Overrides {
  store?: Store;
  client?: ClientOptions;
  clock?: () => number;
  isAdmin?: () => Promise<boolean>;
  log?: AppLog;
  /** The most secured issues a view leaves out one by one (SECURED_MAX; smaller in tests). */
  securedMax?: number;
}

let overrides: Overrides = {};

/** For tests: replace parts of the wiring (call with `{}` to reset). */
export function overrideForgeDeps(o: Overrides): void {
  overrides = o;
}

const kvsCache: KeyValue = {
  get: (key) => forgeKvs.get(key),
  set: async (key, value) => {
    await forgeKvs.set(key, value);
  },
};

/**
 * The concurrency key of the rebuild's steps: one at a time per installation (a step delivered twice
 * must not count its page twice; ForgeStore.rebuildStep).
 */
export const REBUILD_CONCURRENCY = { key: 'aggregates-rebuild', limit: 1 };

/** Pushes queue events in slices of 50 (the Forge limit per push). */
export async function pushEvents(bodies: QueueBody[]): Promise<void> {
  const queue = new Queue({ key: QUEUE_KEY });
  for (let i = 0; i < bodies.length; i += 50) {
    await queue.push(
      bodies.slice(i, i + 50).map((body) => ({
        body: body as unknown as Record<string, unknown>,
        ...(body.type === 'aggregates' ? { concurrency: REBUILD_CONCURRENCY } : {}),
      })),
    );
  }
}

/** Dependencies of one invocation; `accountId` is the calling user (resolvers), if any. */
export function forgeDeps(options: { accountId?: string } = {}): ForgeDeps {
  const clock = overrides.clock ?? (() => Date.now());
  const log: AppLog = overrides.log ?? {
    info: (message, data) => console.log(JSON.stringify({ level: 'info', message, ...data })),
    warn: (message, data) => console.warn(JSON.stringify({ level: 'warn', message, ...data })),
  };
  const jira = new ForgeJira({
    client: new JiraClient(overrides.client),
    cache: kvsCache,
    warn: (message, data) => log.warn(message, data),
    // Saved filters are read as the calling user, so the gadget only uses filters they can see; an
    // anonymous caller (no account) can use none.
    filterClient: options.accountId
      ? new JiraClient({ ...overrides.client, transport: asUserTransport })
      : null,
  });
  const store =
    overrides.store ??
    new ForgeStore(forgeKvs, forgeSql, clock, {
      queue: (ev) => pushEvents([{ type: 'aggregates', ...ev }]),
    });
  const jobs = new ForgeJobs(forgeKvs, { push: (body) => pushEvents([body as QueueBody]) });
  return {
    jira,
    store,
    jobs,
    clock,
    isAdmin:
      overrides.isAdmin ??
      (async () =>
        options.accountId
          ? isJiraAdmin(new JiraClient({ ...overrides.client, transport: asUserTransport }))
          : false),
    userCan: async (issueKey, permissions) =>
      options.accountId
        ? hasIssuePermissions(
            issueKey,
            permissions,
            new JiraClient({ ...overrides.client, transport: asUserTransport }),
          )
        : false,
    push: pushEvents,
    log,
    // Resolvers show only issues the calling user may browse (checked as the user); an anonymous
    // caller sees none.
    viewer: {
      canBrowse: async (issueKey) =>
        options.accountId
          ? hasIssuePermissions(
              issueKey,
              ['BROWSE_PROJECTS'],
              new JiraClient({ ...overrides.client, transport: asUserTransport }),
            )
          : false,
      browsableProjects: async (keys) =>
        options.accountId
          ? browsableProjects(keys, new JiraClient({ ...overrides.client, transport: asUserTransport }))
          : new Set(),
      visibleIssues: async (keys) =>
        options.accountId
          ? browsableIssues(keys, new JiraClient({ ...overrides.client, transport: asUserTransport }))
          : new Set(),
      // The issues of the view's projects a browser of the project may still not see, as the app sees
      // them (one search: 1,000 keys a page): those with a security level, and every issue of a project
      // whose Browse projects goes to the reporter, the assignee or a user/group field (its schemes
      // read beside, one call per project; issueBoundProjects).
      securedIssues: async (projects) => {
        const max = overrides.securedMax ?? SECURED_MAX;
        const quoted = (keys: string[]) =>
          keys.map((p) => `"${p.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(', ');
        const bound = [...(await issueBoundProjects(projects, new JiraClient(overrides.client)))].sort();
        const secured = `project in (${quoted(projects)}) AND level is not EMPTY`;
        const page = await jira.searchKeys(
          bound.length > 0 ? `project in (${quoted(bound)}) OR (${secured})` : secured,
        );
        return page.nextPageToken || page.keys.length > max ? null : page.keys;
      },
    },
  };
}
