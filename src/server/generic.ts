/**
 * Processing of a generic-webhook event. The verdict was computed when the event was accepted (the
 * sender got it as the answer), so the worker records that verdict instead of evaluating the same
 * snapshot a second time: it keeps the ticket (for sweeps and the issue panel), what it "shows", and
 * its SLA record — the steps of the app's `onIssueChange` after evaluation, with the same helpers,
 * and like the app's own `handleGenericWebhook`, one evaluation per event. Later changes of state
 * with time alone (at risk, breached) come from the sweep, which evaluates again.
 */
import type { AppDeps } from '../app/deps';
import { onIssueChange } from '../app/issue-change';
import type { Ticket } from '../app/ports';
import { desiredShown, diffShown, hasChanges, recordOf } from '../app/shown';
import { EMPTY_SHOWN, projectOf } from '../adapters/store-sqlite';
import type { TicketStore } from './storage';
import type { Snapshot, Verdict } from '../domain/snapshot';
import { calendarFor } from '../app/calendars';

/** The stored payload of a generic event: `{ snapshot, verdict }` (older rows: the snapshot alone). */
export interface GenericPayload {
  snapshot: Snapshot;
  verdict?: Verdict;
}

export function readGenericPayload(payload: Record<string, unknown>): GenericPayload {
  if (payload.snapshot && typeof payload.snapshot === 'object')
    return {
      snapshot: payload.snapshot as Snapshot,
      ...(payload.verdict ? { verdict: payload.verdict as Verdict } : {}),
    };
  return { snapshot: payload as unknown as Snapshot };
}

export async function processGeneric(deps: AppDeps, tickets: TicketStore, p: GenericPayload): Promise<void> {
  if (!p.verdict) {
    await tickets.put(p.snapshot, 'generic');
    await onIssueChange(deps, p.snapshot.key);
    return;
  }
  const settings = await deps.store.getSettings();
  const shown = (await tickets.shownOf(p.snapshot.key)) ?? { ...EMPTY_SHOWN };
  const changes = diffShown(desiredShown(p.verdict, settings, calendarFor(settings.calendar)), shown);
  await tickets.putWithShown(p.snapshot, 'generic', hasChanges(changes) ? { ...shown, ...changes } : shown);
  const ticket: Ticket = {
    id: p.snapshot.key,
    key: p.snapshot.key,
    project: projectOf(p.snapshot),
    issueType: p.snapshot.kind,
    snapshot: p.snapshot,
    shown,
  };
  // The record is rewritten from the verdict the sender got (a redelivery is deduplicated before this).
  await deps.store.upsertSlaRecord(recordOf(ticket, p.verdict, p.verdict.evaluatedAt));
}
