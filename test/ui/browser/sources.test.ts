/**
 * The admin page's "Sources" tab (issue #18) in a real browser against the real service: an
 * administrator sees the declared sources (kind, webhook URL, authentication without its secret, last
 * delivery), a source's field mapping, and tests a generic source's JSONata expression with a sample
 * payload — the mapped snapshot and the verdict, then the problems of a broken payload — in Russian.
 */
import type { Page } from 'playwright-core';
import type { Service } from '../../../src/server/service';
import { describeBrowser, openService, signIn, text, waitText, type ServiceHarness } from './helpers';

const TOKEN = 'gitlab-token-0123456789abcdef';
const MAPPING = `{
  "key": "GL-" & $string(object_attributes.iid),
  "kind": "incident",
  "registeredAt": object_attributes.created_at,
  "impact": "high",
  "urgency": "high",
  "mode": "operation",
  "nature": "failure"
}`;

describeBrowser('admin page: sources (browser)', () => {
  let h: ServiceHarness;
  let svc: Service;
  let base: string;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    h = await openService({
      config: {
        sources: [
          {
            name: 'gitlab',
            kind: 'generic',
            auth: { scheme: 'header-token', header: 'X-Gitlab-Token', token: TOKEN },
            mapping: MAPPING,
          },
        ],
      },
      locale: 'ru-RU',
      viewport: { width: 1280, height: 900 },
      timeout: 10_000,
    });
    ({ svc, base, page, errors } = h);
  }, 90_000);

  afterAll(async () => {
    await h?.close();
  });

  it('lists the sources without secrets and tests the mapping with a sample payload', async () => {
    // One delivery, so the list shows a last delivery.
    const delivered = await fetch(`${base}/webhooks/gitlab`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gitlab-token': TOKEN },
      body: JSON.stringify({ object_attributes: { iid: 7, created_at: '2026-03-06T16:30:00+03:00' } }),
    });
    expect(delivered.status).toBe(200);

    await signIn(page, base, 'admin', svc.initialAdmin!.password, '/ui/admin/?lang=ru');
    await page.locator('#tab-sources').click();
    expect(await text(page, '#tab-sources')).toBe('Источники');
    expect(await text(page, '#h-sources')).toBe('Источники заявок');
    const row = await text(page, '[data-testid=source-gitlab]');
    expect(row).toContain('generic');
    expect(row).toContain(`${base}/webhooks/gitlab`);
    expect(row).toContain('Token, X-Gitlab-Token');
    expect(row).not.toContain('не было');
    expect(await text(page, '[data-testid=source-generic]')).toContain('из прежних настроек');
    expect(await page.content()).not.toContain(TOKEN);

    // The generic source's expression is in the editor; a sample payload is mapped and evaluated.
    expect(await page.locator('#src-test-source').inputValue()).toBe('gitlab');
    expect(await page.locator('#src-mapping').inputValue()).toBe(MAPPING);
    await page
      .locator('#src-payload')
      .fill(JSON.stringify({ object_attributes: { iid: 12, created_at: '2026-03-06T16:30:00+03:00' } }));
    await page.locator('[data-testid=source-test]').click();
    const snapshot = await waitText(page, '[data-testid=source-test-snapshot]', (s) => s.includes('GL-12'));
    expect(JSON.parse(snapshot)).toMatchObject({ key: 'GL-12', kind: 'incident', impact: 'high' });
    // SPEC §8 example 1: priority 5 (critical), the reaction due 4 working hours on.
    expect(await text(page, '[data-testid=source-test-verdict]')).toMatch(
      /^Приоритет 5 \(critical\); срок реакции /,
    );

    // A payload the mapping turns into an invalid snapshot: the problems, naming the field.
    await page.locator('#src-payload').fill(JSON.stringify({ object_attributes: { iid: 13 } }));
    await page.locator('[data-testid=source-test]').click();
    expect(
      await waitText(page, '[data-testid=source-test-problems]', (s) => s.includes('registeredAt')),
    ).toContain('registeredAt');
    // Not JSON at all: said in Russian before anything is sent.
    await page.locator('#src-payload').fill('{oops');
    await page.locator('[data-testid=source-test]').click();
    expect(
      await waitText(page, '[data-testid=source-test-problems]', (s) => s.includes('не JSON')),
    ).toContain('Пример данных — не JSON');
    expect(errors).toEqual([]);
  }, 60_000);
});
