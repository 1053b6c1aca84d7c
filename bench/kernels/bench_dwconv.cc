// Micro-benchmark of the depthwise family on real layer shapes (MobileNet-v1
// and -v2 3x3 layers at 224x224, MobileNet-v3 5x5 layers), 1 thread, the whole
// layer (all C planes) as the op binding runs it.
//
//   bench_dwconv [--repeat R]
//
// Per layer and variant (every compiled, usable one: scalar and the SIMD one)
// prints the median time, GFLOP/s (2*K*K*OH*OW*C flops) and % of this core's
// FMA peak for the variant's vector width (2 FMA units x 8 floats -- 16 for
// the avx512 rows -- x 2 flops x f; f measured with a chain of dependent
// 64-bit multiplies, 3 cycles each on current x86 cores -- the clock the core
// actually runs at; scalar rows are shown against the 8-float peak).
// Variants of a layer run interleaved (one whole layer each, in turn), so a
// burst of load on the shared machine hits them alike. Depthwise layers do K*K FMAs per output against
// one input and one output stream, so they are bounded by loads and the
// cache, not by FMA throughput: % of peak is reported for scale, not as a goal.
// Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): the machine is shared.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "../../runtime_cpp/kernels/dispatch.h"

namespace {

namespace uk = sparsecc::ukernel;
namespace kernels = sparsecc::kernels;

double now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Core clock in GHz: n dependent 64-bit multiplies take 3n cycles.
double measure_ghz() {
  std::vector<double> runs;
  for (int r = 0; r < 5; ++r) {
    volatile uint64_t seed = 12345;
    uint64_t x = seed;
    const long n = 100000000;
    const double t0 = now();
    for (long i = 0; i < n; ++i) x *= 0x9E3779B97F4A7C15ull;
    const double t = now() - t0;
    seed = x;
    runs.push_back(3.0 * double(n) / t * 1e-9);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

struct Layer {
  const char* model;
  int c, h, w, k, s;
};

const Layer kLayers[] = {
    {"mobilenet_v1", 32, 112, 112, 3, 1}, {"mobilenet_v1", 64, 112, 112, 3, 2}, {"mobilenet_v1", 128, 56, 56, 3, 1},
    {"mobilenet_v1", 128, 56, 56, 3, 2},  {"mobilenet_v1", 256, 28, 28, 3, 1},  {"mobilenet_v1", 256, 28, 28, 3, 2},
    {"mobilenet_v1", 512, 14, 14, 3, 1},  {"mobilenet_v1", 512, 14, 14, 3, 2},  {"mobilenet_v1", 1024, 7, 7, 3, 1},
    {"mobilenet_v2", 96, 112, 112, 3, 2}, {"mobilenet_v2", 144, 56, 56, 3, 1},  {"mobilenet_v2", 192, 28, 28, 3, 1},
    {"mobilenet_v2", 576, 14, 14, 3, 1},  {"mobilenet_v2", 960, 7, 7, 3, 1},
    {"mobilenet_v3", 72, 56, 56, 5, 2},   {"mobilenet_v3", 120, 28, 28, 5, 1},  {"mobilenet_v3", 672, 14, 14, 5, 2},
};

}  // namespace

int main(int argc, char** argv) {
  int repeat = 21;
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
  const double ghz = measure_ghz();
  const double peak8 = 2 * 8 * 2 * ghz;  // GFLOP/s with 8-float vectors
  std::printf("clock %.2f GHz (dependent-multiply chain), FMA peak %.1f GFLOP/s (8 floats), %.1f (16 floats), "
              "median of %d runs, 1 thread\n",
              ghz, peak8, 2 * peak8, repeat);
  std::printf("%-13s %-22s %-36s %9s %8s %7s\n", "model", "layer CxHxW KxKsS", "kernel", "us", "GFLOP/s", "%peak");
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1, 1);
  for (const Layer& L : kLayers) {
    const int pad = L.k / 2;
    const int oh = (L.h + 2 * pad - L.k) / L.s + 1, ow = (L.w + 2 * pad - L.k) / L.s + 1;
    std::vector<float> x(size_t(L.c) * L.h * L.w), w(size_t(L.c) * L.k * L.k), y(size_t(L.c) * oh * ow);
    for (float& v : x) v = d(rng);
    for (float& v : w) v = d(rng);
    const std::string tile = std::to_string(L.k) + "x" + std::to_string(L.k) + "s" + std::to_string(L.s);
    const uk::Epilogue ep{uk::Act::clip, 0.0f, 6.0f};  // relu6, as in MobileNet
    const auto variants = kernels::available("dwconv", tile);
    std::vector<std::vector<double>> times(variants.size());
    for (int r = 0; r < repeat + 2; ++r)  // two warm-up rounds
      for (size_t i = 0; i < variants.size(); ++i) {
        const auto fn = kernels::as<uk::DwConvFn>(*variants[i]);
        const double t0 = now();
        for (int c = 0; c < L.c; ++c)
          fn(x.data() + size_t(c) * L.h * L.w, L.h, L.w, w.data() + size_t(c) * L.k * L.k, 0.1f,
             y.data() + size_t(c) * oh * ow, oh, ow, pad, pad, ep);
        if (r >= 2) times[i].push_back(now() - t0);
      }
    for (size_t i = 0; i < variants.size(); ++i) {
      const kernels::KernelEntry* e = variants[i];
      std::sort(times[i].begin(), times[i].end());
      const double t = times[i][times[i].size() / 2];
      const double peak = e->arch == kernels::Arch::avx512 ? 2 * peak8 : peak8;
      const double gflops = 2.0 * L.k * L.k * double(oh) * ow * L.c / t * 1e-9;
      char layer[64];
      std::snprintf(layer, sizeof layer, "%dx%dx%d %s", L.c, L.h, L.w, tile.c_str());
      std::printf("%-13s %-22s %-36s %9.1f %8.2f %6.1f%%\n", L.model, layer, e->function, t * 1e6, gflops,
                  100 * gflops / peak);
    }
  }
  return 0;
}
