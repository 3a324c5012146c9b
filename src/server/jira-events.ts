/**
 * Jira Data Center/Server webhook payloads → inbox events. Only what the worker needs is kept (the
 * worker re-reads the issue over REST, so the payload is a trigger, not a source of truth):
 *
 * | webhookEvent                                   | inbox type      | subject            |
 * |------------------------------------------------|-----------------|--------------------|
 * | jira:issue_created, jira:issue_updated, comment_created/updated/deleted | issue | the issue key |
 * | comment_created/updated/deleted without `issue` (DC) | issue     | the issue id (from `comment.self`) |
 * | jira:issue_deleted                             | issue-deleted   | the issue key      |
 * | issuelink_created, issuelink_deleted           | link            | `link:<id>`        |
 * | jira:version_released/unreleased/updated/created/deleted/moved | version | `project:<id>` |
 *
 * Other events are acknowledged and ignored. An issue update whose changelog touches only the
 * fields this service writes is our own write coming back: ignored (no update loops).
 */
import { z } from 'zod';

const id = z.union([z.string().min(1), z.number().int()]).transform(String);

const issue = z.object({ id, key: z.string().min(1) }, { error: 'issue: must be an object with id and key' });

const changelogItem = z.object({
  field: z.string().optional(),
  fieldId: z.string().optional(),
});

const issueEvent = z.object({
  webhookEvent: z.string(),
  issue,
  changelog: z.object({ items: z.array(changelogItem).optional() }).nullish(),
});

const linkEvent = z.object({
  webhookEvent: z.string(),
  issueLink: z.object(
    { id: id.optional(), sourceIssueId: id, destinationIssueId: id },
    { error: 'issueLink: must be an object with sourceIssueId and destinationIssueId' },
  ),
});

/**
 * Jira Server/DC `comment_*` events (since 7.1) carry only `comment`: the issue is named by the id in
 * `comment.self` (`…/rest/api/2/issue/10013/comment/10082`). The worker re-reads that issue.
 */
const commentEvent = z.object({
  webhookEvent: z.string(),
  comment: z.object(
    {
      id: id.optional(),
      self: z
        .string()
        .regex(/\/issue\/[^/]+\/comment\//, { error: 'must be the comment URL …/issue/{id}/comment/{id}' }),
    },
    { error: 'comment: must be an object with self (the comment URL naming its issue)' },
  ),
});

const versionEvent = z.object({
  webhookEvent: z.string(),
  version: z.object({ id, projectId: id }, { error: 'version: must be an object with id and projectId' }),
});

export const ISSUE_EVENTS = [
  'jira:issue_created',
  'jira:issue_updated',
  'comment_created',
  'comment_updated',
  'comment_deleted',
] as const;
export const LINK_EVENTS = ['issuelink_created', 'issuelink_deleted'] as const;
export const VERSION_EVENTS = [
  'jira:version_released',
  'jira:version_unreleased',
  'jira:version_updated',
  'jira:version_created',
  'jira:version_deleted',
  'jira:version_moved',
] as const;

export interface NormalizedJiraEvent {
  type: 'issue' | 'issue-deleted' | 'link' | 'version';
  subject: string;
  payload: Record<string, string>;
}

export type JiraEventResult =
  | { kind: 'event'; event: NormalizedJiraEvent }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; problems: string[] };

function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    return path ? `${path}: ${i.message}` : i.message;
  });
}

/**
 * Reads a parsed Jira webhook body.
 * @param ownFields field ids and names this service writes (own-write detection); empty to disable.
 */
export function readJiraEvent(body: unknown, ownFields: ReadonlySet<string> = new Set()): JiraEventResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { kind: 'invalid', problems: ['the body must be a JSON object (a Jira webhook payload)'] };
  const name = (body as { webhookEvent?: unknown }).webhookEvent;
  if (typeof name !== 'string' || name === '')
    return { kind: 'invalid', problems: ['webhookEvent: required (e.g. "jira:issue_updated")'] };

  const hasIssue = typeof (body as { issue?: unknown }).issue === 'object';
  if (name.startsWith('comment_') && (ISSUE_EVENTS as readonly string[]).includes(name) && !hasIssue) {
    const r = commentEvent.safeParse(body);
    if (!r.success) return { kind: 'invalid', problems: problemsOf(r.error) };
    const issueId = /\/issue\/([^/]+)\/comment\//.exec(r.data.comment.self)![1]!;
    return {
      kind: 'event',
      event: { type: 'issue', subject: issueId, payload: { key: issueId, id: issueId, event: name } },
    };
  }
  if (name === 'jira:issue_deleted' || (ISSUE_EVENTS as readonly string[]).includes(name)) {
    const r = issueEvent.safeParse(body);
    if (!r.success) return { kind: 'invalid', problems: problemsOf(r.error) };
    const { issue: i, changelog } = r.data;
    if (name === 'jira:issue_deleted')
      return {
        kind: 'event',
        event: { type: 'issue-deleted', subject: i.key, payload: { key: i.key, id: i.id } },
      };
    const items = changelog?.items ?? [];
    if (
      name === 'jira:issue_updated' &&
      ownFields.size > 0 &&
      items.length > 0 &&
      items.every(
        (it) =>
          (it.fieldId !== undefined && ownFields.has(it.fieldId)) ||
          (it.field !== undefined && ownFields.has(it.field)),
      )
    )
      return { kind: 'ignored', reason: 'own-write' };
    return {
      kind: 'event',
      event: { type: 'issue', subject: i.key, payload: { key: i.key, id: i.id, event: name } },
    };
  }
  if ((LINK_EVENTS as readonly string[]).includes(name)) {
    const r = linkEvent.safeParse(body);
    if (!r.success) return { kind: 'invalid', problems: problemsOf(r.error) };
    const l = r.data.issueLink;
    return {
      kind: 'event',
      event: {
        type: 'link',
        subject: `link:${l.id ?? `${l.sourceIssueId}-${l.destinationIssueId}`}`,
        payload: { source: l.sourceIssueId, destination: l.destinationIssueId, event: name },
      },
    };
  }
  if ((VERSION_EVENTS as readonly string[]).includes(name)) {
    const r = versionEvent.safeParse(body);
    if (!r.success) return { kind: 'invalid', problems: problemsOf(r.error) };
    const v = r.data.version;
    return {
      kind: 'event',
      event: {
        type: 'version',
        subject: `project:${v.projectId}`,
        payload: { projectId: v.projectId, versionId: v.id, event: name },
      },
    };
  }
  return { kind: 'ignored', reason: `event type ${name} is not used` };
}
