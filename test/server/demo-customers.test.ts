/**
 * Issue #17 in the demo: three customers, one with an expired certificate; their incidents evaluated
 * under their contracts (Vladivostok's in its own zone), the expired customer's requests flagged,
 * and per-customer figures from the API.
 */
import * as fs from 'node:fs';
import { createApi } from '../../src/app/api';
import type { Verdict } from '../../src/domain/snapshot';
import { DEMO_CUSTOMER_TICKETS } from '../../src/server/demo/customers';
import { service, tempDir } from './helpers';

// A demo seed: 13 s at load 11 on 2 cores; the timeout is no speed check (#14).
it('seeds three customers, one with an expired certificate, and evaluates under their contracts', async () => {
  const dir = tempDir();
  const now = Date.parse('2026-11-24T12:00:00+03:00');
  const svc = await service(dir, { demo: 'on' }, { now: () => now });
  try {
    const settings = await svc.store.getSettings();
    expect(settings.customers?.customers.map((c) => c.id)).toEqual([
      'vlad-port',
      'baltic-yard',
      'ural-works',
    ]);
    const records = (await svc.store.listSlaRecords({})).filter((r) => r.customer);
    expect(records).toHaveLength(DEMO_CUSTOMER_TICKETS);
    const of = (c: string) => records.filter((r) => r.customer === c);
    expect(new Set(of('vlad-port').map((r) => r.contract))).toEqual(new Set(['ТП-2026-017']));
    expect(new Set(of('baltic-yard').map((r) => r.contract))).toEqual(new Set(['ТП-2026-101']));
    // Expired on 31 December 2025: every 2026 request is outside the certificate, flagged.
    expect(new Set(of('ural-works').map((r) => r.contract ?? null))).toEqual(new Set([null]));
    for (const r of of('ural-works')) {
      const v = JSON.parse(r.verdictJson) as Verdict;
      expect(v.warnings.map((w) => w.code)).toContain('contract-outside-certificate');
      expect(v.warnings.find((w) => w.code === 'contract-outside-certificate')?.message).toContain(
        'certificate No. ТП-2025-003 was valid from 1 January 2025 to 31 December 2025',
      );
    }
    // Vladivostok counts its own working hours: a deadline falls within 09:00–18:00 Vladivostok time.
    for (const r of of('vlad-port').filter((x) => x.due)) {
      const local = new Date(Date.parse(r.due!) + 10 * 3_600_000).toISOString().slice(11, 16);
      expect(local >= '09:00' && local <= '18:00').toBe(true);
    }
    const view = await createApi(svc.apiDeps).getCompliance({
      from: '2026-01-01',
      to: '2026-12-31',
      customer: 'vlad-port',
    });
    expect(view.incidents.overall.counted).toBeGreaterThan(0);
    expect(view.incidents.overall.counted).toBeLessThanOrEqual(of('vlad-port').length);
  } finally {
    await svc.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);
