#!/usr/bin/env bash
# Installs the cross toolchains the kernel cross-compile check needs (Debian 12
# packages; only those missing): clang-16 + lld-16 (the compiler and linker for
# every target), g++-aarch64-linux-gnu (the aarch64 sysroot: headers and libs
# clang uses with --target=aarch64-linux-gnu), wasi-libc and
# libclang-rt-16-dev-wasm32 (wasm32-wasi sysroot and builtins), libc++-16-dev-wasm32 +
# libc++abi-16-dev-wasm32 (the C++ standard headers for wasm32-wasi: <cmath>, ...),
# qemu-user (qemu-aarch64: runs the arm64 build's tests and sparsecc-run on this
# x86-64 machine, with -L /usr/aarch64-linux-gnu for the dynamic loader and libs).
#   scripts/install_cross.sh          # uses sudo when not root
set -euo pipefail

PKGS=(clang-16 lld-16 g++-aarch64-linux-gnu wasi-libc libclang-rt-16-dev-wasm32 libc++-16-dev-wasm32 libc++abi-16-dev-wasm32
      qemu-user)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_cross: all present (${PKGS[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install_cross: installing ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
