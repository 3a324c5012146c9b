/** The self-hosted service's storage on PostgreSQL (several instances on one database). */
export { openPostgres, PgDb, type PgOpenOptions } from './db';
export { PostgresStore } from './store';
export { PostgresInbox, type NewInboxEvent, type InboxOutcome } from './inbox';
export { PostgresTicketPort } from './tickets';
