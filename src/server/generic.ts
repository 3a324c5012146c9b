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
import { desiredShown, diffShown, hasChanges, recordOf, withShown } from '../app/shown';
import { EMPTY_SHOWN, projectOf } from '../adapters/store-sqlite';
import type { TicketStore } from './storage';
import type { Snapshot, Verdict } from '../domain/snapshot';
import { calendarFor } from '../app/calendars';
import { isStale, recordLedger } from '../app/ledger';
import { genericTicket } from '../app/webhook';
import { notifyClockStates } from '../app/notify';
import { PermanentError, type WorkItem } from './worker';

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

/**
 * Of several stored payloads of one subject (oldest first), the one with the newest snapshot
 * `updatedAt` (the later arrival on a tie or without one); null when none parses. `parsed` is a
 * payload the caller has parsed already (its text and value): that text is not parsed again.
 */
export function newestGeneric(
  payloads: readonly string[],
  parsed?: { text: string; value: Record<string, unknown> },
): GenericPayload | null {
  let best: GenericPayload | null = null;
  let bestMs = -Infinity;
  for (const text of payloads) {
    let p: GenericPayload;
    try {
      p = readGenericPayload(
        parsed !== undefined && text === parsed.text
          ? parsed.value
          : (JSON.parse(text) as Record<string, unknown>),
      );
    } catch {
      continue;
    }
    const at = p.snapshot?.updatedAt ? Date.parse(p.snapshot.updatedAt) : -Infinity;
    const ms = Number.isNaN(at) ? -Infinity : at;
    if (best === null || ms >= bestMs) {
      best = p;
      bestMs = Math.max(bestMs, ms);
    }
  }
  return best;
}

/**
 * A claimed unit of generic snapshots (one event, or several of one ticket coalesced): the newest by
 * the ticket system's `updatedAt`, processed. The main thread's worker and the SQLite ingest thread
 * (issue #14) run the same code.
 * @throws PermanentError for a stored payload that is not JSON or has no snapshot.
 */
export async function processGenericItem(deps: AppDeps, tickets: TicketStore, item: WorkItem): Promise<void> {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(item.payload) as Record<string, unknown>;
  } catch {
    throw new PermanentError('stored payload is not JSON');
  }
  // The item's payload is parsed once (a single event's item is that event).
  const generic =
    newestGeneric(
      item.events.map((e) => e.payload),
      { text: item.payload, value: payload },
    ) ?? readGenericPayload(payload);
  if (typeof generic.snapshot?.key !== 'string')
    throw new PermanentError('stored payload lacks the snapshot');
  await processGeneric(deps, tickets, generic);
}

export async function processGeneric(deps: AppDeps, tickets: TicketStore, p: GenericPayload): Promise<void> {
  // An older snapshot than the newest applied one changes nothing (CONTRACT.md).
  if (await isStale(deps, genericTicket(p.snapshot))) return;
  if (!p.verdict) {
    await tickets.put(p.snapshot, 'generic');
    await onIssueChange(deps, p.snapshot.key);
    return;
  }
  const settings = await deps.store.getSettings();
  const shown = (await tickets.shownOf(p.snapshot.key)) ?? { ...EMPTY_SHOWN };
  const ticket: Ticket = {
    id: p.snapshot.id ?? p.snapshot.key,
    key: p.snapshot.key,
    project: projectOf(p.snapshot),
    issueType: p.snapshot.kind,
    snapshot: p.snapshot,
    shown,
  };
  // The verdict the sender got, joined with the issue's ledger (a redelivery is deduplicated before
  // this; re-deriving the same facts adds nothing): a recorded breach stays a breach.
  const { verdict } = await recordLedger(
    deps,
    ticket,
    p.verdict,
    settings,
    Date.parse(p.verdict.evaluatedAt),
    'generic',
  );
  const changes = diffShown(desiredShown(verdict, settings, calendarFor(settings.calendar)), shown);
  await tickets.putWithShown(p.snapshot, 'generic', hasChanges(changes) ? withShown(shown, changes) : shown);
  await deps.store.upsertSlaRecord(
    recordOf(ticket, verdict, p.verdict.evaluatedAt, { settings, nowMs: Date.parse(p.verdict.evaluatedAt) }),
  );
  // E-mail, chat and webhooks for a clock at risk or breached (once per state, in the outbox).
  await notifyClockStates(deps, ticket, verdict, settings);
}
