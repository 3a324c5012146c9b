/**
 * Runs a worker thread's TypeScript entry from src/ (under jest, or from the sources without a build):
 * each .ts module is compiled to CommonJS with SWC when it is required. The built service (dist/)
 * starts the .js entry directly and never loads this file.
 */
'use strict';
const fs = require('node:fs');
const { workerData } = require('node:worker_threads');
const swc = require('@swc/core');

require.extensions['.ts'] = (module, filename) => {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
require(workerData.entry);
