#!/usr/bin/env bash
# The test command of the README: installs sparsecc with its test extras, builds
# and runs the C++ tests (ctest), again under AddressSanitizer + UBSan (which also
# checks for leaks), fuzzes the model loader for a minute (scripts/fuzz.sh),
# cross-builds the runtime for arm64 and wasm32 and runs the C++ tests there (qemu,
# node, wasmtime), then runs the Python tests (pytest, including the model tests on
# arm64/wasm32 and the browser demo in headless chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_deps.sh

build=build/cpp-tests
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSPARSECC_BUILD_TESTS=ON -DSPARSECC_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"

# the same C++ tests with -fsanitize=address,undefined,float-cast-overflow (gcc does
# not include float-cast-overflow in undefined; LeakSanitizer runs at exit);
# Debug (-O0) keeps this build short
asan=build/cpp-asan
cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DSPARSECC_SANITIZE=address,undefined,float-cast-overflow -DSPARSECC_BUILD_TESTS=ON \
  -DSPARSECC_BUILD_TOOLS=OFF -DSPARSECC_BUILD_PYTHON=OFF >/dev/null
cmake --build "$asan" -j"$(nproc)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$asan" --output-on-failure -j"$(nproc)"

# libFuzzer on the loader (clang-16, ASan+UBSan): 60 s per target, side by side
bash scripts/fuzz.sh 60

# every neon and wasmsimd kernel of the table compiles for its target
bash scripts/install_cross.sh
bash scripts/check_cross_compile.sh

# the qemu TCG plugin (per-layer instruction counts for `sparsecc profile --runner qemu`);
# its API header comes from Debian's qemu source package (docs/profiling.md)
bash scripts/install_qemu_plugin_deps.sh
bash tools/qemu_plugin/build.sh
export SPARSECC_QEMU_PLUGIN="$PWD/build/qemu-plugin/libsparsecc_insn.so"

# arm64: cross build (clang-16, Debian's aarch64 sysroot), every C++ test under qemu-aarch64;
# wasm32: build (clang-16 + wasi-libc), every C++ test under node and wasmtime.
# Their model tests (tests/cross, tests/wasm) run with the rest of pytest below.
SPARSECC_CROSS_PYTEST=0 bash scripts/test_arm64.sh
SPARSECC_CROSS_PYTEST=0 bash scripts/test_wasm.sh

# the tests that need a built runtime find the ones built above (pytest imports the
# installed wheel, which does not know where this checkout's build/ folders are)
export SPARSECC_SOURCE_DIR="$PWD"
export SPARSECC_ARM64_BUILD_DIR="$PWD/build/arm64"
export SPARSECC_WASM_BUILD="$PWD/build/wasm32"
export SPARSECC_RUNTIME_DIR_HOST="$PWD/$build/runtime_cpp"
export SPARSECC_RUNTIME_DIR_ARM64="$PWD/build/arm64/runtime_cpp"
export SPARSECC_RUNTIME_DIR_WASM32="$PWD/build/wasm32/runtime_cpp"

# run from tests/ so that `import sparsecc` is the installed package, not the source tree
python3 -m pytest -q -p no:cacheprovider --timeout=900 "$@"
