/**
 * The dated input changes of an issue from a Jira changelog (Cloud and Data Center share the shape),
 * for the SLA ledger (src/domain/ledger.ts): which of the regulation's inputs changed, from what to
 * what, when and by whom. Option values are read from `fromString`/`toString` (the labels, e.g.
 * "High / Высокая"), else `from`/`to`.
 */
import { parseCode } from '../domain/codes';
import type { HistoryField, InputChange } from '../domain/snapshot';

export interface ChangelogHistory {
  created?: string;
  author?: { accountId?: string; name?: string; key?: string; displayName?: string } | null;
  items?: {
    field?: string;
    fieldId?: string;
    from?: string | null;
    to?: string | null;
    fromString?: string | null;
    /** The new value's text (a string; `unknown` because every object has a `toString` method). */
    toString?: unknown;
  }[];
}

const CODE_FIELDS = ['impact', 'urgency', 'mode', 'nature', 'workaround'] as const;

/** A label like "High / Высокая" or either half → the code. */
function codeOfLabel(field: (typeof CODE_FIELDS)[number], text: string | null | undefined): string | null {
  if (typeof text !== 'string' || text.trim() === '') return null;
  const direct = parseCode(field, text.trim());
  if (direct) return direct;
  for (const part of text.split('/')) {
    const c = parseCode(field, part.trim());
    if (c) return c;
  }
  return null;
}

/**
 * The changes of the given inputs (field id per input) in a changelog, oldest first; an instant the
 * caller cannot read (`toIso` gives null) is skipped.
 * @example inputHistory(histories, { urgency: 'customfield_10021' }, fromJiraDateTime)
 * // [{ field: 'urgency', from: 'high', to: 'low', at: '2026-03-11T09:30:00.000+03:00', by: 'alice' }]
 */
export function inputHistory(
  histories: readonly ChangelogHistory[],
  fieldIds: Partial<Record<HistoryField, string | undefined>>,
  toIso: (jiraDateTime: string | undefined) => string | null,
): InputChange[] {
  const out: InputChange[] = [];
  const byId = new Map<string, HistoryField>();
  for (const [field, id] of Object.entries(fieldIds)) if (id) byId.set(id, field as HistoryField);
  for (const h of histories) {
    const at = toIso(h.created);
    if (!at) continue;
    const by = h.author?.accountId ?? h.author?.name ?? h.author?.key;
    for (const item of h.items ?? []) {
      const field = byId.get(item.fieldId ?? '') ?? byId.get(item.field ?? '');
      if (!field) continue;
      const raw = (side: 'from' | 'to'): unknown => {
        const label =
          side === 'from' ? item.fromString : typeof item.toString === 'string' ? item.toString : null;
        const text = label ?? (side === 'from' ? item.from : item.to);
        if ((CODE_FIELDS as readonly string[]).includes(field))
          return codeOfLabel(field as (typeof CODE_FIELDS)[number], text);
        if (text === null || text === undefined || text === '') return null;
        if (field === 'priorityOverride') {
          const n = Number(text);
          return Number.isInteger(n) ? { value: n, reason: 'from the history' } : null;
        }
        return toIso(text) ?? text;
      };
      out.push({ field, from: raw('from'), to: raw('to'), at, ...(by ? { by } : {}) });
    }
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
