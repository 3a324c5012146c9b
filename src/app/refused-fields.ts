/**
 * Writing an edit field by field when Jira refuses some (issue #12 item 6): Jira refuses a whole
 * `PUT /issue` when one field is not on the issue's edit screen (`400 {"errors":{"customfield_11744":
 * "Field 'customfield_11744' cannot be set. It is not on the appropriate screen, or unknown."}}`).
 * The edit is sent again without the fields Jira named, until it passes or nothing is left; the
 * refused fields are reported, the others written.
 */
import type { AppDeps } from './deps';
import type { RefusedField, WriteReport } from './ports';

/**
 * Sends `fields` with `put`, dropping what Jira refuses. `refusal(e)` returns Jira's per-field errors
 * of a failure (field id → message), or null when the failure is not about fields (then it is thrown).
 *
 * @example await writeWhatJiraAccepts('SUP-1', { priority: {…}, customfield_1: 5 }, put, refusal)
 * // [{ issueKey: 'SUP-1', field: 'customfield_1', message: "Field 'customfield_1' cannot be set. …" }]
 */
export async function writeWhatJiraAccepts(
  issueKey: string,
  fields: Record<string, unknown>,
  put: (fields: Record<string, unknown>) => Promise<void>,
  refusal: (e: unknown) => Record<string, string> | null,
): Promise<RefusedField[]> {
  const left = { ...fields };
  const refused: RefusedField[] = [];
  while (Object.keys(left).length > 0) {
    try {
      await put(left);
      return refused;
    } catch (e) {
      const errors = refusal(e);
      const named = Object.entries(errors ?? {}).filter(([id]) => id in left);
      if (named.length === 0) throw e;
      for (const [id, message] of named) {
        refused.push({ issueKey, field: id, message });
        delete left[id];
      }
    }
  }
  return refused;
}

/** Jira's per-field errors from an error body (`{"errors":{…}}`), or null. */
export function fieldErrorsOfBody(body: string): Record<string, string> | null {
  try {
    const j = JSON.parse(body) as { errors?: unknown };
    if (j.errors && typeof j.errors === 'object' && !Array.isArray(j.errors)) {
      const out = Object.fromEntries(
        Object.entries(j.errors as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
      );
      return Object.keys(out).length > 0 ? out : null;
    }
  } catch {
    // not JSON
  }
  return null;
}

/**
 * Reports what a write could not set: a warning in the log, and the settings' `refusedFields` (one
 * entry per field, shown on the admin page) when a field is new there. Our record does not depend on
 * it: the verdict is the engine's, whatever Jira accepts.
 */
export async function noteRefusedFields(deps: AppDeps, report: WriteReport | void): Promise<void> {
  const refused = report?.refused ?? [];
  if (refused.length === 0) return;
  deps.log?.warn('Jira refused to set fields: add them to the edit screen of the issue’s project and type', {
    refused: refused.map((r) => `${r.issueKey} ${r.field}: ${r.message}`),
  });
  const settings = await deps.store.getSettings();
  const known = settings.refusedFields ?? [];
  const fresh = refused.filter((r) => !known.some((k) => k.field === r.field));
  if (fresh.length === 0) return;
  const at = new Date(deps.clock()).toISOString();
  const seen = new Set<string>();
  const added = fresh.filter((r) => !seen.has(r.field) && seen.add(r.field)).map((r) => ({ ...r, at }));
  await deps.store.saveSettings({ ...settings, refusedFields: [...known, ...added] });
}

/** Forgets the refused fields (before "Recompute all", which reports again what is still refused). */
export async function clearRefusedFields(deps: AppDeps): Promise<void> {
  const settings = await deps.store.getSettings();
  if (!settings.refusedFields || settings.refusedFields.length === 0) return;
  const { refusedFields: _dropped, ...rest } = settings;
  await deps.store.saveSettings(rest);
}
