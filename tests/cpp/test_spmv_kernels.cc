// Sparse-rows (spmv) family tests: the sparse Gemm / MatMul of a few rows.
// Micro-kernel level: every variant of every pattern this CPU can run against a
// double-precision oracle from the dense weights and against its scalar twin,
// at group sparsity 0, 0.5, 0.9 and 1.0, rows R = 1..9 (below, at and above the
// 4-row block), output features not a multiple of G, sub-ranges of group rows
// [m0, m1); nothing outside the rows x [m0, m1) block may be written. Op level:
// Gemm and MatMul "spmm-g<G>" through the whole runtime against the "ref"
// kernel on the dense weights, with bias / without, epilogues, 1 and 2
// threads; malformed indexes are rejected at load with a clear message.
// Seeded random data.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "../../runtime_cpp/kernels/spmm/spmm-driver.h"
#include "kernel_test_data.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "test_harness.h"

using namespace scctest;
using sparsecc::ukernel::SpmvFn;

namespace {

std::string where(const char* fn, size_t R, size_t N, size_t K, double s, size_t m0, size_t m1) {
  return std::string(fn) + " R" + std::to_string(R) + " N" + std::to_string(N) + " K" + std::to_string(K) +
         " s=" + std::to_string(s) + " rows [" + std::to_string(m0) + ", " + std::to_string(m1) + ")";
}

}  // namespace

TEST(every_spmv_variant_matches_double_oracle_and_scalar_twin) {
  const bool quick = std::getenv("SCC_TEST_QUICK") != nullptr;
  size_t checked = 0;
  uint32_t seed = 1;
  for (const char* pattern : {"g1", "g2", "g4", "g8"}) {
    const size_t G = size_t(pattern[1] - '0');
    const auto variants = sparsecc::kernels::available("spmv", pattern);
    CHECK_MSG(!variants.empty(), std::string("no spmv variant for pattern ") + pattern);
    if (variants.empty()) continue;
    const auto* scalar = variants.back();
    CHECK_MSG(scalar->arch == sparsecc::kernels::Arch::scalar, std::string("last spmv variant is not scalar: ") + pattern);
    const auto scalar_fn = sparsecc::kernels::as<SpmvFn>(*scalar);
    for (size_t R : {1, 2, 3, 4, 5, 8, 9}) {
      if (quick && R > 5) continue;
      for (const auto& nk : {std::pair<size_t, size_t>{13, 7}, {32, 64}, {37, 130}, {1000, 97}}) {
        const size_t N = nk.first, K = nk.second;
        for (double s : {0.0, 0.5, 0.9, 1.0}) {
          ++seed;
          const std::vector<float> w = group_sparse(N, K, G, s, seed), b = rnd(N, seed + 1);
          const size_t ldx = K + 3, ldy = N + 5;  // padded rows: strides are honoured
          const std::vector<float> x = rnd(R * ldx, seed + 2);
          std::vector<int64_t> idx;
          std::vector<float> values;
          sparsecc::spmm::pack_dense(w.data(), b.data(), N, K, G, idx, values);
          sparsecc::spmm::SparseWeights sw;
          CHECK_EQ(sparsecc::spmm::parse_index(idx, G, N, K, sw), std::string());
          const std::vector<int32_t> chan(sw.chan.begin(), sw.chan.end());
          // whole range, and a middle sub-range of group rows
          const size_t rows = sw.rows;
          for (const auto& rr : {std::pair<size_t, size_t>{0, rows}, {rows / 3, std::max(rows / 3 + 1, 2 * rows / 3)}}) {
            const size_t r0 = rr.first, r1 = std::min(rr.second, rows);
            if (r0 >= r1) continue;
            const size_t m0 = r0 * G, m1 = std::min(r1 * G, N);
            std::vector<float> want(R * ldy, -7.0f), twin(R * ldy, -7.0f);
            for (size_t r = 0; r < R; ++r)
              for (size_t m = m0; m < m1; ++m) {
                double acc = b[m];
                for (size_t k = 0; k < K; ++k) acc += double(w[m * K + k]) * double(x[r * ldx + k]);
                want[r * ldy + m] = float(acc);
              }
            scalar_fn(R, x.data(), ldx, values.data() + sw.value_off[r0], chan.data() + sw.nz_off[r0],
                      sw.nnz.data() + r0, m0, m1, twin.data(), ldy);
            for (const auto* v : variants) {
              std::vector<float> got(R * ldy, -7.0f);
              sparsecc::kernels::as<SpmvFn>(*v)(R, x.data(), ldx, values.data() + sw.value_off[r0],
                                                 chan.data() + sw.nz_off[r0], sw.nnz.data() + r0, m0, m1, got.data(), ldy);
              for (size_t i = 0; i < got.size(); ++i) {
                const float tol = 1e-5f * (1.0f + float(K) / 16.0f);
                if (!(std::fabs(got[i] - want[i]) <= tol * (1.0f + std::fabs(want[i]))) ||
                    !(std::fabs(got[i] - twin[i]) <= tol * (1.0f + std::fabs(want[i])))) {
                  CHECK_MSG(false, where(v->function, R, N, K, s, m0, m1) + " y[" + std::to_string(i) + "] = " +
                                       std::to_string(got[i]) + ", oracle " + std::to_string(want[i]) + ", scalar " +
                                       std::to_string(twin[i]));
                  return;
                }
                ++checked;
              }
            }
          }
        }
      }
    }
  }
  CHECK(checked > (quick ? 20000u : 50000u));
}

namespace {

// The op through the runtime vs the reference Gemm/MatMul on the dense weights.
void check_op(const std::string& op, size_t G, std::vector<int64_t> xs, int64_t N, double s, bool bias,
              const std::string& act, std::vector<float> act_params, int threads, uint32_t seed) {
  const int64_t K = xs.back();
  int64_t R = 1;
  for (size_t i = 0; i + 1 < xs.size(); ++i) R *= xs[i];
  const std::vector<float> w = group_sparse(size_t(N), size_t(K), G, s, seed);  // [N][K]
  const std::vector<float> b = bias ? rnd(size_t(N), seed + 1) : std::vector<float>();
  const std::vector<float> x = rnd(size_t(R * K), seed + 2);
  std::vector<int64_t> idx;
  std::vector<float> values;
  sparsecc::spmm::pack_dense(w.data(), bias ? b.data() : nullptr, size_t(N), size_t(K), G, idx, values);
  std::vector<int64_t> ys = xs;
  ys.back() = N;
  auto common = [&](NodeRec& n) {
    n.s("activation", act);
    if (!act_params.empty()) n.floats("activation_params", act_params);
  };
  const std::string kernel = "spmm-g" + std::to_string(G);
  const auto got = run_with_kernel(op, kernel, {{xs, x}, constant({int64_t(values.size())}, values)}, ys,
                                   [&](NodeRec& n) {
                                     common(n);
                                     n.ints("spmm_weight_shape", {N, K}).ints("spmm_index", idx);
                                   },
                                   threads);
  std::vector<In> ref_in = {{xs, x}};
  if (op == "Gemm") {
    ref_in.push_back(constant({N, K}, w));
    if (bias) ref_in.push_back(constant({N}, b));
  } else {
    std::vector<float> bt(size_t(K * N));  // MatMul's B [K][N] = W^T
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) bt[size_t(k * N + n)] = w[size_t(n * K + k)];
    ref_in.push_back(constant({K, N}, bt));
  }
  const auto want = run_with_kernel(op, "ref", ref_in, ys, common);
  const std::string what = op + " " + kernel + " R" + std::to_string(R) + " K" + std::to_string(K) + " N" +
                           std::to_string(N) + " s=" + std::to_string(s) + " " + act + " threads=" + std::to_string(threads);
  check_close(got, want, 2e-5f * (1.0f + float(K) / 64), what);
}

}  // namespace

TEST(gemm_and_matmul_spmv_match_reference_over_sparsity_rows_and_threads) {
  uint32_t seed = 300;
  for (size_t G : {1, 2, 4, 8})
    for (double s : {0.0, 0.5, 0.9, 1.0})
      for (int threads : {1, 2}) {
        check_op("Gemm", G, {1, 67}, 45, s, true, "none", {}, threads, ++seed);
        check_op("Gemm", G, {6, 33}, 16, s, false, "relu", {}, threads, ++seed);
        check_op("MatMul", G, {2, 3, 40}, 29, s, false, "none", {}, threads, ++seed);
      }
  check_op("Gemm", 4, {1, 1024}, 1000, 0.7, true, "none", {}, 2, ++seed);  // a classifier
}

TEST(gemm_spmv_every_epilogue_matches_reference) {
  uint32_t seed = 400;
  for (const auto& [act, params] : activation_attrs()) check_op("Gemm", 4, {3, 21}, 11, 0.5, true, act, params, 1, ++seed);
}

TEST(gemm_spmv_rejects_malformed_packing_with_a_clear_message) {
  auto load = [&](const std::string& op, std::vector<int64_t> xs, std::vector<int64_t> idx, std::vector<int64_t> wshape,
                  size_t nvalues) {
    std::vector<int64_t> ys = xs;
    ys.back() = 4;
    size_t n = 1;
    for (int64_t d : xs) n *= size_t(d);
    return kernel_load_error(op, "spmm-g4", {{xs, std::vector<float>(n, 1.0f)}, constant({int64_t(nvalues)}, std::vector<float>(nvalues, 0.5f))},
                             ys, [&](NodeRec& nr) { nr.ints("spmm_weight_shape", wshape).ints("spmm_index", idx); });
  };
  CHECK_EQ(load("Gemm", {1, 3}, {2, 0, 2}, {4, 3}, 12), std::string());
  CHECK_EQ(load("MatMul", {2, 2, 3}, {2, 0, 2}, {4, 3}, 12), std::string());
  std::string err = load("Gemm", {1, 3}, {2, 0, 3}, {4, 3}, 12);
  CHECK_MSG(err.find("leaves [0, 3)") != std::string::npos, err);
  err = load("Gemm", {1, 3}, {5, 0, 1}, {4, 3}, 12);
  CHECK_MSG(err.find("invalid nonzero count") != std::string::npos, err);
  err = load("Gemm", {1, 3}, {2, 0, 2}, {4, 3}, 11);
  CHECK_MSG(err.find("the index needs 12") != std::string::npos, err);
  err = load("Gemm", {1, 3}, {2, 0, 2}, {4, 5}, 12);
  CHECK_MSG(err.find("K = 3") != std::string::npos, err);
  err = load("Gemm", {1, 3}, {2, 0, 2}, {4, 3, 1, 1}, 12);
  CHECK_MSG(err.find("[N, K]") != std::string::npos, err);
  err = load("Gemm", {1, 1, 3}, {2, 0, 2}, {4, 3}, 12);
  CHECK_MSG(err.find("rank 2") != std::string::npos, err);
}
