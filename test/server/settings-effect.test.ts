/**
 * Settings take effect (issue #15): saving a change that moves the clocks starts the background
 * recomputation at once, its progress is reported, the records follow, and the dashboard says when
 * every clock was last re-evaluated (kept across a restart).
 */
import * as fs from 'node:fs';
import type { MemoryJobs } from '../../src/adapters/memory/jobs';
import { changedClockSettings } from '../../src/app/settings-effect';
import { defaultSettings } from '../../src/app/settings';
import { ADMIN_JSON, example1, service, signedGeneric, tempDir } from './helpers';

// example1: critical incident registered Fri 2026-03-06 16:30 MSK; the reaction is due 8 working
// hours later (Moscow calendar, 9:00–18:00 with lunch 13–14; Mon 9 March is a holiday in 2026):
// 16:30–18:00 on the 6th (1.5 h) + 6.5 h on Tue 10th → 2026-03-10T16:30+03:00.
const NOW = Date.parse('2026-03-10T12:00:00+03:00');

describe('saving settings re-evaluates the running clocks', () => {
  let dir: string;
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('which parts count: policy, calendar, mappings, scope, staff — not secrets, escalation or notifications', () => {
    const a = defaultSettings();
    expect(changedClockSettings(a, structuredClone(a))).toEqual([]);
    expect(changedClockSettings(a, { ...a, calendar: { ...a.calendar, zone: 'Asia/Tokyo' } })).toEqual([
      'calendar',
    ]);
    expect(changedClockSettings(a, { ...a, projects: ['SUP'], setDueDate: !a.setDueDate })).toEqual([
      'setDueDate',
      'projects',
    ]);
    expect(changedClockSettings(a, { ...a, webhookSecret: 'other' })).toEqual([]);
  });

  it('a calendar change starts the job; the record follows; the dashboard says when', async () => {
    dir = tempDir();
    let now = NOW;
    const svc = await service(dir, {}, { now: () => now });
    try {
      expect((await svc.inject(signedGeneric(example1()))).statusCode).toBe(200);
      await svc.worker.drain();
      expect((await svc.store.getSlaRecord('SUP-101'))!.due).toBe('2026-03-10T16:30:00+03:00');
      const before = await svc.inject({
        method: 'POST',
        url: '/api/getCompliance',
        payload: JSON.stringify({ from: '2026-03-01', to: '2026-03-31' }),
        headers: ADMIN_JSON,
      });
      expect(before.json().recomputedAt).toBeNull();

      // Tuesday 10 March becomes a day off: the reaction moves to Wednesday 11th, 16:30.
      const settings = await svc.store.getSettings();
      const calendar = {
        ...settings.calendar,
        overrides: [...settings.calendar.overrides, { date: '2026-03-10', kind: 'day-off', note: 'test' }],
      };
      now = NOW + 60_000;
      const saved = await svc.inject({
        method: 'POST',
        url: '/api/saveSettings',
        payload: JSON.stringify({ calendar }),
        headers: ADMIN_JSON,
      });
      expect(saved.statusCode).toBe(200);
      expect(saved.json()).toMatchObject({ ok: true, recompute: { state: 'running', reason: 'settings' } });
      await (svc.apiDeps.jobs as MemoryJobs).last;
      const status = await svc.inject({
        method: 'POST',
        url: '/api/getRecomputeStatus',
        payload: JSON.stringify({ jobId: saved.json().recompute.jobId }),
        headers: ADMIN_JSON,
      });
      expect(status.json()).toMatchObject({
        state: 'done',
        done: 1,
        total: 1,
        finishedAt: '2026-03-10T09:01:00.000Z',
      });
      expect((await svc.store.getSlaRecord('SUP-101'))!.due).toBe('2026-03-11T16:30:00+03:00');
      const after = await svc.inject({
        method: 'POST',
        url: '/api/getCompliance',
        payload: JSON.stringify({ from: '2026-03-01', to: '2026-03-31' }),
        headers: ADMIN_JSON,
      });
      expect(after.json().recomputedAt).toBe('2026-03-10T09:01:00.000Z');

      // Saving the same values moves no clock: no job.
      const esc = await svc.inject({
        method: 'POST',
        url: '/api/saveSettings',
        payload: JSON.stringify({ projects: [] }),
        headers: ADMIN_JSON,
      });
      expect(esc.json()).toEqual({ ok: true });
    } finally {
      await svc.close();
    }
    const again = await service(dir, {}, { now: () => NOW + 120_000 });
    try {
      const view = await again.inject({
        method: 'POST',
        url: '/api/getCompliance',
        payload: JSON.stringify({ from: '2026-03-01', to: '2026-03-31' }),
        headers: ADMIN_JSON,
      });
      expect(view.json().recomputedAt).toBe('2026-03-10T09:01:00.000Z');
    } finally {
      await again.close();
    }
  }, 60_000);
});
