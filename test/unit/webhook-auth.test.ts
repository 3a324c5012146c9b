import { createHmac } from 'node:crypto';
import type { IncomingDelivery, WebhookAuth } from '../../src/app/source';
import {
  GLPI_TOLERANCE_S,
  signGlpi,
  signHmac,
  signStandardWebhook,
  verifyDelivery,
} from '../../src/app/webhook-auth';

const NOW = Date.parse('2026-03-10T09:00:00Z');
const NOW_S = NOW / 1000;
const BODY = '{"ticket":{"id":42,"title":"Printer down"}}';

function delivery(
  headers: Record<string, string> = {},
  body = BODY,
  query: Record<string, string> = {},
): IncomingDelivery {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { headers: lower, rawBody: Buffer.from(body), query, nowMs: NOW };
}

const verify = (auth: WebhookAuth, d: IncomingDelivery) => verifyDelivery(auth, d);

describe('verifyDelivery: Standard Webhooks', () => {
  // The vector of the Standard Webhooks reference libraries (standard-webhooks/standard-webhooks, libraries' tests).
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const ts = 1614265330;
  const body = '{"test": 2432232314}';
  const sig = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const at = (headers: Record<string, string>, nowMs = ts * 1000): IncomingDelivery => ({
    ...delivery(headers, body),
    nowMs,
  });

  it('accepts the spec vector and signs it the same way', () => {
    expect(signStandardWebhook(secret, id, ts, body)).toBe(sig);
    const r = verify(
      { scheme: 'standard-webhooks', secret },
      at({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig }),
    );
    expect(r).toEqual({ ok: true });
  });

  it('accepts one valid signature among several (key rotation)', () => {
    const r = verify(
      { scheme: 'standard-webhooks', secret },
      at({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,AAAA ${sig}` }),
    );
    expect(r.ok).toBe(true);
  });

  it('refuses a changed body, a wrong version, a missing id, and a timestamp past 300 s', () => {
    const auth: WebhookAuth = { scheme: 'standard-webhooks', secret };
    const h = { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig };
    expect(verify(auth, { ...at(h), rawBody: Buffer.from('{"test": 1}') })).toMatchObject({
      ok: false,
      error: 'bad-signature',
      message: expect.stringContaining('webhook-signature'),
    });
    expect(verify(auth, at({ ...h, 'webhook-signature': sig.replace('v1,', 'v2,') })).ok).toBe(false);
    expect(verify(auth, at({ ...h, 'webhook-id': '' }))).toMatchObject({
      message: expect.stringContaining('webhook-id'),
    });
    // 300 s away is accepted, 301 s is not.
    expect(verify(auth, at(h, (ts + 300) * 1000)).ok).toBe(true);
    expect(verify(auth, at(h, (ts + 301) * 1000))).toMatchObject({
      ok: false,
      error: 'stale-timestamp',
      message: expect.stringContaining('301 s away'),
    });
    expect(verify(auth, at({ ...h, 'webhook-timestamp': 'yesterday' }))).toMatchObject({
      error: 'bad-timestamp',
      message: 'webhook-timestamp must be unix seconds, got "yesterday"',
    });
  });
});

describe('verifyDelivery: Zammad (hmac-sha1, X-Hub-Signature)', () => {
  const secret = 'zammad-token-0123456789';
  const sha1 = createHmac('sha1', secret).update(BODY).digest('hex');

  it('accepts sha1=<hex HMAC-SHA1 of the body> — the observation of issue #18 (was 401)', () => {
    expect(signHmac('sha1', secret, BODY)).toBe(`sha1=${sha1}`);
    expect(verify({ scheme: 'hmac-sha1', secret }, delivery({ 'X-Hub-Signature': `sha1=${sha1}` }))).toEqual({
      ok: true,
    });
  });

  it('refuses a sha256 prefix, another secret and a missing header, naming X-Hub-Signature', () => {
    const auth: WebhookAuth = { scheme: 'hmac-sha1', secret };
    expect(verify(auth, delivery({ 'X-Hub-Signature': `sha256=${sha1}` }))).toMatchObject({
      ok: false,
      message: expect.stringContaining('invalid X-Hub-Signature'),
    });
    expect(
      verify(auth, delivery({ 'X-Hub-Signature': signHmac('sha1', 'another-secret-0123', BODY) })).ok,
    ).toBe(false);
    expect(verify(auth, delivery({}))).toMatchObject({
      error: 'bad-signature',
      message: expect.stringContaining('missing X-Hub-Signature header'),
    });
  });
});

describe('verifyDelivery: hmac-sha256', () => {
  const secret = 'jira-dc-secret-0123456789';
  it('accepts sha256=<hex> in X-Hub-Signature-256 or X-Hub-Signature, or a configured header only', () => {
    const sig = signHmac('sha256', secret, BODY);
    expect(sig).toBe(`sha256=${createHmac('sha256', secret).update(BODY).digest('hex')}`);
    expect(verify({ scheme: 'hmac-sha256', secret }, delivery({ 'X-Hub-Signature-256': sig })).ok).toBe(true);
    expect(verify({ scheme: 'hmac-sha256', secret }, delivery({ 'X-Hub-Signature': sig })).ok).toBe(true);
    const custom: WebhookAuth = { scheme: 'hmac-sha256', secret, header: 'X-Signature' };
    expect(verify(custom, delivery({ 'X-Signature': sig })).ok).toBe(true);
    expect(verify(custom, delivery({ 'X-Hub-Signature': sig }))).toMatchObject({
      message: expect.stringContaining('missing X-Signature header'),
    });
  });
});

describe('verifyDelivery: GLPI', () => {
  const secret = 'glpi-secret-0123456789abcdefghijklmnopqr';
  const ts = NOW_S - 60;
  // GLPI's src/Webhook.php: hash_hmac('sha256', $body . $timestamp, $secret), hex, no prefix.
  const sig = createHmac('sha256', secret).update(`${BODY}${ts}`).digest('hex');

  it('accepts X-GLPI-signature = hex HMAC-SHA256 of body + X-GLPI-timestamp — the observation (was 401)', () => {
    expect(signGlpi(secret, ts, BODY)).toBe(sig);
    expect(
      verify(
        { scheme: 'glpi', secret },
        delivery({ 'X-GLPI-signature': sig, 'X-GLPI-timestamp': String(ts) }),
      ),
    ).toEqual({ ok: true });
  });

  it('refuses the timestamp signed before the body, a changed timestamp, and one older than an hour', () => {
    const auth: WebhookAuth = { scheme: 'glpi', secret };
    const before = createHmac('sha256', secret).update(`${ts}${BODY}`).digest('hex');
    expect(
      verify(auth, delivery({ 'X-GLPI-signature': before, 'X-GLPI-timestamp': String(ts) })),
    ).toMatchObject({
      error: 'bad-signature',
      message: expect.stringContaining('X-GLPI-signature'),
    });
    expect(verify(auth, delivery({ 'X-GLPI-signature': sig, 'X-GLPI-timestamp': String(ts + 1) })).ok).toBe(
      false,
    );
    const old = NOW_S - GLPI_TOLERANCE_S - 1;
    expect(
      verify(
        auth,
        delivery({ 'X-GLPI-signature': signGlpi(secret, old, BODY), 'X-GLPI-timestamp': String(old) }),
      ),
    ).toMatchObject({ error: 'stale-timestamp', message: expect.stringContaining('3601 s away') });
    // Tolerance 0: GLPI's queue may hold a delivery for long; the administrator may turn the check off.
    expect(
      verify(
        { scheme: 'glpi', secret, toleranceSec: 0 },
        delivery({ 'X-GLPI-signature': signGlpi(secret, old, BODY), 'X-GLPI-timestamp': String(old) }),
      ).ok,
    ).toBe(true);
    expect(verify(auth, delivery({ 'X-GLPI-signature': sig }))).toMatchObject({
      message: 'missing X-GLPI-timestamp header (unix seconds)',
    });
  });
});

describe('verifyDelivery: tokens', () => {
  const token = 'shared-token-0123456789';
  it('GitLab: X-Gitlab-Token — the observation (was 401)', () => {
    const auth: WebhookAuth = { scheme: 'header-token', header: 'X-Gitlab-Token', token };
    expect(verify(auth, delivery({ 'X-Gitlab-Token': token }))).toEqual({ ok: true });
    expect(verify(auth, delivery({ 'X-Gitlab-Token': `${token}x` }))).toMatchObject({
      error: 'bad-token',
      message: 'invalid token in the X-Gitlab-Token header',
    });
    expect(verify(auth, delivery({}))).toMatchObject({
      message: "missing X-Gitlab-Token header: expected the source's token",
    });
  });

  it('?token= in the URL — the observation (was 401)', () => {
    const auth: WebhookAuth = { scheme: 'url-token', token };
    expect(verify(auth, delivery({}, BODY, { token }))).toEqual({ ok: true });
    expect(verify(auth, delivery({}, BODY, { token: 'nope' }))).toMatchObject({ error: 'bad-token' });
    expect(verify(auth, delivery({}))).toMatchObject({
      message: 'missing token in the webhook URL (?token=…)',
    });
  });

  it('Authorization: Bearer', () => {
    const auth: WebhookAuth = { scheme: 'bearer', token };
    expect(verify(auth, delivery({ Authorization: `Bearer ${token}` })).ok).toBe(true);
    expect(verify(auth, delivery({ Authorization: `Basic ${token}` }))).toMatchObject({
      message: 'missing Authorization header: expected Bearer <token>',
    });
    expect(verify(auth, delivery({ Authorization: 'Bearer other' })).ok).toBe(false);
  });

  it('Bitrix24: a form post with auth[application_token] — the observation (was 401)', () => {
    const auth: WebhookAuth = { scheme: 'bitrix24', token };
    const form = new URLSearchParams({
      event: 'ONCRMDEALUPDATE',
      'data[FIELDS][ID]': '17',
      'auth[domain]': 'example.bitrix24.ru',
      'auth[application_token]': token,
    }).toString();
    const ct = { 'Content-Type': 'application/x-www-form-urlencoded' };
    expect(verify(auth, delivery(ct, form))).toEqual({ ok: true });
    expect(verify(auth, delivery(ct, form.replace(token, 'forged')))).toMatchObject({
      message: 'invalid auth[application_token] field of the Bitrix24 form post',
    });
    // The same token as JSON is not a Bitrix24 delivery.
    expect(verify(auth, delivery({}, JSON.stringify({ auth: { application_token: token } })))).toMatchObject({
      message: expect.stringContaining('missing auth[application_token] field'),
    });
  });

  it('none accepts anything', () => {
    expect(verify({ scheme: 'none' }, delivery({})).ok).toBe(true);
  });
});
