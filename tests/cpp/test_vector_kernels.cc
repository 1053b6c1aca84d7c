// Vector micro-kernels (runtime_cpp/kernels/vector/) and the ops bound to them
// (runtime_cpp/kernels/ops/vector_ops.cc):
//  - activations of every variant runnable here vs a double-precision oracle
//    (relative error <= 2e-6 plus what a 2-ulp change of x would cause, over
//    wide ranges and special values), vs the scalar
//    variant, for lengths below/at/above/not a multiple of the vector width,
//    and never writing past n;
//  - binary ops bit-exact vs plain float arithmetic (NaN propagation of Max/Min);
//  - sum vs a double sum;
//  - the "vector" ops vs the reference kernels for every broadcast pattern,
//    and rejection of the patterns they do not support.
#include <cmath>
#include <limits>
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

template <typename Fn>
std::vector<std::pair<std::string, Fn>> variants(const char* family) {
  std::vector<std::pair<std::string, Fn>> out;
  for (const kernels::KernelEntry* e : kernels::available(family, "")) out.push_back({e->function, kernels::as<Fn>(*e)});
  return out;
}

const size_t kLengths[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000};

struct EpCase {
  const char* name;
  uk::Epilogue ep;
};

const EpCase kEpilogues[] = {
    {"relu", {uk::Act::relu, 0, 0}},          {"clip", {uk::Act::clip, -0.5f, 6.0f}},
    {"clip_crossed", {uk::Act::clip, 1.0f, -1.0f}}, {"leaky_relu", {uk::Act::leaky_relu, 0.1f, 0}},
    {"sigmoid", {uk::Act::sigmoid, 0, 0}},    {"hard_sigmoid", {uk::Act::hard_sigmoid, 0.2f, 0.5f}},
    {"hard_swish", {uk::Act::hard_swish, 0, 0}}, {"tanh", {uk::Act::tanh, 0, 0}},
    {"gelu", {uk::Act::gelu, 0, 0}},          {"gelu_tanh", {uk::Act::gelu_tanh, 0, 0}},
    {"silu", {uk::Act::silu, 0, 0}},          {"none", {uk::Act::none, 0, 0}},
};


// Inputs that exercise every branch: the reduced range, both signs, tiny and
// huge magnitudes, results near float underflow, infinities.
std::vector<float> activation_inputs(std::mt19937& rng, size_t n) {
  static const float specials[] = {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-6f, -1e-6f, 0.34f, -0.35f, 5.0f, -5.0f, 9.5f,
                                   -9.5f, 20.0f, -20.0f, 87.0f, -87.0f, 100.0f, -100.0f, 104.5f, -110.0f,
                                   std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
  std::uniform_real_distribution<float> wide(-30.0f, 30.0f), narrow(-3.0f, 3.0f);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i)
    x[i] = i % 3 == 0 ? specials[(i / 3) % (sizeof specials / sizeof *specials)] : (i % 3 == 1 ? wide(rng) : narrow(rng));
  return x;
}

bool close_rel(float got, double want, double rel, double abs_tol = 1e-37) {  // default: subnormal results
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(double(got) - want) <= rel * std::fabs(want) + abs_tol;
}

// What the function's own conditioning allows: the change of the exact result
// when x moves by 2 float ulps (float evaluation of the argument of exp/tanh,
// or of x/6 + 0.5 near the kink of hard_swish, cannot do better).
double conditioning(const uk::Epilogue& ep, float x) {
  const double f = epilogue_oracle(ep, x), h = 2.4e-7 * std::fabs(double(x));
  const double d = std::max(std::fabs(epilogue_oracle(ep, x + h) - f), std::fabs(epilogue_oracle(ep, x - h) - f));
  return std::isfinite(d) ? d : 0.0;
}

constexpr float kCanary = -4242.0f;

}  // namespace

TEST(vact_matches_double_oracle_within_2e6_relative_up_to_conditioning_for_every_activation_and_length) {
  std::mt19937 rng(42);
  const auto all = variants<uk::ActFn>("vact");
  CHECK(!all.empty());
  uk::ActFn scalar = nullptr;
  for (const auto& [name, fn] : all)
    if (name.find("__scalar") != std::string::npos) scalar = fn;
  CHECK(scalar != nullptr);
  for (const auto& [name, fn] : all)
    for (const EpCase& e : kEpilogues)
      for (size_t n : kLengths) {
        const std::vector<float> x = activation_inputs(rng, n);
        std::vector<float> y(n + 8, kCanary), ys(n + 8, kCanary);
        fn(n, x.data(), y.data(), e.ep);
        scalar(n, x.data(), ys.data(), e.ep);
        const std::string what = name + " act=" + e.name + " n=" + std::to_string(n);
        for (size_t i = 0; i < n; ++i) {
          const double want = epilogue_oracle(e.ep, x[i]), cond = conditioning(e.ep, x[i]);
          if (!close_rel(y[i], want, 2e-6, cond + 1e-37)) {
            CHECK_MSG(false, what + ": f(" + std::to_string(x[i]) + ") = " + std::to_string(y[i]) + ", oracle " +
                                 std::to_string(want));
            break;
          }
          if (!close_rel(y[i], ys[i], 2e-6, 2 * cond + 1e-37)) {
            CHECK_MSG(false, what + ": f(" + std::to_string(x[i]) + ") = " + std::to_string(y[i]) +
                                 ", scalar variant " + std::to_string(ys[i]));
            break;
          }
        }
        for (size_t i = n; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, what + ": wrote past n");
      }
}

TEST(vact_works_in_place_and_propagates_nan_like_the_reference) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const auto& [name, fn] : variants<uk::ActFn>("vact")) {
    std::vector<float> v = {-2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    fn(v.size(), v.data(), v.data(), {uk::Act::relu, 0, 0});
    CHECK_CLOSE(v, (std::vector<float>{0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}), 0.0f);
    // the reference: relu(NaN) = 0 (x > 0 is false), clip/sigmoid/tanh keep NaN
    std::vector<float> x(9, nan), y(9);
    fn(9, x.data(), y.data(), {uk::Act::relu, 0, 0});
    CHECK_MSG(y[0] == 0.0f && y[8] == 0.0f, name + ": relu(NaN) must be 0");
    for (uk::Act a : {uk::Act::clip, uk::Act::sigmoid, uk::Act::tanh, uk::Act::silu}) {
      fn(9, x.data(), y.data(), {a, -1.0f, 1.0f});
      CHECK_MSG(std::isnan(y[0]) && std::isnan(y[8]), name + ": NaN must propagate through act " +
                                                        std::to_string(int(a)));
    }
  }
}

TEST(vbinary_is_bit_exact_for_every_op_same_shape_and_scalar_operand) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> d(-4.0f, 4.0f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const uk::BinOp ops[] = {uk::BinOp::add, uk::BinOp::sub, uk::BinOp::mul,  uk::BinOp::div,
                           uk::BinOp::max, uk::BinOp::min, uk::BinOp::rsub, uk::BinOp::rdiv};
  const char* names[] = {"add", "sub", "mul", "div", "max", "min", "rsub", "rdiv"};
  auto expect = [](uk::BinOp op, float a, float b) -> float {
    switch (op) {
      case uk::BinOp::add: return a + b;
      case uk::BinOp::sub: return a - b;
      case uk::BinOp::mul: return a * b;
      case uk::BinOp::div: return a / b;
      case uk::BinOp::max: return a > b ? a : (std::isnan(a) ? a : b);
      case uk::BinOp::min: return a < b ? a : (std::isnan(a) ? a : b);
      case uk::BinOp::rsub: return b - a;
      case uk::BinOp::rdiv: return b / a;
    }
    return 0;
  };
  auto same = [](float g, float w) { return (std::isnan(g) && std::isnan(w)) || g == w; };
  const auto bins = variants<uk::BinaryFn>("vbinary");
  const auto scs = variants<uk::BinaryScalarFn>("vbinaryc");
  CHECK(!bins.empty() && !scs.empty());
  for (size_t oi = 0; oi < 8; ++oi)
    for (size_t n : kLengths) {
      std::vector<float> a(n), b(n);
      for (size_t i = 0; i < n; ++i) a[i] = i % 11 == 5 ? nan : d(rng), b[i] = i % 13 == 7 ? nan : d(rng);
      const float s = d(rng);
      for (const auto& [name, fn] : bins) {
        std::vector<float> y(n + 8, kCanary);
        fn(ops[oi], n, a.data(), b.data(), y.data());
        for (size_t i = 0; i < n; ++i)
          if (!same(y[i], expect(ops[oi], a[i], b[i]))) {
            CHECK_MSG(false, name + " " + names[oi] + " n=" + std::to_string(n) + ": element " + std::to_string(i));
            break;
          }
        for (size_t i = n; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, name + ": wrote past n");
      }
      for (const auto& [name, fn] : scs) {
        std::vector<float> y(n + 8, kCanary);
        fn(ops[oi], n, a.data(), s, y.data());
        for (size_t i = 0; i < n; ++i)
          if (!same(y[i], expect(ops[oi], a[i], s))) {
            CHECK_MSG(false, name + " " + names[oi] + " n=" + std::to_string(n) + ": element " + std::to_string(i));
            break;
          }
        for (size_t i = n; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, name + ": wrote past n");
      }
    }
}

TEST(vsum_matches_double_sum_for_every_length) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (const auto& [name, fn] : variants<uk::SumFn>("vsum"))
    for (size_t n : {size_t(0), size_t(1), size_t(3), size_t(8), size_t(31), size_t(32), size_t(33), size_t(49),
                     size_t(196), size_t(3136), size_t(12545)}) {
      std::vector<float> x(n);
      double want = 0, mag = 0;
      for (float& v : x) v = d(rng), want += v, mag += std::fabs(v);
      const float got = fn(n, x.data());
      CHECK_MSG(std::fabs(got - want) <= 1e-6 * mag + 1e-7,
                name + " n=" + std::to_string(n) + ": " + std::to_string(got) + " vs " + std::to_string(want));
    }
}

// ---- ops with kernel "vector" vs the reference kernel ----------------------

namespace {
std::vector<float> rnd(std::mt19937& rng, int64_t n, float lo = -3, float hi = 3) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& f : v) f = d(rng);
  return v;
}
int64_t count(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}
std::string shp(const std::vector<int64_t>& s) {
  std::string o = "[";
  for (size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}
void compare(const std::vector<float>& fast, const std::vector<float>& ref, const std::string& what, float tol) {
  for (size_t i = 0; i < ref.size(); ++i)
    if (!(std::fabs(fast[i] - ref[i]) <= tol * (1 + std::fabs(ref[i])) || (std::isnan(fast[i]) && std::isnan(ref[i])))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(fast[i]) + ", ref " +
                           std::to_string(ref[i]));
      return;
    }
}
}  // namespace

TEST(binary_ops_with_vector_kernel_match_reference_for_every_broadcast_pattern) {
  std::mt19937 rng(3);
  struct Case {
    std::vector<int64_t> a, b, y;
  };
  const Case cases[] = {
      {{2, 3, 5, 7}, {2, 3, 5, 7}, {2, 3, 5, 7}},  // same shape
      {{1, 16, 9, 9}, {1}, {1, 16, 9, 9}},         // scalar right
      {{1}, {3, 17}, {3, 17}},                     // scalar left (operands swap)
      {{2, 24, 7, 7}, {2, 24, 1, 1}, {2, 24, 7, 7}},  // SE-block Mul
      {{1, 24, 1, 1}, {1, 24, 7, 9}, {1, 24, 7, 9}},  // channel vector on the left
      {{2, 8, 5, 5}, {1, 8, 1, 1}, {2, 8, 5, 5}},     // per-channel over a batch
      {{8, 1, 1}, {2, 8, 3, 3}, {2, 8, 3, 3}},        // rank extension
      {{6, 33}, {33}, {6, 33}},                       // row broadcast
      {{4, 6, 10}, {6, 10}, {4, 6, 10}},              // trailing block
  };
  const char* ops[] = {"Add", "Sub", "Mul", "Div", "Max", "Min"};
  for (const Case& c : cases)
    for (const char* op : ops)
      for (int threads : {1, 2}) {
        const std::vector<In> ins = {{c.a, rnd(rng, count(c.a))}, {c.b, rnd(rng, count(c.b), 0.5f, 3.0f)}};
        const auto fast = run_with_kernel(op, "vector", ins, c.y, {}, threads);
        const auto ref = run_with_kernel(op, "ref", ins, c.y);
        compare(fast, ref, std::string(op) + " " + shp(c.a) + " with " + shp(c.b) + " threads=" + std::to_string(threads),
                0.0f);
      }
}

TEST(unary_ops_and_global_average_pool_with_vector_kernel_match_reference) {
  std::mt19937 rng(8);
  struct Case {
    const char* op;
    std::function<void(NodeRec&)> attrs;
  };
  const Case cases[] = {
      {"Relu", {}}, {"Sigmoid", {}}, {"HardSwish", {}}, {"Tanh", {}},
      {"Clip", [](NodeRec& n) { n.f("min", 0).f("max", 6); }},
      {"Clip", [](NodeRec& n) { n.f("min", -1); }},
      {"LeakyRelu", [](NodeRec& n) { n.f("alpha", 0.3f); }},
      {"HardSigmoid", [](NodeRec& n) { n.f("alpha", 0.25f).f("beta", 0.4f); }},
      {"Gelu", {}}, {"Gelu", [](NodeRec& n) { n.s("approximate", "tanh"); }},
  };
  for (const Case& c : cases)
    for (const std::vector<int64_t>& s : {std::vector<int64_t>{1, 3, 5, 7}, std::vector<int64_t>{2, 5000}}) {
      const std::vector<In> ins = {{s, rnd(rng, count(s), -12, 12)}};
      compare(run_with_kernel(c.op, "vector", ins, s, c.attrs, 2), run_with_kernel(c.op, "ref", ins, s, c.attrs),
              std::string(c.op) + " " + shp(s), 3e-6f);
    }
  for (const std::vector<int64_t>& s : {std::vector<int64_t>{1, 32, 7, 7}, std::vector<int64_t>{2, 5, 3, 11},
                                        std::vector<int64_t>{1, 4, 1, 1}, std::vector<int64_t>{1, 3, 50}}) {
    std::vector<int64_t> y(s.size(), 1);
    y[0] = s[0], y[1] = s[1];
    const std::vector<In> ins = {{s, rnd(rng, count(s))}};
    compare(run_with_kernel("GlobalAveragePool", "vector", ins, y, {}, 2),
            run_with_kernel("GlobalAveragePool", "ref", ins, y), "GlobalAveragePool " + shp(s), 1e-6f);
  }
}

TEST(vector_kernel_rejects_broadcasts_it_does_not_support) {
  // [2,1,4] * [1,3,1]: neither operand has the output's size
  std::string err = kernel_load_error("Mul", "vector", {{{2, 1, 4}, {}}, {{1, 3, 1}, {}}}, {2, 3, 4});
  CHECK_MSG(err.find("needs one operand of the output's size") != std::string::npos, err);
  // [2,3,4] + [2,1,4]: the small operand's dims are not one contiguous run
  err = kernel_load_error("Add", "vector", {{{2, 3, 4}, {}}, {{2, 1, 4}, {}}}, {2, 3, 4});
  CHECK_MSG(err.find("does not support broadcasting [2, 3, 4] with [2, 1, 4]") != std::string::npos, err);
  err = kernel_load_error("Pow", "vector", {{{2}, {}}, {{2}, {}}}, {2});
  CHECK_MSG(!err.empty(), "Pow has no vector kernel and must be rejected");
}
