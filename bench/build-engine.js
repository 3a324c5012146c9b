/**
 * Transpiles src/domain/calendar/*.ts to CommonJS in `outDir` (default .tmp/bench-engine/) with SWC (no
 * type check), so the bench (and the process-TZ test) run the engine without depending on
 * `npm run build` of the whole project. Returns the folder.
 */
'use strict';
const path = require('node:path');
const { transpileTree } = require('./transpile');

function buildEngine(outDir) {
  const src = path.join(__dirname, '..', 'src', 'domain', 'calendar');
  const out = outDir || path.join(__dirname, '..', '.tmp', 'bench-engine');
  transpileTree(src, out);
  return out;
}

module.exports = { buildEngine };
