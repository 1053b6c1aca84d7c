// Depthwise-conv micro-kernels (runtime_cpp/kernels/dwconv/) and the depthwise
// Conv op bound to them (runtime_cpp/kernels/ops/dwconv_ops.cc):
//  - every variant runnable on this CPU vs an independent double-precision
//    oracle and vs its scalar sibling, over H/W below/at/above/not a multiple
//    of the vector width, pads 0..2 on every side, both strides, every epilogue;
//  - the op with a fast kernel vs the same node run with the reference kernel.
// Seeded random data; failures name the kernel, shape, pads and activation.
#include <cmath>
#include <cstdint>
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
  static const std::vector<EpCase> eps = {
      {"none", {uk::Act::none, 0, 0}},          {"relu", {uk::Act::relu, 0, 0}},
      {"clip", {uk::Act::clip, -0.5f, 0.75f}},  {"leaky_relu", {uk::Act::leaky_relu, 0.1f, 0}},
      {"sigmoid", {uk::Act::sigmoid, 0, 0}},    {"hard_sigmoid", {uk::Act::hard_sigmoid, 0.2f, 0.5f}},
      {"hard_swish", {uk::Act::hard_swish, 0, 0}}, {"tanh", {uk::Act::tanh, 0, 0}},
      {"gelu", {uk::Act::gelu, 0, 0}},          {"gelu_tanh", {uk::Act::gelu_tanh, 0, 0}},
      {"silu", {uk::Act::silu, 0, 0}},
  };
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

}  // namespace

TEST(dwconv_ukernels_match_double_oracle_and_scalar_over_shapes_pads_strides) {
  std::mt19937 rng(1234);
  const size_t dims[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 33, 40};
  int checked = 0;
  for (const Variant& v : variants())
    for (size_t H : dims)
      for (size_t W : dims) {
        // pads: cycle through 0..2 per side so every combination of a side's pad
        // occurs with many shapes without a 5-deep loop
        const size_t pt = (H + W) % 3, pl = (H * 7 + W) % 3, pb = (H + 2 * W) % 3, pr = (W * 5 + H * 3 + 1) % 3;
        if (H + pt + pb < size_t(v.k) || W + pl + pr < size_t(v.k)) continue;
        const size_t OH = (H + pt + pb - v.k) / v.s + 1, OW = (W + pl + pr - v.k) / v.s + 1;
        const std::vector<float> x = random_vec(rng, H * W), w = random_vec(rng, v.k * v.k);
        const float bias = random_vec(rng, 1)[0];
        const uk::Epilogue ep = epilogues()[(H * 3 + W) % epilogues().size()].ep;
        const char* act_name = epilogues()[(H * 3 + W) % epilogues().size()].name;
        std::vector<float> y(OH * OW + 8, kCanary), ys(OH * OW + 8, kCanary);
        v.fn(x.data(), H, W, w.data(), bias, y.data(), OH, OW, pt, pl, ep);
        v.scalar(x.data(), H, W, w.data(), bias, ys.data(), OH, OW, pt, pl, ep);
        const std::vector<double> ref = oracle(x, H, W, w, bias, v.k, v.s, OH, OW, pt, pl, ep);
        const std::string what = describe(v, H, W, pt, pl, pb, pr, act_name);
        for (size_t i = 0; i < OH * OW; ++i) {
          if (!(std::fabs(y[i] - ref[i]) <= 3e-5 * (1 + std::fabs(ref[i])))) {
            CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", oracle " +
                                 std::to_string(ref[i]));
            break;
          }
          if (!(std::fabs(y[i] - ys[i]) <= 1e-5f * (1 + std::fabs(ys[i])))) {
            CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", scalar variant " +
                                 std::to_string(ys[i]));
            break;
          }
        }
        for (size_t i = OH * OW; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, what + ": wrote past OH*OW");
        ++checked;
      }
  CHECK(checked > 500);
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
