/**
 * Customers and contracts (issue #17): validation, resolution of a ticket to its customer and the
 * contract in force at registration, the flags, and the terms a contract evaluates with — a
 * Vladivostok customer's 8 working hours (SPEC §3, priority 5 critical) in its own zone and in the
 * vendor's Moscow zone.
 */
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, parseInstant } from '../../src/domain/calendar';
import {
  contractCalendar,
  contractPolicy,
  resolveContract,
  validateCustomers,
  type Contract,
  type Customer,
  type CustomersConfig,
} from '../../src/domain/contracts';
import { customersFromCsv, customersToCsv, mergeCustomers } from '../../src/domain/contracts-csv';
import { evaluate } from '../../src/domain/evaluate';
import { AS_PRINTED_POLICY, DEFAULT_POLICY } from '../../src/domain/policy';
import type { Snapshot } from '../../src/domain/snapshot';

function contract(patch: Partial<Contract> = {}): Contract {
  return {
    certificate: 'C-2026',
    validFrom: '2026-01-01',
    validTo: '2026-12-31',
    instances: [],
    preset: 'site',
    calendar: 'site',
    zone: 'Europe/Moscow',
    zoneMode: 'vendor',
    contacts: [],
    ...patch,
  };
}

function customer(patch: Partial<Customer> = {}): Customer {
  return {
    id: 'acme',
    name: 'ACME',
    identities: [{ kind: 'organization', value: 'ACME Corp' }],
    contracts: [contract()],
    ...patch,
  };
}

const MSK = (iso: string): number => parseInstant(`${iso}+03:00`);

describe('validateCustomers', () => {
  it('accepts a valid document and fills the defaults (site preset and calendar, vendor zone)', () => {
    const r = validateCustomers({
      customers: [
        {
          id: 'acme',
          name: ' ACME ',
          identities: [{ kind: 'field', field: 'Customer', value: 'ACME' }],
          contracts: [
            { certificate: 'C-1', validFrom: '2026-01-01', validTo: '2026-12-31', zone: 'Asia/Vladivostok' },
          ],
        },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        customers: [
          {
            id: 'acme',
            name: 'ACME',
            identities: [{ kind: 'field', field: 'Customer', value: 'ACME' }],
            contracts: [
              {
                certificate: 'C-1',
                validFrom: '2026-01-01',
                validTo: '2026-12-31',
                instances: [],
                preset: 'site',
                calendar: 'site',
                zone: 'Asia/Vladivostok',
                zoneMode: 'vendor',
                contacts: [],
              },
            ],
          },
        ],
      },
    });
  });

  it('names every field and value that is wrong', () => {
    const r = validateCustomers({
      customers: [
        {
          id: 'a b',
          name: '',
          identities: [
            { kind: 'email', value: 'x' },
            { kind: 'field', value: 'ACME' },
          ],
          contracts: [
            {
              certificate: 'C-1',
              validFrom: '2026-02-01',
              validTo: '2026-01-31',
              zone: 'Asia/Vladivostokk',
              zoneMode: 'local',
              preset: 'gold',
              calendar: '24/7',
              contacts: ['not-an-address'],
            },
          ],
        },
        { id: 'dup', name: 'D', identities: [], contracts: [contract({ certificate: 'X' })] },
        { id: 'DUP', name: 'D2', identities: [], contracts: [contract({ certificate: 'x' })] },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byPath).toEqual({
      'customers.0.id': 'must be 1–64 letters, digits, "-" or "_", got "a b"',
      'customers.0.name': 'must be a non-empty name, got ""',
      'customers.0.identities.0.kind': 'must be one of organization, field, component, project, got "email"',
      'customers.0.identities.1.field': 'must name the field (id or name), got nothing',
      'customers.0.contracts.0.validTo': 'must not be before validFrom "2026-02-01", got "2026-01-31"',
      'customers.0.contracts.0.contacts.0': 'must be an e-mail address, got "not-an-address"',
      'customers.0.contracts.0.preset': 'must be one of site, default, as-printed, got "gold"',
      'customers.0.contracts.0.calendar': 'must be one of site, 24x7, got "24/7"',
      'customers.0.contracts.0.zone':
        'must be an IANA time zone such as "Asia/Vladivostok", got "Asia/Vladivostokk"',
      'customers.0.contracts.0.zoneMode': 'must be one of customer, vendor, got "local"',
      'customers.2.id': 'customer id "DUP" is used twice',
      'customers.2.contracts.0.certificate':
        'certificate "x" is listed twice (also at customers.1.contracts.0)',
    });
  });

  it('refuses impossible dates and a document that is not a list', () => {
    const r = validateCustomers({
      customers: [customer({ contracts: [contract({ validFrom: '2026-02-30' })] })],
    });
    expect(r.ok ? [] : r.errors).toEqual([
      { path: 'customers.0.contracts.0.validFrom', message: 'must be a date YYYY-MM-DD, got "2026-02-30"' },
    ]);
    expect(validateCustomers([]).ok).toBe(false);
  });
});

describe('resolveContract', () => {
  const ticket = { project: 'SUP', organizations: ['acme corp'] };

  it('a ticket with no customer: the site default, nothing flagged', () => {
    const config: CustomersConfig = { customers: [customer()] };
    expect(
      resolveContract(
        config,
        { project: 'SUP', organizations: ['Other'] },
        MSK('2026-03-02T10:00:00'),
        'Europe/Moscow',
      ),
    ).toEqual({
      customer: null,
      contract: null,
      date: null,
      flags: [],
    });
    expect(
      resolveContract(undefined, ticket, MSK('2026-03-02T10:00:00'), 'Europe/Moscow').customer,
    ).toBeNull();
  });

  it('matches by organization, component, field value and project (case-insensitive)', () => {
    const config: CustomersConfig = {
      customers: [
        customer({ id: 'c1', identities: [{ kind: 'component', value: 'Portal' }] }),
        customer({ id: 'c2', identities: [{ kind: 'field', field: 'customfield_10200', value: 'Globex' }] }),
        customer({ id: 'c3', identities: [{ kind: 'project', value: 'gbx' }] }),
      ],
    };
    const at = MSK('2026-03-02T10:00:00');
    expect(
      resolveContract(config, { project: 'X', components: ['portal'] }, at, 'Europe/Moscow').customer?.id,
    ).toBe('c1');
    expect(
      resolveContract(
        config,
        { project: 'X', fields: { customfield_10200: ['GLOBEX'] } },
        at,
        'Europe/Moscow',
      ).customer?.id,
    ).toBe('c2');
    expect(resolveContract(config, { project: 'GBX' }, at, 'Europe/Moscow').customer?.id).toBe('c3');
  });

  it('a customer with two contracts: the one in force at registration applies', () => {
    const config: CustomersConfig = {
      customers: [
        customer({
          contracts: [
            contract({
              certificate: 'C-2025',
              validFrom: '2025-01-01',
              validTo: '2025-12-31',
              preset: 'as-printed',
            }),
            contract({ certificate: 'C-2026', validFrom: '2026-01-01', validTo: '2026-12-31' }),
          ],
        }),
      ],
    };
    // 31 Dec 2025 23:30 MSK is still 2025; half an hour later the 2026 certificate applies.
    const r1 = resolveContract(config, ticket, MSK('2025-12-31T23:30:00'), 'Europe/Moscow');
    expect([r1.contract?.certificate, r1.date, r1.flags]).toEqual(['C-2025', '2025-12-31', []]);
    const r2 = resolveContract(config, ticket, MSK('2026-01-01T00:00:00'), 'Europe/Moscow');
    expect([r2.contract?.certificate, r2.date, r2.flags]).toEqual(['C-2026', '2026-01-01', []]);
  });

  it("the registration date is taken in the customer's zone", () => {
    // 2026-01-01 02:00 in Vladivostok is still 31 Dec 2025 19:00 in Moscow.
    const config: CustomersConfig = {
      customers: [customer({ contracts: [contract({ zone: 'Asia/Vladivostok', validFrom: '2026-01-01' })] })],
    };
    const r = resolveContract(config, ticket, parseInstant('2026-01-01T02:00:00+10:00'), 'Europe/Moscow');
    expect([r.contract?.certificate, r.date]).toEqual(['C-2026', '2026-01-01']);
  });

  it('overlapping certificates: the one that started last wins, flagged with both dates', () => {
    const config: CustomersConfig = {
      customers: [
        customer({
          contracts: [
            contract({ certificate: 'C-A', validFrom: '2026-01-01', validTo: '2026-12-31' }),
            contract({
              certificate: 'C-B',
              validFrom: '2026-03-01',
              validTo: '2027-02-28',
              preset: 'as-printed',
            }),
          ],
        }),
      ],
    };
    const r = resolveContract(config, ticket, MSK('2026-03-02T10:00:00'), 'Europe/Moscow');
    expect(r.contract?.certificate).toBe('C-B');
    expect(r.flags.map((f) => f.code)).toEqual(['overlapping-certificates']);
    expect(r.flags[0]!.text.en).toBe(
      'Several certificates of the customer "ACME" are valid on the registration date 2 March 2026: ' +
        'No. C-B (from 1 March 2026 to 28 February 2027) applies — the one that started last wins; ' +
        'also valid: No. C-A (from 1 January 2026 to 31 December 2026).',
    );
    expect(r.flags[0]!.text.ru).toContain('применён № C-B (с 1 марта 2026 по 28 февраля 2027)');
  });

  it('an expired certificate: flagged with the rule and the dates, no contract', () => {
    const config: CustomersConfig = {
      customers: [
        customer({
          contracts: [contract({ certificate: 'C-2025', validFrom: '2025-01-01', validTo: '2025-12-31' })],
        }),
      ],
    };
    const r = resolveContract(config, ticket, MSK('2026-03-02T10:00:00'), 'Europe/Moscow');
    expect([r.customer?.id, r.contract, r.date]).toEqual(['acme', null, '2026-03-02']);
    expect(r.flags).toEqual([
      {
        code: 'outside-certificate',
        text: {
          en:
            'The request was registered on 2 March 2026, outside every support certificate of the customer "ACME" ' +
            '(§2.5 of the regulation); certificate No. C-2025 was valid from 1 January 2025 to 31 December 2025. ' +
            "The clocks run on the site's policy.",
          ru:
            'Обращение зарегистрировано 2 марта 2026, вне срока действия сертификатов на техническую поддержку ' +
            'заказчика «ACME» (п. 2.5 регламента); сертификат № C-2025 действовал с 1 января 2025 по 31 декабря 2025. ' +
            'Сроки считаются по политике сайта.',
        },
      },
    ]);
  });

  it('a certificate not started yet, and a customer with none, are flagged too', () => {
    const future = resolveContract(
      {
        customers: [
          customer({
            contracts: [contract({ certificate: 'C-27', validFrom: '2027-01-01', validTo: '2027-12-31' })],
          }),
        ],
      },
      ticket,
      MSK('2026-03-02T10:00:00'),
      'Europe/Moscow',
    );
    expect(future.flags[0]!.text.en).toContain(
      'certificate No. C-27 is valid from 1 January 2027 to 31 December 2027',
    );
    const none = resolveContract(
      { customers: [customer({ contracts: [] })] },
      ticket,
      MSK('2026-03-02T10:00:00'),
      'Europe/Moscow',
    );
    expect([none.date, none.flags[0]!.code]).toEqual(['2026-03-02', 'outside-certificate']);
    expect(none.flags[0]!.text.en).toContain('the customer has no certificate');
  });

  it('an instance the certificate does not list is flagged; two matching customers are flagged', () => {
    const config: CustomersConfig = {
      customers: [
        customer({ contracts: [contract({ instances: ['mts-link-01', 'mts-link-02'] })] }),
        customer({ id: 'acme2', name: 'ACME 2' }),
      ],
    };
    const r = resolveContract(
      config,
      { ...ticket, instance: 'mts-link-09' },
      MSK('2026-03-02T10:00:00'),
      'Europe/Moscow',
    );
    expect(r.customer?.id).toBe('acme');
    expect(r.flags.map((f) => f.code)).toEqual(['ambiguous-customer', 'instance-not-covered']);
    expect(r.flags[1]!.text.en).toBe(
      'The instance "mts-link-09" is not listed in certificate No. C-2026 (mts-link-01, mts-link-02); ' +
        'support covers the instances the certificate lists (§2.1 of the regulation).',
    );
    const covered = resolveContract(
      config,
      { ...ticket, instance: 'MTS-LINK-02' },
      MSK('2026-03-02T10:00:00'),
      'Europe/Moscow',
    );
    expect(covered.flags.map((f) => f.code)).toEqual(['ambiguous-customer']);
  });
});

describe('the terms a contract evaluates with', () => {
  it("policy: the preset, keeping the site's reaction events and target", () => {
    const site = { ...DEFAULT_POLICY, complianceTarget: 0.9 };
    expect(contractPolicy(null, site)).toBe(site);
    expect(contractPolicy(contract({ preset: 'site' }), site)).toBe(site);
    const printed = contractPolicy(contract({ preset: 'as-printed' }), site);
    expect([printed.incident.rows, printed.complianceTarget]).toEqual([AS_PRINTED_POLICY.incident.rows, 0.9]);
  });

  // SPEC §3: priority 5 critical = 8 working hours. A Vladivostok customer (UTC+10, Moscow +7 h)
  // registers on Wednesday 2026-03-04 at 10:00 local time = 03:00 MSK.
  const snapshot: Snapshot = {
    key: 'VL-1',
    kind: 'incident',
    registeredAt: '2026-03-04T10:00:00+10:00',
    impact: 'high',
    urgency: 'high',
    mode: 'operation',
    nature: 'failure',
  };
  const vladivostok = contract({ zone: 'Asia/Vladivostok' });
  const due = (k: Contract): number => {
    const v = evaluate(
      snapshot,
      contractPolicy(k, DEFAULT_POLICY),
      compileCalendar(contractCalendar(k, DEFAULT_CALENDAR_CONFIG)),
      parseInstant('2026-03-04T10:00:00+10:00'),
    );
    expect(v.priority?.value).toBe(5);
    return parseInstant(v.reaction!.due!);
  };

  it("customer's zone: 10:00–13:00 and 14:00–18:00 Wednesday (7 h) + 09:00–10:00 Thursday in Vladivostok", () => {
    expect(contractCalendar({ ...vladivostok, zoneMode: 'customer' }, DEFAULT_CALENDAR_CONFIG).zone).toBe(
      'Asia/Vladivostok',
    );
    expect(due({ ...vladivostok, zoneMode: 'customer' })).toBe(parseInstant('2026-03-05T10:00:00+10:00'));
  });

  it("vendor's zone: the whole Moscow working day Wednesday 09:00–18:00 MSK (= 01:00 Thursday in Vladivostok)", () => {
    expect(contractCalendar({ ...vladivostok, zoneMode: 'vendor' }, DEFAULT_CALENDAR_CONFIG)).toBe(
      DEFAULT_CALENDAR_CONFIG,
    );
    expect(due({ ...vladivostok, zoneMode: 'vendor' })).toBe(parseInstant('2026-03-04T18:00:00+03:00'));
    // Nine hours apart: the customer's Thursday 10:00 is 03:00 MSK, the vendor's Wednesday 18:00 is 01:00 local.
    expect(due({ ...vladivostok, zoneMode: 'customer' }) - due({ ...vladivostok, zoneMode: 'vendor' })).toBe(
      9 * 3600_000,
    );
  });

  it('a 24x7 contract counts every minute: 8 hours after registration', () => {
    expect(due({ ...vladivostok, calendar: '24x7' })).toBe(parseInstant('2026-03-04T18:00:00+10:00'));
  });
});

describe('CSV import and export', () => {
  const config: CustomersConfig = {
    customers: [
      customer({
        id: 'acme',
        name: 'ACME, "Восток"',
        identities: [
          { kind: 'organization', value: 'ACME Corp' },
          { kind: 'field', field: 'Customer', value: 'ACME' },
        ],
        contracts: [
          contract({ certificate: 'C-2025', validFrom: '2025-01-01', validTo: '2025-12-31' }),
          contract({
            instances: ['srv-1', 'srv-2'],
            zone: 'Asia/Vladivostok',
            zoneMode: 'customer',
            preset: 'as-printed',
            calendar: '24x7',
            contacts: ['duty@acme.example', 'cto@acme.example'],
          }),
        ],
      }),
      customer({
        id: 'globex',
        name: 'Globex',
        identities: [{ kind: 'project', value: 'GBX' }],
        contracts: [],
      }),
    ],
  };

  it('round-trips: export, import, equal; the export is the documented layout', () => {
    const csv = customersToCsv(config);
    expect(csv.split('\r\n')).toEqual([
      'customer_id,customer_name,identities,certificate,valid_from,valid_to,instances,preset,calendar,zone,zone_mode,contacts',
      'acme,"ACME, ""Восток""",organization:ACME Corp;field:Customer=ACME,C-2025,2025-01-01,2025-12-31,,site,site,Europe/Moscow,vendor,',
      'acme,"ACME, ""Восток""",organization:ACME Corp;field:Customer=ACME,C-2026,2026-01-01,2026-12-31,srv-1;srv-2,as-printed,24x7,Asia/Vladivostok,customer,duty@acme.example;cto@acme.example',
      'globex,Globex,project:GBX,,,,,,,,,',
      '',
    ]);
    expect(customersFromCsv(csv)).toEqual({ ok: true, value: config });
  });

  it('names the line, the column and the value of a bad row', () => {
    const csv = customersToCsv(config)
      .replace('2025-12-31,', '2025-13-31,')
      .replace('project:GBX', 'project:GBX;nonsense');
    expect(customersFromCsv(csv)).toEqual({
      ok: false,
      errors: [
        {
          path: 'line 4, identities',
          message: 'each identity must be kind:value (field:Name=value), got "nonsense"',
        },
      ],
    });
    const dates = customersToCsv(config).replace('2025-12-31,', '2025-13-31,');
    expect(customersFromCsv(dates)).toEqual({
      ok: false,
      errors: [{ path: 'line 2, valid_to', message: 'must be a date YYYY-MM-DD, got "2025-13-31"' }],
    });
    expect(customersFromCsv('id,name\r\nx,y\r\n')).toEqual({
      ok: false,
      errors: [
        {
          path: 'line 1',
          message:
            'the header must name the columns customer_id, customer_name, identities, certificate, valid_from, valid_to, instances, preset, calendar, zone, zone_mode, contacts; missing customer_id, customer_name, identities, certificate, valid_from, valid_to, instances, preset, calendar, zone, zone_mode, contacts',
        },
      ],
    });
  });

  it('merges an import into the list by customer id', () => {
    const imported = { customers: [customer({ id: 'ACME', name: 'ACME new' })] };
    expect(mergeCustomers(config, imported).customers.map((c) => c.name)).toEqual(['Globex', 'ACME new']);
  });
});
