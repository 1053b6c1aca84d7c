// Micro-benchmark of the sparse family (spmm) against the dense GEMM on the
// MobileNet-v1 pointwise layers, 1 thread, through the very drivers the op
// bindings run (kernels/spmm/spmm-driver.h, kernels/ops/gemm_driver.h).
//
//   bench_spmm [--repeat R] [--pattern g4] [--sparsity 0,0.3,0.5,0.7,0.9] [--filter SUBSTR] [--json PATH]
//              [--l1 BYTES] [--base]
//
// Per layer and sparsity: median ms of the best spmm variant of the pattern
// (random whole groups zeroed), ms of the dense 12x32 AVX-512 GEMM (6x16 AVX2
// when the CPU has no AVX-512) on the same dense weights, speedup = dense /
// sparse and efficiency E = (1 - s) x speedup (1.0 = the sparse kernel runs
// the remaining FLOPs as fast as dense runs all of them). Epilogue bias+relu.
// The sparse driver is planned as the op binding plans it (pixel tiles, input
// channel blocks within an L1 budget, --l1 to override); --base also times the
// unplanned driver (one kernel call over all pixels and rows) in the same run,
// interleaved, for before/after comparisons on a noisy machine.
// Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): the machine is shared.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "../../runtime_cpp/kernels/gemm/f32-gemm.h"
#include "../../runtime_cpp/kernels/ops/gemm_driver.h"
#include "../../runtime_cpp/kernels/spmm/spmm-driver.h"

namespace {

using namespace sparsecc;

double now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// warm-up ~30 ms, then `repeat` batches of >= 10 ms; median seconds per call
double time_it(const std::function<void()>& run, int repeat) {
  const double t0 = now();
  size_t calls = 0;
  while (now() - t0 < 0.03) run(), ++calls;
  const size_t batch = std::max<size_t>(1, size_t(0.01 / ((now() - t0) / double(calls))));
  std::vector<double> t;
  for (int r = 0; r < repeat; ++r) {
    const double t1 = now();
    for (size_t i = 0; i < batch; ++i) run();
    t.push_back((now() - t1) / double(batch));
  }
  return median(t);
}

struct Layer {
  const char* name;
  size_t M, C, H, W;
};

const Layer kLayers[] = {
    {"pw1 32->64 @112", 64, 32, 112, 112},     {"pw2 64->128 @56", 128, 64, 56, 56},
    {"pw3 128->128 @56", 128, 128, 56, 56},    {"pw4 128->256 @28", 256, 128, 28, 28},
    {"pw5 256->256 @28", 256, 256, 28, 28},    {"pw6 256->512 @14", 512, 256, 14, 14},
    {"pw7 512->512 @14", 512, 512, 14, 14},    {"pw12 512->1024 @7", 1024, 512, 7, 7},
    {"pw13 1024->1024 @7", 1024, 1024, 7, 7},
};

std::vector<double> parse_list(const char* s) {
  std::vector<double> v;
  for (const char* p = s; *p;) {
    v.push_back(std::atof(p));
    const char* c = std::strchr(p, ',');
    if (!c) break;
    p = c + 1;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 7;
  size_t l1 = sparsecc::spmm::SpmmImage::kL1Budget;
  bool base = false;
  std::string pattern = "g4", filter, json;
  std::vector<double> sparsities = {0.0, 0.3, 0.5, 0.7, 0.9};
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--pattern") && i + 1 < argc) pattern = argv[++i];
    else if (!std::strcmp(argv[i], "--sparsity") && i + 1 < argc) sparsities = parse_list(argv[++i]);
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
    else if (!std::strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else if (!std::strcmp(argv[i], "--l1") && i + 1 < argc) l1 = size_t(std::max(1, std::atoi(argv[++i])));
    else if (!std::strcmp(argv[i], "--base")) base = true;
    else {
      std::fprintf(stderr, "usage: %s [--repeat R] [--pattern g1|g2|g4|g8] [--sparsity 0,0.5,...] [--filter S] [--json PATH] [--l1 BYTES] [--base]\n", argv[0]);
      return 2;
    }
  }
  const kernels::KernelEntry* se = kernels::best("spmm", pattern);
  if (!se || pattern.size() != 2 || pattern[0] != 'g') {
    std::fprintf(stderr, "bench_spmm: no spmm kernel for pattern '%s'\n", pattern.c_str());
    return 2;
  }
  const size_t G = size_t(pattern[1] - '0');
  const auto sfn = kernels::as<ukernel::SpmmFn>(*se);
  gemm::Variant dense{nullptr, 12, 32};
  const char* dense_name = "gemm-12x32";
  if (const kernels::KernelEntry* e = kernels::best("gemm", "12x32"); e && e->arch == kernels::Arch::avx512) {
    dense.fn = kernels::as<ukernel::GemmFn>(*e);
  } else {
    dense = {kernels::best_gemm("6x16"), 6, 16};
    dense_name = "gemm-6x16";
  }
  std::printf("sparse %s (%s) vs dense %s (%s); 1 thread, median of %d, bias+relu\n\n", se->function,
              kernels::arch_name(se->arch), dense_name, kernels::arch_name(kernels::best("gemm", dense_name + 5)->arch), repeat);
  std::printf("%-20s %8s %10s %10s %8s %6s %9s %7s%s\n", "layer", "sparsity", "dense ms", "sparse ms", "speedup", "E",
              "GFLOP/s*", "blocks", base ? "    base ms  base E" : "");
  FILE* jf = json.empty() ? nullptr : std::fopen(json.c_str(), "w");
  if (jf) std::fprintf(jf, "{\"pattern\": \"%s\", \"sparse\": \"%s\", \"dense\": \"%s\", \"layers\": [", pattern.c_str(), se->function, dense_name);
  bool first = true;
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  ukernel::Epilogue ep;
  ep.act = ukernel::Act::relu;
  auto serial = [](size_t n, auto&& body) { body(0, n); };
  for (const Layer& L : kLayers) {
    if (!filter.empty() && std::string(L.name).find(filter) == std::string::npos) continue;
    const size_t P = L.H * L.W, M = L.M, C = L.C;
    std::vector<float> x(C * P), bias(M), y(M * P);
    for (float& f : x) f = u(rng);
    for (float& f : bias) f = u(rng);
    for (double s : sparsities) {
      std::vector<float> w(M * C);
      for (float& f : w) f = u(rng);
      const size_t rows = (M + G - 1) / G;
      std::vector<size_t> order(rows * C);
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      for (size_t i = 0; i < size_t(s * double(order.size()) + 0.5); ++i)
        for (size_t k = (order[i] / C) * G; k < std::min(M, (order[i] / C) * G + G); ++k) w[k * C + order[i] % C] = 0.0f;
      // dense
      const std::vector<float> packed = gemm::pack_a_panels(w.data(), M, C, dense.MR);
      const gemm::ChannelGemm cg{dense, M, C, packed.data(), bias.data(), ep};
      std::vector<float> scratch(C * gemm::chunk_columns(C, P, dense.NR));
      const double td = time_it([&] { gemm::conv_image(cg, nullptr, P, x.data(), y.data(), scratch.data(), serial); }, repeat);
      // sparse
      std::vector<int64_t> idx;
      std::vector<float> values;
      spmm::pack_dense(w.data(), bias.data(), M, C, G, idx, values);
      spmm::SparseWeights sw;
      if (!spmm::parse_index(idx, G, M, C, sw).empty()) return 1;
      const std::vector<int32_t> dmap = spmm::byte_increments(sw, P);
      const spmm::SpmmImage unplanned{sfn, &sw, dmap.data(), P, ep};
      spmm::SpmmImage img = unplanned;
      img.plan_for(*se, l1);
      double ts = 0, tb = 0;
      if (base) {  // interleaved halves: base, planned, base, planned
        const int h = std::max(1, repeat / 2);
        std::vector<double> a, b;
        for (int k = 0; k < 2; ++k) {
          a.push_back(time_it([&] { unplanned.run(values.data(), x.data(), y.data(), 1, serial); }, h));
          b.push_back(time_it([&] { img.run(values.data(), x.data(), y.data(), 1, serial); }, h));
        }
        tb = std::min(a[0], a[1]), ts = std::min(b[0], b[1]);
      } else {
        ts = time_it([&] { img.run(values.data(), x.data(), y.data(), 1, serial); }, repeat);
      }
      const double speedup = td / ts, E = (1.0 - s) * speedup;
      const double gflops = 2.0 * double(sw.nnz_total) * double(G) * double(P) / ts / 1e9;  // useful sparse FLOPs
      std::printf("%-20s %7.0f%% %10.4f %10.4f %7.2fx %6.2f %9.1f %7zu", L.name, 100 * s, td * 1e3, ts * 1e3, speedup, E,
                  gflops, img.cblocks);
      if (base) std::printf(" %10.4f %6.2f", tb * 1e3, (1.0 - s) * td / tb);
      std::printf("\n");
      std::fflush(stdout);
      if (jf) {
        std::fprintf(jf, "%s\n  {\"layer\": \"%s\", \"sparsity\": %.2f, \"dense_ms\": %.5f, \"sparse_ms\": %.5f, \"speedup\": %.3f, \"E\": %.3f, \"cblocks\": %zu}",
                     first ? "" : ",", L.name, s, td * 1e3, ts * 1e3, speedup, E, img.cblocks);
        first = false;
      }
    }
  }
  if (jf) std::fprintf(jf, "\n]}\n"), std::fclose(jf);
  std::printf("\n* GFLOP/s of the sparse kernel counting only the nonzero groups' FLOPs\n");
  return 0;
}
