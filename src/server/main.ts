/**
 * `reglament serve` / `npm start`: loads the configuration (exit 2 on a problem, each naming its
 * setting), starts the service, prints its URL, and stops gracefully on SIGTERM/SIGINT: no new
 * requests, requests in flight answered, the worker's unit of work finished, the database closed.
 * A second signal exits at once (the inbox keeps every accepted event for the next start).
 */
import { DatabaseError } from '../adapters/store-sqlite';
import { SchemaError } from '../adapters/sql';
import { formatProblems, loadConfig } from './config';
import { storageFailure } from './health';
import { createService } from './service';

export async function serveCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'reglament serve [--config file.json] [--port N] [--host H] [--data-dir DIR] [--demo auto|on|off]\n' +
        'Settings: REGLAMENT_* environment variables or a JSON file; see docs/server.md.\n',
    );
    return 0;
  }
  const loaded = loadConfig({ env: process.env, argv: args });
  if (!loaded.ok) {
    process.stderr.write(`reglament serve: invalid configuration\n${formatProblems(loaded.problems)}\n`);
    return 2;
  }
  for (const w of loaded.warnings) process.stderr.write(`reglament serve: ${w}\n`);
  let service: Awaited<ReturnType<typeof createService>>;
  try {
    service = await createService({ config: loaded.config });
  } catch (e) {
    // A database that cannot be used (truncated, damaged, unwritable, newer schema, unreachable) is one
    // line naming it and what to do, not a stack trace.
    if (e instanceof DatabaseError || e instanceof SchemaError || storageFailure(e) !== null) {
      process.stderr.write(`reglament serve: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  let address: string;
  try {
    address = await service.listen();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    process.stderr.write(
      `reglament serve: cannot listen on ${loaded.config.host}:${loaded.config.port}: ${err.code ?? ''} ${err.message}\n`,
    );
    await service.close();
    return 1;
  }
  const shown = address.replace('://0.0.0.0:', '://localhost:').replace('://127.0.0.1:', '://localhost:');
  process.stderr.write(
    `reglament is running at ${shown}/ (${
      service.demo
        ? 'demo mode: no ticket system configured'
        : loaded.config.jira.url
          ? `Jira: ${loaded.config.jira.url}`
          : 'generic webhooks only'
    })\n`,
  );
  if (service.initialAdmin)
    process.stderr.write(
      `first start: created the administrator account '${service.initialAdmin.name}' with the password ${service.initialAdmin.password}\n` +
        `  (shown once; also in ${service.initialAdmin.file}). Sign in at ${shown}/login and add accounts (docs/server.md, Security).\n`,
    );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`reglament serve: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      service.app.log.info({ signal }, 'shutting down');
      service.close().then(
        () => resolve(0),
        (e: unknown) => {
          process.stderr.write(`reglament serve: shutdown failed: ${(e as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
