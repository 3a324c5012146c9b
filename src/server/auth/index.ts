/**
 * People, sessions and request hygiene for the service:
 *
 * - who is asking (`principalOf`): `Authorization: Bearer <REGLAMENT_ADMIN_TOKEN>` (automation, an
 *   administrator), a signed session cookie (local account or LDAP sign-in; viewer / agent /
 *   administrator), or nobody. The client's address is never an identity.
 * - CSRF: a request that changes state and carries the session cookie must come from the service's own
 *   origin (Origin / Referer) and echo the session's CSRF token in `X-CSRF-Token`.
 * - security headers (helmet, its middleware built once), rate limits (@fastify/rate-limit), cookies (@fastify/cookie);
 * - GET/POST /login, POST /logout, GET /auth/session, /auth/accounts (administrators).
 */
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config';
import { sameSecret } from '../signature';
import { pageLocale } from '../static';
import { Accounts, NAME_RE, type DocStorage } from './accounts';
import { ldapSignIn } from './ldap';
import { dummyHash, verifyPassword } from './passwords';
import { ANONYMOUS, atLeast, isRole, type Principal, type Role } from './roles';
import {
  checkCsrf,
  CSRF_COOKIE,
  CSRF_HEADER,
  csrfToken,
  decodeSession,
  encodeSession,
  newNonce,
  sessionKey,
  SESSION_COOKIE,
  type SessionData,
} from './session';
import { loginPage } from './login-page';

export { atLeast, type Principal, type Role } from './roles';
export { Accounts } from './accounts';

export interface Auth {
  config: ServerConfig;
  accounts: Accounts;
  key: Buffer;
  now: () => number;
  /** Whether reading tickets and figures needs no sign-in. */
  anonymousRead: boolean;
}

export async function createAuth(opts: {
  config: ServerConfig;
  docs: DocStorage;
  now: () => number;
  demo: boolean;
}): Promise<Auth> {
  const { config, now } = opts;
  return {
    config,
    accounts: new Accounts(opts.docs, now),
    key: await sessionKey(opts.docs, now()),
    now,
    anonymousRead: config.auth.anonymousRead === 'on' || (config.auth.anonymousRead === 'auto' && opts.demo),
  };
}

type Identified = Principal & { session?: SessionData; bad?: boolean };
const principals = new WeakMap<FastifyRequest, Identified>();

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Who made the request (computed once per request in an onRequest hook). */
export function principalOf(req: FastifyRequest): Principal {
  return principals.get(req) ?? ANONYMOUS;
}

function identify(auth: Auth, req: FastifyRequest): Identified {
  const authz = header(req, 'authorization');
  // A presented bearer token is checked and never silently downgraded to anonymous. Other schemes
  // (a reverse proxy's basic auth passed on) are not this service's credentials and are ignored.
  if (authz !== undefined && /^Bearer\s/i.test(authz)) {
    const token = authz.replace(/^Bearer\s+/i, '').trim();
    if (auth.config.adminToken && sameSecret(token, auth.config.adminToken))
      return { role: 'administrator', user: 'token', via: 'token' };
    return { ...ANONYMOUS, bad: true };
  }
  const s = decodeSession(auth.key, req.cookies?.[SESSION_COOKIE], auth.now());
  if (s) return { role: s.role, user: s.user, via: 'session', session: s };
  return ANONYMOUS;
}

export function sendError(reply: FastifyReply, status: number, error: string, message: string) {
  return reply.code(status).type('application/json; charset=utf-8').send({ error, message });
}

/** Refuses the request unless its principal has `role`; 401 for nobody, 403 for too little. */
export function requireRole(req: FastifyRequest, reply: FastifyReply, role: Role, what: string): boolean {
  const p = principalOf(req);
  if (atLeast(p.role, role)) return true;
  if (p.role === null)
    void sendError(
      reply,
      401,
      'unauthorized',
      `${what} needs a signed-in ${role}: sign in at /login (automation: Authorization: Bearer <REGLAMENT_ADMIN_TOKEN>)`,
    );
  else void sendError(reply, 403, 'forbidden', `${what} needs the role ${role}; ${p.user} is a ${p.role}`);
  return false;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The origins the service answers as: the public URL, and the Host the request was sent to. */
function ownOrigins(config: ServerConfig, req: FastifyRequest): Set<string> {
  const out = new Set<string>();
  if (config.publicUrl) out.add(new URL(config.publicUrl).origin);
  const host = header(req, 'host');
  if (host) {
    out.add(`http://${host}`);
    out.add(`https://${host}`);
  }
  return out;
}

/** Whether the request's Origin (or Referer) is the service itself; absent both, false. */
export function sameOrigin(config: ServerConfig, req: FastifyRequest): boolean {
  const origin =
    header(req, 'origin') ??
    (() => {
      const ref = header(req, 'referer');
      try {
        return ref ? new URL(ref).origin : undefined;
      } catch {
        return undefined;
      }
    })();
  if (!origin || origin === 'null') return false;
  const own = ownOrigins(config, req);
  // With a public URL configured, the Host header (which a proxy or an attacker may set) does not count.
  return config.publicUrl ? origin === new URL(config.publicUrl).origin : own.has(origin);
}

function setSessionCookies(auth: Auth, reply: FastifyReply, s: SessionData): string {
  const secure = auth.config.publicUrl?.startsWith('https:') === true;
  const maxAge = Math.max(1, Math.floor((s.expiresAt - auth.now()) / 1000));
  const token = csrfToken(auth.key, s);
  void reply.setCookie(SESSION_COOKIE, encodeSession(auth.key, s), {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge,
  });
  void reply.setCookie(CSRF_COOKIE, token, {
    path: '/',
    httpOnly: false,
    sameSite: 'strict',
    secure,
    maxAge,
  });
  return token;
}

/** Checks a user name and password: local accounts first, then the directory. */
export async function signIn(
  auth: Auth,
  username: string,
  password: string,
): Promise<
  | { ok: true; user: string; role: Role; source: 'local' | 'ldap' }
  | { ok: false; status: number; message: string }
> {
  const local = NAME_RE.test(username) ? await auth.accounts.get(username) : null;
  if (local) {
    if (await verifyPassword(password, local.hash))
      return { ok: true, user: local.name, role: local.role, source: 'local' };
    return { ok: false, status: 401, message: 'wrong user name or password' };
  }
  if (auth.config.ldap.url) {
    const r = await ldapSignIn(auth.config.ldap, username, password);
    if (r.ok) return { ok: true, user: r.user, role: r.role, source: 'ldap' };
    return {
      ok: false,
      status: r.reason === 'unavailable' ? 503 : r.reason === 'no-role' ? 403 : 401,
      message: r.message,
    };
  }
  await verifyPassword(password, await dummyHash());
  return { ok: false, status: 401, message: 'wrong user name or password' };
}

export async function registerAuth(app: FastifyInstance, auth: Auth): Promise<void> {
  const { config } = auth;
  await app.register(cookie);
  // Security headers: helmet's middleware is built once here and applied to each request (issue #14:
  // @fastify/helmet built it again per request, parsing the CSP directives each time, ~10 µs of CPU
  // per webhook event). The same headers, set at the same point (onRequest, after cookies).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // The UI's component library injects <style> elements.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // HSTS only when the service is served over https (publicUrl), else browsers on http would break.
    strictTransportSecurity: config.publicUrl?.startsWith('https:') ? { maxAge: 15552000 } : false,
    crossOriginEmbedderPolicy: false,
    // Not no-referrer: with it, browsers send `Origin: null` on same-origin POSTs, which the CSRF check
    // must refuse. same-origin keeps the Origin for the service's own pages and sends nothing elsewhere.
    referrerPolicy: { policy: 'same-origin' },
  });
  app.addHook('onRequest', (req, reply, done) =>
    securityHeaders(req.raw, reply.raw, (err) => done(err === undefined ? undefined : (err as Error))),
  );
  await app.register(rateLimit, { global: false });

  app.addHook('onRequest', async (req, reply) => {
    let p = identify(auth, req);
    // A local account removed, or given another role, loses its sessions (within a few seconds on
    // other instances).
    if (p.session?.source === 'local') {
      const name = p.session.user.toLowerCase();
      const account = (await auth.accounts.listCached()).find((a) => a.name.toLowerCase() === name);
      if (
        !account ||
        account.role !== p.session.role ||
        account.createdAt > new Date(p.session.issuedAt).toISOString()
      )
        p = ANONYMOUS;
    }
    principals.set(req, p);
    if (req.url.startsWith('/webhooks/')) return;
    if (p.bad)
      return sendError(
        reply,
        401,
        'unauthorized',
        'the Authorization header is not a valid administrator token (Bearer <REGLAMENT_ADMIN_TOKEN>)',
      );
    if (!UNSAFE.has(req.method) || req.url === '/login' || req.url.startsWith('/login?')) return;
    if (p.via !== 'session') return;
    if (!sameOrigin(config, req))
      return sendError(
        reply,
        403,
        'csrf',
        'cross-site request refused: a signed-in browser request must come from the service itself (Origin)',
      );
    if (!checkCsrf(auth.key, p.session!, header(req, CSRF_HEADER)))
      return sendError(
        reply,
        403,
        'csrf',
        `missing or wrong ${CSRF_HEADER} header (the value of the ${CSRF_COOKIE} cookie)`,
      );
    return undefined;
  });

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    scope.get<{ Querystring: { lang?: string; next?: string; error?: string } }>(
      '/login',
      async (req, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(
            loginPage({
              lang: pageLocale(req.query.lang, req.headers.cookie, header(req, 'accept-language')),
              next: safeNext(req.query.next),
              error: req.query.error === '1',
              ldap: Boolean(config.ldap.url),
            }),
          ),
    );
    scope.post<{ Body: Record<string, unknown> }>(
      '/login',
      {
        bodyLimit: 16 * 1024,
        config: {
          rateLimit: {
            max: config.auth.loginAttempts,
            timeWindow: 15 * 60_000,
            keyGenerator: (req: FastifyRequest) => req.ip,
            errorResponseBuilder: (_req: FastifyRequest, ctx: { after: string }) => ({
              statusCode: 429,
              error: 'too-many-attempts',
              message: `too many sign-in attempts from this address; try again in ${ctx.after}`,
            }),
          },
        },
      },
      async (req, reply) => {
        const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') === true;
        // Login CSRF: a sign-in posted from another site is refused (browsers send Origin on POST).
        if (header(req, 'origin') !== undefined && !sameOrigin(config, req))
          return sendError(reply, 403, 'csrf', 'cross-site sign-in refused (Origin is not this service)');
        const body = (req.body ?? {}) as Record<string, unknown>;
        const username = typeof body.username === 'string' ? body.username.trim() : '';
        const password = typeof body.password === 'string' ? body.password : '';
        const next = safeNext(typeof body.next === 'string' ? body.next : undefined);
        if (!username || !password) {
          if (form) return reply.redirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
          return sendError(reply, 400, 'invalid-request', 'username and password are required');
        }
        const r = await signIn(auth, username, password);
        if (!r.ok) {
          req.log.warn({ user: username.slice(0, 64), status: r.status }, 'sign-in refused');
          if (form) return reply.redirect(`/login?error=1&next=${encodeURIComponent(next)}`, 303);
          return sendError(reply, r.status, r.status === 503 ? 'unavailable' : 'unauthorized', r.message);
        }
        const now = auth.now();
        const s: SessionData = {
          user: r.user,
          role: r.role,
          source: r.source,
          issuedAt: now,
          expiresAt: now + config.auth.sessionHours * 3_600_000,
          nonce: newNonce(),
        };
        const csrf = setSessionCookies(auth, reply, s);
        req.log.info({ user: r.user, role: r.role, source: r.source }, 'signed in');
        if (form) return reply.redirect(next, 303);
        return reply.send({
          user: r.user,
          role: r.role,
          expiresAt: new Date(s.expiresAt).toISOString(),
          csrfToken: csrf,
        });
      },
    );
  });

  app.post('/logout', async (_req, reply) => {
    void reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
    return reply.send({ ok: true });
  });

  app.get('/auth/session', async (req, reply) => {
    const p: Identified = principals.get(req) ?? ANONYMOUS;
    return reply.header('cache-control', 'no-store').send({
      user: p.user,
      role: p.role,
      via: p.via,
      anonymousRead: auth.anonymousRead,
      ...(p.via === 'session' && p.session
        ? {
            expiresAt: new Date(p.session.expiresAt).toISOString(),
            csrfToken: csrfToken(auth.key, p.session),
          }
        : {}),
    });
  });

  app.get('/auth/accounts', async (req, reply) => {
    if (!requireRole(req, reply, 'administrator', 'listing accounts')) return reply;
    const list = await auth.accounts.list();
    return reply.send({
      accounts: list.map((a) => ({ name: a.name, role: a.role, createdAt: a.createdAt })),
    });
  });

  app.post<{ Body: { name?: unknown; role?: unknown; password?: unknown } }>(
    '/auth/accounts',
    async (req, reply) => {
      if (!requireRole(req, reply, 'administrator', 'managing accounts')) return reply;
      const b = (req.body ?? {}) as { name?: unknown; role?: unknown; password?: unknown };
      if (typeof b.name !== 'string' || !NAME_RE.test(b.name))
        return sendError(
          reply,
          400,
          'invalid-request',
          `name must be 1..64 letters, digits or . _ @ -, got ${JSON.stringify(b.name)?.slice(0, 80)}`,
        );
      if (!isRole(b.role))
        return sendError(
          reply,
          400,
          'invalid-request',
          `role must be viewer, agent or administrator, got ${JSON.stringify(b.role)?.slice(0, 80)}`,
        );
      if (typeof b.password !== 'string' || b.password.length < 12)
        return sendError(
          reply,
          400,
          'invalid-request',
          'password must be a string of at least 12 characters',
        );
      const a = await auth.accounts.put(b.name, b.role, b.password);
      return reply.send({ name: a.name, role: a.role, createdAt: a.createdAt });
    },
  );

  app.delete<{ Params: { name: string } }>('/auth/accounts/:name', async (req, reply) => {
    if (!requireRole(req, reply, 'administrator', 'managing accounts')) return reply;
    const removed = await auth.accounts.remove(req.params.name);
    if (!removed) return sendError(reply, 404, 'not-found', `no account ${req.params.name}`);
    return reply.send({ removed: req.params.name });
  });
}

/** A redirect target after sign-in: a path on this service only. */
function safeNext(next: string | undefined): string {
  return typeof next === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/';
}
