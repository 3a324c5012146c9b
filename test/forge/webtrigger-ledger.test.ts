/**
 * The generic snapshot through the Forge web trigger (src/forge/webtrigger.ts), like the service's
 * POST /webhooks/generic (src/server/routes.ts): a snapshot older than the newest applied one is
 * acknowledged with 2xx `stale: true` and changes nothing; a delivery id reused with a different body
 * is refused with 409 `delivery-conflict` (issue #11). SPEC §8 example 1: critical incident registered
 * Fri 2026-03-06 16:30 MSK, reaction due Tue 2026-03-10 16:30 MSK.
 */
import { webhook } from '../../src/forge/webtrigger';
import { overrideForgeDeps } from '../../src/forge/deps';
import { MemoryStore } from '../../src/adapters/memory';
import { ForgeStore } from '../../src/adapters/store-forge';
import { forgeKvs, forgeSql } from '../../src/adapters/store-forge/forge-sql';
import { SILENT_LOG } from '../../src/app/deps';
import { signBody } from '../../src/app/webhook';
import { parseInstant } from '../../src/domain/calendar';
import { installFakeForge, type FakeForge } from '../support/fake-jira';

const SECRET = 'forge-webhook-secret';
let forge: FakeForge;
let store: MemoryStore;
const now = parseInstant('2026-03-10T12:00:00+03:00');

const snapshot = (over: Record<string, unknown> = {}) => ({
  key: 'EXT-1',
  kind: 'incident',
  registeredAt: '2026-03-06T16:30:00+03:00',
  impact: 'high',
  urgency: 'high',
  mode: 'operation',
  nature: 'failure',
  updatedAt: '2026-03-10T10:00:00+03:00',
  ...over,
});

async function post(body: string, delivery?: string) {
  const headers: Record<string, string[]> = { 'x-hub-signature-256': [signBody(SECRET, body)] };
  if (delivery) headers['x-reglament-delivery'] = [delivery];
  const r = await webhook({ method: 'POST', headers, body });
  return { status: r.statusCode, json: JSON.parse(r.body) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

beforeEach(async () => {
  forge = installFakeForge({ jiraUrl: 'http://127.0.0.1:9' });
  store = new MemoryStore();
  await store.saveSettings({ ...(await store.getSettings()), webhookSecret: SECRET });
  overrideForgeDeps({ store, clock: () => now, log: SILENT_LOG });
});

afterEach(() => {
  overrideForgeDeps({});
  forge.uninstall();
});

describe('the Forge web trigger (generic snapshot)', () => {
  it('refuses a reused delivery id with a different body (409 delivery-conflict), nothing applied', async () => {
    const first = JSON.stringify(snapshot());
    const a = await post(first, 'd-1');
    expect(a.status).toBe(200);
    expect(a.json.verdict.reaction).toMatchObject({ due: '2026-03-10T16:30:00+03:00', state: 'running' });
    expect((await store.getSlaRecord('EXT-1'))?.priority).toBe(5);

    // Same id, a newer snapshot with the urgency lowered (level 3): refused, the record keeps level 5.
    const other = JSON.stringify(snapshot({ urgency: 'low', updatedAt: '2026-03-10T11:00:00+03:00' }));
    const b = await post(other, 'd-1');
    expect(b.status).toBe(409);
    expect(b.json).toEqual({
      error: 'delivery-conflict',
      message:
        'delivery d-1 was already received with a different body; send a new delivery id for a new snapshot',
    });
    expect((await store.getSlaRecord('EXT-1'))?.priority).toBe(5);

    // The same body again under the same id is a redelivery: 200, nothing new in the ledger.
    const facts = (await store.listFacts('EXT-1')).length;
    expect((await post(first, 'd-1')).status).toBe(200);
    expect(await store.listFacts('EXT-1')).toHaveLength(facts);

    // The new snapshot under a new id is applied: level 3, 24 working hours → Thu 2026-03-12 16:30.
    const c = await post(other, 'd-2');
    expect(c.status).toBe(200);
    expect(c.json.verdict.reaction.due).toBe('2026-03-12T16:30:00+03:00');
    expect((await store.getSlaRecord('EXT-1'))?.priority).toBe(3);
  });

  it('acknowledges an older updatedAt with 2xx stale:true and changes nothing', async () => {
    expect(
      (await post(JSON.stringify(snapshot({ updatedAt: '2026-03-10T11:00:00+03:00' })), 'n-1')).status,
    ).toBe(200);
    const facts = await store.listFacts('EXT-1');
    const record = await store.getSlaRecord('EXT-1');
    // Older (10:00 < 11:00), with a reaction that would stop the clock: stale, not applied.
    const older = JSON.stringify(
      snapshot({
        updatedAt: '2026-03-10T10:00:00+03:00',
        reactions: [{ at: '2026-03-10T09:00:00+03:00', type: 'comment' }],
      }),
    );
    const r = await post(older, 'n-2');
    expect(r.status).toBe(200);
    expect(r.json.stale).toBe(true);
    expect(await store.listFacts('EXT-1')).toEqual(facts);
    expect(await store.getSlaRecord('EXT-1')).toEqual(record);
    expect(record?.state).toBe('running');
  });

  it('ForgeStore keeps deliveries in KVS (the real @forge/kvs client): new, same, conflict', async () => {
    const forgeStore = new ForgeStore(forgeKvs, forgeSql, () => now);
    expect(await forgeStore.claimDelivery('d-1', 'aa')).toBe('new');
    expect(await forgeStore.claimDelivery('d-1', 'aa')).toBe('same');
    expect(await forgeStore.claimDelivery('d-1', 'bb')).toBe('conflict');
    expect(await forgeStore.claimDelivery('d-2', 'bb')).toBe('new');
    const keys = [...forge.kvs.keys()].filter((k) => k.startsWith('delivery:'));
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^delivery:[0-9a-f]{64}$/);
  });
});
