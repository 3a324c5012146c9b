/**
 * Seeded SLA records (the store's rows) for the scale tests and the dashboard bench: the same seed gives
 * the same records. Mixes errors and incidents, every class, undated and agreed records, recorded
 * breaches and waivers, open and closed clocks, over 2024–2026 in several projects.
 */
import type { SlaRecordRow } from '../../src/app/ports';
import { CLASSES } from '../../src/domain/codes';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mulberry32 } = require('../../bench/mulberry32.js') as { mulberry32: (seed: number) => () => number };

const HOUR = 3_600_000;
const BASE = Date.parse('2024-10-01T00:00:00Z');
const SPAN = Date.parse('2026-06-01T00:00:00Z') - BASE;

/** An instant as ISO with the +03:00 offset the service writes. */
export function iso3(ms: number): string {
  return new Date(ms + 3 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+03:00');
}

export function generateRows(n: number, seed: number, projects = ['SUP', 'OPS', 'WEB']): SlaRecordRow[] {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const rows: SlaRecordRow[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd() < 0.6 ? 'error' : 'incident';
    const registered = BASE + Math.floor(rnd() * SPAN);
    const undated = rnd() < 0.08;
    const due = undated ? null : registered + Math.floor((kind === 'error' ? 400 : 8) * HOUR * rnd()) + HOUR;
    const closed = rnd() < 0.75;
    const done = closed
      ? registered + Math.floor((due === null ? 300 : (due - registered) * 1.4) * rnd())
      : null;
    const agreed = kind === 'error' && due !== null && rnd() < 0.07;
    const agreedDue = agreed ? due! + Math.floor(200 * HOUR * rnd()) : null;
    const r = rnd();
    const state =
      due === null
        ? null
        : r < 0.04
          ? 'waived'
          : r < 0.12
            ? 'breached'
            : done !== null
              ? 'met'
              : r < 0.3
                ? 'at-risk'
                : 'running';
    const verdict = agreed ? { agreed: { due: iso3(agreedDue!) } } : {};
    rows.push({
      key: `${pick(projects)}-${i + 1}`,
      project: '',
      kind,
      class: rnd() < 0.03 ? null : pick(CLASSES),
      priority: null,
      registeredAt: iso3(registered),
      due: due === null ? null : iso3(due),
      doneAt: done === null ? null : iso3(done),
      agreed,
      state,
      verificationDue: null,
      estimateAt: null,
      summary: `Generated issue ${i + 1}`,
      verdictJson: JSON.stringify(verdict),
      updatedAt: iso3(registered),
    });
    const last = rows[rows.length - 1]!;
    last.project = last.key.slice(0, last.key.indexOf('-'));
  }
  return rows;
}
