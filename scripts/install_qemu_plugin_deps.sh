#!/usr/bin/env bash
# Fetch qemu's TCG plugin header (include/qemu/qemu-plugin.h) for the qemu-user that
# Debian 12 ships (7.2), from Debian's qemu *source* package, into a cache folder:
#   build/qemu-plugin-include/qemu-plugin.h   (never committed: build/ is ignored)
# It needs a deb-src entry for bookworm; one is added in its own sources file
# (/etc/apt/sources.list.d/sparsecc-bookworm-src.sources) when none exists.
# Also installs what building and using the plugin needs: qemu-user, gcc,
# pkg-config + libglib2.0-dev (the header includes <glib.h>), llvm-16 (llvm-mca).
# Usage: bash scripts/install_qemu_plugin_deps.sh [CACHE_DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/build/qemu-plugin-include}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

if [ -f "$OUT/qemu-plugin.h" ]; then
  echo "qemu-plugin.h already in $OUT"
else
  need_pkgs=()
  for p in qemu-user gcc pkg-config libglib2.0-dev llvm-16 clang-16 dpkg-dev xz-utils; do
    dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
  done
  if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    $SUDO tee /etc/apt/sources.list.d/sparsecc-bookworm-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  fi
  $SUDO apt-get update -q
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
  fi
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # the source of the qemu version installed (the plugin API version must match the binary)
  ver="$(dpkg-query -W -f='${source:Version}' qemu-user 2>/dev/null || true)"
  (cd "$tmp" && { [ -n "$ver" ] && apt-get source --download-only -q "qemu=$ver" || apt-get source --download-only -q qemu; })
  orig="$(ls "$tmp"/qemu_*.orig.tar.* | head -1)"
  # only the one header; the tarball's top folder name varies, so match by suffix
  member="$(tar -tf "$orig" | grep "/include/qemu/qemu-plugin\.h$" | head -1 || true)"
  [ -n "$member" ] || { echo "include/qemu/qemu-plugin.h not found in $orig" >&2; exit 1; }
  mkdir -p "$OUT"
  tar -xOf "$orig" "$member" > "$OUT/qemu-plugin.h.tmp"
  mv "$OUT/qemu-plugin.h.tmp" "$OUT/qemu-plugin.h"
  echo "wrote $OUT/qemu-plugin.h (from $(basename "$orig"))"
fi
