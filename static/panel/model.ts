/**
 * The issue panel's escalation logic without a browser: the SLA labels a verdict gives the issue
 * (the same `slaLabels` the backend writes), the §2.9.4 warning in the viewer's language, and the
 * §2.7 visit verdict as text. Pure.
 */
import type { IssueSlaView, VersionCheckView, VisitCheckView } from '../../src/contract/api';
import { versionMessage } from '../../src/domain/current-version';
import { slaLabels } from '../../src/domain/escalation';
import type { Verdict } from '../../src/domain/snapshot';
import type { Locale } from '../shared/i18n';

/** The labels this app keeps on the issue for its clocks, in a fixed order (at risk, breached). */
export const labelsOf = (verdict: Verdict | null): ('sla-at-risk' | 'sla-breached')[] =>
  verdict ? (slaLabels(verdict) as ('sla-at-risk' | 'sla-breached')[]) : [];

/**
 * The visit date the issue carries, when the backend's answer has one (`visit` on the issue's view;
 * older backends leave it out, and then only the panel's own check is offered).
 */
export function visitOf(view: IssueSlaView | null | undefined): { date: string; requestedAt: string } | null {
  const v = (view as (IssueSlaView & { visit?: unknown }) | null | undefined)?.visit;
  if (typeof v !== 'object' || v === null) return null;
  const { date, requestedAt } = v as Record<string, unknown>;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  return { date, requestedAt: typeof requestedAt === 'string' ? requestedAt : '' };
}

/**
 * The agent's §2.9.4 warning in the viewer's language (the backend's message is in the project's), or
 * null when the request is about the current version or names none.
 */
export function versionWarning(view: VersionCheckView | null | undefined, locale: Locale): string | null {
  if (!view || view.check.status !== 'not-current') return null;
  return versionMessage(view.check, locale)?.text ?? view.message?.text ?? null;
}

/** The §2.7 message in the viewer's language, or null when the notice is enough. */
export function visitProblem(check: VisitCheckView, locale: Locale): string | null {
  if (check.ok) return null;
  return check.message[locale]?.text ?? check.text;
}
