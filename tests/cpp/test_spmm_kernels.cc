// Sparse (spmm) family tests. Micro-kernel level: every variant of every
// pattern this CPU can run, against a double-precision oracle computed from the
// dense weights and against its scalar twin, at group sparsity 0, 0.5, 0.9 and
// 1.0, over pixel counts below / at / above / not multiples of each strip
// width (1, 7, 49, 196, ...), output channels not a multiple of G, input
// channels that are not a multiple of anything, every epilogue, and the
// accumulate / partial flags; nothing outside the nc x n output block may be
// written. Op level: Conv "spmm-g<G>" through the whole runtime (loader ->
// session) against the "ref" kernel on the dense weights, 1 and 2 threads,
// batch 2; malformed indexes are rejected at load with a clear message. Driver
// level: the planned image (pixel tiles, input-channel blocks forced by a small
// L1 budget) at HW = 1 .. 3136 and C = 1000 / 1024 vs a double oracle, 3-way
// split in random order == 1 thread.
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
#include "epilogue_oracle.h"
#include "kernel_test_data.h"
#include "op_runner.h"
#include "run_with_kernel.h"
#include "test_harness.h"

using namespace scctest;
using sparsecc::test::epilogue_oracle;
using sparsecc::ukernel::Act;
using sparsecc::ukernel::Epilogue;
using sparsecc::ukernel::SpmmFn;

namespace {


const std::vector<std::pair<const char*, Epilogue>>& epilogues() { return sparsecc::test::all_epilogues(); }

struct Case {
  size_t G, n, nc, C;
  double s;
  uint32_t flags;
};

std::string where(const std::string& fn, const Case& c, const char* act) {
  return fn + " n=" + std::to_string(c.n) + " nc=" + std::to_string(c.nc) + " C=" + std::to_string(c.C) +
         " sparsity=" + std::to_string(c.s) + " flags=" + std::to_string(c.flags) + " act=" + act;
}

// Calls fn on the case; out has ostride = n + 3 floats per channel and one
// extra sentinel channel. With kSpmmAccumulate the output starts from `init`.
std::vector<float> call(SpmmFn fn, const Case& c, const Epilogue& ep, uint32_t seed, std::vector<double>* oracle) {
  const std::vector<float> w = group_sparse(c.nc, c.C, c.G, c.s, seed), bias = rnd(c.nc, seed + 1),
                           x = rnd(c.C * c.n, seed + 2), init = rnd((c.nc + 1) * (c.n + 3), seed + 3);
  std::vector<int64_t> idx;
  std::vector<float> values;
  sparsecc::spmm::pack_dense(w.data(), bias.data(), c.nc, c.C, c.G, idx, values);
  sparsecc::spmm::SparseWeights sw;
  const std::string err = sparsecc::spmm::parse_index(idx, c.G, c.nc, c.C, sw);
  if (!err.empty()) return {};
  const std::vector<int32_t> dmap = sparsecc::spmm::byte_increments(sw, c.n);
  const size_t ld = c.n + 3;
  const bool acc = c.flags & sparsecc::ukernel::kSpmmAccumulate;
  std::vector<float> out(init);
  if (!acc) std::fill(out.begin(), out.end(), 777.0f);
  fn(c.n, c.nc, x.data(), values.data(), dmap.data(), sw.nnz.data(), out.data(), ld, c.flags, ep);
  if (oracle) {
    oracle->assign(out.begin(), out.end());
    for (size_t m = 0; m < c.nc; ++m)
      for (size_t p = 0; p < c.n; ++p) {
        double s = acc ? double(init[m * ld + p]) : double(bias[m]);
        for (size_t k = 0; k < c.C; ++k) s += double(w[m * c.C + k]) * x[k * c.n + p];
        (*oracle)[m * ld + p] = (c.flags & sparsecc::ukernel::kSpmmPartial) ? s : epilogue_oracle(ep, s);
      }
  }
  return out;
}

}  // namespace

TEST(every_spmm_variant_matches_double_oracle_and_scalar_twin) {
  const bool quick = std::getenv("SCC_TEST_QUICK") != nullptr;
  size_t checked = 0, shape_no = 0;
  for (size_t G : {1, 2, 4, 8}) {
    const std::string pattern = "g" + std::to_string(G);
    const auto variants = sparsecc::kernels::available("spmm", pattern);
    CHECK_MSG(!variants.empty(), "no spmm variant for pattern " + pattern);
    if (variants.empty()) continue;
    const auto* scalar = variants.back();
    CHECK_MSG(scalar->arch == sparsecc::kernels::Arch::scalar, "last variant of spmm " + pattern + " is not scalar");
    const SpmmFn sfn = sparsecc::kernels::as<SpmmFn>(*scalar);
    for (const auto* v : variants) {
      const SpmmFn fn = sparsecc::kernels::as<SpmmFn>(*v);
      uint32_t seed = 1;
      // quick (emulators: qemu, node): fewer pixel counts and sizes, still below,
      // at, above and not a multiple of every pixel tile, and every epilogue
      const std::vector<size_t> ns = quick ? std::vector<size_t>{1, 16, 49, 69, 196}
                                           : std::vector<size_t>{1, 3, 7, 16, 31, 49, 64, 69, 128, 129, 196};
      const std::vector<size_t> ncs = quick ? std::vector<size_t>{G + 1, 13} : std::vector<size_t>{1, G + 1, 2 * G, 13};
      const std::vector<size_t> cs = quick ? std::vector<size_t>{5, 37} : std::vector<size_t>{1, 5, 37};
      for (size_t n : ns)
        for (size_t nc : ncs)
          for (size_t C : cs)
            for (double s : {0.0, 0.5, 0.9, 1.0})
              for (uint32_t flags : {0u, 1u, 2u, 3u}) {
                if (flags && (n % 3 != 0 && n != 196)) continue;  // flags on a subset of shapes
                const Case c{G, n, nc, C, s, flags};
                const size_t this_shape = shape_no++;
                size_t ep_no = 0;
                for (const auto& [aname, ep] : epilogues()) {
                  // every shape with one rotating epilogue (quick) or with relu + the rotating one
                  const size_t pick = this_shape % epilogues().size();
                  const size_t e = ep_no++;
                  if (e != pick && (quick || e != 1)) continue;
                  std::vector<double> want;
                  const auto got = call(fn, c, ep, ++seed, &want);
                  const auto twin = call(sfn, c, ep, seed, nullptr);
                  CHECK_MSG(!got.empty() && got.size() == want.size(), where(v->function, c, aname) + ": packing failed");
                  if (got.empty()) continue;
                  for (size_t i = 0; i < got.size(); ++i) {
                    const double tol = 1e-5 * (1.0 + std::fabs(want[i])) * (1.0 + double(C) / 16);
                    if (!(std::fabs(got[i] - want[i]) <= tol)) {
                      CHECK_MSG(false, where(v->function, c, aname) + " out[" + std::to_string(i) + "] = " +
                                           std::to_string(got[i]) + ", oracle " + std::to_string(want[i]));
                      break;
                    }
                    if (!(std::fabs(got[i] - twin[i]) <= tol)) {
                      CHECK_MSG(false, where(v->function, c, aname) + " out[" + std::to_string(i) + "] = " +
                                           std::to_string(got[i]) + ", scalar twin " + std::to_string(twin[i]));
                      break;
                    }
                  }
                  ++checked;
                }
              }
    }
  }
  CHECK(checked > (quick ? 1000 : 2000));  // quick on qemu (neon + scalar): 8 variants x 176 shapes
}

TEST(packing_keeps_nonzero_groups_and_drops_zero_groups) {
  // 5 output channels, G = 2 (rows {0,1}, {2,3}, {4}); C = 4
  const size_t M = 5, C = 4, G = 2;
  std::vector<float> w(M * C, 0.0f), bias = {1, 2, 3, 4, 5};
  w[0 * C + 2] = 1.5f;  // row 0, channel 2 (channel 1 of the group is 0: the group is still nonzero)
  w[3 * C + 0] = -2.0f, w[2 * C + 3] = 4.0f;  // row 1, channels 0 and 3
  std::vector<int64_t> idx;
  std::vector<float> values;
  sparsecc::spmm::pack_dense(w.data(), bias.data(), M, C, G, idx, values);
  CHECK(idx == (std::vector<int64_t>{1, 2, 2, -2, 3, 0}));
  CHECK(values == (std::vector<float>{1, 2, 1.5f, 0, 3, 4, 0, -2.0f, 4.0f, 0, 5, 0}));
  sparsecc::spmm::SparseWeights sw;
  CHECK_EQ(sparsecc::spmm::parse_index(idx, G, M, C, sw), std::string());
  CHECK_EQ(sw.nnz_total, size_t(3));
  CHECK_EQ(sw.n_values, values.size());
}

TEST(balanced_row_chunks_split_work_by_nonzero_count) {
  // one heavy row then many light ones: the first chunk must be the heavy row alone
  sparsecc::spmm::SparseWeights sw;
  std::vector<int64_t> idx = {30};
  for (int k = 0; k < 30; ++k) idx.push_back(k == 0 ? 0 : 1);
  for (int r = 1; r < 8; ++r) idx.insert(idx.end(), {1, r == 1 ? -28 : 0});
  CHECK_EQ(sparsecc::spmm::parse_index(idx, 4, 32, 32, sw), std::string());
  const auto b = sparsecc::spmm::balanced_rows(sw, 2);
  CHECK(b == (std::vector<size_t>{0, 1, 8}));
}

namespace {

void check_conv(int64_t N, int64_t C, int64_t H, int64_t W, int64_t M, size_t G, double s, const char* act,
                std::vector<float> act_params, int threads, uint32_t seed) {
  const auto w = group_sparse(size_t(M), size_t(C), G, s, seed), b = rnd(size_t(M), seed + 1),
             x = rnd(size_t(N * C * H * W), seed + 2);
  std::vector<int64_t> idx;
  std::vector<float> values;
  sparsecc::spmm::pack_dense(w.data(), b.data(), size_t(M), size_t(C), G, idx, values);
  const std::string kernel = "spmm-g" + std::to_string(G);
  const std::vector<int64_t> xs = {N, C, H, W}, ys = {N, M, H, W};
  auto common = [&](NodeRec& n) {
    n.s("activation", act);
    if (!act_params.empty()) n.floats("activation_params", act_params);
  };
  const auto got = run_with_kernel("Conv", kernel, {{xs, x}, constant({int64_t(values.size())}, values)}, ys,
                                   [&](NodeRec& n) {
                                     common(n);
                                     n.ints("spmm_weight_shape", {M, C, 1, 1}).ints("spmm_index", idx);
                                     n.f("sparsity", float(s)).s("sparsity_pattern", "g" + std::to_string(G));
                                     n.s("kernel_reason", "test");
                                   },
                                   threads);
  const auto want = run_with_kernel("Conv", "ref", {{xs, x}, constant({M, C, 1, 1}, w), constant({M}, b)}, ys, common);
  const std::string what = kernel + " N" + std::to_string(N) + " C" + std::to_string(C) + " " + std::to_string(H) + "x" +
                           std::to_string(W) + " M" + std::to_string(M) + " s=" + std::to_string(s) + " " + act +
                           " threads=" + std::to_string(threads);
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 2e-5f * (1.0f + std::fabs(want[i])) * (1.0f + float(C) / 64))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(got[i]) + ", ref " +
                           std::to_string(want[i]));
      return;
    }
}

}  // namespace

TEST(conv_spmm_matches_reference_over_sparsity_shapes_and_threads) {
  uint32_t seed = 100;
  for (size_t G : {1, 2, 4, 8})
    for (double s : {0.0, 0.5, 0.9, 1.0})
      for (auto hw : {std::pair<int64_t, int64_t>{7, 7}, {14, 14}, {1, 1}, {3, 5}})
        for (int threads : {1, 2}) check_conv(1, 37, hw.first, hw.second, 13, G, s, "relu", {}, threads, ++seed);
  // a layer with many pixel blocks and one with a single block (row chunks): both thread splits
  check_conv(2, 64, 28, 28, 48, 4, 0.7, "clip", {0.0f, 6.0f}, 2, ++seed);
  check_conv(1, 256, 7, 7, 100, 4, 0.5, "none", {}, 2, ++seed);
}

TEST(conv_spmm_every_epilogue_matches_reference) {
  uint32_t seed = 200;
  for (const auto& [act, params] : activation_attrs()) check_conv(1, 19, 5, 7, 11, 4, 0.5, act, params, 1, ++seed);
}

TEST(conv_spmm_rejects_malformed_packing_with_a_clear_message) {
  const std::vector<float> values(4 * 3, 0.5f);  // one row of G=4: bias + 2 nonzeros
  auto load = [&](std::vector<int64_t> idx, std::vector<int64_t> wshape, size_t nvalues) {
    return kernel_load_error("Conv", "spmm-g4",
                             {{{1, 3, 2, 2}, std::vector<float>(12, 1.0f)}, constant({int64_t(nvalues)}, std::vector<float>(nvalues, 0.5f))},
                             {1, 4, 2, 2}, [&](NodeRec& n) {
                               n.ints("spmm_weight_shape", wshape).ints("spmm_index", idx);
                             });
  };
  CHECK_EQ(load({2, 0, 2}, {4, 3, 1, 1}, values.size()), std::string());
  std::string err = load({2, 0, 3}, {4, 3, 1, 1}, values.size());
  CHECK_MSG(err.find("leaves [0, 3)") != std::string::npos, err);
  err = load({2, 0, -1}, {4, 3, 1, 1}, values.size());
  CHECK_MSG(err.find("leaves [0, 3)") != std::string::npos, err);
  err = load({5, 0, 1}, {4, 3, 1, 1}, values.size());
  CHECK_MSG(err.find("invalid nonzero count") != std::string::npos, err);
  err = load({2, 0, 2, 7}, {4, 3, 1, 1}, values.size());
  CHECK_MSG(err.find("past the last group row") != std::string::npos, err);
  err = load({2, 0, 2}, {4, 3, 1, 1}, values.size() - 1);
  CHECK_MSG(err.find("the index needs 12") != std::string::npos, err);
  err = load({2, 0, 2}, {4, 3, 3, 3}, values.size());  // a 3x3 weight runs k x k: here larger than the 2x2 input
  CHECK_MSG(err.find("larger than the padded input") != std::string::npos, err);
  err = load({2, 0, 2}, {4, 5, 1, 1}, values.size());
  CHECK_MSG(err.find("C = 3") != std::string::npos, err);
}

namespace {

// Driver level: one image through SpmmImage as the op binding plans it, and
// with input-channel blocking forced by a tiny L1 budget, against a double
// oracle; a threaded split (pixel blocks x balanced row chunks, run in a
// shuffled order) must give the very same floats as one thread.
void check_image(const sparsecc::kernels::KernelEntry& e, size_t G, size_t M, size_t C, size_t P, double s,
                 size_t budget, uint32_t seed) {
  namespace sp = sparsecc::spmm;
  const auto w = group_sparse(M, C, G, s, seed), b = rnd(M, seed + 1), x = rnd(C * P, seed + 2);
  std::vector<int64_t> idx;
  std::vector<float> values;
  sp::pack_dense(w.data(), b.data(), M, C, G, idx, values);
  sp::SparseWeights sw;
  const std::string what = std::string(e.function) + " M=" + std::to_string(M) + " C=" + std::to_string(C) +
                           " P=" + std::to_string(P) + " s=" + std::to_string(s) + " budget=" + std::to_string(budget);
  CHECK_MSG(sp::parse_index(idx, G, M, C, sw).empty(), what + ": parse failed");
  const std::vector<int32_t> dmap = sp::byte_increments(sw, P);
  Epilogue ep;
  ep.act = Act::relu;
  sp::SpmmImage img{sparsecc::kernels::as<SpmmFn>(e), &sw, dmap.data(), P, ep};
  img.plan_for(e, budget);
  if (budget < 4096 && C >= 64 && s < 0.95) CHECK_MSG(img.cblocks > 1, what + ": blocking not triggered");
  std::vector<float> y1(M * P, 777.0f), y2(M * P, 555.0f);
  auto serial = [](size_t n, auto&& body) { body(0, n); };
  img.run(values.data(), x.data(), y1.data(), 1, serial);
  auto shuffled = [seed](size_t n, auto&& body) {  // items one at a time, in a seeded random order
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::mt19937 g(seed);
    std::shuffle(order.begin(), order.end(), g);
    for (size_t i : order) body(i, i + 1);
  };
  img.run(values.data(), x.data(), y2.data(), 3, shuffled);
  for (size_t m = 0; m < M; ++m)
    for (size_t p = 0; p < P; ++p) {
      double acc = b[m];
      for (size_t k = 0; k < C; ++k) acc += double(w[m * C + k]) * x[k * P + p];
      const double want = acc > 0 ? acc : 0.0, tol = 1e-5 * (1.0 + std::fabs(want)) * (1.0 + double(C) / 16);
      const size_t i = m * P + p;
      if (!(std::fabs(y1[i] - want) <= tol) || y2[i] != y1[i]) {
        CHECK_MSG(false, what + ": y[" + std::to_string(m) + "][" + std::to_string(p) + "] = " + std::to_string(y1[i]) +
                             " (3 threads " + std::to_string(y2[i]) + "), oracle " + std::to_string(want));
        return;
      }
    }
}

}  // namespace

TEST(planned_image_with_pixel_tiles_and_channel_blocks_matches_oracle_and_threads) {
  const bool quick = std::getenv("SCC_TEST_QUICK") != nullptr;
  uint32_t seed = 300;
  size_t runs = 0;
  for (size_t G : {1, 2, 4, 8})
    for (const auto* e : sparsecc::kernels::available("spmm", "g" + std::to_string(G))) {
      for (size_t P : {size_t(1), size_t(7), size_t(49), size_t(196)})
        for (double s : {0.0, 0.5, 0.9, 1.0})
          for (size_t budget : {size_t(1024), sparsecc::spmm::SpmmImage::kL1Budget}) {
            if (quick && (s == 0.0 || P == 7)) continue;
            check_image(*e, G, 13, 1000, P, s, budget, ++seed), ++runs;
          }
      if (!quick) check_image(*e, G, 37, 1024, 3136, 0.5, 8192, ++seed), ++runs;  // many pixel blocks, blocked
      check_image(*e, G, 64, 130, 196, 0.7, sparsecc::spmm::SpmmImage::kL1Budget, ++seed), ++runs;
    }
  CHECK(runs >= 4 * 2 * (quick ? 13 : 34));
}

TEST(pixel_tiles_cover_the_plane_in_order) {
  for (size_t n : {1, 7, 49, 64, 65, 196, 3136})
    for (bool masked : {false, true}) {
      const auto t = sparsecc::spmm::pixel_tiles(n, 64, 16, masked);
      CHECK(t.front() == 0 && t.back() == n);
      for (size_t i = 1; i < t.size(); ++i)
        CHECK_MSG(t[i] > t[i - 1] && t[i] - t[i - 1] <= 64 && (i + 1 == t.size() || t[i] % 16 == 0),
                  "tile " + std::to_string(i) + " of n=" + std::to_string(n) + " masked=" + std::to_string(masked));
    }
  // 196 pixels with masked tails: 13 vectors as 3 + 3 + 3 + 4 (no quarter-filled pass)
  CHECK(sparsecc::spmm::pixel_tiles(196, 64, 16, true) == (std::vector<size_t>{0, 48, 96, 144, 196}));
}
