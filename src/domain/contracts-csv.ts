/**
 * Customers and contracts as CSV (issue #17): one row per contract, the customer's columns repeated
 * (a customer without contracts has one row with the contract's columns empty). Lists inside a cell
 * are separated by `;`. Identities are `kind:value`, a field's `field:FieldName=value`:
 *
 *   customer_id,customer_name,identities,certificate,valid_from,valid_to,instances,preset,calendar,zone,zone_mode,contacts
 *   acme,ACME,organization:ACME Corp;component:Portal,C-2026,2026-01-01,2026-12-31,srv-1;srv-2,site,site,Asia/Vladivostok,customer,duty@acme.example
 *
 * Quoting follows RFC 4180 (a cell with `,`, `"` or a line break is quoted, `"` doubled). The import
 * gives the document to `validateCustomers`, so every problem names its row's field and value.
 */
import type { Contract, Customer, CustomerIdentity, CustomersConfig } from './contracts';
import { validateCustomers } from './contracts';
import type { Problem, Result } from './policy-validate';

export const CSV_COLUMNS = [
  'customer_id',
  'customer_name',
  'identities',
  'certificate',
  'valid_from',
  'valid_to',
  'instances',
  'preset',
  'calendar',
  'zone',
  'zone_mode',
  'contacts',
] as const;

const cell = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const identityText = (i: CustomerIdentity): string =>
  i.kind === 'field' ? `field:${i.field ?? ''}=${i.value}` : `${i.kind}:${i.value}`;

/**
 * The customers as CSV text (header line first, lines ended by CRLF as RFC 4180 has it).
 * @example customersToCsv({ customers: [] }) // 'customer_id,customer_name,…,contacts\r\n'
 */
export function customersToCsv(config: CustomersConfig): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  for (const c of config.customers) {
    const head = [c.id, c.name, c.identities.map(identityText).join(';')];
    const contracts: (Contract | null)[] = c.contracts.length > 0 ? c.contracts : [null];
    for (const k of contracts) {
      const tail = k
        ? [
            k.certificate,
            k.validFrom,
            k.validTo,
            k.instances.join(';'),
            k.preset,
            k.calendar,
            k.zone,
            k.zoneMode,
            k.contacts.join(';'),
          ]
        : ['', '', '', '', '', '', '', '', ''];
      lines.push([...head, ...tail].map(cell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Splits CSV text into rows of cells (RFC 4180; a BOM and a missing final line break are fine). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cur = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cur += '"';
          i++;
        } else quoted = false;
      } else cur += ch;
    } else if (ch === '"' && cur === '') quoted = true;
    else if (ch === ',') {
      row.push(cur);
      cur = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cur);
      rows.push(row);
      row = [];
      cur = '';
    } else cur += ch;
  }
  if (cur !== '' || row.length > 0) {
    row.push(cur);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

const list = (v: string): string[] =>
  v
    .split(';')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * Reads customers from CSV text: rows with the same customer id form one customer (its name and
 * identities from its first row). Problems name the line, the column and the value
 * (`line 3, identities: …`), then the document is validated like an edit of the admin page.
 */
export function customersFromCsv(text: string): Result<CustomersConfig> {
  const rows = parseCsv(text);
  const header = (rows[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length > 0)
    return {
      ok: false,
      errors: [
        {
          path: 'line 1',
          message: `the header must name the columns ${CSV_COLUMNS.join(', ')}; missing ${missing.join(', ')}`,
        },
      ],
    };
  const col = (r: string[], name: (typeof CSV_COLUMNS)[number]): string =>
    (r[header.indexOf(name)] ?? '').trim();
  const errors: Problem[] = [];
  const byId = new Map<string, Record<string, unknown>>();
  const lineOf = new Map<Record<string, unknown>, number>();
  rows.slice(1).forEach((r, i) => {
    const line = i + 2;
    const id = col(r, 'customer_id');
    let c = byId.get(id.toLowerCase());
    if (!c) {
      const identities: unknown[] = [];
      for (const part of list(col(r, 'identities'))) {
        const m = /^([a-z]+):(.*)$/i.exec(part);
        if (!m) {
          errors.push({
            path: `line ${line}, identities`,
            message: `each identity must be kind:value (field:Name=value), got ${JSON.stringify(part)}`,
          });
          continue;
        }
        const kind = m[1]!.toLowerCase();
        if (kind === 'field') {
          const eq = m[2]!.indexOf('=');
          identities.push({
            kind,
            field: eq < 0 ? '' : m[2]!.slice(0, eq),
            value: eq < 0 ? m[2] : m[2]!.slice(eq + 1),
          });
        } else identities.push({ kind, value: m[2] });
      }
      c = { id, name: col(r, 'customer_name'), identities, contracts: [] };
      byId.set(id.toLowerCase(), c);
      lineOf.set(c, line);
    }
    if (col(r, 'certificate') === '' && col(r, 'valid_from') === '' && col(r, 'valid_to') === '') return;
    (c.contracts as unknown[]).push({
      certificate: col(r, 'certificate'),
      validFrom: col(r, 'valid_from'),
      validTo: col(r, 'valid_to'),
      instances: list(col(r, 'instances')),
      preset: col(r, 'preset') || 'site',
      calendar: col(r, 'calendar') || 'site',
      zone: col(r, 'zone'),
      zoneMode: col(r, 'zone_mode') || 'vendor',
      contacts: list(col(r, 'contacts')),
      _line: line,
    });
  });
  if (errors.length > 0) return { ok: false, errors };
  const customers = [...byId.values()];
  // Paths of the document (customers.2.contracts.0.zone) become lines of the file.
  const lines = customers.map((c) => ({
    customer: lineOf.get(c) ?? 0,
    contracts: (c.contracts as { _line: number }[]).map((k) => k._line),
  }));
  const doc = {
    customers: customers.map((c) => ({
      ...c,
      contracts: (c.contracts as Record<string, unknown>[]).map(({ _line: _, ...k }) => k),
    })),
  };
  const r = validateCustomers(doc);
  if (r.ok) return r;
  return {
    ok: false,
    errors: r.errors.map((e) => {
      const m = /^customers\.(\d+)(?:\.contracts\.(\d+))?(?:\.(.*))?$/.exec(e.path);
      if (!m) return e;
      const at = lines[Number(m[1])];
      const line = m[2] !== undefined ? at?.contracts[Number(m[2])] : at?.customer;
      return {
        path: `line ${line ?? '?'}, ${csvColumn(m[2] !== undefined, m[3] ?? '')}`,
        message: e.message,
      };
    }),
  };
}

/** The CSV column of a document field (`validTo` → `valid_to`, `identities.0.value` → `identities`). */
function csvColumn(contract: boolean, field: string): string {
  const head = field.split('.')[0] ?? '';
  const names: Record<string, string> = contract
    ? {
        certificate: 'certificate',
        validFrom: 'valid_from',
        validTo: 'valid_to',
        instances: 'instances',
        preset: 'preset',
        calendar: 'calendar',
        zone: 'zone',
        zoneMode: 'zone_mode',
        contacts: 'contacts',
      }
    : { id: 'customer_id', name: 'customer_name', identities: 'identities' };
  return names[head] ?? (field || (contract ? 'contract' : 'customer'));
}

/** Customers of a CSV file joined into an existing list by id: a customer in the file replaces the one listed. */
export function mergeCustomers(current: CustomersConfig, imported: CustomersConfig): CustomersConfig {
  const ids = new Set(imported.customers.map((c) => c.id.toLowerCase()));
  const kept: Customer[] = current.customers.filter((c) => !ids.has(c.id.toLowerCase()));
  return { customers: [...kept, ...imported.customers] };
}
