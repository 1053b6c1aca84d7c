// Run-time selection of micro-kernels: given a family and a tile, the best
// variant this build has and this CPU can run (avx512, then avx2 / neon /
// wasmsimd, then scalar). The rows come from kernels.def, filtered by CMake to the archs
// compiled for this target (generated scc_kernel_table.inc).
//
//   ukernel::GemmFn f = kernels::best_gemm("6x16");       // throws if absent
//   for (const KernelEntry* e : kernels::available("gemm", "6x16")) ...  // tests
//
// The environment variable SPARSECC_ARCH=scalar (or avx2 / avx512 / neon / wasmsimd)
// restricts selection to that arch plus scalar; read once, at first use.
// Benchmarks and end-to-end tests use it to measure or check the fallback.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ukernel.h"

namespace sparsecc::kernels {

enum class Arch : uint8_t { scalar, avx2, neon, wasmsimd, avx512 };
const char* arch_name(Arch a);

using AnyFn = void (*)();

struct KernelEntry {
  const char* family;    // gemm, dwconv, vact, vbinary, vbinaryc, vsum
  const char* tile;      // "6x16", "3x3s1", "" (no tile)
  Arch arch;
  AnyFn fn;              // cast back with the family's ukernel type
  const char* function;  // e.g. "scc_f32_gemm_ukernel_6x16__avx2"
  const char* source;    // relative to runtime_cpp/kernels/
};

// Every row compiled into this build (whether or not this CPU can run it).
const std::vector<KernelEntry>& compiled_kernels();

// True if this CPU can run `a` and SPARSECC_ARCH does not exclude it.
bool arch_usable(Arch a);

// Variants of (family, tile) usable here, best first (scalar last).
std::vector<const KernelEntry*> available(const std::string& family, const std::string& tile);

// The best usable variant, or nullptr.
const KernelEntry* best(const std::string& family, const std::string& tile);

// Typed lookups; throw sparsecc::Error naming family, tile and the compiled
// variants when nothing usable exists. tile "" for the vector families.
ukernel::GemmFn best_gemm(const std::string& tile);
ukernel::IGemmFn best_igemm(const std::string& tile);
ukernel::PGemmFn best_pgemm(const std::string& tile);
ukernel::DwConvFn best_dwconv(const std::string& tile);
ukernel::ActFn best_vact();
ukernel::BinaryFn best_vbinary();
ukernel::BinaryScalarFn best_vbinaryc();
ukernel::SumFn best_vsum();
ukernel::SpmmFn best_spmm(const std::string& pattern);  // pattern "g1" / "g2" / "g4" / "g8"
ukernel::SpmvFn best_spmv(const std::string& pattern);  // pattern "g1" / "g2" / "g4" / "g8"

// Cast an entry's function to its family's type (no check; use the family).
template <typename Fn>
Fn as(const KernelEntry& e) {
  return reinterpret_cast<Fn>(e.fn);
}

}  // namespace sparsecc::kernels
