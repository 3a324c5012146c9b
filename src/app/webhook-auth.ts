/**
 * Issue #18: webhook authentication of the source layer. `verifyDelivery(auth, delivery)` checks one
 * delivery against the scheme its source is configured with (src/app/source.ts `WebhookAuth`):
 *
 *  - `hmac-sha256`: `sha256=<hex HMAC-SHA256 of the raw body>` (default header X-Hub-Signature-256,
 *    then X-Hub-Signature and X-Reglament-Signature; Jira DC 10, GitHub);
 *  - `hmac-sha1`: `sha1=<hex HMAC-SHA1 of the raw body>` in X-Hub-Signature (Zammad);
 *  - `glpi`: X-GLPI-signature = hex HMAC-SHA256 of `<raw body><X-GLPI-timestamp>` (body, then the
 *    timestamp, no separator; glpi-project/glpi src/Webhook.php: `getSignature($body . $timestamp,
 *    $secret)`, `hash_hmac('sha256', $data, $secret)`), the timestamp within `toleranceSec` (GLPI
 *    queues its webhooks and its cron sends them, so the default is one hour; 0 disables the check);
 *  - `standard-webhooks` (standardwebhooks.com): webhook-signature holds space-separated `v1,<base64
 *    HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">`, the key is the base64 after
 *    `whsec_`, the timestamp within `toleranceSec` (default 300 s);
 *  - `bearer`: `Authorization: Bearer <token>`;
 *  - `header-token`: a fixed header holding the token (GitLab: X-Gitlab-Token);
 *  - `url-token`: `?token=<token>` in the webhook URL;
 *  - `bitrix24`: a Bitrix24 outbound webhook, a form post whose `auth[application_token]` field is the
 *    application token Bitrix24 shows for the webhook;
 *  - `none`.
 *
 * Every comparison is constant-time; every refusal names the header (or field) it expected.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingDelivery, VerifyResult, WebhookAuth } from './source';

/** Standard Webhooks' default tolerance (the spec's reference libraries: 5 minutes). */
export const STANDARD_WEBHOOKS_TOLERANCE_S = 300;
/** GLPI signs when it queues; its cron may send minutes later (and retries keep the header). */
export const GLPI_TOLERANCE_S = 3600;

/** The default signature header per HMAC scheme, and the ones accepted when none is configured. */
const HMAC_HEADERS: Record<'hmac-sha256' | 'hmac-sha1', string[]> = {
  'hmac-sha256': ['x-hub-signature-256', 'x-hub-signature', 'x-reglament-signature'],
  'hmac-sha1': ['x-hub-signature'],
};

export function headerOf(d: Pick<IncomingDelivery, 'headers'>, name: string): string | undefined {
  const v = d.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time equality of two strings of any length (digests of both are compared). */
export function sameText(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Constant-time equality of two hex or base64 digests (case-insensitive for hex). */
function sameDigest(given: string, expected: Buffer, encoding: 'hex' | 'base64'): boolean {
  const text = encoding === 'hex' ? given.trim().toLowerCase() : given.trim();
  const valid = encoding === 'hex' ? /^[0-9a-f]+$/.test(text) : /^[A-Za-z0-9+/]+={0,2}$/.test(text);
  if (!valid) return false;
  const buf = Buffer.from(text, encoding);
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}

const refuse = (error: string, message: string): VerifyResult => ({ ok: false, error, message });

function hmac(algo: 'sha256' | 'sha1', key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const h = createHmac(algo, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function checkTimestamp(
  name: string,
  value: string | undefined,
  nowMs: number,
  toleranceSec: number,
): VerifyResult | null {
  const ts = value?.trim();
  if (ts === undefined || ts === '') return refuse('bad-timestamp', `missing ${name} header (unix seconds)`);
  if (!/^\d{1,12}$/.test(ts))
    return refuse('bad-timestamp', `${name} must be unix seconds, got ${JSON.stringify(ts.slice(0, 40))}`);
  if (toleranceSec > 0) {
    const skew = Math.abs(Math.floor(nowMs / 1000) - Number(ts));
    if (skew > toleranceSec)
      return refuse(
        'stale-timestamp',
        `${name} ${ts} is ${skew} s away from the service's clock (${Math.floor(nowMs / 1000)}); at most ${toleranceSec} s is accepted`,
      );
  }
  return null;
}

/** Signs like Standard Webhooks: `v1,<base64>` (tests and senders). */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestamp: number,
  body: string | Buffer,
): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${hmac('sha256', key, `${id}.${timestamp}.`, body).toString('base64')}`;
}

/** Signs like GLPI: hex HMAC-SHA256 of body + timestamp. */
export function signGlpi(secret: string, timestamp: number, body: string | Buffer): string {
  return hmac('sha256', secret, body, String(timestamp)).toString('hex');
}

/** Signs like Zammad (`sha1=<hex>`) or GitHub (`sha256=<hex>`). */
export function signHmac(algo: 'sha256' | 'sha1', secret: string, body: string | Buffer): string {
  return `${algo}=${hmac(algo, secret, body).toString('hex')}`;
}

/** The `auth[application_token]` field of a form-encoded Bitrix24 delivery. */
function bitrixToken(d: IncomingDelivery): string | undefined {
  const type = headerOf(d, 'content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded/i.test(type)) return undefined;
  const v = new URLSearchParams(d.rawBody.toString('utf8')).get('auth[application_token]');
  return v ?? undefined;
}

/**
 * Checks a delivery against the source's scheme.
 * @example verifyDelivery({ scheme: 'header-token', header: 'X-Gitlab-Token', token: 't' },
 *   { headers: { 'x-gitlab-token': 't' }, rawBody: Buffer.from('{}'), query: {}, nowMs: Date.now() })
 *   // { ok: true }
 */
export function verifyDelivery(auth: WebhookAuth, d: IncomingDelivery): VerifyResult {
  switch (auth.scheme) {
    case 'none':
      return { ok: true };
    case 'hmac-sha256':
    case 'hmac-sha1': {
      const algo = auth.scheme === 'hmac-sha256' ? 'sha256' : 'sha1';
      const names = auth.header ? [auth.header.toLowerCase()] : HMAC_HEADERS[auth.scheme];
      const label = auth.header ?? (algo === 'sha256' ? 'X-Hub-Signature-256' : 'X-Hub-Signature');
      const given = names.map((n) => headerOf(d, n)).find((v) => v !== undefined);
      const expected = `${algo}=<hex HMAC-${algo.toUpperCase()} of the raw body with the source's secret>`;
      if (given === undefined)
        return refuse('bad-signature', `missing ${label} header: expected ${expected}`);
      const m = /^\s*([a-z0-9]+)=([0-9a-fA-F]+)\s*$/.exec(given);
      if (!m || m[1] !== algo || !sameDigest(m[2]!, hmac(algo, auth.secret, d.rawBody), 'hex'))
        return refuse('bad-signature', `invalid ${label} header: expected ${expected}`);
      return { ok: true };
    }
    case 'glpi': {
      const late = checkTimestamp(
        'X-GLPI-timestamp',
        headerOf(d, 'x-glpi-timestamp'),
        d.nowMs,
        auth.toleranceSec ?? GLPI_TOLERANCE_S,
      );
      if (late) return late;
      const given = headerOf(d, 'x-glpi-signature');
      const expected = 'hex HMAC-SHA256 of "<raw body><X-GLPI-timestamp>" with the webhook secret';
      if (given === undefined)
        return refuse('bad-signature', `missing X-GLPI-signature header: expected ${expected}`);
      const ts = headerOf(d, 'x-glpi-timestamp')!.trim();
      if (!sameDigest(given, hmac('sha256', auth.secret, d.rawBody, ts), 'hex'))
        return refuse('bad-signature', `invalid X-GLPI-signature header: expected ${expected}`);
      return { ok: true };
    }
    case 'standard-webhooks': {
      const id = headerOf(d, 'webhook-id')?.trim();
      if (!id) return refuse('bad-signature', 'missing webhook-id header (Standard Webhooks)');
      const late = checkTimestamp(
        'webhook-timestamp',
        headerOf(d, 'webhook-timestamp'),
        d.nowMs,
        auth.toleranceSec ?? STANDARD_WEBHOOKS_TOLERANCE_S,
      );
      if (late) return late;
      const ts = headerOf(d, 'webhook-timestamp')!.trim();
      const given = headerOf(d, 'webhook-signature');
      const expected = 'v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<raw body>">';
      if (given === undefined)
        return refuse('bad-signature', `missing webhook-signature header: expected ${expected}`);
      const key = Buffer.from(auth.secret.replace(/^whsec_/, ''), 'base64');
      const digest = hmac('sha256', key, `${id}.${ts}.`, d.rawBody);
      // Several space-separated signatures (key rotation): one valid v1 signature is enough.
      const ok = given
        .split(' ')
        .map((s) => s.split(','))
        .some(([v, sig]) => v === 'v1' && sig !== undefined && sameDigest(sig, digest, 'base64'));
      return ok
        ? { ok: true }
        : refuse('bad-signature', `invalid webhook-signature header: expected ${expected}`);
    }
    case 'bearer': {
      const given = headerOf(d, 'authorization');
      const m = given === undefined ? null : /^\s*Bearer\s+(\S+)\s*$/i.exec(given);
      if (!m) return refuse('bad-token', 'missing Authorization header: expected Bearer <token>');
      return sameText(m[1], auth.token)
        ? { ok: true }
        : refuse('bad-token', 'invalid token in the Authorization header');
    }
    case 'header-token': {
      const given = headerOf(d, auth.header);
      if (given === undefined)
        return refuse('bad-token', `missing ${auth.header} header: expected the source's token`);
      return sameText(given.trim(), auth.token)
        ? { ok: true }
        : refuse('bad-token', `invalid token in the ${auth.header} header`);
    }
    case 'url-token': {
      const given = d.query.token;
      if (given === undefined) return refuse('bad-token', 'missing token in the webhook URL (?token=…)');
      return sameText(given, auth.token)
        ? { ok: true }
        : refuse('bad-token', 'invalid token in the webhook URL (?token=…)');
    }
    case 'bitrix24': {
      const given = bitrixToken(d);
      if (given === undefined)
        return refuse(
          'bad-token',
          'missing auth[application_token] field: expected a form post (application/x-www-form-urlencoded) from a Bitrix24 outbound webhook',
        );
      return sameText(given, auth.token)
        ? { ok: true }
        : refuse('bad-token', 'invalid auth[application_token] field of the Bitrix24 form post');
    }
  }
}

/** The scheme and the header it reads, for the admin page (never the secret). */
export function describeAuth(auth: WebhookAuth): string {
  switch (auth.scheme) {
    case 'hmac-sha256':
      return `HMAC-SHA256, ${auth.header ?? 'X-Hub-Signature-256'}`;
    case 'hmac-sha1':
      return `HMAC-SHA1, ${auth.header ?? 'X-Hub-Signature'}`;
    case 'glpi':
      return 'GLPI, X-GLPI-signature + X-GLPI-timestamp';
    case 'standard-webhooks':
      return 'Standard Webhooks, webhook-signature';
    case 'bearer':
      return 'Bearer token, Authorization';
    case 'header-token':
      return `Token, ${auth.header}`;
    case 'url-token':
      return 'Token, ?token=';
    case 'bitrix24':
      return 'Bitrix24, auth[application_token]';
    case 'none':
      return 'none';
  }
}
