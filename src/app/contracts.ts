/**
 * Customers and contracts in the use cases (issue #17): a ticket resolves to its customer and the
 * contract in force at registration (src/domain/contracts.ts), and that contract's policy and
 * calendar evaluate it. The flags of the resolution become warnings of the verdict (the issue panel
 * shows them) and `outside-certificate` puts the label `sla-outside-contract` on the issue.
 */
import { parseInstant } from '../domain/calendar';
import {
  contractCalendar,
  contractPolicy,
  resolveContract,
  type ContractResolution,
  type TicketIdentity,
} from '../domain/contracts';
import type { Verdict, VerdictContract } from '../domain/snapshot';
import type { Settings, Ticket } from './ports';

/** The ticket's identity as the resolution reads it. */
export function identityOf(ticket: Ticket): TicketIdentity {
  return { ...(ticket.identity ?? {}), project: ticket.project };
}

/** The customer and contract of a ticket (none when the settings list no customers). */
export function contractOf(ticket: Ticket, settings: Settings): ContractResolution {
  if (!settings.customers || settings.customers.customers.length === 0)
    return { customer: null, contract: null, date: null, flags: [] };
  let registered: number;
  try {
    registered = parseInstant(ticket.snapshot.registeredAt);
  } catch {
    // A malformed registration instant fails the evaluation itself with its own message.
    return { customer: null, contract: null, date: null, flags: [] };
  }
  return resolveContract(settings.customers, identityOf(ticket), registered, settings.calendar.zone);
}

/** Per settings object and certificate: the settings a contract evaluates with (reused across tickets). */
const cache = new WeakMap<Settings, Map<string, Settings>>();

/**
 * The settings a ticket is evaluated with: the site's, with the contract's policy and calendar (its
 * zone when the contract counts the customer's working hours).
 */
export function settingsFor(resolution: ContractResolution, settings: Settings): Settings {
  const contract = resolution.contract;
  if (!contract) return settings;
  let byCert = cache.get(settings);
  if (!byCert) {
    byCert = new Map();
    cache.set(settings, byCert);
  }
  const id = `${resolution.customer?.id ?? ''}\u0000${contract.certificate}`;
  let s = byCert.get(id);
  if (!s) {
    const policy = contractPolicy(contract, settings.policy);
    const calendar = contractCalendar(contract, settings.calendar);
    s =
      policy === settings.policy && calendar === settings.calendar
        ? settings
        : { ...settings, policy: policy as Settings['policy'], calendar };
    byCert.set(id, s);
  }
  return s;
}

/** What the verdict keeps of the resolution (null without a customer). */
export function verdictContract(resolution: ContractResolution): VerdictContract | null {
  if (!resolution.customer) return null;
  const k = resolution.contract;
  return {
    customer: resolution.customer.id,
    customerName: resolution.customer.name,
    certificate: k?.certificate ?? null,
    ...(k ? { validFrom: k.validFrom, validTo: k.validTo, zone: k.zone, zoneMode: k.zoneMode } : {}),
  };
}

/** The verdict with the contract and its flags (as warnings `contract-<code>`, in English; `ru` beside). */
export function withContract(verdict: Verdict, resolution: ContractResolution): Verdict {
  const contract = verdictContract(resolution);
  if (!contract) return verdict;
  return {
    ...verdict,
    contract,
    warnings: [
      ...verdict.warnings,
      ...resolution.flags.map((f) => ({ code: `contract-${f.code}`, message: f.text.en, ru: f.text.ru })),
    ],
  };
}
