# CMake toolchain: wasm32-wasi with Debian 12's clang-16 + lld-16 + wasi-libc +
# libc++/libc++abi/compiler-rt for wasm32 (scripts/install_cross.sh).
#
#   cmake -S . -B build/wasm32 -DCMAKE_TOOLCHAIN_FILE=targets/toolchains/wasm32.cmake
#   cmake --build build/wasm32 -j2 --target sparsecc-run sparsecc_wasm
#
# Outputs (runtime_cpp/wasm/CMakeLists.txt): bin sparsecc-run.wasm (WASI command),
# sparsecc_runtime.wasm (reactor exporting the C API). ctest runs the test
# executables (*.wasm) through runtime_cpp/wasm/wasi-run (node by default;
# SPARSECC_WASM_RUNNER=wasmtime for the wasmtime PyPI package).
#
# Build mode: -fno-exceptions (Debian's wasm32 libc++abi has no exception
# support; the runtime reports errors through a fail handler, runtime_cpp/src/error.h)
# and no threads (thread_pool.h clamps num_threads to 1).
set(CMAKE_SYSTEM_NAME WASI)
set(CMAKE_SYSTEM_VERSION 1)
set(CMAKE_SYSTEM_PROCESSOR wasm32)
# Platform/WASI.cmake beside this file (CMake 3.25 has none of its own)
list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")

set(SPARSECC_WASM_TRIPLE wasm32-wasi)
set(CMAKE_C_COMPILER clang-16)
set(CMAKE_CXX_COMPILER clang++-16)
set(CMAKE_C_COMPILER_TARGET ${SPARSECC_WASM_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${SPARSECC_WASM_TRIPLE})
set(CMAKE_AR llvm-ar-16 CACHE FILEPATH "")
set(CMAKE_RANLIB llvm-ranlib-16 CACHE FILEPATH "")

# clang-16's wasi driver does not add Debian's libc++ headers (libc++-16-dev-wasm32) itself.
set(SPARSECC_WASI_CXX_INCLUDE /usr/lib/llvm-16/include/wasm32-wasi/c++/v1)
# SIMD128 everywhere (the wasmsimd kernels need it; the rest may autovectorise),
# bulk memory (memcpy/memset as single instructions); node >= 16, wasmtime and
# current browsers run all of these.
set(CMAKE_C_FLAGS_INIT "-msimd128 -mbulk-memory -mnontrapping-fptoint")
set(CMAKE_CXX_FLAGS_INIT "-msimd128 -mbulk-memory -mnontrapping-fptoint -fno-exceptions -isystem ${SPARSECC_WASI_CXX_INCLUDE}")
# clang-16 finds /usr/lib/llvm-16/bin/wasm-ld (lld-16) itself; a 1 MiB shadow stack
# (wasm-ld's default is 64 KiB); memory grows on demand.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-z,stack-size=1048576")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# ctest runs test executables through this wrapper (node or wasmtime)
get_filename_component(_scc_root "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
set(CMAKE_CROSSCOMPILING_EMULATOR "${_scc_root}/runtime_cpp/wasm/wasi-run")
