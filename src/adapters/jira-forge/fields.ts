/**
 * The app's Jira fields: module keys of manifest.yml (`jira:customField`) and their per-site ids,
 * discovered with `GET /rest/api/3/field` (a Forge field's `schema.custom` ends in
 * `/static/<moduleKey>`) and cached in KVS. No `customfield_NNNNN` is ever hard-coded.
 */
import { ORGANIZATIONS_FIELD_TYPE } from '../ticket-identity';
import { route, type JiraClient } from './client';

/** Field role → module key in manifest.yml. test/forge/manifest.test.ts checks they match. */
export const FIELD_MODULE_KEYS = {
  impact: 'impact',
  urgency: 'urgency',
  mode: 'usage-mode',
  nature: 'incident-nature',
  workaround: 'workaround',
  override: 'priority-override',
  overrideReason: 'override-reason',
  agreed: 'agreed-fix-date',
  estimate: 'fix-estimate',
  visitDate: 'visit-date',
  slaPriority: 'sla-priority',
  slaState: 'sla-state',
  reactionDue: 'reaction-due',
  verificationDue: 'verification-due',
  fixDue: 'fix-due',
} as const;

export type FieldRole = keyof typeof FIELD_MODULE_KEYS;
/**
 * The app's field ids by role, plus `participants`: Service Management's "Request participants" field
 * (`''` when the site has none), whose users are never support staff (issue #12 item 7).
 */
export type FieldIds = Partial<Record<FieldRole, string>> & { participants?: string; organizations?: string };

/** `schema.custom` of Service Management's "Request participants" field. */
export const PARTICIPANTS_FIELD_TYPE = 'com.atlassian.servicedesk:sd-request-participants';

/** The read-only fields the app writes through the app-field API. */
export const APP_WRITTEN: readonly FieldRole[] = [
  'slaPriority',
  'slaState',
  'reactionDue',
  'verificationDue',
  'fixDue',
];

/** A small key-value cache (KVS in Forge, a Map in tests). */
export interface KeyValue {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export const FIELD_IDS_KEY = 'jira-field-ids';

interface FieldBean {
  id?: string;
  key?: string;
  schema?: { custom?: string };
}

/** Matches the site's fields to the module keys. */
export function matchFields(fields: readonly FieldBean[]): FieldIds {
  const ids: FieldIds = {};
  for (const [role, moduleKey] of Object.entries(FIELD_MODULE_KEYS) as [FieldRole, string][]) {
    const hit = fields.find(
      (f) => f.schema?.custom?.endsWith(`/static/${moduleKey}`) || f.key?.endsWith(`__${moduleKey}`),
    );
    if (hit?.id) ids[role] = hit.id;
  }
  ids.participants = fields.find((f) => f.schema?.custom === PARTICIPANTS_FIELD_TYPE)?.id ?? '';
  // Issue #17: Service Management's "Organizations" names the customer ('' when the site has none).
  ids.organizations = fields.find((f) => f.schema?.custom === ORGANIZATIONS_FIELD_TYPE)?.id ?? '';
  return ids;
}

/**
 * The field ids of this site: from the cache, or discovered (one `GET /rest/api/3/field`) and cached.
 * Rediscovers when a field is missing from the cache (e.g. added by a later version of the app).
 */
export async function discoverFieldIds(
  client: JiraClient,
  cache?: KeyValue,
  force = false,
): Promise<FieldIds> {
  if (!force && cache) {
    const cached = (await cache.get(FIELD_IDS_KEY)) as FieldIds | undefined | null;
    if (
      cached &&
      Object.keys(FIELD_MODULE_KEYS).every((r) => typeof cached[r as FieldRole] === 'string') &&
      typeof cached.participants === 'string' &&
      typeof cached.organizations === 'string'
    )
      return cached;
  }
  const res = await client.call<FieldBean[]>('GET', '/rest/api/3/field', route`/rest/api/3/field`);
  const ids = matchFields(res.data ?? []);
  if (cache) await cache.set(FIELD_IDS_KEY, ids);
  return ids;
}
