/**
 * The admin page's Customers tab (issue #17) in a real browser: an administrator adds a customer
 * and its contract, sees a wrong date refused next to its input (saving blocked), fixes it, saves;
 * exports the customers as CSV, imports a second customer from CSV and saves it; the tab reads in
 * Russian too.
 */
import { NOW, seedDemo } from './fixtures';
import { describeBrowser, openHarness, screenshot, text, waitText, type Harness } from './helpers';

describeBrowser('admin page: customers (browser)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      now: NOW,
      seed: seedDemo,
      browserNow: NOW,
      viewport: { width: 1280, height: 1000 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('adds a customer with a contract, refusing a wrong date next to its input', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=en`);
    await page.getByRole('tab', { name: 'Customers' }).click();
    expect(await text(page, '[data-testid=customers-tab] > p.rg-muted + .rg-savebar + p')).toBe(
      'No customers yet: every ticket is evaluated with the site policy and calendar.',
    );
    await page.locator('[data-testid=add-customer]').click();
    await page.locator('[data-path="customers.0.id"]').fill('vl');
    await page.locator('[data-path="customers.0.name"]').fill('Порт Владивосток');
    await page.locator('[data-path="customers.0.identities"]').fill('organization:Vladivostok Port');
    const c = 'customers.0.contracts.0';
    await page.locator(`[data-path="${c}.certificate"]`).fill('VL-2026');
    await page.locator(`[data-path="${c}.validFrom"]`).fill('2026-01-01');
    await page.locator(`[data-path="${c}.validTo"]`).fill('2025-12-31');
    await page.locator(`[data-path="${c}.zone"]`).fill('Asia/Vladivostok');
    await page.locator(`[data-path="${c}.zoneMode"]`).selectOption('customer');
    await page.locator(`[data-path="${c}.contacts"]`).fill('duty@vl.example');
    const validTo = page.locator(`[data-path="${c}.validTo"]`);
    expect(await validTo.getAttribute('aria-invalid')).toBe('true');
    expect(await text(page, `#cu-${c.replace(/\./g, '_')}_validTo-err`)).toBe(
      'must not be before validFrom "2026-01-01", got "2025-12-31"',
    );
    expect(await page.locator('[data-testid=customers-save]').isDisabled()).toBe(true);
    await screenshot(page, 'admin-customers-problem-en');
    await validTo.fill('2026-12-31');
    await page.locator('[data-testid=customers-problems]').waitFor({ state: 'detached' });
    await page.locator('[data-testid=customers-save]').click();
    expect(await waitText(page, '[data-testid=customers-status]', (s) => s !== '')).toBe('Saved');
    expect(h.server.store.settings.customers).toEqual({
      customers: [
        {
          id: 'vl',
          name: 'Порт Владивосток',
          identities: [{ kind: 'organization', value: 'Vladivostok Port' }],
          contracts: [
            {
              certificate: 'VL-2026',
              validFrom: '2026-01-01',
              validTo: '2026-12-31',
              instances: [],
              preset: 'site',
              calendar: 'site',
              zone: 'Asia/Vladivostok',
              zoneMode: 'customer',
              contacts: ['duty@vl.example'],
            },
          ],
        },
      ],
    });
  });

  it('exports CSV, imports another customer from CSV and saves both', async () => {
    const { page } = h;
    await page.locator('[data-testid=customers-export]').click();
    const exported = await page.locator('[data-testid=customers-csv]').inputValue();
    expect(exported.split(/\r?\n/)[1]).toBe(
      'vl,Порт Владивосток,organization:Vladivostok Port,VL-2026,2026-01-01,2026-12-31,,site,site,Asia/Vladivostok,customer,duty@vl.example',
    );
    // A bad row is refused with its line, column and value.
    await page
      .locator('[data-testid=customers-csv]')
      .fill(
        `${exported.split(/\r?\n/)[0]}\r\nold,Old Co,component:OldCo,OLD-2025,2025-01-01,2025-13-31,,site,site,Europe/Moscow,vendor,\r\n`,
      );
    await page.locator('[data-testid=customers-import]').click();
    expect(await text(page, '[data-testid=customers-csv-note]')).toBe(
      'line 2, valid_to: must be a date YYYY-MM-DD, got "2025-13-31"',
    );
    await page
      .locator('[data-testid=customers-csv]')
      .fill(
        `${exported.split(/\r?\n/)[0]}\r\nold,Old Co,component:OldCo,OLD-2025,2025-01-01,2025-12-31,,site,site,Europe/Moscow,vendor,\r\n`,
      );
    await page.locator('[data-testid=customers-import]').click();
    expect(await text(page, '[data-testid=customers-csv-note]')).toBe(
      'Imported 1 customer(s); save to keep them.',
    );
    expect(await page.locator('[data-path="customers.1.id"]').inputValue()).toBe('old');
    await page.locator('[data-testid=customers-save]').click();
    expect(await waitText(page, '[data-testid=customers-status]', (s) => s !== '')).toBe('Saved');
    expect(
      h.server.store.settings.customers?.customers.map((x) => [x.id, x.contracts[0]?.certificate]),
    ).toEqual([
      ['vl', 'VL-2026'],
      ['old', 'OLD-2025'],
    ]);
    await screenshot(page, 'admin-customers-en');
    expect(h.errors).toEqual([]);
  });

  it('reads in Russian', async () => {
    const { page } = h;
    await page.goto(`${h.server.url}/ui/admin/?lang=ru`);
    await page.getByRole('tab', { name: 'Заказчики' }).click();
    expect(await page.locator('label[for="cu-customers_0_contracts_0_certificate"]').textContent()).toBe(
      '№ сертификата',
    );
    expect(await page.locator('[data-testid=customers-save]').textContent()).toBe('Сохранить заказчиков');
    expect(
      await page.locator('[data-path="customers.0.contracts.0.zoneMode"] option:checked').textContent(),
    ).toBe('Поясу заказчика');
  });
});
