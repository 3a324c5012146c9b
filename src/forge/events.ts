/**
 * The product-event trigger: thin. It reads which issue/version the event is about and pushes one
 * queue event per subject; the consumer does the work (with retries and a 900 s limit). Events caused
 * by the app itself are dropped by the manifest's `ignoreSelf` filter.
 */
import { InvocationError, InvocationErrorCode } from '@forge/events';
import { forgeDeps, type QueueBody } from './deps';

/** Issue fields whose change cannot alter a verdict: an update touching only these is skipped. */
const IRRELEVANT_FIELDS = new Set([
  'description',
  'environment',
  'labels',
  'attachment',
  'timeestimate',
  'timespent',
  'worklogid',
  'rank',
  'watches',
]);

interface LinkEnds {
  sourceIssueId?: string | number;
  destinationIssueId?: string | number;
}

/**
 * Forge issue-link events are flat (`sourceIssueId`, `destinationIssueId` at the top level, as the
 * Forge events reference documents them); `issueLink` is the Jira webhook shape, read too.
 */
interface ProductEvent extends LinkEnds {
  eventType?: string;
  issue?: { id?: string; key?: string };
  issueLink?: LinkEnds;
  version?: { id?: string | number; projectId?: string | number };
  changelog?: { items?: { fieldId?: string; field?: string }[] };
}

/** The queue events for one product event (empty when there is nothing to do). */
export function queueBodiesFor(event: ProductEvent): QueueBody[] {
  const type = event.eventType ?? '';
  const issueRef = event.issue?.key ?? event.issue?.id;
  switch (type) {
    case 'avi:jira:created:issue':
    case 'avi:jira:commented:issue':
      return issueRef ? [{ type: 'issue', key: String(issueRef) }] : [];
    case 'avi:jira:updated:issue': {
      const items = event.changelog?.items ?? [];
      const relevant =
        items.length === 0 ||
        items.some((i) => !IRRELEVANT_FIELDS.has(String(i.fieldId ?? i.field ?? '').toLowerCase()));
      return issueRef && relevant ? [{ type: 'issue', key: String(issueRef) }] : [];
    }
    case 'avi:jira:deleted:issue':
      return issueRef ? [{ type: 'deleted', key: String(event.issue?.key ?? issueRef) }] : [];
    case 'avi:jira:created:issuelink':
    case 'avi:jira:deleted:issuelink': {
      const ids = [
        event.sourceIssueId ?? event.issueLink?.sourceIssueId,
        event.destinationIssueId ?? event.issueLink?.destinationIssueId,
      ].filter((x): x is string | number => x !== undefined && x !== null);
      return [...new Set(ids.map(String))].map((key) => ({ type: 'issue' as const, key }));
    }
    case 'avi:jira:released:version':
    case 'avi:jira:updated:version':
      return event.version?.projectId !== undefined
        ? [
            {
              type: 'version',
              projectId: String(event.version.projectId),
              ...(event.version.id !== undefined ? { versionId: String(event.version.id) } : {}),
            },
          ]
        : [];
    case 'avi:forge:installed:app':
    case 'avi:forge:upgraded:app':
      return [{ type: 'installed' }];
    default:
      return [];
  }
}

/** Trigger handler (manifest function `on-event`). */
export async function onEvent(event: ProductEvent): Promise<InvocationError | undefined> {
  const bodies = queueBodiesFor(event);
  if (bodies.length === 0) {
    // Not silent: an event we subscribe to that names nothing we can act on is logged.
    if (/issuelink|:issue$|version$/.test(event.eventType ?? ''))
      console.warn(
        JSON.stringify({
          level: 'warn',
          message: 'event names no issue or version; nothing to do',
          eventType: event.eventType,
        }),
      );
    return undefined;
  }
  try {
    await forgeDeps().push(bodies);
    return undefined;
  } catch (e) {
    console.warn(
      JSON.stringify({ level: 'warn', message: 'queue push failed', error: (e as Error).message }),
    );
    return new InvocationError({ retryAfter: 30, retryReason: InvocationErrorCode.FUNCTION_RETRY_REQUEST });
  }
}
