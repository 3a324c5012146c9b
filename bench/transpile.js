/**
 * The benches run the TypeScript sources without `npm run build`: SWC transpiles them to CommonJS
 * (no type check) into a directory of the bench's own under .tmp/.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const ROOT = path.join(__dirname, '..');

/** One TypeScript file to CommonJS at `to` (its directory made). */
function transpileFile(from, to) {
  const { code } = swc.transformFileSync(from, {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: false,
  });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.writeFileSync(to, code);
}

/** Every `.ts` file under `srcDir` (not `.d.ts`) to `outDir`, at the same relative path, as `.js`. */
function transpileTree(srcDir, outDir) {
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
        transpileFile(p, path.join(outDir, path.relative(srcDir, p)).replace(/\.ts$/, '.js'));
    }
  };
  walk(srcDir);
}

/** The tests' helpers that start a throw-away PostgreSQL (test/server/postgres.ts and what it imports). */
const POSTGRES_HELPERS = [
  'test/server/postgres.ts',
  'test/support/free-port.ts',
  'test/support/shared-servers.ts',
];

/** Files of the repository (paths relative to it) to `outDir`, at the same relative paths. */
function transpileRepoFiles(rels, outDir) {
  for (const rel of rels) transpileFile(path.join(ROOT, rel), path.join(outDir, rel.replace(/\.ts$/, '.js')));
}

module.exports = { transpileFile, transpileTree, transpileRepoFiles, POSTGRES_HELPERS };
