/** In-memory adapters: Jira, Store and recompute jobs, for tests and the UI's browser tests. */
export { MemoryJira, EMPTY_SHOWN, type MemoryIssue, type MemoryJiraCalls } from './jira';
export { MemoryStore } from './store';
export { MemoryJobs } from './jobs';
export { MemoryLog, type LogLine } from './log';
export { filterJql, parseJql, type JqlFieldReader } from './jql';
