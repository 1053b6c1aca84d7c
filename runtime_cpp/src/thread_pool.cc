// ThreadPool: see thread_pool.h for the contract.
//
// Job hand-off: the caller publishes a job (function, body, chunk layout) under
// mutex_ and bumps generation_; a worker copies nothing but registers itself
// in active_workers_ under the same mutex, then takes chunks from next_chunk_.
// A new job is only published once active_workers_ is 0, so a late worker can
// never take a chunk of a job whose body has already gone out of scope.
#include "thread_pool.h"

#include <chrono>
#include <string>

#include "error.h"

namespace sparsecc::detail {

#if !SPARSECC_THREADS
ThreadPool::ThreadPool(int num_threads) {
  if (num_threads < 1) raise_error("thread pool: num_threads must be >= 1, got " + std::to_string(num_threads));
}
ThreadPool::~ThreadPool() = default;
#else

namespace {
// How long an idle worker polls for the next job before sleeping.
constexpr auto kSpin = std::chrono::microseconds(200);
}  // namespace

ThreadPool::ThreadPool(int num_threads) {
  if (num_threads < 1) raise_error("thread pool: num_threads must be >= 1, got " + std::to_string(num_threads));
  workers_.reserve(size_t(num_threads - 1));
  try {
    for (int w = 1; w < num_threads; ++w) workers_.emplace_back([this, w] { worker_main(size_t(w)); });
  } catch (const std::system_error& e) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    raise_error(std::string("thread pool: cannot start a thread: ") + e.what());
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_job(size_t n, size_t grain, Trampoline fn, void* body) {
  const size_t threads = num_threads();
  size_t chunk = (n + threads * 4 - 1) / (threads * 4);  // ~4 chunks per thread for balance
  if (chunk < grain) chunk = grain;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // a worker that woke late for the previous job may still be leaving it
    while (active_workers_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    fn_ = fn;
    body_ = body;
    n_ = n;
    chunk_ = chunk;
    n_chunks_ = (n + chunk - 1) / chunk;
    error_ = nullptr;
    chunks_done_.store(0, std::memory_order_relaxed);
    next_chunk_.store(0, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  work_on_job(0);
  while (chunks_done_.load(std::memory_order_acquire) != n_chunks_) std::this_thread::yield();
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::work_on_job(size_t worker) {
  for (;;) {
    size_t c = next_chunk_.fetch_add(1, std::memory_order_acq_rel);
    if (c >= n_chunks_) return;
    size_t begin = c * chunk_;
    size_t end = begin + chunk_ < n_ ? begin + chunk_ : n_;
    try {
      fn_(body_, begin, end, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
    chunks_done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::worker_main(size_t worker) {
  uint64_t seen = 0;
  for (;;) {
    // poll briefly: consecutive layers publish jobs microseconds apart
    auto t0 = std::chrono::steady_clock::now();
    for (unsigned i = 0; generation_.load(std::memory_order_acquire) == seen; ++i) {
      if ((i & 63) == 63 && std::chrono::steady_clock::now() - t0 > kSpin) break;
      std::this_thread::yield();
    }
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
      if (stop_) return;
      seen = generation_.load(std::memory_order_acquire);
      active_workers_.fetch_add(1, std::memory_order_acq_rel);
    }
    work_on_job(worker);
    active_workers_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

#endif  // SPARSECC_THREADS

}  // namespace sparsecc::detail
