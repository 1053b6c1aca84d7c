// pgemm family tests (pixel-broadcast GEMM: output channels as vectors, pixels
// broadcast). Micro-kernel level: every pgemm variant this CPU can run against
// a double oracle and its scalar twin over every np (1..PT) and nc edge
// (around each 16-float vector), k, bias or none, every epilogue, arbitrary
// B-row and pixel offsets, and the K-blocking flags (a tile resumed from
// running sums and stored as partial sums must equal one call over all of k);
// y outside the tile's pixels and channels untouched. Driver level
// (pgemm::PixelConv): a double direct-conv oracle over 1x1 and k x k
// geometries (strides, dilations, pads), M and pixel counts around the tile,
// K across several k blocks, with an exactly sized scratch and a partitioned
// "par" that must give bit-identical results. Op level: Conv "pgemm-7x48" and
// "pgemm-6x16" through the runtime against "ref" on 1 and 2 threads, and
// their rejections. Every check runs for each tile of the table (kTiles).
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "../../runtime_cpp/kernels/ops/gemm_driver.h"
#include "../../runtime_cpp/kernels/ops/pgemm_driver.h"
#include "epilogue_oracle.h"
#include "kernel_test_data.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "test_harness.h"

using namespace scctest;
using sparsecc::test::epilogue_oracle;
using sparsecc::ukernel::Epilogue;
using sparsecc::ukernel::PGemmFn;

namespace {

struct Tile {
  const char* name;
  size_t PT, NR;
};
// every pgemm tile of kernels.def: 7x48 (AVX-512 row), 6x16 (AVX2 row)
constexpr Tile kTiles[] = {{"7x48", 7, 48}, {"6x16", 6, 16}};

}  // namespace

TEST(every_pgemm_variant_matches_double_oracle_and_scalar_twin) {
  for (const Tile& tile : kTiles) {
  const size_t kPT = tile.PT, kNR = tile.NR;
  const auto variants = sparsecc::kernels::available("pgemm", tile.name);
  CHECK_MSG(!variants.empty() && variants.back()->arch == sparsecc::kernels::Arch::scalar,
            std::string("pgemm ") + tile.name + ": no variants or no scalar fallback last");
  if (variants.empty()) continue;
  const PGemmFn twin = sparsecc::kernels::as<PGemmFn>(*variants.back());
  const auto& eps = sparsecc::test::all_epilogues();
  size_t checked = 0;
  uint32_t seed = 1;
  for (const auto* v : variants) {
    const PGemmFn fn = sparsecc::kernels::as<PGemmFn>(*v);
    for (size_t np = 1; np <= kPT; ++np)
      for (size_t nc : tile_edges(kNR))
        for (size_t k : {size_t(1), size_t(5), size_t(40)})
          for (bool with_bias : {false, true}) {
            const size_t e = (np + nc + k + with_bias) % eps.size();
            const auto& [aname, ep] = eps[e];
            ++seed;
            const size_t pool = 300, ystride = 11;
            const auto x = rnd(pool, seed), w = rnd(k * nc, seed + 1), bias = rnd(kNR, seed + 2);
            std::mt19937 g(seed + 3);
            std::vector<ptrdiff_t> x_off(k), x_pix(np), y_pix(np);
            for (size_t kk = 0; kk < k; ++kk) x_off[kk] = ptrdiff_t(g() % 200);  // any order, overlapping
            for (size_t p = 0; p < np; ++p) x_pix[p] = ptrdiff_t(g() % 100);
            for (size_t p = 0; p < np; ++p) y_pix[p] = ptrdiff_t((p * 3 + 1) % ystride);  // distinct slots
            const float* bp = with_bias ? bias.data() : nullptr;
            std::vector<float> y(kNR * ystride + 5, 777.0f), y2 = y, acc(kPT * kNR, -3.0f);
            fn(np, nc, k, w.data(), nc, x.data(), x_off.data(), x_pix.data(), acc.data(), 0, y.data(), ystride,
               y_pix.data(), bp, ep);
            twin(np, nc, k, w.data(), nc, x.data(), x_off.data(), x_pix.data(), acc.data(), 0, y2.data(), ystride,
                 y_pix.data(), bp, ep);
            // the same tile in two k blocks: sums of the first stored, the second resumed from them
            std::vector<float> y3 = std::vector<float>(y.size(), 777.0f), acc3(kPT * kNR, 55.0f);
            const size_t k1 = k / 2;
            if (k1 > 0)
              fn(np, nc, k1, w.data(), nc, x.data(), x_off.data(), x_pix.data(), acc3.data(),
                 sparsecc::ukernel::kPGemmPartial, y3.data(), ystride, y_pix.data(), bp, ep);
            fn(np, nc, k - k1, w.data() + k1 * nc, nc, x.data(), x_off.data() + k1, x_pix.data(), acc3.data(),
               k1 > 0 ? sparsecc::ukernel::kPGemmAccumulate : 0u, y3.data(), ystride, y_pix.data(), bp, ep);
            std::vector<double> want(y.size(), 777.0);
            for (size_t p = 0; p < np; ++p)
              for (size_t c = 0; c < nc; ++c) {
                double s = with_bias ? bias[c] : 0.0;
                for (size_t kk = 0; kk < k; ++kk) s += double(w[kk * nc + c]) * x[size_t(x_off[kk] + x_pix[p])];
                want[c * ystride + size_t(y_pix[p])] = epilogue_oracle(ep, s);
              }
            for (size_t i = 0; i < y.size(); ++i) {
              const double tol = 1e-5 * (1.0 + std::fabs(want[i])) * (1.0 + double(k) / 16);
              if (std::fabs(y[i] - want[i]) > tol || std::fabs(y[i] - y2[i]) > tol || std::fabs(y3[i] - want[i]) > tol) {
                CHECK_MSG(false, std::string(v->function) + " np=" + std::to_string(np) + " nc=" + std::to_string(nc) +
                                     " k=" + std::to_string(k) + " bias=" + std::to_string(with_bias) + " act=" + aname +
                                     " y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", two k blocks " +
                                     std::to_string(y3[i]) + ", oracle " + std::to_string(want[i]) + ", scalar twin " +
                                     std::to_string(y2[i]));
                break;
              }
            }
            ++checked;
          }
  }
  CHECK(checked > 200);
  }
}

namespace {

struct Case {
  size_t C, H, W, M, k, s, d, pad;
};

std::string name_of(const Case& c) {
  auto s = [](size_t v) { return std::to_string(v); };
  return "C" + s(c.C) + " " + s(c.H) + "x" + s(c.W) + " M" + s(c.M) + " k" + s(c.k) + " s" + s(c.s) + " d" + s(c.d) +
         " pad " + s(c.pad);
}

void check_driver(const Tile& tile, const Case& c, uint32_t seed, bool with_bias, const char* aname,
                  const Epilogue& ep) {
  const size_t kPT = tile.PT, kNR = tile.NR;
  const size_t K = c.C * c.k * c.k;
  const size_t OH = (c.H + 2 * c.pad - c.d * (c.k - 1) - 1) / c.s + 1, OW = (c.W + 2 * c.pad - c.d * (c.k - 1) - 1) / c.s + 1;
  const auto x = rnd(c.C * c.H * c.W, seed), w = rnd(c.M * K, seed + 1), bias = rnd(c.M, seed + 2);
  const float* bp = with_bias ? bias.data() : nullptr;
  const bool plain = c.k == 1 && c.s == 1 && c.pad == 0;
  for (const auto* v : sparsecc::kernels::available("pgemm", tile.name)) {
    const PGemmFn fn = sparsecc::kernels::as<PGemmFn>(*v);
    std::unique_ptr<sparsecc::pgemm::PixelConv> pc;
    if (plain) {
      pc = std::make_unique<sparsecc::pgemm::PixelConv>(fn, kPT, kNR, c.M, K, c.H * c.W, ep);
    } else {
      const sparsecc::igemm::ConvShape cs{c.C, c.H, c.W, c.M, c.k, c.k, c.s, c.s, c.d, c.d, c.pad, c.pad, c.pad, c.pad};
      pc = std::make_unique<sparsecc::pgemm::PixelConv>(
          fn, kPT, kNR, std::make_shared<const sparsecc::igemm::DirectConv>(nullptr, 1, 1, cs, ep), c.M, ep);
    }
    const auto packed = sparsecc::gemm::pack_bt_panels(w.data(), c.M, K, kNR);
    std::vector<float> scratch(pc->scratch_floats(), -5.0f);  // exact size: ASan sees reads past it
    std::vector<float> y(c.M * OH * OW, -99.0f), y2 = y;
    auto serial = [](size_t n, const auto& body) { body(0, n); };
    pc->conv_image(packed.data(), bp, x.data(), y.data(), scratch.data(), serial);
    auto pieces = [](size_t n, const auto& body) {  // uneven pieces, back to front, as threads may run them
      for (size_t e = n; e > 0;) {
        const size_t b = e > 2 ? e - 2 : 0;
        body(b, e);
        e = b;
      }
    };
    std::fill(scratch.begin(), scratch.end(), 123.0f);
    pc->conv_image(packed.data(), bp, x.data(), y2.data(), scratch.data(), pieces);
    const std::string what = std::string(v->function) + " " + name_of(c) + (with_bias ? " bias " : " no-bias ") + aname;
    for (size_t m = 0, i = 0; m < c.M; ++m)
      for (size_t oh = 0; oh < OH; ++oh)
        for (size_t ow = 0; ow < OW; ++ow, ++i) {
          double s = bp ? bp[m] : 0.0;
          for (size_t ci = 0; ci < c.C; ++ci)
            for (size_t ky = 0; ky < c.k; ++ky)
              for (size_t kx = 0; kx < c.k; ++kx) {
                const int64_t ih = int64_t(oh * c.s + ky * c.d) - int64_t(c.pad);
                const int64_t iw = int64_t(ow * c.s + kx * c.d) - int64_t(c.pad);
                if (ih < 0 || iw < 0 || ih >= int64_t(c.H) || iw >= int64_t(c.W)) continue;
                s += double(w[((m * c.C + ci) * c.k + ky) * c.k + kx]) * x[(ci * c.H + size_t(ih)) * c.W + size_t(iw)];
              }
          const double want = epilogue_oracle(ep, s), tol = 2e-5 * (1.0 + std::fabs(want)) * (1.0 + double(K) / 64);
          if (!(std::fabs(y[i] - want) <= tol) || y[i] != y2[i]) {
            CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", partitioned " +
                                 std::to_string(y2[i]) + ", oracle " + std::to_string(want));
            return;
          }
        }
  }
}

}  // namespace

TEST(pgemm_driver_matches_direct_conv_oracle_over_geometries_tiles_and_k_blocks) {
  Epilogue relu;
  relu.act = sparsecc::ukernel::Act::relu;
  for (const Tile& t : kTiles) {
    uint32_t seed = 100;
    size_t run = 0;
    // plain 1x1: pixels below, at, above and not a multiple of the pixel tile; M around the
    // 8/16/32/48-channel vectors and panels; K = 300 spans three k blocks
    for (size_t hw : {1, 2, 3, 7, 9})
      for (size_t M : {1, 7, 15, 16, 17, 33, 48, 49, 100})
        for (size_t C : {3, 300})
          check_driver(t, {C, hw, hw + 1, M, 1, 1, 1, 0}, seed += 7, M % 2 == 0, "relu", relu), ++run;
    // k x k over phase planes: strides 1/2, dilation 2, pads 0/1/2; C = 20 x 9 taps = 180 spans two k blocks
    for (size_t k : {1, 3, 5})
      for (size_t s : {1, 2})
        for (size_t pad : {0, 1, 2}) {
          if (k == 1 && s == 1 && pad == 0) continue;
          check_driver(t, {20, 9, 8, 50, k, s, 1, pad}, seed += 7, true, "relu", relu), ++run;
        }
    check_driver(t, {4, 11, 11, 19, 3, 1, 2, 2}, seed += 7, true, "relu", relu), ++run;   // dilation 2
    check_driver(t, {512, 7, 7, 64, 3, 1, 1, 1}, seed += 7, true, "relu", relu), ++run;   // ResNet layer4 geometry
    check_driver(t, {16, 20, 19, 24, 3, 1, 1, 1}, seed += 7, true, "relu", relu), ++run;  // a 20x19 plane, K = 144
    for (const auto& [aname, ep] : sparsecc::test::all_epilogues()) {
      check_driver(t, {9, 7, 7, 40, 3, 1, 1, 1}, seed += 7, true, aname, ep);
      check_driver(t, {140, 5, 5, 20, 1, 1, 1, 0}, seed += 7, false, aname, ep);
    }
    CHECK(run > 100);
  }
}

namespace {

void check_op(const Tile& tile, const Case& c, uint32_t seed) {
  const std::string kname = std::string("pgemm-") + tile.name;
  const int64_t K = int64_t(c.C * c.k * c.k);
  const int64_t OH = int64_t((c.H + 2 * c.pad - c.d * (c.k - 1) - 1) / c.s + 1);
  const int64_t OW = int64_t((c.W + 2 * c.pad - c.d * (c.k - 1) - 1) / c.s + 1);
  const int64_t N = 2, C = int64_t(c.C), M = int64_t(c.M), k = int64_t(c.k);
  const auto x = rnd(size_t(N * C * int64_t(c.H * c.W)), seed), w = rnd(size_t(M * K), seed + 1), b = rnd(c.M, seed + 2);
  const auto packed = sparsecc::gemm::pack_bt_panels(w.data(), c.M, size_t(K), tile.NR);
  auto attrs = [&](NodeRec& n) {
    n.ints("strides", {int64_t(c.s), int64_t(c.s)}).ints("dilations", {int64_t(c.d), int64_t(c.d)});
    n.ints("pads", {int64_t(c.pad), int64_t(c.pad), int64_t(c.pad), int64_t(c.pad)});
    n.s("activation", "hard_swish");
  };
  const std::vector<int64_t> xs = {N, C, int64_t(c.H), int64_t(c.W)}, ws = {M, C, k, k}, ys = {N, M, OH, OW};
  const auto got1 = run_with_kernel("Conv", kname, {{xs, x}, constant(ws, packed), constant({M}, b)}, ys, attrs, 1);
  const auto got2 = run_with_kernel("Conv", kname, {{xs, x}, constant(ws, packed), constant({M}, b)}, ys, attrs, 2);
  const auto want = run_with_kernel("Conv", "ref", {{xs, x}, constant(ws, w), constant({M}, b)}, ys, attrs, 1);
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got1[i] - want[i]) <= 2e-5f * (1.0f + std::fabs(want[i])) * (1.0f + float(K) / 64)) ||
        got1[i] != got2[i]) {
      CHECK_MSG(false, kname + " " + name_of(c) + ": y[" + std::to_string(i) + "] = " + std::to_string(got1[i]) +
                           " (2 threads " + std::to_string(got2[i]) + "), ref " + std::to_string(want[i]));
      return;
    }
}

}  // namespace

TEST(conv_pgemm_op_matches_reference_and_is_bit_identical_on_two_threads) {
  for (const Tile& t : kTiles) {
    uint32_t seed = 3000;
    check_op(t, {64, 7, 7, 100, 1, 1, 1, 0}, ++seed);
    check_op(t, {40, 7, 7, 64, 3, 1, 1, 1}, ++seed);
    check_op(t, {24, 14, 14, 50, 3, 2, 1, 1}, ++seed);
    check_op(t, {30, 14, 14, 33, 1, 2, 1, 0}, ++seed);
    check_op(t, {32, 23, 17, 20, 3, 1, 1, 1}, ++seed);  // a 23x17 plane: many pixel tiles, two k blocks
  }
}

TEST(conv_pgemm_rejects_what_it_cannot_run_with_a_clear_message) {
  for (const Tile& t : kTiles) {
  const std::string kname = std::string("pgemm-") + t.name;
  std::string err = kernel_load_error("Conv", kname, {{{1, 4, 5, 5}, {}}, constant({4, 2, 3, 3}, std::vector<float>(72))},
                                      {1, 4, 3, 3}, [](NodeRec& n) { n.i("group", 2); });
  CHECK_MSG(err.find("group == 1") != std::string::npos, err);
  const int64_t big = int64_t(1) << 28;
  err = kernel_load_error("Conv", kname, {{{1, 1, 2, 2}, {}}, constant({1, 1, 3, 3}, std::vector<float>(9))},
                          {1, 1, 2, 2},
                          [big](NodeRec& n) { n.ints("pads", {big, big, big, big}).ints("dilations", {big, big}); });
  CHECK_MSG(err.find("im2col-gemm") != std::string::npos, err);
  err = kernel_load_error("Conv", kname, {{{1, 2, 5, 5}, {}}, constant({3, 2, 3, 3}, std::vector<float>(54)),
                                                 constant({4}, std::vector<float>(4))},
                          {1, 3, 5, 5}, [](NodeRec& n) { n.ints("pads", {1, 1, 1, 1}); });
  CHECK_MSG(err.find("bias") != std::string::npos, err);
}
}
