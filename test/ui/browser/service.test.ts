/**
 * The real self-hosted service in a real browser, with sign-in in place: the demo opens reading to
 * anonymous visitors (the admin page is read-only for them), an administrator signs in through the
 * login form and saves a change (session cookie + CSRF token + Origin, under the service's CSP).
 */
import type { Page } from 'playwright-core';
import type { Service } from '../../../src/server/service';
import { describeBrowser, openService, signIn, text, waitText, type ServiceHarness } from './helpers';

describeBrowser('the self-hosted service with sign-in (browser)', () => {
  let h: ServiceHarness;
  let svc: Service;
  let base: string;
  let page: Page;
  let errors: string[];
  beforeAll(async () => {
    h = await openService({ config: { demo: 'on' }, viewport: { width: 1280, height: 900 } });
    ({ svc, base, page, errors } = h);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('shows the demo to anonymous readers; the admin page is read-only for them', async () => {
    await page.goto(`${base}/ui/gadget/?lang=en`);
    expect(await text(page, 'h1, h2')).toBeTruthy();
    await page.goto(`${base}/ui/admin/?lang=en`);
    expect(
      await waitText(page, 'body', (s) => s.includes('only an administrator can change them')),
    ).toContain('You can view the settings; only an administrator can change them.');
    // The notifications panel (mounted, hidden) tells a reader it is the administrator's, and renders
    // nothing else first. Seen in CI: it rendered its preview frame until getNotifications' 401
    // arrived, and the frame's 401 (under `frame-ancestors 'none'`) was logged as refused framing.
    await page.locator('[data-testid=notify-admin-only]').waitFor({ state: 'attached' });
    expect(await page.locator('[data-testid=notify-admin-only]').textContent()).toBe(
      'Only an administrator can see the notification channels and the messages waiting to be sent.',
    );
    expect(await page.locator('[data-testid=notify-preview-frame]').count()).toBe(0);
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
