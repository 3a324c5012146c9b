/**
 * Security headers cost what they do once (issue #14): helmet's middleware is built when the service
 * starts, not once per request (@fastify/helmet built it per request, parsing the CSP directives each
 * time). The headers are the same on pages and on webhooks: the exact values below are the ones the
 * service sent before the change.
 */
import * as fs from 'node:fs';
import { example1, manualClock, service, signedGeneric, tempDir, type TestService } from './helpers';

// helmet(options) counted; the middleware it returns is helmet's own.
const builds = { count: 0 };
jest.mock('helmet', () => {
  const actual = jest.requireActual<typeof import('helmet')>('helmet');
  const counted = Object.assign((...args: Parameters<typeof actual.default>) => {
    builds.count += 1;
    return actual.default(...args);
  }, actual);
  // Callable as the CommonJS module (as @fastify/helmet used it) and as its default export.
  return Object.assign(counted, { default: counted, __esModule: true });
});

const clock = manualClock('2026-03-10T12:00:00+03:00');
let dir: string;
let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every header helmet sets, as the service sent them before issue #14's change (http, no HSTS). */
const EXPECTED: Record<string, string> = {
  'content-security-policy':
    "default-src 'self';base-uri 'none';font-src 'self' https: data:;form-action 'self';frame-ancestors 'none';" +
    "img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';" +
    "style-src 'self' 'unsafe-inline';connect-src 'self'",
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

describe('security headers', () => {
  it('are built once at start, and pages and webhooks carry the same ones as before', async () => {
    dir = tempDir();
    svc = await service(dir, {}, { now: clock.now });
    const atStart = builds.count;
    const page = await svc.inject({ url: '/login?lang=en' });
    const hook = await svc.inject(signedGeneric(example1()));
    const again = await svc.inject(signedGeneric(example1({ key: 'SUP-2' })));
    expect([page.statusCode, hook.statusCode, again.statusCode]).toEqual([200, 200, 200]);
    for (const res of [page, hook, again]) {
      for (const [name, value] of Object.entries(EXPECTED))
        expect([name, res.headers.get(name)]).toEqual([name, value]);
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
    expect(builds.count - atStart).toBe(0);
  });
});
