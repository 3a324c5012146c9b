/**
 * The generic webhook (CONTRACT.md): any ticket system posts a snapshot, signed with the shared
 * secret; the answer is the verdict, and the SLA record is kept. Shared by the Forge web trigger and
 * the self-hosted server. Platform-free: headers and body in, status/headers/body out.
 *
 * Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (also accepted as
 * `X-Hub-Signature` or `X-Reglament-Signature`), keyed with the settings' webhook secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { formatInstant } from '../domain/calendar';
import type { Snapshot, Verdict } from '../domain/snapshot';
import { evaluate } from '../domain/evaluate';
import type { Problem } from '../domain/policy-validate';
import { parseSnapshot } from '../contract/snapshot-schema';
import { calendarFor } from './calendars';
import type { AppDeps } from './deps';
import type { Settings, Ticket } from './ports';
import { isStale, recordLedger } from './ledger';
import { recordOf } from './shown';

export interface WebhookRequest {
  /** Header names in any case; values as a string or a list (Forge gives lists). */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body text, exactly as received (the signature covers these bytes). */
  body: string;
}

export interface WebhookResponse {
  statusCode: number;
  headers: Record<string, string[]>;
  body: string;
}

/** Signature headers of the generic webhook, in the order they are looked for. */
export const SIGNATURE_HEADERS = ['x-hub-signature-256', 'x-reglament-signature', 'x-hub-signature'];

/** HMAC-SHA256 signature header value of a body: `sha256=<hex>`. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Headers of a timestamped generic-webhook signature (the self-hosted service):
 * `X-Reglament-Timestamp` and `X-Reglament-Signature: sha256=<hex HMAC of "<timestamp>.<raw body>">`.
 */
export function signTimestamped(
  secret: string,
  body: string | Buffer,
  unixSeconds: number,
): { 'x-reglament-timestamp': string; 'x-reglament-signature': string } {
  const ts = String(Math.floor(unixSeconds));
  return {
    'x-reglament-timestamp': ts,
    'x-reglament-signature': signBody(secret, Buffer.concat([Buffer.from(`${ts}.`), Buffer.from(body)])),
  };
}

/** A header's first value, whatever the case of its name (Forge gives lists, Node strings). */
export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Delivery id headers of the generic webhook, in the order they are looked for (as the service's). */
export const DELIVERY_ID_HEADERS = ['x-reglament-delivery', 'x-atlassian-webhook-identifier', 'x-request-id'];

/** The delivery id a sender gave (first of DELIVERY_ID_HEADERS, trimmed), or null. */
export function deliveryIdOf(headers: Record<string, string | string[] | undefined>): string | null {
  for (const h of DELIVERY_ID_HEADERS) {
    const v = headerValue(headers, h)?.trim();
    if (v) return v;
  }
  return null;
}

/**
 * Whether `signature` (`sha256=<hex>`) is the HMAC-SHA256 of `body` with `secret`. The decoded digests
 * are compared with crypto.timingSafeEqual, so neither content nor case leaks through timing.
 */
export function verifySignature(
  secret: string,
  body: string | Buffer,
  signature: string | undefined,
): boolean {
  if (typeof signature !== 'string') return false;
  const m = /^\s*sha256=([0-9a-fA-F]{64})\s*$/.exec(signature);
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why a generic webhook was refused: HTTP status, a stable code, a message, and the problems. */
export interface WebhookRefusal {
  ok: false;
  status: number;
  error: 'not-configured' | 'bad-signature' | 'invalid-json' | 'invalid-snapshot';
  message: string;
  problems?: Problem[];
}

/**
 * The one check of a generic webhook, shared by the Forge web trigger and the self-hosted server:
 * secret configured, signature (constant time, before parsing), JSON, the snapshot schema (every
 * problem listed), then the verdict at `now`.
 */
export function checkGenericWebhook(input: {
  headers: Record<string, string | string[] | undefined>;
  body: string | Buffer;
  settings: Settings;
  now: number;
  /** The caller verified the signature its own way (the self-hosted service: timestamped signatures). */
  signatureChecked?: boolean;
}): { ok: true; snapshot: Snapshot; verdict: Verdict } | WebhookRefusal {
  const { settings } = input;
  if (!settings.webhookSecret)
    return {
      ok: false,
      status: 503,
      error: 'not-configured',
      message: 'no webhook secret is set: rotate one on the admin page (or set REGLAMENT_WEBHOOK_SECRET)',
    };
  const signature = SIGNATURE_HEADERS.map((h) => headerValue(input.headers, h)).find((v) => v !== undefined);
  if (!input.signatureChecked && !verifySignature(settings.webhookSecret, input.body, signature))
    return {
      ok: false,
      status: 401,
      error: 'bad-signature',
      message:
        'missing or invalid X-Reglament-Signature (or X-Hub-Signature-256): expected sha256=<hex HMAC-SHA256 of the raw body with the webhook secret>',
    };
  let json: unknown;
  try {
    json = JSON.parse(typeof input.body === 'string' ? input.body : input.body.toString('utf8'));
  } catch (e) {
    return {
      ok: false,
      status: 400,
      error: 'invalid-json',
      message: `the body is not valid JSON: ${(e as Error).message}`,
    };
  }
  const raw =
    typeof json === 'object' && json !== null && 'snapshot' in json
      ? (json as { snapshot: unknown }).snapshot
      : json;
  const parsed = parseSnapshot(raw);
  if (!parsed.ok)
    return {
      ok: false,
      status: 400,
      error: 'invalid-snapshot',
      message: `the snapshot has ${parsed.errors.length} problem(s)`,
      problems: parsed.errors,
    };
  try {
    const verdict = evaluate(parsed.value, settings.policy, calendarFor(settings.calendar), input.now);
    return { ok: true, snapshot: parsed.value, verdict };
  } catch (e) {
    return {
      ok: false,
      status: 400,
      error: 'invalid-snapshot',
      message: 'the snapshot cannot be evaluated',
      problems: [{ path: '', message: (e as Error).message }],
    };
  }
}

const reply = (statusCode: number, payload: unknown): WebhookResponse => ({
  statusCode,
  headers: { 'Content-Type': ['application/json'] },
  body: JSON.stringify(payload),
});

/**
 * Verifies the signature, evaluates the snapshot at `deps.clock()`, records its ledger facts and SLA
 * record and answers `{ verdict }` (joined with the ledger). A snapshot whose `updatedAt` is older than
 * the newest applied for its issue is acknowledged as `{ stale: true, verdict }` and changes nothing; a
 * delivery id (`X-Reglament-Delivery`, …) already received with a different body is refused with 409
 * `delivery-conflict` (when the store keeps deliveries: `Store.claimDelivery`). 401 for a missing/bad signature, 503 when no secret is configured, 400 for a body
 * that is not a snapshot or that the engine rejects (with the reason).
 *
 * @example await handleGenericWebhook({ headers: { 'x-hub-signature-256': signBody(secret, body) }, body }, deps)
 * // { statusCode: 200, body: '{"verdict":{"key":"SUP-101",…}}' }
 */
export async function handleGenericWebhook(req: WebhookRequest, deps: AppDeps): Promise<WebhookResponse> {
  const settings = await deps.store.getSettings();
  const now = deps.clock();
  const checked = checkGenericWebhook({ headers: req.headers, body: req.body, settings, now });
  if (!checked.ok) {
    const { status, error, message, problems } = checked;
    return reply(status, { error, message, ...(problems ? { problems } : {}) });
  }
  const { snapshot: s } = checked;
  const ticket = genericTicket(s);
  if (await isStale(deps, ticket)) return reply(200, { stale: true, verdict: checked.verdict });
  // The same delivery id must carry the same body (as the service's inbox): a different one is refused.
  const delivery = deliveryIdOf(req.headers);
  if (delivery !== null && deps.store.claimDelivery) {
    const digest = createHash('sha256').update(req.body).digest('hex');
    if ((await deps.store.claimDelivery(delivery, digest)) === 'conflict')
      return reply(409, {
        error: 'delivery-conflict',
        message: `delivery ${delivery} was already received with a different body; send a new delivery id for a new snapshot`,
      });
  }
  const { verdict } = await recordLedger(deps, ticket, checked.verdict, settings, now, 'generic');
  await deps.store.upsertSlaRecord(
    recordOf(ticket, verdict, formatInstant(now, calendarFor(settings.calendar).zone), {
      settings,
      nowMs: now,
    }),
  );
  return reply(200, { verdict });
}

/** The ticket of a generic snapshot: its id is the snapshot's `id`, else its key. */
export function genericTicket(s: Snapshot): Ticket {
  return {
    id: s.id ?? s.key,
    key: s.key,
    project: s.project ?? s.key.split('-')[0] ?? '',
    issueType: s.kind,
    snapshot: s,
    shown: {
      slaPriority: null,
      slaState: null,
      reactionDue: null,
      verificationDue: null,
      fixDue: null,
      jiraPriority: null,
      dueDate: null,
    },
  };
}
