// A small fork-join thread pool owned by one Session.
//
//   ThreadPool pool(4);                        // the caller + 3 workers
//   pool.parallel_for(n, [&](size_t begin, size_t end, size_t worker) { ... });
//
// parallel_for splits [0, n) into contiguous chunks of at least `grain` items,
// hands them out dynamically (an atomic counter) to the calling thread and the
// workers, and returns when every chunk is done. `worker` is in
// [0, num_threads()) and unique among the chunks running at the same moment (it
// indexes per-thread scratch). With one thread, or when n <= grain, the body is
// called once, inline, as body(0, n, 0): no locking, no atomics.
//
// Workers spin briefly after a job (the next layer's job usually follows within
// microseconds), then sleep on a condition variable. Exceptions thrown by a
// body are caught and the first one is rethrown by parallel_for on the caller.
// Not re-entrant: a body must not call parallel_for on the same pool.
//
// wasm32-wasi builds have no threads (wasi-libc and its libc++ are built
// without them): SPARSECC_THREADS is 0, any num_threads >= 1 is accepted and
// clamped to 1, and every parallel_for runs inline on the caller.
#pragma once

#if defined(__wasi__)
#define SPARSECC_THREADS 0
#else
#define SPARSECC_THREADS 1
#endif

#include <cstddef>
#include <cstdint>
#include <type_traits>

#if SPARSECC_THREADS
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>
#endif

namespace sparsecc::detail {

class ThreadPool {
 public:
  // num_threads >= 1 counts the calling thread; num_threads - 1 workers are started.
  explicit ThreadPool(int num_threads = 1);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

#if !SPARSECC_THREADS
  size_t num_threads() const { return 1; }
  template <typename F>
  void parallel_for(size_t n, F&& body, size_t grain = 1) {
    (void)grain;
    if (n != 0) body(size_t(0), n, size_t(0));
  }
};
#else
  size_t num_threads() const { return workers_.size() + 1; }

  // Body: callable as body(begin, end, worker). Type-erased without allocating.
  template <typename F>
  void parallel_for(size_t n, F&& body, size_t grain = 1) {
    if (n == 0) return;
    if (workers_.empty() || n <= grain) {
      body(size_t(0), n, size_t(0));
      return;
    }
    run_job(n, grain, &invoke<std::remove_reference_t<F>>, static_cast<void*>(&body));
  }

 private:
  using Trampoline = void (*)(void* body, size_t begin, size_t end, size_t worker);
  template <typename F>
  static void invoke(void* body, size_t begin, size_t end, size_t worker) {
    (*static_cast<F*>(body))(begin, end, worker);
  }

  void run_job(size_t n, size_t grain, Trampoline fn, void* body);
  void work_on_job(size_t worker);  // takes chunks until none is left
  void worker_main(size_t worker);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;

  // the current job (written by the caller before the generation is bumped)
  Trampoline fn_ = nullptr;
  void* body_ = nullptr;
  size_t n_ = 0, chunk_ = 1, n_chunks_ = 0;
  std::atomic<size_t> next_chunk_{0};
  std::atomic<size_t> chunks_done_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<size_t> active_workers_{0};  // workers currently inside work_on_job
  std::exception_ptr error_;
  std::mutex error_mutex_;
};
#endif  // SPARSECC_THREADS

}  // namespace sparsecc::detail
