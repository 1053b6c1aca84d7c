# CMake toolchain file: arm64 (aarch64 Linux, glibc) with clang-16 and Debian's
# aarch64 sysroot from g++-aarch64-linux-gnu (scripts/install_cross.sh).
#
#   cmake -S . -B build/arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=targets/toolchains/arm64.cmake
#
# Why clang and not aarch64-linux-gnu-g++-12: gcc-12's cross vectoriser hits an
# internal compiler error on some -O2 kernels; clang-16 compiles them all. The
# gcc cross package is still needed for its headers, libstdc++ and crt files,
# which clang finds by itself under /usr/aarch64-linux-gnu and
# /usr/lib/gcc-cross/aarch64-linux-gnu/12 when given --target=aarch64-linux-gnu.
#
# Tests and tools run on x86-64 under qemu-user: CMAKE_CROSSCOMPILING_EMULATOR
# makes ctest (and add_custom_command) prefix them with qemu-aarch64 -L <sysroot>.
# Overrides: -DSPARSECC_CLANG=clang++-17, -DSPARSECC_AARCH64_SYSROOT=/path.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SPARSECC_CLANG "clang++-16" CACHE STRING "clang++ driver used for the arm64 cross build")
set(SPARSECC_AARCH64_SYSROOT "/usr/aarch64-linux-gnu" CACHE PATH "aarch64 glibc/libstdc++ root (qemu -L)")
set(_scc_triple aarch64-linux-gnu)

find_program(_scc_clangxx NAMES ${SPARSECC_CLANG} REQUIRED)
get_filename_component(_scc_clang_dir ${_scc_clangxx} DIRECTORY)
string(REPLACE "clang++" "clang" _scc_clang_c ${SPARSECC_CLANG})
set(CMAKE_CXX_COMPILER ${_scc_clangxx})
set(CMAKE_C_COMPILER ${_scc_clang_dir}/${_scc_clang_c})
set(CMAKE_CXX_COMPILER_TARGET ${_scc_triple})
set(CMAKE_C_COMPILER_TARGET ${_scc_triple})

# lld-16 links aarch64 objects; the system ld (x86-64 binutils) cannot.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-fuse-ld=lld")

# look for libraries/headers only in the aarch64 tree, programs on the host
set(CMAKE_FIND_ROOT_PATH ${SPARSECC_AARCH64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(SPARSECC_QEMU_AARCH64 qemu-aarch64)
if(SPARSECC_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${SPARSECC_QEMU_AARCH64} -L ${SPARSECC_AARCH64_SYSROOT})
endif()
