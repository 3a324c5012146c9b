/**
 * `/metrics` and whole-table counts (issue #14: every view costs what it shows, not the whole history).
 *
 * The inbox's done rows (kept for the retention period: 1,000,000 at a busy site) and the service-held
 * tickets were counted by reading every row at each scrape. They are now counted at most once a
 * minute, off the event loop on SQLite; the queue (pending, processing, failed) stays exact at every
 * scrape, through its index.
 */
import { refreshing, METRICS_FULL_COUNT_MS } from '../../src/server/routes';
import { example1, service, signedGeneric, tempDir, type TestService } from './helpers';

const NOW = Date.parse('2026-03-12T09:00:00Z');
const gauge = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no ${series} in /metrics`);
  return Number(line.slice(series.length + 1));
};
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

describe('/metrics: whole-table counts at most once a minute', () => {
  let svc: TestService;
  let clock = NOW;

  beforeEach(async () => {
    clock = NOW;
    svc = await service(tempDir(), {}, { now: () => clock });
  });
  afterEach(async () => {
    await svc?.close();
  });

  it('reads the done rows and the tickets once per minute; the queue is exact at every scrape', async () => {
    // The whole inbox's and the tickets' counts (SQLite: read on the reader thread).
    const full = jest.spyOn(svc.inbox, 'countsOffLoop');
    const read = () => full.mock.calls.length;
    const tickets = jest.spyOn(svc.tickets, 'countOffLoop');

    await svc.inject(signedGeneric(example1({ key: 'SUP-1' })));
    await svc.worker.drain();
    const m1 = (await svc.inject({ url: '/metrics' })).body;
    expect(gauge(m1, 'reglament_inbox_events{status="done"}')).toBe(1);
    expect(gauge(m1, 'reglament_tickets')).toBe(1);
    expect(read()).toBe(1);

    // A second event, not processed yet: the queue says so at once; the done rows are not read again.
    clock += 30_000;
    await svc.inject(signedGeneric(example1({ key: 'SUP-2' })));
    const m2 = (await svc.inject({ url: '/metrics' })).body;
    expect(gauge(m2, 'reglament_queue_depth')).toBe(1);
    expect(gauge(m2, 'reglament_inbox_events{status="pending"}')).toBe(1);
    expect(gauge(m2, 'reglament_inbox_events{status="done"}')).toBe(1);
    expect(read()).toBe(1);

    await svc.worker.drain();
    const m3 = (await svc.inject({ url: '/metrics' })).body;
    expect(gauge(m3, 'reglament_queue_depth')).toBe(0);
    expect(gauge(m3, 'reglament_inbox_events{status="done"}')).toBe(1); // counted 30 s ago
    expect(read()).toBe(1);

    // A minute after the count: this scrape answers the last value and counts again in the background.
    clock = NOW + METRICS_FULL_COUNT_MS;
    const m4 = (await svc.inject({ url: '/metrics' })).body;
    expect(gauge(m4, 'reglament_inbox_events{status="done"}')).toBe(1);
    expect(read()).toBe(2);
    // The background count's two reads, then the turn in which it is kept.
    await full.mock.results[1]!.value;
    await tickets.mock.results[1]!.value;
    await turns(1);
    const m5 = (await svc.inject({ url: '/metrics' })).body;
    expect(gauge(m5, 'reglament_inbox_events{status="done"}')).toBe(2);
    expect(gauge(m5, 'reglament_tickets')).toBe(2);
    expect(read()).toBe(2);
  });
});

describe('refreshing', () => {
  it('waits for the first read, then answers at once and reads again in the background when stale', async () => {
    let now = 0;
    let n = 0;
    let fail = false;
    const read = jest.fn(async () => {
      if (fail) throw new Error('the database is busy');
      return ++n;
    });
    const value = refreshing(read, 1000, () => now);
    expect(await value()).toBe(1);
    now = 999;
    expect(await value()).toBe(1);
    expect(read).toHaveBeenCalledTimes(1);
    now = 1000;
    // Two calls while stale start one read.
    const [a, b] = await Promise.all([value(), value()]);
    expect([a, b]).toEqual([1, 1]);
    expect(read).toHaveBeenCalledTimes(2);
    await turns(2);
    expect(await value()).toBe(2);
    // A failed background read keeps the last value; the next stale call tries again.
    now = 5000;
    fail = true;
    expect(await value()).toBe(2);
    await turns(2);
    expect(await value()).toBe(2);
    expect(read).toHaveBeenCalledTimes(4);
    fail = false;
    await turns(2);
    expect(await value()).toBe(2);
    await turns(2);
    expect(await value()).toBe(3);
  });

  it('a first read that fails fails the call, and the next call reads again', async () => {
    let fail = true;
    const value = refreshing(
      async () => {
        if (fail) throw new Error('no database');
        return 7;
      },
      1000,
      () => 0,
    );
    await expect(value()).rejects.toThrow('no database');
    fail = false;
    expect(await value()).toBe(7);
  });
});
