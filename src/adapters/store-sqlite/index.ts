/** The self-hosted service's embedded storage: SQLite file, Store port, webhook inbox, service-held tickets. */
export {
  atomically,
  DatabaseError,
  migrateSqlite,
  openDatabase,
  unitOfWork,
  explicitTransaction,
  type OpenOptions,
  type SqliteDb,
} from './db';
export { SqliteStore } from './store';
export { SqliteInbox, type NewInboxEvent } from './inbox';
export { SqliteTicketPort, EMPTY_SHOWN, projectOf } from './tickets';
