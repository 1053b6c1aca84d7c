// Thread pool and RunContext: every index covered exactly once for many
// (n, threads, grain), the one-thread path is a single inline call, worker
// indices are in range and never shared by two chunks running at once,
// exceptions reach the caller and leave the pool usable, many back-to-back
// jobs (the hand-off between layers), scratch slices, and Sessions with
// several threads giving the same results as one.
#include <atomic>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernel_api.h"
#include "model_builder.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"
#include "thread_pool.h"

using namespace scctest;
using sparsecc::detail::RunContext;
using sparsecc::detail::ThreadPool;

TEST(parallel_for_covers_every_index_once_for_many_sizes_threads_and_grains) {
  for (int threads : {1, 2, 3, 4, 8}) {
    ThreadPool pool(threads);
    for (size_t n : {size_t(1), size_t(2), size_t(3), size_t(7), size_t(64), size_t(1000), size_t(4099)}) {
      for (size_t grain : {size_t(1), size_t(5), size_t(64)}) {
        std::vector<std::atomic<int>> hits(n);
        for (auto& h : hits) h = 0;
        std::atomic<bool> bad_range{false};
        pool.parallel_for(n, [&](size_t b, size_t e, size_t) {
          if (b >= e || e > n) bad_range = true;
          // every chunk but the last holds >= grain items
          if (e - b < grain && e != n) bad_range = true;
          for (size_t i = b; i < e; ++i) hits[i]++;
        }, grain);
        int wrong = 0;
        for (auto& h : hits) wrong += h.load() != 1;
        CHECK_MSG(wrong == 0 && !bad_range, "threads=" + std::to_string(threads) + " n=" + std::to_string(n) +
                                                " grain=" + std::to_string(grain) + ": " + std::to_string(wrong) +
                                                " indices not hit exactly once" + (bad_range ? ", bad chunk" : ""));
      }
    }
  }
}

TEST(one_thread_pool_calls_the_body_once_inline_with_the_whole_range) {
  ThreadPool pool(1);
  CHECK_EQ(pool.num_threads(), size_t(1));
  int calls = 0;
  std::thread::id where;
  pool.parallel_for(123, [&](size_t b, size_t e, size_t w) {
    ++calls;
    where = std::this_thread::get_id();
    CHECK_EQ(b, size_t(0));
    CHECK_EQ(e, size_t(123));
    CHECK_EQ(w, size_t(0));
  });
  CHECK_EQ(calls, 1);
  CHECK(where == std::this_thread::get_id());
  pool.parallel_for(0, [&](size_t, size_t, size_t) { ++calls; });
  CHECK_EQ(calls, 1);  // n == 0 calls nothing
}

TEST(worker_indices_are_in_range_and_exclusive_while_running) {
  const int threads = 4;
  ThreadPool pool(threads);
  std::vector<std::atomic<int>> busy(threads);
  for (auto& b : busy) b = 0;
  std::atomic<int> violations{0};
  std::atomic<int> used_mask{0};
  for (int rep = 0; rep < 200; ++rep) {
    pool.parallel_for(64, [&](size_t, size_t, size_t w) {
      if (w >= size_t(threads)) {
        ++violations;
        return;
      }
      used_mask |= 1 << w;
      if (busy[w].fetch_add(1) != 0) ++violations;
      for (volatile int spin = 0; spin < 2000; spin = spin + 1) {
      }
      busy[w].fetch_sub(1);
    });
  }
  CHECK_EQ(violations.load(), 0);
  CHECK((used_mask.load() & 1) != 0);  // the caller takes part as worker 0
}

TEST(exception_in_a_body_reaches_the_caller_and_the_pool_stays_usable) {
  ThreadPool pool(3);
  bool caught = false;
  try {
    pool.parallel_for(100, [&](size_t b, size_t e, size_t) {
      if (b <= 50 && 50 < e) throw std::runtime_error("chunk with 50 failed");
    });
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "chunk with 50 failed";
  }
  CHECK(caught);
  std::atomic<size_t> sum{0};
  pool.parallel_for(100, [&](size_t b, size_t e, size_t) {
    for (size_t i = b; i < e; ++i) sum += i;
  });
  CHECK_EQ(sum.load(), size_t(4950));
}

TEST(many_back_to_back_small_jobs_complete_with_exact_sums) {
  ThreadPool pool(3);
  std::mt19937 rng(7);
  for (int job = 0; job < 20000; ++job) {
    const size_t n = 1 + rng() % 17;
    std::atomic<size_t> sum{0};
    pool.parallel_for(n, [&](size_t b, size_t e, size_t) {
      for (size_t i = b; i < e; ++i) sum += i + 1;
    });
    if (sum.load() != n * (n + 1) / 2) {
      CHECK_MSG(false, "job " + std::to_string(job) + " n=" + std::to_string(n) + " got " + std::to_string(sum.load()));
      break;
    }
  }
}

TEST(pool_rejects_zero_threads) { CHECK_THROWS(ThreadPool(0), "num_threads must be >= 1"); }

TEST(run_context_two_argument_body_and_private_thread_scratch) {
  ThreadPool pool(3);
  alignas(64) static uint8_t buf[64 + 3 * 128];
  RunContext ctx(pool, buf, 64, buf + 64, 128);
  CHECK_EQ(ctx.num_threads(), size_t(3));
  CHECK(ctx.scratch<uint8_t>() == buf);
  CHECK(ctx.thread_scratch<uint8_t>(2) == buf + 64 + 256);
  std::atomic<int> items{0};
  ctx.parallel_for(50, [&](size_t b, size_t e) { items += int(e - b); });
  CHECK_EQ(items.load(), 50);
  // each worker writes its own slice; the slices must not be clobbered by others
  std::atomic<int> bad{0};
  ctx.parallel_for(300, [&](size_t b, size_t e, size_t w) {
    float* mine = ctx.thread_scratch(w);
    for (size_t i = b; i < e; ++i) {
      for (int j = 0; j < 32; ++j) mine[j] = float(i);
      for (int j = 0; j < 32; ++j) bad += mine[j] != float(i);
    }
  });
  CHECK_EQ(bad.load(), 0);
}

namespace {
// conv -> relu -> global pool: enough nodes to exercise consecutive jobs
std::vector<uint8_t> conv_model(std::vector<float>& x) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(16 * 8 * 3 * 3), bias(16);
  for (float& v : w) v = u(rng);
  for (float& v : bias) v = u(rng);
  x.resize(1 * 8 * 12 * 12);
  for (float& v : x) v = u(rng);
  ModelBuilder b;
  uint32_t xi = b.activation("x", {1, 8, 12, 12});
  uint32_t wi = b.constant("w", {16, 8, 3, 3}, w);
  uint32_t bi = b.constant("b", {16}, bias);
  uint32_t c = b.activation("c", {1, 16, 12, 12});
  uint32_t r = b.activation("r", {1, 16, 12, 12});
  uint32_t y = b.activation("y", {1, 16, 1, 1});
  b.node("conv", "Conv", {xi, wi, bi}, {c}).ints("pads", {1, 1, 1, 1});
  b.node("relu", "Relu", {c}, {r});
  b.node("gap", "GlobalAveragePool", {r}, {y});
  b.input(xi);
  b.output(y);
  return b.build();
}
}  // namespace

TEST(session_with_several_threads_matches_one_thread) {
  std::vector<float> x;
  auto bytes = conv_model(x);
  auto m = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  std::vector<float> y1(16), yn(16);
  sparsecc::Session one(m);
  one.run({x.data()}, {y1.data()});
  for (int threads : {2, 3, 5}) {
    sparsecc::SessionOptions o;
    o.num_threads = threads;
    sparsecc::Session s(m, o);
    for (int rep = 0; rep < 3; ++rep) {
      s.run({x.data()}, {yn.data()});
      CHECK_CLOSE(yn, y1, 1e-6f);
    }
  }
  sparsecc::SessionOptions bad;
  bad.num_threads = 0;
  CHECK_THROWS(sparsecc::Session(m, bad), "num_threads must be >= 1");
}
