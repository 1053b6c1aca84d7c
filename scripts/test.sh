#!/usr/bin/env bash
# The test command of the README: installs sparsecc with its test extras, builds
# and runs the C++ tests (ctest), again under AddressSanitizer + UBSan (which also
# checks for leaks), fuzzes the model loader for a minute (scripts/fuzz.sh),
# cross-compiles the NEON and WASM SIMD kernels, then runs the Python tests (pytest).
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

# every neon and wasmsimd kernel of the table compiles for its target (running them is
# the cross-target issue's job)
bash scripts/install_cross.sh
bash scripts/check_cross_compile.sh

# run from tests/ so that `import sparsecc` is the installed package, not the source tree
python3 -m pytest -q -p no:cacheprovider --timeout=900 "$@"
