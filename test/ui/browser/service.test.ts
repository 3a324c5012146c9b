/**
 * The real self-hosted service in a real browser, with sign-in in place: the demo opens reading to
 * anonymous visitors (the admin page is read-only for them), an administrator signs in through the
 * login form and saves a change (session cookie + CSRF token + Origin, under the service's CSP).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createService, type Service } from '../../../src/server/service';
import { config } from '../../server/helpers';
import { buildUiOnce, CHROMIUM, describeBrowser, requireChromium, signIn, text, waitText } from './helpers';

describeBrowser('the self-hosted service with sign-in (browser)', () => {
  let svc: Service;
  let base: string;
  let dir: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  beforeAll(async () => {
    requireChromium();
    buildUiOnce();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-browser-service-'));
    svc = await createService({
      config: config(dir, { demo: 'on', port: 0, host: '127.0.0.1' }),
      logger: false,
      background: false,
      staticDir: path.resolve(__dirname, '../../../static'),
    });
    base = await svc.listen();
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      locale: 'en-US',
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    await svc?.close();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows the demo to anonymous readers; the admin page is read-only for them', async () => {
    await page.goto(`${base}/ui/gadget/?lang=en`);
    expect(await text(page, 'h1, h2')).toBeTruthy();
    await page.goto(`${base}/ui/admin/?lang=en`);
    expect(
      await waitText(page, 'body', (s) => s.includes('only an administrator can change them')),
    ).toContain('You can view the settings; only an administrator can change them.');
    expect(errors).toEqual([]);
  });

  it('an administrator signs in through the login form and saves a change', async () => {
    await signIn(page, base, 'admin', svc.initialAdmin!.password, '/ui/admin/?lang=en');
    expect(new URL(page.url()).pathname).toBe('/ui/admin/');
    const cell = page.locator('[data-path="incident.matrix.high.low"]');
    await cell.fill('3');
    await page.locator('[data-testid=save]').click();
    expect(await waitText(page, '.rg-save-status', (s) => s !== '')).toBe('Saved');
    expect((await svc.store.getSettings()).policy.incident.matrix.high.low).toBe(3);
    expect(errors).toEqual([]);
  });
});
