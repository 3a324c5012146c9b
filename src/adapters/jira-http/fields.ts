/**
 * The custom fields the service reads and writes on Jira DC/Server, found by id or name on the site
 * (GET /rest/api/2/field), never hard-coded. The administrator may map each role to an existing field
 * (id `customfield_10100` or its name) in the configuration; roles left unmapped are looked up by
 * their default name, and created when missing (POST /rest/api/2/field) if allowed.
 *
 * Select fields (impact, urgency, usage mode, nature, workaround) are created without options: Jira
 * DC has no REST call to add options to a standard select list, so the administrator adds them
 * (codes or Russian/English labels: High/Высокая, …) — the service logs which.
 */
import { ORGANIZATIONS_FIELD_TYPE } from '../ticket-identity';
import type { JiraClient } from './client';

export type FieldRole =
  | 'impact'
  | 'urgency'
  | 'mode'
  | 'nature'
  | 'workaround'
  | 'priorityOverride'
  | 'overrideReason'
  | 'agreedDeadline'
  | 'estimateAt'
  | 'visitDate'
  | 'slaPriority'
  | 'slaState'
  | 'reactionDue'
  | 'verificationDue'
  | 'fixDue';

type FieldType = 'select' | 'number' | 'text' | 'datetime' | 'date';

const CFT = 'com.atlassian.jira.plugin.system.customfieldtypes';
const TYPES: Record<FieldType, { type: string; searcherKey: string }> = {
  select: { type: `${CFT}:select`, searcherKey: `${CFT}:multiselectsearcher` },
  number: { type: `${CFT}:float`, searcherKey: `${CFT}:exactnumber` },
  text: { type: `${CFT}:textfield`, searcherKey: `${CFT}:textsearcher` },
  datetime: { type: `${CFT}:datetime`, searcherKey: `${CFT}:datetimerange` },
  date: { type: `${CFT}:datepicker`, searcherKey: `${CFT}:daterange` },
};

/** Each role: its default name on the site, its type, whether the service writes it, its options. */
export const FIELD_DEFS: Record<
  FieldRole,
  { name: string; type: FieldType; output: boolean; description: string; options?: string[] }
> = {
  impact: {
    name: 'SLA Impact',
    type: 'select',
    output: false,
    description: 'Степень воздействия (regulation §4.3)',
    options: ['High / Высокая', 'Medium / Средняя', 'Low / Низкая'],
  },
  urgency: {
    name: 'SLA Urgency',
    type: 'select',
    output: false,
    description: 'Срочность (regulation §4.4)',
    options: ['High / Высокая', 'Medium / Средняя', 'Low / Низкая'],
  },
  mode: {
    name: 'SLA Usage mode',
    type: 'select',
    output: false,
    description: 'Режим использования (regulation §4.5)',
    options: ['Operation / Эксплуатация', 'Implementation / Внедрение'],
  },
  nature: {
    name: 'SLA Request nature',
    type: 'select',
    output: false,
    description: 'Сбой или вопрос (regulation §3.1)',
    options: ['Failure / Сбой', 'Question / Вопрос'],
  },
  workaround: {
    name: 'SLA Workaround',
    type: 'select',
    output: false,
    description: 'Обходной путь (regulation §5.6.1)',
    options: [
      'None / Нет',
      'Moderately acceptable / Средне приемлемый',
      'Fully acceptable / Вполне приемлемый',
    ],
  },
  priorityOverride: {
    name: 'SLA Priority override',
    type: 'number',
    output: false,
    description: 'Priority set on the customer request (§4.6.2): incident 1–5, error 1–10',
  },
  overrideReason: {
    name: 'SLA Override reason',
    type: 'text',
    output: false,
    description: 'Why the priority was changed',
  },
  agreedDeadline: {
    name: 'SLA Agreed deadline',
    type: 'datetime',
    output: false,
    description: 'Individually agreed fix deadline (§5.6.3)',
  },
  estimateAt: {
    name: 'SLA Estimate recorded',
    type: 'datetime',
    output: false,
    description: 'When the fix estimate was given (§2.9.2)',
  },
  visitDate: {
    name: 'SLA Visit date',
    type: 'date',
    output: false,
    description: 'Requested on-site visit date (§2.7: at least 5 working days ahead)',
  },
  slaPriority: {
    name: 'SLA Priority',
    type: 'number',
    output: true,
    description: 'Computed priority: incident 1–5, error 1–10 (written by reglament)',
  },
  slaState: {
    name: 'SLA State',
    type: 'text',
    output: true,
    description: 'running, at-risk, breached, met, incomplete, none (written by reglament)',
  },
  reactionDue: {
    name: 'SLA Reaction due',
    type: 'datetime',
    output: true,
    description: 'Reaction deadline (written by reglament)',
  },
  verificationDue: {
    name: 'SLA Verification due',
    type: 'datetime',
    output: true,
    description: 'Verification deadline (written by reglament)',
  },
  fixDue: {
    name: 'SLA Fix due',
    type: 'datetime',
    output: true,
    description: 'Fix deadline (written by reglament)',
  },
};

export const FIELD_ROLES = Object.keys(FIELD_DEFS) as FieldRole[];

interface JiraField {
  id: string;
  name: string;
  custom?: boolean;
  schema?: { custom?: string };
}

/** `schema.custom` of Service Management's "Request participants" field. */
export const PARTICIPANTS_FIELD_TYPE = 'com.atlassian.servicedesk:sd-request-participants';

export interface FieldCatalog {
  /** role → field id, for the roles found or created. */
  ids: Partial<Record<FieldRole, string>>;
  /** role → field name (older Data Center changelogs name the field without its id). */
  names: Partial<Record<FieldRole, string>>;
  /** Roles with no field on the site (their inputs read as missing, their outputs are not written). */
  missing: FieldRole[];
  /** Field ids and names the service writes (own-write detection in webhooks). */
  own: Set<string>;
  /** Service Management's "Request participants" field, when the site has one: never support staff. */
  participants?: string;
  /** Service Management's "Organizations" field, when the site has one (customers, issue #17). */
  organizations?: string;
}

export interface DiscoverOptions {
  mapping: Partial<Record<FieldRole, string>>;
  create: boolean;
  log?: {
    warn(obj: Record<string, unknown>, msg: string): void;
    info(obj: Record<string, unknown>, msg: string): void;
  };
}

/** Finds (and if allowed creates) every role's field. */
export async function discoverFields(client: JiraClient, o: DiscoverOptions): Promise<FieldCatalog> {
  const fields = (await client.get<JiraField[]>('/rest/api/2/field')) ?? [];
  const byId = new Map(fields.map((f) => [f.id, f]));
  const byName = new Map<string, JiraField[]>();
  for (const f of fields) {
    const k = f.name.trim().toLowerCase();
    byName.set(k, [...(byName.get(k) ?? []), f]);
  }
  const catalog: FieldCatalog = { ids: {}, names: {}, missing: [], own: new Set() };
  for (const role of FIELD_ROLES) {
    const def = FIELD_DEFS[role];
    const wanted = o.mapping[role];
    let found: JiraField | undefined;
    if (wanted) {
      found = byId.get(wanted);
      if (!found) {
        const named = byName.get(wanted.trim().toLowerCase()) ?? [];
        if (named.length > 1)
          o.log?.warn(
            { role, name: wanted, ids: named.map((f) => f.id) },
            'several Jira fields have this name; using the first: map the field by id',
          );
        found = named[0];
      }
      if (!found) {
        o.log?.warn({ role, field: wanted }, 'the configured Jira field does not exist');
        catalog.missing.push(role);
        continue;
      }
    } else {
      const named = (byName.get(def.name.toLowerCase()) ?? []).filter((f) => f.custom !== false);
      found = named[0];
      if (!found && o.create) {
        const created = await client.request<JiraField>('POST', '/rest/api/2/field', {
          name: def.name,
          description: def.description,
          ...TYPES[def.type],
        });
        if (created) {
          found = created;
          o.log?.info(
            { role, field: created.id, name: def.name, ...(def.options ? { addOptions: def.options } : {}) },
            def.options
              ? 'created a Jira select field: add its options in Jira administration (custom fields → configure → edit options) and put it on the screens'
              : 'created a Jira custom field: put it on the issue screens',
          );
        }
      }
      if (!found) {
        catalog.missing.push(role);
        continue;
      }
    }
    catalog.ids[role] = found.id;
    catalog.names[role] = found.name;
    if (def.output) {
      catalog.own.add(found.id);
      catalog.own.add(found.name);
    }
  }
  const participants = fields.find((f) => f.schema?.custom === PARTICIPANTS_FIELD_TYPE);
  if (participants) catalog.participants = participants.id;
  const organizations = fields.find((f) => f.schema?.custom === ORGANIZATIONS_FIELD_TYPE);
  if (organizations) catalog.organizations = organizations.id;
  if (catalog.missing.length > 0)
    o.log?.warn(
      { missing: catalog.missing.map((r) => `${r} (${FIELD_DEFS[r].name})`) },
      'Jira fields not found: their inputs read as missing and their values are not written',
    );
  return catalog;
}
