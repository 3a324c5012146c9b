/**
 * The export of a ledger (an issue's, or a period's across issues) as JSON Lines or CSV: one fact a
 * line, in the ledger's order. CSV columns: issue_id, fact_id, type, clock, at, recorded_at, by,
 * source, data (the fact's data as JSON); fields are quoted when they hold a comma, quote or newline.
 */
import { compareFacts, type Fact } from '../domain/ledger';
import type { AppDeps } from './deps';
import { periodBound } from '../domain/compliance';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
  'issue_id',
  'fact_id',
  'type',
  'clock',
  'at',
  'recorded_at',
  'by',
  'source',
  'data',
];

const csvField = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Facts as text in a format.
 * @example formatFacts([fact], 'csv') // 'issue_id,fact_id,type,…\r\n10001,f-…,breached,reaction,…\r\n'
 */
export function formatFacts(facts: readonly Fact[], format: ExportFormat): string {
  const sorted = [...facts].sort(
    (a, b) => (a.issueId < b.issueId ? -1 : a.issueId > b.issueId ? 1 : 0) || compareFacts(a, b),
  );
  if (format === 'jsonl') return sorted.map((f) => `${JSON.stringify(f)}\n`).join('');
  const rows = sorted.map((f) =>
    [
      f.issueId,
      f.id,
      f.type,
      f.clock ?? '',
      f.at,
      f.recordedAt,
      f.by ?? '',
      f.source ?? '',
      JSON.stringify(f.data),
    ]
      .map(csvField)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].map((r) => `${r}\r\n`).join('');
}

/**
 * The facts to export: one issue's (by its stable id), or every issue's that happened in a period
 * (`from`/`to` dates read in `zone`, both included, or ISO instants). Throws a RangeError naming the
 * parameter when neither or a malformed bound is given.
 */
export async function exportFacts(
  deps: AppDeps,
  q: { issue?: string; from?: string; to?: string },
  zone: string,
): Promise<Fact[]> {
  if (q.issue) return deps.store.listFacts ? deps.store.listFacts(q.issue) : [];
  if (!q.from || !q.to)
    throw new RangeError('give issue=<id>, or from and to (dates YYYY-MM-DD or instants)');
  if (!deps.store.listFactsBetween) return [];
  return deps.store.listFactsBetween(periodBound(q.from, zone, false), periodBound(q.to, zone, true));
}
