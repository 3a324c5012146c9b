/**
 * Notifications (issue #16) as use-case steps: an evaluated ticket's clocks at risk or breached, an
 * error registered from a request, a linked error fixed (§5.2) and a too-short visit notice (§2.7)
 * become events; the rules of the settings turn them into messages (src/domain/notify.ts), and the
 * shell's outbox stores each message once, ever (its id is the issue, the event and the rule), to send
 * it at once or, under quiet hours, at the next working minute of the production calendar. A
 * redelivered event, a sweep or a restart plans the same ids again and the outbox keeps the first.
 */
import type { Locale } from '../domain/codes';
import { verdictClocks } from '../domain/escalation';
import type { Message } from '../domain/messages';
import type { OutboxItem } from '../contract/api';
import {
  digestInstant,
  nextWorkingInstant,
  type Channel,
  type Deliverable,
  planNotifications,
  type Contact,
  type NotifyEvent,
  type Outgoing,
  type Role,
  type Trigger,
} from '../domain/notify';
import type { Verdict } from '../domain/snapshot';
import { calendarFor } from './calendars';
import type { AppDeps } from './deps';
import type { Settings, Ticket } from './ports';

/** The durable outbox a shell gives (the self-hosted service: its inbox table, source `notify`). */
export interface NotifyOutbox {
  /** Stores each message unless its id is there already; returns how many were new. */
  enqueue(items: { message: Outgoing; notBeforeMs: number }[]): Promise<number>;
}

/** The outbox's administration, given by a shell that sends notifications. */
export interface NotifyAdmin {
  /** Messages waiting (quiet hours, a retry) and failed for good. */
  list(): Promise<{ pending: OutboxItem[]; failed: OutboxItem[] }>;
  /** Queues failed messages again (all, or these keys); returns how many. */
  retry(keys?: string[]): Promise<number>;
  /** Sends one message through a channel now. @throws Error with the channel's answer */
  send(channel: Channel, message: Deliverable): Promise<void>;
}

/** The people of a ticket with their e-mail addresses, where the ticket system gives them. */
export function peopleOf(ticket: Ticket): Partial<Record<Role, Contact | null>> {
  const c = ticket.snapshot.contacts ?? {};
  const assignee: Contact | null =
    c.assignee ??
    (ticket.assignee
      ? {
          name: ticket.assignee.displayName ?? ticket.assignee.accountId,
          email: ticket.assignee.email ?? null,
        }
      : null);
  return {
    assignee,
    reporter: c.reporter ?? null,
    'customer-contact': c.customerContact ?? null,
    'project-lead': c.projectLead ?? null,
  };
}

/**
 * Plans and stores the messages of one event. Nothing happens without rules or an outbox.
 * @returns the ids stored now (an id stored before is not counted)
 */
export async function notify(
  deps: AppDeps,
  settings: Settings,
  event: Omit<NotifyEvent, 'zone' | 'atMs'>,
): Promise<string[]> {
  const config = settings.notifications;
  if (!deps.outbox || !config || config.rules.length === 0) return [];
  const now = deps.clock();
  const plan = planNotifications(config, { ...event, zone: settings.calendar.zone, atMs: now });
  for (const reason of plan.skipped) deps.log?.info('notification skipped', { key: event.issueKey, reason });
  if (plan.messages.length === 0) return [];
  let quietUntil: number | null = null;
  let digestAt: number | null = null;
  const whenOf = (m: Outgoing): number => {
    if (m.digest) return (digestAt ??= digestInstant(calendarFor(settings.calendar), now));
    if (!m.quietHours) return now;
    quietUntil ??= nextWorkingInstant(calendarFor(settings.calendar), now);
    return quietUntil;
  };
  const items = plan.messages.map((message) => ({ message, notBeforeMs: whenOf(message) }));
  const added = await deps.outbox.enqueue(items);
  if (added > 0) deps.log?.info('notifications queued', { key: event.issueKey, event: event.eventId, added });
  return added > 0 ? items.map((i) => i.message.id) : [];
}

/**
 * The clocks of an evaluated ticket that are at risk or breached and still running: one event each
 * (`<clock>:<state>`), as the escalation comments (only the current state; a clock found breached gets
 * no late at-risk message).
 */
export async function notifyClockStates(
  deps: AppDeps,
  ticket: Ticket,
  verdict: Verdict,
  settings: Settings,
): Promise<string[]> {
  if (!deps.outbox || !settings.notifications?.rules.length || !verdict.complete) return [];
  const out: string[] = [];
  for (const { id, clock } of verdictClocks(verdict)) {
    if (clock.at || clock.due === null) continue;
    const state = clock.state;
    if (state !== 'at-risk' && state !== 'breached') continue;
    out.push(
      ...(await notify(deps, settings, {
        trigger: state,
        issueKey: ticket.key,
        project: ticket.project,
        summary: ticket.snapshot.summary ?? null,
        url: deps.issueUrl?.(ticket.key) ?? null,
        eventId: `${id}:${state}`,
        clock: { id, due: clock.due, leftMinutes: clock.leftMinutes ?? null },
        people: peopleOf(ticket),
        data: { verdict },
      })),
    );
  }
  return out;
}

/** An event whose message exists already in both languages (§5.2, §2.7). */
export async function notifyMessage(
  deps: AppDeps,
  settings: Settings,
  ticket: Ticket,
  trigger: Exclude<Trigger, 'at-risk' | 'breached'>,
  eventId: string,
  message: Record<Locale, Message>,
  data: Record<string, unknown> = {},
): Promise<string[]> {
  return notify(deps, settings, {
    trigger,
    issueKey: ticket.key,
    project: ticket.project,
    summary: ticket.snapshot.summary ?? null,
    url: deps.issueUrl?.(ticket.key) ?? null,
    eventId,
    message,
    people: peopleOf(ticket),
    data,
  });
}
