/**
 * Customer communication use cases against in-memory ports: the fix of an error told to every linked
 * incident (§5.2), a request split into parts (§3.2), the on-site visit notice (§2.7) and requests
 * about other versions (§2.9.4).
 */
import {
  checkVersion,
  checkVisit,
  notifyFixed,
  registerErrorFromIncident,
  splitRequest,
} from '../../src/app/escalation';
import { MemoryJira, MemoryLog, MemoryStore } from '../../src/adapters/memory';
import { onIssueChange } from '../../src/app/issue-change';
import type { Settings } from '../../src/app/ports';
import { parseInstant } from '../../src/domain/calendar';
import { errorIssue, incidentIssue, settings } from '../support/builders';

/** Memory ports at a fixed instant, with every log line kept. */
function escalationDeps(opts: { now?: string; settings?: Settings } = {}) {
  let now = parseInstant(opts.now ?? '2026-03-10T12:00:00+03:00');
  return {
    jira: new MemoryJira(() => now),
    store: new MemoryStore(opts.settings ?? settings()),
    clock: () => now,
    log: new MemoryLog(),
    setNow: (iso: string) => {
      now = parseInstant(iso);
    },
  };
}
type EscalationDeps = ReturnType<typeof escalationDeps>;

const withEscalation = (escalation: Settings['escalation']): Settings => settings({ escalation });

const VERSIONS = [
  { name: '6.0', releaseDate: '2026-02-02', released: true },
  { name: '6.0.1', releaseDate: '2026-03-20', released: false },
  { name: '7.0', releaseDate: '2026-06-01', released: false },
];

/** An error linked to two incidents, plus an unrelated bug linked to it. */
function errorWithIncidents(deps: EscalationDeps, fixVersion?: string) {
  deps.jira.versions.set('SUP', structuredClone(VERSIONS));
  const bug = deps.jira.add(errorIssue(fixVersion ? { fixVersions: [fixVersion] } : {}));
  const a = deps.jira.add(incidentIssue());
  const b = deps.jira.add(incidentIssue());
  const other = deps.jira.add(errorIssue());
  deps.jira.links.push(
    { type: 'Relates', from: bug.key, to: a.key },
    { type: 'Problem/Incident', from: bug.key, to: b.key },
    { type: 'Relates', from: other.key, to: bug.key },
  );
  return { bug, a, b, other };
}

const release = (deps: EscalationDeps, name: string) => {
  for (const v of deps.jira.versions.get('SUP') ?? []) if (v.name === name) v.released = true;
};

describe('notifyFixed (§5.2)', () => {
  it('waits for the fix version, then tells every linked incident once, naming the patch', async () => {
    const deps = escalationDeps({ now: '2026-03-20T19:00:00+03:00' });
    const { bug, a, b } = errorWithIncidents(deps, '6.0.1');
    bug.inputs.resolvedAt = '2026-03-12T10:00:00+03:00';
    bug.statusCategory = 'done';
    // resolved, but 6.0.1 has not shipped: the customers cannot have the fix yet
    expect(await notifyFixed(deps, bug.key)).toMatchObject({ fix: null, notified: [] });
    release(deps, '6.0.1');
    const first = await notifyFixed(deps, bug.key);
    expect(first).toMatchObject({
      fix: { version: '6.0.1', kind: 'update', releaseDate: '2026-03-20' },
      notified: [a.key, b.key],
      already: [],
    });
    expect(deps.jira.comments.map((c) => [c.key, c.body.audience, c.body.text])).toEqual([
      [
        a.key,
        'customer',
        `Ошибка ${bug.key}, связанная с вашим обращением ${a.key}, исправлена в обновлении (патче) 6.0.1 (выпуск 20 марта 2026).`,
      ],
      [
        b.key,
        'customer',
        `Ошибка ${bug.key}, связанная с вашим обращением ${b.key}, исправлена в обновлении (патче) 6.0.1 (выпуск 20 марта 2026).`,
      ],
    ]);
    // a second version event, or the error's own update event: nothing more
    expect(await notifyFixed(deps, bug.key)).toMatchObject({ notified: [], already: [a.key, b.key] });
    expect(deps.jira.comments).toHaveLength(2);
  });

  it('names a release, and announces a later fix version again after a reopen', async () => {
    const deps = escalationDeps({ settings: withEscalation({ defaults: { language: 'en' } }) });
    const { bug, a } = errorWithIncidents(deps, '6.0');
    await notifyFixed(deps, bug.key);
    expect(deps.jira.comments[0]!.body.text).toBe(
      `Error ${bug.key}, linked to your request ${a.key}, is fixed in release 6.0 (released 2 February 2026).`,
    );
    bug.fixVersions = ['6.0.1'];
    release(deps, '6.0.1');
    expect((await notifyFixed(deps, bug.key)).notified).toHaveLength(2);
    expect(deps.jira.comments).toHaveLength(4);
  });

  it('counts a resolution as the fix when the error has no fix version', async () => {
    const deps = escalationDeps();
    const { bug, a, b } = errorWithIncidents(deps);
    expect((await notifyFixed(deps, bug.key)).fix).toBeNull();
    bug.inputs.resolvedAt = '2026-03-10T11:00:00+03:00';
    expect((await notifyFixed(deps, bug.key)).notified).toEqual([a.key, b.key]);
    expect(deps.jira.comments[0]!.body.text).toBe(
      `Ошибка ${bug.key}, связанная с вашим обращением ${a.key}, исправлена.`,
    );
  });

  it('closes the loop from registration to fix', async () => {
    const deps = escalationDeps();
    deps.jira.versions.set('SUP', structuredClone(VERSIONS));
    const incident = deps.jira.add(incidentIssue());
    const { errorKey } = await registerErrorFromIncident(deps, incident.key);
    deps.jira.issues.get(errorKey)!.fixVersions = ['6.0.1'];
    release(deps, '6.0.1');
    expect((await notifyFixed(deps, errorKey)).notified).toEqual([incident.key]);
    expect(deps.jira.comments.map((c) => c.body.code)).toEqual(['error-registered', 'error-fixed-update']);
  });

  it('ignores incidents and tells nobody for non-errors or without links', async () => {
    const deps = escalationDeps();
    const incident = deps.jira.add(incidentIssue({ inputs: { resolvedAt: '2026-03-10T11:00:00+03:00' } }));
    expect(await notifyFixed(deps, incident.key)).toMatchObject({ fix: null, notified: [] });
    deps.jira.readsLinks = false;
    const bug = deps.jira.add(errorIssue({ inputs: { resolvedAt: '2026-03-10T11:00:00+03:00' } }));
    expect((await notifyFixed(deps, bug.key)).skipped).toEqual([
      'the ticket system adapter does not read issue links',
    ]);
    expect(deps.jira.comments).toEqual([]);
  });
});

describe('splitRequest (§3.2)', () => {
  it('creates linked requests, each with its own classification, and tells the customer', async () => {
    const deps = escalationDeps({ now: '2026-03-10T12:00:00+03:00' });
    const original = deps.jira.add(incidentIssue());
    const r = await splitRequest(deps, original.key, [
      { summary: 'Отчёт падает', description: 'При выгрузке в PDF' },
      { summary: 'Как настроить экспорт?', nature: 'question', impact: 'low', urgency: 'medium' },
    ]);
    expect(r.created.map((c) => c.inputs)).toEqual([
      { impact: 'high', urgency: 'high', mode: 'operation', nature: 'failure' },
      { impact: 'low', urgency: 'medium', mode: 'operation', nature: 'question' },
    ]);
    expect(deps.jira.created.map((c) => c.issue.issueType)).toEqual(['Incident', 'Incident']);
    expect(deps.jira.created[0]!.issue.description).toBe(
      `При выгрузке в PDF\n\nВыделено из обращения ${original.key} (п. 3.2 регламента).`,
    );
    expect(deps.jira.links).toEqual(
      r.created.map((c) => ({ type: 'Relates', from: original.key, to: c.key })),
    );
    // each part is evaluated on its own: high/high failure → 5; low/medium question → 1 − 2 → clamped to 1
    const levels = [];
    for (const c of r.created) levels.push((await onIssueChange(deps, c.key)).verdict?.priority?.value);
    expect(levels).toEqual([5, 1]);
    expect(r.commented).toBe(true);
    expect(deps.jira.comments[0]).toMatchObject({
      key: original.key,
      body: {
        audience: 'customer',
        text: `Обращение ${original.key} содержит несколько составляющих и разделено на отдельные обращения (п. 3.2 регламента): ${r.created[0]!.key}, ${r.created[1]!.key}. Каждое из них классифицируется и обрабатывается отдельно.`,
      },
    });
  });

  it('lists every problem of the parts and creates nothing', async () => {
    const deps = escalationDeps();
    const original = deps.jira.add(incidentIssue());
    await expect(
      splitRequest(deps, original.key, [{ summary: ' ' }, { summary: 'ok', impact: 'huge', nature: 'bug' }]),
    ).rejects.toThrow(
      'part 1: summary is required; part 2: impact must be one of high, medium, low; part 2: nature must be one of failure, question',
    );
    await expect(splitRequest(deps, original.key, [])).rejects.toMatchObject({ code: 'invalid-request' });
    const bug = deps.jira.add(errorIssue());
    await expect(splitRequest(deps, bug.key, [{ summary: 'x' }])).rejects.toThrow(
      'only requests (incidents) are split',
    );
    expect(deps.jira.created).toEqual([]);
  });
});

describe('checkVisit (§2.7)', () => {
  it('refuses the 5th working day after a request on 30 April, in the project language', async () => {
    const deps = escalationDeps({ now: '2026-04-30T15:00:00+03:00' });
    const r = await checkVisit(deps, { key: 'SUP-3', visitDate: '2026-05-08' });
    expect(r).toMatchObject({
      ok: false,
      reason: 'too-short',
      earliestWorkingDate: '2026-05-12',
      commented: false,
    });
    expect(r.text).toBe(
      'Выезд специалиста на 8 мая 2026 запрошен за 4 рабочих дня, а регламент (п. 2.7) требует запрашивать его не менее чем за 5 рабочих дней. Ближайшая возможная дата — 9 мая 2026 (ближайший рабочий день — 12 мая 2026).',
    );
    expect(deps.jira.comments).toEqual([]);
  });

  it('uses the project notice and posts the message once per date when asked', async () => {
    const deps = escalationDeps({
      settings: withEscalation({ projects: { SUP: { visitNoticeDays: 3, language: 'en' } } }),
    });
    const issue = deps.jira.add(incidentIssue());
    const req = {
      key: issue.key,
      visitDate: '2026-05-06',
      requestedAt: '2026-04-30T15:00:00+03:00',
      comment: true,
    };
    // 3 working days: 4, 5, 6 May — the visit must come after 6 May
    expect(await checkVisit(deps, req)).toMatchObject({
      ok: false,
      noticeEnds: '2026-05-06',
      commented: true,
    });
    expect(await checkVisit(deps, req)).toMatchObject({ ok: false, commented: false });
    expect(deps.jira.comments.map((c) => c.body.text)).toEqual([
      'The on-site visit on 6 May 2026 was requested 2 working days ahead, and the regulation (§2.7) requires at least 3 working days. The earliest possible date is 7 May 2026.',
    ]);
    expect(await checkVisit(deps, { ...req, visitDate: '2026-05-07' })).toMatchObject({
      ok: true,
      text: null,
    });
  });

  it('answers a malformed date with invalid-request', async () => {
    const deps = escalationDeps();
    await expect(checkVisit(deps, { visitDate: '08.05.2026' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(
      checkVisit(deps, { visitDate: '2026-05-08', requestedAt: '2026-04-30 15:00' }),
    ).rejects.toMatchObject({
      code: 'invalid-request',
    });
  });
});

describe('checkVersion (§2.9.4)', () => {
  it('flags a request about an older version with a message for the agent', async () => {
    const deps = escalationDeps();
    deps.jira.versions.set('SUP', [{ name: '5.0', releaseDate: '2025-06-02', released: true }, ...VERSIONS]);
    const issue = deps.jira.add({ ...incidentIssue(), affectsVersions: ['5.0'] });
    const r = await checkVersion(deps, issue.key);
    expect(r.check).toMatchObject({
      status: 'not-current',
      reason: 'older',
      current: { name: '6.0', line: ['6.0'] },
    });
    expect(r.message?.text).toBe(
      'Обращение относится к версии 5.0, а техническая поддержка оказывается только для текущей версии 6.0 (выпуск 2 февраля 2026) (п. 2.9.4 регламента). Поддержка других версий — по дополнительному письменному согласованию.',
    );
    issue.affectsVersions = [];
    expect(await checkVersion(deps, issue.key)).toEqual({ check: { status: 'not-stated' }, message: null });
  });
});
