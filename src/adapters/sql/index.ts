/** Portable SQL for settings, SLA records, service-held tickets and the webhook inbox. */
export * from './dialect';
export * from './schema';
export * from './records';
export * from './inbox';
export * from './tickets';
export * from './migrations';
