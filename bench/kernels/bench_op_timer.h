// Shared by the op-level micro-benchmarks (bench_pool.cc, bench_norm.cc): run
// one op through the runtime's op registry with a given kernel name ("ref" or
// a fast binding), exactly as a session would (prepare once, then the bound
// kernel with a 1-thread pool and the scratch it asked for), and time it.
// Times are this thread's CPU time (CLOCK_THREAD_CPUTIME_ID): the machine is shared.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../../runtime_cpp/src/kernel_api.h"
#include "../../runtime_cpp/src/op_registry.h"

namespace scc_bench {

namespace sd = sparsecc::detail;

inline double now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Median seconds of `repeat` calls after two warm-up calls.
inline double median_seconds(int repeat, const std::function<void()>& fn) {
  std::vector<double> t;
  for (int r = 0; r < repeat + 2; ++r) {
    const double t0 = now();
    fn();
    if (r >= 2) t.push_back(now() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

inline sd::AttrValue ints(std::vector<int64_t> v) {
  sd::AttrValue a;
  a.type = sd::AttrType::Ints;
  a.ints = std::move(v);
  return a;
}
inline sd::AttrValue floats(std::vector<float> v) {
  sd::AttrValue a;
  a.type = sd::AttrType::Floats;
  a.floats = std::move(v);
  return a;
}

// One op bound to one kernel; inputs are random, owned here.
class OpBench {
 public:
  OpBench(const std::string& op, const std::string& kernel, const std::vector<sd::Shape>& in_shapes,
          std::vector<std::pair<std::string, sd::AttrValue>> attrs)
      : attrs_(std::move(attrs)), shapes_(in_shapes) {
    const sd::PrepareFn prep = sd::OpRegistry::instance().find(op, kernel);
    if (!prep) {
      std::fprintf(stderr, "no kernel '%s' for op %s in this build\n", kernel.c_str(), op.c_str());
      std::exit(1);
    }
    sd::Attrs a(attrs_);
    sd::PrepareContext ctx;
    for (const sd::Shape& s : shapes_) ctx.inputs.push_back(&s);
    ctx.n_outputs = 1;
    ctx.attrs = &a;
    prepared_ = prep(ctx);
    uint32_t seed = 1;
    for (const sd::Shape& s : shapes_) {
      std::vector<float> v(size_t(sd::numel(s)));
      for (float& f : v) f = float((seed = seed * 1664525u + 1013904223u) >> 8) / float(1 << 24) * 2.0f - 1.0f;
      inputs_.push_back(std::move(v));
    }
    output_.resize(size_t(sd::numel(prepared_.out_shapes[0])));
    scratch_.resize(prepared_.scratch_bytes + 64);
    thread_scratch_.resize(prepared_.thread_scratch_bytes + 64);
  }

  void run() {
    std::vector<const float*> in;
    for (const auto& v : inputs_) in.push_back(v.data());
    float* out = output_.data();
    sd::RunContext rc(pool_, align(scratch_.data()), prepared_.scratch_bytes, align(thread_scratch_.data()),
                      prepared_.thread_scratch_bytes);
    prepared_.run(rc, in.data(), &out);
  }

  const std::vector<float>& output() const { return output_; }

 private:
  static uint8_t* align(uint8_t* p) { return p + (64 - reinterpret_cast<uintptr_t>(p) % 64) % 64; }
  std::vector<std::pair<std::string, sd::AttrValue>> attrs_;
  std::vector<sd::Shape> shapes_;
  sd::Prepared prepared_;
  std::vector<std::vector<float>> inputs_;
  std::vector<float> output_;
  std::vector<uint8_t> scratch_, thread_scratch_;
  sd::ThreadPool pool_{1};
};

}  // namespace scc_bench
