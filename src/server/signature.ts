/**
 * Webhook signatures: `sha256=<hex>` HMAC-SHA256 of the raw body bytes, compared in constant time.
 * Jira Data Center 10 sends it as `X-Hub-Signature`; the generic webhook as `X-Reglament-Signature`
 * (`X-Hub-Signature-256` and `X-Hub-Signature` are accepted too).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` of the bytes. */
export function sign(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Whether `header` is a valid signature of `body`. The hex digest is compared with
 * crypto.timingSafeEqual after decoding, so neither content nor case leaks through timing.
 */
export function verify(secret: string, body: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const m = /^\s*sha256=([0-9a-fA-F]{64})\s*$/.exec(header);
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Constant-time equality of two secrets of any length (for bearer and URL tokens). */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Hex SHA-256 of the body: the idempotency key when the sender gives no delivery id. */
export function bodyDigest(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}
