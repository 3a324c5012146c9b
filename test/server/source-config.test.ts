/** Issue #18: the `sources` setting (REGLAMENT_SOURCES / the config file), validated naming field and value. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../src/server/config';
import { tempDir } from './helpers';

const zammad = {
  name: 'zammad',
  kind: 'zammad',
  url: 'https://zammad.example.com',
  credentials: { token: 'api-token-0123456789' },
  auth: { scheme: 'hmac-sha1', secret: 'zammad-webhook-secret-0123' },
  keyPrefix: 'Z#',
  fields: { impact: 'sla_impact' },
};
const generic = {
  name: 'gitlab',
  kind: 'generic',
  auth: { scheme: 'header-token', header: 'X-Gitlab-Token', token: 'gitlab-token-0123456789' },
  mapping: '{ "key": "GL-" & $string(object_attributes.iid), "kind": "incident" }',
};

const problemsOf = (sources: unknown) => {
  const r = loadConfig({ env: { REGLAMENT_SOURCES: JSON.stringify(sources) } });
  if (r.ok) throw new Error('expected problems');
  return r.problems;
};

describe('sources setting', () => {
  it('reads several sources from REGLAMENT_SOURCES', () => {
    const r = loadConfig({ env: { REGLAMENT_SOURCES: JSON.stringify([zammad, generic]) } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.sources.map((s) => s.name)).toEqual(['zammad', 'gitlab']);
  });

  it('reads them from the config file', () => {
    const dir = tempDir();
    const file = path.join(dir, 'reglament.json');
    fs.writeFileSync(file, JSON.stringify({ sources: [zammad] }));
    const r = loadConfig({ env: { REGLAMENT_CONFIG: file } });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.ok && r.config.sources[0]!.auth).toEqual({
      scheme: 'hmac-sha1',
      secret: 'zammad-webhook-secret-0123',
    });
  });

  it('defaults to none', () => {
    const r = loadConfig({ env: {} });
    expect(r.ok && r.config.sources).toEqual([]);
  });

  it('names the source and the field, and never echoes a secret', () => {
    const problems = problemsOf([{ ...zammad, auth: { scheme: 'hmac-sha1', secret: 'short' } }]);
    expect(problems).toEqual([
      {
        setting: 'REGLAMENT_SOURCES',
        message: 'sources[zammad].auth.secret: must be at least 16 characters, got (hidden)',
      },
    ]);
  });

  it('refuses an unknown scheme, kind, name shape, reserved and duplicate names', () => {
    const messages = problemsOf([
      { ...zammad, auth: { scheme: 'md5', secret: 'zammad-webhook-secret-0123' } },
      { ...zammad, name: 'Zammad EU' },
      { ...zammad, name: 'jira' },
      { ...zammad, kind: 'otrs' },
      generic,
      generic,
    ]).map((p) => p.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^sources\[zammad\]\.auth\.scheme: scheme must be one of hmac-sha256, hmac-sha1, glpi, standard-webhooks, bearer, header-token, url-token, bitrix24, none/,
        ),
        "sources[1].name: must be a name of lower-case letters, digits, - and _ (1..40), e.g. zammad-eu, got 'Zammad EU'",
        expect.stringMatching(/^sources\[jira\]\.name: 'jira' is reserved/),
        "sources[zammad].kind: must be one of jira-dc, generic, redmine, yandex-tracker, zammad, glpi, got 'otrs'",
        "sources[gitlab].name: 'gitlab' is declared twice",
      ]),
    );
  });

  it('checks a generic mapping is JSONata, naming the character', () => {
    const [p] = problemsOf([{ ...generic, mapping: '{ "key": ' }]);
    expect(p!.message).toMatch(
      /^sources\[gitlab\]\.mapping: is not a valid JSONata expression: .* \(at character \d+\)$/,
    );
    const [q] = problemsOf([{ ...zammad, mapping: '{}' }]);
    expect(q!.message).toBe(
      'sources[zammad].mapping: only a source of kind generic takes a mapping, this one is "zammad"',
    );
  });

  it('refuses a value that is not a JSON array', () => {
    const r = loadConfig({ env: { REGLAMENT_SOURCES: '{oops' } });
    expect(!r.ok && r.problems[0]).toEqual({
      setting: 'REGLAMENT_SOURCES',
      message: "must be a JSON array of sources, got '{oops'",
    });
  });

  it("takes a source's secrets from REGLAMENT_SOURCE_<NAME>_* so they stay out of the JSON", () => {
    const { secret: _s, ...authNoSecret } = zammad.auth;
    const r = loadConfig({
      env: {
        REGLAMENT_SOURCES: JSON.stringify([
          { ...zammad, name: 'zammad-eu', auth: authNoSecret, credentials: {} },
        ]),
        REGLAMENT_SOURCE_ZAMMAD_EU_SECRET: 'from-the-environment-0123',
        REGLAMENT_SOURCE_ZAMMAD_EU_CREDENTIAL_API_KEY: 'key-0123',
        REGLAMENT_SOURCE_ZAMMAD_EU_POLL_SECONDS: '30',
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toEqual([]);
    expect(r.config.sources[0]).toMatchObject({
      auth: { scheme: 'hmac-sha1', secret: 'from-the-environment-0123' },
      credentials: { apiKey: 'key-0123' },
      pollSeconds: 30,
    });
  });

  it('names a source variable that matches no source or no field, and a bad value by its variable', () => {
    const r = loadConfig({
      env: {
        REGLAMENT_SOURCES: JSON.stringify([zammad]),
        REGLAMENT_SOURCE_OTRS_SECRET: 'x',
        REGLAMENT_SOURCE_ZAMMAD_COLOUR: 'x',
        REGLAMENT_SOURCE_ZAMMAD_SECRET: 'short',
      },
    });
    expect(!r.ok && r.problems).toEqual([
      {
        setting: 'REGLAMENT_SOURCE_OTRS_SECRET',
        message:
          'names no declared source (declared: ZAMMAD); declare it in REGLAMENT_SOURCES or the config file\'s "sources"',
      },
      {
        setting: 'REGLAMENT_SOURCE_ZAMMAD_COLOUR',
        message:
          'is not a source setting (known: SECRET, TOKEN, URL, MAPPING, POLL_SECONDS, CREDENTIAL_<KEY>)',
      },
      {
        setting: 'REGLAMENT_SOURCE_ZAMMAD_SECRET',
        message: 'sources[zammad].auth.secret: must be at least 16 characters, got (hidden)',
      },
    ]);
  });
});
