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
import type { Impact, Mode, Nature, Urgency, Workaround } from '../../domain/codes';
import { formatInstant, parseInstant } from '../../domain/calendar';
import { evaluate } from '../../domain/evaluate';
import type { LinkedInputs } from '../../domain/priority';
import type { ReactionEvent, Snapshot, VersionInfo } from '../../domain/snapshot';
import type { Storage } from '../storage';
import { seedDemoCustomers } from './customers';

export const DEMO_PROJECT = 'DEMO';
const MARKER = 'demo-seed';
const SEED_VERSION = 1;
export const DEMO_INCIDENTS = 140;
export const DEMO_ERRORS = 90;

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

/** The demo project's versions: X.0 are releases, the others updates (the default release pattern). */
export const DEMO_VERSIONS: { name: string; releaseDate: string }[] = [
  { name: '5.0', releaseDate: '2026-01-30' },
  { name: '5.1', releaseDate: '2026-03-13' },
  { name: '5.2', releaseDate: '2026-05-15' },
  { name: '5.3', releaseDate: '2026-07-17' },
  { name: '6.0', releaseDate: '2026-09-25' },
  { name: '6.1', releaseDate: '2026-11-27' },
  { name: '6.2', releaseDate: '2027-01-29' },
  { name: '7.0', releaseDate: '2027-03-26' },
];

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
 * Builds the demo snapshots as of `now` (tickets registered after `now − 1 day` are left out).
 * Deterministic for a given `now` and settings.
 */
export function demoSnapshots(settings: Settings, now: number): Snapshot[] {
  const cal = calendarFor(settings.calendar);
  const zone = cal.zone;
  const iso = (ms: number) => formatInstant(ms, zone);
  const r = prng(20260101);
  const from = parseInstant('2026-01-12T09:00:00+03:00');
  const to = Math.min(parseInstant('2026-12-25T18:00:00+03:00'), now - 86_400_000);
  if (to <= from) return [];
  const span = cal.workingMinutesBetween(from, to);
  const at = () => cal.addWorkingMinutes(from, Math.floor(r() * span));
  const today = cal.dateOf(now);
  const versions: VersionInfo[] = DEMO_VERSIONS.map((v) => ({ ...v, released: v.releaseDate < today }));
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
    for (const s of snapshots) {
      await o.tickets.put(s, 'demo');
      await onIssueChange(o.deps, s.key);
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
