/**
 * The UI bundles (static/<surface>/build/, built by the UI's esbuild script) under /ui/<surface>/,
 * and a small index page at / linking the compliance dashboard, the admin page and issue panels.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The surfaces and their titles (English / Russian). */
export const SURFACES = {
  gadget: { en: 'Compliance dashboard', ru: 'Панель соблюдения сроков' },
  admin: { en: 'Administration', ru: 'Администрирование' },
  panel: { en: 'Issue SLA panel', ru: 'Сроки по заявке' },
  'issue-actions': { en: 'Issue actions', ru: 'Действия с заявкой' },
  reports: { en: 'Reports', ru: 'Отчёты' },
} as const;
export type Surface = keyof typeof SURFACES;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** The project's static/ folder, from src/server (tests) or dist/server (built). */
export function defaultStaticDir(): string {
  return path.resolve(__dirname, '..', '..', 'static');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export interface IndexInfo {
  demo: boolean;
  jiraUrl: string | null;
  /** A few issue keys to open in the issue panel. */
  sampleKeys: string[];
  built: Record<Surface, boolean>;
  /** Reading open to anonymous visitors (REGLAMENT_ANONYMOUS_READ). */
  anonymousRead?: boolean;
}

/** The index page (both languages side by side; no script). */
export function indexPage(info: IndexInfo): string {
  const link = (surface: Surface, query = '') => {
    const t = SURFACES[surface];
    return info.built[surface]
      ? `<a href="/ui/${surface}/${query}">${escapeHtml(t.en)} · ${escapeHtml(t.ru)}</a>`
      : `${escapeHtml(t.en)} · ${escapeHtml(t.ru)} <small>(not built: npm run build · не собрано)</small>`;
  };
  const issues = info.sampleKeys
    .map(
      (k) =>
        `<li>${info.built.panel ? `<a href="/ui/panel/?key=${encodeURIComponent(k)}">${escapeHtml(k)}</a>` : escapeHtml(k)}</li>`,
    )
    .join('');
  const mode = info.demo
    ? '<p class="mode">Demo mode: a demo project with incidents and errors of 2026, no ticket system connected. · Демонстрационный режим: демо-проект с инцидентами и ошибками 2026 года, без подключения к системе заявок.</p>'
    : `<p class="mode">Connected to Jira · Подключено к Jira: ${escapeHtml(info.jiraUrl ?? '')}</p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reglament</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#172b4d;line-height:1.5}
h1{font-size:1.5rem;margin-bottom:.25rem}a{color:#0052cc}.mode{background:#f4f5f7;padding:.5rem .75rem;border-radius:4px}
ul{padding-left:1.25rem}small{color:#6b778c}code{background:#f4f5f7;padding:0 .25rem;border-radius:3px}
</style>
</head>
<body>
<h1>reglament</h1>
<p>Support regulation SLAs: priorities, working-time deadlines, the 80% promise. · Сроки по регламенту технической поддержки: приоритеты, сроки в рабочем времени, обещание 80%.</p>
${mode}
<ul>
<li>${link('gadget')}</li>
<li>${link('admin')}</li>
<li>${link('panel')}${issues ? `<ul>${issues}</ul>` : ''}</li>
<li>${link('issue-actions', info.sampleKeys[0] ? `?action=split-request&key=${encodeURIComponent(info.sampleKeys[0])}` : '')} <small>(<code>?action=register-error|split-request&amp;key=…</code>)</small></li>
</ul>
<p><a href="/login">Sign in · Войти</a> <small>(reading${info.anonymousRead ? ' is open to everyone here; changing settings needs' : ' needs'} an account · ${info.anonymousRead ? 'чтение открыто всем, для изменения настроек нужна' : 'для чтения нужна'} учётная запись)</small></p>
<p><small>Operations · Эксплуатация: <a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a> · webhooks <code>POST /webhooks/jira</code>, <code>POST /webhooks/generic</code></small></p>
</body>
</html>
`;
}

/** Which surfaces have a build. */
export function builtSurfaces(staticDir: string): Record<Surface, boolean> {
  const out = {} as Record<Surface, boolean>;
  for (const s of Object.keys(SURFACES) as Surface[])
    out[s] = fs.existsSync(path.join(staticDir, s, 'build', 'index.html'));
  return out;
}

/** GET /ui/<surface>/<file>: files of static/<surface>/build/, never outside it. */
export function registerStatic(app: FastifyInstance, staticDir: string): void {
  const serve = async (surface: string, rel: string, reply: import('fastify').FastifyReply) => {
    if (!(surface in SURFACES))
      return reply
        .code(404)
        .type('application/json')
        .send({ error: 'not-found', message: `no UI surface ${surface}` });
    const root = path.join(staticDir, surface, 'build');
    const file = path.resolve(root, rel === '' ? 'index.html' : rel);
    if (file !== root && !file.startsWith(root + path.sep))
      return reply.code(404).send({ error: 'not-found', message: 'no such file' });
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch {
      const hint = fs.existsSync(root) ? 'no such file' : `the ${surface} UI is not built (npm run build)`;
      return reply.code(404).send({ error: 'not-found', message: hint });
    }
    const target = stat.isDirectory() ? path.join(file, 'index.html') : file;
    let data: Buffer;
    try {
      data = await fs.promises.readFile(target);
    } catch {
      return reply.code(404).send({ error: 'not-found', message: 'no such file' });
    }
    const type = TYPES[path.extname(target).toLowerCase()] ?? 'application/octet-stream';
    return reply
      .header('Cache-Control', target.endsWith('.html') ? 'no-cache' : 'public, max-age=300')
      .header('X-Content-Type-Options', 'nosniff')
      .type(type)
      .send(data);
  };
  app.get<{ Params: { surface: string } }>('/ui/:surface', (req, reply) =>
    reply.redirect(req.url.replace(/^\/ui\/([^/?]+)/, '/ui/$1/')),
  );
  app.get<{ Params: { surface: string; '*': string } }>('/ui/:surface/*', (req, reply) =>
    serve(req.params.surface, req.params['*'] ?? '', reply),
  );
}
