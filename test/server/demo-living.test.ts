/**
 * The living demo (issue #15): the demo data is generated relative to the service's clock, so every
 * state is there at whatever date the demo starts, and the demo ticket system can create and link
 * issues, so "Register error" and "Split request" work in demo mode.
 */
import * as fs from 'node:fs';
import { checkVersion } from '../../src/app/escalation';
import type { SlaRecordRow } from '../../src/app/ports';
import { DEMO_TOTAL, demoSnapshots, showcaseKeys } from '../../src/server/demo/seed';
import { DEMO_CUSTOMER_TICKETS } from '../../src/server/demo/customers';
import { defaultSettings } from '../../src/app/settings';
import { ADMIN_JSON, service, tempDir, type TestService } from './helpers';

/** A Tuesday in March, a Saturday in November, a Monday in May of the next year (Moscow time). */
const DATES = ['2026-03-10T12:00:00+03:00', '2026-11-28T15:00:00+03:00', '2027-05-17T09:20:00+03:00'];

const post = (svc: TestService, name: string, body: unknown) =>
  svc.inject({ method: 'POST', url: `/api/${name}`, payload: JSON.stringify(body), headers: ADMIN_JSON });

describe('the living demo', () => {
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(DATES)(
    'at %s every state is present',
    async (date) => {
      dir = tempDir();
      const now = Date.parse(date);
      const svc = await service(dir, { demo: 'on' }, { now: () => now });
      try {
        const records = await svc.store.listSlaRecords({});
        // the DEMO project and the three demo customers' tickets (src/server/demo/customers.ts)
        expect(records).toHaveLength(DEMO_TOTAL() + DEMO_CUSTOMER_TICKETS);
        const open = (r: SlaRecordRow) => r.doneAt === null;
        const has = (kind: string, pred: (r: SlaRecordRow) => boolean) =>
          records.filter((r) => r.kind === kind && pred(r)).map((r) => r.key);
        for (const kind of ['incident', 'error']) {
          expect(has(kind, (r) => r.state === 'running' && open(r)).length).toBeGreaterThanOrEqual(1);
          expect(has(kind, (r) => r.state === 'at-risk' && open(r)).length).toBeGreaterThanOrEqual(1);
          expect(has(kind, (r) => r.state === 'breached').length).toBeGreaterThanOrEqual(1);
          expect(has(kind, (r) => r.state === 'met').length).toBeGreaterThanOrEqual(1);
        }
        // Incomplete: the showcase request lacks its impact, so it has no clock state and no class.
        const keys = showcaseKeys();
        const incomplete = records.find((r) => r.key === keys['incident:incomplete'])!;
        expect([incomplete.state, incomplete.class]).toEqual([null, null]);
        expect(records.filter((r) => r.state === 'waived').map((r) => r.key)).toContain(
          keys['incident:waived'],
        );
        expect(records.find((r) => r.key === keys['error:agreed'])!.agreed).toBe(true);
        // Other version: the request is about 5.0, an older release than the current one.
        const version = await checkVersion(svc.localDeps, keys['incident:other-version']!);
        expect(version.check).toMatchObject({ status: 'not-current', reason: 'older', version: '5.0' });
        // Every class of both kinds.
        for (const kind of ['incident', 'error'])
          expect([...new Set(records.filter((r) => r.kind === kind).map((r) => r.class))]).toEqual(
            expect.arrayContaining(['critical', 'high', 'medium', 'low']),
          );
        // History: registered over the year before `now`, none after it.
        expect(Math.max(...records.map((r) => Date.parse(r.registeredAt)))).toBeLessThanOrEqual(now);
        expect(Math.min(...records.map((r) => Date.parse(r.registeredAt)))).toBeGreaterThanOrEqual(
          now - 366 * 86_400_000,
        );
        // The ledger holds the issues' history.
        const facts = await svc.store.listFacts!(keys['incident:breached']!);
        expect(facts.map((f) => f.type)).toEqual(
          expect.arrayContaining(['registered', 'deadline', 'breached']),
        );
      } finally {
        await svc.close();
      }
    },
    90_000,
  );

  it('is the same data for the same date and different data for another', () => {
    const a = demoSnapshots(defaultSettings(), Date.parse(DATES[0]!));
    const b = demoSnapshots(defaultSettings(), Date.parse(DATES[0]!));
    const c = demoSnapshots(defaultSettings(), Date.parse(DATES[1]!));
    expect(b).toEqual(a);
    expect(c[0]!.registeredAt).not.toBe(a[0]!.registeredAt);
  });

  it('registers an error from a request and splits a request in demo mode', async () => {
    dir = tempDir();
    const now = Date.parse(DATES[0]!);
    const svc = await service(dir, { demo: 'on' }, { now: () => now });
    try {
      const keys = showcaseKeys();
      const incident = keys['incident:running']!;
      const reg = await post(svc, 'registerError', { key: incident });
      expect(reg.statusCode).toBe(200);
      const errorKey = reg.json().errorKey as string;
      expect(errorKey).toBe(`DEMO-${DEMO_TOTAL() + 1}`);
      expect(reg.json().commented).toBe(true);
      const settings = await svc.store.getSettings();
      const error = await svc.localDeps.jira.readTicket(errorKey, settings);
      expect(error!.snapshot).toMatchObject({
        kind: 'error',
        impact: 'medium',
        urgency: 'high',
        workaround: 'none',
      });
      expect(error!.snapshot.registeredAt).toBe('2026-03-10T12:00:00+03:00');
      expect(error!.links).toEqual([expect.objectContaining({ key: incident, type: 'Relates' })]);
      const record = await svc.store.getSlaRecord(errorKey);
      expect(record).toMatchObject({ kind: 'error', state: 'running' });

      const split = await post(svc, 'splitRequest', {
        key: incident,
        parts: [
          { summary: 'Не открывается вход · Sign-in fails', impact: 'high' },
          { summary: 'Как выгрузить отчёт · How to export', nature: 'question' },
        ],
      });
      expect(split.statusCode).toBe(200);
      const created = (split.json().created as { key: string }[]).map((c) => c.key);
      expect(created).toEqual([`DEMO-${DEMO_TOTAL() + 2}`, `DEMO-${DEMO_TOTAL() + 3}`]);
      const original = await svc.localDeps.jira.readTicket(incident, settings);
      expect(original!.links!.map((l) => l.key).sort()).toEqual([errorKey, ...created].sort());
      for (const key of created)
        expect(await svc.store.getSlaRecord(key)).toMatchObject({ kind: 'incident' });
      expect((await svc.store.getSlaRecord(created[0]!))!.registeredAt).toBe('2026-03-10T12:00:00+03:00');
    } finally {
      await svc.close();
    }
  }, 90_000);
});
