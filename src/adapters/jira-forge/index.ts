/** JiraPort on Jira Cloud through @forge/api. */
export {
  ForgeJira,
  isoOffset,
  adfDoc,
  adfText,
  INTERNAL_COMMENT_PROPERTY,
  SEARCH_PAGE,
  KEY_PAGE,
  WRITE_BATCH,
  type ForgeJiraOptions,
} from './jira';
export {
  JiraClient,
  asAppTransport,
  retryAfterMs,
  type ClientOptions,
  type Transport,
  type TransportResponse,
} from './client';
export { JiraError, RetryableError } from './errors';
export {
  APP_WRITTEN,
  FIELD_IDS_KEY,
  FIELD_MODULE_KEYS,
  discoverFieldIds,
  matchFields,
  type FieldIds,
  type FieldRole,
  type KeyValue,
} from './fields';
export {
  isJiraAdmin,
  hasIssuePermissions,
  browsableProjects,
  browsableIssues,
  issueBoundProjects,
  ISSUE_HOLDERS,
  asUserTransport,
} from './permissions';
