/**
 * Issue #18: the source layer. Every ticket system (Jira Data Center, the generic snapshot webhook,
 * Redmine, Yandex Tracker, Zammad, GLPI, …) is one adapter behind this port, registered by name in
 * the configuration; several run at once, each with its own credentials and field mapping.
 *
 * A source may:
 *  - receive pushed events: `verify` a delivery (its system's own signature scheme), then `parseEvent`
 *    tells which tickets changed (the service re-reads them through `port`, so events may arrive late,
 *    twice or out of order);
 *  - be polled: `poll` lists the tickets changed since a stored cursor (Redmine has no webhooks);
 *  - read a ticket with its history and write priority, due dates and the SLA fields back: `port`
 *    (the app's ticket port, named `JiraPort` for history). The service derives reactions, fixes and
 *    input changes from the history the port reads, so a source need not send them.
 *
 * Keys: each source's ticket keys are unique across sources. A source whose system has no
 * human-readable keys prefixes its numeric ids (`keyPrefix`, defaults per kind: Redmine `#`,
 * Zammad `Z#`, GLPI `G#`); Jira DC and Yandex Tracker use their own keys (`SUP-12`).
 */
import type { JiraPort } from './ports';

/** The kinds of ticket systems the layer knows. */
export type SourceKind = 'jira-dc' | 'generic' | 'redmine' | 'yandex-tracker' | 'zammad' | 'glpi';

/** How a source's webhook deliveries are authenticated (per source, in the configuration). */
export type WebhookAuth =
  /** `sha256=<hex>` HMAC-SHA256 of the raw body in a header (ours: X-Reglament-Signature; Jira DC, GitHub: X-Hub-Signature(-256)). */
  | { scheme: 'hmac-sha256'; secret: string; header?: string }
  /** `sha1=<hex>` HMAC-SHA1 of the raw body (Zammad: X-Hub-Signature). */
  | { scheme: 'hmac-sha1'; secret: string; header?: string }
  /** GLPI: X-GLPI-signature = hex HMAC-SHA256 of body + X-GLPI-timestamp, timestamp within `toleranceSec`. */
  | { scheme: 'glpi'; secret: string; toleranceSec?: number }
  /** Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature: v1,<base64>), secret `whsec_…`. */
  | { scheme: 'standard-webhooks'; secret: string; toleranceSec?: number }
  /** `Authorization: Bearer <token>`. */
  | { scheme: 'bearer'; token: string }
  /** A fixed header holding a shared token (GitLab: X-Gitlab-Token). */
  | { scheme: 'header-token'; header: string; token: string }
  /** `?token=<token>` in the webhook URL. */
  | { scheme: 'url-token'; token: string }
  /** Bitrix24 outbound webhooks: a form post whose `auth[application_token]` field is the token. */
  | { scheme: 'bitrix24'; token: string }
  /** No authentication (only for polled sources or trusted networks; the service warns at start). */
  | { scheme: 'none' };

/** A delivery as the service received it (headers lower-cased, the raw body bytes). */
export interface IncomingDelivery {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  query: Record<string, string | undefined>;
  nowMs: number;
}

export type VerifyResult = { ok: true } | { ok: false; error: string; message: string };

/** One ticket a delivery is about. */
export interface SourceEvent {
  /** The ticket's key in this source (what `port.readTicket` takes), prefixed as the source keys it. */
  key: string;
  /** The system's delivery id when it sends one (deduplication); else the body's digest is used. */
  deliveryId?: string;
  /** The event's type as the system names it (logs, metrics). */
  type?: string;
  /** When the system says the change happened (ISO), if it does. */
  occurredAt?: string;
  /** A deleted ticket: its record is kept, its clocks stop being swept. */
  deleted?: boolean;
}

/** A body the source cannot read: names the field and the value, like every input error. */
export class SourcePayloadError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'SourcePayloadError';
  }
}

export interface TicketSource {
  /** Unique name from the configuration; its webhook is POST /webhooks/<name>. */
  readonly name: string;
  readonly kind: SourceKind;
  /** Webhook authentication of this source (checked by the layer before `parseEvent`). */
  readonly auth?: WebhookAuth;
  /** The tickets a verified delivery is about. Throws SourcePayloadError on a body it cannot read. */
  parseEvent?(body: unknown, delivery: IncomingDelivery): SourceEvent[];
  /** Pull sources: the keys changed since `cursor` (opaque, stored by the service) and the next cursor. */
  poll?(cursor: string | null): Promise<{ keys: string[]; cursor: string }>;
  /** Reads tickets with their history and writes back; absent for push-only snapshot sources. */
  readonly port?: JiraPort;
  /** A browser link to a ticket, for screens and notifications. */
  ticketUrl?(key: string): string | null;
  /**
   * Snapshot sources (kind `generic` without a port): maps a verified delivery's body to a snapshot
   * candidate, which the layer validates with the snapshot schema and evaluates (as /webhooks/generic).
   * Throws SourcePayloadError when the body cannot be mapped.
   */
  mapSnapshot?(body: unknown): Promise<unknown>;
  /** Whether `key` belongs to this source (its prefix or key shape): sweeps handle their own keys. */
  owns(key: string): boolean;
}
