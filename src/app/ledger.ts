/**
 * The SLA ledger in the use cases: after a ticket is evaluated, its facts are read, the decider adds
 * what the observation shows (src/domain/ledger.ts), the new facts are appended, and the verdict is
 * joined with the ledger (a recorded breach stays a breach). Also the issue marks: a moved issue (new
 * key, same id) drops the record of its old key, and a snapshot older than the newest applied one is
 * stale. Stores without the ledger methods keep the earlier behaviour (the verdict as evaluated).
 */
import { parseInstant } from '../domain/calendar/instant';
import {
  foldLedger,
  ledgerFacts,
  observe,
  summarize,
  waiverFact,
  type Fact,
  type LedgerClock,
} from '../domain/ledger';
import type { Verdict } from '../domain/snapshot';
import { calendarFor } from './calendars';
import type { AppDeps } from './deps';
import type { Settings, Ticket } from './ports';

/** The stable id the ledger of a ticket is kept under: the ticket system's id, else the key. */
export const issueIdOf = (ticket: Pick<Ticket, 'id' | 'key' | 'snapshot'>): string =>
  ticket.snapshot.id ?? (ticket.id !== '' ? ticket.id : ticket.key);

/**
 * Whether a snapshot is older than the newest applied for its issue (`updatedAt` compared as
 * instants). Snapshots without `updatedAt` are never stale.
 */
export async function isStale(
  deps: AppDeps,
  ticket: Pick<Ticket, 'id' | 'key' | 'snapshot'>,
): Promise<boolean> {
  const updatedAt = ticket.snapshot.updatedAt;
  if (!updatedAt || !deps.store.getIssueMark) return false;
  const mark = await deps.store.getIssueMark(issueIdOf(ticket));
  return mark !== null && mark.updatedMs !== null && parseInstant(updatedAt) < mark.updatedMs;
}

/**
 * Records what an evaluated ticket adds to its ledger and returns the verdict joined with it. Also
 * keeps the issue's mark: when the issue's key changed (a moved issue), the old key's SLA record is
 * deleted, so compliance counts the issue once.
 * @example const { verdict } = await recordLedger(deps, ticket, verdict, settings, now, 'jira')
 */
export async function recordLedger(
  deps: AppDeps,
  ticket: Ticket,
  verdict: Verdict,
  settings: Settings,
  nowMs: number,
  source?: string,
): Promise<{ verdict: Verdict; facts: Fact[] }> {
  const store = deps.store;
  const issueId = issueIdOf(ticket);
  if (store.getIssueMark && store.putIssueMark) {
    const mark = await store.getIssueMark(issueId);
    const updated = ticket.snapshot.updatedAt ? parseInstant(ticket.snapshot.updatedAt) : null;
    const newest = Math.max(updated ?? -Infinity, mark?.updatedMs ?? -Infinity);
    const updatedMs = Number.isFinite(newest) ? newest : null;
    if (mark && mark.key !== ticket.key) await store.deleteSlaRecord(mark.key);
    if (!mark || mark.key !== ticket.key || mark.updatedMs !== updatedMs)
      await store.putIssueMark(issueId, { key: ticket.key, updatedMs });
  }
  if (!store.listFacts || !store.appendFacts || !verdict.complete) return { verdict, facts: [] };
  const state = foldLedger(await store.listFacts(issueId));
  const step = observe(state, {
    issueId,
    snapshot: ticket.snapshot,
    verdict,
    policy: settings.policy,
    calendar: calendarFor(settings.calendar),
    now: nowMs,
    ...(source ? { source } : {}),
  });
  if (step.facts.length > 0) await store.appendFacts(step.facts);
  return { verdict: step.verdict, facts: step.facts };
}

/**
 * An administrator waives a recorded breach of one clock, with a reason (SPEC §5: the only way a
 * breach stops counting). The caller checks that the user is an administrator.
 * Throws a RangeError naming the field for a missing reason or an unknown clock, and when the clock
 * has no recorded breach.
 */
export async function waiveBreach(
  deps: AppDeps,
  issueId: string,
  clock: string,
  who: { by: string; reason: string },
): Promise<Fact> {
  if (!['reaction', 'verification', 'fix'].includes(clock))
    throw new RangeError(`clock must be reaction, verification or fix, got ${JSON.stringify(clock)}`);
  if (!deps.store.listFacts || !deps.store.appendFacts)
    throw new RangeError('this store keeps no ledger: nothing to waive');
  const settings = await deps.store.getSettings();
  const view = summarize(foldLedger(await deps.store.listFacts(issueId)));
  if (!view.clocks[clock as LedgerClock]?.breach)
    throw new RangeError(`issue ${issueId} has no recorded breach of its ${clock} clock to waive`);
  const fact = waiverFact(issueId, clock as LedgerClock, who, deps.clock(), settings.calendar.zone);
  await deps.store.appendFacts([fact]);
  return fact;
}

/**
 * The ledger of an issue in its total order, for the panel's history: superseded breach witnesses
 * (src/domain/ledger.ts `ledgerFacts`) are left out; the export lists every stored fact.
 */
export async function issueHistory(deps: AppDeps, issueId: string): Promise<Fact[]> {
  if (!deps.store.listFacts) return [];
  return ledgerFacts(foldLedger(await deps.store.listFacts(issueId)));
}
