/**
 * Issue #12: a REST v2 issue captured from a real Jira Server (test/fixtures/jira-real/dc-rest,
 * verbatim; jenkinsci/jira-trigger-plugin TEST-136) served as it is and read through the Data Center
 * adapter: a 2015 Task mapped as an incident gives a ticket, an incomplete verdict naming the missing
 * inputs (the site has no SLA fields filled), and no failure.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createJiraHttpPort, type DcIssue } from '../../src/adapters/jira-http';
import { evaluateTicket } from '../../src/app/issue-change';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar';
import { startFakeJira, type FakeJira } from './fake-jira';

const FILE = path.join(__dirname, '../fixtures/jira-real/dc-rest/jt-TEST-136-issue.json');

describe('real Jira Server REST v2 issue through the DC adapter', () => {
  let jira: FakeJira;
  beforeAll(async () => {
    jira = await startFakeJira();
    jira.issues.set('TEST-136', JSON.parse(fs.readFileSync(FILE, 'utf8')) as DcIssue);
  });
  afterAll(() => jira.close());

  it('reads TEST-136 (2015, no changelog) and evaluates it without failing', async () => {
    const port = createJiraHttpPort({
      baseUrl: jira.url,
      auth: { kind: 'bearer', token: 'pat' },
      createFields: false,
      timeoutMs: 2000,
      retries: 0,
      sleep: async () => {},
      random: () => 0.5,
    });
    const settings = { ...defaultSettings(), issueTypes: { incident: ['Task'], error: ['Bug'] } };
    const ticket = await port.readTicket('TEST-136', settings);
    expect(ticket).toMatchObject({ key: 'TEST-136' });
    expect(ticket!.snapshot).toMatchObject({
      kind: 'incident',
      registeredAt: expect.stringMatching(/^2015-12-26T12:00:38/),
    });
    const verdict = evaluateTicket(ticket!, settings, parseInstant('2026-03-10T12:00:00+03:00'));
    expect(verdict).toMatchObject({ key: 'TEST-136', complete: false });
    expect(verdict.missing).toEqual(expect.arrayContaining(['impact', 'urgency']));
  });

  it("carries the reporter's e-mail for notifications by role (issue #16)", async () => {
    const port = createJiraHttpPort({
      baseUrl: jira.url,
      auth: { kind: 'bearer', token: 'pat' },
      createFields: false,
      timeoutMs: 2000,
      retries: 0,
      sleep: async () => {},
      random: () => 0.5,
    });
    const settings = { ...defaultSettings(), issueTypes: { incident: ['Task'], error: ['Bug'] } };
    const ticket = await port.readTicket('TEST-136', settings);
    expect(ticket!.snapshot.contacts).toEqual({ reporter: { email: 'admin@admin.com', name: 'admin' } });
    expect(ticket!.assignee).toBeNull();
  });
});
