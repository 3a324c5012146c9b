/**
 * Transpiles src/domain/calendar/*.ts to CommonJS in `outDir` (default .tmp/bench-engine/) with SWC (no
 * type check), so the bench (and the process-TZ test) run the engine without depending on
 * `npm run build` of the whole project. Returns the folder.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

function buildEngine(outDir) {
  const src = path.join(__dirname, '..', 'src', 'domain', 'calendar');
  const out = outDir || path.join(__dirname, '..', '.tmp', 'bench-engine');
  fs.mkdirSync(out, { recursive: true });
  for (const file of fs.readdirSync(src)) {
    if (!file.endsWith('.ts')) continue;
    const { code } = swc.transformFileSync(path.join(src, file), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    fs.writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), code);
  }
  return out;
}

module.exports = { buildEngine };
