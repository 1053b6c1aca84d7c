// Sparse k x k convolution (Conv "spmm-g<G>" over phase planes, ops/spmm_kxk.h)
// through the whole runtime against the reference conv on the dense weights:
// kernel sizes 1 (strided / padded), 3, 5, 7, strides 1-3, dilation 1-2,
// asymmetric pads, odd channel counts, output widths 1..9, group sparsity 0,
// 0.5, 0.9 and 1.0 of whole (G outputs x 1 input channel x kernel) groups and
// of single taps, every pattern, epilogues, 1 and 2 threads, batch 2. Also:
// malformed packing is rejected at load with a clear message. Seeded.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/spmm/spmm-driver.h"
#include "kernel_test_data.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "test_harness.h"

using namespace scctest;

namespace {

struct Geo {
  int64_t N, C, H, W, M, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

// W [M][C][kh][kw] with a share s of whole groups zero; tap_zero also zeroes single (G x 1 tap) sub-groups.
std::vector<float> sparse_weights(const Geo& g, size_t G, double s, bool tap_zero, uint32_t seed) {
  const size_t kk = size_t(g.kh * g.kw), M = size_t(g.M), C = size_t(g.C);
  std::vector<float> w = rnd(M * C * kk, seed);
  std::mt19937 gen(seed + 5);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (size_t r0 = 0; r0 < M; r0 += G)
    for (size_t c = 0; c < C; ++c) {
      const bool zero_group = u(gen) < s;
      for (size_t t = 0; t < kk; ++t) {
        const bool zero_tap = zero_group || (tap_zero && u(gen) < 0.3);
        if (!zero_tap) continue;
        for (size_t m = r0; m < std::min(M, r0 + G); ++m) w[(m * C + c) * kk + t] = 0.0f;
      }
    }
  return w;
}

void check(const Geo& g, size_t G, double s, bool tap_zero, const std::string& act, std::vector<float> act_params,
           int threads, uint32_t seed) {
  const int64_t OH = (g.H + g.pt + g.pb - g.dh * (g.kh - 1) - 1) / g.sh + 1;
  const int64_t OW = (g.W + g.pl + g.pr - g.dw * (g.kw - 1) - 1) / g.sw + 1;
  const std::vector<float> w = sparse_weights(g, G, s, tap_zero, seed), b = rnd(size_t(g.M), seed + 1);
  const std::vector<float> x = rnd(size_t(g.N * g.C * g.H * g.W), seed + 2);
  std::vector<int64_t> idx;
  std::vector<float> values;
  sparsecc::spmm::pack_dense(w.data(), b.data(), size_t(g.M), size_t(g.C * g.kh * g.kw), G, idx, values);
  const std::vector<int64_t> xs = {g.N, g.C, g.H, g.W}, ys = {g.N, g.M, OH, OW};
  auto common = [&](NodeRec& n) {
    n.ints("strides", {g.sh, g.sw}).ints("dilations", {g.dh, g.dw}).ints("pads", {g.pt, g.pl, g.pb, g.pr});
    n.s("activation", act);
    if (!act_params.empty()) n.floats("activation_params", act_params);
  };
  const std::string kernel = "spmm-g" + std::to_string(G);
  const auto got = run_with_kernel("Conv", kernel, {{xs, x}, constant({int64_t(values.size())}, values)}, ys,
                                   [&](NodeRec& n) {
                                     common(n);
                                     n.ints("spmm_weight_shape", {g.M, g.C, g.kh, g.kw}).ints("spmm_index", idx);
                                   },
                                   threads);
  const auto want = run_with_kernel("Conv", "ref", {{xs, x}, constant({g.M, g.C, g.kh, g.kw}, w), constant({g.M}, b)},
                                    ys, common);
  const std::string what = kernel + " C" + std::to_string(g.C) + " " + std::to_string(g.H) + "x" + std::to_string(g.W) +
                           " M" + std::to_string(g.M) + " k" + std::to_string(g.kh) + "x" + std::to_string(g.kw) + " s" +
                           std::to_string(g.sh) + "," + std::to_string(g.sw) + " d" + std::to_string(g.dh) + " pads " +
                           std::to_string(g.pt) + std::to_string(g.pl) + std::to_string(g.pb) + std::to_string(g.pr) +
                           " sparsity " + std::to_string(s) + (tap_zero ? "+taps " : " ") + act + " threads " +
                           std::to_string(threads);
  check_close(got, want, 2e-5f * (1.0f + float(g.C * g.kh * g.kw) / 64.0f), what);
}

}  // namespace

TEST(sparse_kxk_conv_matches_reference_over_geometry_sparsity_and_threads) {
  const std::vector<Geo> geos = {
      {1, 16, 9, 9, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},     // 3x3 same
      {2, 13, 14, 14, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},   // 3x3 s2, batch 2
      {1, 8, 11, 7, 12, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2},     // 5x5 s2
      {1, 9, 10, 10, 16, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},    // dilation 2
      {1, 32, 7, 7, 40, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0},     // 1x1 s2 (a downsample)
      {1, 3, 15, 15, 8, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3},     // 7x7 s2 stem
      {1, 5, 6, 9, 7, 3, 2, 3, 1, 1, 1, 0, 1, 2, 0},       // non-square, stride 3, asymmetric pads
      {1, 4, 3, 1, 6, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0},       // OW = 1
  };
  uint32_t seed = 500;
  for (const Geo& g : geos)
    for (size_t G : {1, 4, 8})
      for (double s : {0.0, 0.5, 0.9, 1.0})
        for (int threads : {1, 2}) check(g, G, s, s == 0.5, "relu", {}, threads, ++seed);
  check(geos[0], 2, 0.7, true, "clip", {0.0f, 6.0f}, 2, ++seed);
}

TEST(sparse_kxk_conv_every_epilogue_matches_reference) {
  uint32_t seed = 600;
  const Geo g = {1, 7, 8, 6, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  for (const auto& [act, params] : activation_attrs()) check(g, 4, 0.5, false, act, params, 1, ++seed);
}

TEST(sparse_kxk_conv_rejects_malformed_packing_with_a_clear_message) {
  // C = 2, 3x3: 18 pseudo-channels; one group row of G = 4 with 2 nonzeros -> 4 + 8 values
  auto load = [&](std::vector<int64_t> idx, std::vector<int64_t> wshape, size_t nvalues) {
    return kernel_load_error("Conv", "spmm-g4",
                             {{{1, 2, 5, 5}, std::vector<float>(50, 1.0f)},
                              constant({int64_t(nvalues)}, std::vector<float>(nvalues, 0.5f))},
                             {1, 4, 5, 5}, [&](NodeRec& n) {
                               n.ints("pads", {1, 1, 1, 1}).ints("spmm_weight_shape", wshape).ints("spmm_index", idx);
                             });
  };
  CHECK_EQ(load({2, 0, 17}, {4, 2, 3, 3}, 12), std::string());
  std::string err = load({2, 0, 18}, {4, 2, 3, 3}, 12);
  CHECK_MSG(err.find("leaves [0, 18)") != std::string::npos, err);
  err = load({2, 0, 17}, {4, 2, 3, 3}, 11);
  CHECK_MSG(err.find("the index needs 12") != std::string::npos, err);
  err = load({2, 0, 17}, {4, 3, 3, 3}, 12);
  CHECK_MSG(err.find("C = 2") != std::string::npos, err);
}
