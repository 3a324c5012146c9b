/**
 * Issue #18: the `sources` section of the configuration (config file `"sources": [...]` or
 * REGLAMENT_SOURCES as a JSON array). Each entry declares one ticket system the service listens to:
 *
 *   { "name": "zammad", "kind": "zammad", "url": "https://zammad.example.com",
 *     "credentials": { "token": "…" }, "auth": { "scheme": "hmac-sha1", "secret": "…" },
 *     "keyPrefix": "Z#", "fields": { "impact": "sla_impact" } }
 *
 * Its webhook is POST /webhooks/<name>. Validated with messages naming the field and the value
 * (`sources[zammad].auth.secret: must be at least 16 characters`). Secrets are never echoed.
 */
import jsonata from 'jsonata';
import { z } from 'zod';
import type { SourceKind } from '../app/source';

export const SOURCE_KINDS = [
  'jira-dc',
  'generic',
  'redmine',
  'yandex-tracker',
  'zammad',
  'glpi',
] as const satisfies readonly SourceKind[];

/**
 * Names the service uses for its own inbox events and routes (the implicit sources of
 * REGLAMENT_JIRA_*, REGLAMENT_REDMINE_*, the generic webhook, notifications): not available.
 */
export const RESERVED_SOURCE_NAMES = ['jira', 'generic', 'redmine', 'notify', 'sources'] as const;

const secret = z
  .string({ error: 'must be a string of at least 16 characters' })
  .min(16, { error: 'must be at least 16 characters' });
const headerName = z
  .string({ error: 'must be an HTTP header name, e.g. X-Gitlab-Token' })
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'must be an HTTP header name, e.g. X-Gitlab-Token' });
const tolerance = z
  .number({ error: 'must be an integer 0..604800 (seconds; 0 = unchecked)' })
  .int({ error: 'must be an integer 0..604800 (seconds; 0 = unchecked)' })
  .min(0, { error: 'must be an integer 0..604800 (seconds; 0 = unchecked)' })
  .max(604800, { error: 'must be an integer 0..604800 (seconds; 0 = unchecked)' });

export const AUTH_SCHEMES = [
  'hmac-sha256',
  'hmac-sha1',
  'glpi',
  'standard-webhooks',
  'bearer',
  'header-token',
  'url-token',
  'bitrix24',
  'none',
] as const;

const authSchema = z.discriminatedUnion(
  'scheme',
  [
    z.object({ scheme: z.literal('hmac-sha256'), secret, header: headerName.optional() }).strict(),
    z.object({ scheme: z.literal('hmac-sha1'), secret, header: headerName.optional() }).strict(),
    z.object({ scheme: z.literal('glpi'), secret, toleranceSec: tolerance.optional() }).strict(),
    z
      .object({
        scheme: z.literal('standard-webhooks'),
        secret: z
          .string({ error: 'must be whsec_<base64>' })
          .regex(/^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/, { error: 'must be whsec_<base64 of 24..64 bytes>' }),
        toleranceSec: tolerance.optional(),
      })
      .strict(),
    z.object({ scheme: z.literal('bearer'), token: secret }).strict(),
    z.object({ scheme: z.literal('header-token'), header: headerName, token: secret }).strict(),
    z.object({ scheme: z.literal('url-token'), token: secret }).strict(),
    z
      .object({
        scheme: z.literal('bitrix24'),
        token: z.string({ error: 'must be a string' }).min(8, { error: 'must be at least 8 characters' }),
      })
      .strict(),
    z.object({ scheme: z.literal('none') }).strict(),
  ],
  { error: `scheme must be one of ${AUTH_SCHEMES.join(', ')}` },
);

export const sourceSchema = z
  .object({
    /** Unique; the webhook is POST /webhooks/<name>; inbox events carry it as their source. */
    name: z
      .string({ error: 'must be a name of lower-case letters, digits, - and _ (1..40), e.g. zammad-eu' })
      .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, {
        error: 'must be a name of lower-case letters, digits, - and _ (1..40), e.g. zammad-eu',
      }),
    kind: z.enum(SOURCE_KINDS, { error: `must be one of ${SOURCE_KINDS.join(', ')}` }),
    /** The system's base URL (REST API and ticket links). */
    url: z
      .string({ error: 'must be an http(s) URL' })
      .refine(
        (v) => {
          try {
            return ['http:', 'https:'].includes(new URL(v).protocol);
          } catch {
            return false;
          }
        },
        { error: 'must be an http(s) URL' },
      )
      .optional(),
    /** What the adapter signs in with (token, apiKey, user, password, …; adapter-specific names). */
    credentials: z.record(z.string(), z.string({ error: 'must be a string' })).optional(),
    /** How its webhook deliveries are authenticated; required for a source that receives webhooks. */
    auth: authSchema.optional(),
    /** Prefix of its ticket keys (systems with numeric ids): Redmine `#`, Zammad `Z#`, GLPI `G#`. */
    keyPrefix: z
      .string({ error: 'must be 1..8 characters without spaces, e.g. Z#' })
      .regex(/^\S{1,8}$/, { error: 'must be 1..8 characters without spaces, e.g. Z#' })
      .optional(),
    /** The system's fields and values → impact, urgency, mode, nature, workaround, customer (adapter-specific). */
    fields: z.record(z.string(), z.unknown()).optional(),
    /** generic: a JSONata expression mapping the delivered JSON to the snapshot (docs/generic-source.md). */
    mapping: z.string({ error: 'must be a JSONata expression' }).optional(),
    /** Seconds between polls (sources that can be polled; 0 = no polling). */
    pollSeconds: z
      .number({ error: 'must be an integer 0..86400' })
      .int({ error: 'must be an integer 0..86400' })
      .min(0, { error: 'must be an integer 0..86400' })
      .max(86400, { error: 'must be an integer 0..86400' })
      .optional(),
    /** Adapter-specific options. */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type SourceConfig = z.infer<typeof sourceSchema>;

export const sourcesSchema = z.array(sourceSchema, { error: 'must be a JSON array of sources' });

/** Problems of the list as a whole (names, mapping), on the raw value, naming each source by its name. */
export function sourceListProblems(raw: unknown): { path: (string | number)[]; message: string }[] {
  if (!Array.isArray(raw)) return [];
  const out: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  raw.forEach((s: unknown, i) => {
    if (!s || typeof s !== 'object') return;
    const o = s as Record<string, unknown>;
    if (typeof o.name === 'string') {
      if ((RESERVED_SOURCE_NAMES as readonly string[]).includes(o.name))
        out.push({
          path: [i, 'name'],
          message: `'${o.name}' is reserved (${RESERVED_SOURCE_NAMES.join(', ')}); the Jira, Redmine and generic webhook of REGLAMENT_JIRA_*, REGLAMENT_REDMINE_* and REGLAMENT_WEBHOOK_SECRET keep those names`,
        });
      if (seen.has(o.name)) out.push({ path: [i, 'name'], message: `'${o.name}' is declared twice` });
      seen.add(o.name);
    }
    if (o.mapping !== undefined && o.kind !== 'generic')
      out.push({
        path: [i, 'mapping'],
        message: `only a source of kind generic takes a mapping, this one is ${JSON.stringify(o.kind)}`,
      });
    if (typeof o.mapping === 'string') {
      const problem = mappingSyntaxProblem(o.mapping);
      if (problem) out.push({ path: [i, 'mapping'], message: problem });
    }
  });
  return out;
}

/** A JSONata syntax error with its position, or null. */
export function mappingSyntaxProblem(expression: string): string | null {
  if (expression.trim() === '') return 'must be a JSONata expression, got an empty text';
  try {
    jsonata(expression);
    return null;
  } catch (e) {
    const err = e as { message?: string; position?: number; token?: string };
    return `is not a valid JSONata expression: ${err.message ?? String(e)}${err.position !== undefined ? ` (at character ${err.position})` : ''}`;
  }
}

/** The environment prefix of a declared source's own settings: REGLAMENT_SOURCE_<NAME>_<FIELD>. */
export const SOURCE_ENV_PREFIX = 'REGLAMENT_SOURCE_';

/** The fields a source's environment variables may set (secrets kept out of the JSON). */
const SOURCE_ENV_FIELDS: Record<string, string[]> = {
  SECRET: ['auth', 'secret'],
  TOKEN: ['auth', 'token'],
  URL: ['url'],
  MAPPING: ['mapping'],
  POLL_SECONDS: ['pollSeconds'],
};

const envNameOf = (source: string): string => source.toUpperCase().replace(/-/g, '_');
const camel = (upper: string): string =>
  upper.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Applies `REGLAMENT_SOURCE_<NAME>_SECRET|TOKEN|URL|MAPPING|POLL_SECONDS` and
 * `REGLAMENT_SOURCE_<NAME>_CREDENTIAL_<KEY>` (→ `credentials.<key>` in camelCase: API_KEY → apiKey)
 * to the declared source `<name>` (upper-cased, `-` as `_`), so secrets stay out of the JSON.
 * @returns the problems (a variable naming no declared source or no known field), and where each
 *   value came from (dotted path → variable).
 */
export function applySourceEnv(
  raw: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): { problems: { setting: string; message: string }[]; sources: Record<string, string> } {
  const problems: { setting: string; message: string }[] = [];
  const from: Record<string, string> = {};
  const list = Array.isArray(raw.sources) ? (raw.sources as unknown[]) : [];
  const names = list.map((s) =>
    s && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string'
      ? envNameOf((s as { name: string }).name)
      : null,
  );
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(SOURCE_ENV_PREFIX) || value === undefined || value === '') continue;
    const rest = variable.slice(SOURCE_ENV_PREFIX.length);
    // The longest declared name that prefixes the rest (names may hold `_`).
    const i = names
      .map((n, idx) => ({ n, idx }))
      .filter(({ n }) => n !== null && rest.startsWith(`${n}_`))
      .sort((a, b) => b.n!.length - a.n!.length)[0]?.idx;
    if (i === undefined) {
      problems.push({
        setting: variable,
        message: `names no declared source (declared: ${names.filter(Boolean).join(', ') || 'none'}); declare it in REGLAMENT_SOURCES or the config file's "sources"`,
      });
      continue;
    }
    const field = rest.slice(names[i]!.length + 1);
    let path: string[] | undefined = SOURCE_ENV_FIELDS[field];
    if (!path && field.startsWith('CREDENTIAL_') && field.length > 'CREDENTIAL_'.length)
      path = ['credentials', camel(field.slice('CREDENTIAL_'.length))];
    if (!path) {
      problems.push({
        setting: variable,
        message: `is not a source setting (known: ${Object.keys(SOURCE_ENV_FIELDS).join(', ')}, CREDENTIAL_<KEY>)`,
      });
      continue;
    }
    const source = { ...(list[i] as Record<string, unknown>) };
    let o = source;
    for (const p of path.slice(0, -1)) {
      o[p] = o[p] && typeof o[p] === 'object' ? { ...(o[p] as Record<string, unknown>) } : {};
      o = o[p] as Record<string, unknown>;
    }
    const last = path[path.length - 1]!;
    o[last] = field === 'POLL_SECONDS' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
    list[i] = source;
    from[['sources', i, ...path].join('.')] = variable;
  }
  if (Object.keys(from).length > 0) raw.sources = list;
  return { problems, sources: from };
}
