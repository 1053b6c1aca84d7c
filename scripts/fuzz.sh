#!/usr/bin/env bash
# Fuzzes the model loader (docs/security.md):
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 60 s, every target
#
# Builds the libFuzzer targets of tests/fuzz with clang (-fsanitize=fuzzer,
# address,undefined) in build/fuzz/cmake, regenerates the seed corpus of valid
# models (tests/fuzz/make_corpus.py -> build/fuzz/seeds), then runs the targets
# side by side (one core each), each for SECONDS. New interesting inputs are kept
# in build/fuzz/corpus/<target>/ (reused by the next run); crash, leak, timeout
# and out-of-memory reproducers go to build/fuzz/crashes/. Exits non-zero if any
# target found one. Reproduce: build/fuzz/cmake/tests/fuzz/<target> <file>.
#
# Environment: SPARSECC_FUZZ_CXX (clang++ to use; default clang++-16, else clang++),
# SPARSECC_FUZZ_ARGS (extra libFuzzer flags, e.g. "-max_len=65536").
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_model_loader fuzz_c_api)

cxx="${SPARSECC_FUZZ_CXX:-}"
if [ -z "$cxx" ]; then
  if command -v clang++-16 >/dev/null 2>&1; then cxx=clang++-16
  elif command -v clang++ >/dev/null 2>&1; then cxx=clang++
  else
    echo "fuzz.sh: no clang++ found (bash scripts/install_deps.sh installs clang-16 and libclang-rt-16-dev)" >&2
    exit 1
  fi
fi

out=build/fuzz
cmake -S . -B "$out/cmake" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSPARSECC_BUILD_FUZZERS=ON -DSPARSECC_BUILD_TESTS=OFF -DSPARSECC_BUILD_TOOLS=OFF \
  -DSPARSECC_BUILD_PYTHON=OFF >/dev/null
cmake --build "$out/cmake" -j"$(nproc)" --target "${targets[@]}"

rm -rf "$out/seeds"
python3 tests/fuzz/make_corpus.py "$out/seeds" >/dev/null
mkdir -p "$out/crashes" "$out/logs"

echo "fuzz.sh: running ${targets[*]} for ${secs} s each (logs in $out/logs/)"
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$out/corpus/$t"
  # shellcheck disable=SC2086  # SPARSECC_FUZZ_ARGS is a list of flags
  "$out/cmake/tests/fuzz/$t" "$out/corpus/$t" "$out/seeds" \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/$t-" ${SPARSECC_FUZZ_ARGS:-} >"$out/logs/$t.log" 2>&1 &
  pids+=($!)
done

failed=0
for i in "${!targets[@]}"; do
  t="${targets[$i]}"
  if wait "${pids[$i]}"; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/logs/$t.log" | grep -o '[0-9]*$' || true)
    cov=$(grep -o 'cov: [0-9]*' "$out/logs/$t.log" | tail -1 || true)
    echo "fuzz.sh: $t: no crash in ${secs} s (${runs:-?} inputs, ${cov:-cov ?}, corpus $(ls "$out/corpus/$t" | wc -l) files)"
  else
    failed=1
    echo "fuzz.sh: $t FAILED; last lines of $out/logs/$t.log:" >&2
    tail -n 60 "$out/logs/$t.log" >&2
  fi
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: reproducers in $out/crashes/:" >&2
  ls -l "$out/crashes" >&2
  exit 1
fi
