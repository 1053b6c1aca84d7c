// What a kernel sees: at load time a PrepareContext (input shapes + typed
// attributes) from which its prepare function re-derives the output shapes,
// checks every attribute and every index it will read, and returns the bound
// kernel; at run time only raw float pointers.
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
#include <utility>
#include <vector>

#include "sparsecc/runtime.h"

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

// Bound kernel: in[i] is nullptr for an absent optional input.
using KernelFn = std::function<void(const float* const* in, float* const* out)>;

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
};

using PrepareFn = Prepared (*)(PrepareContext&);

// Builds an error message from streamable parts: fail("bad axis ", axis, " for rank ", r).
template <typename... Parts>
[[noreturn]] void fail(const Parts&... parts) {
  std::ostringstream os;
  (os << ... << parts);
  throw Error(os.str());
}

// Row-major strides of a shape (in elements).
Shape strides_of(const Shape& s);

}  // namespace sparsecc::detail
