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
  issues: { en: 'Issues', ru: 'Заявки' },
  issue: { en: 'Issue', ru: 'Заявка' },
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
  /** A few issue keys to open on the issue page. */
  sampleKeys: string[];
  built: Record<Surface, boolean>;
  /** Reading open to anonymous visitors (REGLAMENT_ANONYMOUS_READ). */
  anonymousRead?: boolean;
  /** The page's one language (see `pageLocale`); English when absent. */
  locale?: 'en' | 'ru';
}

/**
 * The language of a server-rendered page: `?lang=`, else the `reglament_lang` cookie the screens'
 * language switch sets, else the browser's Accept-Language; English otherwise.
 */
export function pageLocale(
  lang: unknown,
  cookieHeader: string | undefined,
  acceptLanguage: string | undefined,
): 'en' | 'ru' {
  if (lang === 'ru' || lang === 'en') return lang;
  const saved = /(?:^|;\s*)reglament_lang=(ru|en)\b/.exec(cookieHeader ?? '')?.[1];
  if (saved === 'ru' || saved === 'en') return saved;
  return /^ru\b/i.test(acceptLanguage ?? '') ? 'ru' : 'en';
}

const INDEX_TEXT = {
  en: {
    lead: 'Support regulation SLAs: priorities, working-time deadlines, the 80% promise.',
    demo: 'Demo mode: a demo project with incidents and errors, no ticket system connected. Every screen works on its data; changes stay in this service.',
    jira: 'Connected to Jira:',
    nav: 'Main',
    sections: { gadget: 'Dashboard', issues: 'Issues', reports: 'Reports', admin: 'Administration' },
    samples: 'Some issues to open:',
    notBuilt: '(not built: npm run build)',
    signIn: 'Sign in',
    signInNote: (open: boolean) =>
      open
        ? 'reading is open to everyone here; changing settings needs an account'
        : 'reading needs an account',
    ops: 'Operations:',
    other: 'Русский',
    otherLang: 'ru',
  },
  ru: {
    lead: 'Сроки по регламенту технической поддержки: приоритеты, сроки в рабочем времени, обещание 80%.',
    demo: 'Демонстрационный режим: демо-проект с инцидентами и ошибками, без подключения к системе заявок. Все экраны работают на его данных; изменения остаются в этом сервисе.',
    jira: 'Подключено к Jira:',
    nav: 'Главное меню',
    sections: { gadget: 'Панель', issues: 'Заявки', reports: 'Отчёты', admin: 'Администрирование' },
    samples: 'Несколько заявок для примера:',
    notBuilt: '(не собрано: npm run build)',
    signIn: 'Войти',
    signInNote: (open: boolean) =>
      open
        ? 'чтение открыто всем, для изменения настроек нужна учётная запись'
        : 'для чтения нужна учётная запись',
    ops: 'Эксплуатация:',
    other: 'English',
    otherLang: 'en',
  },
} as const;

/** The start page `/` in one language: the application's sections, the mode, a few issues. No script. */
export function indexPage(info: IndexInfo): string {
  const locale = info.locale ?? 'en';
  const x = INDEX_TEXT[locale];
  const built = info.built as Record<string, boolean>;
  const link = (surface: 'gadget' | 'issues' | 'reports' | 'admin') => {
    const label = escapeHtml(x.sections[surface]);
    return built[surface] === false
      ? `${label} <small>${escapeHtml(x.notBuilt)}</small>`
      : `<a href="/ui/${surface}/">${label}</a>`;
  };
  const issues = info.sampleKeys
    .map((k) => `<li><a href="/ui/issue/?key=${encodeURIComponent(k)}">${escapeHtml(k)}</a></li>`)
    .join('');
  const mode = info.demo
    ? `<p class="mode">${escapeHtml(x.demo)}</p>`
    : `<p class="mode">${escapeHtml(x.jira)} ${escapeHtml(info.jiraUrl ?? '')}</p>`;
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reglament</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:46rem;margin:0 auto;padding:0 1rem 2rem;color:#172b4d;line-height:1.5}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.5rem 0;border-bottom:1px solid #dcdfe4;margin-bottom:1rem}
header nav ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:0;padding:0;list-style:none}
header .lang{margin-left:auto}
h1{font-size:1.5rem;margin-bottom:.25rem}a{color:#0052cc}.mode{background:#f4f5f7;padding:.5rem .75rem;border-radius:4px}
main ul{padding-left:1.25rem}small{color:#505f79}code{background:#f4f5f7;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}
</style>
</head>
<body>
<header>
<strong>reglament</strong>
<nav aria-label="${escapeHtml(x.nav)}"><ul><li>${link('gadget')}</li><li>${link('issues')}</li><li>${link('reports')}</li><li>${link('admin')}</li></ul></nav>
<a class="lang" href="/?lang=${x.otherLang}" lang="${x.otherLang}" data-testid="index-lang">${x.other}</a>
</header>
<main>
<h1>reglament</h1>
<p>${escapeHtml(x.lead)}</p>
${mode}
${issues ? `<p>${escapeHtml(x.samples)}</p><ul data-testid="index-samples">${issues}</ul>` : ''}
<p><a href="/login?lang=${locale}">${escapeHtml(x.signIn)}</a> <small>(${escapeHtml(x.signInNote(Boolean(info.anonymousRead)))})</small></p>
<p><small>${escapeHtml(x.ops)} <a href="/healthz">/healthz</a> · <a href="/metrics">/metrics</a> · webhooks <code>POST /webhooks/jira</code>, <code>POST /webhooks/generic</code></small></p>
</main>
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
