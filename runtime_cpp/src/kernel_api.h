// What a kernel sees: at load time a PrepareContext (input shapes + typed
// attributes) from which its prepare function re-derives the output shapes,
// checks every attribute and every index it will read, and returns the bound
// kernel; at run time raw float pointers plus a RunContext (thread pool,
// scratch memory).
//
// Prepare functions throw Error with a message that does not need to name the
// node: the loader prefixes "node '<name>' (<op>): ".
#pragma once

#include <cstdint>
#include <algorithm>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "error.h"
#include "sparsecc/runtime.h"
#include "thread_pool.h"

namespace sparsecc::detail {

using Shape = std::vector<int64_t>;

std::string shape_str(const Shape& s);
int64_t numel(const Shape& s);  // product of dims, 1 for rank 0

enum class AttrType : uint8_t { Ints = 1, Floats = 2, String = 3 };
const char* attr_type_name(AttrType t);

struct AttrValue {
  AttrType type = AttrType::Ints;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string str;
};

// Typed access to a node's attributes with defaults. Tracks which keys were
// read so that unknown (unread) keys can be rejected afterwards.
class Attrs {
 public:
  explicit Attrs(const std::vector<std::pair<std::string, AttrValue>>& list) : list_(list) {}

  int64_t get_int(const std::string& key) const;                  // required
  int64_t get_int(const std::string& key, int64_t dflt) const;
  std::vector<int64_t> get_ints(const std::string& key) const;    // required
  std::vector<int64_t> get_ints(const std::string& key, std::vector<int64_t> dflt) const;
  // Exactly n values (else an error naming the key): required, or absent = n copies of `fill`.
  std::vector<int64_t> get_ints_n(const std::string& key, size_t n) const;
  std::vector<int64_t> get_ints_n(const std::string& key, size_t n, int64_t fill) const;
  float get_float(const std::string& key, float dflt) const;
  std::vector<float> get_floats(const std::string& key, std::vector<float> dflt) const;
  std::string get_string(const std::string& key, std::string dflt) const;
  bool has(const std::string& key) const;
  // Throws for any attribute no get_*() asked for.
  void check_all_used() const;

 private:
  const AttrValue* find(const std::string& key, AttrType type) const;
  const std::vector<std::pair<std::string, AttrValue>>& list_;
  mutable std::set<std::string> used_;
};

// What a bound kernel gets at run time besides its tensors: the session's
// thread pool and scratch memory. Scratch contents are undefined on entry and
// shared with every other node (use it only during the call).
class RunContext {
 public:
  RunContext(ThreadPool& pool, uint8_t* scratch, size_t scratch_bytes, uint8_t* thread_scratch,
             size_t thread_scratch_stride)
      : pool_(pool), scratch_(scratch), scratch_bytes_(scratch_bytes), thread_scratch_(thread_scratch),
        thread_stride_(thread_scratch_stride) {}

  size_t num_threads() const { return pool_.num_threads(); }

  // Calls body(begin, end) -- or body(begin, end, worker) -- over chunks
  // covering [0, n), on up to num_threads() threads; returns when all are done.
  // One thread: a single inline call body(0, n). Chunks hold >= grain items.
  template <typename F>
  void parallel_for(size_t n, F&& body, size_t grain = 1) {
    if constexpr (std::is_invocable_v<F&, size_t, size_t, size_t>) {
      pool_.parallel_for(n, body, grain);
    } else {
      pool_.parallel_for(n, [&body](size_t b, size_t e, size_t) { body(b, e); }, grain);
    }
  }

  // The shared scratch area: at least Prepared::scratch_bytes, 64-byte aligned.
  template <typename T = float>
  T* scratch() const { return reinterpret_cast<T*>(scratch_); }
  size_t scratch_bytes() const { return scratch_bytes_; }
  // Per-thread scratch: at least Prepared::thread_scratch_bytes for `worker`
  // (the index parallel_for passes), 64-byte aligned, private to that worker.
  template <typename T = float>
  T* thread_scratch(size_t worker) const {
    return reinterpret_cast<T*>(thread_scratch_ + worker * thread_stride_);
  }

 private:
  ThreadPool& pool_;
  uint8_t* scratch_;
  size_t scratch_bytes_;
  uint8_t* thread_scratch_;
  size_t thread_stride_;
};

// Bound kernel: in[i] is nullptr for an absent optional input.
using KernelFn = std::function<void(RunContext& ctx, const float* const* in, float* const* out)>;

struct PrepareContext {
  std::vector<const Shape*> inputs;  // nullptr = absent optional input
  size_t n_outputs = 0;
  Attrs* attrs = nullptr;

  // Checks min <= n_inputs <= max and n_outputs == outs.
  void expect_counts(size_t min_in, size_t max_in, size_t outs) const;
  const Shape& in(size_t i) const;           // throws if absent
  const Shape* optional_in(size_t i) const;  // nullptr if absent or beyond the list
};

struct Prepared {
  std::vector<Shape> out_shapes;
  KernelFn run;
  size_t scratch_bytes = 0;         // shared scratch the kernel needs (RunContext::scratch)
  size_t thread_scratch_bytes = 0;  // per-thread scratch (RunContext::thread_scratch)
};

using PrepareFn = Prepared (*)(PrepareContext&);

// Builds an error message from streamable parts: fail("bad axis ", axis, " for rank ", r).
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  raise_error(os.str());
}

// Row-major strides of a shape (in elements).
Shape strides_of(const Shape& s);

}  // namespace sparsecc::detail
