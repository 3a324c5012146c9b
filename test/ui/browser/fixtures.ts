/**
 * The data set behind the browser tests and the screenshots, with the figures a person should see
 * worked out by hand here (not by the code under test).
 *
 * Backend clock: Monday 2026-06-15 12:00 Moscow. Period "this month" = June 2026.
 * - Errors due in June before now: 10 — 8 fixed on time, 1 fixed late, 1 still open past its deadline
 *   (breached) → 8 / 10 = 80 %, exactly the target; budget = largest k with 8 / (10 + k) ≥ 0.8 → 0.
 *   By class: critical 3 of 3, high 3 of 4, medium 2 of 3.
 * - Incidents due in June before now: 20 — 19 reacted on time, 1 late → 95 %;
 *   budget = largest k with 19 / (20 + k) ≥ 0.8 → 20 + k ≤ 23.75 → 3.
 * - Two open items at risk (due after now, not counted), one open breached error (above).
 * - Trend July 2025 … May 2026: errors and incidents per month, see TREND_ERRORS/TREND_INCIDENTS.
 * - Issues in the in-memory Jira for the panel: SUP-101 (incident, critical, registered 2026-06-15
 *   10:00 MSK → reaction due 2026-06-16 10:00 MSK: 10:00–13:00 and 14:00–18:00 = 7 h on the 15th, 1 h
 *   on the 16th; at 12:00 2 h used, 6:00 left) and SUP-201 (an error).
 */
import type { MemoryJira, MemoryStore } from '../../../src/adapters/memory';
import type { SlaRecordRow } from '../../../src/app/ports';
import type { PriorityClass } from '../../../src/domain/codes';
import type { ClockState } from '../../../src/domain/snapshot';

export const NOW = '2026-06-15T12:00:00+03:00';

/** [counted, onTime] per month from 2025-07 to 2026-05. */
export const TREND_ERRORS: [string, number, number][] = [
  ['2025-07', 6, 6],
  ['2025-08', 7, 6],
  ['2025-09', 8, 6],
  ['2025-10', 9, 8],
  ['2025-11', 6, 3],
  ['2025-12', 7, 7],
  ['2026-01', 8, 7],
  ['2026-02', 9, 7],
  ['2026-03', 6, 6],
  ['2026-04', 7, 6],
  ['2026-05', 8, 6],
];
export const TREND_INCIDENTS: [string, number, number][] = TREND_ERRORS.map(([m, c]) => [
  m,
  c * 2,
  c * 2 - 1,
]);

function row(
  key: string,
  kind: 'incident' | 'error',
  cls: PriorityClass,
  due: string,
  doneAt: string | null,
  state: ClockState,
  summary: string,
): SlaRecordRow {
  return {
    key,
    project: 'SUP',
    kind,
    class: cls,
    priority: null,
    registeredAt: '2025-01-01T10:00:00+03:00',
    due,
    doneAt,
    agreed: false,
    state,
    verificationDue: null,
    estimateAt: null,
    summary,
    verdictJson: 'null',
    updatedAt: NOW,
  };
}

const day = (d: number) => String(d).padStart(2, '0');

export async function seedDemo({ jira, store }: { jira: MemoryJira; store: MemoryStore }): Promise<void> {
  const rows: SlaRecordRow[] = [];
  // June errors: critical 3/3, high 3/4 (one open, breached), medium 2/3 (one fixed late).
  const juneErrors: [PriorityClass, boolean, boolean][] = [
    ['critical', true, true],
    ['critical', true, true],
    ['critical', true, true],
    ['high', true, true],
    ['high', true, true],
    ['high', true, true],
    ['high', false, false],
    ['medium', true, true],
    ['medium', true, true],
    ['medium', false, true],
  ];
  juneErrors.forEach(([cls, onTime, done], i) => {
    const d = 1 + i; // due June 1..10, all before now
    const due = `2026-06-${day(d)}T18:00:00+03:00`;
    const doneAt = done
      ? onTime
        ? `2026-06-${day(d)}T11:00:00+03:00`
        : `2026-06-${day(d + 2)}T11:00:00+03:00`
      : null;
    const key = `SUP-${300 + i}`;
    const summary = done ? `Fixed error ${i + 1}` : 'Export to PDF loses the stamp';
    rows.push(row(key, 'error', cls, due, doneAt, done ? 'met' : 'breached', summary));
  });
  // June incidents: 20 due before now, one reacted late.
  for (let i = 0; i < 20; i++) {
    const d = 1 + (i % 12);
    const due = `2026-06-${day(d)}T16:00:00+03:00`;
    const doneAt = i === 7 ? `2026-06-${day(d)}T17:30:00+03:00` : `2026-06-${day(d)}T10:00:00+03:00`;
    rows.push(
      row(`SUP-${400 + i}`, 'incident', i % 2 ? 'high' : 'medium', due, doneAt, 'met', `Incident ${i + 1}`),
    );
  }
  // Open, at risk (due after now: not counted yet).
  rows.push(
    row(
      'SUP-510',
      'error',
      'critical',
      '2026-06-17T18:00:00+03:00',
      null,
      'at-risk',
      'Login fails for LDAP users',
    ),
  );
  rows.push(
    row('SUP-511', 'incident', 'high', '2026-06-15T16:00:00+03:00', null, 'at-risk', 'Reports are slow'),
  );
  // The trend: month by month, due on the 10th; late ones fixed on the 12th.
  const trend = (list: [string, number, number][], kind: 'incident' | 'error', base: number) =>
    list.forEach(([month, counted, onTime], mi) => {
      for (let i = 0; i < counted; i++) {
        const due = `${month}-10T18:00:00+03:00`;
        const doneAt = i < onTime ? `${month}-09T12:00:00+03:00` : `${month}-12T12:00:00+03:00`;
        rows.push(row(`OLD-${base + mi * 50 + i}`, kind, 'high', due, doneAt, 'met', `Old ${kind} ${i}`));
      }
    });
  trend(TREND_ERRORS, 'error', 1000);
  trend(TREND_INCIDENTS, 'incident', 5000);
  for (const r of rows) await store.upsertSlaRecord(r);

  jira.add({
    id: '10101',
    key: 'SUP-101',
    project: 'SUP',
    issueType: 'Incident',
    inputs: {
      registeredAt: '2026-06-15T10:00:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      summary: 'Service is down for every customer',
    },
  });
  jira.add({
    id: '10201',
    key: 'SUP-201',
    project: 'SUP',
    issueType: 'Bug',
    inputs: {
      registeredAt: '2026-06-01T10:00:00+03:00',
      impact: 'high',
      urgency: 'medium',
      mode: 'implementation',
      workaround: 'none',
      linkedIncidents: [{ impact: 'high', urgency: 'medium', mode: 'operation' }],
      versions: [
        { name: '5.2.1', releaseDate: '2026-06-30', released: false },
        { name: '6.0', releaseDate: '2026-09-01', released: false },
      ],
      fixVersion: '5.2.1',
      summary: 'Export to PDF loses the stamp',
    },
  });
  jira.add({
    id: '10301',
    key: 'SUP-301',
    project: 'SUP',
    issueType: 'Bug',
    inputs: { registeredAt: '2026-06-10T10:00:00+03:00', impact: 'low', summary: 'Typo in the invoice form' },
  });
}

/**
 * Escalation (issue 8), project HD, backend clock NOW (Monday 15 June 2026 12:00 Moscow):
 * - HD-7, an incident: impact high × urgency high = level 5 (critical), 8 working hours. Registered
 *   Wednesday 10 June 10:00: 10:00–13:00 and 14:00–18:00 = 7 h, then 1 h on Thursday 11 June (a
 *   shortened pre-holiday day, 9:00–17:00) → due 11 June 10:00, BREACHED. Overdue at NOW: 11 June
 *   10:00–13:00 and 14:00–17:00 = 6 h; 12 June (Russia Day) and 13–14 June off; 15 June 9:00–12:00 =
 *   3 h → 9:00. It names version 5.0 while 6.0 (released 2 February 2026) and its update 6.0.1 are
 *   current → flagged (§2.9.4).
 * - HD-8, an incident to register an error from and to split (impact medium, urgency low, operation,
 *   failure).
 * - Settings: escalation comments ON for HD, in English (so the panel is checked with comments on).
 * - §2.7, a visit proposed at NOW: the working days after 15 June are 16, 17, 18, 19, 22 June, so the
 *   5th is 22 June and the earliest date is Tuesday 23 June; 19 June gives 3 working days (16–18).
 */
export async function seedEscalation({
  jira,
  store,
}: {
  jira: MemoryJira;
  store: MemoryStore;
}): Promise<void> {
  store.settings.escalation = { defaults: {}, projects: { HD: { comments: true, language: 'en' } } };
  jira.versions.set('HD', [
    { name: '5.0', releaseDate: '2025-09-15', released: true },
    { name: '5.0.3', releaseDate: '2025-12-01', released: true },
    { name: '6.0', releaseDate: '2026-02-02', released: true },
    { name: '6.0.1', releaseDate: '2026-03-20', released: true },
  ]);
  jira.add({
    id: '20007',
    key: 'HD-7',
    project: 'HD',
    issueType: 'Incident',
    assignee: { accountId: 'u-1', displayName: 'Ivan Petrov' },
    labels: ['customer-acme'],
    affectsVersions: ['5.0'],
    inputs: {
      registeredAt: '2026-06-10T10:00:00+03:00',
      impact: 'high',
      urgency: 'high',
      mode: 'operation',
      nature: 'failure',
      summary: 'Payments are not processed',
    },
  });
  jira.add({
    id: '20008',
    key: 'HD-8',
    project: 'HD',
    issueType: 'Incident',
    inputs: {
      registeredAt: '2026-06-15T09:30:00+03:00',
      impact: 'medium',
      urgency: 'low',
      mode: 'operation',
      nature: 'failure',
      summary: 'Export to PDF loses the stamp; also: how to add a user?',
    },
  });
}
