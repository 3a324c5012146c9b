/**
 * Webhook signatures: `sha256=<hex>` HMAC-SHA256 of the raw body bytes, compared in constant time.
 * Jira Data Center 10 sends it as `X-Hub-Signature`; the generic webhook as `X-Reglament-Signature`
 * (`X-Hub-Signature-256` and `X-Hub-Signature` are accepted too).
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>` of the bytes; the one implementation lives with the shared webhook check. */
export { signBody as sign, verifySignature as verify } from '../app/webhook';

/** Constant-time equality of two secrets of any length (for bearer and URL tokens). */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** Hex SHA-256 of the body: the idempotency key when the sender gives no delivery id. */
export function bodyDigest(body: Buffer): string {
  // One-shot (Node.js ≥ 20.12): no Hash object per webhook.
  return hash('sha256', body, 'hex');
}
