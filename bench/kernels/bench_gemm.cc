// Micro-benchmark of the GEMM family on real layer shapes (MobileNet-v1
// pointwise convs, ResNet-18 convs, classifier Gemms), 1 thread, through the
// same drivers the op bindings use (kernels/ops/gemm_driver.h, igemm_driver.h).
// Each layer is timed with every way the family can run it, in the same run:
// k x k convs with im2col + GEMM and with igemm (direct, phase planes); 1x1
// convs with B packed into strips ("packB") and read in place ("inplace").
//
//   bench_gemm [--repeat R] [--scalar] [--filter SUBSTR]
//
// Prints per layer the median time, GFLOP/s (2*M*K*P flops) and % of this
// core's FMA peak. Peak = 2 FMA units x 8 floats x 2 flops x f, where f is
// measured with a chain of dependent imuls (see measure_ghz): the clock the
// core actually runs at, including turbo. An FMA throughput loop (12 independent ymm chains) is also
// timed as the "achievable" peak (lower when the host runs another guest on
// this core's hyper-thread sibling). Times are this thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID), so other processes on the machine do not count.
#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "../../runtime_cpp/kernels/gemm/f32-gemm.h"
#include "../../runtime_cpp/kernels/ops/gemm_driver.h"
#include "../../runtime_cpp/kernels/ops/igemm_driver.h"
#include "../../runtime_cpp/kernels/ops/pgemm_driver.h"
#include "../../runtime_cpp/kernels/pgemm/f32-pgemm.h"

namespace {

using namespace sparsecc;
// Thread CPU time, not wall time: the machine is shared, and time spent
// descheduled is not the kernel's.
struct Clock {
  using time_point = double;
  static double now() {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  }
};

double seconds_since(double t0) { return Clock::now() - t0; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Cycles per second from a dependent chain of 64-bit imul (3-cycle latency on
// every x86-64 core since Sandy Bridge; add-immediate chains are not usable:
// recent cores fold them at rename and run several per cycle).
double measure_ghz() {
#if defined(__x86_64__)
  std::vector<double> r;
  for (int rep = 0; rep < 7; ++rep) {
    const uint64_t iters = 20'000'000;
    uint64_t x = 3, n = iters;
    auto t0 = Clock::now();
    __asm__ volatile(
        "1:\n\t"
        "imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0\n\t"
        "dec %1\n\tjnz 1b\n\t"
        : "+r"(x), "+r"(n));
    r.push_back(double(iters) * 4 * 3 / seconds_since(t0) / 1e9);
  }
  return median(r);
#else
  return 0.0;
#endif
}

#if defined(__x86_64__)
// 12 independent FMA chains on ymm registers (two FMA ports x 4-cycle latency
// needs >= 8 in flight).
double measure_fma_gflops() {
  std::vector<double> r;
  for (int rep = 0; rep < 7; ++rep) {
    const uint64_t iters = 20'000'000;
    uint64_t n = iters;
    auto t0 = Clock::now();
    __asm__ volatile(
        "vxorps %%ymm0, %%ymm0, %%ymm0\n\t"
        "1:\n\t"
        "vfmadd231ps %%ymm0, %%ymm0, %%ymm4\n\tvfmadd231ps %%ymm0, %%ymm0, %%ymm5\n\t"
        "vfmadd231ps %%ymm0, %%ymm0, %%ymm6\n\tvfmadd231ps %%ymm0, %%ymm0, %%ymm7\n\t"
        "vfmadd231ps %%ymm0, %%ymm0, %%ymm8\n\tvfmadd231ps %%ymm0, %%ymm0, %%ymm9\n\t"
        "vfmadd231ps %%ymm0, %%ymm0, %%ymm10\n\tvfmadd231ps %%ymm0, %%ymm0, %%ymm11\n\t"
        "vfmadd231ps %%ymm0, %%ymm0, %%ymm12\n\tvfmadd231ps %%ymm0, %%ymm0, %%ymm13\n\t"
        "vfmadd231ps %%ymm0, %%ymm0, %%ymm14\n\tvfmadd231ps %%ymm0, %%ymm0, %%ymm15\n\t"
        "dec %0\n\tjnz 1b\n\t"
        "vzeroupper\n\t"
        : "+r"(n)
        :
        : "xmm0", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14",
          "xmm15");
    r.push_back(double(iters) * 12 * 16 / seconds_since(t0) / 1e9);
  }
  return median(r);
}
#endif

struct Layer {
  const char* model;
  const char* name;
  size_t M, C, H, W, k, stride, pad;  // conv M x C x k x k on an H x W input; k == 0: Gemm (M = N out, C = K in)
};

const Layer kLayers[] = {
    {"mobilenet_v1", "pw1 32->64 @112", 64, 32, 112, 112, 1, 1, 0},
    {"mobilenet_v1", "pw2 64->128 @56", 128, 64, 56, 56, 1, 1, 0},
    {"mobilenet_v1", "pw3 128->128 @56", 128, 128, 56, 56, 1, 1, 0},
    {"mobilenet_v1", "pw4 128->256 @28", 256, 128, 28, 28, 1, 1, 0},
    {"mobilenet_v1", "pw5 256->256 @28", 256, 256, 28, 28, 1, 1, 0},
    {"mobilenet_v1", "pw6 256->512 @14", 512, 256, 14, 14, 1, 1, 0},
    {"mobilenet_v1", "pw7 512->512 @14", 512, 512, 14, 14, 1, 1, 0},
    {"mobilenet_v1", "pw12 512->1024 @7", 1024, 512, 7, 7, 1, 1, 0},
    {"mobilenet_v1", "pw13 1024->1024 @7", 1024, 1024, 7, 7, 1, 1, 0},
    {"mobilenet_v1", "conv1 3x3s2 3->32 @224", 32, 3, 224, 224, 3, 2, 1},
    {"mobilenet_v1", "fc 1024->1000", 1000, 1024, 1, 1, 0, 1, 0},
    {"resnet18", "conv1 7x7s2 3->64 @224", 64, 3, 224, 224, 7, 2, 3},
    {"resnet18", "l1 3x3 64->64 @56", 64, 64, 56, 56, 3, 1, 1},
    {"resnet18", "l2 3x3s2 64->128 @56", 128, 64, 56, 56, 3, 2, 1},
    {"resnet18", "l2 3x3 128->128 @28", 128, 128, 28, 28, 3, 1, 1},
    {"resnet18", "l3 3x3 256->256 @14", 256, 256, 14, 14, 3, 1, 1},
    {"resnet18", "l4 3x3 512->512 @7", 512, 512, 7, 7, 3, 1, 1},
    {"resnet18", "ds 1x1s2 256->512 @14", 512, 256, 14, 14, 1, 2, 0},
    {"resnet18", "fc 512->1000", 1000, 512, 1, 1, 0, 1, 0},
};

struct Result {
  double ms, gflops;
};

// mode: "" (Gemm), "im2col" / "igemm" (k x k conv), "packB" / "inplace" (1x1 conv), "pgemm" (any
// conv, with the pgemm micro-kernel pfn of tile PT x NR = v.MR x v.NR)
Result bench_layer(const Layer& L, gemm::Variant v, ukernel::IGemmFn ifn, const std::string& mode, int repeat,
                   ukernel::PGemmFn pfn = nullptr) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  auto rand_vec = [&](size_t n) {
    std::vector<float> x(n);
    for (float& f : x) f = u(rng);
    return x;
  };
  ukernel::Epilogue ep;
  ep.act = ukernel::Act::relu;
  auto serial = [](size_t n, auto&& body) { body(0, n); };
  std::function<void()> run;
  double flops;
  std::vector<float> x, w, bias, packed, y, scratch;
  gemm::ChannelGemm cg;
  gemm::RowGemm rg;
  gemm::Im2col im{};
  std::unique_ptr<igemm::DirectConv> dc;
  std::unique_ptr<pgemm::PixelConv> pc;
  if (L.k == 0) {  // Gemm: X[1, K] * W[N, K]^T
    const size_t N = L.M, K = L.C;
    x = rand_vec(K), w = rand_vec(N * K), bias = rand_vec(N), y.assign(N, 0.0f);
    packed = gemm::pack_bt_panels(w.data(), N, K, v.NR);
    rg = {v, 1, K, N, packed.data(), bias.data(), ep};
    flops = 2.0 * N * K;
    run = [&] { rg.run_tiles(x.data(), K, y.data(), N, 0, rg.tiles()); };
  } else {
    const size_t OH = (L.H + 2 * L.pad - L.k) / L.stride + 1, OW = (L.W + 2 * L.pad - L.k) / L.stride + 1;
    const size_t P = OH * OW, K = L.C * L.k * L.k;
    const bool direct = L.k == 1 && L.stride == 1 && L.pad == 0;
    x = rand_vec(L.C * L.H * L.W), w = rand_vec(L.M * K), bias = rand_vec(L.M), y.assign(L.M * P, 0.0f);
    packed = gemm::pack_a_panels(w.data(), L.M, K, v.MR);
    cg = {v, L.M, K, packed.data(), bias.data(), ep};
    im = {L.C, L.H, L.W, L.k, L.k, L.stride, L.stride, 1, 1, L.pad, L.pad, OH, OW};
    scratch.assign(K * gemm::chunk_columns(K, P, v.NR), 0.0f);
    flops = 2.0 * L.M * K * P;
    if (mode == "pgemm") {
      packed = gemm::pack_bt_panels(w.data(), L.M, K, v.NR);
      if (direct) {
        pc = std::make_unique<pgemm::PixelConv>(pfn, v.MR, v.NR, L.M, K, P, ep);
      } else {
        const igemm::ConvShape cs{L.C, L.H, L.W, L.M, L.k, L.k, L.stride, L.stride, 1, 1, L.pad, L.pad, L.pad, L.pad};
        pc = std::make_unique<pgemm::PixelConv>(pfn, v.MR, v.NR,
                                                std::make_shared<const igemm::DirectConv>(nullptr, 1, 1, cs, ep), L.M, ep);
      }
      scratch.assign(pc->scratch_floats(), 0.0f);
      run = [&] { pc->conv_image(packed.data(), bias.data(), x.data(), y.data(), scratch.data(), serial); };
    } else if (mode == "igemm") {
      const igemm::ConvShape cs{L.C, L.H, L.W, L.M, L.k, L.k, L.stride, L.stride, 1, 1, L.pad, L.pad, L.pad, L.pad};
      dc = std::make_unique<igemm::DirectConv>(ifn, v.MR, v.NR, cs, ep);
      scratch.assign(dc->scratch_floats(), 0.0f);
      run = [&] { igemm::conv_image(*dc, packed.data(), bias.data(), x.data(), y.data(), scratch.data(), serial); };
    } else if (mode == "inplace") {
      run = [&, P] { gemm::conv_1x1_in_place(cg, P, x.data(), y.data(), serial); };
    } else {
      run = [&, P, direct] {
        if (direct)  // packB: the strip copy, whatever conv_image's rule would choose
          gemm::conv_packed_b(cg, nullptr, P, x.data(), y.data(), scratch.data(), serial);
        else
          gemm::conv_image(cg, &im, P, x.data(), y.data(), scratch.data(), serial);
      };
    }
  }
  // warm-up ~50 ms, then `repeat` timed batches of >= 20 ms each
  auto t0 = Clock::now();
  size_t calls = 0;
  while (seconds_since(t0) < 0.05) run(), ++calls;
  const size_t batch = std::max<size_t>(1, size_t(0.02 / (seconds_since(t0) / double(calls))));
  std::vector<double> times;
  for (int r = 0; r < repeat; ++r) {
    auto t1 = Clock::now();
    for (size_t i = 0; i < batch; ++i) run();
    times.push_back(seconds_since(t1) / double(batch));
  }
  const double t = median(times);
  return {t * 1e3, flops / t / 1e9};
}

}  // namespace

// %peak of a variant is against its own ISA's FMA peak: 16 lanes for AVX-512, 8 otherwise.
double lanes_factor(const char* variant) { return std::strstr(variant, "avx512") ? 2.0 : 1.0; }

int main(int argc, char** argv) {
  int repeat = 9;
  bool scalar = false;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--scalar")) scalar = true;
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--repeat R] [--scalar] [--filter SUBSTR]\n", argv[0]);
      return 2;
    }
  }
  struct Var {
    const char* name;
    gemm::Variant v;
    ukernel::IGemmFn ifn;
  };
  std::vector<Var> variants;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    variants.push_back({"avx512 12x32", {ukernel::scc_f32_gemm_ukernel_12x32__avx512, 12, 32},
                        ukernel::scc_f32_igemm_ukernel_12x32__avx512});
    variants.push_back({"avx512 8x48", {ukernel::scc_f32_gemm_ukernel_8x48__avx512, 8, 48},
                        ukernel::scc_f32_igemm_ukernel_8x48__avx512});
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    variants.push_back({"avx2 6x16", {ukernel::scc_f32_gemm_ukernel_6x16__avx2, 6, 16},
                        ukernel::scc_f32_igemm_ukernel_6x16__avx2});
#endif
  if (scalar || variants.empty())
    variants.push_back({"scalar 6x16", {ukernel::scc_f32_gemm_ukernel_6x16__scalar, 6, 16},
                        ukernel::scc_f32_igemm_ukernel_6x16__scalar});

  const double ghz = measure_ghz();
  const double peak = 2 * 8 * 2 * ghz;
  std::printf("clock %.2f GHz (dependent imul chain); AVX2 FMA peak 2x8x2x%.2f = %.1f GFLOP/s "
              "(AVX-512 rows: %%peak of 2x16x2x%.2f = %.1f)", ghz, ghz, peak, ghz, 2 * peak);
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    std::printf("; measured FMA loop %.1f GFLOP/s", measure_fma_gflops());
#endif
  std::printf("\n1 thread, median of %d, epilogue bias+relu\n\n", repeat);
  std::printf("%-12s %-26s %-12s %-8s %9s %9s %7s\n", "model", "layer", "kernel", "mode", "ms", "GFLOP/s", "%peak");
  for (const Layer& L : kLayers) {
    if (!filter.empty() && std::string(L.model).find(filter) == std::string::npos &&
        std::string(L.name).find(filter) == std::string::npos)
      continue;
    std::vector<std::string> modes = {""};
    if (L.k == 1 && L.stride == 1 && L.pad == 0) modes = {"packB", "inplace"};
    else if (L.k > 0) modes = {"im2col", "igemm"};
    for (const Var& var : variants)
      for (const std::string& mode : modes) {
        const Result r = bench_layer(L, var.v, var.ifn, mode, repeat);
        std::printf("%-12s %-26s %-12s %-8s %9.3f %9.1f %6.1f%%\n", L.model, L.name, var.name, mode.c_str(), r.ms,
                    r.gflops, peak > 0 ? 100.0 * r.gflops / (peak * lanes_factor(var.name)) : 0.0);
        std::fflush(stdout);
      }
#if defined(__x86_64__)
    // pgemm: channels as vectors, pixels broadcast (every conv layer; chosen only for small planes)
    struct PVar {
      const char* name;
      size_t PT, NR;
      ukernel::PGemmFn fn;
      bool ok;
    };
    const PVar pvars[] = {
        {"avx512 7x48", 7, 48, ukernel::scc_f32_pgemm_ukernel_7x48__avx512, __builtin_cpu_supports("avx512f") != 0},
        {"avx2 6x16", 6, 16, ukernel::scc_f32_pgemm_ukernel_6x16__avx2,
         __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")}};
    for (const PVar& pv : pvars) {
      if (L.k == 0 || !pv.ok) continue;
      const Result r = bench_layer(L, {nullptr, pv.PT, pv.NR}, nullptr, "pgemm", repeat, pv.fn);
      std::printf("%-12s %-26s %-12s %-8s %9.3f %9.1f %6.1f%%\n", L.model, L.name, pv.name, "pgemm", r.ms, r.gflops,
                  peak > 0 ? 100.0 * r.gflops / (peak * lanes_factor(pv.name)) : 0.0);
      std::fflush(stdout);
    }
#endif
  }
  return 0;
}
