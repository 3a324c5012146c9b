/**
 * The Redmine poller: core Redmine sends no webhooks, so the service asks for the issues updated since
 * its cursor (`updated_on>=`, oldest first) and puts each change in the inbox (source `redmine`, type
 * `issue`, one event per issue and `updated_on`), where the worker reads the issue and evaluates it.
 *
 * The cursor (the newest `updated_on` seen, and which issues were seen at that second) is kept in the
 * database (`storage.putDoc`), so a restart neither loses nor repeats changes. `updated_on` has
 * one-second granularity and `>=` is inclusive: the issues of the cursor's second are listed again
 * and skipped — but only once that second was over when they were listed (Redmine's `Date` header):
 * a second change of an issue within the same second keeps its `updated_on`, so an issue listed
 * while its second was still running is listed, and enqueued, again on the next poll. Pages advance by the newest `updated_on` of the previous page (offset only within one
 * second), so an issue updated while the listing is paged is not skipped.
 */
import { randomUUID } from 'node:crypto';
import type { RedminePort } from '../adapters/redmine';
import { redmineKey } from '../adapters/redmine';
import type { InboxPort } from './storage';

export const REDMINE_CURSOR_DOC = 'redmine-cursor';

export interface RedmineCursor {
  /** The newest `updated_on` seen (Redmine's UTC text, second precision). */
  since: string;
  /** `id@updated_on` of the issues seen at `since` after that second was over. */
  seen: string[];
}

export interface PollDeps {
  port: Pick<RedminePort, 'changedSince'>;
  docs: { getDoc(name: string): unknown; putDoc(name: string, doc: string, nowMs: number): unknown };
  inbox: Pick<InboxPort, 'enqueueBatch'>;
  now: () => number;
  /** How far back the first poll looks (days). */
  initialDays: number;
}

/** Reads the stored cursor; null when none or unreadable (then the first poll's window applies). */
export async function readCursor(docs: PollDeps['docs']): Promise<RedmineCursor | null> {
  const raw = await docs.getDoc(REDMINE_CURSOR_DOC);
  if (typeof raw !== 'string') return null;
  try {
    const c = JSON.parse(raw) as Partial<RedmineCursor>;
    return typeof c.since === 'string' && Array.isArray(c.seen)
      ? { since: c.since, seen: c.seen.filter((s): s is string => typeof s === 'string') }
      : null;
  } catch {
    return null;
  }
}

/**
 * One poll: every issue changed since the cursor goes to the inbox once per `updated_on`; the cursor
 * moves to the newest change listed.
 * @returns how many events were enqueued and the new cursor.
 */
export async function pollRedmine(d: PollDeps): Promise<{ enqueued: number; cursor: RedmineCursor }> {
  const stored = await readCursor(d.docs);
  const start =
    stored?.since ?? new Date(d.now() - d.initialDays * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const skip = new Set(stored?.seen ?? []);
  let since = start;
  let offset = 0;
  let newest = start;
  let newestSeen = new Set(stored?.seen ?? []);
  let enqueued = 0;
  const listed = new Set<string>();
  for (let pages = 0; pages < 10_000; pages++) {
    const { issues, pageSize, serverMs } = await d.port.changedSince(since, offset);
    // Redmine's clock (its Date header; ours when absent): a second of updated_on is over once it
    // shows a later second.
    const nowSecond = Math.floor((serverMs ?? d.now()) / 1000);
    const over = (i: { updatedOn: string }) => Math.floor(Date.parse(i.updatedOn) / 1000) < nowSecond;
    const fresh = issues.filter((i) => {
      const tag = `${i.id}@${i.updatedOn}`;
      if (skip.has(tag) || listed.has(tag)) return false;
      listed.add(tag);
      return true;
    });
    if (fresh.length > 0) {
      const added = await d.inbox.enqueueBatch(
        fresh.map((i) => ({
          // Listed while its second ran: another change may follow with the same updated_on, so each
          // such listing is an event of its own (a re-read that finds nothing new writes nothing).
          key: `redmine:${i.id}@${i.updatedOn}${over(i) ? '' : `/${randomUUID()}`}`,
          source: 'redmine',
          type: 'issue',
          subject: `redmine:${i.id}`,
          payload: JSON.stringify({ key: redmineKey(i.id), id: String(i.id), updatedOn: i.updatedOn }),
        })),
        d.now(),
      );
      enqueued += added.filter(Boolean).length;
    }
    for (const i of issues) {
      const ms = Date.parse(i.updatedOn);
      if (ms > Date.parse(newest)) {
        newest = i.updatedOn;
        newestSeen = new Set();
      }
      if (ms === Date.parse(newest) && over(i)) newestSeen.add(`${i.id}@${i.updatedOn}`);
    }
    if (issues.length < pageSize) break;
    const last = issues[issues.length - 1]!.updatedOn;
    if (Date.parse(last) > Date.parse(since)) {
      since = last;
      offset = 0;
    } else offset += issues.length;
  }
  const cursor: RedmineCursor = { since: newest, seen: [...newestSeen] };
  await d.docs.putDoc(REDMINE_CURSOR_DOC, JSON.stringify(cursor), d.now());
  return { enqueued, cursor };
}
