/**
 * Seeded SLA record rows for `npm run bench:dashboard`, as the columns of reglament_sla_records: three
 * years of history up to now in five projects, 60 % errors, every class, 4 % undated, 3 % of errors
 * with an agreed deadline, breaches and waivers; the clocks of the last 30 days are open half the
 * time, older ones almost all stopped (as on a real site). The verdict JSON is ~700 bytes, about what
 * the service stores, so the full-scan baseline reads what it would read.
 */
'use strict';
const { mulberry32 } = require('./mulberry32');

const RECORD_COLUMNS = [
  'issue_key',
  'project_key',
  'kind',
  'priority_class',
  'priority_value',
  'registered_at',
  'registered_ms',
  'due_at',
  'due_ms',
  'done_at',
  'done_ms',
  'agreed',
  'clock_state',
  'verification_due',
  'estimate_at',
  'summary',
  'verdict_json',
  'updated_at',
  'customer_id',
  'agreed_due_ms',
];
/** Customers (issue #17): every record has one of ten, in turn (no draw, so the other values stay). */
const CUSTOMERS = 10;
const CLASSES = ['critical', 'high', 'medium', 'low', 'planned'];
const PROJECTS = ['SUP', 'OPS', 'WEB', 'PAY', 'CRM'];
const HOUR = 3600000;
const PAD = 'x'.repeat(520);

/** ISO with +03:00, as the service writes instants in Europe/Moscow. */
function iso3(ms) {
  return new Date(ms + 3 * HOUR).toISOString().replace(/\.\d{3}Z$/, '+03:00');
}

/** Yields arrays of `chunk` rows (each an array of column values in RECORD_COLUMNS order). */
function* generateRecords(n, seed, chunk) {
  const rnd = mulberry32(seed);
  const now = Date.now();
  const span = 3 * 365 * 24 * HOUR;
  let out = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd() < 0.6 ? 'error' : 'incident';
    const registered = now - Math.floor(rnd() * span);
    const undated = rnd() < 0.04;
    const due = undated ? null : registered + HOUR + Math.floor((kind === 'error' ? 400 : 8) * HOUR * rnd());
    const recent = now - registered < 30 * 24 * HOUR;
    const open = recent ? rnd() < 0.5 : rnd() < 0.002;
    const stop = open
      ? null
      : registered + Math.floor((due === null ? 200 * HOUR : (due - registered) * 1.3) * rnd());
    // A clock cannot have stopped after the present: such a record is still open (until run 4 of
    // bench:dashboard ~0.2 % of the records stopped in the future, which no ticket system records).
    const done = stop !== null && stop > now ? null : stop;
    const agreed = kind === 'error' && due !== null && rnd() < 0.03;
    const agreedDue = agreed ? due + Math.floor(200 * HOUR * rnd()) : null;
    const late = due !== null && (done !== null ? done > due : due < now);
    const state =
      due === null
        ? rnd() < 0.5
          ? null
          : 'not-applicable'
        : late
          ? rnd() < 0.05
            ? 'waived'
            : 'breached'
          : done !== null
            ? 'met'
            : due - now < 24 * HOUR
              ? 'at-risk'
              : 'running';
    const cls = CLASSES[Math.floor(rnd() * CLASSES.length)];
    const project = PROJECTS[Math.floor(rnd() * PROJECTS.length)];
    const key = `${project}-${i + 1}`;
    const verdict = {
      key,
      complete: state !== null,
      ...(agreed ? { agreed: { due: iso3(agreedDue) } } : {}),
      pad: PAD,
    };
    out.push([
      key,
      project,
      kind,
      cls,
      1 + Math.floor(rnd() * 10),
      iso3(registered),
      registered,
      due === null ? null : iso3(due),
      due,
      done === null ? null : iso3(done),
      done,
      agreed ? 1 : 0,
      state,
      null,
      null,
      `Issue ${i + 1}: ${kind === 'error' ? 'printing fails' : 'payments are slow'} in ${project}`,
      JSON.stringify(verdict),
      iso3(done ?? registered),
      `cust-${i % CUSTOMERS}`,
      // As the service writes it (schema 13): the agreed deadline of the verdict, whole seconds (iso3).
      agreed ? Math.floor(agreedDue / 1000) * 1000 : null,
    ]);
    if (out.length === chunk) {
      yield out;
      out = [];
    }
  }
  if (out.length) yield out;
}

module.exports = {
  CUSTOMERS,
  generateRecords,
  RECORD_COLUMNS,
  iso3,
};
