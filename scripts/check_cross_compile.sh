#!/usr/bin/env bash
# Compiles every neon and wasmsimd micro-kernel listed in
# runtime_cpp/kernels/kernels.def to an object file with clang-16:
#   neon      --target=aarch64-linux-gnu  (sysroot from g++-aarch64-linux-gnu)
#   wasmsimd  --target=wasm32-wasi -msimd128 (wasi-libc)
# plus the scalar rows for both targets (the fallback must build everywhere).
# Exit status: number of failed files (capped at 100); 0 = all compiled.
# Toolchains: scripts/install_cross.sh.
#   scripts/check_cross_compile.sh [-v]
set -uo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KDIR="$ROOT/runtime_cpp/kernels"
OUT="${TMPDIR:-/tmp}/sparsecc-cross-check"
CXX="${CXX_CROSS:-clang++-16}"
VERBOSE=0
[ "${1:-}" = "-v" ] && VERBOSE=1
mkdir -p "$OUT"

if ! command -v "$CXX" >/dev/null; then
  echo "check_cross_compile: $CXX not found; run scripts/install_cross.sh" >&2
  exit 100
fi

COMMON=(-std=c++17 -O2 -Wall -Wextra -Werror=return-type -I"$ROOT/runtime_cpp/include" -I"$ROOT/runtime_cpp/src" -I"$KDIR" -c)
FLAGS_neon=(--target=aarch64-linux-gnu)
# clang-16's wasi driver does not add Debian's libc++ headers (libc++-16-dev-wasm32) itself
WASI_CXX_INC="${WASI_CXX_INC:-/usr/lib/llvm-16/include/wasm32-wasi/c++/v1}"
FLAGS_wasmsimd=(--target=wasm32-wasi -msimd128 -fno-exceptions -isystem "$WASI_CXX_INC")
# scalar rows are checked for both cross targets
declare -A PAIRS=()
while read -r family tile arch fn src; do
  case "$family" in ''|\#*) continue ;; esac
  case "$arch" in
    neon|wasmsimd) PAIRS["$arch|$src"]=1 ;;
    scalar) PAIRS["neon|$src"]=1; PAIRS["wasmsimd|$src"]=1 ;;
  esac
done < "$KDIR/kernels.def"

fail=0; ok=0
for key in $(printf '%s\n' "${!PAIRS[@]}" | sort); do
  target="${key%%|*}"; src="${key#*|}"
  flags_var="FLAGS_${target}[@]"
  obj="$OUT/${target}-$(echo "$src" | tr '/' '_').o"
  if log=$("$CXX" "${!flags_var}" "${COMMON[@]}" "$KDIR/$src" -o "$obj" 2>&1); then
    ok=$((ok + 1))
    [ $VERBOSE -eq 1 ] && echo "ok    $target  $src"
    [ $VERBOSE -eq 1 ] && [ -n "$log" ] && echo "$log"
  else
    fail=$((fail + 1))
    echo "FAIL  $target  $src"
    echo "$log" | head -20
  fi
done
echo "check_cross_compile: $ok compiled, $fail failed (objects in $OUT)"
[ $fail -gt 100 ] && fail=100
exit $fail
