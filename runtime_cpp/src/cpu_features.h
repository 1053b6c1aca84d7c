// What the CPU this process runs on can execute, detected once.
//   x86-64: AVX2 and FMA (cpuid, including the OS's AVX state support)
//   aarch64: NEON (always present)
//   wasm32: SIMD128 (fixed at compile time: a module built with -msimd128 only
//           instantiates where it is supported)
#pragma once

#include <string>

namespace sparsecc::detail {

struct CpuFeatures {
  bool avx2 = false;
  bool fma = false;
  bool avx512f = false;  // AVX-512 Foundation, with the OS saving ZMM/opmask state
  bool neon = false;
  bool wasm_simd128 = false;
};

const CpuFeatures& cpu_features();

// e.g. "avx2 fma" or "neon" or "" (for logs and the benchmark JSON).
std::string cpu_features_string();

}  // namespace sparsecc::detail
