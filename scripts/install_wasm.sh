#!/usr/bin/env bash
# Installs what the wasm32 part needs beyond the cross toolchain
# (scripts/install_cross.sh: clang-16, lld-16, wasi-libc, libc++/libc++abi and
# compiler-rt for wasm32): only what is missing.
#   apt:  chromium (headless page test of web/demo)
#   pip:  wasmtime (runs sparsecc-run.wasm as a WASI command; pinned)
#   npm:  web/node_modules from web/package-lock.json (onnxruntime-web, the
#         wasm peer in bench/wasm; playwright-core, which drives /usr/bin/chromium)
# node itself comes from the machine (Debian 12 or nodesource, >= 18).
#   scripts/install_wasm.sh            # uses sudo for apt when not root
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WASMTIME_VERSION="${WASMTIME_VERSION:-50.0.1}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

bash "$ROOT/scripts/install_cross.sh"

apt_pkgs=()
command -v node >/dev/null || apt_pkgs+=(nodejs npm)
command -v npm >/dev/null || apt_pkgs+=(npm)
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
  echo "install_wasm: apt installing ${apt_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

if ! python3 -c "import sys, importlib.metadata as m; sys.exit(m.version('wasmtime') != '$WASMTIME_VERSION')" 2>/dev/null; then
  echo "install_wasm: pip installing wasmtime==$WASMTIME_VERSION"
  python3 -m pip install -q "wasmtime==$WASMTIME_VERSION"
fi

# npm ci is exact (the lock) and skips nothing; only run it when the lock changed
stamp="$ROOT/web/node_modules/.sparsecc-lock-sha"
want="$(sha256sum "$ROOT/web/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "install_wasm: npm ci in web/"
  (cd "$ROOT/web" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
echo "install_wasm: ok (node $(node --version), wasmtime $(python3 -c "import importlib.metadata as m; print(m.version('wasmtime'))"), chromium $([ -x /usr/bin/chromium ] && echo yes))"
