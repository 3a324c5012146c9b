/** Jira Data Center/Server over REST v2 (personal access token or basic auth). */
export { createJiraHttpPort, dcJql, type JiraHttpOptions, type JiraHttpPort } from './port';
export { JiraClient, JiraHttpError, retryAfterMs, type JiraAuth, type JiraClientOptions } from './client';
export { discoverFields, FIELD_DEFS, FIELD_ROLES, type FieldCatalog, type FieldRole } from './fields';
export { editBody, fromJiraDateTime, ticketOf, toJiraDateTime, type DcIssue } from './mapping';
