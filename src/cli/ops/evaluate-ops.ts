import { DateTime } from 'luxon';
import { calendarFor } from '../../app/calendars';
import { parseInstant, resolveCalendarConfig } from '../../domain/calendar';
import { CalendarError, type WorkingCalendar } from '../../domain/calendar/types';
import { parseCode } from '../../domain/codes';
import { compliance } from '../../domain/compliance';
import type { SlaRecord } from '../../domain/compliance-types';
import { evaluate, slaRecordOf } from '../../domain/evaluate';
import { EMPTY_LEDGER, observe } from '../../domain/ledger';
import type { Snapshot, Verdict } from '../../domain/snapshot';
import { parseSlaRecord, parseSnapshot } from '../../contract/snapshot-schema';
import { OpError } from '../errors';
import { policyField } from './priority-ops';
import { shown } from './input';
import { registerOp } from './registry';

/**
 * The working calendar of an op line: `calendar` is a (partial) calendar configuration merged over
 * the default (Moscow, 09–13 + 14–18, Russian production calendar); compiled once per distinct config.
 */
export function calendarField(input: Record<string, unknown>): WorkingCalendar {
  const r = resolveCalendarConfig(input.calendar);
  if (!r.ok) {
    throw new OpError(
      'invalid-calendar',
      `the calendar has ${r.problems.length} problem(s): ${r.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}`,
      r.problems,
    );
  }
  return calendarFor(r.config);
}

/** A required (or defaulted) ISO instant field with an offset, as epoch ms. */
export function instantField(input: Record<string, unknown>, field: string, fallback?: () => number): number {
  const raw = input[field];
  if (raw === undefined || raw === null) {
    if (fallback) return fallback();
    throw new OpError('missing-field', `"${field}" is required: an ISO 8601 instant with an offset`);
  }
  try {
    return parseInstant(raw as string);
  } catch (e) {
    throw new OpError('invalid-field', `"${field}": ${(e as Error).message}`);
  }
}

/** Runs a domain computation, turning calendar range/input failures into op errors. */
function guarded<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof CalendarError)
      throw new OpError(e.code === 'out-of-range' ? 'out-of-range' : 'invalid-field', e.message);
    throw e;
  }
}

registerOp('evaluate', (input) => {
  const parsed = parseSnapshot(input.snapshot);
  if (!parsed.ok) {
    throw new OpError(
      'invalid-snapshot',
      `the snapshot has ${parsed.errors.length} problem(s): ${parsed.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}`,
      parsed.errors,
    );
  }
  const now = instantField(input, 'now');
  const policy = policyField(input);
  const calendar = calendarField(input);
  const snapshot = withHistory(parsed.value, input.history);
  return guarded(() => {
    const verdict = evaluate(snapshot, policy, calendar, now);
    if (snapshot.history === undefined) return { ...verdict, record: slaRecordOf(snapshot, verdict) };
    // With a history: the ledger's facts from the registration to now, and the verdict joined with
    // them (a breach that happened stays one, whatever the inputs say now).
    const step = observe(EMPTY_LEDGER, {
      issueId: snapshot.id ?? snapshot.key,
      snapshot,
      verdict,
      policy,
      calendar,
      now,
      source: 'batch',
    });
    return { ...step.verdict, record: ledgerRecordOf(snapshot, step.verdict), ledger: step.state.facts };
  });
});

/**
 * The snapshot with the op's optional `history` (dated input changes, as the snapshot's own
 * `history` field of CONTRACT.md; both given: the op's replaces the snapshot's).
 */
function withHistory(snapshot: Snapshot, history: unknown): Snapshot {
  if (history === undefined) return snapshot;
  const parsed = parseSnapshot({ ...snapshot, history });
  if (!parsed.ok) {
    throw new OpError(
      'invalid-field',
      `"history" has ${parsed.errors.length} problem(s): ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      parsed.errors,
    );
  }
  return parsed.value;
}

/** The SLA record of a verdict joined with its ledger: a recorded breach counts late. */
function ledgerRecordOf(snapshot: Snapshot, verdict: Verdict): SlaRecord | null {
  const base = slaRecordOf(snapshot, verdict);
  if (!base) return null;
  const breach = verdict.breaches?.find(
    (b) => b.clock === (snapshot.kind === 'incident' ? 'reaction' : 'fix'),
  );
  const standard =
    snapshot.kind === 'error' && verdict.fix?.standardDue !== undefined ? verdict.fix.standardDue : base.due;
  return {
    ...base,
    due: breach ? breach.due : standard,
    ...(base.agreed ? { agreedDue: verdict.agreed?.due ?? null } : {}),
    ...(breach ? (breach.waived ? { waived: true } : { breached: true }) : {}),
  };
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `from`/`to` of a compliance line: a date YYYY-MM-DD (read in the calendar's zone) or an instant. */
function boundField(input: Record<string, unknown>, field: string): string {
  const raw = input[field];
  if (typeof raw !== 'string' || raw === '') {
    throw new OpError(
      raw === undefined || raw === null ? 'missing-field' : 'invalid-field',
      `"${field}" is required: a date YYYY-MM-DD or an ISO instant, got ${shown(raw)}`,
    );
  }
  if (!DATE_RE.test(raw)) instantField(input, field);
  else if (!DateTime.fromISO(raw).isValid) {
    throw new OpError('invalid-field', `"${field}": ${shown(raw)} is not a calendar date`);
  }
  return raw;
}

/** Validates a list of SLA records, naming every bad one. */
export function recordsField(input: Record<string, unknown>): SlaRecord[] {
  const raw = input.records;
  if (!Array.isArray(raw)) {
    throw new OpError(
      raw === undefined || raw === null ? 'missing-field' : 'invalid-field',
      `"records" is required: a list of SLA records, got ${shown(raw)}`,
    );
  }
  const out: SlaRecord[] = [];
  const problems: { path: string; message: string }[] = [];
  raw.forEach((r: unknown, i) => {
    const p = parseSlaRecord(r);
    if (p.ok) out.push(p.value);
    else
      for (const e of p.errors)
        problems.push({ path: `records[${i}]${e.path ? `.${e.path}` : ''}`, message: e.message });
  });
  if (problems.length > 0) {
    throw new OpError(
      'invalid-records',
      `${problems.length} problem(s) in the records: ${problems.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      problems,
    );
  }
  return out;
}

registerOp('compliance', (input) => {
  let records = recordsField(input);
  // Issue #17: one customer's figures (`"customer": "acme"`): the records carrying that customer id.
  if (input.customer !== undefined) {
    if (typeof input.customer !== 'string' || input.customer.trim() === '')
      throw new OpError('invalid-field', `"customer" must be a customer id, got ${shown(input.customer)}`);
    const id = input.customer.trim();
    records = records.filter((r) => r.customer === id);
  }
  const from = boundField(input, 'from');
  const to = boundField(input, 'to');
  const now = instantField(input, 'now', () => Date.now());
  const policy = policyField(input);
  const target = policy.complianceTarget;
  const zone = input.calendar === undefined ? 'Europe/Moscow' : calendarField(input).zone;
  let kinds: ('error' | 'incident')[] = ['error', 'incident'];
  if (input.kind !== undefined) {
    const kind = parseCode('kind', input.kind);
    if (!kind) {
      throw new OpError('invalid-field', `"kind" must be error or incident, got ${shown(input.kind)}`);
    }
    kinds = [kind];
  }
  const out: Record<string, unknown> = {};
  for (const k of kinds) {
    out[k === 'error' ? 'errors' : 'incidents'] = guarded(() =>
      compliance(records, k, from, to, now, target, zone, policy.agreedCounting ?? 'standard'),
    );
  }
  return out;
});
