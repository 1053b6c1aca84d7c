// igemm family tests (direct conv over phase planes, no im2col matrix).
// Micro-kernel level: every igemm variant this CPU can run against a double
// oracle and its scalar twin, B rows through arbitrary (overlapping, even
// descending) offsets, every mr/nr edge, bias mode and epilogue; C outside the
// tile untouched. Driver level (igemm::DirectConv, every variant): a double
// direct-conv oracle over kernel sizes 1..7, strides 1/2/3, dilations 1/2,
// symmetric/asymmetric/large pads, odd channel counts, M around the tile,
// OW = 1/7/9/31/33, OH = 1, with an exactly sized scratch (ASan builds see any
// read past the planes) and a partitioned "par" that must give bit-identical
// results. Op level: Conv "igemm-<tile>" through the runtime against "ref" on
// 1 and 2 threads (bit-identical to each other) and its load-time rejections.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "../../runtime_cpp/kernels/ops/gemm_driver.h"
#include "../../runtime_cpp/kernels/ops/igemm_driver.h"
#include "epilogue_oracle.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "kernel_test_data.h"
#include "test_harness.h"

using namespace scctest;
using sparsecc::test::epilogue_oracle;
using sparsecc::ukernel::Bias;
using sparsecc::ukernel::Epilogue;
using sparsecc::ukernel::IGemmFn;

namespace {


struct Tile {
  size_t MR, NR;
  const char* name;
};
const Tile kTiles[] = {{12, 32, "12x32"}, {8, 48, "8x48"}, {6, 16, "6x16"}};

}  // namespace

TEST(every_igemm_variant_matches_double_oracle_and_scalar_twin_with_offset_rows) {
  size_t checked = 0;
  const auto& eps = sparsecc::test::all_epilogues();
  for (const Tile& t : kTiles) {
    const auto variants = sparsecc::kernels::available("igemm", t.name);
    CHECK_MSG(!variants.empty() && variants.back()->arch == sparsecc::kernels::Arch::scalar,
              std::string("igemm ") + t.name + ": no variants or no scalar fallback last");
    if (variants.empty()) continue;
    const IGemmFn twin = sparsecc::kernels::as<IGemmFn>(*variants.back());
    uint32_t seed = 1;
    for (const auto* v : variants) {
      const IGemmFn fn = sparsecc::kernels::as<IGemmFn>(*v);
      for (size_t mr = 1; mr <= t.MR; ++mr)
        for (size_t nr : scctest::tile_edges(t.NR, t.MR))
          for (size_t k : {size_t(1), size_t(5), size_t(40)})
            for (Bias bm : {Bias::none, Bias::per_row, Bias::per_col})
              for (size_t e = 0; e < eps.size(); ++e) {
                // one epilogue per (mr, nr, k, bias), rotating; all of them for mr = MR
                if (mr != t.MR && (mr + nr + k + size_t(bm)) % eps.size() != e) continue;
                const auto& [aname, ep] = eps[e];
                ++seed;
                const size_t pool = 4 * t.NR + 64, ldc = nr + 3;
                const auto b = rnd(pool, seed), a = rnd(k * mr, seed + 1), bias = rnd(t.NR, seed + 2);
                std::vector<ptrdiff_t> off(k);
                std::mt19937 g(seed + 3);
                for (size_t kk = 0; kk < k; ++kk) off[kk] = ptrdiff_t(g() % (pool - nr + 1));  // any order, overlapping
                std::vector<float> c((t.MR + 1) * ldc, 777.0f), c2 = c;
                const float* bp = bm == Bias::none ? nullptr : bias.data();
                fn(mr, nr, k, a.data(), mr, b.data(), off.data(), c.data(), ldc, bp, bm, ep);
                twin(mr, nr, k, a.data(), mr, b.data(), off.data(), c2.data(), ldc, bp, bm, ep);
                for (size_t i = 0; i < c.size(); ++i) {
                  const size_t row = i / ldc, col = i % ldc;
                  double want = 777.0;
                  if (row < mr && col < nr) {
                    double s = bm == Bias::per_row ? bias[row] : (bm == Bias::per_col ? bias[col] : 0.0);
                    for (size_t kk = 0; kk < k; ++kk) s += double(a[kk * mr + row]) * b[size_t(off[kk]) + col];
                    want = epilogue_oracle(ep, s);
                  }
                  const double tol = 1e-5 * (1.0 + std::fabs(want)) * (1.0 + double(k) / 16);
                  if (std::fabs(c[i] - want) > tol || std::fabs(c[i] - c2[i]) > tol) {
                    CHECK_MSG(false, std::string(v->function) + " mr=" + std::to_string(mr) + " nr=" +
                                         std::to_string(nr) + " k=" + std::to_string(k) + " bias=" +
                                         std::to_string(int(bm)) + " act=" + aname + " C[" + std::to_string(row) +
                                         "][" + std::to_string(col) + "] = " + std::to_string(c[i]) + ", oracle " +
                                         std::to_string(want) + ", scalar twin " + std::to_string(c2[i]));
                    break;
                  }
                }
                ++checked;
              }
    }
  }
  CHECK(checked > 500);
}

namespace {

struct Case {
  size_t C, H, W, M, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

std::string name_of(const Case& c) {
  auto s = [](size_t v) { return std::to_string(v); };
  return "C" + s(c.C) + " " + s(c.H) + "x" + s(c.W) + " M" + s(c.M) + " k" + s(c.kh) + "x" + s(c.kw) + " s" + s(c.sh) +
         "," + s(c.sw) + " d" + s(c.dh) + "," + s(c.dw) + " pads " + s(c.pt) + "," + s(c.pl) + "," + s(c.pb) + "," +
         s(c.pr);
}

// Double-precision direct conv + epilogue: the oracle of the driver tests.
std::vector<double> conv_oracle(const Case& c, size_t OH, size_t OW, const std::vector<float>& x,
                                const std::vector<float>& w, const float* bias, const Epilogue& ep) {
  std::vector<double> y(c.M * OH * OW);
  for (size_t m = 0; m < c.M; ++m)
    for (size_t oh = 0; oh < OH; ++oh)
      for (size_t ow = 0; ow < OW; ++ow) {
        double s = bias ? bias[m] : 0.0;
        for (size_t ci = 0; ci < c.C; ++ci)
          for (size_t ky = 0; ky < c.kh; ++ky)
            for (size_t kx = 0; kx < c.kw; ++kx) {
              const int64_t ih = int64_t(oh * c.sh + ky * c.dh) - int64_t(c.pt);
              const int64_t iw = int64_t(ow * c.sw + kx * c.dw) - int64_t(c.pl);
              if (ih < 0 || iw < 0 || ih >= int64_t(c.H) || iw >= int64_t(c.W)) continue;
              s += double(w[((m * c.C + ci) * c.kh + ky) * c.kw + kx]) * x[(ci * c.H + size_t(ih)) * c.W + size_t(iw)];
            }
        y[(m * OH + oh) * OW + ow] = epilogue_oracle(ep, s);
      }
  return y;
}

void check_driver(const Case& c, uint32_t seed, bool with_bias, const char* aname, const Epilogue& ep) {
  const size_t K = c.C * c.kh * c.kw;
  const auto x = rnd(c.C * c.H * c.W, seed), w = rnd(c.M * K, seed + 1), bias = rnd(c.M, seed + 2);
  const float* bp = with_bias ? bias.data() : nullptr;
  for (const Tile& t : kTiles)
    for (const auto* v : sparsecc::kernels::available("igemm", t.name)) {
      const sparsecc::igemm::ConvShape cs{c.C, c.H, c.W, c.M, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.pt, c.pl, c.pb, c.pr};
      const sparsecc::igemm::DirectConv d(sparsecc::kernels::as<IGemmFn>(*v), t.MR, t.NR, cs, ep);
      const size_t OH = d.OH(), OW = d.OW();
      const auto packed = sparsecc::gemm::pack_a_panels(w.data(), c.M, K, t.MR);
      std::vector<float> planes(d.scratch_floats(), -5.0f);  // exact size: ASan sees reads past it
      std::vector<float> y(c.M * OH * OW, -99.0f), y2 = y;
      auto serial = [](size_t n, const auto& body) { body(0, n); };
      sparsecc::igemm::conv_image(d, packed.data(), bp, x.data(), y.data(), planes.data(), serial);
      // a partition into uneven pieces run back to front, as threads may: bit-identical
      auto pieces = [](size_t n, const auto& body) {
        for (size_t e = n; e > 0;) {
          const size_t b = e > 3 ? e - 3 : 0;
          body(b, e);
          e = b;
        }
      };
      std::fill(planes.begin(), planes.end(), 123.0f);
      sparsecc::igemm::conv_image(d, packed.data(), bp, x.data(), y2.data(), planes.data(), pieces);
      const auto want = conv_oracle(c, OH, OW, x, w, bp, ep);
      const std::string what = std::string(v->function) + " " + name_of(c) + (with_bias ? " bias " : " no-bias ") + aname;
      for (size_t i = 0; i < y.size(); ++i) {
        const double tol = 2e-5 * (1.0 + std::fabs(want[i])) * (1.0 + double(K) / 64);
        if (!(std::fabs(y[i] - want[i]) <= tol) || y[i] != y2[i]) {
          CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", partitioned " +
                               std::to_string(y2[i]) + ", oracle " + std::to_string(want[i]));
          break;
        }
      }
    }
}

}  // namespace

TEST(igemm_driver_matches_direct_conv_oracle_over_kernel_sizes_strides_dilations_pads) {
  std::vector<Case> cases;
  // kernel sizes x strides x dilation, symmetric pads k/2 and 0
  for (size_t k : {1, 3, 5, 7})
    for (size_t s : {1, 2, 3})
      for (size_t d : {1, 2}) {
        if (k == 1 && d == 2) continue;
        const size_t p = (k / 2) * d;
        cases.push_back({3, 13, 11, 7, k, k, s, s, d, d, p, p, p, p});
        cases.push_back({1, 9, 17, 13, k, k, s, s, d, d, 0, 0, 0, 0});
      }
  // asymmetric pads incl. k - 1, rectangular kernels, mixed strides
  cases.push_back({5, 9, 9, 6, 3, 3, 1, 1, 1, 1, 0, 1, 2, 0});
  cases.push_back({4, 7, 9, 12, 2, 3, 1, 2, 1, 1, 2, 0, 1, 2});
  cases.push_back({2, 2, 2, 3, 3, 3, 1, 1, 1, 1, 2, 1, 0, 2});  // pads larger than the image
  cases.push_back({3, 8, 6, 25, 3, 1, 2, 1, 2, 1, 1, 0, 1, 0});
  // OW = 1, 7, 9, 31, 33 and OH = 1; M below, at, above and not a multiple of the tiles
  for (size_t ow : {1, 7, 9, 31, 33})
    for (size_t M : {1, 6, 11, 12, 13, 32})
      cases.push_back({3, 3, ow, M, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1});
  cases.push_back({7, 1, 40, 5, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1});   // OH = 1
  cases.push_back({6, 14, 14, 16, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0});  // 1x1 stride 2 (one of four phases)
  cases.push_back({3, 23, 23, 8, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3});   // ResNet stem, small
  // the last tile's vectors end exactly at / just before the planes' end (W padded = k-multiple edge)
  cases.push_back({2, 4, 30, 4, 3, 3, 1, 1, 1, 1, 0, 1, 0, 1});
  cases.push_back({1, 5, 15, 3, 3, 3, 2, 2, 1, 1, 0, 0, 0, 1});
  Epilogue relu;
  relu.act = sparsecc::ukernel::Act::relu;
  uint32_t seed = 1000;
  size_t run = 0;
  for (const Case& c : cases) {
    // skip the combinations whose dilated kernel is larger than the padded input
    if (c.H + c.pt + c.pb < c.dh * (c.kh - 1) + 1 || c.W + c.pl + c.pr < c.dw * (c.kw - 1) + 1) continue;
    ++run;
    check_driver(c, seed, true, "relu", relu);
    seed += 7;
  }
  CHECK_MSG(run > 70, "only " + std::to_string(run) + " driver cases ran");
  // every epilogue, bias none and per row
  for (const auto& [aname, ep] : sparsecc::test::all_epilogues()) {
    check_driver({4, 6, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, seed += 7, true, aname, ep);
    check_driver({3, 7, 7, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, seed += 7, false, aname, ep);
  }
}

TEST(igemm_driver_with_several_column_chunks_matches_oracle) {
  // C = 600: the chunk budget (512 KiB of planes per chunk) gives a few rows per chunk
  Epilogue none;
  check_driver({600, 12, 12, 14, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, 2000, true, "none", none);
}

namespace {

void check_op(const Case& c, const std::string& tile, size_t MR, uint32_t seed) {
  const int64_t K = int64_t(c.C * c.kh * c.kw);
  const int64_t OH = int64_t((c.H + c.pt + c.pb - c.dh * (c.kh - 1) - 1) / c.sh + 1);
  const int64_t OW = int64_t((c.W + c.pl + c.pr - c.dw * (c.kw - 1) - 1) / c.sw + 1);
  const int64_t N = 2, C = int64_t(c.C), M = int64_t(c.M);
  const auto x = rnd(size_t(N * C * int64_t(c.H * c.W)), seed), w = rnd(size_t(M * K), seed + 1), b = rnd(c.M, seed + 2);
  const auto packed = sparsecc::gemm::pack_a_panels(w.data(), c.M, size_t(K), MR);
  auto attrs = [&](NodeRec& n) {
    n.ints("strides", {int64_t(c.sh), int64_t(c.sw)}).ints("dilations", {int64_t(c.dh), int64_t(c.dw)});
    n.ints("pads", {int64_t(c.pt), int64_t(c.pl), int64_t(c.pb), int64_t(c.pr)});
    n.s("activation", "hard_swish");
  };
  const std::vector<int64_t> xs = {N, C, int64_t(c.H), int64_t(c.W)}, ws = {M, C, int64_t(c.kh), int64_t(c.kw)},
                             ys = {N, M, OH, OW};
  const auto got1 = run_with_kernel("Conv", "igemm-" + tile, {{xs, x}, constant(ws, packed), constant({M}, b)}, ys, attrs, 1);
  const auto got2 = run_with_kernel("Conv", "igemm-" + tile, {{xs, x}, constant(ws, packed), constant({M}, b)}, ys, attrs, 2);
  const auto want = run_with_kernel("Conv", "ref", {{xs, x}, constant(ws, w), constant({M}, b)}, ys, attrs, 1);
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got1[i] - want[i]) <= 2e-5f * (1.0f + std::fabs(want[i])) * (1.0f + float(K) / 64)) ||
        got1[i] != got2[i]) {
      CHECK_MSG(false, "igemm-" + tile + " " + name_of(c) + ": y[" + std::to_string(i) + "] = " +
                           std::to_string(got1[i]) + " (2 threads " + std::to_string(got2[i]) + "), ref " +
                           std::to_string(want[i]));
      return;
    }
}

}  // namespace

TEST(conv_igemm_op_matches_reference_and_is_bit_identical_on_two_threads) {
  uint32_t seed = 3000;
  for (size_t t = 0; t < sizeof(kTiles) / sizeof(kTiles[0]); ++t) {
    const std::string tile = kTiles[t].name;
    check_op({16, 15, 13, 21, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, tile, kTiles[t].MR, ++seed);
    check_op({8, 17, 19, 30, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1}, tile, kTiles[t].MR, ++seed);
    check_op({3, 20, 20, 16, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3}, tile, kTiles[t].MR, ++seed);
    check_op({5, 11, 11, 7, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2}, tile, kTiles[t].MR, ++seed);
    check_op({12, 9, 9, 40, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0}, tile, kTiles[t].MR, ++seed);
  }
}

TEST(conv_igemm_rejects_what_it_cannot_run_with_a_clear_message) {
  std::string err = kernel_load_error("Conv", "igemm-12x32", {{{1, 4, 5, 5}, {}}, constant({4, 2, 3, 3}, std::vector<float>(72))},
                                      {1, 4, 3, 3}, [](NodeRec& n) { n.i("group", 2); });
  CHECK_MSG(err.find("group == 1") != std::string::npos, err);
  // pads and dilations of 2^28 (a 2x2 output): the phase planes would not fit any sane scratch
  const int64_t big = int64_t(1) << 28;
  err = kernel_load_error("Conv", "igemm-6x16", {{{1, 1, 2, 2}, {}}, constant({1, 1, 3, 3}, std::vector<float>(9))},
                          {1, 1, 2, 2},
                          [big](NodeRec& n) { n.ints("pads", {big, big, big, big}).ints("dilations", {big, big}); });
  CHECK_MSG(err.find("im2col-gemm") != std::string::npos, err);
  err = kernel_load_error("Conv", "igemm-8x8", {{{1, 2, 5, 5}, {}}, constant({3, 2, 3, 3}, std::vector<float>(54))},
                          {1, 3, 3, 3});
  CHECK_MSG(!err.empty(), "igemm-8x8 has no micro-kernel row and must not load");
}
