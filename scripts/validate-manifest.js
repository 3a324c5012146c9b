#!/usr/bin/env node
/**
 * Offline validation of manifest.yml with @forge/manifest — the validators `forge lint` runs on the
 * manifest (which itself needs a login): YAML, the full JSON schema, module cross-references, handler
 * files, resources, permissions, translations (every i18n key in the default locale), and the
 * product-trigger processor (each event's required scope). Fails on any error-level message.
 *
 * The Custom UI folders (static/<surface>/build) are build output (git-ignored). When one is not built,
 * the manifest is validated in a temporary mirror where the missing folder is a placeholder, and the
 * script says so; `--strict` makes a missing build an error instead.
 *
 * Usage: node scripts/validate-manifest.js [--strict] [--json]
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const YAML = require('yaml');
const { validate, ProcessorBuilder, ValidationTypes } = require('@forge/manifest');

const repoRoot = path.resolve(__dirname, '..');

/**
 * Validates a manifest (default: the repository's) and returns `{ ok, messages, notes }`.
 * `root` is the app folder the manifest's paths are relative to (src/, locales/, static/).
 */
async function validateManifest({
  manifestPath = path.join(repoRoot, 'manifest.yml'),
  root = repoRoot,
  strict = false,
} = {}) {
  const doc = YAML.parse(fs.readFileSync(manifestPath, 'utf8'));
  const resources = (doc.resources || []).map((r) => r.path);
  // A UI Kit resource is an entry file (Forge bundles it from source); a Custom UI one a built folder.
  const isEntryFile = (p) => /\.(tsx|jsx|ts|js)$/.test(p);
  const missing = resources.filter((p) =>
    isEntryFile(p) ? !fs.existsSync(path.join(root, p)) : !fs.existsSync(path.join(root, p, 'index.html')),
  );
  const notes = [];
  if (missing.length > 0 && strict) {
    return result(
      [{ level: 'error', message: `Custom UI not built: ${missing.join(', ')} (run the UI build first)` }],
      notes,
    );
  }
  // Validate in a temporary mirror of the app folder: the manifest, src/ and locales/ linked, each
  // resource copied (the resources validator wants real directories) or, when not built, a placeholder.
  const mirror = fs.mkdtempSync(path.join(os.tmpdir(), 'reglament-manifest-'));
  fs.copyFileSync(manifestPath, path.join(mirror, 'manifest.yml'));
  for (const entry of ['src', 'locales', 'package.json']) {
    if (fs.existsSync(path.join(root, entry)))
      fs.symlinkSync(path.join(root, entry), path.join(mirror, entry));
  }
  for (const p of resources) {
    const dest = path.join(mirror, p);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (isEntryFile(p)) {
      if (missing.includes(p)) notes.push(`UI Kit entry ${p} does not exist`);
      else fs.copyFileSync(path.join(root, p), dest);
    } else if (missing.includes(p)) {
      fs.mkdirSync(dest, { recursive: true });
      fs.writeFileSync(path.join(dest, 'index.html'), '<!doctype html><title>placeholder</title>\n');
      notes.push(
        `resource ${p} is not built: validated with a placeholder (use --strict after the UI build)`,
      );
    } else {
      fs.cpSync(path.join(root, p), dest, { recursive: true });
    }
  }
  const target = path.join(mirror, 'manifest.yml');

  try {
    const full = await validate(false, target);
    const trigger = await ProcessorBuilder.instance()
      .withValidation(ValidationTypes.PRODUCT_TRIGGER)
      .build()
      .process(target);
    const messages = [...(full.errors || []), ...(trigger.errors || [])].map((e) => ({
      level: e.level,
      message: e.message,
      ...(e.line !== undefined ? { line: e.line } : {}),
    }));
    if (!full.success || !trigger.success) {
      if (!messages.some((m) => m.level === 'error'))
        messages.push({ level: 'error', message: 'the validator reported failure without a message' });
    }
    return result(messages, notes);
  } finally {
    fs.rmSync(mirror, { recursive: true, force: true });
  }
}

function result(messages, notes) {
  return { ok: !messages.some((m) => m.level === 'error'), messages, notes };
}

async function main() {
  const args = new Set(process.argv.slice(2));
  const r = await validateManifest({ strict: args.has('--strict') });
  if (args.has('--json')) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } else {
    for (const n of r.notes) console.log(`note: ${n}`);
    for (const m of r.messages) console.log(`${m.level}: ${m.message}${m.line ? ` (line ${m.line})` : ''}`);
    const errors = r.messages.filter((m) => m.level === 'error').length;
    console.log(r.ok ? 'manifest.yml: valid' : `manifest.yml: ${errors} error(s)`);
  }
  process.exitCode = r.ok ? 0 : 1;
}

module.exports = { validateManifest };

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 2;
  });
}
