/**
 * The deadline rules one by one (deadlines.ts). Expected instants counted by hand from the 2026
 * production calendar (9 Mar off; 09–13 + 14–18).
 */
import {
  ALL_DAY_CALENDAR_CONFIG,
  DEFAULT_CALENDAR_CONFIG,
  compileCalendar,
  formatInstant,
  parseInstant,
} from '../../src/domain/calendar';
import {
  fixDeadline,
  measureClock,
  nextVersion,
  reactionDue,
  verificationDue,
  versionKind,
} from '../../src/domain/deadlines';
import { DEFAULT_POLICY, clonePolicy } from '../../src/domain/policy';

const cal = compileCalendar(DEFAULT_CALENDAR_CONFIG);
const at = (iso: string): number => parseInstant(iso);
const iso = (ms: number | null): string | null => (ms === null ? null : formatInstant(ms, cal.zone));
const REG = at('2026-03-02T10:00:00+03:00');

describe('versionKind (default pattern: X.0 and X.0.0 are releases)', () => {
  it.each([
    ['6.0', 'release'],
    ['6.0.0', 'release'],
    ['v7.0', 'release'],
    ['5.2', 'update'],
    ['5.2.1', 'update'],
    ['6.0.1', 'update'],
    ['10.0', 'release'],
  ])('%s → %s', (name, kind) => {
    expect(versionKind(DEFAULT_POLICY, name)).toBe(kind);
  });

  it('follows a custom pattern', () => {
    const p = clonePolicy(DEFAULT_POLICY);
    p.versions.releasePattern = '^R-';
    expect(versionKind(p, 'R-2026.1')).toBe('release');
    expect(versionKind(p, '6.0')).toBe('update');
  });
});

describe('nextVersion', () => {
  const versions = [
    { name: '5.3', releaseDate: '2026-05-15' },
    { name: '5.2.1', releaseDate: '2026-03-02' }, // on the registration date: counts
    { name: '5.2.0', releaseDate: '2026-03-01' }, // the day before: ignored
    { name: '6.0', releaseDate: '2026-06-01', released: false },
    { name: '5.2.9', releaseDate: null },
    { name: '5.2.8' },
  ];
  it('the earliest dated version of the kind on or after the registration date', () => {
    expect(nextVersion(versions, 'update', '2026-03-02', DEFAULT_POLICY)).toEqual({
      name: '5.2.1',
      releaseDate: '2026-03-02',
      kind: 'update',
    });
    expect(nextVersion(versions, 'update', '2026-03-03', DEFAULT_POLICY)?.name).toBe('5.3');
    expect(nextVersion(versions, 'release', '2026-03-02', DEFAULT_POLICY)?.name).toBe('6.0');
    expect(nextVersion(versions, 'release', '2026-06-02', DEFAULT_POLICY)).toBeUndefined();
    expect(nextVersion(undefined, 'update', '2026-03-02', DEFAULT_POLICY)).toBeUndefined();
  });

  it('the first listed wins a tie', () => {
    expect(
      nextVersion(
        [
          { name: '5.2.2', releaseDate: '2026-04-10' },
          { name: '5.2.3', releaseDate: '2026-04-10' },
        ],
        'update',
        '2026-03-02',
        DEFAULT_POLICY,
      )?.name,
    ).toBe('5.2.2');
  });
});

describe('fixDeadline', () => {
  const ctx = (versions: { name: string; releaseDate?: string | null }[] = []) => ({
    registeredAt: REG,
    versions,
    policy: DEFAULT_POLICY,
    calendar: cal,
  });

  it('working days: any N (here 3: 3, 4, 5 Mar)', () => {
    const d = fixDeadline({ type: 'working-days', days: 3 }, ctx());
    expect(iso(d.due)).toBe('2026-03-05T18:00:00+03:00');
    expect(d.text).toBe('3 working days from registration');
  });

  it('later of days and update: the update wins only when later', () => {
    const rule = { type: 'later-of-days-and-update', days: 15 } as const;
    expect(iso(fixDeadline(rule, ctx([{ name: '5.2.1', releaseDate: '2026-03-24' }])).due)).toBe(
      '2026-03-24T18:00:00+03:00',
    );
    const d = fixDeadline(rule, ctx([{ name: '5.2.1', releaseDate: '2026-03-25' }]));
    expect(iso(d.due)).toBe('2026-03-25T18:00:00+03:00');
    expect(d.version).toBe('5.2.1');
  });

  it('earlier of update and months: 1 month from 2 Mar is Thu 2 Apr', () => {
    const rule = { type: 'earlier-of-update-and-months', months: 1 } as const;
    expect(iso(fixDeadline(rule, ctx()).due)).toBe('2026-04-02T18:00:00+03:00');
    expect(iso(fixDeadline(rule, ctx([{ name: '5.2.1', releaseDate: '2026-04-03' }])).due)).toBe(
      '2026-04-02T18:00:00+03:00',
    );
    expect(iso(fixDeadline(rule, ctx([{ name: '5.2.1', releaseDate: '2026-04-01' }])).due)).toBe(
      '2026-04-01T18:00:00+03:00',
    );
  });

  it('next release and none', () => {
    expect(
      fixDeadline({ type: 'next-release' }, ctx([{ name: '5.2.1', releaseDate: '2026-04-01' }])),
    ).toEqual({
      rule: 'next-release',
      due: null,
      version: null,
      text: 'the next release; no dated release after registration, so no dated deadline',
    });
    expect(fixDeadline({ type: 'none' }, ctx())).toEqual({
      rule: 'none',
      due: null,
      version: null,
      text: 'planned: no deadline',
    });
  });

  it('on a 24/7 calendar a version date closes at the end of that day', () => {
    const allDay = compileCalendar(ALL_DAY_CALENDAR_CONFIG);
    const d = fixDeadline(
      { type: 'next-release' },
      { ...ctx([{ name: '6.0', releaseDate: '2026-03-08' }]), calendar: allDay },
    );
    expect(formatInstant(d.due as number, allDay.zone)).toBe('2026-03-09T00:00:00+03:00');
  });
});

describe('reactionDue and verificationDue', () => {
  it('SPEC §8 example 1 and 5 working days', () => {
    expect(iso(reactionDue(at('2026-03-06T16:30:00+03:00'), 8, cal))).toBe('2026-03-10T16:30:00+03:00');
    expect(iso(reactionDue(at('2026-03-06T16:30:00+03:00'), 1.5, cal))).toBe('2026-03-06T18:00:00+03:00');
    expect(iso(verificationDue(REG, 5, cal))).toBe('2026-03-10T18:00:00+03:00');
  });
});

describe('measureClock', () => {
  const start = at('2026-03-10T09:00:00+03:00');
  const due = at('2026-03-10T17:00:00+03:00'); // 420 working minutes
  it('a stop before the start counts at the start', () => {
    expect(measureClock(start, due, at('2026-03-06T12:00:00+03:00'), due, 0.75, cal)).toMatchObject({
      state: 'met',
      stoppedAt: start,
      usedMinutes: 0,
      leftMinutes: 420,
      usedShare: 0,
    });
  });
  it('`now` before the start: nothing used', () => {
    expect(measureClock(start, due, null, at('2026-03-09T12:00:00+03:00'), 0.75, cal)).toMatchObject({
      state: 'running',
      usedMinutes: 0,
      leftMinutes: 420,
    });
  });
  it('undated: not-applicable, with the time used', () => {
    expect(measureClock(start, null, null, at('2026-03-10T12:00:00+03:00'), 0.75, cal)).toEqual({
      state: 'not-applicable',
      due: null,
      stoppedAt: null,
      usedMinutes: 180,
      leftMinutes: null,
      usedShare: null,
    });
  });
});
