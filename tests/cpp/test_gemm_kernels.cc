// GEMM family tests. Micro-kernel level: every variant of every gemm tile this
// CPU can run, against a double-precision oracle and against the scalar twin,
// over mr/nr/k below, at and not multiples of the tile, both operand layouts,
// every bias mode and epilogue; C outside the mr x nr tile must stay untouched.
// Op level: Conv (gemm / im2col-gemm), Gemm and MatMul with packed weights
// through the whole runtime (loader -> session) against the "ref" kernel on the
// same node, with 1 and 2 threads. Seeded random data.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "../../runtime_cpp/kernels/ops/gemm_driver.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "sparsecc/runtime.h"
#include "kernel_test_data.h"
#include "test_harness.h"
#include "epilogue_oracle.h"

using sparsecc::test::epilogue_oracle;

using namespace scctest;
using sparsecc::ukernel::Act;
using sparsecc::ukernel::Bias;
using sparsecc::ukernel::Epilogue;
using sparsecc::ukernel::GemmFn;

namespace {



const std::vector<std::pair<const char*, Epilogue>>& epilogues() { return sparsecc::test::all_epilogues(); }

struct Tile {
  size_t MR, NR;
  std::string name;
};
const Tile kTiles[] = {{12, 32, "12x32"}, {8, 48, "8x48"}, {6, 16, "6x16"}, {8, 8, "8x8"}, {4, 8, "4x8"}};

// One micro-kernel call on an mr x nr x k problem; `packed_a`: A is a [k][mr]
// panel (conv layout), else row-major [mr][k + 3]. Returns the C buffer
// (rows of stride nr + 5, MR + 1 rows, sentinel-filled).
std::vector<float> call_kernel(GemmFn fn, size_t MR, size_t mr, size_t nr, size_t k, bool packed_a, Bias bm,
                               const Epilogue& ep, uint32_t seed, std::vector<double>* oracle) {
  const size_t lda = packed_a ? 0 : k + 3, ldb = nr + 7, ldc = nr + 5;
  const std::vector<float> a = rnd(packed_a ? k * mr : mr * lda, seed), b = rnd(k * ldb, seed + 1),
                           bias = rnd(std::max(MR, nr), seed + 2);
  std::vector<float> c((MR + 1) * ldc, 777.0f);
  const size_t rs = packed_a ? 1 : lda, ks = packed_a ? mr : 1;
  fn(mr, nr, k, a.data(), rs, ks, b.data(), ldb, c.data(), ldc, bm == Bias::none ? nullptr : bias.data(), bm, ep);
  if (oracle) {
    oracle->assign(c.size(), 777.0);
    for (size_t i = 0; i < mr; ++i)
      for (size_t j = 0; j < nr; ++j) {
        double s = bm == Bias::per_row ? bias[i] : (bm == Bias::per_col ? bias[j] : 0.0);
        for (size_t kk = 0; kk < k; ++kk) s += double(a[i * rs + kk * ks]) * b[kk * ldb + j];
        (*oracle)[i * ldc + j] = epilogue_oracle(ep, s);
      }
  }
  return c;
}

std::string where(const std::string& variant, size_t mr, size_t nr, size_t k, bool packed, Bias bm,
                  const char* act, size_t idx) {
  return variant + " mr=" + std::to_string(mr) + " nr=" + std::to_string(nr) + " k=" + std::to_string(k) +
         (packed ? " packed-A" : " row-major-A") + " bias=" + std::to_string(int(bm)) + " act=" + act +
         " at C[" + std::to_string(idx) + "]";
}

}  // namespace

TEST(every_gemm_variant_matches_double_oracle_and_scalar_twin_on_edge_tiles) {
  // SCC_TEST_QUICK (set by ctest when the tests run under an emulator such as
  // qemu-aarch64, where this full cross product takes minutes): each shape is
  // checked with one epilogue instead of all of them.
  const bool quick = std::getenv("SCC_TEST_QUICK") != nullptr;
  size_t checked = 0, shape_count = 0;
  for (const Tile& t : kTiles) {
    const auto variants = sparsecc::kernels::available("gemm", t.name);
    CHECK_MSG(!variants.empty(), "no gemm variant for tile " + t.name);
    const sparsecc::kernels::KernelEntry* scalar = variants.back();
    CHECK_MSG(scalar->arch == sparsecc::kernels::Arch::scalar, "last variant of " + t.name + " is not scalar");
    std::vector<size_t> mrs;  // every row count: mr = 1 takes the GEMV path of the SIMD variants
    for (size_t mr = 1; mr <= t.MR; ++mr) mrs.push_back(mr);
    const std::vector<size_t> nrs = scctest::tile_edges(t.NR, t.MR);
    for (const auto* v : variants) {
      const GemmFn fn = sparsecc::kernels::as<GemmFn>(*v);
      const GemmFn sfn = sparsecc::kernels::as<GemmFn>(*scalar);
      const std::string vname = std::string(v->function);
      uint32_t seed = 1;
      for (size_t mr : mrs)
        for (size_t nr : nrs)
          for (size_t k : {size_t(1), size_t(2), size_t(7), size_t(64)})
            for (bool packed : {true, false})
              for (Bias bm : {Bias::none, Bias::per_row, Bias::per_col}) {
                const size_t shape_no = shape_count++;
                size_t ep_no = 0;
                for (const auto& [aname, ep] : epilogues()) {
                  if (mr == 0 || nr == 0) continue;
                  // quick: one epilogue per shape, rotating (every shape and every epilogue still checked)
                  if (quick && ep_no++ % epilogues().size() != shape_no % epilogues().size()) continue;
                  std::vector<double> want;
                  const auto got = call_kernel(fn, t.MR, mr, nr, k, packed, bm, ep, ++seed, &want);
                  const auto twin = call_kernel(sfn, t.MR, mr, nr, k, packed, bm, ep, seed, nullptr);
                  for (size_t i = 0; i < got.size(); ++i) {
                    const double tol = 1e-5 * (1.0 + std::fabs(want[i])) * (1.0 + double(k) / 16);
                    if (std::fabs(got[i] - want[i]) > tol) {
                      CHECK_MSG(false, where(vname, mr, nr, k, packed, bm, aname, i) + " = " + std::to_string(got[i]) +
                                           ", oracle " + std::to_string(want[i]));
                      break;
                    }
                    if (std::fabs(got[i] - twin[i]) > tol) {
                      CHECK_MSG(false, where(vname, mr, nr, k, packed, bm, aname, i) + " = " + std::to_string(got[i]) +
                                           ", scalar twin " + std::to_string(twin[i]));
                      break;
                    }
                  }
                  ++checked;
                }
              }
    }
  }
  CHECK(checked > 1000);
}

TEST(conv_1x1_reading_b_in_place_matches_the_packed_path_and_a_double_oracle) {
  // gemm::conv_1x1_in_place (no strip copy; conv_image takes it for K <= 128)
  // against conv_packed_b and a double oracle, every variant, column chunks
  // and pixel counts around the tile, M around MR.
  const auto& eps = sparsecc::test::all_epilogues();
  uint32_t seed = 50;
  size_t run = 0;
  for (const Tile& t : kTiles)
    for (const auto* v : sparsecc::kernels::available("gemm", t.name))
      for (size_t M : {size_t(1), t.MR - 1, t.MR + 1, 2 * t.MR + 3})
        for (size_t K : {size_t(1), size_t(32), size_t(130)})
          for (size_t P : {size_t(1), t.NR - 1, t.NR + 1, size_t(3000)}) {
            const Epilogue& ep = eps[(M + K + P) % eps.size()].second;
            const auto x = rnd(K * P, ++seed), w = rnd(M * K, ++seed), bias = rnd(M, ++seed);
            const auto packed = sparsecc::gemm::pack_a_panels(w.data(), M, K, t.MR);
            const sparsecc::gemm::ChannelGemm g{{sparsecc::kernels::as<GemmFn>(*v), t.MR, t.NR}, M, K, packed.data(),
                                                bias.data(), ep};
            std::vector<float> y1(M * P, -7.0f), y2 = y1, scratch(K * sparsecc::gemm::chunk_columns(K, P, t.NR));
            auto serial = [](size_t n, const auto& body) { body(0, n); };
            sparsecc::gemm::conv_1x1_in_place(g, P, x.data(), y1.data(), serial);
            sparsecc::gemm::conv_packed_b(g, nullptr, P, x.data(), y2.data(), scratch.data(), serial);
            ++run;
            for (size_t i = 0; i < M * P; ++i) {
              const size_t m = i / P, p = i % P;
              double s = bias[m];
              for (size_t k = 0; k < K; ++k) s += double(w[m * K + k]) * x[k * P + p];
              const double want = epilogue_oracle(ep, s), tol = 1e-5 * (1.0 + std::fabs(want)) * (1.0 + double(K) / 16);
              if (!(std::fabs(y1[i] - want) <= tol) || y1[i] != y2[i]) {
                CHECK_MSG(false, std::string(v->function) + " M=" + std::to_string(M) + " K=" + std::to_string(K) +
                                     " P=" + std::to_string(P) + ": in place y[" + std::to_string(i) + "] = " +
                                     std::to_string(y1[i]) + ", packed " + std::to_string(y2[i]) + ", oracle " +
                                     std::to_string(want));
                break;
              }
            }
          }
  CHECK(run >= 48);
}

TEST(weight_packing_keeps_every_value_and_puts_it_in_its_panel_slot) {
  const size_t M = 13, K = 5, MR = 6;
  std::vector<float> w(M * K);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(i);
  const auto pa = sparsecc::gemm::pack_a_panels(w.data(), M, K, MR);
  CHECK_EQ(pa.size(), w.size());
  // row 12 is alone in the last panel (width 1) which starts at 12 * K
  for (size_t k = 0; k < K; ++k) CHECK_EQ(pa[12 * K + k], w[12 * K + k]);
  // row 7 (panel 1, lane 1), column 3 -> 6*K + 3*6 + 1
  CHECK_EQ(pa[6 * K + 3 * 6 + 1], w[7 * K + 3]);
  const size_t N = 17, NR = 16;
  std::vector<float> b(K * N);
  for (size_t i = 0; i < b.size(); ++i) b[i] = float(i);
  const auto pb = sparsecc::gemm::pack_b_panels(b.data(), K, N, NR);
  CHECK_EQ(pb[2 * 16 + 5], b[2 * N + 5]);        // panel 0, k=2, column 5
  CHECK_EQ(pb[16 * K + 4], b[4 * N + 16]);       // panel 1 (width 1), k=4
  std::vector<float> wt(N * K);                  // Gemm's W[N][K] = b transposed
  for (size_t n = 0; n < N; ++n)
    for (size_t k = 0; k < K; ++k) wt[n * K + k] = b[k * N + n];
  CHECK(sparsecc::gemm::pack_bt_panels(wt.data(), N, K, NR) == pb);
}

namespace {

struct ConvCase {
  int64_t N, C, H, W, M, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw;
  bool bias;
  const char* act;
  std::vector<float> act_params;
};

std::string conv_name(const ConvCase& c) {
  std::string s = "N" + std::to_string(c.N) + " C" + std::to_string(c.C) + " " + std::to_string(c.H) + "x" +
                  std::to_string(c.W) + " M" + std::to_string(c.M) + " k" + std::to_string(c.kh) + "x" +
                  std::to_string(c.kw) + " s" + std::to_string(c.sh) + "," + std::to_string(c.sw) + " pads " +
                  std::to_string(c.pt) + "," + std::to_string(c.pl) + "," + std::to_string(c.pb) + "," +
                  std::to_string(c.pr) + " d" + std::to_string(c.dh) + "," + std::to_string(c.dw) +
                  (c.bias ? " bias " : " no-bias ") + c.act;
  return s;
}

// Runs the case with `kernel` on weights packed for `MR` and with "ref" on the
// plain weights; reports the first differing element.
void check_conv(const ConvCase& c, const std::string& kernel, size_t MR, int threads, uint32_t seed) {
  const int64_t K = c.C * c.kh * c.kw;
  const int64_t OH = (c.H + c.pt + c.pb - c.dh * (c.kh - 1) - 1) / c.sh + 1;
  const int64_t OW = (c.W + c.pl + c.pr - c.dw * (c.kw - 1) - 1) / c.sw + 1;
  const auto x = rnd(size_t(c.N * c.C * c.H * c.W), seed), w = rnd(size_t(c.M * K), seed + 1),
             b = rnd(size_t(c.M), seed + 2);
  const auto packed = sparsecc::gemm::pack_a_panels(w.data(), size_t(c.M), size_t(K), MR);
  auto attrs = [&](NodeRec& n) {
    n.ints("strides", {c.sh, c.sw}).ints("pads", {c.pt, c.pl, c.pb, c.pr}).ints("dilations", {c.dh, c.dw});
    n.s("activation", c.act);
    if (!c.act_params.empty()) n.floats("activation_params", c.act_params);
  };
  const std::vector<int64_t> xs = {c.N, c.C, c.H, c.W}, ws = {c.M, c.C, c.kh, c.kw}, ys = {c.N, c.M, OH, OW};
  std::vector<In> fast_in = {{xs, x}, constant(ws, packed)}, ref_in = {{xs, x}, constant(ws, w)};
  if (c.bias) fast_in.push_back(constant({c.M}, b)), ref_in.push_back(constant({c.M}, b));
  const auto got = run_with_kernel("Conv", kernel, fast_in, ys, attrs, threads);
  const auto want = run_with_kernel("Conv", "ref", ref_in, ys, attrs, 1);
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 2e-5f * (1.0f + std::fabs(want[i])) * (1.0f + float(K) / 64))) {
      CHECK_MSG(false, kernel + " threads=" + std::to_string(threads) + " " + conv_name(c) + ": y[" +
                           std::to_string(i) + "] = " + std::to_string(got[i]) + ", ref " + std::to_string(want[i]));
      return;
    }
}

const char* const kTileNames[] = {"12x32", "8x48", "6x16", "8x8", "4x8"};
const size_t kTileMR[] = {12, 8, 6, 8, 4};
const size_t kTileNR[] = {32, 48, 16, 8, 8};
constexpr size_t kNumTiles = sizeof(kTileMR) / sizeof(kTileMR[0]);

}  // namespace

TEST(conv_1x1_gemm_matches_reference_over_channel_and_pixel_edges) {
  uint32_t seed = 100;
  for (int64_t M : {1, 5, 6, 7, 13, 25, 32})
    for (int64_t C : {1, 3, 17})
      for (auto hw : {std::pair<int64_t, int64_t>{1, 1}, {3, 5}, {4, 4}, {7, 7}, {9, 11}, {6, 8}})
        for (size_t t = 0; t < kNumTiles; ++t) {
          const ConvCase c{M == 7 ? 2 : 1, C, hw.first, hw.second, M, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, M != 6, "relu", {}};
          check_conv(c, std::string("gemm-") + kTileNames[t], kTileMR[t], 1, ++seed);
        }
}

TEST(conv_gemm_every_epilogue_matches_reference) {
  const std::vector<std::pair<const char*, std::vector<float>>> acts = {
      {"none", {}}, {"relu", {}}, {"clip", {0.0f, 6.0f}}, {"clip", {-0.3f, 0.2f}}, {"leaky_relu", {0.01f}},
      {"sigmoid", {}}, {"hard_sigmoid", {0.2f, 0.5f}}, {"hard_swish", {}}, {"tanh", {}}, {"gelu", {}},
      {"gelu_tanh", {}}, {"silu", {}}};
  uint32_t seed = 200;
  for (const auto& [act, params] : acts) {
    check_conv({1, 19, 5, 7, 11, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, act, params}, "gemm-6x16", 6, 1, ++seed);
    check_conv({1, 4, 6, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, act, params}, "im2col-gemm-6x16", 6, 1, ++seed);
  }
}

TEST(conv_im2col_gemm_matches_reference_over_strides_pads_dilations) {
  uint32_t seed = 300;
  const std::vector<ConvCase> cases = {
      {1, 3, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, "relu", {}},
      {1, 3, 10, 11, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, true, "none", {}},
      {2, 5, 8, 6, 13, 3, 3, 1, 2, 0, 2, 1, 0, 1, 1, false, "clip", {0.0f, 6.0f}},
      {1, 2, 12, 12, 17, 5, 5, 2, 1, 2, 2, 2, 2, 1, 1, true, "none", {}},
      {1, 4, 7, 9, 6, 2, 3, 1, 1, 0, 1, 0, 1, 1, 1, true, "leaky_relu", {0.2f}},
      {1, 3, 11, 11, 5, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, true, "none", {}},  // dilation 2
      {1, 6, 8, 8, 16, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, true, "relu", {}},   // 1x1 stride 2 (downsample)
      {1, 3, 16, 16, 4, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, true, "relu", {}},  // ResNet stem shape, small
      {1, 1, 3, 3, 1, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, false, "none", {}},   // a single output pixel
      {1, 2, 2, 2, 3, 3, 3, 1, 1, 2, 1, 0, 2, 1, 1, true, "none", {}},    // pads larger than the image
  };
  for (const ConvCase& c : cases)
    for (size_t t = 0; t < kNumTiles; ++t) check_conv(c, std::string("im2col-gemm-") + kTileNames[t], kTileMR[t], 1, ++seed);
}

TEST(conv_gemm_with_more_than_one_cache_chunk_matches_reference) {
  // K = 480 * 9 = 4320 > 1 MiB / (4 * 64 * 4): several column chunks of 64 pixels
  const ConvCase c{1, 480, 12, 12, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true, "relu", {}};
  check_conv(c, "im2col-gemm-6x16", 6, 1, 401);
  check_conv(c, "im2col-gemm-6x16", 6, 2, 402);
  const ConvCase d{1, 4200, 10, 10, 9, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, "none", {}};
  check_conv(d, "gemm-6x16", 6, 1, 403);
  check_conv(c, "im2col-gemm-12x32", 12, 2, 404);
  check_conv(d, "gemm-12x32", 12, 1, 405);
}

TEST(conv_gemm_on_two_threads_matches_reference) {
  uint32_t seed = 500;
  check_conv({2, 16, 14, 14, 40, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, "relu", {}}, "gemm-6x16", 6, 2, ++seed);
  check_conv({1, 8, 15, 13, 21, 3, 3, 2, 1, 1, 1, 1, 1, 1, 1, true, "hard_swish", {}}, "im2col-gemm-6x16", 6, 2, ++seed);
  check_conv({1, 8, 15, 13, 21, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false, "none", {}}, "im2col-gemm-4x8", 4, 2, ++seed);
  check_conv({1, 16, 14, 14, 50, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, true, "relu", {}}, "gemm-12x32", 12, 2, ++seed);
}

namespace {

void check_gemm(int64_t M, int64_t K, int64_t N, bool bias, const std::string& tile, size_t NR, int threads,
                const char* act, uint32_t seed) {
  const auto x = rnd(size_t(M * K), seed), w = rnd(size_t(N * K), seed + 1), b = rnd(size_t(N), seed + 2);
  const auto packed = sparsecc::gemm::pack_bt_panels(w.data(), size_t(N), size_t(K), NR);
  std::vector<In> fast_in = {{{M, K}, x}, constant({N, K}, packed)}, ref_in = {{{M, K}, x}, constant({N, K}, w)};
  if (bias) fast_in.push_back(constant({N}, b)), ref_in.push_back(constant({N}, b));
  auto attrs = [&](NodeRec& n) { n.s("activation", act); };
  const auto got = run_with_kernel("Gemm", "gemm-" + tile, fast_in, {M, N}, attrs, threads);
  const auto want = run_with_kernel("Gemm", "ref", ref_in, {M, N}, attrs, 1);
  const std::string what = "Gemm gemm-" + tile + " M=" + std::to_string(M) + " K=" + std::to_string(K) +
                           " N=" + std::to_string(N) + (bias ? " bias " : " no-bias ") + act +
                           " threads=" + std::to_string(threads);
  check_close(got, want, 2e-5f * (1.0f + float(K) / 64), what);
}

}  // namespace

TEST(gemm_op_with_packed_weights_matches_reference_over_tile_edges) {
  uint32_t seed = 600;
  for (int64_t M : {1, 5, 6, 13})
    for (int64_t K : {1, 9, 33})
      for (int64_t N : {1, 15, 16, 17, 40})
        for (size_t t = 0; t < kNumTiles; ++t) {
          const size_t NR = kTileNR[t];
          check_gemm(M, K, N, (M + N) % 2 == 0, kTileNames[t], NR, 1, N == 17 ? "sigmoid" : "relu", ++seed);
        }
  check_gemm(37, 64, 50, true, "6x16", 16, 2, "gelu", ++seed);
  check_gemm(37, 64, 50, true, "12x32", 32, 2, "gelu", ++seed);
}

TEST(matmul_with_constant_b_folds_batch_dims_into_rows_and_matches_reference) {
  uint32_t seed = 700;
  for (size_t t = 0; t < kNumTiles; ++t)
    for (auto dims : {std::vector<int64_t>{7, 9}, std::vector<int64_t>{2, 3, 5, 9}, std::vector<int64_t>{1, 16, 9}}) {
      const int64_t K = dims.back(), N = 19;
      const size_t NR = kTileNR[t];
      int64_t R = 1;
      for (size_t i = 0; i + 1 < dims.size(); ++i) R *= dims[i];
      const auto a = rnd(size_t(R * K), ++seed), b = rnd(size_t(K * N), ++seed);
      const auto packed = sparsecc::gemm::pack_b_panels(b.data(), size_t(K), size_t(N), NR);
      std::vector<int64_t> ys = dims;
      ys.back() = N;
      for (int threads : {1, 2}) {
        const auto got = run_with_kernel("MatMul", std::string("gemm-") + kTileNames[t],
                                         {{dims, a}, constant({K, N}, packed)}, ys, {}, threads);
        const auto want = run_with_kernel("MatMul", "ref", {{dims, a}, constant({K, N}, b)}, ys);
        CHECK_CLOSE(got, want, 1e-5f);
      }
    }
}

TEST(gemm_kernels_reject_nodes_they_cannot_run_with_a_clear_message) {
  const std::vector<float> none;
  std::string err = kernel_load_error("Conv", "gemm-6x16", {{{1, 2, 5, 5}, {}}, constant({3, 2, 3, 3}, std::vector<float>(54))},
                                      {1, 3, 3, 3});
  CHECK_MSG(err.find("1x1") != std::string::npos && err.find("im2col-gemm") != std::string::npos, err);
  err = kernel_load_error("Conv", "im2col-gemm-6x16", {{{1, 4, 5, 5}, {}}, constant({4, 2, 3, 3}, std::vector<float>(72))},
                          {1, 4, 3, 3}, [](NodeRec& n) { n.i("group", 2); });
  CHECK_MSG(err.find("group == 1") != std::string::npos, err);
  err = kernel_load_error("MatMul", "gemm-6x16", {{{2, 3, 4}, {}}, constant({2, 4, 5}, std::vector<float>(40))},
                          {2, 3, 5});
  CHECK_MSG(err.find("rank-2 constant B") != std::string::npos, err);
  err = kernel_load_error("Gemm", "gemm-5x5", {{{2, 4}, {}}, constant({3, 4}, std::vector<float>(12))}, {2, 3});
  CHECK_MSG(!err.empty(), "unknown tile gemm-5x5 must not load");
}

TEST(batched_matmul_of_runtime_operands_matches_reference_with_broadcast_batch_dims) {
  // {A dims, B dims}: equal batches, broadcast on either side, rank mismatch,
  // attention shapes (Q.K^T, P.V), and M/N/K below, at and above every tile.
  const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> cases = {
      {{5, 7}, {7, 9}},
      {{2, 3, 13, 8}, {2, 3, 8, 33}},
      {{1, 4, 16, 16}, {1, 4, 16, 16}},
      {{2, 1, 6, 5}, {1, 3, 5, 17}},
      {{3, 12, 40}, {40, 32}},
      {{7, 1}, {4, 1, 31}},
      {{1, 2, 25, 64}, {1, 2, 64, 25}},
  };
  uint32_t seed = 900;
  for (size_t t = 0; t < kNumTiles; ++t)
    for (const auto& [da, db] : cases) {
      int64_t na = 1, nb = 1;
      for (int64_t d : da) na *= d;
      for (int64_t d : db) nb *= d;
      const auto a = rnd(size_t(na), ++seed), b = rnd(size_t(nb), ++seed);
      // output shape: broadcast batch dims, then M, N
      const size_t rank = std::max(da.size(), db.size());
      std::vector<int64_t> ys(rank);
      for (size_t i = 0; i + 2 < rank; ++i) {
        const int64_t x = i + da.size() >= rank ? da[i + da.size() - rank] : 1;
        const int64_t y = i + db.size() >= rank ? db[i + db.size() - rank] : 1;
        ys[i] = std::max(x, y);
      }
      ys[rank - 2] = da[da.size() - 2];
      ys[rank - 1] = db.back();
      for (int threads : {1, 2}) {
        const auto got = run_with_kernel("MatMul", std::string("bmm-") + kTileNames[t], {{da, a}, {db, b}}, ys,
                                         [](NodeRec& n) { n.s("activation", "relu"); }, threads);
        const auto want = run_with_kernel("MatMul", "ref", {{da, a}, {db, b}}, ys,
                                          [](NodeRec& n) { n.s("activation", "relu"); });
        CHECK_CLOSE(got, want, 1e-5f);
      }
    }
}
