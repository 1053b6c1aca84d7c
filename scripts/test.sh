#!/usr/bin/env bash
# The test command of the README: installs sparsecc with its test extras, builds
# and runs the C++ tests (ctest), then the Python tests (pytest).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_deps.sh

build=build/cpp-tests
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSPARSECC_BUILD_TESTS=ON -DSPARSECC_BUILD_PYTHON=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"

# run from tests/ so that `import sparsecc` is the installed package, not the source tree
python3 -m pytest -q -p no:cacheprovider --timeout=900 "$@"
