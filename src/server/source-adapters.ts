/**
 * Issue #18: the factories of the API adapters (Yandex Tracker, Zammad, GLPI) for the source registry
 * (src/server/sources.ts): a `sources` entry of the configuration → the adapter's own configuration.
 *
 * Common fields map the same way for every kind: `url` → the system's base (GLPI: its apirest.php),
 * `keyPrefix`, `fields` (role → the system's field), `auth` (the delivery check, whatever the
 * adapter's default), `credentials` → the adapter's secrets, `options` → everything else it takes
 * (docs/yandex-tracker.md, docs/zammad.md, docs/glpi.md name each).
 */
import type { TicketSource } from '../app/source';
import type { SourceFieldMap } from '../adapters/source-common';
import { createGlpiSource, type GlpiConfig } from '../adapters/glpi';
import { createYandexTrackerSource, type YandexTrackerConfig } from '../adapters/yandex-tracker';
import { createZammadSource, type ZammadConfig } from '../adapters/zammad';
import type { SourceConfig } from './source-config';
import type { SourceContext, SourceFactory } from './sources';

/** The configuration's `auth` checks the deliveries, whatever scheme the adapter would default to. */
function withConfigAuth(source: TicketSource, config: SourceConfig): TicketSource {
  return config.auth ? { ...source, auth: config.auth } : source;
}

/** An adapter's configuration problem, named under the source (`sources[zammad].url: …`). */
function built(config: SourceConfig, make: () => TicketSource): TicketSource {
  try {
    return withConfigAuth(make(), config);
  } catch (e) {
    throw new Error(`sources[${config.name}]: ${(e as Error).message}`);
  }
}

const httpOf = (ctx: SourceContext) => ({ log: ctx.log, ...(ctx.fetch ? { fetch: ctx.fetch } : {}) });
const opt = (config: SourceConfig): Record<string, unknown> => config.options ?? {};
const cred = (config: SourceConfig, key: string): string | undefined => config.credentials?.[key];

export const yandexTrackerFactory: SourceFactory = (config, ctx) =>
  built(config, () =>
    createYandexTrackerSource({
      ...(opt(config) as Partial<YandexTrackerConfig>),
      name: config.name,
      token: cred(config, 'token') ?? '',
      ...(cred(config, 'orgId') ? { orgId: cred(config, 'orgId') } : {}),
      ...(cred(config, 'cloudOrgId') ? { cloudOrgId: cred(config, 'cloudOrgId') } : {}),
      ...(config.url ? { apiUrl: config.url } : {}),
      ...(config.fields ? { fields: config.fields as SourceFieldMap } : {}),
      ...(config.auth?.scheme === 'bearer' ? { webhookToken: config.auth.token } : {}),
      http: httpOf(ctx),
      now: ctx.now,
    }),
  );

export const zammadFactory: SourceFactory = (config, ctx) =>
  built(config, () =>
    createZammadSource({
      ...(opt(config) as Partial<ZammadConfig>),
      name: config.name,
      url: config.url ?? '',
      token: cred(config, 'token') ?? '',
      ...(config.keyPrefix ? { keyPrefix: config.keyPrefix } : {}),
      ...(config.fields ? { fields: config.fields as SourceFieldMap } : {}),
      ...(config.auth?.scheme === 'hmac-sha1' ? { webhookSecret: config.auth.secret } : {}),
      http: httpOf(ctx),
    }),
  );

export const glpiFactory: SourceFactory = (config, ctx) =>
  built(config, () =>
    createGlpiSource({
      ...(opt(config) as Partial<GlpiConfig>),
      name: config.name,
      url: config.url ?? '',
      userToken: cred(config, 'userToken') ?? '',
      ...(cred(config, 'appToken') ? { appToken: cred(config, 'appToken') } : {}),
      timeZone: (opt(config).timeZone as string | undefined) ?? 'Europe/Moscow',
      ...(config.keyPrefix ? { keyPrefix: config.keyPrefix } : {}),
      ...(config.auth?.scheme === 'glpi' ? { webhookSecret: config.auth.secret } : {}),
      http: httpOf(ctx),
    }),
  );
