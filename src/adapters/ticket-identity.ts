/**
 * What a Jira issue tells about its customer (issue #17), for both Jira adapters: the components'
 * names, Service Management's "Organizations" and the values of the fields the customers' identities
 * name by id (`customfield_10200`). Values are read as text: a string, an option's `value`, a user's or
 * an object's `displayName`/`name`, each element of a list.
 */
import type { Settings, Ticket } from '../app/ports';

/** `schema.custom` of Service Management's "Organizations" field. */
export const ORGANIZATIONS_FIELD_TYPE = 'com.atlassian.servicedesk:sd-customer-organizations';

/** The field ids the customers' `field` identities name (requested with the issue). */
export function identityFieldIds(settings: Settings): string[] {
  const ids = new Set<string>();
  for (const c of settings.customers?.customers ?? [])
    for (const i of c.identities) if (i.kind === 'field' && i.field) ids.add(i.field.trim());
  return [...ids].sort();
}

/** A field value as texts. */
export function textsOf(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(textsOf);
  if (typeof v === 'string') return v.trim() === '' ? [] : [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['value', 'name', 'displayName', 'key'])
      if (typeof o[k] === 'string' && o[k] !== '') return [o[k] as string];
  }
  return [];
}

/**
 * The identity of an issue from its fields.
 * @example ticketIdentity({ components: [{ name: 'Portal' }], customfield_10002: [{ id: 1, name: 'ACME' }] }, settings, 'customfield_10002')
 * // => { components: ['Portal'], organizations: ['ACME'] }
 */
export function ticketIdentity(
  fields: Record<string, unknown>,
  settings: Settings,
  organizationsField?: string,
): NonNullable<Ticket['identity']> {
  const out: NonNullable<Ticket['identity']> = {};
  const components = textsOf(fields.components);
  if (components.length > 0) out.components = components;
  const organizations = organizationsField ? textsOf(fields[organizationsField]) : [];
  if (organizations.length > 0) out.organizations = organizations;
  const named: Record<string, string[]> = {};
  for (const id of identityFieldIds(settings)) {
    const values = textsOf(fields[id]);
    if (values.length > 0) named[id] = values;
  }
  if (Object.keys(named).length > 0) out.fields = named;
  return out;
}
