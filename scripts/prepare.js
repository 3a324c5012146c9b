#!/usr/bin/env node
/**
 * `npm install` / `npm ci` lifecycle `prepare`: builds dist/ and the UI screens when the build tools
 * (dev dependencies) are installed. A production install (`npm ci --omit=dev` on a built tree) has no
 * TypeScript or esbuild: it keeps the dist/ and static/<surface>/build/ it has and says so, or fails
 * with what to do when there is no build. (A release tarball from `npm pack` carries the build and
 * runs no lifecycle script at all when installed.)
 */
const fs = require('node:fs');
const path = require('node:path');
const { execSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');
const has = (name) => {
  try {
    require.resolve(name, { paths: [ROOT] });
    return true;
  } catch {
    return false;
  }
};

if (has('typescript') && has('esbuild')) {
  execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
} else if (fs.existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
  process.stderr.write(
    'reglament: build tools not installed (production install); using the existing dist/\n',
  );
} else {
  process.stderr.write(
    'reglament: dist/ is missing and the build tools are not installed. Either install with dev dependencies ' +
      '(npm ci) and build, or install the release tarball (npm pack on a built tree; docs/server.md "Operations").\n',
  );
  process.exit(1);
}
