/**
 * The gadget's logic without a browser: its configuration, the period's dates, the colour of a
 * compliance figure and the chart's geometry.
 */
import type { ComplianceRow } from '../../src/domain/compliance-types';
import { splitList } from '../shared/format';

export type Period = 'month' | 'quarter' | 'year' | 'last12';
export const PERIODS: readonly Period[] = ['month', 'quarter', 'year', 'last12'];

export interface GadgetConfig {
  scope: 'projects' | 'filter';
  projects: string[];
  filterId: string;
  period: Period;
}

export const DEFAULT_CONFIG: GadgetConfig = {
  scope: 'projects',
  projects: [],
  filterId: '',
  period: 'month',
};

/** A configuration from anything stored (Forge gadget configuration, localStorage, the URL). */
export function readConfig(raw: unknown): GadgetConfig {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const projects = Array.isArray(o.projects)
    ? o.projects.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim())
    : typeof o.projects === 'string'
      ? splitList(o.projects)
      : [];
  const period = PERIODS.includes(o.period as Period) ? (o.period as Period) : DEFAULT_CONFIG.period;
  const filterId = typeof o.filterId === 'string' ? o.filterId.trim() : '';
  const scope = o.scope === 'filter' && filterId !== '' ? 'filter' : 'projects';
  return { scope, projects, filterId, period };
}

/** The configuration as URL parameters (the self-hosted service keeps it in the address). */
export function configToParams(c: GadgetConfig, params: URLSearchParams): URLSearchParams {
  const p = new URLSearchParams(params);
  p.delete('edit');
  p.set('period', c.period);
  p.delete('projects');
  p.delete('filterId');
  if (c.scope === 'filter') p.set('filterId', c.filterId);
  else if (c.projects.length > 0) p.set('projects', c.projects.join(','));
  return p;
}

const pad = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** First day of the month `back` months before (year, month). */
function monthsBack(year: number, month: number, back: number): { y: number; m: number } {
  const idx = year * 12 + (month - 1) - back;
  return { y: Math.floor(idx / 12), m: (idx % 12) + 1 };
}

/**
 * The dates (both included) of a period containing `today` ('YYYY-MM-DD').
 * @example periodRange('quarter', '2026-05-14') // { from: '2026-04-01', to: '2026-06-30' }
 * @example periodRange('last12', '2026-05-14') // { from: '2025-06-01', to: '2026-05-31' }
 */
export function periodRange(period: Period, today: string): { from: string; to: string } {
  const y = Number(today.slice(0, 4));
  const m = Number(today.slice(5, 7));
  switch (period) {
    case 'month':
      return { from: ymd(y, m, 1), to: ymd(y, m, lastDay(y, m)) };
    case 'quarter': {
      const q = Math.floor((m - 1) / 3) * 3 + 1;
      return { from: ymd(y, q, 1), to: ymd(y, q + 2, lastDay(y, q + 2)) };
    }
    case 'year':
      return { from: ymd(y, 1, 1), to: ymd(y, 12, 31) };
    case 'last12': {
      const s = monthsBack(y, m, 11);
      return { from: ymd(s.y, s.m, 1), to: ymd(y, m, lastDay(y, m)) };
    }
  }
}

/** Today's date in the viewer's zone, 'YYYY-MM-DD'. */
export function todayIn(zone: string, now: number): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(now));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export type Status = 'green' | 'amber' | 'red' | 'empty';

/** How close to the target counts as amber: 5 percentage points. */
export const AMBER_POINTS = 5;

/**
 * The colour of a compliance figure: red below the target (the promise is broken), amber at the target
 * but within 5 points above it (one or two more late ones break it), green further above; `empty` when
 * nothing was counted.
 * @example statusOf({ share: 0.8, meetsTarget: true, counted: 10 }, 0.8) // 'amber'
 */
export function statusOf(
  row: Pick<ComplianceRow, 'share' | 'meetsTarget' | 'counted'>,
  target: number,
): Status {
  if (row.counted === 0 || row.share === null) return 'empty';
  if (!row.meetsTarget) return 'red';
  // compare in tenths of a point to keep 0.85 vs 0.80 + 0.05 exact
  return Math.round(row.share * 1000) < Math.round(target * 1000) + AMBER_POINTS * 10 ? 'amber' : 'green';
}

/** Status of a trend point (same rule; meetsTarget computed from the share). */
export function pointStatus(p: { counted: number; share: number | null }, target: number): Status {
  if (p.counted === 0 || p.share === null) return 'empty';
  const meets = Math.round(p.share * 1e6) >= Math.round(target * 1e6);
  return statusOf({ share: p.share, counted: p.counted, meetsTarget: meets }, target);
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  /** y of a share 0..1 */
  y(share: number): number;
  /** x of the centre of the i-th of n slots */
  x(i: number, n: number): number;
  slot(n: number): number;
}

/** The trend chart's coordinate system (SVG user units). */
export function chartGeometry(width = 640, height = 200): ChartGeometry {
  const plot = { left: 40, right: width - 8, top: 12, bottom: height - 28 };
  const slot = (n: number) => (plot.right - plot.left) / Math.max(1, n);
  return {
    width,
    height,
    plot,
    slot,
    y: (share) => plot.bottom - Math.max(0, Math.min(1, share)) * (plot.bottom - plot.top),
    x: (i, n) => plot.left + slot(n) * (i + 0.5),
  };
}

/**
 * Where a dashboard issue links (issue #15): the ticket system's page when the service knows it, else
 * (self-hosted, outside Jira) the service's own issue page; inside Jira without a URL: no link.
 */
export function issueHref(item: { key: string; url?: string | null }, forge: boolean): string | null {
  if (item.url) return item.url;
  return forge ? null : `/ui/issue/?key=${encodeURIComponent(item.key)}`;
}

/** Where "and N more" links: the ticket system's search when known, else the service's issue list. */
export function listHref(state: 'breached' | 'at-risk', url: string | null, forge: boolean): string | null {
  if (url) return url;
  return forge ? null : `/ui/issues/?state=${state}`;
}

/**
 * When the share is below the target: the fewest further on-time items k with
 * (onTime + k) ÷ (counted + k) ≥ target (integer arithmetic on the target in ten-thousandths, so 0.8
 * is exact); 0 when the target is met, null when no number of on-time items can reach it (target 100 %).
 * @example onTimeToTarget(7, 10, 0.8) // 5 (12 / 15 = 80 %)
 * @example onTimeToTarget(79, 100, 0.8) // 5 (84 / 105 = 80 %)
 */
export function onTimeToTarget(onTime: number, counted: number, target: number): number | null {
  const den = 10_000;
  const num = Math.round(target * den);
  const gap = num * counted - onTime * den;
  if (gap <= 0) return 0;
  if (num >= den) return null;
  return Math.ceil(gap / (den - num));
}

/**
 * The months the trend charts for a period: the calendar year (January to December) for "This year",
 * else the twelve months up to this one.
 * @example trendRange('year', '2026-11-30') // { from: '2026-01-01', to: '2026-12-31' }
 */
export function trendRange(period: Period, today: string): { from: string; to: string } {
  return period === 'year' ? periodRange('year', today) : periodRange('last12', today);
}
