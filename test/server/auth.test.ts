/**
 * People, sessions and hostile traffic (issue #13), over real HTTP: loopback is no identity, sign-in
 * with local accounts, roles, expiring sessions, CSRF and Origin checks, security headers, rate limits
 * on /login and webhooks, request timeouts and the cap on webhook bodies in flight.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import {
  ADMIN_JSON,
  example1,
  manualClock,
  request,
  service,
  signedGeneric,
  tempDir,
  type ConfigOverrides,
  type InjectResponse,
  type TestService,
} from './helpers';

const json = { 'content-type': 'application/json' };
const clock = manualClock('2026-03-10T12:00:00+03:00');

let dir: string;
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(over: ConfigOverrides = {}): Promise<TestService> {
  dir = tempDir();
  clock.set(Date.parse('2026-03-10T12:00:00+03:00'));
  svc = await service(dir, over, { now: clock.now });
  return svc;
}

/** Signs in over POST /login (JSON); returns the Cookie header and the CSRF token. */
async function signIn(s: TestService, username: string, password: string) {
  const res = await request(s.base, {
    method: 'POST',
    url: '/login',
    payload: JSON.stringify({ username, password }),
    headers: json,
  });
  expect(res.statusCode).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return { cookie: cookies.join('; '), csrf: res.json().csrfToken as string, res };
}

const call = (s: TestService, name: string, headers: Record<string, string>, body: unknown = {}) =>
  s.inject({
    method: 'POST',
    url: `/api/${name}`,
    payload: JSON.stringify(body),
    headers: { ...json, ...headers },
  });

describe('who is asking (issue #13, 1)', () => {
  it('a request through a reverse proxy on this machine is anonymous: no settings, no inbox, no reading', async () => {
    const s = await start();
    const viaProxy = { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.7' };
    const save = await call(s, 'saveSettings', viaProxy, { escalation: { projects: {} } });
    expect(save.statusCode).toBe(401);
    expect((await s.inject({ url: '/admin/inbox', headers: viaProxy })).statusCode).toBe(401);
    const read = await call(s, 'getCompliance', viaProxy, { from: '2026-01-01', to: '2026-12-31' });
    expect(read.statusCode).toBe(401);
    expect(read.json()).toEqual({
      error: 'unauthorized',
      message:
        'getCompliance needs a signed-in viewer: sign in at /login (automation: Authorization: Bearer <REGLAMENT_ADMIN_TOKEN>)',
    });
    expect((await call(s, 'getIssueSla', viaProxy, { key: 'SUP-1' })).statusCode).toBe(401);
    // A proxy's own basic auth passed on is no credential here (and no error either).
    const basic = await s.inject({ url: '/auth/session', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.json()).toMatchObject({ user: null, role: null, via: 'anonymous' });
  });

  it('a cross-site text/plain POST with a foreign Origin and Host cannot rotate the webhook secret', async () => {
    const s = await start();
    const admin = await signIn(s, 'admin', s.initialAdmin!.password);
    const before = (await s.store.getSettings()).webhookSecret;
    const foreign = { origin: 'http://evil.example', host: 'evil.example', cookie: admin.cookie };
    const plain = await s.inject({
      method: 'POST',
      url: '/api/rotateWebhookSecret',
      payload: '{}',
      headers: { ...foreign, 'content-type': 'text/plain' },
    });
    expect(plain.statusCode).toBe(403);
    expect(plain.json().error).toBe('csrf');
    // Same origin but without the CSRF token: refused too.
    const noToken = await call(s, 'rotateWebhookSecret', { cookie: admin.cookie, origin: s.base });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json().message).toBe(
      'missing or wrong x-csrf-token header (the value of the reglament_csrf cookie)',
    );
    expect((await s.store.getSettings()).webhookSecret).toBe(before);
    // The page itself (same origin, token echoed) can.
    const own = await call(s, 'rotateWebhookSecret', {
      cookie: admin.cookie,
      origin: s.base,
      'x-csrf-token': admin.csrf,
    });
    expect(own.statusCode).toBe(200);
    expect((await s.store.getSettings()).webhookSecret).not.toBe(before);
    // A cross-site form cannot reach an API call at all (JSON only).
    const form = await s.inject({
      method: 'POST',
      url: '/api/getSettings',
      payload: 'a=1',
      headers: { ...ADMIN_JSON, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.statusCode).toBe(415);
  });
});

describe('sign-in, roles and sessions (issue #13, 7)', () => {
  it('the first start creates an administrator whose password is in the data directory', async () => {
    const s = await start();
    expect(s.initialAdmin).toMatchObject({ name: 'admin' });
    expect(fs.readFileSync(s.initialAdmin!.file, 'utf8').trim()).toBe(s.initialAdmin!.password);
    expect(fs.statSync(s.initialAdmin!.file).mode & 0o077).toBe(0);
    const stored = await s.storage.getDoc('accounts');
    expect(stored).not.toContain(s.initialAdmin!.password);
    expect(stored).toMatch(/"hash":"scrypt\$32768\$8\$1\$/);
  });

  it('viewers read, agents act in the ticket system, administrators change settings', async () => {
    const s = await start();
    const admin = await signIn(s, 'admin', s.initialAdmin!.password);
    const adminH = { cookie: admin.cookie, origin: s.base, 'x-csrf-token': admin.csrf };
    for (const [name, role] of [
      ['vera', 'viewer'],
      ['anton', 'agent'],
    ])
      expect(
        (
          await s.inject({
            method: 'POST',
            url: '/auth/accounts',
            payload: JSON.stringify({ name, role, password: `${name}-password-123` }),
            headers: { ...json, ...adminH },
          })
        ).statusCode,
      ).toBe(200);
    const bad = await s.inject({
      method: 'POST',
      url: '/auth/accounts',
      payload: JSON.stringify({ name: 'x', role: 'owner', password: 'long-enough-password' }),
      headers: { ...json, ...adminH },
    });
    expect(bad.json()).toEqual({
      error: 'invalid-request',
      message: 'role must be viewer, agent or administrator, got "owner"',
    });

    const vera = await signIn(s, 'vera', 'vera-password-123');
    const veraH = { cookie: vera.cookie, origin: s.base, 'x-csrf-token': vera.csrf };
    expect((await s.inject({ url: '/auth/session', headers: { cookie: vera.cookie } })).json()).toMatchObject(
      {
        user: 'vera',
        role: 'viewer',
        via: 'session',
      },
    );
    expect((await call(s, 'getCompliance', veraH, { from: '2026-01-01', to: '2026-12-31' })).statusCode).toBe(
      200,
    );
    const settings = await call(s, 'getSettings', veraH);
    expect(settings.json().canEdit).toBe(false);
    const save = await call(s, 'saveSettings', veraH, {});
    expect(save.statusCode).toBe(403);
    expect(save.json().message).toBe('saveSettings needs the role administrator; vera is a viewer');
    expect((await call(s, 'registerError', veraH, { key: 'SUP-1' })).statusCode).toBe(403);
    const anton = await signIn(s, 'anton', 'anton-password-123');
    const antonH = { cookie: anton.cookie, origin: s.base, 'x-csrf-token': anton.csrf };
    // Past the role check (no such issue in the service's tickets).
    expect((await call(s, 'registerError', antonH, { key: 'SUP-1' })).statusCode).not.toBe(403);
    expect((await call(s, 'saveSettings', adminH, {})).json()).toEqual({ ok: true });
    // Removing an account ends its sessions.
    const removed = await s.inject({ method: 'DELETE', url: '/auth/accounts/vera', headers: adminH });
    expect(removed.json()).toEqual({ removed: 'vera' });
    expect((await call(s, 'getCompliance', veraH, { from: '2026-01-01', to: '2026-12-31' })).statusCode).toBe(
      401,
    );
  });

  it('a session expires after REGLAMENT_SESSION_HOURS; a forged cookie is nobody', async () => {
    const s = await start({ auth: { sessionHours: 2 } });
    const admin = await signIn(s, 'admin', s.initialAdmin!.password);
    const cookieLine = admin.res.headers.getSetCookie().find((c) => c.startsWith('reglament_session='))!;
    expect(cookieLine).toMatch(/Max-Age=7200/);
    expect(cookieLine).toMatch(/HttpOnly/);
    expect(cookieLine).toMatch(/SameSite=Strict/);
    const inbox = () => s.inject({ url: '/admin/inbox', headers: { cookie: admin.cookie } });
    expect((await inbox()).statusCode).toBe(200);
    clock.advance(2 * 3_600_000 - 1000);
    expect((await inbox()).statusCode).toBe(200);
    clock.advance(2000);
    expect((await inbox()).statusCode).toBe(401);
    const [body] = admin.cookie.split('reglament_session=')[1]!.split(';');
    const forged = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body!.split('.')[0]!, 'base64url').toString()),
        expiresAt: 9e15,
      }),
    ).toString('base64url');
    const tampered = await s.inject({
      url: '/admin/inbox',
      headers: { cookie: `reglament_session=${forged}.${body!.split('.')[1]}` },
    });
    expect(tampered.statusCode).toBe(401);
  });

  it('limits sign-in attempts per address (REGLAMENT_LOGIN_ATTEMPTS)', async () => {
    const s = await start({ auth: { loginAttempts: 3 } });
    const attempt = (password: string): Promise<InjectResponse> =>
      request(s.base, {
        method: 'POST',
        url: '/login',
        payload: JSON.stringify({ username: 'admin', password }),
        headers: json,
      });
    for (let i = 0; i < 3; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    const limited = await attempt(s.initialAdmin!.password);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().message).toMatch(/^too many sign-in attempts from this address; try again in /);
  });

  it('a sign-in posted from another site is refused (login CSRF)', async () => {
    const s = await start();
    const res = await request(s.base, {
      method: 'POST',
      url: '/login',
      payload: `username=admin&password=${encodeURIComponent(s.initialAdmin!.password)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('the login page speaks Russian and English; pages carry security headers', async () => {
    const s = await start();
    const ru = await s.inject({ url: '/login', headers: { 'accept-language': 'ru-RU,ru;q=0.9' } });
    expect(ru.body).toContain('<html lang="ru">');
    expect(ru.body).toContain('Имя пользователя');
    const en = await s.inject({ url: '/login?lang=en' });
    expect(en.body).toContain('User name');
    const index = await s.inject({ url: '/' });
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(index.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('anonymous readers when the administrator opens reading; expensive calls still need sign-in (issue #13, 3)', async () => {
    const s = await start({ auth: { anonymousRead: 'on' } });
    expect((await call(s, 'getCompliance', {}, { from: '2026-01-01', to: '2026-12-31' })).statusCode).toBe(
      200,
    );
    const preview = await call(s, 'preview', {}, { snapshot: example1() });
    expect(preview.statusCode).toBe(401);
    expect((await call(s, 'getCalendarYear', {}, { year: 2026, calendar: {} })).statusCode).toBe(401);
    expect((await call(s, 'rotateWebhookSecret', {})).statusCode).toBe(401);
  });

  it('the notification preview follows one rule for its text and its frame: whoever may call previewNotification loads preview.html', async () => {
    // Seen in CI: the admin page of an anonymous reader framed preview.html, which answered 401 under
    // `frame-ancestors 'none'`, and the browser logged the refused frame. The sample holds no data.
    const url = '/admin/notifications/preview.html?trigger=breached&language=en';
    let s = await start({ auth: { anonymousRead: 'on' } });
    expect(
      (await call(s, 'previewNotification', {}, { trigger: 'breached', language: 'en' })).statusCode,
    ).toBe(200);
    const page = await s.inject({ url });
    expect(page.statusCode).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'self'");
    expect(page.body).toContain('Reaction time');
    await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
    s = await start({ auth: { anonymousRead: 'off' } });
    expect(
      (await call(s, 'previewNotification', {}, { trigger: 'breached', language: 'en' })).statusCode,
    ).toBe(401);
    expect((await s.inject({ url })).statusCode).toBe(401);
  });
});

/** Opens a raw connection, sends the head of a POST and part of its body; resolves with what comes back. */
function slowBody(base: string, path: string, total: number, sent: number) {
  const url = new URL(base);
  const socket = net.connect(Number(url.port), url.hostname);
  let data = '';
  const closed = new Promise<string>((resolve) => {
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve(data));
    socket.on('error', () => undefined);
  });
  const ready = new Promise<void>((resolve) =>
    socket.on('connect', () => {
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: ${total}\r\n\r\n` +
          'x'.repeat(sent),
      );
      resolve();
    }),
  );
  return { socket, ready, closed, received: () => data };
}

describe('hostile traffic (issue #13, 3)', () => {
  it('a slow body ends with 408 after REGLAMENT_REQUEST_TIMEOUT_MS and the connection closes', async () => {
    const s = await start({ limits: { requestTimeoutMs: 300 } });
    const slow = slowBody(s.base, '/webhooks/generic', 1_000_000, 10);
    await slow.ready;
    const answer = await slow.closed;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('at most REGLAMENT_MAX_PENDING_BODIES webhook bodies are received at once; more get 503', async () => {
    const s = await start({ limits: { maxPendingBodies: 2 } });
    const held = [
      slowBody(s.base, '/webhooks/generic', 1_000_000, 1000),
      slowBody(s.base, '/webhooks/jira', 1_000_000, 1000),
    ];
    await Promise.all(held.map((h) => h.ready));
    // The two heads are read by the server before the third request arrives.
    await waitUntil(async () => (await s.inject({ url: '/healthz' })).statusCode > 0);
    let busy: InjectResponse | undefined;
    await waitUntil(async () => {
      busy = await s.inject(signedGeneric(example1()));
      return busy.statusCode === 503;
    });
    expect(busy!.json()).toEqual({
      error: 'busy',
      message:
        '2 request bodies from unauthenticated senders are being received already (REGLAMENT_MAX_PENDING_BODIES); retry later',
    });
    expect(s.metrics.rejected.get({ source: 'generic', reason: 'busy' })).toBeGreaterThan(0);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    await waitUntil(async () => (await s.inject(signedGeneric(example1()))).statusCode === 200);
  });

  it('limits UI calls per person or address (REGLAMENT_API_RATE_LIMIT)', async () => {
    const s = await start({ limits: { apiPerMinute: 2 }, auth: { anonymousRead: 'on' } });
    const read = () => call(s, 'getSettings', {});
    expect((await read()).statusCode).toBe(200);
    expect((await read()).statusCode).toBe(200);
    expect((await read()).statusCode).toBe(429);
  });

  it('a Jira webhook with a wrong URL token is refused before its body is read', async () => {
    const s = await start({
      jira: { url: 'http://127.0.0.1:9', token: 't', webhookToken: 'jira-webhook-token-0123456789' },
    });
    const slow = slowBody(s.base, '/webhooks/jira?token=wrong', 1_000_000, 10);
    await slow.ready;
    expect(await slow.closed).toMatch(/^HTTP\/1\.1 401 [^]*"error":"bad-token"/);
  });

  it('limits webhook requests per source address (REGLAMENT_WEBHOOK_RATE_LIMIT)', async () => {
    const s = await start({ limits: { webhookPerMinute: 3 } });
    for (let i = 0; i < 3; i++)
      expect((await s.inject(signedGeneric(example1({ key: `SUP-${i + 1}` })))).statusCode).toBe(200);
    expect((await s.inject(signedGeneric(example1({ key: 'SUP-9' })))).statusCode).toBe(429);
  });
});

/** Polls `cond` (no timed assertion: jest's timeout is the only limit). */
async function waitUntil(cond: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
