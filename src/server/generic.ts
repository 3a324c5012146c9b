/**
 * Processing of a generic-webhook event. The verdict was computed when the event was accepted (the
 * sender got it as the answer), so the worker records that verdict instead of evaluating the same
 * snapshot a second time: it keeps the ticket (for sweeps and the issue panel), what it "shows", and
 * its SLA record — the steps of the app's `onIssueChange` after evaluation, with the same helpers,
 * and like the app's own `handleGenericWebhook`, one evaluation per event. Later changes of state
 * with time alone (at risk, breached) come from the sweep, which evaluates again.
 */
import { calendarFor } from '../app/calendars';
import type { AppDeps } from '../app/deps';
import { onIssueChange } from '../app/issue-change';
import { desiredShown, diffShown, hasChanges, recordChanged, recordOf } from '../app/shown';
import type { SqliteTicketPort } from '../adapters/store-sqlite';
import type { Snapshot, Verdict } from '../domain/snapshot';

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

export async function processGeneric(
  deps: AppDeps,
  tickets: SqliteTicketPort,
  p: GenericPayload,
): Promise<void> {
  tickets.put(p.snapshot, 'generic');
  if (!p.verdict) {
    await onIssueChange(deps, p.snapshot.key);
    return;
  }
  const settings = await deps.store.getSettings();
  const ticket = await tickets.readTicket(p.snapshot.key, settings);
  if (!ticket) throw new Error(`ticket ${p.snapshot.key} vanished while being stored`);
  const changes = diffShown(desiredShown(p.verdict, settings, calendarFor(settings.calendar)), ticket.shown);
  if (hasChanges(changes)) await tickets.writeTicket(ticket, changes, settings);
  const record = recordOf(ticket, p.verdict, p.verdict.evaluatedAt);
  if (recordChanged(await deps.store.getSlaRecord(ticket.key), record))
    await deps.store.upsertSlaRecord(record);
}
