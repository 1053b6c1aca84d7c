// Pooling micro-kernels (runtime_cpp/kernels/pool/) and the MaxPool /
// AveragePool ops bound to them (runtime_cpp/kernels/ops/pool_ops.cc):
//  - every row-kernel variant runnable here vs a double-precision oracle that
//    evaluates each window directly (not separably) and vs its scalar sibling,
//    over widths below/at/above/not a multiple of the vector width, kernel
//    widths 1..5, strides 1..3, dilations 1..2, left pads, 0..3 valid rows;
//  - the ops with kernel "pool" vs the same node on the reference kernel over
//    shapes, pads, strides, dilations, ceil_mode, count_include_pad, threads;
//  - load-time rejection of attributes the kernel cannot run.
// Seeded random data; failures name the variant and the parameters.
#include <cmath>
#include <cstdint>
#include <limits>
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

struct Variant {
  const char* name;
  uk::PoolFn fn, scalar;
};

std::vector<Variant> variants() {
  std::vector<Variant> out;
  const auto avail = kernels::available("pool", "");
  uk::PoolFn scalar = nullptr;
  for (const kernels::KernelEntry* e : avail)
    if (e->arch == kernels::Arch::scalar) scalar = kernels::as<uk::PoolFn>(*e);
  CHECK_MSG(scalar != nullptr, "no scalar variant of the pool family");
  for (const kernels::KernelEntry* e : avail) out.push_back({e->function, kernels::as<uk::PoolFn>(*e), scalar});
  return out;
}

std::vector<float> random_vec(std::mt19937& rng, size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = d(rng);
  return v;
}

// y[ow] straight from the contract in ukernel.h, window by window, in double.
std::vector<double> oracle(uk::PoolOp op, const std::vector<const float*>& rows, const uk::PoolRow& p,
                           const std::vector<float>& col_scale, float row_scale) {
  const bool is_max = op == uk::PoolOp::max;
  std::vector<double> y(p.OW);
  for (size_t ow = 0; ow < p.OW; ++ow) {
    double acc = is_max ? double(std::numeric_limits<float>::lowest()) : 0.0;
    for (size_t kx = 0; kx < p.kw; ++kx) {
      const long w = long(ow * p.sw + kx * p.dw) - long(p.pad_left);
      if (w < 0 || w >= long(p.W)) continue;
      for (const float* r : rows) acc = is_max ? std::max(acc, double(r[w])) : acc + r[w];
    }
    y[ow] = is_max ? acc : acc * row_scale * col_scale[ow];
  }
  return y;
}

constexpr float kCanary = -7777.0f;

}  // namespace

TEST(pool_ukernels_match_direct_window_oracle_and_scalar_twin) {
  std::mt19937 rng(2024);
  const size_t widths[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 23, 31, 32, 33, 56, 57, 112};
  int checked = 0;
  for (const Variant& v : variants())
    for (uk::PoolOp op : {uk::PoolOp::max, uk::PoolOp::avg})
      for (size_t W : widths)
        for (size_t kw = 1; kw <= 5; ++kw)
          for (size_t sw = 1; sw <= 3; ++sw) {
            const size_t dw = (op == uk::PoolOp::max && (W + kw) % 3 == 0) ? 2 : 1;
            const size_t k_eff = dw * (kw - 1) + 1;
            const size_t pl = (W + sw) % k_eff, pr = (W * 3 + kw) % k_eff;
            if (W + pl + pr < k_eff) continue;
            // sometimes one extra (ceil-mode-like) output column that overhangs the right pad
            const size_t OW = (W + pl + pr - k_eff) / sw + 1 + ((W + kw + sw) % 4 == 0 ? 1 : 0);
            const size_t nrows = (W + kw * 2 + sw) % 4;  // 0..3 valid rows
            const uk::PoolRow p{W, OW, kw, sw, dw, pl};
            std::vector<std::vector<float>> data;
            std::vector<const float*> rows;
            for (size_t r = 0; r < nrows; ++r) data.push_back(random_vec(rng, W, -4.0f, 4.0f));
            for (const auto& d : data) rows.push_back(d.data());
            std::vector<float> col_scale = random_vec(rng, OW, 0.1f, 1.0f);
            const float row_scale = 0.5f;
            std::vector<float> buf(uk::pool_buf_floats(p), 123.0f), y(OW + 8, kCanary), ys(OW + 8, kCanary);
            v.fn(op, rows.data(), nrows, p, col_scale.data(), row_scale, buf.data(), y.data());
            v.scalar(op, rows.data(), nrows, p, col_scale.data(), row_scale, buf.data(), ys.data());
            const std::vector<double> ref = oracle(op, rows, p, col_scale, row_scale);
            const std::string what = std::string(v.name) + (op == uk::PoolOp::max ? " max" : " avg") +
                                     " W=" + std::to_string(W) + " OW=" + std::to_string(OW) + " kw=" +
                                     std::to_string(kw) + " sw=" + std::to_string(sw) + " dw=" + std::to_string(dw) +
                                     " pad_left=" + std::to_string(pl) + " rows=" + std::to_string(nrows);
            for (size_t i = 0; i < OW; ++i) {
              if (!(std::fabs(y[i] - ref[i]) <= 1e-6 * (1 + std::fabs(ref[i])))) {
                CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) + ", oracle " +
                                     std::to_string(ref[i]));
                break;
              }
              if (y[i] != ys[i]) {  // same operations in the same order: bit-identical
                CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(y[i]) +
                                     ", scalar variant " + std::to_string(ys[i]));
                break;
              }
            }
            for (size_t i = OW; i < y.size(); ++i) CHECK_MSG(y[i] == kCanary, what + ": wrote past OW");
            ++checked;
          }
  CHECK(checked > 800);
}

// ---- the ops with kernel "pool" vs the reference kernel ----------------------

namespace {

std::string dims(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

int64_t out_size(int64_t in, int64_t p0, int64_t p1, int64_t k_eff, int64_t s, bool ceil_mode) {
  const int64_t span = in + p0 + p1 - k_eff;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p0) --out;
  return out;
}

struct OpCase {
  const char* op;
  int64_t n, c, h, w;
  std::vector<int64_t> k, s, pads, dil;
  int ceil_mode, count_include_pad, threads;
};

void check_op_case(const OpCase& cs, std::mt19937& rng) {
  const bool is_max = std::string(cs.op) == "MaxPool";
  const int64_t kh_eff = cs.dil[0] * (cs.k[0] - 1) + 1, kw_eff = cs.dil[1] * (cs.k[1] - 1) + 1;
  const int64_t oh = out_size(cs.h, cs.pads[0], cs.pads[2], kh_eff, cs.s[0], cs.ceil_mode);
  const int64_t ow = out_size(cs.w, cs.pads[1], cs.pads[3], kw_eff, cs.s[1], cs.ceil_mode);
  const std::vector<In> ins = {{{cs.n, cs.c, cs.h, cs.w}, random_vec(rng, size_t(cs.n * cs.c * cs.h * cs.w), -3, 3)}};
  auto attrs = [&](NodeRec& nd) {
    nd.ints("kernel_shape", cs.k).ints("strides", cs.s).ints("pads", cs.pads).i("ceil_mode", cs.ceil_mode);
    if (is_max) nd.ints("dilations", cs.dil);
    else nd.i("count_include_pad", cs.count_include_pad);
  };
  const std::vector<int64_t> oshape = {cs.n, cs.c, oh, ow};
  const auto fast = run_with_kernel(cs.op, "pool", ins, oshape, attrs, cs.threads);
  const auto ref = run_with_kernel(cs.op, "ref", ins, oshape, attrs);
  const std::string what = std::string(cs.op) + " X=[" + std::to_string(cs.n) + "," + std::to_string(cs.c) + "," +
                           std::to_string(cs.h) + "," + std::to_string(cs.w) + "] k=" + dims(cs.k) +
                           " s=" + dims(cs.s) + " pads=" + dims(cs.pads) + " dil=" + dims(cs.dil) +
                           " ceil=" + std::to_string(cs.ceil_mode) + " cip=" + std::to_string(cs.count_include_pad) +
                           " threads=" + std::to_string(cs.threads);
  for (size_t i = 0; i < ref.size(); ++i)
    if (!(std::fabs(fast[i] - ref[i]) <= 1e-6f * (1 + std::fabs(ref[i])))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(fast[i]) + ", ref " +
                           std::to_string(ref[i]));
      break;
    }
}

}  // namespace

TEST(pool_ops_with_fast_kernel_match_reference_kernel_over_attribute_grid) {
  std::mt19937 rng(11);
  int checked = 0;
  for (const char* op : {"MaxPool", "AveragePool"})
    for (int64_t k : {1, 2, 3, 5})
      for (int64_t s : {1, 2, 3})
        for (int ceil_mode : {0, 1})
          for (int64_t hw : {5, 8, 13, 17}) {
            const int64_t pad = (k + s + hw) % k;  // in [0, k-1]
            const std::vector<int64_t> pads = {pad, (pad + 1) % k, (pad + 2) % k, pad};
            const int cip = int((k + hw + ceil_mode) % 2);
            const std::vector<int64_t> dil = (std::string(op) == "MaxPool" && s == 1 && k == 2) ? std::vector<int64_t>{2, 1}
                                                                                           : std::vector<int64_t>{1, 1};
            check_op_case({op, 1, 3, hw, hw + 3, {k, k}, {s, s}, pads, dil, ceil_mode, cip, 1}, rng);
            ++checked;
          }
  CHECK(checked == 2 * 4 * 3 * 2 * 4);
}

TEST(pool_ops_with_fast_kernel_match_reference_on_model_layers_and_odd_windows) {
  std::mt19937 rng(12);
  const OpCase cases[] = {
      // ResNet-18 stem MaxPool 3x3 s2 p1 (at 56x56 input to keep the test fast), 2 threads
      {"MaxPool", 1, 16, 56, 56, {3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 0, 0, 2},
      {"MaxPool", 2, 5, 9, 11, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1, 0, 1},
      {"MaxPool", 1, 3, 10, 21, {3, 2}, {1, 3}, {2, 0, 1, 1}, {1, 2}, 1, 0, 2},
      {"MaxPool", 1, 2, 4, 4, {2, 2}, {1, 1}, {2, 2, 2, 2}, {3, 3}, 0, 0, 1},  // windows with no valid row/column
      {"AveragePool", 1, 8, 28, 28, {2, 2}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 0, 0, 2},
      {"AveragePool", 1, 4, 14, 15, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 0, 1, 1},
      {"AveragePool", 1, 4, 14, 15, {3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 0, 0, 1},
      {"AveragePool", 2, 3, 11, 10, {3, 4}, {2, 3}, {0, 1, 2, 3}, {1, 1}, 1, 1, 2},
      {"AveragePool", 1, 6, 7, 7, {7, 7}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 0, 0, 1},
  };
  for (const OpCase& cs : cases) check_op_case(cs, rng);
}

TEST(pool_kernel_rejects_nodes_it_cannot_run_with_a_clear_message) {
  const std::vector<In> ins = {{{1, 2, 8, 8}, {}}};
  auto attrs = [](std::vector<int64_t> k, std::vector<int64_t> pads, int64_t cm) {
    return [=](NodeRec& n) { n.ints("kernel_shape", k).ints("pads", pads).i("ceil_mode", cm); };
  };
  std::string err = kernel_load_error("MaxPool", "pool", ins, {1, 2, 8, 8}, attrs({3, 3}, {3, 3, 3, 3}, 0));
  CHECK_MSG(err.find("must be >= 0 and smaller than the kernel") != std::string::npos, err);
  err = kernel_load_error("MaxPool", "pool", ins, {1, 2, 6, 6}, attrs({3, 3}, {0, 0, 0, 0}, 2));
  CHECK_MSG(err.find("ceil_mode must be 0 or 1") != std::string::npos, err);
  err = kernel_load_error("AveragePool", "pool", {{{1, 2, 8}, {}}}, {1, 2, 6}, attrs({3}, {0, 0}, 0));
  CHECK_MSG(err.find("kernel pool needs a 4-D NCHW input") != std::string::npos, err);
  err = kernel_load_error("AveragePool", "pool", ins, {1, 2, 6, 6},
                          [](NodeRec& n) { n.ints("kernel_shape", {3, 3}).ints("dilations", {2, 2}); });
  CHECK_MSG(err.find("dilations") != std::string::npos, err);
}
