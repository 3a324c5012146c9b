/**
 * Notifications end to end (issue #16): generic snapshots in → the worker → the outbox (the inbox,
 * source `notify`) → a real SMTP server (smtp-server, on loopback) and a local HTTP receiver for the
 * Slack-compatible chat webhook and the signed outgoing webhook. One message per clock state, none on
 * redelivery or restart, none in quiet hours (queued for the next working minute of the production
 * calendar), retries after the receiver comes back. Time is the service's manual clock.
 */
import * as http from 'node:http';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { signTimestamped } from '../../src/app/webhook';
import type { Snapshot } from '../../src/domain/snapshot';
import { freePort } from '../support/free-port';
import {
  ADMIN,
  ADMIN_JSON,
  example1,
  manualClock,
  service,
  signedGeneric,
  tempDir,
  type TestService,
} from './helpers';

jest.setTimeout(60_000);

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

const HOOK_SECRET = 'outgoing-webhook-secret-123';

describe('self-hosted service: notifications by e-mail, chat and webhook', () => {
  const clock = manualClock('2026-03-11T12:00:00+03:00');
  let dir: string;
  let svc: TestService;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: ParsedMail[] = [];
  let receiver: http.Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let receiverDown = false;

  beforeAll(async () => {
    smtpPort = await freePort();
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((m) => {
            mails.push(m);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const status = receiverDown ? 503 : 200;
        received.push({ path: req.url ?? '', headers: req.headers, body, status });
        res
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(status === 200 ? 'ok' : 'down for maintenance');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    dir = tempDir();
    svc = await service(dir, {}, { now: clock.now });
  });

  afterAll(async () => {
    await svc?.close();
    await new Promise<void>((resolve) => smtp.close(resolve));
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const notifications = {
    channels: [
      {
        id: 'mail',
        kind: 'email',
        host: '127.0.0.1',
        port: 0,
        secure: false,
        from: 'Reglament <sla@vendor.example>',
      },
      { id: 'chat', kind: 'chat', url: '' },
      { id: 'hook', kind: 'webhook', url: '', secret: HOOK_SECRET },
    ],
    rules: [
      {
        id: 'team-mail',
        on: ['breached'],
        channel: 'mail',
        roles: ['assignee'],
        addresses: ['lead@vendor.example'],
        language: 'ru',
      },
      { id: 'team-chat', on: ['breached'], channel: 'chat', language: 'en', quietHours: false },
      { id: 'ops-hook', on: ['breached'], channel: 'hook', language: 'en', quietHours: false },
    ],
  };

  const configure = async () => {
    const doc = JSON.parse(JSON.stringify(notifications)) as typeof notifications;
    doc.channels[0]!.port = smtpPort;
    doc.channels[1]!.url = `${receiverUrl}/chat`;
    doc.channels[2]!.url = `${receiverUrl}/hook`;
    const r = await svc.inject({
      method: 'POST',
      url: '/api/saveSettings',
      headers: ADMIN_JSON,
      payload: JSON.stringify({ notifications: doc }),
    });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ ok: true });
  };

  /** SPEC §8 example 1 (reaction due Tuesday 2026-03-10 16:30 MSK), with the assignee's address. */
  const snapshot = (key: string, over: Partial<Snapshot> = {}): Snapshot =>
    example1({
      key,
      updatedAt: new Date(clock.now()).toISOString(),
      contacts: { assignee: { name: 'Иван Петров', email: 'ivanov@vendor.example' } },
      ...over,
    });

  const post = async (s: Snapshot, delivery: string) => {
    const r = await svc.inject(signedGeneric(s, { 'x-reglament-delivery': delivery }));
    expect(r.statusCode).toBeLessThan(300);
    await svc.worker.drain();
  };

  const mailsFor = (key: string) => mails.filter((m) => m.subject?.includes(`[${key}]`));
  const postsFor = (path: string, key: string, status = 200) =>
    received.filter((r) => r.path === path && r.status === status && r.body.includes(`"${key}`));

  it('saving a rule with a bad channel is refused, naming the field and the value', async () => {
    const r = await svc.inject({
      method: 'POST',
      url: '/api/saveSettings',
      headers: ADMIN_JSON,
      payload: JSON.stringify({
        notifications: {
          channels: [{ id: 'mail', kind: 'email', host: 'x', port: 70000, from: 'a@b.c' }],
          rules: [],
        },
      }),
    });
    expect(r.json()).toEqual({
      ok: false,
      errors: [
        { path: 'notifications.channels[0].port', message: 'must be a port number 1–65535, got 70000' },
      ],
    });
  });

  it('a breached reaction goes out once by e-mail (Russian), chat and a signed webhook', async () => {
    await configure();
    await post(snapshot('SUP-101'), 'd-1');
    const mail = mailsFor('SUP-101');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe('[SUP-101] Срок реакции: нарушен');
    expect((mail[0]!.to as { text: string }).text).toBe('ivanov@vendor.example, lead@vendor.example');
    expect(mail[0]!.text).toContain(
      // Tuesday 16:30–18:00 and Wednesday 09:00–12:00: 4.5 working hours late.
      'Срок реакции по SUP-101 нарушен — крайний срок 10 марта 2026, 16:30 (Europe/Moscow) истёк, просрочка 4 ч 30 мин рабочего времени.',
    );
    expect(mail[0]!.html).toContain('<html lang="ru">');

    const chatPosts = received.filter((r) => r.path === '/chat');
    expect(chatPosts).toHaveLength(1);
    expect(JSON.parse(chatPosts[0]!.body).text).toMatch(
      /^\*\[SUP-101\] Reaction time breached\*\nThe reaction time of SUP-101 is breached/,
    );

    const hooks = postsFor('/hook', 'SUP-101');
    expect(hooks).toHaveLength(1);
    const h = hooks[0]!;
    const body = JSON.parse(h.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: 'SUP-101|reaction:breached|ops-hook',
      type: 'breached',
      issueKey: 'SUP-101',
      project: 'SUP',
    });
    expect((body.verdict as { priority: { value: number } }).priority.value).toBe(5);
    // The receiver checks it like our own incoming webhook: HMAC of "<timestamp>.<body>".
    const ts = Number(h.headers['x-reglament-timestamp']);
    expect(h.headers['x-reglament-signature']).toBe(
      signTimestamped(HOOK_SECRET, h.body, ts)['x-reglament-signature'],
    );
    expect(ts).toBe(Math.floor(clock.now() / 1000));
  });

  it('a redelivery, a newer snapshot of the same state and a sweep send nothing more', async () => {
    await post(snapshot('SUP-101'), 'd-1');
    clock.advance(60_000);
    await post(snapshot('SUP-101', { summary: 'edited' }), 'd-2');
    await svc.sweepNow();
    await svc.worker.drain();
    expect(mailsFor('SUP-101')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(1);
  });

  it('nothing more after a restart either', async () => {
    await svc.close();
    svc = await service(dir, {}, { now: clock.now });
    await svc.sweepNow();
    await svc.worker.drain();
    expect(mailsFor('SUP-101')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/hook')).toHaveLength(1);
  });

  it('quiet hours: a breach found on Saturday is mailed on Monday 09:00; the chat rule without quiet hours goes at once', async () => {
    // Registered Thursday 2026-03-12 10:00 MSK: the 8 working hours end Friday 10:00.
    clock.set(Date.parse('2026-03-14T12:00:00+03:00'));
    await post(snapshot('SUP-102', { registeredAt: '2026-03-12T10:00:00+03:00' }), 'd-3');
    expect(mailsFor('SUP-102')).toHaveLength(0);
    expect(postsFor('/hook', 'SUP-102')).toHaveLength(1);
    const admin = await svc.inject({ url: '/admin/notifications', headers: ADMIN });
    expect(admin.statusCode).toBe(200);
    const pending = (admin.json().outbox.pending as { key: string; notBefore: string }[]).filter((p) =>
      p.key.includes('SUP-102'),
    );
    expect(pending).toEqual([
      expect.objectContaining({
        key: 'notify:SUP-102|reaction:breached|team-mail',
        notBefore: '2026-03-16T06:00:00.000Z',
      }),
    ]);

    clock.set(Date.parse('2026-03-16T08:59:00+03:00'));
    await svc.worker.drain();
    expect(mailsFor('SUP-102')).toHaveLength(0);
    clock.set(Date.parse('2026-03-16T09:00:00+03:00'));
    await svc.worker.drain();
    expect(mailsFor('SUP-102')).toHaveLength(1);
  });

  it('a receiver that is down gets the message again when it is back, once', async () => {
    clock.set(Date.parse('2026-03-17T12:00:00+03:00'));
    receiverDown = true;
    await post(snapshot('SUP-103', { registeredAt: '2026-03-13T10:00:00+03:00' }), 'd-4');
    expect(postsFor('/hook', 'SUP-103', 503)).toHaveLength(1);
    expect(postsFor('/hook', 'SUP-103')).toHaveLength(0);
    const admin = await svc.inject({ url: '/admin/notifications', headers: ADMIN });
    const waiting = (
      admin.json().outbox.pending as { key: string; attempts: number; lastError: string }[]
    ).find((p) => p.key === 'notify:SUP-103|reaction:breached|ops-hook');
    expect(waiting).toMatchObject({ attempts: 1 });
    expect(waiting!.lastError).toMatch(/HTTP 503 down for maintenance/);
    // Still down at the first retry, back for the second.
    clock.advance(60_000);
    await svc.worker.drain();
    expect(postsFor('/hook', 'SUP-103', 503)).toHaveLength(2);
    receiverDown = false;
    clock.advance(10 * 60_000);
    await svc.worker.drain();
    clock.advance(10 * 60_000);
    await svc.worker.drain();
    expect(postsFor('/hook', 'SUP-103')).toHaveLength(1);
    expect(svc.metrics.notifications.get({ kind: 'webhook' })).toBeGreaterThanOrEqual(1);
  });

  it('the administrator sends a test e-mail and previews the templates; others may not', async () => {
    const before = mails.length;
    const r = await svc.inject({
      method: 'POST',
      url: '/admin/notifications/test',
      headers: ADMIN_JSON,
      payload: JSON.stringify({ channel: 'mail', to: ['admin@vendor.example'], language: 'en' }),
    });
    expect(r.statusCode).toBe(200);
    expect(mails.length).toBe(before + 1);
    expect(mails.at(-1)!.subject).toBe('[SUP-1] Reaction time breached');
    const preview = await svc.inject({
      url: '/admin/notifications/preview?trigger=at-risk&language=ru',
      headers: ADMIN,
    });
    expect(preview.json().subject).toBe('[SUP-1] Срок реакции: под угрозой нарушения');
    const shown = await svc.inject({ url: '/admin/notifications', headers: ADMIN });
    expect(JSON.stringify(shown.json())).not.toContain(HOOK_SECRET);
    expect((await svc.inject({ url: '/admin/notifications' })).statusCode).toBe(401);
    const bad = await svc.inject({ url: '/admin/notifications/preview?trigger=late', headers: ADMIN });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/got "late"/);
  });

  it('the admin page calls: outbox, test message, preview, retry of a failed message', async () => {
    const call = (name: string, body: unknown, headers: Record<string, string> = ADMIN_JSON) =>
      svc.inject({ method: 'POST', url: `/api/${name}`, headers, payload: JSON.stringify(body) });
    // A webhook message that fails for good (the receiver refuses it: 4xx) is kept as failed.
    receiverDown = false;
    const failing = http.createServer((_req, res) => res.writeHead(410).end('gone'));
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const goneUrl = `http://127.0.0.1:${(failing.address() as { port: number }).port}/gone`;
    const shown = (await call('getSettings', {})).json();
    const channels = shown.notifications.channels.map((c: { id: string }) =>
      c.id === 'hook' ? { ...c, url: goneUrl } : c,
    );
    expect(
      (await call('saveSettings', { notifications: { channels, rules: shown.notifications.rules } })).json(),
    ).toEqual({ ok: true });
    clock.set(Date.parse('2026-03-19T12:00:00+03:00'));
    await post(snapshot('SUP-105', { registeredAt: '2026-03-17T10:00:00+03:00' }), 'd-6');
    const status = (await call('getNotifications', {})).json();
    expect(status.available).toBe(true);
    const failed = status.outbox.failed.find(
      (f: { key: string }) => f.key === 'notify:SUP-105|reaction:breached|ops-hook',
    );
    expect(failed).toMatchObject({ status: 'failed', channel: 'hook', attempts: 1 });
    expect(failed.lastError).toMatch(/HTTP 410 gone/);
    // The admin fixes the URL and retries: delivered once.
    expect(
      (
        await call('saveSettings', {
          notifications: { channels: shown.notifications.channels, rules: shown.notifications.rules },
        })
      ).json(),
    ).toEqual({ ok: true });
    expect((await call('retryNotifications', { keys: [failed.key] })).json()).toEqual({ requeued: 1 });
    await svc.worker.drain();
    expect(postsFor('/hook', 'SUP-105')).toHaveLength(1);
    await new Promise<void>((resolve) => failing.close(() => resolve()));

    expect((await call('testNotification', { channel: 'chat', language: 'ru' })).json()).toEqual({
      ok: true,
    });
    expect(JSON.parse(received.at(-1)!.body).text).toMatch(/^\*\[SUP-1\] Срок реакции: нарушен\*/);
    const bad = await call('testNotification', { channel: 'mail', to: ['nobody'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/got \["nobody"\]/);
    const preview = (await call('previewNotification', { trigger: 'error-fixed', language: 'en' })).json();
    expect(preview.text).toMatch(
      /^Error SUP-7, linked to your request SUP-1, is fixed in update \(patch\) 6.0.1\./,
    );
    expect((await call('getNotifications', {}, { 'content-type': 'application/json' })).statusCode).toBe(401);
  });

  it('the masked secret sent back by the admin page keeps the stored one', async () => {
    const shown = (await svc.inject({ url: '/admin/notifications', headers: ADMIN })).json();
    const r = await svc.inject({
      method: 'POST',
      url: '/api/saveSettings',
      headers: ADMIN_JSON,
      payload: JSON.stringify({ notifications: { channels: shown.channels, rules: shown.rules } }),
    });
    expect(r.json()).toEqual({ ok: true });
    clock.set(Date.parse('2026-03-18T12:00:00+03:00'));
    await post(snapshot('SUP-104', { registeredAt: '2026-03-16T10:00:00+03:00' }), 'd-5');
    const h = postsFor('/hook', 'SUP-104')[0]!;
    const ts = Number(h.headers['x-reglament-timestamp']);
    expect(h.headers['x-reglament-signature']).toBe(
      signTimestamped(HOOK_SECRET, h.body, ts)['x-reglament-signature'],
    );
  });

  it("a daily digest: the day's breaches in one e-mail per recipient, at 09:00 of the next working day", async () => {
    const call = (name: string, body: unknown) =>
      svc.inject({ method: 'POST', url: `/api/${name}`, headers: ADMIN_JSON, payload: JSON.stringify(body) });
    const shown = (await call('getSettings', {})).json();
    const rules = [
      {
        id: 'daily',
        on: ['breached'],
        channel: 'mail',
        roles: [],
        addresses: ['head@vendor.example'],
        language: 'ru',
        digest: true,
      },
    ];
    expect(
      (
        await call('saveSettings', { notifications: { channels: shown.notifications.channels, rules } })
      ).json(),
    ).toEqual({ ok: true });
    // Friday 2026-03-20 at 12:00: two reactions breached (registered Wednesday and Thursday morning).
    clock.set(Date.parse('2026-03-20T12:00:00+03:00'));
    await post(snapshot('SUP-201', { registeredAt: '2026-03-18T10:00:00+03:00' }), 'd-201');
    await post(snapshot('SUP-202', { registeredAt: '2026-03-19T10:00:00+03:00' }), 'd-202');
    const digests = () => mails.filter((m) => m.subject?.startsWith('Сводка'));
    expect(digests()).toHaveLength(0);
    // Saturday and Sunday pass; Monday 2026-03-23 at 09:00 the digest of Friday goes out, once.
    clock.set(Date.parse('2026-03-23T08:59:00+03:00'));
    await svc.worker.drain();
    expect(digests()).toHaveLength(0);
    clock.set(Date.parse('2026-03-23T09:00:00+03:00'));
    await svc.worker.drain();
    await svc.worker.drain();
    expect(digests()).toHaveLength(1);
    const d = digests()[0]!;
    expect(d.subject).toBe('Сводка Reglament за 20 марта 2026: 2 события');
    expect((d.to as { text: string }).text).toBe('head@vendor.example');
    expect(d.text).toContain('[SUP-201] Срок реакции: нарушен');
    expect(d.text).toContain('[SUP-202] Срок реакции: нарушен');
    expect(mailsFor('SUP-201')).toHaveLength(0);
  });
});
