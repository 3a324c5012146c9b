/**
 * manifest.yml, validated offline with @forge/manifest (scripts/validate-manifest.js), plus the
 * cross-checks the validator cannot do: field module keys, handler exports, locale keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { FIELD_MODULE_KEYS } from '../../src/adapters/jira-forge/fields';
import * as entry from '../../src/forge/index';

const root = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { validateManifest } = require('../../scripts/validate-manifest.js') as {
  validateManifest: (o?: { manifestPath?: string; root?: string; strict?: boolean }) => Promise<{
    ok: boolean;
    messages: { level: string; message: string }[];
    notes: string[];
  }>;
};

const manifestText = fs.readFileSync(path.join(root, 'manifest.yml'), 'utf8');
const manifest = YAML.parse(manifestText) as {
  app: { runtime: { name: string } };
  permissions: { scopes: string[] };
  modules: Record<
    string,
    {
      key: string;
      function?: string;
      handler?: string;
      readOnly?: boolean;
      events?: string[];
      filter?: { ignoreSelf?: boolean };
      timeoutSeconds?: number;
    }[]
  >;
};

describe('manifest.yml', () => {
  it('passes the full @forge/manifest validation and the product-trigger scope check', async () => {
    const r = await validateManifest();
    for (const n of r.notes) console.log(`validate-manifest: ${n}`);
    expect(r.messages.filter((m) => m.level === 'error')).toEqual([]);
    expect(r.ok).toBe(true);
    // The first validation builds @forge/manifest's schema validators: ~9 s of CPU on a quiet machine,
    // 90 s under two CPU hogs on a loaded 2-core machine (issue #14), hence the long timeout.
  }, 99_000);

  it('fails when a trigger event lacks its scope (the validator is really checking)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-broken-'));
    try {
      const broken = manifestText.replace(/^\s+- read:jira-work.*$/m, '');
      expect(broken).not.toContain('read:jira-work');
      fs.writeFileSync(path.join(dir, 'manifest.yml'), broken);
      const r = await validateManifest({ manifestPath: path.join(dir, 'manifest.yml') });
      expect(r.ok).toBe(false);
      expect(r.messages.map((m) => m.message).join('\n')).toMatch(/avi:jira:updated:issue.*read:jira-work/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs on nodejs22.x and ignores the app’s own Jira events', () => {
    expect(manifest.app.runtime.name).toBe('nodejs22.x');
    const issueTrigger = manifest.modules.trigger!.find((t) => t.events?.includes('avi:jira:updated:issue'));
    expect(issueTrigger?.filter?.ignoreSelf).toBe(true);
    expect(issueTrigger?.events).toEqual(
      expect.arrayContaining([
        'avi:jira:created:issue',
        'avi:jira:deleted:issue',
        'avi:jira:created:issuelink',
        'avi:jira:commented:issue',
        'avi:jira:released:version',
        'avi:jira:updated:version',
      ]),
    );
  });

  it('declares exactly the fields the adapter discovers, the computed ones read-only', () => {
    const fields = manifest.modules['jira:customField']!;
    expect(fields.map((f) => f.key).sort()).toEqual(Object.values(FIELD_MODULE_KEYS).sort());
    const readOnly = fields
      .filter((f) => f.readOnly)
      .map((f) => f.key)
      .sort();
    expect(readOnly).toEqual(['fix-due', 'reaction-due', 'sla-priority', 'sla-state', 'verification-due']);
  });

  it('points every function at an export of src/forge/index.ts', () => {
    for (const f of manifest.modules.function!) {
      const [file, name] = f.handler!.split('.');
      expect(file).toBe('forge/index');
      expect(typeof (entry as Record<string, unknown>)[name!]).toBe('function');
    }
    const long = manifest.modules
      .function!.filter((f) => f.timeoutSeconds)
      .map((f) => f.key)
      .sort();
    expect(long).toEqual(['consume', 'sweep']);
  });

  it('has the same translation keys in en-US and ru-RU', () => {
    const keys = (o: unknown, p = ''): string[] =>
      typeof o === 'object' && o !== null
        ? Object.entries(o).flatMap(([k, v]) => keys(v, p ? `${p}.${k}` : k))
        : [p];
    const en = JSON.parse(fs.readFileSync(path.join(root, 'locales/en-US.json'), 'utf8'));
    const ru = JSON.parse(fs.readFileSync(path.join(root, 'locales/ru-RU.json'), 'utf8'));
    expect(keys(ru).sort()).toEqual(keys(en).sort());
    for (const k of manifestText.matchAll(/i18n: ([\w.-]+)/g)) expect(keys(en)).toContain(k[1]);
  });
});
