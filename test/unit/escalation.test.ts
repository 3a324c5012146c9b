/**
 * Escalation decisions (issue 8) on verdicts of the real engine, default Moscow calendar. Working
 * time counted by hand: 09–13 + 14–18, 9 March 2026 a day off (8 March moved).
 */
import { DEFAULT_CALENDAR_CONFIG, compileCalendar, parseInstant } from '../../src/domain/calendar';
import {
  APP_LABELS,
  DEFAULT_ESCALATION_SETTINGS,
  errorFixOf,
  escalationSettingsFor,
  fixMessage,
  fixNoticeId,
  labelChanges,
  planEscalation,
  slaLabels,
  validateEscalationConfig,
  type EscalationSettings,
} from '../../src/domain/escalation';
import { evaluate } from '../../src/domain/evaluate';
import { DEFAULT_POLICY } from '../../src/domain/policy';
import type { Snapshot, Verdict } from '../../src/domain/snapshot';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
const ZONE = 'Europe/Moscow';
const IVAN = { accountId: 'acc-ivan', displayName: 'Иван Петров' };

/** SPEC §8 example 1: reaction due Tue 2026-03-10 16:30 MSK (8 working hours from Fri 16:30). */
const incident = (patch: Partial<Snapshot> = {}): Snapshot => ({
  key: 'SUP-1',
  kind: 'incident',
  registeredAt: '2026-03-06T16:30:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  nature: 'failure',
  ...patch,
});

/** Critical error (10): verification due Tue 10 Mar 18:00 (5 working days), fix due Tue 17 Mar 18:00 (10). */
const error = (patch: Partial<Snapshot> = {}): Snapshot => ({
  key: 'ERR-7',
  kind: 'error',
  registeredAt: '2026-03-02T10:00:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  workaround: 'none',
  ...patch,
});

const verdictAt = (s: Snapshot, iso: string): Verdict => evaluate(s, DEFAULT_POLICY, cal, parseInstant(iso));
const on = (patch: Partial<EscalationSettings> = {}): EscalationSettings => ({
  ...escalationSettingsFor(undefined, 'SUP'),
  comments: true,
  ...patch,
});

describe('slaLabels', () => {
  it('follows the reaction clock: none while running, at-risk past 75 %, breached past the deadline', () => {
    // 12:00 Tue: 1.5 h Fri + 3 h Tue = 4.5 of 8 h (56 %); 15:00: 6.5 h (81 %); 17:00: past 16:30
    expect(slaLabels(verdictAt(incident(), '2026-03-10T12:00:00+03:00'))).toEqual([]);
    expect(slaLabels(verdictAt(incident(), '2026-03-10T15:00:00+03:00'))).toEqual(['sla-at-risk']);
    expect(slaLabels(verdictAt(incident(), '2026-03-10T17:00:00+03:00'))).toEqual(['sla-breached']);
  });

  it('keeps sla-breached on a clock stopped after its deadline, drops it for one stopped in time', () => {
    const late = incident({ reactions: [{ at: '2026-03-10T17:30:00+03:00', type: 'status' }] });
    const onTime = incident({ reactions: [{ at: '2026-03-10T16:00:00+03:00', type: 'status' }] });
    expect(slaLabels(verdictAt(late, '2026-03-11T10:00:00+03:00'))).toEqual(['sla-breached']);
    expect(slaLabels(verdictAt(onTime, '2026-03-11T10:00:00+03:00'))).toEqual([]);
  });

  it('gives an error both labels when verification is breached and the fix at risk', () => {
    // Mon 16 Mar 12:00: verification (due 10 Mar) missed; fix: 74 of 87 working hours used (85 %)
    const v = verdictAt(error(), '2026-03-16T12:00:00+03:00');
    expect(v.verification?.state).toBe('breached');
    expect(v.fix).toMatchObject({ state: 'at-risk', due: '2026-03-17T18:00:00+03:00', leftMinutes: 13 * 60 });
    expect(slaLabels(v)).toEqual(['sla-at-risk', 'sla-breached']);
  });

  it('gives none for an incomplete verdict', () => {
    expect(slaLabels(verdictAt(incident({ urgency: undefined }), '2026-03-10T17:00:00+03:00'))).toEqual([]);
  });
});

describe('labelChanges', () => {
  it('adds and removes only the app labels', () => {
    expect(labelChanges(['customer-x', 'sla-at-risk'], ['sla-breached'])).toEqual({
      add: ['sla-breached'],
      remove: ['sla-at-risk'],
    });
    expect(labelChanges(['customer-x', 'sla-breached'], ['sla-breached'])).toEqual({ add: [], remove: [] });
    expect(labelChanges(['customer-x', 'sla-version-not-current'], [])).toEqual({
      add: [],
      remove: ['sla-version-not-current'],
    });
    expect(labelChanges(['sla-outside-contract'], [])).toEqual({ add: [], remove: ['sla-outside-contract'] });
    expect(APP_LABELS).toEqual([
      'sla-at-risk',
      'sla-breached',
      'sla-version-not-current',
      'sla-outside-contract',
    ]);
  });
});

describe('planEscalation', () => {
  const atRisk = verdictAt(incident(), '2026-03-10T15:00:00+03:00');
  const breached = verdictAt(incident(), '2026-03-10T17:00:00+03:00');
  const base = { issueKey: 'SUP-1', notified: [] as string[], assignee: IVAN, zone: ZONE };

  it('posts nothing by default (comments off) but still sets the labels', () => {
    const plan = planEscalation({
      ...base,
      verdict: atRisk,
      settings: escalationSettingsFor(undefined, 'SUP'),
    });
    expect(plan).toEqual({ labels: ['sla-at-risk'], notices: [] });
    expect(DEFAULT_ESCALATION_SETTINGS.comments).toBe(false);
  });

  it('announces at-risk once, mentioning the assignee, in Russian by default', () => {
    const plan = planEscalation({ ...base, verdict: atRisk, settings: on() });
    expect(plan.notices).toHaveLength(1);
    const n = plan.notices[0]!;
    expect(n).toMatchObject({ id: 'reaction:at-risk', clock: 'reaction', state: 'at-risk', group: null });
    expect(n.due).toBe('2026-03-10T16:30:00+03:00');
    expect(n.message.text).toBe(
      '@Иван Петров: срок реакции по SUP-1 под угрозой нарушения — крайний срок 10 марта 2026, 16:30 (Europe/Moscow), осталось 1 ч 30 мин рабочего времени.',
    );
    expect(n.message.mentions).toEqual(['acc-ivan']);
    expect(n.message.parts[0]).toEqual({ type: 'mention', accountId: 'acc-ivan', name: 'Иван Петров' });
    expect(n.message.parts).toContainEqual({ type: 'issue', key: 'SUP-1' });
  });

  it('sends nothing again for a state already announced (redelivery, re-evaluation)', () => {
    const plan = planEscalation({ ...base, verdict: atRisk, settings: on(), notified: ['reaction:at-risk'] });
    expect(plan.notices).toEqual([]);
    expect(plan.labels).toEqual(['sla-at-risk']);
  });

  it('announces the breach after the at-risk notice, in English when the project says so', () => {
    const plan = planEscalation({
      ...base,
      verdict: breached,
      settings: on({ language: 'en' }),
      notified: ['reaction:at-risk'],
    });
    expect(plan.notices.map((n) => n.id)).toEqual(['reaction:breached']);
    expect(plan.notices[0]!.message.text).toBe(
      '@Иван Петров: the reaction time of SUP-1 is breached — it was due 10 March 2026, 16:30 (Europe/Moscow), 30 min of working time ago.',
    );
  });

  it('announces only the current state of a clock found already breached', () => {
    const plan = planEscalation({ ...base, verdict: breached, settings: on() });
    expect(plan.notices.map((n) => n.id)).toEqual(['reaction:breached']);
    expect(plan.notices[0]!.message.text).toContain(
      'нарушен — крайний срок 10 марта 2026, 16:30 (Europe/Moscow) истёк, просрочка 30 мин',
    );
  });

  it('skips states the project does not announce', () => {
    expect(
      planEscalation({ ...base, verdict: atRisk, settings: on({ states: ['breached'] }) }).notices,
    ).toEqual([]);
  });

  it('does not announce a clock that already stopped, even late', () => {
    const late = verdictAt(
      incident({ reactions: [{ at: '2026-03-10T17:30:00+03:00', type: 'comment', authorRole: 'agent' }] }),
      '2026-03-10T18:00:00+03:00',
    );
    expect(late.reaction?.state).toBe('breached');
    expect(planEscalation({ ...base, verdict: late, settings: on() })).toEqual({
      labels: ['sla-breached'],
      notices: [],
    });
  });

  it('names a group and says when nobody is assigned', () => {
    const plan = planEscalation({
      ...base,
      assignee: null,
      verdict: atRisk,
      settings: on({ group: 'support-leads' }),
    });
    const n = plan.notices[0]!;
    expect(n.group).toBe('support-leads');
    expect(n.message.parts[0]).toEqual({ type: 'group', name: 'support-leads' });
    expect(n.message.mentions).toEqual([]);
    expect(n.message.text).toMatch(
      /^@support-leads: срок реакции по SUP-1 под угрозой нарушения .* Исполнитель не назначен\.$/,
    );
  });

  it('starts with a capital when nobody is to be mentioned', () => {
    const plan = planEscalation({
      ...base,
      verdict: atRisk,
      settings: on({ notifyAssignee: false, language: 'en' }),
    });
    expect(plan.notices[0]!.message.text).toBe(
      'The reaction time of SUP-1 is at risk — due 10 March 2026, 16:30 (Europe/Moscow), 1 h 30 min of working time left.',
    );
  });

  it('announces each clock of an error on its own', () => {
    const v = verdictAt(error(), '2026-03-16T12:00:00+03:00');
    const plan = planEscalation({ ...base, issueKey: 'ERR-7', verdict: v, settings: on({ language: 'en' }) });
    expect(plan.notices.map((n) => n.id)).toEqual(['verification:breached', 'fix:at-risk']);
    expect(plan.notices[1]!.message.text).toBe(
      '@Иван Петров: the fix deadline of ERR-7 is at risk — due 17 March 2026, 18:00 (Europe/Moscow), 13 h of working time left.',
    );
    // verification due Tue 10 Mar 18:00; by Mon 16 Mar 12:00: 11–13 Mar (3 × 8 h) + 3 h = 27 h late
    expect(plan.notices[0]!.message.text).toContain(
      'it was due 10 March 2026, 18:00 (Europe/Moscow), 27 h of working time ago',
    );
  });

  it('treats an agreed fix deadline as a new clock, announced even after the computed one was', () => {
    // agreed: close of Fri 20 Mar; at 16:00 that day 109 of its 111 working hours are used
    const v = verdictAt(
      error({ agreedDeadline: '2026-03-20', estimateAt: '2026-03-03T10:00:00+03:00' }),
      '2026-03-20T16:00:00+03:00',
    );
    expect(v.fix).toMatchObject({ rule: 'agreed', state: 'at-risk', due: '2026-03-20T18:00:00+03:00' });
    const plan = planEscalation({
      ...base,
      issueKey: 'ERR-7',
      verdict: v,
      settings: on(),
      notified: ['fix:at-risk', 'fix:breached'],
    });
    expect(plan.notices.map((n) => n.id)).toEqual(['fix-agreed:at-risk']);
    expect(plan.notices[0]!.message.text).toContain(
      'согласованный срок исправления ошибки по ERR-7 под угрозой нарушения',
    );
  });

  it('manages no labels when the project turns them off, and none for an incomplete verdict', () => {
    expect(planEscalation({ ...base, verdict: atRisk, settings: on({ labels: false }) }).labels).toBeNull();
    const incomplete = verdictAt(incident({ impact: undefined }), '2026-03-10T17:00:00+03:00');
    expect(planEscalation({ ...base, verdict: incomplete, settings: on() })).toEqual({
      labels: [],
      notices: [],
    });
  });
});

describe('escalation settings', () => {
  it('merges project values over the defaults over the built-in defaults', () => {
    const config = {
      defaults: { ...DEFAULT_ESCALATION_SETTINGS, language: 'en' as const },
      projects: { SUP: { comments: true } },
    };
    expect(escalationSettingsFor(config, 'sup')).toMatchObject({
      comments: true,
      language: 'en',
      labels: true,
    });
    expect(escalationSettingsFor(config, 'OPS')).toMatchObject({ comments: false, language: 'en' });
    expect(escalationSettingsFor(undefined, 'X')).toEqual({
      ...DEFAULT_ESCALATION_SETTINGS,
      states: ['at-risk', 'breached'],
    });
  });

  it('validates and lists every problem with its path', () => {
    const r = validateEscalationConfig({
      defaults: { language: 'de', visitNoticeDays: -1 },
      projects: { sup: { comments: 'yes', states: ['late'] }, '1x': {} },
      extra: 1,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        { path: 'extra', message: 'is not a setting' },
        { path: 'defaults.language', message: 'must be "ru" or "en"' },
        { path: 'defaults.visitNoticeDays', message: 'must be a whole number of working days from 0 to 60' },
        { path: 'projects.sup.comments', message: 'must be true or false' },
        { path: 'projects.sup.states', message: 'must be a list of at-risk, breached' },
        { path: 'projects.1x', message: 'is not a project key' },
      ]),
    );
    expect(r.errors).toHaveLength(6);
  });

  it('fills the defaults and upper-cases project keys', () => {
    const r = validateEscalationConfig({ projects: { sup: { comments: true, group: ' leads ' } } });
    expect(r).toEqual({
      ok: true,
      value: {
        defaults: { ...DEFAULT_ESCALATION_SETTINGS, states: ['at-risk', 'breached'] },
        projects: { SUP: { comments: true, group: 'leads' } },
      },
    });
  });
});

describe('errorFixOf and the fix message (§5.2)', () => {
  const versions = [
    { name: '6.0', releaseDate: '2026-02-02', released: true },
    { name: '6.0.1', releaseDate: '2026-03-20', released: false },
  ];

  it('waits for the fix version to be released, even once the error is resolved', () => {
    expect(
      errorFixOf(
        error({ fixVersion: '6.0.1', versions, resolvedAt: '2026-03-12T10:00:00+03:00' }),
        DEFAULT_POLICY,
      ),
    ).toBeNull();
    const shipped = versions.map((v) => ({ ...v, released: true }));
    expect(errorFixOf(error({ fixVersion: '6.0.1', versions: shipped }), DEFAULT_POLICY)).toEqual({
      version: '6.0.1',
      kind: 'update',
      releaseDate: '2026-03-20',
    });
  });

  it('counts a resolution as the fix when there is no fix version', () => {
    expect(errorFixOf(error({ resolvedAt: '2026-03-12T10:00:00+03:00' }), DEFAULT_POLICY)).toEqual({
      version: null,
      kind: null,
      releaseDate: null,
    });
    expect(errorFixOf(error(), DEFAULT_POLICY)).toBeNull();
    expect(errorFixOf(incident({ resolvedAt: '2026-03-12T10:00:00+03:00' }), DEFAULT_POLICY)).toBeNull();
  });

  it('names the release or the patch', () => {
    expect(
      fixMessage('ERR-7', 'SUP-3', { version: '6.0', kind: 'release', releaseDate: '2026-02-02' }, 'ru').text,
    ).toBe(
      'Ошибка ERR-7, связанная с вашим обращением SUP-3, исправлена в релизе 6.0 (выпуск 2 февраля 2026).',
    );
    expect(
      fixMessage('ERR-7', 'SUP-3', { version: '6.0.1', kind: 'update', releaseDate: null }, 'en').text,
    ).toBe('Error ERR-7, linked to your request SUP-3, is fixed in update (patch) 6.0.1.');
    expect(fixMessage('ERR-7', 'SUP-3', { version: null, kind: null, releaseDate: null }, 'ru').text).toBe(
      'Ошибка ERR-7, связанная с вашим обращением SUP-3, исправлена.',
    );
    expect(fixNoticeId('ERR-7', { version: '6.0.1', kind: 'update', releaseDate: null })).toBe(
      'fixed:ERR-7:6.0.1',
    );
  });
});
