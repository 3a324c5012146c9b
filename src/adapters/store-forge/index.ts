/** Store on Forge storage: KVS settings, Forge SQL records; recompute jobs in KVS. */
export {
  ForgeStore,
  recordMigrations,
  noticeMigrations,
  storeMigrations,
  SETTINGS_KEY,
  WEBHOOK_SECRET_KEY,
  LIST_PAGE,
  type KvsLike,
  type SqlRunner,
} from './store';
export { ForgeJobs, jobKey, type JobQueue } from './jobs';
