/**
 * The issue panel's escalation logic: the SLA labels of a verdict, the §2.9.4 warning and the §2.7
 * message in the viewer's language.
 */
import type { VersionCheckView, VisitCheckView } from '../../src/contract/api';
import { versionMessage } from '../../src/domain/current-version';
import type { Clock, Verdict } from '../../src/domain/snapshot';
import { labelsOf, versionWarning, visitOf, visitProblem } from '../../static/panel/model';

const clock = (state: Clock['state']): Clock => ({
  state,
  due: '2026-06-11T10:00:00+03:00',
  at: null,
  usedMinutes: 0,
  leftMinutes: 0,
});
const verdict = (over: Partial<Verdict>): Verdict => ({
  key: 'HD-7',
  complete: true,
  missing: [],
  priority: null,
  reaction: null,
  verification: null,
  fix: null,
  warnings: [],
  evaluatedAt: '2026-06-15T12:00:00+03:00',
  ...over,
});

describe('labelsOf', () => {
  it('gives the labels the backend writes: breached, at risk, both for an error, none when met', () => {
    expect(labelsOf(verdict({ reaction: clock('breached') }))).toEqual(['sla-breached']);
    expect(labelsOf(verdict({ reaction: clock('at-risk') }))).toEqual(['sla-at-risk']);
    expect(
      labelsOf(
        verdict({ verification: clock('breached'), fix: { ...clock('at-risk'), rule: 'working-days' } }),
      ),
    ).toEqual(['sla-at-risk', 'sla-breached']);
    expect(labelsOf(verdict({ reaction: clock('met') }))).toEqual([]);
    expect(labelsOf(null)).toEqual([]);
  });
});

describe('versionWarning', () => {
  const check = {
    status: 'not-current' as const,
    reason: 'older' as const,
    version: '5.0',
    current: {
      name: '6.0',
      releaseDate: '2026-02-02',
      line: ['6.0', '6.0.1'],
      mode: 'release-line' as const,
    },
  };
  it("is written in the viewer's language, whatever the project's", () => {
    const view: VersionCheckView = { check, message: versionMessage(check, 'ru') };
    expect(versionWarning(view, 'en')).toBe(
      'The request is about version 5.0, and support covers the current version 6.0 (released 2 February 2026) only (§2.9.4 of the regulation). Other versions are supported only by a separate written agreement.',
    );
    expect(versionWarning(view, 'ru')).toMatch(/^Обращение относится к версии 5\.0, а техническая поддержка/);
  });
  it('is null for the current version or none named', () => {
    expect(
      versionWarning({ check: { ...check, status: 'current' } as never, message: null }, 'en'),
    ).toBeNull();
    expect(versionWarning({ check: { status: 'not-stated' }, message: null }, 'en')).toBeNull();
    expect(versionWarning(undefined, 'en')).toBeNull();
  });
});

describe('visitOf / visitProblem', () => {
  it('reads a visit date only when the backend gives a well-formed one', () => {
    const base = { key: 'HD-7', verdict: null, calendarZone: 'Europe/Moscow' };
    expect(visitOf(base)).toBeNull();
    expect(
      visitOf({ ...base, visit: { date: '2026-06-19', requestedAt: '2026-06-15T12:00:00+03:00' } } as never),
    ).toEqual({
      date: '2026-06-19',
      requestedAt: '2026-06-15T12:00:00+03:00',
    });
    expect(visitOf({ ...base, visit: { date: '19.06.2026' } } as never)).toBeNull();
  });
  it('picks the message in the viewer’s language', () => {
    const facts = {
      requestDate: '2026-06-15',
      visitDate: '2026-06-19',
      minDays: 5,
      workingDaysGiven: 3,
      noticeEnds: '2026-06-22',
      earliestDate: '2026-06-23',
      earliestWorkingDate: '2026-06-23',
    };
    const msg = (text: string) => ({
      code: 'visit-notice-too-short',
      locale: 'en',
      parts: [],
      text,
      mentions: [],
    });
    const check = {
      ok: false,
      reason: 'too-short',
      ...facts,
      message: { ru: msg('по-русски'), en: msg('in English') },
      text: 'по-русски',
      commented: false,
    } as unknown as VisitCheckView;
    expect(visitProblem(check, 'en')).toBe('in English');
    expect(visitProblem(check, 'ru')).toBe('по-русски');
    expect(
      visitProblem({ ok: true, ...facts, text: null, commented: false } as VisitCheckView, 'en'),
    ).toBeNull();
  });
});
