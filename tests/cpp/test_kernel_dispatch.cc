// Dispatch table (generated from runtime_cpp/kernels/kernels.def): the table
// invariants (a scalar row for every (family, tile), function names that
// match family, tile and arch), best-first ordering that follows the CPU
// features, and clear errors for a kernel that is not in the build.
#include <set>
#include <string>
#include <utility>

#include "cpu_features.h"
#include "dispatch.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"

using namespace sparsecc::kernels;

namespace {
std::string key(const KernelEntry& e) { return std::string(e.family) + "/" + e.tile + "/" + arch_name(e.arch); }
}  // namespace

TEST(table_has_a_scalar_row_for_every_family_and_tile) {
  std::set<std::pair<std::string, std::string>> all, with_scalar;
  for (const KernelEntry& e : compiled_kernels()) {
    all.insert({e.family, e.tile});
    if (e.arch == Arch::scalar) with_scalar.insert({e.family, e.tile});
  }
  CHECK(!all.empty());
  for (const auto& ft : all)
    CHECK_MSG(with_scalar.count(ft), "no scalar fallback for " + ft.first + " tile '" + ft.second + "'");
}

TEST(table_rows_are_unique_and_function_names_match_family_tile_arch) {
  std::set<std::string> seen;
  for (const KernelEntry& e : compiled_kernels()) {
    CHECK_MSG(seen.insert(key(e)).second, "duplicate row " + key(e));
    CHECK_MSG(e.fn != nullptr, key(e) + ": null function");
    const std::string fn = e.function;
    const std::string suffix = std::string("__") + arch_name(e.arch);
    CHECK_MSG(fn.size() > suffix.size() && fn.compare(fn.size() - suffix.size(), suffix.size(), suffix) == 0,
              key(e) + ": function " + fn + " does not end in " + suffix);
    CHECK_MSG(fn.find(std::string("_") + e.family + "_") != std::string::npos,
              key(e) + ": function " + fn + " does not name its family");
    if (*e.tile) CHECK_MSG(fn.find(e.tile) != std::string::npos, key(e) + ": function " + fn + " does not name its tile");
  }
}

TEST(available_lists_usable_variants_best_first_with_scalar_last) {
  std::set<std::pair<std::string, std::string>> tiles;
  for (const KernelEntry& e : compiled_kernels()) tiles.insert({e.family, e.tile});
  for (const auto& [family, tile] : tiles) {
    auto v = available(family, tile);
    const std::string what = family + " tile '" + tile + "'";
    CHECK_MSG(!v.empty(), what + ": nothing usable");
    if (v.empty()) continue;
    CHECK_MSG(v.back()->arch == Arch::scalar, what + ": scalar is not last");
    CHECK_MSG(best(family, tile) == v.front(), what + ": best() is not the first available");
    for (const KernelEntry* e : v) CHECK_MSG(arch_usable(e->arch), what + ": unusable arch listed");
    // a SIMD row this CPU can run must be preferred over scalar
    for (const KernelEntry& e : compiled_kernels())
      if (family == e.family && tile == e.tile && e.arch != Arch::scalar && arch_usable(e.arch))
        CHECK_MSG(v.front()->arch != Arch::scalar, what + ": scalar chosen although " + arch_name(e.arch) + " is usable");
  }
}

TEST(arch_usability_follows_the_cpu_features) {
  const auto& f = sparsecc::detail::cpu_features();
  CHECK(arch_usable(Arch::scalar));
  if (!(f.avx2 && f.fma)) CHECK(!arch_usable(Arch::avx2));
  if (!f.neon) CHECK(!arch_usable(Arch::neon));
  if (!f.wasm_simd128) CHECK(!arch_usable(Arch::wasmsimd));
  const std::string s = sparsecc::detail::cpu_features_string();
  CHECK_EQ(s.find("avx2") != std::string::npos, f.avx2);
  CHECK_EQ(s.find("neon") != std::string::npos, f.neon);
}

TEST(typed_lookup_of_a_missing_tile_names_family_and_tile) {
  CHECK_THROWS(best_gemm("99x99"), "'gemm' micro-kernel with tile '99x99'");
  CHECK_THROWS(best_dwconv("7x7s3"), "'dwconv' micro-kernel with tile '7x7s3'");
  CHECK(best("gemm", "99x99") == nullptr);
  CHECK(available("no-such-family", "").empty());
}

TEST(typed_lookup_returns_the_best_variant_function) {
  for (const KernelEntry& e : compiled_kernels()) {
    const std::string f = e.family;
    if (best(f, e.tile) != &e) continue;
    const std::string what = key(e);
    if (f == "gemm") CHECK_MSG(reinterpret_cast<AnyFn>(best_gemm(e.tile)) == e.fn, what);
    if (f == "dwconv") CHECK_MSG(reinterpret_cast<AnyFn>(best_dwconv(e.tile)) == e.fn, what);
    if (f == "vact") CHECK_MSG(reinterpret_cast<AnyFn>(best_vact()) == e.fn, what);
    if (f == "vbinary") CHECK_MSG(reinterpret_cast<AnyFn>(best_vbinary()) == e.fn, what);
    if (f == "vbinaryc") CHECK_MSG(reinterpret_cast<AnyFn>(best_vbinaryc()) == e.fn, what);
    if (f == "vsum") CHECK_MSG(reinterpret_cast<AnyFn>(best_vsum()) == e.fn, what);
  }
}
