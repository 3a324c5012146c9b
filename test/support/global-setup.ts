/** jest globalSetup: the directory in which test files share throw-away database servers (shared-servers.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SHARED_ENV } from './shared-servers';

export default function globalSetup(): void {
  // Workers are started after this and inherit the variable; in-band runs share this process.
  process.env[SHARED_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-test-servers-'));
}
