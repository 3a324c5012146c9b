/**
 * The generic webhook (CONTRACT.md): any ticket system posts a snapshot, signed with the shared
 * secret; the answer is the verdict, and the SLA record is kept. Shared by the Forge web trigger and
 * the self-hosted server. Platform-free: headers and body in, status/headers/body out.
 *
 * Signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>` (also accepted as
 * `X-Hub-Signature` or `X-Reglament-Signature`), keyed with the settings' webhook secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { KINDS } from '../domain/codes';
import { formatInstant } from '../domain/calendar';
import type { Snapshot, Verdict } from '../domain/snapshot';
import { calendarFor } from './calendars';
import type { AppDeps } from './deps';
import { evaluateTicket } from './issue-change';
import type { Ticket } from './ports';
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

export const SIGNATURE_HEADERS = ['x-hub-signature-256', 'x-hub-signature', 'x-reglament-signature'];

/** HMAC-SHA256 signature header value of a body: `sha256=<hex>`. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function header(headers: WebhookRequest['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Constant-time check of a `sha256=<hex>` signature against the body. */
export function verifySignature(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signBody(secret, body), 'utf8');
  const given = Buffer.from(signature.trim(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const reply = (statusCode: number, payload: unknown): WebhookResponse => ({
  statusCode,
  headers: { 'Content-Type': ['application/json'] },
  body: JSON.stringify(payload),
});

/** Structural check of a snapshot (the engine checks codes and instants). */
function snapshotProblems(s: unknown): string[] {
  if (typeof s !== 'object' || s === null || Array.isArray(s))
    return ['the body must be a JSON snapshot object'];
  const o = s as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof o.key !== 'string' || o.key.trim() === '') problems.push('key: required string');
  if (!(KINDS as readonly unknown[]).includes(o.kind)) problems.push(`kind: one of ${KINDS.join(', ')}`);
  if (typeof o.registeredAt !== 'string')
    problems.push('registeredAt: required ISO 8601 instant with offset');
  return problems;
}

/**
 * Verifies the signature, evaluates the snapshot at `deps.clock()`, stores its SLA record and answers
 * `{ verdict }`. 401 for a missing/bad signature, 503 when no secret is configured, 400 for a body
 * that is not a snapshot or that the engine rejects (with the reason).
 *
 * @example await handleGenericWebhook({ headers: { 'x-hub-signature-256': signBody(secret, body) }, body }, deps)
 * // { statusCode: 200, body: '{"verdict":{"key":"SUP-101",…}}' }
 */
export async function handleGenericWebhook(req: WebhookRequest, deps: AppDeps): Promise<WebhookResponse> {
  const settings = await deps.store.getSettings();
  if (!settings.webhookSecret)
    return reply(503, {
      error: 'not-configured',
      message: 'No webhook secret is set: rotate one on the admin page.',
    });
  const signature = SIGNATURE_HEADERS.map((h) => header(req.headers, h)).find((v) => v !== undefined);
  if (!verifySignature(settings.webhookSecret, req.body, signature))
    return reply(401, { error: 'bad-signature', message: 'Missing or invalid X-Hub-Signature-256.' });

  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body);
  } catch {
    return reply(400, { error: 'invalid-json', message: 'The body is not valid JSON.' });
  }
  const snapshot = (parsed as { snapshot?: unknown })?.snapshot ?? parsed;
  const problems = snapshotProblems(snapshot);
  if (problems.length > 0) return reply(400, { error: 'invalid-snapshot', problems });
  const s = snapshot as Snapshot;
  const ticket: Ticket = {
    id: s.key,
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
  const now = deps.clock();
  let verdict: Verdict;
  try {
    verdict = evaluateTicket(ticket, settings, now);
  } catch (e) {
    return reply(400, { error: 'invalid-snapshot', problems: [(e as Error).message] });
  }
  await deps.store.upsertSlaRecord(
    recordOf(ticket, verdict, formatInstant(now, calendarFor(settings.calendar).zone)),
  );
  return reply(200, { verdict });
}
