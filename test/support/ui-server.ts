/**
 * A stand-in backend for the UI's browser tests: a node:http server on 127.0.0.1 (a free port) that
 * serves the built screens at /ui/<surface>/ from static/<surface>/build/ and routes
 * `POST /api/<name>` (JSON body) to the real use cases (`createApi`) over the in-memory adapters — the
 * same layout the self-hosted service uses.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MemoryJira, MemoryJobs, MemoryStore } from '../../src/adapters/memory';
import { AppError, callApi, createApi, type AppDeps, type ApiHandlers } from '../../src/app';
import { parseInstant } from '../../src/domain/calendar';

const STATIC = path.resolve(__dirname, '../../static');
const SURFACES = ['gadget', 'admin', 'panel', 'issue-actions', 'issues', 'issue'];
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface UiServerOptions {
  /** The backend's clock, an ISO instant (fixed unless changed with `setNow`). */
  now: string;
  isAdmin?: boolean;
  /** Fills the in-memory Jira and store before the server starts. */
  seed?: (ctx: { jira: MemoryJira; store: MemoryStore; now: number }) => void | Promise<void>;
}

export interface UiServer {
  url: string;
  api: ApiHandlers;
  jira: MemoryJira;
  store: MemoryStore;
  jobs: MemoryJobs;
  /** Every API call received: name and payload, in order. */
  calls: { name: string; payload: unknown }[];
  setNow(iso: string): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  let now = parseInstant(opts.now);
  const clock = () => now;
  const store = new MemoryStore();
  const jira = new MemoryJira(clock);
  const calls: UiServer['calls'] = [];
  const deps: AppDeps = {
    jira,
    store,
    clock,
    isAdmin: async () => opts.isAdmin ?? true,
    issueUrl: (key) => `https://jira.example.com/browse/${key}`,
  };
  const jobs = new MemoryJobs(() => deps);
  deps.jobs = jobs;
  await opts.seed?.({ jira, store, now });
  const api = createApi(deps);

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const apiMatch = /^\/api\/([A-Za-z]+)$/.exec(url.pathname);
      if (apiMatch && req.method === 'POST') {
        const name = apiMatch[1]!;
        try {
          const text = await readBody(req);
          const payload: unknown = text === '' ? {} : JSON.parse(text);
          calls.push({ name, payload });
          const result = await callApi(api, name, payload);
          send(res, 200, JSON.stringify(result ?? null), TYPES['.json']!);
        } catch (e) {
          const status = e instanceof AppError ? e.status : e instanceof SyntaxError ? 400 : 500;
          send(res, status, JSON.stringify({ error: (e as Error).message }), TYPES['.json']!);
        }
        return;
      }
      const uiMatch = /^\/ui\/([a-z-]+)(\/.*)?$/.exec(url.pathname);
      if (uiMatch && SURFACES.includes(uiMatch[1]!) && req.method === 'GET') {
        const rest = uiMatch[2];
        if (rest === undefined) {
          res.writeHead(301, { location: `/ui/${uiMatch[1]}/${url.search}` });
          res.end();
          return;
        }
        const rel = rest === '/' ? 'index.html' : rest.slice(1);
        const file = path.resolve(STATIC, uiMatch[1]!, 'build', rel);
        if (!file.startsWith(path.resolve(STATIC, uiMatch[1]!, 'build') + path.sep)) {
          send(res, 403, 'forbidden', 'text/plain');
          return;
        }
        try {
          const body = await readFile(file);
          send(res, 200, body, TYPES[path.extname(file)] ?? 'application/octet-stream');
        } catch {
          send(res, 404, `not found: ${url.pathname} (run npm run build:ui)`, 'text/plain');
        }
        return;
      }
      send(res, 404, 'not found', 'text/plain');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    api,
    jira,
    store,
    jobs,
    calls,
    setNow: (iso) => {
      now = parseInstant(iso);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
