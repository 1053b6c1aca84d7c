#!/usr/bin/env bash
# Installs what building and testing sparsecc needs on a fresh Debian 12 machine:
# the C++ toolchain and CMake from apt (only what is missing; clang-16 with its
# sanitizer/libFuzzer runtimes for scripts/fuzz.sh, valgrind for the leak check),
# then the Python package with its test extras from PyPI. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v cmake >/dev/null 2>&1 || need+=(cmake)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v ninja >/dev/null 2>&1 || need+=(ninja-build)
command -v valgrind >/dev/null 2>&1 || need+=(valgrind)
command -v clang++-16 >/dev/null 2>&1 || need+=(clang-16)
# libFuzzer and the sanitizer runtimes of clang-16
dpkg-query -W -f='${Status}' libclang-rt-16-dev 2>/dev/null | grep -q "install ok installed" || need+=(libclang-rt-16-dev)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${need[@]}"
fi

python3 -m pip install -q --upgrade pip
python3 -m pip install -q ".[test]"
