// Micro-benchmark of the pooling family on real layer shapes (ResNet-18's stem
// MaxPool from the zoo, plus the usual 2x2 / 3x3 pools of other CNNs), 1 thread:
// the whole op (all N*C planes) with the reference kernel ("ref") and with the
// fast binding ("pool", the best arch variant this CPU runs; SPARSECC_ARCH=scalar
// measures the scalar fallback), through the runtime's op registry.
//
//   bench_pool [--repeat R]
//
// Prints median microseconds, the speed-up over ref and the bytes moved per
// second (input + output once): pooling does a few operations per element and
// is bounded by memory traffic, not arithmetic.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "bench_op_timer.h"

namespace {

struct Layer {
  const char* model;
  const char* op;
  int64_t c, h, w, k, s, pad, cip;
};

const Layer kLayers[] = {
    {"resnet18 stem", "MaxPool", 64, 112, 112, 3, 2, 1, 0},
    {"vgg-style", "MaxPool", 128, 56, 56, 2, 2, 0, 0},
    {"inception", "MaxPool", 192, 28, 28, 3, 1, 1, 0},
    {"inception", "AveragePool", 192, 28, 28, 3, 1, 1, 0},
    {"densenet", "AveragePool", 256, 28, 28, 2, 2, 0, 0},
    {"squeeze 7x7", "AveragePool", 512, 7, 7, 7, 1, 0, 1},
};

}  // namespace

int main(int argc, char** argv) {
  int repeat = 51;
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
  const auto* best = sparsecc::kernels::best("pool", "");
  std::printf("pool: median of %d runs, 1 thread, fast kernel = %s\n", repeat, best ? best->function : "(none)");
  std::printf("%-14s %-12s %-24s %10s %10s %8s %8s\n", "model", "op", "layer CxHxW KxK/S/P", "ref us", "pool us",
              "speedup", "GB/s");
  for (const Layer& L : kLayers) {
    std::vector<std::pair<std::string, sparsecc::detail::AttrValue>> attrs = {
        {"kernel_shape", scc_bench::ints({L.k, L.k})},
        {"strides", scc_bench::ints({L.s, L.s})},
        {"pads", scc_bench::ints({L.pad, L.pad, L.pad, L.pad})}};
    if (std::strcmp(L.op, "AveragePool") == 0) attrs.push_back({"count_include_pad", scc_bench::ints({L.cip})});
    const sparsecc::detail::Shape x = {1, L.c, L.h, L.w};
    scc_bench::OpBench ref(L.op, "ref", {x}, attrs), fast(L.op, "pool", {x}, attrs);
    const double tr = scc_bench::median_seconds(repeat, [&] { ref.run(); });
    const double tf = scc_bench::median_seconds(repeat, [&] { fast.run(); });
    double max_diff = 0;
    for (size_t i = 0; i < ref.output().size(); ++i)
      max_diff = std::max(max_diff, double(std::fabs(ref.output()[i] - fast.output()[i])));
    const double bytes = 4.0 * (double(L.c) * L.h * L.w + double(fast.output().size()));
    char layer[64];
    std::snprintf(layer, sizeof layer, "%ldx%ldx%ld %ldx%ld/%ld/%ld", long(L.c), long(L.h), long(L.w), long(L.k),
                  long(L.k), long(L.s), long(L.pad));
    std::printf("%-14s %-12s %-24s %10.1f %10.1f %7.1fx %8.2f%s\n", L.model, L.op, layer, tr * 1e6, tf * 1e6, tr / tf,
                bytes / tf * 1e-9, max_diff > 1e-5 ? "  MISMATCH vs ref" : "");
  }
  return 0;
}
