/**
 * The "Customers" tab's draft (issue #17): customers and contracts as the form holds them (lists as
 * text separated by `;`), converted to the settings document and validated by the domain's rules.
 * Texts of the tab in Russian and English (kept here so the shared dictionary grows by one key only).
 */
import type { Locale } from '../../src/domain/codes';
import {
  validateCustomers,
  type Contract,
  type CustomerIdentity,
  type CustomersConfig,
} from '../../src/domain/contracts';
import type { Problem, Result } from '../../src/domain/policy-validate';

export interface ContractDraft {
  certificate: string;
  validFrom: string;
  validTo: string;
  instances: string;
  preset: string;
  calendar: string;
  zone: string;
  zoneMode: string;
  contacts: string;
}

export interface CustomerDraft {
  id: string;
  name: string;
  /** `organization:ACME Corp; component:Portal; field:Customer=ACME; project:GBX` */
  identities: string;
  contracts: ContractDraft[];
}

const identityText = (i: CustomerIdentity): string =>
  i.kind === 'field' ? `field:${i.field ?? ''}=${i.value}` : `${i.kind}:${i.value}`;

export function draftOf(config: CustomersConfig | undefined): CustomerDraft[] {
  return (config?.customers ?? []).map((c) => ({
    id: c.id,
    name: c.name,
    identities: c.identities.map(identityText).join('; '),
    contracts: c.contracts.map((k: Contract) => ({
      certificate: k.certificate,
      validFrom: k.validFrom,
      validTo: k.validTo,
      instances: k.instances.join('; '),
      preset: k.preset,
      calendar: k.calendar,
      zone: k.zone,
      zoneMode: k.zoneMode,
      contacts: k.contacts.join('; '),
    })),
  }));
}

export const newContract = (): ContractDraft => ({
  certificate: '',
  validFrom: '',
  validTo: '',
  instances: '',
  preset: 'site',
  calendar: 'site',
  zone: 'Europe/Moscow',
  zoneMode: 'vendor',
  contacts: '',
});

export const newCustomer = (): CustomerDraft => ({
  id: '',
  name: '',
  identities: '',
  contracts: [newContract()],
});

const list = (v: string): string[] =>
  v
    .split(';')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** The draft as the settings document, validated; problems carry the document's paths. */
export function configOf(draft: CustomerDraft[]): Result<CustomersConfig> {
  const errors: Problem[] = [];
  const doc = {
    customers: draft.map((c, i) => ({
      id: c.id,
      name: c.name,
      identities: list(c.identities).map((part, j) => {
        const m = /^([a-z]+)\s*:(.*)$/i.exec(part);
        if (!m) {
          errors.push({
            path: `customers.${i}.identities`,
            message: `each identity must be kind:value (field:Name=value), got ${JSON.stringify(part)}`,
          });
          return { kind: '', value: '', j };
        }
        const kind = m[1]!.toLowerCase();
        const rest = m[2]!.trim();
        if (kind !== 'field') return { kind, value: rest };
        const eq = rest.indexOf('=');
        return {
          kind,
          field: eq < 0 ? '' : rest.slice(0, eq).trim(),
          value: eq < 0 ? rest : rest.slice(eq + 1).trim(),
        };
      }),
      contracts: c.contracts.map((k) => ({
        certificate: k.certificate,
        validFrom: k.validFrom,
        validTo: k.validTo,
        instances: list(k.instances),
        preset: k.preset,
        calendar: k.calendar,
        zone: k.zone.trim(),
        zoneMode: k.zoneMode,
        contacts: list(k.contacts),
      })),
    })),
  };
  if (errors.length > 0) return { ok: false, errors };
  const r = validateCustomers(doc);
  // A problem inside an identity belongs to the identities input.
  return r.ok
    ? r
    : {
        ok: false,
        errors: r.errors.map((e) => ({
          ...e,
          path: e.path.replace(/^(customers\.\d+\.identities)\.\d+.*$/, '$1'),
        })),
      };
}

/** The input a problem belongs to (`customers.0.contracts.1.validTo`). */
export const problemsAt = (problems: readonly Problem[], path: string): Problem[] =>
  problems.filter((p) => p.path === path);

const TEXTS = {
  en: {
    intro:
      'Each customer is recognised on a ticket by an identity; the contract (support certificate) in force when the ticket was registered evaluates it. Requests outside every certificate are flagged.',
    add: 'Add customer',
    remove: 'Remove customer',
    addContract: 'Add contract',
    removeContract: 'Remove contract',
    id: 'Customer id',
    name: 'Name',
    identities: 'Identities (organization:…; component:…; field:Name=value; project:KEY)',
    certificate: 'Certificate No.',
    validFrom: 'Valid from',
    validTo: 'Valid to',
    instances: 'Covered instances (;)',
    preset: 'Policy',
    calendar: 'Calendar',
    zone: 'Customer time zone',
    zoneMode: 'Working hours in',
    contacts: 'Contacts (e-mail; …)',
    'preset.site': 'Site policy',
    'preset.default': 'Default (SPEC)',
    'preset.as-printed': 'As printed',
    'calendar.site': 'Site calendar',
    'calendar.24x7': '24/7',
    'zoneMode.customer': "Customer's zone",
    'zoneMode.vendor': "Vendor's zone",
    none: 'No customers yet: every ticket is evaluated with the site policy and calendar.',
    save: 'Save customers',
    saving: 'Saving…',
    saved: 'Saved',
    problems: '{n} problem(s) must be fixed before saving',
    csv: 'CSV (one row per contract)',
    export: 'Export to CSV',
    import: 'Import from CSV',
    download: 'Download customers.csv',
    imported: 'Imported {n} customer(s); save to keep them.',
    contracts: 'Contracts',
  },
  ru: {
    intro:
      'Заказчик определяется по признаку в обращении; обращение оценивается по договору (сертификату на техническую поддержку), действовавшему на дату регистрации. Обращения вне срока действия сертификатов отмечаются.',
    add: 'Добавить заказчика',
    remove: 'Удалить заказчика',
    addContract: 'Добавить договор',
    removeContract: 'Удалить договор',
    id: 'Код заказчика',
    name: 'Наименование',
    identities: 'Признаки (organization:…; component:…; field:Поле=значение; project:КЛЮЧ)',
    certificate: '№ сертификата',
    validFrom: 'Действует с',
    validTo: 'Действует по',
    instances: 'Экземпляры ПО (;)',
    preset: 'Политика',
    calendar: 'Календарь',
    zone: 'Часовой пояс заказчика',
    zoneMode: 'Рабочие часы по',
    contacts: 'Контакты (e-mail; …)',
    'preset.site': 'Политика сайта',
    'preset.default': 'По умолчанию (SPEC)',
    'preset.as-printed': 'Как напечатано',
    'calendar.site': 'Календарь сайта',
    'calendar.24x7': 'Круглосуточно',
    'zoneMode.customer': 'Поясу заказчика',
    'zoneMode.vendor': 'Поясу производителя',
    none: 'Заказчиков пока нет: все обращения оцениваются по политике и календарю сайта.',
    save: 'Сохранить заказчиков',
    saving: 'Сохранение…',
    saved: 'Сохранено',
    problems: 'Исправьте ошибки перед сохранением: {n}',
    csv: 'CSV (строка на каждый договор)',
    export: 'Выгрузить в CSV',
    import: 'Загрузить из CSV',
    download: 'Скачать customers.csv',
    imported: 'Загружено заказчиков: {n}; сохраните, чтобы их сохранить.',
    contracts: 'Договоры',
  },
} as const;

export type CustomersText = keyof (typeof TEXTS)['en'];

/** A text of the tab in a locale, `{n}` replaced. */
export function ctext(
  locale: Locale,
  key: CustomersText,
  params: Record<string, string | number> = {},
): string {
  const s: string = TEXTS[locale][key];
  return s.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}
