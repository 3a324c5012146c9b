/**
 * Escalation use cases against the in-memory ports (src/adapters/memory), through the event use case
 * that runs them (`onIssueChange`). The times are those of SPEC §8 example 1: an incident registered
 * Fri 2026-03-06 16:30 MSK with reaction due Tue 10 Mar 16:30 — at risk from 75 % of its 8 working
 * hours (Tue 14:30), breached after 16:30.
 */
import { MemoryJira, MemoryLog, MemoryStore } from '../../src/adapters/memory';
import { registerErrorFromIncident } from '../../src/app/escalation';
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

const IVAN = { accountId: 'acc-ivan', displayName: 'Иван Петров' };

const withEscalation = (escalation: Settings['escalation']): Settings => settings({ escalation });
const commentsOn = (extra: Record<string, unknown> = {}): Settings =>
  withEscalation({ projects: { SUP: { comments: true, ...extra } } });

/** An issue event: the issue is evaluated and written, then escalated with the same verdict. */
async function onEvent(deps: EscalationDeps, key: string) {
  const outcome = await onIssueChange(deps, key);
  return outcome.escalation!.escalation;
}

function addIncident(deps: EscalationDeps, extras: { labels?: string[]; affectsVersions?: string[] } = {}) {
  return deps.jira.add({ ...incidentIssue(), assignee: IVAN, labels: ['customer-acme'], ...extras });
}

describe('escalate: labels', () => {
  it('labels at-risk then breached, leaves other labels alone, and posts nothing by default', async () => {
    const deps = escalationDeps({ now: '2026-03-10T12:00:00+03:00' });
    const issue = addIncident(deps);
    expect((await onEvent(deps, issue.key)).labels).toEqual({ add: [], remove: [] });
    deps.setNow('2026-03-10T15:00:00+03:00');
    expect((await onEvent(deps, issue.key)).labels).toEqual({ add: ['sla-at-risk'], remove: [] });
    deps.setNow('2026-03-10T17:00:00+03:00');
    expect((await onEvent(deps, issue.key)).labels).toEqual({
      add: ['sla-breached'],
      remove: ['sla-at-risk'],
    });
    expect(issue.labels).toEqual(['customer-acme', 'sla-breached']);
    // redelivered: nothing to change, no edit call
    await onEvent(deps, issue.key);
    expect(deps.jira.labelEdits).toHaveLength(2);
    // comments are off by default: none posted, the store's notices never read
    expect(deps.jira.comments).toEqual([]);
    expect(deps.store.noticeCalls.list).toBe(0);
  });

  it('removes its labels once the clock is met', async () => {
    const deps = escalationDeps({ now: '2026-03-10T15:00:00+03:00' });
    const issue = addIncident(deps);
    await onEvent(deps, issue.key);
    issue.inputs.reactions = [{ at: '2026-03-10T15:10:00+03:00', type: 'status' }];
    deps.setNow('2026-03-10T15:20:00+03:00');
    expect((await onEvent(deps, issue.key)).labels).toEqual({ add: [], remove: ['sla-at-risk'] });
    expect(issue.labels).toEqual(['customer-acme']);
  });

  it('touches no labels when the project turns them off or the adapter does not read them', async () => {
    const deps = escalationDeps({
      now: '2026-03-10T17:00:00+03:00',
      settings: withEscalation({ projects: { SUP: { labels: false } } }),
    });
    const issue = addIncident(deps);
    await onEvent(deps, issue.key);
    expect(deps.jira.labelEdits).toEqual([]);

    const other = escalationDeps({ now: '2026-03-10T17:00:00+03:00' });
    other.jira.readsLabels = false;
    const i2 = addIncident(other);
    const out = await onEvent(other, i2.key);
    expect(out.skipped).toEqual(['labels: the ticket system adapter does not read labels']);
    expect(other.jira.labelEdits).toEqual([]);
    expect(other.log.lines).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'escalation skipped' }),
    );
  });

  it('flags a request about a version other than the current one (§2.9.4)', async () => {
    const deps = escalationDeps({ now: '2026-03-10T12:00:00+03:00' });
    deps.jira.versions.set('SUP', [
      { name: '5.0', releaseDate: '2025-06-02', released: true },
      { name: '6.0', releaseDate: '2026-02-02', released: true },
    ]);
    const old = addIncident(deps, { affectsVersions: ['5.0'] });
    const current = addIncident(deps, { affectsVersions: ['6.0'] });
    expect((await onEvent(deps, old.key)).labels.add).toEqual(['sla-version-not-current']);
    expect((await onEvent(deps, current.key)).labels.add).toEqual([]);
  });
});

describe('escalate: comments', () => {
  it('posts one internal comment per clock state, never again on redelivery', async () => {
    const deps = escalationDeps({ now: '2026-03-10T15:00:00+03:00', settings: commentsOn() });
    const issue = addIncident(deps);
    expect((await onEvent(deps, issue.key)).posted).toEqual(['reaction:at-risk']);
    const claims = deps.store.noticeCalls.claim;
    expect((await onEvent(deps, issue.key)).posted).toEqual([]); // redelivered event
    expect(deps.store.noticeCalls.claim).toBe(claims); // known from the store: not even claimed again
    deps.setNow('2026-03-10T16:00:00+03:00');
    expect((await onEvent(deps, issue.key)).posted).toEqual([]); // still at risk, later
    deps.setNow('2026-03-10T17:00:00+03:00');
    expect((await onEvent(deps, issue.key)).posted).toEqual(['reaction:breached']);
    expect((await onEvent(deps, issue.key)).posted).toEqual([]);

    expect(deps.jira.comments).toHaveLength(2);
    const [risk, breach] = deps.jira.comments;
    expect(risk!.key).toBe(issue.key);
    expect(risk!.body).toMatchObject({ audience: 'internal', group: null, mentions: ['acc-ivan'] });
    expect(risk!.body.text).toBe(
      `@Иван Петров: срок реакции по ${issue.key} под угрозой нарушения — крайний срок 10 марта 2026, 16:30 (Europe/Moscow), осталось 1 ч 30 мин рабочего времени.`,
    );
    expect(breach!.body.text).toContain(
      'нарушен — крайний срок 10 марта 2026, 16:30 (Europe/Moscow) истёк, просрочка 30 мин',
    );
    expect([...deps.store.notices.get(issue.key)!]).toEqual(['reaction:at-risk', 'reaction:breached']);
  });

  it('posts once when two deliveries of the same event run at the same time', async () => {
    const deps = escalationDeps({ now: '2026-03-10T17:00:00+03:00', settings: commentsOn() });
    const issue = addIncident(deps);
    const outcomes = await Promise.all([onEvent(deps, issue.key), onEvent(deps, issue.key)]);
    expect(outcomes.map((o) => o.posted).flat()).toEqual(['reaction:breached']);
    expect(deps.jira.comments).toHaveLength(1);
  });

  it('gives the notice back when the comment fails, so the retried event posts it', async () => {
    const deps = escalationDeps({ now: '2026-03-10T17:00:00+03:00', settings: commentsOn() });
    const issue = addIncident(deps);
    deps.jira.failComments = 1;
    await expect(onEvent(deps, issue.key)).rejects.toThrow('Jira answered 503');
    expect(deps.store.notices.get(issue.key)?.size).toBe(0);
    expect((await onEvent(deps, issue.key)).posted).toEqual(['reaction:breached']);
    expect(deps.jira.comments).toHaveLength(1);
  });

  it('writes in the project language and notifies the configured group', async () => {
    const deps = escalationDeps({
      now: '2026-03-10T17:00:00+03:00',
      settings: commentsOn({ language: 'en', group: 'support-leads' }),
    });
    const issue = addIncident(deps);
    await onEvent(deps, issue.key);
    expect(deps.jira.comments[0]!.body).toMatchObject({
      group: 'support-leads',
      locale: 'en',
      text: `@Иван Петров, @support-leads: the reaction time of ${issue.key} is breached — it was due 10 March 2026, 16:30 (Europe/Moscow), 30 min of working time ago.`,
    });
  });

  it('stays silent in projects that keep comments off', async () => {
    const deps = escalationDeps({ now: '2026-03-10T17:00:00+03:00', settings: commentsOn() });
    const other = deps.jira.add({ ...incidentIssue({ project: 'OPS', key: 'OPS-1' }), labels: [] });
    const out = await onEvent(deps, other.key);
    expect(out.posted).toEqual([]);
    expect(out.labels.add).toEqual(['sla-breached']);
    expect(deps.jira.comments).toEqual([]);
  });

  it('skips comments (and says why) when the store cannot remember notices', async () => {
    const deps = escalationDeps({ now: '2026-03-10T17:00:00+03:00', settings: commentsOn() });
    (deps.store as { claimNotice?: unknown }).claimNotice = undefined;
    const issue = addIncident(deps);
    const out = await onEvent(deps, issue.key);
    expect(out.skipped).toEqual([
      'comments: the store cannot remember notices or the adapter cannot post comments',
    ]);
    expect(deps.jira.comments).toEqual([]);
  });

  it('announces the error clocks one by one', async () => {
    // critical error registered Mon 2 Mar 10:00: verification due 10 Mar 18:00, fix due 17 Mar 18:00
    const deps = escalationDeps({ now: '2026-03-16T12:00:00+03:00', settings: commentsOn() });
    const bug = deps.jira.add({
      ...errorIssue({ inputs: { urgency: 'high', workaround: 'none' } }),
      labels: [],
    });
    const out = await onEvent(deps, bug.key);
    expect(out.posted).toEqual(['verification:breached', 'fix:at-risk']);
    expect(out.labels.add).toEqual(['sla-at-risk', 'sla-breached']);
    expect(deps.jira.comments[1]!.body.text).toBe(
      `Срок исправления ошибки по ${bug.key} под угрозой нарушения — крайний срок 17 марта 2026, 18:00 (Europe/Moscow), осталось 13 ч рабочего времени. Исполнитель не назначен.`,
    );
  });
});

describe('registerErrorFromIncident (§3.3, §5.2)', () => {
  it('creates a linked error with the incident inputs and tells the customer its key', async () => {
    const deps = escalationDeps({ now: '2026-03-10T12:00:00+03:00' });
    const incident = deps.jira.add(
      incidentIssue({
        inputs: { impact: 'medium', urgency: 'high', mode: 'implementation', summary: 'Отчёт не строится' },
      }),
    );
    const r = await registerErrorFromIncident(deps, incident.key);
    expect(r).toEqual({ errorKey: 'SUP-90001', errorId: '90001', commented: true });
    expect(deps.jira.created[0]!.issue).toEqual({
      project: 'SUP',
      issueType: 'Bug',
      summary: 'Отчёт не строится',
      description: `Зарегистрирована по обращению ${incident.key} (п. 3.3 регламента).`,
      inputs: { impact: 'medium', urgency: 'high', mode: 'implementation', workaround: 'none' },
    });
    expect(deps.jira.links).toEqual([{ type: 'Relates', from: 'SUP-90001', to: incident.key }]);
    expect(deps.jira.comments).toEqual([
      {
        key: incident.key,
        body: expect.objectContaining({
          audience: 'customer',
          text: `По вашему обращению ${incident.key} зарегистрирована ошибка SUP-90001. Её исправление ведётся отдельно (п. 5.2 регламента); мы сообщим вам, когда ошибка будет исправлена.`,
          parts: expect.arrayContaining([{ type: 'issue', key: 'SUP-90001' }]),
        }),
      },
    ]);
    // the new error is evaluated like any other: medium/high → 8, implementation −2 → 6 (medium)
    const evaluated = await onIssueChange(deps, r.errorKey);
    expect(evaluated.verdict?.priority).toMatchObject({ kind: 'error', value: 6, class: 'medium' });
    // §5.5: and its linked incident is among its occurrences
    const ticket = await deps.jira.readTicket(r.errorKey, await deps.store.getSettings());
    expect(ticket?.links).toEqual([
      { key: incident.key, issueType: 'Incident', type: 'Relates', done: false },
    ]);
  });

  it('uses the given summary, workaround and the project link type', async () => {
    const deps = escalationDeps({
      settings: withEscalation({ projects: { SUP: { errorLinkType: 'Problem/Incident', language: 'en' } } }),
    });
    const incident = deps.jira.add(incidentIssue());
    await registerErrorFromIncident(deps, incident.key, {
      summary: 'Export crashes',
      workaround: 'moderate',
    });
    expect(deps.jira.created[0]!.issue).toMatchObject({
      summary: 'Export crashes',
      inputs: { workaround: 'moderate' },
      description: `Registered from request ${incident.key} (§3.3 of the regulation).`,
    });
    expect(deps.jira.links[0]!.type).toBe('Problem/Incident');
    expect(deps.jira.comments[0]!.body.text).toMatch(/^Error SUP-\d+ has been registered from your request/);
  });

  it('refuses errors, unknown issues, unmapped types and ticket systems that cannot create issues', async () => {
    const deps = escalationDeps();
    const bug = deps.jira.add(errorIssue());
    const incident = deps.jira.add(incidentIssue());
    await expect(registerErrorFromIncident(deps, bug.key)).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(registerErrorFromIncident(deps, 'SUP-404')).rejects.toMatchObject({ code: 'not-found' });
    await expect(registerErrorFromIncident(deps, incident.key, { issueType: 'Task' })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    (deps.jira as { createIssue?: unknown }).createIssue = undefined;
    await expect(registerErrorFromIncident(deps, incident.key)).rejects.toThrow(
      'this ticket system cannot create issues',
    );
    expect(deps.jira.created).toEqual([]);
    expect(deps.jira.comments).toEqual([]);
  });

  it('registers without telling the customer when customer comments are off', async () => {
    const deps = escalationDeps({ settings: withEscalation({ defaults: { customerComments: false } }) });
    const incident = deps.jira.add(incidentIssue());
    expect((await registerErrorFromIncident(deps, incident.key)).commented).toBe(false);
    expect(deps.jira.comments).toEqual([]);
  });
});
