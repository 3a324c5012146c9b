#!/usr/bin/env node
/**
 * Builds the Custom UI screens with esbuild: static/<surface>/index.tsx → static/<surface>/build/
 * { index.html, index.js, index.css }. Relative asset paths, no inline script or style, so the same
 * build serves Forge Custom UI (resource path static/<surface>/build) and the self-hosted service
 * (/ui/<surface>/). Also compiles the UI Kit field editors (static/field-editors/*.tsx) to
 * static/field-editors/build/ as a check that they build; Forge bundles those from source itself.
 *
 * Usage: node scripts/build-ui.js [--dev] [surface ...]
 */
const path = require('node:path');
const fs = require('node:fs');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const SURFACES = {
  gadget: 'Compliance',
  admin: 'SLA settings',
  panel: 'SLA',
  'issue-actions': 'SLA action',
  issues: 'Issues',
  issue: 'Issue',
  reports: 'Reports',
};

const args = process.argv.slice(2);
const dev = args.includes('--dev');
const only = args.filter((a) => !a.startsWith('--'));

function html(title) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title}</title>
    <link rel="stylesheet" href="./index.css" />
  </head>
  <body>
    <div id="root"></div>
    <script src="./index.js"></script>
  </body>
</html>
`;
}

const common = {
  bundle: true,
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  loader: { '.ts': 'ts', '.tsx': 'tsx' },
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
  legalComments: 'none',
  logLevel: 'warning',
};

async function buildSurface(name, title) {
  const dir = path.join(ROOT, 'static', name);
  const out = path.join(dir, 'build');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const result = await esbuild.build({
    ...common,
    entryPoints: { index: path.join(dir, 'index.tsx') },
    outdir: out,
    format: 'iife',
    platform: 'browser',
    metafile: true,
  });
  fs.writeFileSync(path.join(out, 'index.html'), html(title));
  const sizes = Object.entries(result.metafile.outputs).map(
    ([file, o]) => `${path.basename(file)} ${(o.bytes / 1024).toFixed(0)} KB`,
  );
  return `${name}: ${sizes.join(', ')}`;
}

async function buildFieldEditors() {
  const dir = path.join(ROOT, 'static', 'field-editors');
  if (!fs.existsSync(dir)) return null;
  const entries = fs
    .readdirSync(dir)
    .filter((f) => /\.tsx$/.test(f) && !f.startsWith('_'))
    .map((f) => path.join(dir, f));
  if (entries.length === 0) return null;
  const out = path.join(dir, 'build');
  fs.rmSync(out, { recursive: true, force: true });
  await esbuild.build({
    ...common,
    entryPoints: entries,
    outdir: out,
    format: 'esm',
    platform: 'browser',
  });
  return `field-editors: ${entries.length} UI Kit entries compiled`;
}

async function main() {
  const started = process.hrtime.bigint();
  const names = only.length > 0 ? only : [...Object.keys(SURFACES), 'field-editors'];
  const jobs = names.map((n) => {
    if (n === 'field-editors') return buildFieldEditors();
    if (!(n in SURFACES))
      throw new Error(`unknown surface ${n} (known: ${Object.keys(SURFACES).join(', ')})`);
    return buildSurface(n, SURFACES[n]);
  });
  const lines = (await Promise.all(jobs)).filter(Boolean);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  for (const l of lines) console.log(l);
  console.log(`UI built in ${ms.toFixed(0)} ms`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
