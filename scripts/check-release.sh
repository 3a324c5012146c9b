#!/usr/bin/env bash
# Release check (CI): the `npm pack` tarball of a built tree installs with `npm install --omit=dev`
# (no TypeScript, esbuild, Forge or Atlassian UI packages), and `reglament serve` from it answers
# /healthz and /readyz. Prints the size of the production node_modules.
# Usage: scripts/check-release.sh   (after `npm ci`, which builds dist/ and the UI screens)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
node=${NODE:-node}
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

[ -f dist/cli/main.js ] || { echo "dist/ is not built: run npm ci (or npm run build) first" >&2; exit 1; }
# The tree is built already (npm ci ran prepare): pack it as it is.
tarball=$(npm pack --ignore-scripts --silent --pack-destination "$work" | tail -1)
echo "::: release tarball $tarball ($(du -h "$work/$tarball" | cut -f1))"

mkdir "$work/app"
cd "$work/app"
printf '{"name":"reglament-release-check","private":true}\n' >package.json
npm install --omit=dev --no-audit --no-fund --loglevel=error "$work/$tarball"
echo "::: production node_modules: $(du -sh node_modules | cut -f1), $(ls -d node_modules/* node_modules/@*/* 2>/dev/null | grep -vc '/@[^/]*$') top-level packages"
for p in typescript esbuild jest react react-dom @forge/react @forge/api @atlaskit; do
  if [ -e "node_modules/$p" ]; then echo "the production install has $p" >&2; exit 1; fi
done

port=$("$node" -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
REGLAMENT_DATA_DIR="$work/data" "$node" node_modules/reglament/bin/reglament.js serve --host 127.0.0.1 --port "$port" \
  >"$work/serve.log" 2>&1 &
pid=$!
"$node" -e "
const base = 'http://127.0.0.1:$port';
(async () => {
  for (let i = 0; i < 120; i++) {
    try {
      const h = await fetch(base + '/healthz');
      const r = await fetch(base + '/readyz');
      const ui = await fetch(base + '/');
      if (h.status === 200 && r.status === 200 && ui.status === 200) {
        console.log('::: the installed release answers: /healthz', (await h.json()).status, '/readyz', (await r.json()).status);
        return;
      }
    } catch {}
    await new Promise((res) => setTimeout(res, 500));
  }
  console.error('the installed release did not become healthy'); process.exit(1);
})();
" || { cat "$work/serve.log" >&2; exit 1; }
cd "$root"
