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
