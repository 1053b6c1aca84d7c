// Micro-benchmark of the Softmax and LayerNormalization kernels on real layer
// shapes (the zoo transformer_block: attention scores [1, 4, 64, 64] and
// LayerNorm [1, 64, 128]; BERT-base sizes for scale), 1 thread: the whole op
// with the reference kernel ("ref") and with the fast binding ("softmax" /
// "layernorm", the best arch variant this CPU runs; SPARSECC_ARCH=scalar
// measures the scalar fallback), through the runtime's op registry.
//
//   bench_norm [--repeat R]
//
// Prints median microseconds, the speed-up over ref, nanoseconds per element
// and the largest difference from ref (relative to the output's scale).
#include <cmath>
#include <cstdio>
#include <cstring>

#include "../../runtime_cpp/kernels/dispatch.h"
#include "bench_op_timer.h"

namespace {

struct Layer {
  const char* model;
  const char* op;
  sparsecc::detail::Shape x;
};

const Layer kLayers[] = {
    {"transformer_block", "Softmax", {1, 4, 64, 64}},
    {"transformer_block", "LayerNormalization", {1, 64, 128}},
    {"bert-base", "Softmax", {1, 12, 128, 128}},
    {"bert-base", "LayerNormalization", {1, 128, 768}},
};

}  // namespace

int main(int argc, char** argv) {
  int repeat = 51;
  for (int i = 1; i < argc; ++i)
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
  const auto* sm = sparsecc::kernels::best("softmax", "");
  const auto* ln = sparsecc::kernels::best("layernorm", "");
  std::printf("norm: median of %d runs, 1 thread, fast kernels = %s, %s\n", repeat, sm ? sm->function : "(none)",
              ln ? ln->function : "(none)");
  std::printf("%-18s %-19s %-16s %10s %10s %8s %8s %9s\n", "model", "op", "X", "ref us", "fast us", "speedup",
              "ns/elem", "rel diff");
  for (const Layer& L : kLayers) {
    const bool is_ln = std::strcmp(L.op, "LayerNormalization") == 0;
    const int64_t last = L.x.back();
    std::vector<sparsecc::detail::Shape> ins = {L.x};
    std::vector<std::pair<std::string, sparsecc::detail::AttrValue>> attrs = {
        {"axis", scc_bench::ints({int64_t(L.x.size()) - 1})}};
    if (is_ln) {
      ins.push_back({last});
      ins.push_back({last});
      attrs.push_back({"epsilon", scc_bench::floats({1e-5f})});
    }
    scc_bench::OpBench ref(L.op, "ref", ins, attrs), fast(L.op, is_ln ? "layernorm" : "softmax", ins, attrs);
    const double tr = scc_bench::median_seconds(repeat, [&] { ref.run(); });
    const double tf = scc_bench::median_seconds(repeat, [&] { fast.run(); });
    double max_diff = 0, scale = 1e-30;
    for (size_t i = 0; i < ref.output().size(); ++i) {
      max_diff = std::max(max_diff, double(std::fabs(ref.output()[i] - fast.output()[i])));
      scale = std::max(scale, double(std::fabs(ref.output()[i])));
    }
    std::string dims = "[";
    for (size_t i = 0; i < L.x.size(); ++i) dims += (i ? "," : "") + std::to_string(L.x[i]);
    dims += "]";
    const double elems = double(ref.output().size());
    std::printf("%-18s %-19s %-16s %10.1f %10.1f %7.1fx %8.2f %9.2g\n", L.model, L.op, dims.c_str(), tr * 1e6,
                tf * 1e6, tr / tf, tf / elems * 1e9, max_diff / scale);
  }
  return 0;
}
