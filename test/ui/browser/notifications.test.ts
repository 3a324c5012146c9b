/**
 * The admin page's Notifications tab in a real browser against the real service and a real SMTP
 * server (smtp-server on loopback): an administrator adds an e-mail channel and a rule in Russian,
 * saves, sends a test message that the SMTP server receives, and previews the templates in both
 * languages. The received e-mail is then rendered in Chromium (docs/notifications.md shows it).
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import type { Service } from '../../../src/server/service';
import { freePort } from '../../support/free-port';
import {
  describeBrowser,
  openService,
  screenshot,
  signIn,
  text,
  waitText,
  type ServiceHarness,
} from './helpers';

describeBrowser('admin page: notifications (browser, real SMTP)', () => {
  let h: ServiceHarness;
  let svc: Service;
  let base: string;
  let page: Page;
  let errors: string[];
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: ParsedMail[] = [];

  beforeAll(async () => {
    smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _s, cb) {
        simpleParser(stream).then((m) => {
          mails.push(m);
          cb();
        }, cb);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    h = await openService({ locale: 'ru-RU', viewport: { width: 1280, height: 900 }, timeout: 10_000 });
    ({ svc, base, page, errors } = h);
  }, 90_000);

  afterAll(async () => {
    await h?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(resolve) : resolve()));
  });

  it('an administrator adds an e-mail channel and a rule, saves, and sends a test message', async () => {
    await signIn(page, base, 'admin', svc.initialAdmin!.password, '/ui/admin/?lang=ru');
    await page.locator('#tab-notifications').click();
    expect(await text(page, '#h-notify')).toBe('Уведомления по почте, в чат и через вебхуки');
    await page.locator('[data-testid=add-email]').click();
    // Problems are named in Russian while the channel is incomplete; Save stays disabled.
    expect(await waitText(page, '[data-testid=notify-problems]', (s) => s.includes('SMTP'))).toContain(
      'Канал 1: укажите SMTP-сервер',
    );
    expect(await page.locator('[data-testid=notify-save]').isDisabled()).toBe(true);
    await page.locator('#ch0-id').fill('mail');
    await page.locator('#ch0-host').fill('127.0.0.1');
    await page.locator('#ch0-port').fill(String(smtpPort));
    await page.locator('#ch0-from').fill('Reglament <sla@vendor.example>');
    await page.locator('[data-testid=add-rule]').click();
    await page.locator('#rule0-addresses').fill('lead@vendor.example');
    expect(await page.locator('[data-testid=notify-problems]').count()).toBe(0);
    await page.locator('[data-testid=notify-save]').click();
    await waitText(page, '[data-testid=notifications-tab] [role=status]', (s) => s === 'Сохранено');
    const saved = (await svc.store.getSettings()).notifications!;
    expect(saved.channels).toEqual([
      {
        id: 'mail',
        kind: 'email',
        host: '127.0.0.1',
        port: smtpPort,
        secure: false,
        from: 'Reglament <sla@vendor.example>',
      },
    ]);
    expect(saved.rules).toEqual([
      expect.objectContaining({
        channel: 'mail',
        on: ['breached'],
        roles: ['assignee'],
        addresses: ['lead@vendor.example'],
        language: 'ru',
        quietHours: true,
      }),
    ]);

    await page.locator('#ch0-test-to').fill('admin@vendor.example');
    await page.locator('[data-testid=channel-0-test]').click();
    expect(await waitText(page, '[data-testid=channel-0-result]', (s) => s.length > 0)).toBe(
      'Тестовое сообщение принято.',
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('[SUP-1] Срок реакции: нарушен');
    expect(errors).toEqual([]);
  });

  it('previews the messages in both languages', async () => {
    expect(await text(page, '[data-testid=notify-preview-subject]')).toBe('[SUP-1] Срок реакции: нарушен');
    // The HTML in its frame, as the recipient sees it.
    const frame = page.frameLocator('[data-testid=notify-preview-frame]');
    await frame.locator('p').first().waitFor();
    expect(await frame.locator('p').first().textContent()).toBe(
      'Срок реакции по SUP-1 нарушен — крайний срок 10 марта 2026, 16:30 (Europe/Moscow) истёк, просрочка 4 ч 30 мин рабочего времени.',
    );
    await screenshot(page, 'admin-notifications-ru');
    await page.locator('#notify-preview-language').selectOption('en');
    await page.locator('#notify-preview-trigger').selectOption('error-fixed');
    expect(await waitText(page, '[data-testid=notify-preview-subject]', (s) => s.includes('fixed'))).toBe(
      '[SUP-1] Error fixed',
    );
  });

  it('the received e-mail reads well in a browser (Russian)', async () => {
    const mailPage = await h.context.newPage();
    await mailPage.setViewportSize({ width: 720, height: 420 });
    await mailPage.setContent(String(mails[0]!.html));
    expect(await text(mailPage, 'p')).toBe(
      'Срок реакции по SUP-1 нарушен — крайний срок 10 марта 2026, 16:30 (Europe/Moscow) истёк, просрочка 4 ч 30 мин рабочего времени.',
    );
    expect(await text(mailPage, 'table')).toContain('Просрочка (рабочее время)4 ч 30 мин');
    await screenshot(mailPage, 'notification-email-ru');
    await mailPage.close();
  });
});
