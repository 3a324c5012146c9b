/**
 * Optional push for the Redmine source (issue #18): the `redmine_webhook` plugin
 * (github.com/suer/redmine_webhook) posts `{"payload": {"action": "opened" | "updated", "issue": {…},
 * "journal": {…}, "url": …}}` after an issue is created or edited in the web UI. The service only
 * needs the issue id: it re-reads the issue with its journals through the REST API, as the poller
 * does, so a lost or repeated delivery does no harm (the poller still catches up).
 *
 * The plugin sends no signature: authenticate the URL with the layer's `url-token` scheme
 * (`https://<service>/webhooks/<source>?token=…` as the plugin's URL).
 */
import { SourcePayloadError, type SourceEvent } from '../../app/source';
import { redmineKey } from './mapping';

const ACTIONS = ['opened', 'updated'] as const;

/** The plugin's body → the issue it is about, with the journal (or the creation) as the delivery id. */
export function parseRedmineWebhook(body: unknown): SourceEvent[] {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new SourcePayloadError(
      'body',
      body,
      `a redmine_webhook body must be a JSON object with "payload", got ${JSON.stringify(body)}`,
    );
  const payload = (body as Record<string, unknown>).payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload))
    throw new SourcePayloadError(
      'payload',
      payload,
      `"payload" must be the redmine_webhook plugin's object, got ${JSON.stringify(payload) ?? 'undefined'}`,
    );
  const p = payload as Record<string, unknown>;
  if (typeof p.action !== 'string' || !(ACTIONS as readonly string[]).includes(p.action))
    throw new SourcePayloadError(
      'payload.action',
      p.action,
      `"payload.action" must be "opened" or "updated", got ${JSON.stringify(p.action) ?? 'undefined'}`,
    );
  const issue = p.issue as Record<string, unknown> | undefined;
  const id = issue?.id;
  if (!(typeof id === 'number' && Number.isInteger(id) && id > 0))
    throw new SourcePayloadError(
      'payload.issue.id',
      id,
      `"payload.issue.id" must be a positive integer issue id, got ${JSON.stringify(id) ?? 'undefined'}`,
    );
  const journal = p.journal as Record<string, unknown> | undefined;
  const journalId = journal?.id;
  const at = p.action === 'updated' ? journal?.created_on : issue?.created_on;
  return [
    {
      key: redmineKey(id),
      type: p.action,
      deliveryId:
        p.action === 'updated' && typeof journalId === 'number'
          ? `redmine-journal-${journalId}`
          : `redmine-issue-${id}-${p.action}`,
      ...(typeof at === 'string' && Number.isFinite(Date.parse(at)) ? { occurredAt: at } : {}),
    },
  ];
}
