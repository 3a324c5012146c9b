/**
 * An SLA record row (the store's) as compliance counts it (src/domain/compliance-types.ts): shared by
 * the dashboard and the stores' aggregates (src/domain/aggregates.ts).
 */
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
