/**
 * Customers and their support contracts (issue #17, source §2.1, §2.5, §2.9.4). Pure data, validation
 * and resolution; docs/contracts.md explains the rules to administrators.
 *
 * A customer is found from the ticket system's identity of a ticket: a Jira Service Management
 * organization, a value of a customer field, a component (Jira Cloud/Data Center), or a field value or
 * the project on other systems. Its contracts are support certificates: a number, the dates they are
 * valid (both inclusive, in the customer's zone), the product instances they cover, the policy preset,
 * the calendar, the customer's time zone, whether working hours count in the customer's zone or the
 * vendor's, and the contacts that receive the customer's notifications.
 *
 * Resolution (`resolveContract`) of a ticket:
 * - no customer matches → the site's policy and calendar, nothing flagged (`no-customer`);
 * - several customers match → the first in the list wins, flagged `ambiguous-customer`;
 * - the contract in force at registration is one whose dates contain the registration date (in the
 *   contract's zone); several such contracts (overlapping certificates) → the one that started last
 *   wins (ties: the one that ends last, then the first listed), flagged `overlapping-certificates`;
 * - no contract in force (expired, not started yet, or the customer has none) → flagged
 *   `outside-certificate`, with the dates of the nearest certificate in the message. The clocks then
 *   run on the site's default policy and calendar — the request is still answered (§2.6) and a
 *   certificate renewed afterwards changes nothing already recorded — but the request carries the
 *   label `sla-outside-contract` and the message, so nobody mistakes it for a covered request;
 * - the ticket names a product instance the contract does not cover → flagged `instance-not-covered`
 *   (evaluated under the contract, which is otherwise in force).
 */
import { DateTime, IANAZone } from 'luxon';
import type { CalendarConfig } from './calendar/types';
import type { Locale } from './codes';
import { formatDate } from './messages';
import { AS_PRINTED_POLICY, clonePolicy, DEFAULT_POLICY, type Policy } from './policy';
import type { Problem, Result } from './policy-validate';

/** The label on requests outside any valid certificate (`labels = sla-outside-contract`). */
export const CONTRACT_LABEL = 'sla-outside-contract';

/** How a customer is recognised on a ticket. */
export type IdentityKind = 'organization' | 'field' | 'component' | 'project';
export const IDENTITY_KINDS: readonly IdentityKind[] = ['organization', 'field', 'component', 'project'];

export interface CustomerIdentity {
  kind: IdentityKind;
  /** `field` only: the field's id or name (`customfield_10200`, `Customer`). */
  field?: string;
  /** The organization's, field value's, component's name or the project key (compared case-insensitively). */
  value: string;
}

/** `site`: the site's policy as edited on the Policy tab; the others are the built-in presets. */
export type ContractPreset = 'site' | 'default' | 'as-printed';
export const CONTRACT_PRESETS: readonly ContractPreset[] = ['site', 'default', 'as-printed'];
/** `site`: the site's calendar; `24x7`: every minute is working time (§2.2: support runs round the clock). */
export type ContractCalendar = 'site' | '24x7';
export const CONTRACT_CALENDARS: readonly ContractCalendar[] = ['site', '24x7'];
/** Whose working hours count: the customer's (09:00–18:00 in its zone) or the vendor's (the site's zone). */
export type ZoneMode = 'customer' | 'vendor';
export const ZONE_MODES: readonly ZoneMode[] = ['customer', 'vendor'];

export interface Contract {
  /** The certificate number, unique on the site (the contract's id). */
  certificate: string;
  /** 'YYYY-MM-DD', first day the certificate is valid. */
  validFrom: string;
  /** 'YYYY-MM-DD', last day the certificate is valid (inclusive). */
  validTo: string;
  /** Covered product instances (server names, licence ids); empty: every instance of the customer. */
  instances: string[];
  preset: ContractPreset;
  calendar: ContractCalendar;
  /** The customer's IANA time zone, e.g. 'Asia/Vladivostok'. */
  zone: string;
  zoneMode: ZoneMode;
  /** E-mail addresses that receive the customer's notifications under this contract. */
  contacts: string[];
}

export interface Customer {
  /** Short stable id (letters, digits, `-`, `_`; at most 64), kept on SLA records. */
  id: string;
  name: string;
  identities: CustomerIdentity[];
  contracts: Contract[];
}

export interface CustomersConfig {
  customers: Customer[];
}

/** What a ticket tells about its customer (read by the ticket system's adapter). */
export interface TicketIdentity {
  project: string;
  organizations?: string[];
  components?: string[];
  /** Field id or name → the values the ticket has in it. */
  fields?: Record<string, string[]>;
  /** The product instance the request is about, when the ticket names one. */
  instance?: string | null;
}

export type ContractFlagCode =
  'outside-certificate' | 'overlapping-certificates' | 'ambiguous-customer' | 'instance-not-covered';

export interface ContractFlag {
  code: ContractFlagCode;
  /** Russian and English messages naming the rule and the dates. */
  text: Record<Locale, string>;
}

export interface ContractResolution {
  customer: Customer | null;
  /** The contract in force at registration; null when none is (or there is no customer). */
  contract: Contract | null;
  /** The registration date the certificates were checked on ('YYYY-MM-DD'), null without a customer. */
  date: string | null;
  flags: ContractFlag[];
}

// --- validation -------------------------------------------------------------------------------

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));
const validDate = (v: unknown): v is string =>
  typeof v === 'string' && DATE_RE.test(v) && DateTime.fromISO(v, { zone: 'UTC' }).isValid;

/**
 * Validates the customers document as the admin page or a CSV import sends it; every problem with its
 * path (`customers.1.contracts.0.validTo`) and the value found.
 * @example validateCustomers({ customers: [{ id: 'acme', name: 'ACME', identities: [], contracts: [{ certificate: 'C-1', validFrom: '2026-02-01', validTo: '2026-01-01', … }] }] })
 * // => { ok: false, errors: [{ path: 'customers.0.contracts.0.validTo', message: 'must not be before validFrom "2026-02-01", got "2026-01-01"' }] }
 */
export function validateCustomers(input: unknown): Result<CustomersConfig> {
  const errors: Problem[] = [];
  if (!isObject(input) || !Array.isArray(input.customers))
    return {
      ok: false,
      errors: [{ path: 'customers', message: `must be a list of customers, got ${show(input)}` }],
    };
  const ids = new Set<string>();
  const certificates = new Map<string, string>();
  const customers: Customer[] = [];
  input.customers.forEach((c: unknown, i: number) => {
    const at = `customers.${i}`;
    if (!isObject(c)) {
      errors.push({ path: at, message: `must be a customer object, got ${show(c)}` });
      return;
    }
    const id = typeof c.id === 'string' ? c.id.trim() : c.id;
    if (typeof id !== 'string' || !ID_RE.test(id))
      errors.push({
        path: `${at}.id`,
        message: `must be 1–64 letters, digits, "-" or "_", got ${show(c.id)}`,
      });
    else if (ids.has(id.toLowerCase()))
      errors.push({ path: `${at}.id`, message: `customer id ${show(id)} is used twice` });
    else ids.add(id.toLowerCase());
    const name = typeof c.name === 'string' ? c.name.trim() : '';
    if (name === '')
      errors.push({ path: `${at}.name`, message: `must be a non-empty name, got ${show(c.name)}` });
    const identities: CustomerIdentity[] = [];
    if (!Array.isArray(c.identities))
      errors.push({ path: `${at}.identities`, message: `must be a list, got ${show(c.identities)}` });
    else
      c.identities.forEach((x: unknown, j: number) => {
        const p = `${at}.identities.${j}`;
        if (!isObject(x))
          return errors.push({ path: p, message: `must be an identity object, got ${show(x)}` });
        if (!IDENTITY_KINDS.includes(x.kind as IdentityKind))
          return errors.push({
            path: `${p}.kind`,
            message: `must be one of ${IDENTITY_KINDS.join(', ')}, got ${show(x.kind)}`,
          });
        const value = typeof x.value === 'string' ? x.value.trim() : '';
        if (value === '')
          return errors.push({
            path: `${p}.value`,
            message: `must be a non-empty value, got ${show(x.value)}`,
          });
        const field = typeof x.field === 'string' ? x.field.trim() : '';
        if (x.kind === 'field' && field === '')
          return errors.push({
            path: `${p}.field`,
            message: `must name the field (id or name), got ${show(x.field)}`,
          });
        identities.push({ kind: x.kind as IdentityKind, value, ...(x.kind === 'field' ? { field } : {}) });
        return undefined;
      });
    const contracts: Contract[] = [];
    if (!Array.isArray(c.contracts))
      errors.push({ path: `${at}.contracts`, message: `must be a list, got ${show(c.contracts)}` });
    else
      c.contracts.forEach((k: unknown, j: number) => {
        const r = validateContract(k, `${at}.contracts.${j}`);
        if (!r.ok) return errors.push(...r.errors);
        const owner = certificates.get(r.value.certificate.toLowerCase());
        if (owner !== undefined)
          return errors.push({
            path: `${at}.contracts.${j}.certificate`,
            message: `certificate ${show(r.value.certificate)} is listed twice (also at ${owner})`,
          });
        certificates.set(r.value.certificate.toLowerCase(), `${at}.contracts.${j}`);
        contracts.push(r.value);
        return undefined;
      });
    if (typeof id === 'string') customers.push({ id, name, identities, contracts });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { customers } };
}

function validateContract(k: unknown, at: string): Result<Contract> {
  const errors: Problem[] = [];
  if (!isObject(k))
    return { ok: false, errors: [{ path: at, message: `must be a contract object, got ${show(k)}` }] };
  const certificate = typeof k.certificate === 'string' ? k.certificate.trim() : '';
  if (certificate === '' || certificate.length > 64)
    errors.push({
      path: `${at}.certificate`,
      message: `must be the certificate number (1–64 characters), got ${show(k.certificate)}`,
    });
  for (const f of ['validFrom', 'validTo'] as const)
    if (!validDate(k[f]))
      errors.push({ path: `${at}.${f}`, message: `must be a date YYYY-MM-DD, got ${show(k[f])}` });
  if (validDate(k.validFrom) && validDate(k.validTo) && k.validTo < k.validFrom)
    errors.push({
      path: `${at}.validTo`,
      message: `must not be before validFrom ${show(k.validFrom)}, got ${show(k.validTo)}`,
    });
  const list = (f: 'instances' | 'contacts'): string[] => {
    const v = k[f] ?? [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
      errors.push({ path: `${at}.${f}`, message: `must be a list of texts, got ${show(k[f])}` });
      return [];
    }
    return v.map((x: string) => x.trim()).filter((x) => x !== '');
  };
  const instances = list('instances');
  const contacts = list('contacts');
  contacts.forEach((c, i) => {
    if (!EMAIL_RE.test(c))
      errors.push({ path: `${at}.contacts.${i}`, message: `must be an e-mail address, got ${show(c)}` });
  });
  const preset = k.preset ?? 'site';
  if (!CONTRACT_PRESETS.includes(preset as ContractPreset))
    errors.push({
      path: `${at}.preset`,
      message: `must be one of ${CONTRACT_PRESETS.join(', ')}, got ${show(k.preset)}`,
    });
  const calendar = k.calendar ?? 'site';
  if (!CONTRACT_CALENDARS.includes(calendar as ContractCalendar))
    errors.push({
      path: `${at}.calendar`,
      message: `must be one of ${CONTRACT_CALENDARS.join(', ')}, got ${show(k.calendar)}`,
    });
  if (typeof k.zone !== 'string' || !IANAZone.isValidZone(k.zone))
    errors.push({
      path: `${at}.zone`,
      message: `must be an IANA time zone such as "Asia/Vladivostok", got ${show(k.zone)}`,
    });
  const zoneMode = k.zoneMode ?? 'vendor';
  if (!ZONE_MODES.includes(zoneMode as ZoneMode))
    errors.push({
      path: `${at}.zoneMode`,
      message: `must be one of ${ZONE_MODES.join(', ')}, got ${show(k.zoneMode)}`,
    });
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      certificate,
      validFrom: k.validFrom as string,
      validTo: k.validTo as string,
      instances,
      preset: preset as ContractPreset,
      calendar: calendar as ContractCalendar,
      zone: k.zone as string,
      zoneMode: zoneMode as ZoneMode,
      contacts,
    },
  };
}

// --- resolution -------------------------------------------------------------------------------

const same = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Whether one identity of a customer matches the ticket. */
function matches(id: CustomerIdentity, t: TicketIdentity): boolean {
  switch (id.kind) {
    case 'project':
      return same(id.value, t.project);
    case 'organization':
      return (t.organizations ?? []).some((o) => same(o, id.value));
    case 'component':
      return (t.components ?? []).some((o) => same(o, id.value));
    case 'field': {
      const fields = t.fields ?? {};
      const key = Object.keys(fields).find((k) => same(k, id.field ?? ''));
      return key !== undefined && (fields[key] ?? []).some((v) => same(v, id.value));
    }
  }
}

/** The customers a ticket matches, in list order. */
export function customersOf(config: CustomersConfig | undefined, t: TicketIdentity): Customer[] {
  return (config?.customers ?? []).filter((c) => c.identities.some((id) => matches(id, t)));
}

const dateIn = (ms: number, zone: string): string => DateTime.fromMillis(ms, { zone }).toISODate() ?? '';

function dates(k: Contract, lang: Locale): string {
  return lang === 'ru'
    ? `с ${formatDate(k.validFrom, lang)} по ${formatDate(k.validTo, lang)}`
    : `from ${formatDate(k.validFrom, lang)} to ${formatDate(k.validTo, lang)}`;
}

/**
 * The customer and the contract in force when the ticket was registered (see the module comment).
 * @param registeredMs the registration instant (issue creation), epoch ms
 * @param siteZone the vendor's zone (the site calendar's), used for customers without contracts
 * @example resolveContract(config, { project: 'SUP', organizations: ['ACME'] }, Date.parse('2026-03-02T10:00:00+03:00'), 'Europe/Moscow')
 * // => { customer: { id: 'acme', … }, contract: { certificate: 'C-2026', … }, date: '2026-03-02', flags: [] }
 */
export function resolveContract(
  config: CustomersConfig | undefined,
  ticket: TicketIdentity,
  registeredMs: number,
  siteZone: string,
): ContractResolution {
  const found = customersOf(config, ticket);
  const customer = found[0] ?? null;
  if (customer === null) return { customer: null, contract: null, date: null, flags: [] };
  const flags: ContractFlag[] = [];
  if (found.length > 1) {
    const names = found.map((c) => `«${c.name}»`).join(', ');
    flags.push({
      code: 'ambiguous-customer',
      text: {
        ru: `Обращение подходит нескольким заказчикам (${names}); учтено по первому в списке — «${customer.name}».`,
        en: `The request matches several customers (${names}); it is counted for the first listed, "${customer.name}".`,
      },
    });
  }
  const dated = customer.contracts.map((k) => ({ k, d: dateIn(registeredMs, k.zone) }));
  const date = dated[0]?.d ?? dateIn(registeredMs, siteZone);
  const inForce = dated.filter(({ k, d }) => k.validFrom <= d && d <= k.validTo).map(({ k }) => k);
  if (inForce.length === 0) {
    flags.push(outsideFlag(customer, date));
    return { customer, contract: null, date, flags };
  }
  // Overlapping certificates: the one that started last wins (then the one that ends last, then list order).
  const contract = inForce.reduce((best, k) =>
    k.validFrom > best.validFrom || (k.validFrom === best.validFrom && k.validTo > best.validTo) ? k : best,
  );
  if (inForce.length > 1) {
    const others = inForce.filter((k) => k !== contract);
    flags.push({
      code: 'overlapping-certificates',
      text: {
        ru:
          `На дату регистрации ${formatDate(date, 'ru')} действуют несколько сертификатов заказчика «${customer.name}»: ` +
          `применён № ${contract.certificate} (${dates(contract, 'ru')}) — действует тот, что начался позже; ` +
          `также действуют ${others.map((k) => `№ ${k.certificate} (${dates(k, 'ru')})`).join(', ')}.`,
        en:
          `Several certificates of the customer "${customer.name}" are valid on the registration date ${formatDate(date, 'en')}: ` +
          `No. ${contract.certificate} (${dates(contract, 'en')}) applies — the one that started last wins; ` +
          `also valid: ${others.map((k) => `No. ${k.certificate} (${dates(k, 'en')})`).join(', ')}.`,
      },
    });
  }
  const instance = ticket.instance?.trim();
  if (instance && contract.instances.length > 0 && !contract.instances.some((x) => same(x, instance))) {
    flags.push({
      code: 'instance-not-covered',
      text: {
        ru:
          `Экземпляр «${instance}» не указан в сертификате № ${contract.certificate} (${contract.instances.join(', ')}); ` +
          `поддержка оказывается указанным в сертификате экземплярам (п. 2.1 регламента).`,
        en:
          `The instance "${instance}" is not listed in certificate No. ${contract.certificate} (${contract.instances.join(', ')}); ` +
          `support covers the instances the certificate lists (§2.1 of the regulation).`,
      },
    });
  }
  return { customer, contract, date, flags };
}

function outsideFlag(customer: Customer, date: string): ContractFlag {
  const past = customer.contracts
    .filter((k) => k.validTo < date)
    .sort((a, b) => (a.validTo < b.validTo ? 1 : -1));
  const future = customer.contracts
    .filter((k) => k.validFrom > date)
    .sort((a, b) => (a.validFrom < b.validFrom ? -1 : 1));
  const ru = [
    `Обращение зарегистрировано ${formatDate(date, 'ru')}, вне срока действия сертификатов на техническую поддержку заказчика «${customer.name}» (п. 2.5 регламента)`,
  ];
  const en = [
    `The request was registered on ${formatDate(date, 'en')}, outside every support certificate of the customer "${customer.name}" (§2.5 of the regulation)`,
  ];
  const last = past[0];
  const next = future[0];
  if (last) {
    ru.push(`сертификат № ${last.certificate} действовал ${dates(last, 'ru')}`);
    en.push(`certificate No. ${last.certificate} was valid ${dates(last, 'en')}`);
  }
  if (next) {
    ru.push(`сертификат № ${next.certificate} действует ${dates(next, 'ru')}`);
    en.push(`certificate No. ${next.certificate} is valid ${dates(next, 'en')}`);
  }
  if (!last && !next) {
    ru.push('у заказчика нет сертификатов');
    en.push('the customer has no certificate');
  }
  return {
    code: 'outside-certificate',
    text: {
      ru: `${ru.join('; ')}. Сроки считаются по политике сайта.`,
      en: `${en.join('; ')}. The clocks run on the site's policy.`,
    },
  };
}

// --- the terms a contract evaluates with -------------------------------------------------------

/** The policy of a contract (the site's when `site`, or no contract). */
export function contractPolicy(contract: Contract | null, sitePolicy: Readonly<Policy>): Readonly<Policy> {
  if (!contract || contract.preset === 'site') return sitePolicy;
  const preset = contract.preset === 'as-printed' ? AS_PRINTED_POLICY : DEFAULT_POLICY;
  // The site's non-matrix choices (what counts as a reaction, the target) stay the site's.
  return {
    ...clonePolicy(preset),
    reaction: sitePolicy.reaction,
    complianceTarget: sitePolicy.complianceTarget,
    versions: sitePolicy.versions,
    ...(sitePolicy.agreedCounting ? { agreedCounting: sitePolicy.agreedCounting } : {}),
  };
}

/**
 * The calendar of a contract: the site's production calendar, in the customer's zone when the
 * contract counts the customer's working hours (09:00–18:00 there), the vendor's zone otherwise;
 * every minute when it is `24x7`.
 * @example contractCalendar({ zone: 'Asia/Vladivostok', zoneMode: 'customer', calendar: 'site', … }, site).zone // 'Asia/Vladivostok'
 */
export function contractCalendar(contract: Contract | null, site: CalendarConfig): CalendarConfig {
  if (!contract) return site;
  const zone = contract.zoneMode === 'customer' ? contract.zone : site.zone;
  if (zone === site.zone && contract.calendar === 'site') return site;
  return { ...site, zone, ...(contract.calendar === '24x7' ? { allDay: true } : {}) };
}
