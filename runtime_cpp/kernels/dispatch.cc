// Dispatch table and selection (see dispatch.h).
#include "dispatch.h"

#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "../src/cpu_features.h"
#include "../src/error.h"
#include "sparsecc/runtime.h"

// Declarations of every compiled micro-kernel, by family type.
namespace sparsecc::ukernel {
#define SCC_FAMILY_gemm GemmFn
#define SCC_FAMILY_igemm IGemmFn
#define SCC_FAMILY_pgemm PGemmFn
#define SCC_FAMILY_dwconv DwConvFn
#define SCC_FAMILY_vact ActFn
#define SCC_FAMILY_vbinary BinaryFn
#define SCC_FAMILY_vbinaryc BinaryScalarFn
#define SCC_FAMILY_vsum SumFn
#define SCC_FAMILY_pool PoolFn
#define SCC_FAMILY_softmax SoftmaxFn
#define SCC_FAMILY_layernorm LayerNormFn
#define SCC_FAMILY_spmm SpmmFn
#define SCC_FAMILY_spmv SpmvFn
#define SCC_KERNEL(family, tile, arch, fn, source) std::remove_pointer_t<SCC_FAMILY_##family> fn;
#include "scc_kernel_table.inc"
#undef SCC_KERNEL
}  // namespace sparsecc::ukernel

namespace sparsecc::kernels {

namespace {

// Compile-time check that each row's function has its family's signature.
#define SCC_KERNEL(family, tile, arch, fn, source)                                                  \
  {#family, tile, Arch::arch,                                                                      \
   reinterpret_cast<AnyFn>(static_cast<ukernel::SCC_FAMILY_##family>(&ukernel::fn)), #fn, source},
const std::vector<KernelEntry>& table() {
  static const std::vector<KernelEntry> rows = {
#include "scc_kernel_table.inc"
  };
  return rows;
}
#undef SCC_KERNEL

bool cpu_has(Arch a) {
  const detail::CpuFeatures& f = detail::cpu_features();
  switch (a) {
    case Arch::scalar: return true;
    case Arch::avx2: return f.avx2 && f.fma;
    case Arch::avx512: return f.avx512f && f.avx2 && f.fma;
    case Arch::neon: return f.neon;
    case Arch::wasmsimd: return f.wasm_simd128;
  }
  return false;
}

// SPARSECC_ARCH: the one SIMD arch allowed (plus scalar); unset = all.
struct ArchLimit {
  bool set = false;
  Arch only = Arch::scalar;
};

const ArchLimit& arch_limit() {
  static const ArchLimit limit = [] {
    ArchLimit l;
    const char* v = std::getenv("SPARSECC_ARCH");
    if (!v || !*v) return l;
    for (Arch a : {Arch::scalar, Arch::avx2, Arch::avx512, Arch::neon, Arch::wasmsimd})
      if (std::strcmp(v, arch_name(a)) == 0) {
        l.set = true;
        l.only = a;
        return l;
      }
    detail::raise_error(std::string("SPARSECC_ARCH='") + v + "' is not one of scalar, avx2, avx512, neon, wasmsimd");
  }();
  return limit;
}

// Preference: the widest SIMD arch (avx512) first, then the other SIMD archs, scalar last.
int rank(Arch a) { return a == Arch::avx512 ? 0 : (a == Arch::scalar ? 2 : 1); }

}  // namespace

const char* arch_name(Arch a) {
  switch (a) {
    case Arch::scalar: return "scalar";
    case Arch::avx2: return "avx2";
    case Arch::avx512: return "avx512";
    case Arch::neon: return "neon";
    case Arch::wasmsimd: return "wasmsimd";
  }
  return "?";
}

const std::vector<KernelEntry>& compiled_kernels() { return table(); }

bool arch_usable(Arch a) {
  if (!cpu_has(a)) return false;
  const ArchLimit& l = arch_limit();
  return !l.set || a == Arch::scalar || a == l.only;
}

std::vector<const KernelEntry*> available(const std::string& family, const std::string& tile) {
  std::vector<const KernelEntry*> out;
  for (int r = 0; r < 3; ++r)
    for (const KernelEntry& e : table())
      if (rank(e.arch) == r && family == e.family && tile == e.tile && arch_usable(e.arch)) out.push_back(&e);
  return out;
}

const KernelEntry* best(const std::string& family, const std::string& tile) {
  std::vector<const KernelEntry*> v = available(family, tile);
  return v.empty() ? nullptr : v.front();
}

namespace {
const KernelEntry& need(const char* family, const std::string& tile) {
  if (const KernelEntry* e = best(family, tile)) return *e;
  std::string compiled;
  for (const KernelEntry& e : table())
    if (family == std::string(e.family)) {
      compiled += compiled.empty() ? "" : ", ";
      compiled += std::string(*e.tile ? e.tile : "-") + "/" + arch_name(e.arch);
    }
  detail::raise_error(std::string("no usable '") + family + "' micro-kernel with tile '" + (tile.empty() ? "-" : tile) +
              "' in this runtime build (compiled: " + (compiled.empty() ? "none" : compiled) + ")");
}
}  // namespace

ukernel::GemmFn best_gemm(const std::string& tile) { return as<ukernel::GemmFn>(need("gemm", tile)); }
ukernel::IGemmFn best_igemm(const std::string& tile) { return as<ukernel::IGemmFn>(need("igemm", tile)); }
ukernel::PGemmFn best_pgemm(const std::string& tile) { return as<ukernel::PGemmFn>(need("pgemm", tile)); }
ukernel::DwConvFn best_dwconv(const std::string& tile) { return as<ukernel::DwConvFn>(need("dwconv", tile)); }
ukernel::ActFn best_vact() { return as<ukernel::ActFn>(need("vact", "")); }
ukernel::BinaryFn best_vbinary() { return as<ukernel::BinaryFn>(need("vbinary", "")); }
ukernel::BinaryScalarFn best_vbinaryc() { return as<ukernel::BinaryScalarFn>(need("vbinaryc", "")); }
ukernel::SumFn best_vsum() { return as<ukernel::SumFn>(need("vsum", "")); }
ukernel::SpmmFn best_spmm(const std::string& pattern) { return as<ukernel::SpmmFn>(need("spmm", pattern)); }
ukernel::SpmvFn best_spmv(const std::string& pattern) { return as<ukernel::SpmvFn>(need("spmv", pattern)); }

}  // namespace sparsecc::kernels
