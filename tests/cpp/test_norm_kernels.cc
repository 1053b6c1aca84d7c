// Softmax and LayerNormalization micro-kernels (runtime_cpp/kernels/norm/) and
// the ops bound to them (runtime_cpp/kernels/ops/norm_ops.cc):
//  - every variant runnable here vs a double-precision oracle and vs its scalar
//    sibling, over row lengths below/at/above/not a multiple of the vector
//    width (1..1000), wide input ranges (exp underflow), in place, with and
//    without bias, rows with a large mean (cancellation);
//  - the ops with the fast kernels vs the reference kernel (rank 2..4, axes,
//    1 and 2 threads) and load-time rejection of what the kernels cannot run.
// Seeded random data; failures name the variant, the row length and the case.
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

using namespace scctest;
namespace uk = sparsecc::ukernel;
namespace kernels = sparsecc::kernels;

namespace {

template <typename Fn>
struct Variant {
  const char* name;
  Fn fn, scalar;
};

template <typename Fn>
std::vector<Variant<Fn>> variants(const char* family) {
  std::vector<Variant<Fn>> out;
  const auto avail = kernels::available(family, "");
  Fn scalar = nullptr;
  for (const kernels::KernelEntry* e : avail)
    if (e->arch == kernels::Arch::scalar) scalar = kernels::as<Fn>(*e);
  CHECK_MSG(scalar != nullptr, std::string("no scalar variant of ") + family);
  for (const kernels::KernelEntry* e : avail) out.push_back({e->function, kernels::as<Fn>(*e), scalar});
  return out;
}

std::vector<float> random_vec(std::mt19937& rng, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = d(rng);
  return v;
}

std::vector<double> softmax_oracle(const std::vector<float>& x) {
  double m = x[0];
  for (float v : x) m = std::max(m, double(v));
  double s = 0.0;
  std::vector<double> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) s += y[i] = std::exp(double(x[i]) - m);
  for (double& v : y) v /= s;
  return y;
}

std::vector<double> layernorm_oracle(const std::vector<float>& x, const std::vector<float>& sc,
                                     const std::vector<float>* b, float eps) {
  const size_t n = x.size();
  double mean = 0.0, var = 0.0;
  for (float v : x) mean += v;
  mean /= double(n);
  for (float v : x) var += (v - mean) * (v - mean);
  var /= double(n);
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) y[i] = (x[i] - mean) / std::sqrt(var + eps) * sc[i] + (b ? (*b)[i] : 0.0);
  return y;
}

const size_t kLengths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 128, 257, 1000};
constexpr float kCanary = -7777.0f;

}  // namespace

TEST(softmax_ukernels_match_double_oracle_and_scalar_twin) {
  std::mt19937 rng(5);
  int checked = 0;
  for (const auto& v : variants<uk::SoftmaxFn>("softmax"))
    for (size_t n : kLengths)
      for (float range : {1.0f, 10.0f, 60.0f}) {  // 60: most exps underflow to tiny or subnormal values
        const std::vector<float> x = random_vec(rng, n, -range, range);
        std::vector<float> y(n + 8, kCanary), ys(n + 8, kCanary);
        v.fn(n, x.data(), y.data());
        v.scalar(n, x.data(), ys.data());
        const std::vector<double> ref = softmax_oracle(x);
        const std::string what = std::string(v.name) + " n=" + std::to_string(n) + " range=" + std::to_string(range);
        for (size_t i = 0; i < n; ++i) {
          // 1e-5 relative; below the normal range (1e-37) absolute
          if (!(std::fabs(y[i] - ref[i]) <= 1e-5 * ref[i] + 1e-37)) {
            CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", oracle " +
                                 std::to_string(ref[i]));
            break;
          }
          if (!(std::fabs(y[i] - ys[i]) <= 1e-5f * ys[i] + 1e-37f)) {
            CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", scalar variant " +
                                 std::to_string(ys[i]));
            break;
          }
        }
        for (size_t i = n; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, what + ": wrote past n");
        std::vector<float> inplace = x;  // y == x allowed
        v.fn(n, inplace.data(), inplace.data());
        for (size_t i = 0; i < n; ++i) CHECK_MSG(inplace[i] == y[i], what + ": in-place result differs");
        ++checked;
      }
  CHECK(checked >= int(std::size(kLengths)) * 3);
}

TEST(layernorm_ukernels_match_double_oracle_and_scalar_twin) {
  std::mt19937 rng(6);
  for (const auto& v : variants<uk::LayerNormFn>("layernorm"))
    for (size_t n : kLengths)
      for (float offset : {0.0f, 100.0f, 1e4f})  // offset: a mean up to 1e4x the spread (cancellation)
        for (bool with_bias : {true, false}) {
          std::vector<float> x = random_vec(rng, n, -1.0f, 1.0f);
          for (float& f : x) f += offset;
          const std::vector<float> sc = random_vec(rng, n, 0.5f, 1.5f), b = random_vec(rng, n, -0.5f, 0.5f);
          const float eps = 1e-5f;
          std::vector<float> y(n + 8, kCanary), ys(n + 8, kCanary);
          v.fn(n, x.data(), sc.data(), with_bias ? b.data() : nullptr, eps, y.data());
          v.scalar(n, x.data(), sc.data(), with_bias ? b.data() : nullptr, eps, ys.data());
          const std::vector<double> ref = layernorm_oracle(x, sc, with_bias ? &b : nullptr, eps);
          // same tolerance with a large mean: the kernel subtracts the mean's rounding error separately
          const double tol = 3e-6;
          const std::string what = std::string(v.name) + " n=" + std::to_string(n) + " offset=" +
                                   std::to_string(offset) + (with_bias ? " bias" : " no bias");
          for (size_t i = 0; i < n; ++i) {
            if (!(std::fabs(y[i] - ref[i]) <= tol * (1 + std::fabs(ref[i])))) {
              CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", oracle " +
                                   std::to_string(ref[i]));
              break;
            }
            if (!(std::fabs(y[i] - ys[i]) <= tol * (1 + std::fabs(ys[i])))) {
              CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) +
                                   ", scalar variant " + std::to_string(ys[i]));
              break;
            }
          }
          for (size_t i = n; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, what + ": wrote past n");
          std::vector<float> inplace = x;
          v.fn(n, inplace.data(), sc.data(), with_bias ? b.data() : nullptr, eps, inplace.data());
          for (size_t i = 0; i < n; ++i) CHECK_MSG(inplace[i] == y[i], what + ": in-place result differs");
        }
}

// ---- the ops with the fast kernels vs the reference kernel -------------------

namespace {

std::string dims(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

void expect_close(const std::vector<float>& fast, const std::vector<float>& ref, float tol, const std::string& what) {
  for (size_t i = 0; i < ref.size(); ++i)
    if (!(std::fabs(fast[i] - ref[i]) <= tol * (1 + std::fabs(ref[i])))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(fast[i]) + ", ref " +
                           std::to_string(ref[i]));
      return;
    }
}

}  // namespace

TEST(softmax_op_with_fast_kernel_matches_reference_kernel) {
  std::mt19937 rng(21);
  struct Case {
    std::vector<int64_t> shape;
    int64_t axis;
    int threads;
  };
  const Case cases[] = {
      {{1, 4, 64, 64}, 3, 1},  // transformer_block attention scores
      {{1, 4, 64, 64}, 3, 2}, {{7, 33}, 1, 1}, {{3, 1}, 1, 2}, {{2, 5, 1, 1}, 1, 1}, {{2, 1000}, 1, 2},
  };
  for (const Case& cs : cases) {
    size_t n = 1;
    for (int64_t d : cs.shape) n *= size_t(d);
    const std::vector<In> ins = {{cs.shape, random_vec(rng, n, -8, 8)}};
    auto attrs = [&](NodeRec& nd) { nd.i("axis", cs.axis); };
    const auto fast = run_with_kernel("Softmax", "softmax", ins, cs.shape, attrs, cs.threads);
    const auto ref = run_with_kernel("Softmax", "ref", ins, cs.shape, attrs);
    expect_close(fast, ref, 1e-5f,
                 "Softmax X=" + dims(cs.shape) + " axis=" + std::to_string(cs.axis) + " threads=" +
                     std::to_string(cs.threads));
  }
}

TEST(layernorm_op_with_fast_kernel_matches_reference_kernel) {
  std::mt19937 rng(22);
  struct Case {
    std::vector<int64_t> shape;
    int64_t axis;
    bool bias;
    int threads;
  };
  const Case cases[] = {
      {{1, 64, 128}, 2, true, 1},  // transformer_block LayerNorm
      {{1, 64, 128}, 2, true, 2}, {{3, 5, 7}, 1, true, 1}, {{4, 9}, 1, false, 2}, {{2, 3}, 0, true, 1},
      {{5, 1}, 1, true, 1},
  };
  for (const Case& cs : cases) {
    size_t n = 1, inner = 1;
    for (int64_t d : cs.shape) n *= size_t(d);
    const std::vector<int64_t> norm(cs.shape.begin() + cs.axis, cs.shape.end());
    for (int64_t d : norm) inner *= size_t(d);
    std::vector<In> ins = {{cs.shape, random_vec(rng, n, -3, 3)}, constant(norm, random_vec(rng, inner, 0.5f, 1.5f))};
    ins.push_back(cs.bias ? constant(norm, random_vec(rng, inner, -1, 1)) : absent_input());
    auto attrs = [&](NodeRec& nd) { nd.i("axis", cs.axis).f("epsilon", 1e-5f); };
    const auto fast = run_with_kernel("LayerNormalization", "layernorm", ins, cs.shape, attrs, cs.threads);
    const auto ref = run_with_kernel("LayerNormalization", "ref", ins, cs.shape, attrs);
    expect_close(fast, ref, 3e-6f,
                 "LayerNormalization X=" + dims(cs.shape) + " axis=" + std::to_string(cs.axis) +
                     (cs.bias ? " bias" : " no bias") + " threads=" + std::to_string(cs.threads));
  }
}

TEST(norm_kernels_reject_nodes_they_cannot_run_with_a_clear_message) {
  std::string err = kernel_load_error("Softmax", "softmax", {{{2, 3, 4}, {}}}, {2, 3, 4},
                                      [](NodeRec& n) { n.i("axis", 1); });
  CHECK_MSG(err.find("kernel softmax needs the softmax axis to be the last non-1 dim") != std::string::npos, err);
  err = kernel_load_error("LayerNormalization", "layernorm",
                          {{{2, 8}, {}}, constant({4}, std::vector<float>(4, 1.0f))}, {2, 8},
                          [](NodeRec& n) { n.i("axis", 1); });
  CHECK_MSG(err.find("Scale [4] must have shape X.shape[axis:] = [8]") != std::string::npos, err);
}
