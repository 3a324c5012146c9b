/** jest globalTeardown: stops the database servers the run's test files shared (shared-servers.ts). */
import { SHARED_ENV, sharedDir, stopSharedServers } from './shared-servers';

export default async function globalTeardown(): Promise<void> {
  const dir = sharedDir();
  if (dir) await stopSharedServers(dir);
  delete process.env[SHARED_ENV];
}
