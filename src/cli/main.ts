import { UsageError } from './args';
import { runBatch } from './batch';
import { priorityCommand } from './priority-command';

const USAGE = `reglament — the support regulation's priorities, working-time deadlines and compliance

  reglament --version                     the version of this package

  reglament priority incident|error ...   one priority, readable (--json for machines)
  reglament batch                         JSON Lines on stdin → one JSON line per input line on stdout
  reglament calendar <year>               the production calendar's monthly norms
  reglament report --input F --from D --to D [--pdf FILE]   the compliance table of SLA records (and the PDF report)
  reglament serve                         the self-hosted service (same as npm start)
  reglament ledger export --issue KEY | --from D --to D [--format csv]   the SLA ledger (JSON Lines or CSV)
  reglament backup --to FILE              a consistent copy of the service's SQLite database
  reglament restore --from FILE           put a backup in place (service stopped; old file kept aside)
  reglament rebuild-aggregates            recompute the dashboard's compliance aggregates from the records
`;

type Command = (args: string[]) => Promise<number> | number;

/** Subcommands; each is loaded only when used. */
const COMMANDS: Record<string, Command> = {
  priority: (args) => priorityCommand(args, process.stdout, process.stderr),
  batch: async () => {
    await runBatch(process.stdin, process.stdout);
    return 0;
  },
  calendar: (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('./calendar-command') as {
      calendarCommand(a: string[], o: NodeJS.WritableStream): number;
    };
    return m.calendarCommand(args, process.stdout);
  },
  report: (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('./report-command') as {
      reportCommand(
        a: string[],
        o: NodeJS.WritableStream,
        e: NodeJS.WritableStream,
      ): number | Promise<number>;
    };
    return m.reportCommand(args, process.stdout, process.stderr);
  },
  serve: async (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('../server/main') as { serveCommand(a: string[]): Promise<number> };
    return m.serveCommand(args);
  },
  ledger: (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('./ledger-command') as {
      ledgerCommand(a: string[], o: NodeJS.WritableStream, e: NodeJS.WritableStream): Promise<number>;
    };
    return m.ledgerCommand(args, process.stdout, process.stderr);
  },
  backup: (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('../server/backup') as { backupCommand(a: string[]): Promise<number> };
    return m.backupCommand(args);
  },
  restore: (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('../server/backup') as { restoreCommand(a: string[]): Promise<number> };
    return m.restoreCommand(args);
  },
  'rebuild-aggregates': (args) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when used
    const m = require('../server/rebuild-aggregates') as {
      rebuildAggregatesCommand(a: string[]): Promise<number>;
    };
    return m.rebuildAggregatesCommand(args);
  },
};

/** The package's version (package.json sits two levels above src/cli and dist/cli). */
export function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

/** Entry point of the `reglament` binary. */
export function main(argv: string[]): void {
  const [name, ...rest] = argv;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`stdout failed: ${e.message}\n`);
    process.exit(1);
  });
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    process.stdout.write(`reglament ${version()}\n`);
    return;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(
      name.startsWith('-')
        ? `unknown flag ${name} before a command (reglament --help lists the commands)\n${USAGE}`
        : `unknown command "${name}"\n${USAGE}`,
    );
    process.exitCode = 2;
    return;
  }
  Promise.resolve()
    .then(() => command(rest))
    .then(
      (code) => {
        if (code !== 0) process.exitCode = code;
      },
      (e: unknown) => {
        if (e instanceof UsageError) {
          process.stderr.write(`${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
        process.exitCode = 1;
      },
    );
}
