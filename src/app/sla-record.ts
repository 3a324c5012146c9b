/**
 * An SLA record row (the store's) as compliance counts it (src/domain/compliance-types.ts): shared by
 * the dashboard and the stores' aggregates (src/domain/aggregates.ts).
 */
import { instantMs } from '../domain/compliance';
import type { SlaRecord } from '../domain/compliance-types';
import type { Verdict } from '../domain/snapshot';
import type { SlaRecordRow } from './ports';

/** The agreed deadline kept in a record's verdict (read only for the few agreed records). */
export function agreedDueOf(r: SlaRecordRow): string | null {
  if (!r.agreed) return null;
  try {
    const v = JSON.parse(r.verdictJson) as Verdict;
    return v.agreed?.due ?? (v.fix?.agreed ? (v.fix.due ?? null) : null);
  } catch {
    return null;
  }
}

/**
 * The agreed deadline as epoch ms, parsed as compliance parses it (`instantMs`), for the records'
 * `agreed_due_ms` column (schema 13, issue #14): with it every store leaves the settled open agreed
 * records out of a view's live read in SQL. Null when the record is not agreed, or its verdict holds
 * no agreed deadline that parses (such a record is always read live; the caller's rule decides).
 */
export function agreedDueMsOf(r: SlaRecordRow): number | null {
  const due = agreedDueOf(r);
  return due === null ? null : agreedDueMs(due);
}

/** An agreed deadline's text as epoch ms, as compliance parses it (`instantMs`); null when it does not parse. */
export function agreedDueMs(due: string): number | null {
  try {
    const ms = instantMs(due);
    return Number.isFinite(ms) ? ms : null;
  } catch {
    return null;
  }
}

export function toSlaRecord(r: SlaRecordRow): SlaRecord {
  return {
    key: r.key,
    kind: r.kind,
    class: r.class,
    due: r.due,
    doneAt: r.doneAt,
    agreed: r.agreed,
    ...(r.agreed ? { agreedDue: agreedDueOf(r) } : {}),
    ...(r.state === 'breached' ? { breached: true } : {}),
    ...(r.state === 'waived' ? { waived: true } : {}),
    project: r.project,
    // Without it an open undated record counts in every period, even one before it existed (#14).
    registeredAt: r.registeredAt,
    ...(r.customer ? { customer: r.customer } : {}),
  };
}
