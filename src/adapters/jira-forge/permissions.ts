/**
 * The calling user's permissions (`GET /rest/api/3/mypermissions` as the user): Jira administrator,
 * or project permissions on one issue (the escalation actions).
 */
import api, { route } from '@forge/api';
import { JiraClient, type Transport } from './client';

export const asUserTransport: Transport = (path, init) => api.asUser().requestJira(path, init);

export async function isJiraAdmin(
  client: JiraClient = new JiraClient({ transport: asUserTransport }),
): Promise<boolean> {
  const res = await client.call<{ permissions?: Record<string, { havePermission?: boolean }> }>(
    'GET',
    '/rest/api/3/mypermissions',
    route`/rest/api/3/mypermissions?permissions=${'ADMINISTER'}`,
  );
  return res.data?.permissions?.ADMINISTER?.havePermission === true;
}

/**
 * Whether the calling user holds every one of `permissions` (e.g. CREATE_ISSUES, LINK_ISSUES,
 * ADD_COMMENTS) on an issue: `GET /rest/api/3/mypermissions?issueKey=…&permissions=…` as the user.
 * False for an issue the user cannot see.
 */
export async function hasIssuePermissions(
  issueKey: string,
  permissions: readonly string[],
  client: JiraClient = new JiraClient({ transport: asUserTransport }),
): Promise<boolean> {
  const res = await client.call<{ permissions?: Record<string, { havePermission?: boolean }> }>(
    'GET',
    '/rest/api/3/mypermissions',
    route`/rest/api/3/mypermissions?issueKey=${issueKey}&permissions=${permissions.join(',')}`,
  );
  return permissions.every((p) => res.data?.permissions?.[p]?.havePermission === true);
}

/**
 * Of these project keys, those whose issues the calling user may browse: one
 * `GET /rest/api/3/mypermissions?projectKey=…&permissions=BROWSE_PROJECTS` per project, as the user,
 * in parallel (lists and figures hold records of a few projects).
 */
export async function browsableProjects(
  projectKeys: readonly string[],
  client: JiraClient = new JiraClient({ transport: asUserTransport }),
): Promise<Set<string>> {
  const results = await Promise.all(
    projectKeys.map(async (projectKey) => {
      const res = await client.call<{ permissions?: Record<string, { havePermission?: boolean }> }>(
        'GET',
        '/rest/api/3/mypermissions',
        route`/rest/api/3/mypermissions?projectKey=${projectKey}&permissions=${'BROWSE_PROJECTS'}`,
      );
      return res.data?.permissions?.BROWSE_PROJECTS?.havePermission === true ? projectKey : null;
    }),
  );
  return new Set(results.filter((k): k is string => k !== null));
}

/**
 * Permission holders whose Browse projects depends on the issue (Jira's holder types): the reporter,
 * the assignee, a user or group picked in a custom field of the issue.
 */
export const ISSUE_HOLDERS: ReadonlySet<string> = new Set([
  'reporter',
  'assignee',
  'userCustomField',
  'groupCustomField',
]);

/**
 * Of these project keys, those where a user may browse some issues and not others without issue
 * security: the project's permission scheme grants BROWSE_PROJECTS to an issue holder
 * (`ISSUE_HOLDERS`). For such a project Jira's project-level check (`mypermissions?projectKey=…`)
 * says yes when the user "meets the permission's criteria for any issue in the project" (Jira's
 * documentation of Get my permissions), so it cannot stand for every issue of the project. One
 * `GET /rest/api/3/project/{key}/permissionscheme?expand=permissions` per project, as the app, in
 * parallel. A scheme that cannot be read (the app lacks Administer projects, an error) counts as such a
 * project: its issues are then checked one by one, never assumed visible.
 */
export async function issueBoundProjects(
  projectKeys: readonly string[],
  client: JiraClient = new JiraClient(),
): Promise<Set<string>> {
  const results = await Promise.all(
    projectKeys.map(async (projectKey) => {
      try {
        const res = await client.call<{
          permissions?: { permission?: string; holder?: { type?: string } }[];
        }>(
          'GET',
          '/rest/api/3/project/{projectKeyOrId}/permissionscheme',
          route`/rest/api/3/project/${projectKey}/permissionscheme?expand=${'permissions'}`,
        );
        if (res.status !== 200 || !Array.isArray(res.data?.permissions)) return projectKey;
        return res.data.permissions.some(
          (g) => g.permission === 'BROWSE_PROJECTS' && ISSUE_HOLDERS.has(g.holder?.type ?? ''),
        )
          ? projectKey
          : null;
      } catch {
        return projectKey;
      }
    }),
  );
  return new Set(results.filter((k): k is string => k !== null));
}

/** Jira Cloud's bulk fetch takes at most 100 issue ids or keys per request (OpenAPI: bulkFetchIssues). */
export const BULK_FETCH_LIMIT = 100;

/**
 * Of these issue keys, those the calling user may see: `POST /rest/api/3/issue/bulkfetch` as the user,
 * 100 keys per request, asking for no fields. Jira returns only the issues the caller has Browse
 * projects on *and* whose issue security level admits them, leaving the others out silently, so issue
 * security is honoured with one call per 100 issues. (`POST /rest/api/3/permissions/check` answers the
 * same question per issue id, 1,000 at a time, but SLA records carry keys: mapping them to ids would
 * cost the same one call per 100 issues first.) Records follow a moved issue's new key (issue #12
 * item 5), so an old key is not asked for.
 */
export async function browsableIssues(
  issueKeys: readonly string[],
  client: JiraClient = new JiraClient({ transport: asUserTransport }),
): Promise<Set<string>> {
  const unique = [...new Set(issueKeys)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += BULK_FETCH_LIMIT)
    chunks.push(unique.slice(i, i + BULK_FETCH_LIMIT));
  const visible = new Set<string>();
  for (const chunk of chunks) {
    const res = await client.call<{ issues?: { id?: string; key?: string }[] }>(
      'POST',
      '/rest/api/3/issue/bulkfetch',
      route`/rest/api/3/issue/bulkfetch`,
      { issueIdsOrKeys: chunk, fields: ['project'] },
    );
    for (const issue of res.data?.issues ?? []) {
      if (typeof issue.key !== 'string') continue;
      visible.add(issue.key);
      // Jira matches keys case-insensitively and follows moves: keep the asked spelling too.
      const same = chunk.find((k) => k.toUpperCase() === issue.key!.toUpperCase());
      if (same) visible.add(same);
    }
  }
  return visible;
}
