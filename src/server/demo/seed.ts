/**
 * Demo data: project DEMO with incidents and errors registered during 2026, their reactions, estimates
 * and fixes drawn from a fixed pseudo-random sequence (the same data on every machine), stored as
 * service-held tickets and evaluated by the real engine through the app's `onIssueChange`, so the
 * dashboard, issue panels and admin page show real verdicts. Created once: a marker row makes a
 * restart skip it (and the ticket keys are fixed, so even a second run would not duplicate anything).
 */
import type { AppDeps } from '../../app/deps';
import type { Settings } from '../../app/ports';
import { calendarFor } from '../../app/calendars';
import { onIssueChange } from '../../app/issue-change';
import { waiveBreach } from '../../app/ledger';
import type { Impact, Mode, Nature, Urgency, Workaround } from '../../domain/codes';
import { formatInstant, parseInstant } from '../../domain/calendar';
import { evaluate } from '../../domain/evaluate';
import type { LinkedInputs } from '../../domain/priority';
import type {
  ClockState,
  ReactionEvent,
  Snapshot,
  SnapshotContact,
  VersionInfo,
} from '../../domain/snapshot';
import type { Storage } from '../storage';
import { seedDemoCustomers } from './customers';

export const DEMO_PROJECT = 'DEMO';
const MARKER = 'demo-seed';
const SEED_VERSION = 2;
export const DEMO_INCIDENTS = 140;
export const DEMO_ERRORS = 90;
/** The history's tickets plus the showcase's (`DEMO_SHOWCASE`). */
export const DEMO_TOTAL = (): number => DEMO_INCIDENTS + DEMO_ERRORS + DEMO_SHOWCASE.length;

export interface DemoSeedResult {
  /** Tickets created by this call (0 when the demo data was already there). */
  created: number;
  /** Demo tickets in the database. */
  total: number;
  /** A few keys worth opening in the issue panel (breached, at risk, agreed, met). */
  sampleKeys: string[];
}

/** mulberry32: a small deterministic generator in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The demo project's versions relative to `now`: X.0 are releases, the others updates (the default
 * release pattern); five released before today, three planned.
 */
export const DEMO_VERSION_OFFSETS: { name: string; days: number }[] = [
  { name: '5.0', days: -330 },
  { name: '5.1', days: -260 },
  { name: '5.2', days: -190 },
  { name: '5.3', days: -120 },
  { name: '6.0', days: -50 },
  { name: '6.1', days: 20 },
  { name: '6.2', days: 80 },
  { name: '7.0', days: 150 },
];

/** The demo versions as of `now` (dates in `zone`), each `released` when its date is before today. */
export function demoVersions(now: number, zone: string): VersionInfo[] {
  const today = formatInstant(now, zone).slice(0, 10);
  return DEMO_VERSION_OFFSETS.map((v) => {
    const releaseDate = formatInstant(now + v.days * 86_400_000, zone).slice(0, 10);
    return { name: v.name, releaseDate, released: releaseDate < today };
  });
}

const INCIDENT_SUMMARIES = [
  'Не формируется отчёт по остаткам · Stock report fails',
  'Ошибка входа через LDAP · LDAP sign-in error',
  'Медленно открывается карточка договора · Contract card opens slowly',
  'Как настроить права на раздел · How to set section permissions',
  'Не приходят уведомления по почте · E-mail notifications not sent',
  'Сбой обмена с бухгалтерией · Accounting exchange failure',
  'Вопрос по импорту справочников · Question on reference data import',
  'Зависает печать счетов · Invoice printing hangs',
  'Неверный расчёт НДС в документе · Wrong VAT in a document',
  'Не обновляется дашборд руководителя · Manager dashboard not refreshing',
];
const ERROR_SUMMARIES = [
  'Дублируются строки при выгрузке в Excel · Duplicate rows in Excel export',
  'Утечка памяти в сервисе очередей · Memory leak in the queue service',
  'Неверная сортировка по дате в журнале · Wrong date sort in the journal',
  'Падение при пустом поле «Контрагент» · Crash on empty Counterparty field',
  'Не учитывается перенос выходного дня · Transferred day off ignored',
  'Ошибка округления в итогах · Rounding error in totals',
  'Таймаут API при больших вложениях · API timeout on large attachments',
  'Некорректная кодировка в CSV · Wrong encoding in CSV',
];

const REPORTERS: SnapshotContact[] = [
  { name: 'Анна Соколова · Anna Sokolova', email: 'a.sokolova@example.com' },
  { name: 'Игорь Петров · Igor Petrov', email: 'i.petrov@example.com' },
  { name: 'Мария Кузнецова · Maria Kuznetsova', email: 'm.kuznetsova@example.com' },
  { name: 'Олег Смирнов · Oleg Smirnov', email: 'o.smirnov@example.com' },
];

function pick<T>(r: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1]![0];
}

const IMPACTS: [Impact, number][] = [
  ['high', 2],
  ['medium', 5],
  ['low', 3],
];
const URGENCIES: [Urgency, number][] = [
  ['high', 3],
  ['medium', 5],
  ['low', 2],
];
const MODES: [Mode, number][] = [
  ['operation', 8],
  ['implementation', 2],
];
const NATURES: [Nature, number][] = [
  ['failure', 7],
  ['question', 3],
];
const WORKAROUNDS: [Workaround, number][] = [
  ['none', 6],
  ['moderate', 3],
  ['full', 1],
];
const REACTION_TYPES: [ReactionEvent['type'], number][] = [
  ['status', 5],
  ['comment', 3],
  ['assignee', 2],
];

/**
 * Builds the demo snapshots as of `now`: tickets registered over the year before `now` (the last one a
 * day before it), then the showcase issues (`showcaseSnapshots`) that give every state at any date.
 * Deterministic for a given `now` and settings.
 */
export function demoSnapshots(settings: Settings, now: number): Snapshot[] {
  return [...historySnapshots(settings, now), ...showcaseSnapshots(settings, now)];
}

function historySnapshots(settings: Settings, now: number): Snapshot[] {
  const cal = calendarFor(settings.calendar);
  const zone = cal.zone;
  const iso = (ms: number) => formatInstant(ms, zone);
  const r = prng(20260101);
  const from = Math.floor((now - 365 * 86_400_000) / 60_000) * 60_000;
  const to = now - 86_400_000;
  const span = cal.workingMinutesBetween(from, to);
  const at = () => cal.addWorkingMinutes(from, Math.floor(r() * span));
  const versions = demoVersions(now, zone);
  const out: Snapshot[] = [];
  const incidents: { snapshot: Snapshot; inputs: LinkedInputs }[] = [];

  for (let i = 1; i <= DEMO_INCIDENTS; i++) {
    const reg = at();
    const s: Snapshot = {
      key: `${DEMO_PROJECT}-${i}`,
      kind: 'incident',
      project: DEMO_PROJECT,
      summary: INCIDENT_SUMMARIES[Math.floor(r() * INCIDENT_SUMMARIES.length)]!,
      registeredAt: iso(reg),
      contacts: { reporter: REPORTERS[Math.floor(r() * REPORTERS.length)]! },
      impact: pick(r, IMPACTS),
      urgency: pick(r, URGENCIES),
      mode: pick(r, MODES),
      nature: pick(r, NATURES),
    };
    if (r() < 0.03) s.priorityOverride = { value: 5, reason: 'По просьбе заказчика · customer request' };
    const due = evaluate(s, settings.policy, cal, now).reaction?.due;
    const onTime = r() < 0.85;
    if (due) {
      const dueMs = parseInstant(due);
      const allowed = Math.max(1, cal.workingMinutesBetween(reg, dueMs));
      const reacted = onTime
        ? cal.addWorkingMinutes(reg, Math.max(1, Math.floor(allowed * (0.05 + 0.9 * r()))))
        : cal.addWorkingMinutes(dueMs, 30 + Math.floor(r() * allowed * 0.8));
      if (reacted < now) {
        s.reactions = [{ at: iso(reacted), type: pick(r, REACTION_TYPES), authorRole: 'agent' }];
        const resolved = cal.addWorkingMinutes(reacted, 60 + Math.floor(r() * 2400));
        s.resolvedAt = resolved < now ? iso(resolved) : null;
      }
    }
    incidents.push({ snapshot: s, inputs: { impact: s.impact!, urgency: s.urgency!, mode: s.mode! } });
    out.push(s);
  }

  for (let i = 1; i <= DEMO_ERRORS; i++) {
    const reg = at();
    const s: Snapshot = {
      key: `${DEMO_PROJECT}-${DEMO_INCIDENTS + i}`,
      kind: 'error',
      project: DEMO_PROJECT,
      summary: ERROR_SUMMARIES[Math.floor(r() * ERROR_SUMMARIES.length)]!,
      registeredAt: iso(reg),
      contacts: { reporter: REPORTERS[Math.floor(r() * REPORTERS.length)]! },
      impact: pick(r, IMPACTS),
      urgency: pick(r, URGENCIES),
      mode: pick(r, MODES),
      workaround: pick(r, WORKAROUNDS),
      versions,
    };
    if (r() < 0.2) {
      const linked = incidents.filter((x) => parseInstant(x.snapshot.registeredAt) <= reg).slice(-3);
      if (linked.length > 0) s.linkedIncidents = linked.map((x) => x.inputs);
    }
    if (r() < 0.06) s.agreedDeadline = iso(cal.addWorkingDays(reg, 40));
    const first = evaluate(s, settings.policy, cal, now);
    const vDue = first.verification?.due;
    if (vDue) {
      const vMs = parseInstant(vDue);
      const allowed = Math.max(1, cal.workingMinutesBetween(reg, vMs));
      const estimate =
        r() < 0.9
          ? cal.addWorkingMinutes(reg, Math.max(1, Math.floor(allowed * (0.1 + 0.85 * r()))))
          : cal.addWorkingMinutes(vMs, 60 + Math.floor(r() * 960));
      if (estimate < now) s.estimateAt = iso(estimate);
    }
    const fixDue = first.fix?.due ?? null;
    const onTime = r() < 0.84;
    if (fixDue) {
      const dueMs = parseInstant(fixDue);
      const fixed = onTime
        ? reg + (dueMs - reg) * (0.2 + 0.75 * r())
        : dueMs + 86_400_000 * (1 + Math.floor(r() * 25));
      if (fixed < now) s.resolvedAt = iso(Math.floor(fixed / 60000) * 60000);
    } else if (r() < 0.5) {
      const fixed = cal.addWorkingDays(reg, 20 + Math.floor(r() * 60));
      if (fixed < now) s.resolvedAt = iso(fixed);
    }
    out.push(s);
  }
  return out;
}

/** What a showcase issue shows (`DEMO_SHOWCASE`). */
export type ShowcaseState =
  'running' | 'at-risk' | 'breached' | 'met' | 'incomplete' | 'agreed' | 'other-version' | 'waived';

interface ShowcaseSpec {
  kind: 'incident' | 'error';
  state: ShowcaseState;
  summary: string;
}

/**
 * The showcase: issues built backwards from `now` so that, at whatever date the demo starts, each kind
 * has a running, an at-risk, a breached and a met clock, and there are an incomplete request (impact
 * missing), an error with an agreed deadline, a request about an older version and a waived breach.
 */
export const DEMO_SHOWCASE: readonly ShowcaseSpec[] = [
  {
    kind: 'incident',
    state: 'running',
    summary: 'Не открывается личный кабинет · Customer portal does not open',
  },
  { kind: 'incident', state: 'at-risk', summary: 'Не проходит оплата картой · Card payment fails' },
  { kind: 'incident', state: 'breached', summary: 'Отчёт по продажам пустой · Sales report is empty' },
  {
    kind: 'incident',
    state: 'met',
    summary: 'Как выгрузить реестр платежей · How to export the payment register',
  },
  { kind: 'incident', state: 'incomplete', summary: 'Что-то не работает · Something does not work' },
  {
    kind: 'incident',
    state: 'other-version',
    summary: 'Ошибка в старой версии 5.0 · Error in old version 5.0',
  },
  { kind: 'incident', state: 'waived', summary: 'Сбой по вине заказчика · Outage caused by the customer' },
  {
    kind: 'error',
    state: 'running',
    summary: 'Неверный итог в акте сверки · Wrong total in the reconciliation act',
  },
  {
    kind: 'error',
    state: 'at-risk',
    summary: 'Не сохраняется вложение > 10 МБ · Attachments over 10 MB not saved',
  },
  {
    kind: 'error',
    state: 'breached',
    summary: 'Дубли в журнале операций · Duplicates in the operations log',
  },
  {
    kind: 'error',
    state: 'met',
    summary: 'Неверный формат даты в печатной форме · Wrong date format in the print form',
  },
  { kind: 'error', state: 'agreed', summary: 'Переделка модуля импорта · Import module rework' },
];

/** Instants before `now` to try as a registration, nearest first (half-hours, then three-hour steps). */
function candidates(now: number): number[] {
  const base = Math.floor(now / 60_000) * 60_000;
  const out: number[] = [];
  for (let m = 30; m <= 3 * 24 * 60; m += 30) out.push(base - m * 60_000);
  for (let h = 75; h <= 400 * 24; h += 3) out.push(base - h * 3_600_000);
  return out;
}

/** The showcase snapshots as of `now` (keys after the history's), deterministic for a given `now`. */
export function showcaseSnapshots(settings: Settings, now: number): Snapshot[] {
  const cal = calendarFor(settings.calendar);
  const zone = cal.zone;
  const iso = (ms: number) => formatInstant(ms, zone);
  const versions = demoVersions(now, zone);
  const governing = (s: Snapshot, state: ClockState): boolean => {
    const v = evaluate(s, settings.policy, cal, now);
    return (s.kind === 'incident' ? v.reaction : v.fix)?.state === state;
  };
  /** The nearest registration at which the governing clock is in `state` (or the oldest tried). */
  const registerFor = (s: Snapshot, state: ClockState): number => {
    const tries = candidates(now);
    for (const reg of tries) if (governing({ ...s, registeredAt: iso(reg) }, state)) return reg;
    return tries[tries.length - 1]!;
  };
  const firstNumber = DEMO_INCIDENTS + DEMO_ERRORS + 1;
  return DEMO_SHOWCASE.map((spec, i) => {
    const s: Snapshot = {
      key: `${DEMO_PROJECT}-${firstNumber + i}`,
      kind: spec.kind,
      project: DEMO_PROJECT,
      summary: spec.summary,
      registeredAt: iso(now),
      impact: 'medium',
      urgency: 'high',
      mode: 'operation',
      contacts: { reporter: REPORTERS[i % REPORTERS.length]! },
      ...(spec.kind === 'incident'
        ? { nature: 'failure' as const }
        : { workaround: 'none' as const, versions }),
    };
    const target: ClockState =
      spec.state === 'met' || spec.state === 'waived'
        ? 'breached'
        : spec.state === 'agreed' || spec.state === 'other-version' || spec.state === 'incomplete'
          ? 'running'
          : spec.state;
    const reg = registerFor(s, target);
    s.registeredAt = iso(reg);
    if (spec.state === 'incomplete') delete s.impact;
    const clocks = evaluate(s, settings.policy, cal, now);
    if (spec.kind === 'error') {
      // The estimate is in on time, so only the fix clock shows the state.
      const estimate = cal.addWorkingMinutes(reg, 30);
      if (estimate < now) s.estimateAt = iso(estimate);
    }
    if (spec.state === 'met') {
      // Done in the first third of the time allowed.
      const due = parseInstant((spec.kind === 'incident' ? clocks.reaction : clocks.fix)!.due!);
      const done = Math.floor((reg + (due - reg) / 3) / 60_000) * 60_000;
      if (spec.kind === 'incident') s.reactions = [{ at: iso(done), type: 'comment', authorRole: 'agent' }];
      else s.resolvedAt = iso(done);
    }
    if (spec.state === 'agreed') s.agreedDeadline = iso(cal.addWorkingDays(now, 15));
    return s;
  });
}

/** The showcase keys by state (for the service's index and the tests). */
export function showcaseKeys(): Record<string, string> {
  const firstNumber = DEMO_INCIDENTS + DEMO_ERRORS + 1;
  return Object.fromEntries(
    DEMO_SHOWCASE.map((spec, i) => [`${spec.kind}:${spec.state}`, `${DEMO_PROJECT}-${firstNumber + i}`]),
  );
}

/** Picks panel examples from the stored records: a breached, an at-risk, an agreed and a met issue. */
async function sampleKeys(store: Storage['store']): Promise<string[]> {
  const rows = (await store.listSlaRecords({ projects: [DEMO_PROJECT] })).sort(
    (a, b) => Number(a.key.split('-')[1]) - Number(b.key.split('-')[1]),
  );
  const keys = [
    rows.find((x) => x.kind === 'incident' && x.state === 'breached'),
    rows.find((x) => x.kind === 'error' && x.state === 'at-risk') ??
      rows.find((x) => x.kind === 'error' && x.state === 'running'),
    rows.find((x) => x.kind === 'error' && x.agreed),
    rows.find((x) => x.kind === 'error' && x.state === 'met'),
    rows.find((x) => x.kind === 'incident' && x.state === 'met'),
  ]
    .filter((x) => x !== undefined)
    .map((x) => x.key);
  return [...new Set(keys)];
}

/** Creates the demo data unless it exists. */
export async function seedDemo(o: {
  deps: AppDeps;
  tickets: Storage['tickets'];
  store: Storage['store'];
  docs: Pick<Storage, 'getDoc' | 'putDoc'>;
  now: number;
}): Promise<DemoSeedResult> {
  const marker = await o.docs.getDoc(MARKER);
  if (marker === null) {
    const settings = await o.store.getSettings();
    const snapshots = demoSnapshots(settings, o.now);
    const showcase = showcaseKeys();
    const otherVersion = showcase['incident:other-version'];
    const waived = showcase['incident:waived'];
    for (const s of snapshots) {
      await o.tickets.put(s, 'demo');
      if (s.key === otherVersion)
        await o.docs.putDoc(
          `demo-issue:${s.key}`,
          JSON.stringify({ links: [], comments: [], labels: [], affectsVersions: ['5.0'] }),
          o.now,
        );
      await onIssueChange(o.deps, s.key);
      if (s.key === waived) {
        // The breach is recorded by the evaluation above; an administrator waived it (SPEC §5).
        await waiveBreach(o.deps, s.key, 'reaction', {
          by: 'admin',
          reason: 'Сбой на стороне заказчика · The customer’s own outage',
        });
        await onIssueChange(o.deps, s.key);
      }
    }
    await seedDemoCustomers(o); // issue #17: three customers and their contracts
    const doc = JSON.stringify({
      version: SEED_VERSION,
      tickets: snapshots.length,
      createdAt: new Date(o.now).toISOString(),
    });
    await o.docs.putDoc(MARKER, doc, o.now);
    return { created: snapshots.length, total: snapshots.length, sampleKeys: await sampleKeys(o.store) };
  }
  const total = (JSON.parse(marker) as { tickets?: number }).tickets ?? 0;
  return { created: 0, total, sampleKeys: await sampleKeys(o.store) };
}
