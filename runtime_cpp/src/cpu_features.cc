// CPU feature detection (see cpu_features.h).
#include "cpu_features.h"

namespace sparsecc::detail {

namespace {

CpuFeatures detect() {
  CpuFeatures f;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  // libgcc / compiler-rt check the cpuid bits and that the OS saves YMM state (XCR0)
  f.avx2 = __builtin_cpu_supports("avx2");
  f.fma = __builtin_cpu_supports("fma");
  f.avx512f = __builtin_cpu_supports("avx512f");
#endif
#if defined(__aarch64__)
  f.neon = true;
#endif
#if defined(__wasm_simd128__)
  f.wasm_simd128 = true;
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

std::string cpu_features_string() {
  const CpuFeatures& f = cpu_features();
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(f.avx2, "avx2");
  add(f.fma, "fma");
  add(f.avx512f, "avx512f");
  add(f.neon, "neon");
  add(f.wasm_simd128, "simd128");
  return s;
}

}  // namespace sparsecc::detail
