#!/usr/bin/env bash
# Build the qemu TCG plugin libsparsecc_insn.so (tools/qemu_plugin/sparsecc_insn.c).
# The plugin API header comes from Debian's qemu source package, fetched by
# scripts/install_qemu_plugin_deps.sh into build/qemu-plugin-include/ (never vendored).
# Usage: bash tools/qemu_plugin/build.sh [OUT_DIR]   (default build/qemu-plugin)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/build/qemu-plugin}"
INC="${SPARSECC_QEMU_PLUGIN_INCLUDE:-$ROOT/build/qemu-plugin-include}"
if [ ! -f "$INC/qemu-plugin.h" ]; then
  echo "error: $INC/qemu-plugin.h missing: run bash scripts/install_qemu_plugin_deps.sh" >&2
  exit 1
fi
if ! GLIB_CFLAGS="$(pkg-config --cflags glib-2.0 2>/dev/null)"; then
  echo "error: glib-2.0 headers missing (apt-get install libglib2.0-dev pkg-config)" >&2
  exit 1
fi
mkdir -p "$OUT"
# shellcheck disable=SC2086
${CC:-gcc} -O2 -fPIC -shared -Wall -Wextra -Wno-unused-parameter -I"$INC" $GLIB_CFLAGS \
  "$HERE/sparsecc_insn.c" -o "$OUT/libsparsecc_insn.so.tmp"
mv "$OUT/libsparsecc_insn.so.tmp" "$OUT/libsparsecc_insn.so"
echo "$OUT/libsparsecc_insn.so"
