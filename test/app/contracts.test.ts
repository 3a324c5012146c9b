/**
 * Issue #17 through the use cases: a ticket is evaluated under its customer's contract (policy,
 * calendar, zone), the SLA record carries the customer and certificate, a request outside every
 * certificate is flagged (warning in both languages, label `sla-outside-contract`), the settings
 * refuse a bad contract naming field and value, and per-customer figures equal the CLI's.
 */
import { createApi } from '../../src/app/api';
import { onIssueChange } from '../../src/app/issue-change';
import type { SlaRecordRow } from '../../src/app/ports';
import { processLine } from '../../src/cli/batch';
import { reportCommand } from '../../src/cli/report-command';
import type { Contract, CustomersConfig } from '../../src/domain/contracts';
import { incidentIssue, memoryDeps, settings } from '../support/builders';
import { generateRows } from '../support/record-gen';
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function contract(patch: Partial<Contract> = {}): Contract {
  return {
    certificate: 'VL-2026',
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    instances: [],
    preset: 'site',
    calendar: 'site',
    zone: 'Asia/Vladivostok',
    zoneMode: 'customer',
    contacts: ['duty@vl.example'],
    ...patch,
  };
}

const CUSTOMERS: CustomersConfig = {
  customers: [
    {
      id: 'vl',
      name: 'Порт Владивосток',
      identities: [{ kind: 'organization', value: 'Vladivostok Port' }],
      contracts: [contract()],
    },
    {
      id: 'old',
      name: 'Old Co',
      identities: [{ kind: 'component', value: 'OldCo' }],
      contracts: [
        contract({
          certificate: 'OLD-2025',
          validFrom: '2025-01-01',
          validTo: '2025-12-31',
          zoneMode: 'vendor',
        }),
      ],
    },
  ],
};

describe("evaluation under the customer's contract", () => {
  // Wednesday 2026-03-04 10:00 in Vladivostok (03:00 MSK); priority 5 critical: 8 working hours.
  const registeredAt = '2026-03-04T10:00:00+10:00';

  it("counts the Vladivostok customer's working hours in its zone and records customer and certificate", async () => {
    const deps = memoryDeps({
      now: '2026-03-04T12:00:00+10:00',
      settings: settings({ customers: CUSTOMERS }),
    });
    const issue = deps.jira.add(
      incidentIssue({ identity: { organizations: ['Vladivostok Port'] }, inputs: { registeredAt } }),
    );
    const out = await onIssueChange(deps, issue.key);
    // 10–13 and 14–18 on Wednesday (7 h) + 09–10 Thursday, Vladivostok time.
    expect(out.verdict?.reaction?.due).toBe('2026-03-05T10:00:00+10:00');
    expect(out.verdict?.contract).toEqual({
      customer: 'vl',
      customerName: 'Порт Владивосток',
      certificate: 'VL-2026',
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      zone: 'Asia/Vladivostok',
      zoneMode: 'customer',
    });
    expect(deps.store.records.get(issue.key)).toMatchObject({ customer: 'vl', contract: 'VL-2026' });
    expect(issue.labels ?? []).not.toContain('sla-outside-contract');
  });

  it("the same ticket on a vendor-zone contract is due at the end of Moscow's Wednesday", async () => {
    const vendor: CustomersConfig = {
      customers: [{ ...CUSTOMERS.customers[0]!, contracts: [contract({ zoneMode: 'vendor' })] }],
    };
    const deps = memoryDeps({ now: '2026-03-04T12:00:00+10:00', settings: settings({ customers: vendor }) });
    const issue = deps.jira.add(
      incidentIssue({ identity: { organizations: ['Vladivostok Port'] }, inputs: { registeredAt } }),
    );
    const out = await onIssueChange(deps, issue.key);
    expect(out.verdict?.reaction?.due).toBe('2026-03-04T18:00:00+03:00');
  });

  it('a ticket with no customer is evaluated with the site settings as before', async () => {
    const deps = memoryDeps({ settings: settings({ customers: CUSTOMERS }) });
    const issue = deps.jira.add(incidentIssue());
    const out = await onIssueChange(deps, issue.key);
    expect(out.verdict?.reaction?.due).toBe('2026-03-10T16:30:00+03:00'); // SPEC §8 example 1
    expect(out.verdict?.contract).toBeUndefined();
    expect(deps.store.records.get(issue.key)?.customer ?? null).toBeNull();
  });

  it('an expired certificate: flagged in both languages, labelled, the clocks on the site policy', async () => {
    const deps = memoryDeps({ settings: settings({ customers: CUSTOMERS }) });
    const issue = deps.jira.add(incidentIssue({ identity: { components: ['OldCo'] }, labels: [] }));
    const out = await onIssueChange(deps, issue.key);
    expect(out.verdict?.reaction?.due).toBe('2026-03-10T16:30:00+03:00');
    const w = out.verdict?.warnings.find((x) => x.code === 'contract-outside-certificate');
    expect(w?.message).toBe(
      'The request was registered on 6 March 2026, outside every support certificate of the customer "Old Co" ' +
        '(§2.5 of the regulation); certificate No. OLD-2025 was valid from 1 January 2025 to 31 December 2025. ' +
        "The clocks run on the site's policy.",
    );
    expect(w?.ru).toContain('сертификат № OLD-2025 действовал с 1 января 2025 по 31 декабря 2025');
    expect(issue.labels).toContain('sla-outside-contract');
    expect(deps.store.records.get(issue.key)).toMatchObject({ customer: 'old', contract: null });
  });
});

describe('customers in the settings', () => {
  it('saveSettings refuses a contract naming field and value, and keeps a valid one', async () => {
    const deps = memoryDeps({ admin: true });
    const api = createApi(deps);
    const bad = await api.saveSettings({
      customers: {
        customers: [{ ...CUSTOMERS.customers[0]!, contracts: [contract({ validTo: '2025-12-31' })] }],
      },
    });
    expect(bad).toEqual({
      ok: false,
      errors: [
        {
          path: 'customers.0.contracts.0.validTo',
          message: 'must not be before validFrom "2026-01-01", got "2025-12-31"',
        },
      ],
    });
    expect(await api.saveSettings({ customers: CUSTOMERS })).toEqual({ ok: true });
    expect((await deps.store.getSettings()).customers).toEqual(CUSTOMERS);
  });
});

describe('per-customer figures', () => {
  const NOW = '2026-03-10T12:00:00+03:00';
  const owners = ['acme', 'globex', 'initech', null];
  const rows: SlaRecordRow[] = generateRows(1500, 17).map((r, i) => {
    const c = owners[i % owners.length];
    return c ? { ...r, customer: c, contract: `${c}-1` } : r;
  });
  const cliRecord = (r: SlaRecordRow): Record<string, unknown> => {
    const verdict = JSON.parse(r.verdictJson) as { agreed?: { due?: string } };
    return {
      key: r.key,
      kind: r.kind,
      class: r.class,
      due: r.due,
      doneAt: r.doneAt,
      agreed: r.agreed,
      ...(r.agreed ? { agreedDue: verdict.agreed?.due ?? null } : {}),
      ...(r.state === 'breached' ? { breached: true } : {}),
      ...(r.state === 'waived' ? { waived: true } : {}),
      project: r.project,
      registeredAt: r.registeredAt,
      customer: r.customer ?? null,
    };
  };

  it.each(['acme', 'globex'])(
    'getCompliance for %s equals the batch compliance op and reglament report --customer',
    async (customer) => {
      const deps = memoryDeps({ now: NOW });
      for (const r of rows) await deps.store.upsertSlaRecord(r);
      const api = createApi(deps);
      const from = '2025-01-01';
      const to = '2025-12-31';
      const view = await api.getCompliance({ from, to, customer });
      const all = await api.getCompliance({ from, to });
      const batch = JSON.parse(
        JSON.stringify(
          processLine(
            JSON.stringify({ op: 'compliance', records: rows.map(cliRecord), from, to, now: NOW, customer }),
          ),
        ),
      ) as { errors: unknown; incidents: unknown };
      expect(JSON.parse(JSON.stringify(view.errors))).toEqual(batch.errors);
      expect(JSON.parse(JSON.stringify(view.incidents))).toEqual(batch.incidents);
      // A customer's share of the records, not everyone's (roughly a quarter of them).
      expect(view.errors.overall.counted).toBeGreaterThan(all.errors.overall.counted / 5);
      expect(view.errors.overall.counted).toBeLessThan(all.errors.overall.counted / 3);

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-cust-'));
      const file = path.join(dir, 'records.jsonl');
      fs.writeFileSync(file, rows.map((r) => JSON.stringify(cliRecord(r))).join('\n'));
      let text = '';
      const out = new Writable({
        write(chunk, _enc, cb) {
          text += String(chunk);
          cb();
        },
      });
      const code = await reportCommand(
        ['--input', file, '--from', from, '--to', to, '--now', NOW, '--customer', customer, '--json'],
        out,
        out,
      );
      fs.rmSync(dir, { recursive: true, force: true });
      expect(code).toBe(0);
      expect(JSON.parse(text)).toEqual(batch);
    },
  );

  it('the issue list filters by customer and refuses a bad one', async () => {
    const deps = memoryDeps({ now: NOW });
    for (const r of rows) await deps.store.upsertSlaRecord(r);
    const api = createApi(deps);
    const page = await api.listIssuePage({ customer: 'initech', limit: 500 });
    const expected = rows.filter((r) => r.customer === 'initech' && r.doneAt === null).length;
    expect(page.total).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    await expect(api.listIssuePage({ customer: 5 as unknown as string })).rejects.toThrow(
      'customer must be a customer id, got 5',
    );
    await expect(
      api.getCompliance({ from: '2025-01-01', to: '2025-12-31', customer: 7 as unknown as string }),
    ).rejects.toThrow('customer must be a customer id, got 7');
  });
});
