/**
 * Issue #12 item 9: Atlassian's permission linter cannot see the REST calls behind our Jira client
 * wrapper. This test derives every Jira REST route the source can call — each `route\`…\`` template of
 * @forge/api with the HTTP method of the `client.call(…)` it is passed to — maps it to the operation
 * of the Jira Cloud OpenAPI description (../shared/jira-openapi) and checks that manifest.yml grants
 * the operation's OAuth 2.0 scopes (`x-atlassian-oauth2-scopes`: the classic set, or the granular
 * one). A scope removed from the manifest fails CI (proved below on a temporary copy).
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const root = path.resolve(__dirname, '../..');
const SPEC =
  process.env.JIRA_OPENAPI ??
  [
    path.resolve(root, '../shared/jira-openapi/jira-platform-v3.openapi.json'),
    '/work/shared/jira-openapi/jira-platform-v3.openapi.json',
  ].find((p) => fs.existsSync(p))!;

interface Operation {
  'x-atlassian-oauth2-scopes'?: { scheme: string; scopes: string[]; state: string }[];
  security?: Record<string, string[]>[];
  operationId?: string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const spec = require(SPEC) as { paths: Record<string, Record<string, Operation>> };

export interface JiraRoute {
  method: string;
  /** The route with `{}` for each interpolation, without the query. */
  path: string;
  where: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Every `route\`…\`` in the source with the method of the call it is passed to. */
export function jiraRoutes(srcDir = path.join(root, 'src')): { routes: JiraRoute[]; problems: string[] } {
  const routes: JiraRoute[] = [];
  const problems: string[] = [];
  for (const file of sourceFiles(srcDir)) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\broute`([^`]*)`/g)) {
      const at = m.index;
      const line = text.slice(0, at).split('\n').length;
      const where = `${path.relative(root, file)}:${line}`;
      const callAt = text.lastIndexOf('.call', at);
      const between = callAt >= 0 ? text.slice(callAt, at) : '';
      const method = /'(GET|POST|PUT|DELETE|PATCH)'/.exec(between)?.[1];
      if (!method || between.length > 400) {
        problems.push(`${where}: route\`${m[1]}\` is not passed to client.call('METHOD', …)`);
        continue;
      }
      const p = m[1]!.split('?')[0]!.replace(/\$\{[^}]*\}/g, '{}');
      routes.push({ method, path: p, where });
    }
  }
  return { routes, problems };
}

/** The OpenAPI operation of a route: literal segments first, then templated ones. */
function operationOf(r: JiraRoute): { path: string; op: Operation } | null {
  const segs = r.path.split('/');
  let best: { path: string; op: Operation; literal: number } | null = null;
  for (const [p, ops] of Object.entries(spec.paths)) {
    const op = ops[r.method.toLowerCase()];
    if (!op) continue;
    const ps = p.split('/');
    if (ps.length !== segs.length) continue;
    let literal = 0;
    let ok = true;
    for (let i = 0; i < ps.length && ok; i++) {
      const a = segs[i]!;
      const b = ps[i]!;
      if (a === b) literal += 1;
      else if (!(a === '{}' && /^\{.+\}$/.test(b))) ok = false;
    }
    if (ok && (!best || literal > best.literal)) best = { path: p, op, literal };
  }
  return best;
}

/** Routes whose operation's scopes the manifest does not grant (none when all is well). */
export function missingScopes(routes: JiraRoute[], granted: readonly string[]): string[] {
  const have = new Set(granted);
  const out: string[] = [];
  for (const r of routes) {
    const found = operationOf(r);
    if (!found) {
      out.push(`${r.where}: ${r.method} ${r.path} is not an operation of the Jira REST API`);
      continue;
    }
    // The classic and granular sets of `x-atlassian-oauth2-scopes`; where it is absent, `security`.
    const sets = [
      ...(found.op['x-atlassian-oauth2-scopes'] ?? [])
        .filter((s) => s.scheme === 'OAuth2')
        .map((s) => s.scopes),
      ...(found.op['x-atlassian-oauth2-scopes'] ? [] : (found.op.security ?? []).map((s) => s.OAuth2 ?? [])),
    ].filter((s) => s.length > 0);
    if (sets.length === 0) {
      out.push(`${r.where}: ${r.method} ${found.path} names no OAuth 2.0 scope`);
      continue;
    }
    if (!sets.some((set) => set.every((s) => have.has(s))))
      out.push(
        `${r.where}: ${r.method} ${found.path} (${found.op.operationId}) needs ${sets
          .map((s) => s.join(' + '))
          .join(' or ')}`,
      );
  }
  return out;
}

const manifestText = fs.readFileSync(path.join(root, 'manifest.yml'), 'utf8');
const scopesOf = (text: string) =>
  (YAML.parse(text) as { permissions: { scopes: string[] } }).permissions.scopes;

describe('manifest.yml grants the scopes of every Jira REST route the code calls (item 9)', () => {
  const { routes, problems } = jiraRoutes();

  it('finds the routes and the method of each', () => {
    expect(problems).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'GET', path: '/rest/api/3/issue/{}' }),
        expect.objectContaining({ method: 'POST', path: '/rest/api/3/app/field/value' }),
        expect.objectContaining({ method: 'POST', path: '/rest/api/3/search/jql' }),
      ]),
    );
  });

  it('every route is an operation whose scopes manifest.yml has', () => {
    expect(missingScopes(routes, scopesOf(manifestText))).toEqual([]);
  });

  it.each(['write:jira-work', 'read:jira-work', 'write:app-data:jira'])(
    'fails when %s is removed from a copy of manifest.yml',
    (scope) => {
      const copy = manifestText.replace(new RegExp(`^\\s*- ${scope}\\b.*\\n`, 'm'), '');
      expect(scopesOf(copy)).not.toContain(scope);
      const missing = missingScopes(routes, scopesOf(copy));
      expect(missing.length).toBeGreaterThan(0);
      expect(missing.join('\n')).toContain(scope);
    },
  );

  it('fails for a route the code calls that is not in the API, or a route without a method', () => {
    expect(missingScopes([{ method: 'GET', path: '/rest/api/3/nowhere', where: 'x.ts:1' }], [])).toEqual([
      'x.ts:1: GET /rest/api/3/nowhere is not an operation of the Jira REST API',
    ]);
  });
});
