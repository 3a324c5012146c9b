/** The use cases, shared by the Forge app and the self-hosted service. */
export * from './deps';
export * from './errors';
export * from './ports';
export * from './settings';
export * from './shown';
export * from './calendars';
export * from './issue-change';
export * from './escalation';
export * from './api';
export * from './webhook';
