// Depthwise-conv micro-kernels (runtime_cpp/kernels/dwconv/) and the depthwise
// Conv op bound to them (runtime_cpp/kernels/ops/dwconv_ops.cc):
//  - every variant runnable on this CPU (scalar, avx2, avx512 / neon / wasmsimd)
//    vs an independent double-precision oracle and vs its scalar sibling, over
//    H/W below/at/above/not a multiple of the vector widths (4, 8, 16) up to
//    112, asymmetric pads 0..K-1 on every side (every combination on a few
//    shapes), both strides, K = 3 and 5, every epilogue, and no write outside
//    the OH x OW output (canaries before and after);
//  - the op with a fast kernel vs the same node run with the reference kernel.
// Seeded random data; failures name the kernel, shape, pads and activation.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"
#include "epilogue_oracle.h"

using sparsecc::test::epilogue_oracle;

using namespace scctest;
namespace uk = sparsecc::ukernel;
namespace kernels = sparsecc::kernels;

namespace {

struct Variant {
  const char* name;
  int k, s;
  uk::DwConvFn fn, scalar;
};

// Every variant of every dwconv tile compiled into this build and runnable on
// this CPU (kernels/dispatch.h, rows from kernels.def), paired with the scalar
// variant of its tile.
std::vector<Variant> variants() {
  std::vector<Variant> out;
  const struct {
    const char* tile;
    int k, s;
  } tiles[] = {{"3x3s1", 3, 1}, {"3x3s2", 3, 2}, {"5x5s1", 5, 1}, {"5x5s2", 5, 2}};
  for (const auto& t : tiles) {
    const auto avail = kernels::available("dwconv", t.tile);
    uk::DwConvFn scalar = nullptr;
    for (const kernels::KernelEntry* e : avail)
      if (e->arch == kernels::Arch::scalar) scalar = kernels::as<uk::DwConvFn>(*e);
    CHECK_MSG(scalar != nullptr, std::string("no scalar variant of dwconv ") + t.tile);
    for (const kernels::KernelEntry* e : avail)
      out.push_back({e->function, t.k, t.s, kernels::as<uk::DwConvFn>(*e), scalar});
  }
  return out;
}

struct EpCase {
  const char* name;
  uk::Epilogue ep;
};

const std::vector<EpCase>& epilogues() {
  static const std::vector<EpCase> eps = [] {
    std::vector<EpCase> v;
    for (const auto& [name, ep] : sparsecc::test::all_epilogues()) v.push_back({name, ep});
    return v;
  }();
  return eps;
}

// y[oh][ow] in double, straight from the formula in ukernel.h
std::vector<double> oracle(const std::vector<float>& x, size_t H, size_t W, const std::vector<float>& w, float bias,
                           int K, int S, size_t OH, size_t OW, size_t pt, size_t pl, const uk::Epilogue& ep) {
  std::vector<double> y(OH * OW);
  for (size_t oh = 0; oh < OH; ++oh)
    for (size_t ow = 0; ow < OW; ++ow) {
      double acc = bias;
      for (int ky = 0; ky < K; ++ky)
        for (int kx = 0; kx < K; ++kx) {
          const long ih = long(oh) * S - long(pt) + ky, iw = long(ow) * S - long(pl) + kx;
          if (ih < 0 || iw < 0 || ih >= long(H) || iw >= long(W)) continue;
          acc += double(w[ky * K + kx]) * x[ih * W + iw];
        }
      y[oh * OW + ow] = epilogue_oracle(ep, acc);
    }
  return y;
}

std::vector<float> random_vec(std::mt19937& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = d(rng);
  return v;
}

std::string describe(const Variant& v, size_t H, size_t W, size_t pt, size_t pl, size_t pb, size_t pr, const char* act) {
  return std::string(v.name) + " H=" + std::to_string(H) + " W=" + std::to_string(W) + " pads=[" + std::to_string(pt) +
         "," + std::to_string(pl) + "," + std::to_string(pb) + "," + std::to_string(pr) + "] act=" + act;
}

constexpr float kCanary = -7777.0f;
constexpr size_t kGuard = 16;  // canary floats before and after the output

// Runs variant v on one plane and checks it against the oracle and the scalar
// variant, and that nothing outside y[0, OH*OW) was written. Returns false
// (after reporting) on the first mismatch.
bool check_plane(const Variant& v, std::mt19937& rng, size_t H, size_t W, size_t pt, size_t pl, size_t pb, size_t pr,
                 const EpCase& e) {
  const size_t OH = (H + pt + pb - v.k) / v.s + 1, OW = (W + pl + pr - v.k) / v.s + 1;
  const std::vector<float> x = random_vec(rng, H * W), w = random_vec(rng, v.k * v.k);
  const float bias = random_vec(rng, 1)[0];
  std::vector<float> y(OH * OW + 2 * kGuard, kCanary), ys(OH * OW + 2 * kGuard, kCanary);
  v.fn(x.data(), H, W, w.data(), bias, y.data() + kGuard, OH, OW, pt, pl, e.ep);
  v.scalar(x.data(), H, W, w.data(), bias, ys.data() + kGuard, OH, OW, pt, pl, e.ep);
  const std::vector<double> ref = oracle(x, H, W, w, bias, v.k, v.s, OH, OW, pt, pl, e.ep);
  const std::string what = describe(v, H, W, pt, pl, pb, pr, e.name);
  for (size_t i = 0; i < OH * OW; ++i) {
    const float got = y[kGuard + i], sc = ys[kGuard + i];
    if (!(std::fabs(got - ref[i]) <= 3e-5 * (1 + std::fabs(ref[i])))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(got) + ", oracle " +
                           std::to_string(ref[i]));
      return false;
    }
    if (!(std::fabs(got - sc) <= 1e-5f * (1 + std::fabs(sc)))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(got) + ", scalar variant " +
                           std::to_string(sc));
      return false;
    }
  }
  for (size_t i = 0; i < kGuard; ++i)
    if (y[i] != kCanary || y[kGuard + OH * OW + i] != kCanary) {
      CHECK_MSG(false, what + ": wrote outside y[0, OH*OW)");
      return false;
    }
  return true;
}

}  // namespace

TEST(dwconv_ukernels_match_double_oracle_and_scalar_over_shapes_pads_strides) {
  // SCC_TEST_QUICK (under an emulator): fewer sizes, every kind still covered
  const bool quick = std::getenv("SCC_TEST_QUICK") != nullptr;
  std::mt19937 rng(1234);
  const std::vector<size_t> dims = quick ? std::vector<size_t>{1, 2, 3, 5, 7, 9, 14, 17, 33, 56}
                                         : std::vector<size_t>{1, 2, 3, 4, 5, 7, 8, 9, 12, 14, 15, 16, 17,
                                                               24, 28, 31, 33, 40, 56, 112};
  int checked = 0;
  for (const Variant& v : variants())
    for (size_t H : dims)
      for (size_t W : dims) {
        if (H * W > 56 * 112) continue;  // 112 x 112 is covered by the op test below
        // pads: cycle through 0..K-1 per side so every pad of a side occurs with
        // many shapes (and asymmetric pads throughout) without a 5-deep loop
        const size_t K = size_t(v.k);
        const size_t pt = (H + W) % K, pl = (H * 7 + W) % K, pb = (H + 2 * W) % K, pr = (W * 5 + H * 3 + 1) % K;
        if (H + pt + pb < K || W + pl + pr < K) continue;
        const EpCase& e = epilogues()[(H * 3 + W) % epilogues().size()];
        check_plane(v, rng, H, W, pt, pl, pb, pr, e);
        ++checked;
      }
  CHECK(checked > (quick ? 300 : 1000));
}

TEST(dwconv_ukernels_every_pad_combination_on_edge_shapes) {
  // every (top, left, bottom, right) in [0, K-1]^4 on planes narrower than,
  // equal to and wider than a vector, where the padding logic has its cases
  const bool quick = std::getenv("SCC_TEST_QUICK") != nullptr;
  std::mt19937 rng(4321);
  const struct {
    size_t h, w;
  } shapes[] = {{1, 1}, {3, 4}, {7, 7}, {14, 14}, {9, 17}, {5, 33}, {2, 112}};
  int checked = 0;
  for (const Variant& v : variants())
    for (const auto& sh : shapes) {
      if (quick && sh.w == 112) continue;
      const size_t K = size_t(v.k);
      for (size_t pt = 0; pt < K; ++pt)
        for (size_t pl = 0; pl < K; ++pl)
          for (size_t pb = 0; pb < K; ++pb)
            for (size_t pr = 0; pr < K; ++pr) {
              if (sh.h + pt + pb < K || sh.w + pl + pr < K) continue;
              const EpCase& e = epilogues()[(pt + 2 * pl + 3 * pb + 5 * pr) % epilogues().size()];
              if (!check_plane(v, rng, sh.h, sh.w, pt, pl, pb, pr, e)) break;
              ++checked;
            }
    }
  CHECK(checked > 1000);
}

TEST(dwconv_ukernels_apply_every_epilogue_on_a_wide_plane) {
  std::mt19937 rng(99);
  for (const Variant& v : variants())
    for (const EpCase& e : epilogues()) {
      const size_t H = 19, W = 37, pt = 1, pl = 2, pb = 2, pr = 1;
      const size_t OH = (H + pt + pb - v.k) / v.s + 1, OW = (W + pl + pr - v.k) / v.s + 1;
      const std::vector<float> x = random_vec(rng, H * W, -3, 3), w = random_vec(rng, v.k * v.k);
      std::vector<float> y(OH * OW);
      v.fn(x.data(), H, W, w.data(), 0.25f, y.data(), OH, OW, pt, pl, e.ep);
      const std::vector<double> ref = oracle(x, H, W, w, 0.25f, v.k, v.s, OH, OW, pt, pl, e.ep);
      for (size_t i = 0; i < y.size(); ++i)
        if (!(std::fabs(y[i] - ref[i]) <= 3e-5 * (1 + std::fabs(ref[i])))) {
          CHECK_MSG(false, describe(v, H, W, pt, pl, pb, pr, e.name) + ": y[" + std::to_string(i) +
                               "] = " + std::to_string(y[i]) + ", oracle " + std::to_string(ref[i]));
          break;
        }
    }
}

// ---- the depthwise Conv op with a fast kernel vs the reference kernel --------

TEST(depthwise_conv_op_with_fast_kernel_matches_reference_kernel) {
  std::mt19937 rng(7);
  struct Case {
    int64_t n, c, h, w;
    int k, s;
    std::vector<int64_t> pads;
    bool bias;
    const char* act;
    std::vector<float> params;
    int threads;
  };
  const Case cases[] = {
      {1, 32, 28, 28, 3, 1, {1, 1, 1, 1}, true, "clip", {0, 6}, 1},
      {2, 5, 17, 9, 3, 2, {1, 1, 1, 1}, true, "relu", {}, 2},
      {1, 13, 7, 7, 3, 1, {0, 1, 2, 0}, false, "none", {}, 1},
      {1, 8, 15, 16, 5, 1, {2, 2, 2, 2}, true, "hard_swish", {}, 2},
      {2, 3, 33, 31, 5, 2, {2, 1, 0, 2}, true, "sigmoid", {}, 1},
      {1, 7, 112, 112, 3, 2, {0, 0, 1, 1}, true, "silu", {}, 2},
      {1, 1, 3, 3, 3, 1, {0, 0, 0, 0}, true, "tanh", {}, 1},
      {1, 4, 112, 112, 3, 1, {1, 1, 1, 1}, true, "clip", {0, 6}, 2},
      {1, 6, 56, 56, 5, 2, {2, 2, 2, 2}, true, "hard_swish", {}, 1},
      {1, 5, 14, 14, 5, 1, {4, 3, 0, 4}, false, "relu", {}, 1},
  };
  for (const Case& cs : cases) {
    const int64_t oh = (cs.h + cs.pads[0] + cs.pads[2] - cs.k) / cs.s + 1;
    const int64_t ow = (cs.w + cs.pads[1] + cs.pads[3] - cs.k) / cs.s + 1;
    std::vector<In> ins = {{{cs.n, cs.c, cs.h, cs.w}, random_vec(rng, size_t(cs.n * cs.c * cs.h * cs.w))},
                           constant({cs.c, 1, cs.k, cs.k}, random_vec(rng, size_t(cs.c * cs.k * cs.k)))};
    ins.push_back(cs.bias ? constant({cs.c}, random_vec(rng, size_t(cs.c))) : absent_input());
    auto attrs = [&](NodeRec& nd) {
      nd.ints("strides", {cs.s, cs.s}).ints("pads", cs.pads).i("group", cs.c).s("activation", cs.act);
      if (!cs.params.empty()) nd.floats("activation_params", cs.params);
    };
    const std::string kname = "dwconv-" + std::to_string(cs.k) + "x" + std::to_string(cs.k) + "s" + std::to_string(cs.s);
    const std::vector<int64_t> oshape = {cs.n, cs.c, oh, ow};
    const auto fast = run_with_kernel("Conv", kname, ins, oshape, attrs, cs.threads);
    const auto ref = run_with_kernel("Conv", "ref", ins, oshape, attrs);
    const std::string what = kname + " X=[" + std::to_string(cs.n) + "," + std::to_string(cs.c) + "," +
                             std::to_string(cs.h) + "," + std::to_string(cs.w) + "] act=" + cs.act +
                             " threads=" + std::to_string(cs.threads);
    for (size_t i = 0; i < ref.size(); ++i)
      if (!(std::fabs(fast[i] - ref[i]) <= 2e-5f * (1 + std::fabs(ref[i])))) {
        CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(fast[i]) + ", ref " +
                             std::to_string(ref[i]));
        break;
      }
  }
}

TEST(depthwise_kernel_rejects_nodes_it_cannot_run_naming_the_kernel) {
  const std::vector<In> ins = {{{1, 4, 8, 8}, {}}, constant({4, 1, 3, 3}, std::vector<float>(36, 1.0f))};
  auto dw = [](std::vector<int64_t> strides, std::vector<int64_t> pads, int64_t group) {
    return [=](NodeRec& n) { n.ints("strides", strides).ints("pads", pads).i("group", group); };
  };
  std::string err = kernel_load_error("Conv", "dwconv-3x3s1", ins, {1, 4, 4, 4}, dw({2, 2}, {1, 1, 1, 1}, 4));
  CHECK_MSG(err.find("dwconv-3x3s1 needs strides [1, 1]") != std::string::npos, err);
  err = kernel_load_error("Conv", "dwconv-5x5s1", ins, {1, 4, 8, 8}, dw({1, 1}, {1, 1, 1, 1}, 4));
  CHECK_MSG(err.find("needs a 5x5 kernel") != std::string::npos, err);
  err = kernel_load_error("Conv", "dwconv-3x3s1", ins, {1, 4, 12, 12}, dw({1, 1}, {3, 3, 3, 3}, 4));
  CHECK_MSG(err.find("needs pads in [0, 2]") != std::string::npos, err);
  const std::vector<In> grouped = {{{1, 4, 8, 8}, {}}, constant({4, 2, 3, 3}, std::vector<float>(72, 1.0f))};
  err = kernel_load_error("Conv", "dwconv-3x3s1", grouped, {1, 4, 8, 8}, dw({1, 1}, {1, 1, 1, 1}, 2));
  CHECK_MSG(err.find("needs a depthwise conv") != std::string::npos, err);
}
