#!/usr/bin/env bash
# arm64 cross build + tests under qemu-user, on an x86-64 machine:
#   1. configure + build build/arm64 with targets/toolchains/arm64.cmake (clang-16
#      --target=aarch64-linux-gnu, Debian's aarch64 sysroot), Release, runtime +
#      sparsecc-run + C++ tests;
#   2. ctest: every C++ test runs under qemu-aarch64 (CMAKE_CROSSCOMPILING_EMULATOR;
#      long sweeps take their SCC_TEST_QUICK variant there);
#   3. pytest tests/cross: target descriptions, `sparsecc runtime build`, and the
#      models compiled for arm64 run under qemu against onnxruntime and the host runtime.
# Installs the toolchain and qemu first when missing (scripts/install_cross.sh).
#   scripts/test_arm64.sh            # JOBS=2 by default; BUILD_DIR=build/arm64
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
JOBS="${JOBS:-2}"
BUILD_DIR="${BUILD_DIR:-$ROOT/build/arm64}"
PYTHON="${PYTHON:-python3}"

for tool in clang++-16 ld.lld-16 aarch64-linux-gnu-g++ qemu-aarch64; do
  if ! command -v "$tool" >/dev/null; then
    echo "test_arm64: $tool missing, running scripts/install_cross.sh"
    bash "$ROOT/scripts/install_cross.sh"
    break
  fi
done

phase() { echo "test_arm64: $1 ($(( $(date +%s) - T0 )) s so far)"; }
T0=$(date +%s)
mkdir -p "$BUILD_DIR"
GEN=()
if [ ! -f "$BUILD_DIR/CMakeCache.txt" ] && command -v ninja >/dev/null; then GEN=(-G Ninja); fi
cmake -S "$ROOT" -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_TOOLCHAIN_FILE="$ROOT/targets/toolchains/arm64.cmake" \
      -DCMAKE_BUILD_TYPE=Release -DSPARSECC_BUILD_TESTS=ON -DSPARSECC_BUILD_TOOLS=ON -DSPARSECC_BUILD_PYTHON=OFF \
      -DSPARSECC_BUILD_FUZZERS=OFF -DSPARSECC_BUILD_BENCH=OFF > "$BUILD_DIR/configure.log" 2>&1 \
  || { cat "$BUILD_DIR/configure.log"; echo "test_arm64: cmake configure failed" >&2; exit 1; }
cmake --build "$BUILD_DIR" -j "$JOBS"
phase "built"

ctest --test-dir "$BUILD_DIR" -j "$JOBS" --output-on-failure --timeout 1800
phase "C++ tests passed under qemu-aarch64"

# scripts/test.sh runs tests/cross with the rest of pytest (SPARSECC_CROSS_PYTEST=0 here)
if [ "${SPARSECC_CROSS_PYTEST:-1}" != "0" ]; then
  SPARSECC_ARM64_BUILD_DIR="$BUILD_DIR" "$PYTHON" -m pytest "$ROOT/tests/cross" -q -p no:cacheprovider
  phase "pytest tests/cross passed"
fi
