# CMake toolchain file: x86_64 Linux, native build with the host's C++ compiler
# (whatever CMake finds: $CXX, c++, g++, clang++). AVX2+FMA kernels are compiled
# with per-file flags and chosen at run time (runtime_cpp/kernels/kernels.cmake).
#
#   cmake -S . -B build/x86_64 -DCMAKE_TOOLCHAIN_FILE=targets/toolchains/x86_64.cmake
#
# It exists so that every target description names a toolchain file; on a
# non-x86-64 host it stops with a message instead of building for the wrong CPU.
cmake_host_system_information(RESULT _scc_host_arch QUERY OS_PLATFORM)
if(NOT _scc_host_arch MATCHES "^(x86_64|AMD64|amd64)$")
  message(FATAL_ERROR "targets/toolchains/x86_64.cmake builds natively, but this host is ${_scc_host_arch}; "
                      "cross-compiling to x86_64 is not set up")
endif()
