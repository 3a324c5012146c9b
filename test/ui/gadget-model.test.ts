/** The gadget's periods, colours and configuration. */
import {
  configToParams,
  issueHref,
  listHref,
  onTimeToTarget,
  trendRange,
  periodRange,
  pointStatus,
  readConfig,
  statusOf,
  todayIn,
} from '../../static/gadget/model';

describe('periodRange', () => {
  it.each([
    ['month', '2026-06-15', '2026-06-01', '2026-06-30'],
    ['month', '2028-02-10', '2028-02-01', '2028-02-29'],
    ['quarter', '2026-05-14', '2026-04-01', '2026-06-30'],
    ['quarter', '2026-12-31', '2026-10-01', '2026-12-31'],
    ['year', '2026-06-15', '2026-01-01', '2026-12-31'],
    ['last12', '2026-06-15', '2025-07-01', '2026-06-30'],
    ['last12', '2026-01-05', '2025-02-01', '2026-01-31'],
  ] as const)('%s containing %s is %s … %s', (period, today, from, to) =>
    expect(periodRange(period, today)).toEqual({ from, to }),
  );
});

describe('todayIn', () => {
  it("is the date in the viewer's zone", () => {
    const t = Date.parse('2026-06-14T22:30:00Z');
    expect(todayIn('Europe/Moscow', t)).toBe('2026-06-15');
    expect(todayIn('America/New_York', t)).toBe('2026-06-14');
  });
});

describe('statusOf: red below the target, amber within 5 points above it, green beyond', () => {
  const row = (onTime: number, counted: number, target = 0.8) => ({
    counted,
    share: counted === 0 ? null : onTime / counted,
    meetsTarget: counted === 0 || onTime / counted >= target,
  });
  it.each([
    [8, 10, 'amber'], // exactly 80 %
    [17, 20, 'green'], // 85 %: 5 points above
    [83, 100, 'amber'],
    [84, 100, 'amber'],
    [85, 100, 'green'],
    [79, 100, 'red'],
    [7, 10, 'red'],
    [10, 10, 'green'],
    [0, 0, 'empty'],
  ])('%i of %i → %s', (onTime, counted, status) => expect(statusOf(row(onTime, counted), 0.8)).toBe(status));

  it('follows the configured target', () => {
    expect(statusOf(row(9, 10, 0.9), 0.9)).toBe('amber');
    expect(statusOf(row(8, 10, 0.9), 0.9)).toBe('red');
  });

  it('colours trend points the same way', () => {
    expect(pointStatus({ counted: 5, share: 0.6 }, 0.8)).toBe('red');
    expect(pointStatus({ counted: 5, share: 0.8 }, 0.8)).toBe('amber');
    expect(pointStatus({ counted: 0, share: null }, 0.8)).toBe('empty');
  });
});

describe('gadget configuration', () => {
  it('reads stored configuration defensively', () => {
    expect(readConfig(null)).toEqual({ scope: 'projects', projects: [], filterId: '', period: 'month' });
    expect(readConfig({ projects: 'SUP, OPS ,', period: 'quarter' })).toEqual({
      scope: 'projects',
      projects: ['SUP', 'OPS'],
      filterId: '',
      period: 'quarter',
    });
    expect(readConfig({ scope: 'filter', filterId: ' 10001 ', period: 'nonsense' })).toEqual({
      scope: 'filter',
      projects: [],
      filterId: '10001',
      period: 'month',
    });
    // a filter scope without a filter falls back to projects
    expect(readConfig({ scope: 'filter', filterId: '' }).scope).toBe('projects');
  });

  it('round-trips through the address, dropping ?edit', () => {
    const c = readConfig({ projects: ['SUP'], period: 'year' });
    const p = configToParams(c, new URLSearchParams('lang=ru&edit=1'));
    expect(p.toString()).toBe('lang=ru&period=year&projects=SUP');
    expect(readConfig({ period: p.get('period'), projects: p.get('projects') })).toEqual(c);
  });
});

describe('on-time items that bring the share back to the target (issue #15)', () => {
  // SPEC §5.6.3: the promise is 80 % of errors on time.
  it.each([
    [7, 10, 5], // 12 / 15 = 80 %; 11 / 14 = 78.6 %
    [79, 100, 5], // 84 / 105 = 80 %; 83 / 104 = 79.8 %
    [0, 1, 4], // 4 / 5 = 80 %
    [8, 10, 0], // exactly the target: nothing needed
    [9, 10, 0],
    [0, 0, 0],
  ])('%i of %i on time → %i more on time', (onTime, counted, k) => {
    expect(onTimeToTarget(onTime, counted, 0.8)).toBe(k);
    if (k > 0) {
      expect((onTime + k) / (counted + k)).toBeGreaterThanOrEqual(0.8);
      expect((onTime + k - 1) / (counted + k - 1)).toBeLessThan(0.8);
    }
  });
  it('a 100 % target missed once cannot be reached again', () => {
    expect(onTimeToTarget(9, 10, 1)).toBeNull();
    expect(onTimeToTarget(10, 10, 1)).toBe(0);
  });
  it('95 %: 18 of 20 needs 20 more (38 / 40)', () => {
    expect(onTimeToTarget(18, 20, 0.95)).toBe(20);
  });
});

describe('the trend of a period (issue #15)', () => {
  it('"This year" charts January to December of the calendar year', () => {
    expect(trendRange('year', '2026-11-30')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(trendRange('year', '2027-01-05')).toEqual({ from: '2027-01-01', to: '2027-12-31' });
  });
  it('other periods chart the twelve months up to this one', () => {
    expect(trendRange('month', '2026-11-30')).toEqual({ from: '2025-12-01', to: '2026-11-30' });
    expect(trendRange('quarter', '2026-05-14')).toEqual({ from: '2025-06-01', to: '2026-05-31' });
  });
});

describe('dashboard links (issue #15)', () => {
  it('an issue without a ticket-system URL opens the service issue page outside Jira', () => {
    expect(issueHref({ key: 'DEMO-7', url: null }, false)).toBe('/ui/issue/?key=DEMO-7');
    expect(issueHref({ key: 'SUP-1', url: 'https://jira/browse/SUP-1' }, false)).toBe(
      'https://jira/browse/SUP-1',
    );
    expect(issueHref({ key: 'DEMO-7', url: null }, true)).toBeNull();
    expect(listHref('at-risk', null, false)).toBe('/ui/issues/?state=at-risk');
    expect(listHref('breached', 'https://jira/q', false)).toBe('https://jira/q');
    expect(listHref('breached', null, true)).toBeNull();
  });
});
