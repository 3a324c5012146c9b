/**
 * WAL checkpoints off the event loop (issue #14, src/adapters/store-sqlite/checkpointer.ts).
 *
 * - The service's commits do not checkpoint at SQLite's default 1,000 pages (that ran on the event
 *   loop inside a COMMIT): the WAL passes 1,000 pages while the checkpointer thread is paused.
 * - The thread's checkpoint copies every frame, and the WAL then starts over: writing as much again
 *   does not make the file bigger.
 * - Without the thread, the serving connection's own checkpoint bounds the WAL at BACKSTOP_PAGES.
 */
import * as fs from 'node:fs';
import { BACKSTOP_PAGES } from '../../src/adapters/store-sqlite';
import { service, tempDir, type TestService } from './helpers';

const PAGE = 4096;
/** Frames in the WAL file (its high-water mark: SQLite reuses the file from the start after a reset). */
const walFrames = (svc: TestService) => {
  const size = fs.statSync(`${svc.storage.file}-wal`).size;
  return Math.max(0, Math.floor((size - 32) / (PAGE + 24)));
};

/** Stores `n` inbox events of ~3.5 KB each (about one page each), 50 per commit. */
let next = 0;
const write = (svc: TestService, n: number) => {
  const payload = JSON.stringify({ pad: 'x'.repeat(3500) });
  for (let i = 0; i < n; i += 50) {
    const events = Array.from({ length: Math.min(50, n - i) }, () => {
      next += 1;
      return { key: `pad-${next}`, source: 'generic', type: 'snapshot', subject: `PAD-${next}`, payload };
    });
    svc.inbox.enqueueBatch(events, Date.now());
  }
};

describe('WAL checkpoints in a thread', () => {
  let svc: TestService;
  afterEach(async () => {
    await svc?.close();
  });

  it('commits do not checkpoint at 1,000 pages; the thread checkpoints everything and the WAL starts over', async () => {
    svc = await service(tempDir());
    const checkpointer = svc.storage.checkpointer;
    expect(checkpointer).toBeDefined();
    await checkpointer!.pause();
    write(svc, 1500);
    const grown = walFrames(svc);
    expect(grown).toBeGreaterThan(1200);

    const r = await checkpointer!.now();
    expect(r).not.toBeNull();
    expect(r!.log).toBeGreaterThan(1200);
    expect(r!.checkpointed).toBe(r!.log);

    // The next commits write from the start of the file again: as much again does not grow it.
    write(svc, 1000);
    expect(walFrames(svc)).toBeLessThanOrEqual(grown);
  });

  it('when the thread falls behind, the serving connection checkpoints at BACKSTOP_PAGES', async () => {
    svc = await service(tempDir());
    await svc.storage.checkpointer!.pause();
    write(svc, BACKSTOP_PAGES + 2000);
    const frames = walFrames(svc);
    expect(frames).toBeGreaterThan(1200);
    expect(frames).toBeLessThanOrEqual(BACKSTOP_PAGES + 200);
  });
});
