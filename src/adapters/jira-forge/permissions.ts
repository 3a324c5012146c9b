/** Whether the calling user is a Jira administrator: `GET /rest/api/3/mypermissions?permissions=ADMINISTER` as the user. */
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
