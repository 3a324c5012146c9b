/**
 * Issue #12: the Jira Server/DC webhook bodies captured from real sites (test/fixtures/jira-real, a
 * verbatim copy of ../shared/jira-real with its SOURCES.md) replayed AS THEY ARE through the signed
 * webhook, the inbox and the worker, against a fake Jira DC that holds the issues they name. None of
 * them may end as a failed event.
 *
 * - item 3: `comment_created/updated/deleted` carry only `comment` (no `issue`): accepted, the issue id
 *   is read from `comment.self` and the issue is re-read.
 * - item 2: TES-4 (a Bug registered in 2019) is evaluated, with the calendar's data for 2019.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createJiraHttpPort, type DcIssue } from '../../src/adapters/jira-http';
import { defaultSettings } from '../../src/app/settings';
import { sign } from '../../src/server/signature';
import { incidentIssue, startFakeJira, type FakeJira } from './fake-jira';
import { manualClock, service, tempDir, type TestService } from './helpers';

const SECRET = 'jira-webhook-secret';
const DIR = path.join(__dirname, '../fixtures/jira-real/dc-webhooks');
const samples = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(DIR, f), 'utf8') }));

const signed = (payload: string) => ({
  method: 'POST',
  url: '/webhooks/jira',
  payload,
  headers: { 'content-type': 'application/json', 'x-hub-signature': sign(SECRET, payload) },
});

describe('real Jira Server/DC webhook bodies, replayed', () => {
  let dir: string;
  let jira: FakeJira;
  let svc: TestService;
  const clock = manualClock('2026-03-10T12:00:00+03:00');

  beforeEach(async () => {
    dir = tempDir();
    jira = await startFakeJira();
    // The issues the payloads name, as the site's REST API returns them (the payload's own issue).
    for (const { text } of samples) {
      const body = JSON.parse(text) as { webhookEvent: string; issue?: DcIssue };
      if (body.issue && body.webhookEvent !== 'jira:issue_deleted')
        jira.issues.set(body.issue.key, { ...body.issue, changelog: { histories: [] } } as DcIssue);
    }
    const port = createJiraHttpPort({
      baseUrl: jira.url,
      auth: { kind: 'bearer', token: 'pat' },
      createFields: true,
      timeoutMs: 2000,
      retries: 0,
      sleep: async () => {},
      random: () => 0.5,
    });
    svc = await service(
      dir,
      {
        jira: {
          url: jira.url,
          token: 'pat',
          webhookSecret: SECRET,
          fields: {},
          createFields: true,
          timeoutMs: 2000,
          retries: 0,
        },
      },
      { jira: port, now: clock.now },
    );
    await svc.store.saveSettings({
      ...(await svc.store.getSettings()),
      issueTypes: { incident: ['Incident'], error: ['Bug'] },
    });
  });
  afterEach(async () => {
    await svc.close();
    await jira.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(samples)('$file is accepted or deliberately ignored, never refused', async ({ text }) => {
    const res = await svc.inject(signed(text));
    expect([200, 202]).toContain(res.statusCode);
  });

  it('every sample is processed with no failed event', async () => {
    for (const { text } of samples) await svc.inject(signed(text));
    await svc.worker.drain();
    const counts = await svc.inbox.counts();
    const failed = await svc.inbox.list('failed', 50);
    expect(failed.map((e) => `${e.type} ${e.subject}: ${e.lastError ?? ''}`)).toEqual([]);
    expect(counts.pending).toBe(0);
    expect(counts.done).toBeGreaterThanOrEqual(samples.length - 2);
  });

  it('item 3: comment_created without `issue` re-reads the issue named by comment.self (10013)', async () => {
    const { text } = samples.find((s) => s.file === 'mm-webhook-server-comment-created.json')!;
    expect(JSON.parse(text).issue).toBeUndefined();
    const res = await svc.inject(signed(text));
    expect(res.statusCode).toBe(202);
    await svc.worker.drain();
    expect(jira.calls.some((c) => c.method === 'GET' && c.path === '/rest/api/2/issue/10013')).toBe(true);
    expect((await svc.inbox.list('failed', 10)).length).toBe(0);
  });

  it('a comment event with neither issue nor a comment URL is refused, naming the field', async () => {
    const res = await svc.inject(
      signed(JSON.stringify({ webhookEvent: 'comment_created', comment: { id: '1', self: 'x' } })),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().problems.join('\n')).toMatch(/comment\.self/);
  });

  it('item 2: a Bug registered in 2019 (TES-4) gets a verdict and a record', async () => {
    const { text } = samples.find((s) => s.file === 'mm-webhook-server-issue-updated-in-progress.json')!;
    await svc.inject(signed(text));
    await svc.worker.drain();
    expect((await svc.inbox.list('failed', 10)).length).toBe(0);
    const record = await svc.store.getSlaRecord('TES-4');
    expect(record).toMatchObject({ key: 'TES-4', kind: 'error' });
  });

  it('item 1: the sweep with the default six type names searches only the types the site has', async () => {
    await svc.store.saveSettings(defaultSettings()); // Incident/Инцидент/Обращение, Bug/Ошибка/Дефект
    const before = jira.calls.length;
    await svc.sweepNow();
    const searches = jira.calls.slice(before).filter((c) => c.path === '/rest/api/2/search');
    expect(searches.length).toBeGreaterThan(0);
    expect(String((searches[0]!.body as { jql: string }).jql)).toMatch(/^issuetype in \("Incident", "Bug"\)/);
    expect(await svc.store.getSlaRecord('TES-4')).toMatchObject({ kind: 'error' });
  });

  it('item 6: fields not on the edit screen are reported, the others written, the record kept', async () => {
    // First install: the fields the service creates are on no screen (only those that existed are).
    jira.screenFields = new Set(jira.fields.map((f) => f.id));
    jira.issues.set('SUP-1', incidentIssue('SUP-1'));
    await svc.store.saveSettings({
      ...(await svc.store.getSettings()),
      issueTypes: { incident: ['Incident'], error: ['Bug'] },
      priorityMap: { incident: { 5: 'Highest' }, error: {} },
    });
    const body = JSON.stringify({
      timestamp: 1,
      webhookEvent: 'jira:issue_updated',
      issue: { id: '10001', key: 'SUP-1', fields: {} },
      changelog: { items: [{ field: 'summary' }] },
    });
    await svc.inject(signed(body));
    await svc.worker.drain();
    expect((await svc.inbox.list('failed', 10)).map((e) => e.lastError)).toEqual([]);
    const stateField = jira.fields.find((f) => f.name === 'SLA State')!.id;
    const puts = jira.puts().map((c) => Object.keys((c.body as { fields: object }).fields).sort());
    expect(puts).toHaveLength(2);
    expect(puts[0]).toContain(stateField); // refused whole
    expect(puts[1]).not.toContain(stateField); // the rest, priority included
    expect(puts[1]).toContain('priority');
    expect(jira.issues.get('SUP-1')!.fields.priority).toEqual({ name: 'Highest' });
    expect(await svc.store.getSlaRecord('SUP-1')).toMatchObject({ key: 'SUP-1', priority: 5 });
    const settings = await svc.store.getSettings();
    expect(settings.refusedFields).toEqual([
      expect.objectContaining({
        issueKey: 'SUP-1',
        field: stateField,
        message: `Field '${stateField}' cannot be set. It is not on the appropriate screen, or unknown.`,
      }),
    ]);
  });
});
