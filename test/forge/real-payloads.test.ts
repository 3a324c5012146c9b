/**
 * Issue #12: the Forge event payloads of ../shared/jira-real/forge (copied verbatim to
 * test/fixtures/jira-real/forge) replayed AS THEY ARE through the real trigger and consumer, against
 * the fake Jira Cloud (every request and answer validated against the Jira OpenAPI description).
 *
 * - item 4: issue-link events are flat (`sourceIssueId`, `destinationIssueId` at the top level): both
 *   issues are re-read (the DC `issueLink` shape is read too).
 * - item 2: SP-10, created 2021-01-20, is evaluated.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { consume, onEvent } from '../../src/forge/index';
import { overrideForgeDeps } from '../../src/forge/deps';
import { queueBodiesFor } from '../../src/forge/events';
import { MemoryStore } from '../../src/adapters/memory';
import { SILENT_LOG } from '../../src/app/deps';
import { defaultSettings } from '../../src/app/settings';
import { parseInstant } from '../../src/domain/calendar';
import {
  drainQueue,
  installFakeForge,
  startFakeJira,
  type FakeForge,
  type FakeJira,
} from '../support/fake-jira';

const DIR = path.join(__dirname, '../fixtures/jira-real/forge');
const sample = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as Record<string, unknown>;
const samples = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

let fake: FakeJira;
let forge: FakeForge;
let store: MemoryStore;
const now = parseInstant('2026-03-10T12:00:00+03:00');

async function deliver(event: Record<string, unknown>): Promise<void> {
  expect(await onEvent(event as never)).toBeUndefined();
  await drainQueue(forge, consume as never);
}

beforeAll(async () => {
  fake = await startFakeJira();
  store = new MemoryStore({ ...defaultSettings(), issueTypes: { incident: ['Incident'], error: ['Bug'] } });
  forge = installFakeForge({ jiraUrl: fake.url });
  overrideForgeDeps({ clock: () => now, log: SILENT_LOG, store });
  // The issues the payloads name (ids as in the payloads).
  const incident = fake.addIssue({ key: 'SUP-1', id: '10000', created: '2026-03-02T10:00:00+03:00' });
  fake.setField(incident, 'impact', 'high');
  fake.setField(incident, 'urgency', 'high');
  fake.setField(incident, 'mode', 'operation');
  fake.setField(incident, 'nature', 'failure');
  const bug = fake.addIssue({
    key: 'SUP-2',
    id: '10001',
    issueType: fake.issueTypes[1]!,
    created: '2026-03-02T10:00:00+03:00',
  });
  fake.setField(bug, 'impact', 'low');
  fake.setField(bug, 'urgency', 'low');
  fake.setField(bug, 'mode', 'operation');
  fake.setField(bug, 'workaround', 'none');
  const old = fake.addIssue({ key: 'SP-10', id: '10073', created: '2021-01-20T15:58:12.797+1100' });
  fake.setField(old, 'impact', 'medium');
  fake.setField(old, 'urgency', 'medium');
  fake.setField(old, 'mode', 'operation');
  fake.setField(old, 'nature', 'failure');
  fake.projects.push({ id: '10002', key: 'SP' });
}, 60_000);

afterAll(async () => {
  overrideForgeDeps({});
  forge?.uninstall();
  await fake?.stop();
});

afterEach(() => {
  expect(fake.violations).toEqual([]);
});

describe('real Forge event payloads, replayed', () => {
  it('item 4: a flat issue-link event queues both issues; the DC shape still works', () => {
    expect(queueBodiesFor(sample('forge-created-issuelink.json') as never)).toEqual([
      { type: 'issue', key: '10000' },
      { type: 'issue', key: '10001' },
    ]);
    expect(queueBodiesFor(sample('forge-deleted-issuelink.json') as never)).toHaveLength(2);
    expect(
      queueBodiesFor({
        eventType: 'avi:jira:created:issuelink',
        issueLink: { sourceIssueId: 1, destinationIssueId: 2 },
      } as never),
    ).toEqual([
      { type: 'issue', key: '1' },
      { type: 'issue', key: '2' },
    ]);
  });

  it('item 4: the link event re-reads and evaluates both issues end to end', async () => {
    const reads = fake.count('getIssue');
    await deliver(sample('forge-created-issuelink.json'));
    expect(fake.count('getIssue') - reads).toBe(2);
    expect(store.records.get('SUP-1')).toMatchObject({ kind: 'incident' });
    expect(store.records.get('SUP-2')).toMatchObject({ kind: 'error' });
  });

  it('item 2: SP-10, created 2021-01-20 (+1100), gets a verdict', async () => {
    await deliver(sample('forge-created-issue.json'));
    await deliver(sample('forge-updated-issue.json'));
    expect(store.records.get('SP-10')).toMatchObject({ kind: 'incident', class: 'medium' });
    expect(forge.retries).toEqual([]);
  });

  it.each(samples)('%s is processed with no failed event', async (file) => {
    await deliver(sample(file));
    expect(forge.retries).toEqual([]);
  });
});
