#!/usr/bin/env bash
# The wasm32 part of the test suite:
#   1. scripts/install_wasm.sh (only what is missing: toolchain, chromium, wasmtime, web/node_modules)
#   2. configure + build build/wasm32 with targets/toolchains/wasm32.cmake (Release, -j2):
#      the C++ tests (*.wasm), sparsecc-run.wasm, sparsecc_runtime.wasm
#   3. ctest under node, then under wasmtime (runtime_cpp/wasm/wasi-run is the emulator)
#   4. pytest tests/wasm (models vs onnxruntime and the host runtime under node and
#      wasmtime, error paths, the browser demo in headless chromium)
#   scripts/test_wasm.sh [extra pytest args]
# SPARSECC_WASM_BUILD overrides the build directory.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${SPARSECC_WASM_BUILD:-$ROOT/build/wasm32}"
export SPARSECC_WASM_BUILD="$BUILD"
cd "$ROOT"

bash scripts/install_wasm.sh

t0=$(date +%s)
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_TOOLCHAIN_FILE="$ROOT/targets/toolchains/wasm32.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DSPARSECC_BUILD_TESTS=ON -DSPARSECC_BUILD_TOOLS=ON >/dev/null
fi
log="$BUILD/build.log"
if ! cmake --build "$BUILD" -j2 >"$log" 2>&1; then
  grep -E "error|Error" "$log" | head -40
  echo "test_wasm: build failed (full log: $log)" >&2
  exit 1
fi
grep -E "warning:" "$log" | sort -u | head -20 || true
echo "test_wasm: build took $(( $(date +%s) - t0 )) s"

for runner in node wasmtime; do
  echo "test_wasm: C++ tests under $runner"
  (cd "$BUILD" && SPARSECC_WASM_RUNNER=$runner ctest --output-on-failure -j2)
done

# scripts/test.sh runs tests/wasm with the rest of pytest (SPARSECC_CROSS_PYTEST=0 here)
if [ "${SPARSECC_CROSS_PYTEST:-1}" != "0" ]; then
  python3 -m pytest -q tests/wasm "$@"
fi
