/**
 * Demo customers (issue #17): three customers with their support certificates, recognised by their
 * projects, and a few incidents of each, evaluated by the real engine under their contracts —
 * "Порт Владивосток" counts working hours in its own zone (Asia/Vladivostok), "Балтийская верфь" in
 * the vendor's, and "Уральский завод" has a certificate that expired on 31 December 2025, so its 2026
 * requests are flagged (`sla-outside-contract`). Deterministic for a given `now`; called once by the
 * demo seed (src/server/demo/seed.ts).
 */
import type { AppDeps } from '../../app/deps';
import { onIssueChange } from '../../app/issue-change';
import { formatInstant } from '../../domain/calendar';
import type { Impact, Urgency } from '../../domain/codes';
import type { CustomersConfig } from '../../domain/contracts';
import type { Snapshot } from '../../domain/snapshot';
import type { Storage } from '../storage';
import { prng } from './seed';

export const DEMO_CUSTOMERS: CustomersConfig = {
  customers: [
    {
      id: 'vlad-port',
      name: 'Порт Владивосток · Vladivostok Port',
      identities: [{ kind: 'project', value: 'VLAD' }],
      contracts: [
        {
          certificate: 'ТП-2026-017',
          validFrom: '2026-01-01',
          validTo: '2026-12-31',
          instances: ['mts-link-vl-01'],
          preset: 'site',
          calendar: 'site',
          zone: 'Asia/Vladivostok',
          zoneMode: 'customer',
          contacts: ['duty@vlad-port.example'],
        },
      ],
    },
    {
      id: 'baltic-yard',
      name: 'Балтийская верфь · Baltic Yard',
      identities: [{ kind: 'project', value: 'BALT' }],
      contracts: [
        {
          certificate: 'ТП-2025-044',
          validFrom: '2025-03-01',
          validTo: '2026-02-28',
          instances: ['mts-link-spb-01'],
          preset: 'site',
          calendar: 'site',
          zone: 'Europe/Moscow',
          zoneMode: 'vendor',
          contacts: ['it@baltic-yard.example'],
        },
        {
          certificate: 'ТП-2026-101',
          validFrom: '2026-03-01',
          validTo: '2027-02-28',
          instances: ['mts-link-spb-01', 'mts-link-spb-02'],
          preset: 'site',
          calendar: 'site',
          zone: 'Europe/Moscow',
          zoneMode: 'vendor',
          contacts: ['it@baltic-yard.example'],
        },
      ],
    },
    {
      id: 'ural-works',
      name: 'Уральский завод · Ural Works',
      identities: [{ kind: 'project', value: 'URAL' }],
      contracts: [
        {
          certificate: 'ТП-2025-003',
          validFrom: '2025-01-01',
          validTo: '2025-12-31',
          instances: ['mts-link-ekb-01'],
          preset: 'site',
          calendar: 'site',
          zone: 'Asia/Yekaterinburg',
          zoneMode: 'customer',
          contacts: ['support@ural-works.example'],
        },
      ],
    },
  ],
};

const PROJECTS: [string, string][] = [
  ['VLAD', 'Asia/Vladivostok'],
  ['BALT', 'Europe/Moscow'],
  ['URAL', 'Asia/Yekaterinburg'],
];
const PER_CUSTOMER = 8;
/** How many tickets the demo customers have. */
export const DEMO_CUSTOMER_TICKETS = PER_CUSTOMER * 3;
const DAY = 86_400_000;
const IMPACTS: Impact[] = ['high', 'medium', 'low'];
const URGENCIES: Urgency[] = ['high', 'medium', 'low'];

/** The demo customers' incidents as of `now` (registered on the last weeks' weekdays, 10:00 local). */
export function demoCustomerSnapshots(now: number): Snapshot[] {
  const r = prng(20260417);
  const out: Snapshot[] = [];
  for (const [project, zone] of PROJECTS)
    for (let i = 1; i <= PER_CUSTOMER; i++) {
      let reg = now - (2 + i * 4) * DAY;
      const local = new Date(formatInstant(reg, zone).slice(0, 10) + 'T00:00:00Z').getUTCDay();
      if (local === 6) reg -= DAY;
      if (local === 0) reg -= 2 * DAY;
      const day = formatInstant(reg, zone).slice(0, 10);
      const offset = formatInstant(reg, zone).slice(-6);
      const registeredAt = `${day}T10:00:00${offset}`;
      const s: Snapshot = {
        key: `${project}-${i}`,
        kind: 'incident',
        project,
        summary: 'Не подключаются участники вебинара · Participants cannot join a webinar',
        registeredAt,
        impact: IMPACTS[Math.floor(r() * 3)]!,
        urgency: URGENCIES[Math.floor(r() * 2)]!,
        mode: 'operation',
        nature: 'failure',
      };
      if (r() < 0.7) {
        const reacted = Date.parse(registeredAt) + (1 + Math.floor(r() * 30)) * 3_600_000;
        if (reacted < now)
          s.reactions = [{ at: formatInstant(reacted, zone), type: 'comment', authorRole: 'agent' }];
      }
      out.push(s);
    }
  return out;
}

/** Saves the demo customers in the settings and evaluates their incidents (once, with the demo seed). */
export async function seedDemoCustomers(o: {
  deps: AppDeps;
  tickets: Storage['tickets'];
  store: Storage['store'];
  now: number;
}): Promise<number> {
  const settings = await o.store.getSettings();
  if (!settings.customers || settings.customers.customers.length === 0)
    await o.store.saveSettings({ ...settings, customers: DEMO_CUSTOMERS });
  const snapshots = demoCustomerSnapshots(o.now);
  for (const s of snapshots) {
    await o.tickets.put(s, 'demo');
    await onIssueChange(o.deps, s.key);
  }
  return snapshots.length;
}
