/**
 * Real Jira checks the values a JQL names: `issuetype in ("Incident", "Обращение")` on a site without
 * "Обращение" is answered 400 `{"errorMessages":["The value 'Обращение' does not exist for the field
 * 'issuetype'."],"warningMessages":[]}` (../shared/jira-real/EXCERPTS.md: RoadieHQ/roadie-backstage-plugins
 * #693, soundcloud/project-dev-kpis #22). Both fake Jiras use this.
 */
function values(jql: string, field: string): string[] {
  const out: string[] = [];
  const value = String.raw`"(?:[^"\\]|\\.)*"|[^\s,()"]+`;
  const re = new RegExp(String.raw`\b${field}\s*(?:(?:not\s+)?in\s*\(([^)]*)\)|!?=\s*(${value}))`, 'gi');
  for (const m of jql.matchAll(re)) {
    const list = m[1] !== undefined ? m[1] : m[2]!;
    for (const v of list.matchAll(new RegExp(value, 'g')))
      out.push(v[0].startsWith('"') ? v[0].slice(1, -1).replace(/\\(.)/g, '$1') : v[0]);
  }
  return out;
}

/** Jira's 400 body for the first value of `field` the site lacks (by name, case-insensitive, or id). */
export function unknownJqlValue(
  jql: string,
  field: string,
  known: { id: string; name: string }[],
): { errorMessages: string[]; warningMessages: string[] } | null {
  for (const v of values(jql, field)) {
    const x = v.toLowerCase();
    if (!known.some((k) => k.name.toLowerCase() === x || k.id === v))
      return {
        errorMessages: [`The value '${v}' does not exist for the field '${field}'.`],
        warningMessages: [],
      };
  }
  return null;
}
