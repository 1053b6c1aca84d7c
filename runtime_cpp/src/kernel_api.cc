// Attribute access and shape helpers shared by every kernel's prepare step.
#include "kernel_api.h"

namespace sparsecc::detail {

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

Shape strides_of(const Shape& s) {
  Shape st(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

const char* attr_type_name(AttrType t) {
  switch (t) {
    case AttrType::Ints: return "ints";
    case AttrType::Floats: return "floats";
    case AttrType::String: return "string";
  }
  return "?";
}

const AttrValue* Attrs::find(const std::string& key, AttrType type) const {
  const AttrValue* found = nullptr;
  for (const auto& kv : list_) {
    if (kv.first != key) continue;
    if (found) fail("attribute '", key, "' given twice");
    found = &kv.second;
  }
  used_.insert(key);
  if (found && found->type != type)
    fail("attribute '", key, "' must be of type ", attr_type_name(type), ", got ", attr_type_name(found->type));
  return found;
}

bool Attrs::has(const std::string& key) const {
  for (const auto& kv : list_)
    if (kv.first == key) return true;
  return false;
}

int64_t Attrs::get_int(const std::string& key) const {
  const AttrValue* v = find(key, AttrType::Ints);
  if (!v) fail("missing required attribute '", key, "'");
  if (v->ints.size() != 1) fail("attribute '", key, "' must hold one int, got ", v->ints.size());
  return v->ints[0];
}

int64_t Attrs::get_int(const std::string& key, int64_t dflt) const {
  if (!has(key)) {
    used_.insert(key);
    return dflt;
  }
  return get_int(key);
}

std::vector<int64_t> Attrs::get_ints(const std::string& key) const {
  const AttrValue* v = find(key, AttrType::Ints);
  if (!v) fail("missing required attribute '", key, "'");
  return v->ints;
}

std::vector<int64_t> Attrs::get_ints(const std::string& key, std::vector<int64_t> dflt) const {
  const AttrValue* v = find(key, AttrType::Ints);
  return v ? v->ints : dflt;
}

namespace {
std::vector<int64_t> need_n(const std::string& key, std::vector<int64_t> v, size_t n) {
  if (v.size() != n) fail("attribute '", key, "' must have ", n, " values, got ", v.size());
  return v;
}
}  // namespace

std::vector<int64_t> Attrs::get_ints_n(const std::string& key, size_t n) const {
  return need_n(key, get_ints(key), n);
}

std::vector<int64_t> Attrs::get_ints_n(const std::string& key, size_t n, int64_t fill) const {
  return need_n(key, get_ints(key, std::vector<int64_t>(n, fill)), n);
}

float Attrs::get_float(const std::string& key, float dflt) const {
  const AttrValue* v = find(key, AttrType::Floats);
  if (!v) return dflt;
  if (v->floats.size() != 1) fail("attribute '", key, "' must hold one float, got ", v->floats.size());
  return v->floats[0];
}

std::vector<float> Attrs::get_floats(const std::string& key, std::vector<float> dflt) const {
  const AttrValue* v = find(key, AttrType::Floats);
  return v ? v->floats : dflt;
}

std::string Attrs::get_string(const std::string& key, std::string dflt) const {
  const AttrValue* v = find(key, AttrType::String);
  return v ? v->str : dflt;
}

// Informational attributes the compiler records for `sparsecc inspect` (the
// sparsity pass's pattern and achieved sparsity, the lowering's reason for the
// chosen kernel; docs/model-format.md): every kernel accepts and ignores them.
static bool is_informational(const std::string& key) {
  return key == "sparsity" || key == "sparsity_pattern" || key == "kernel_reason";
}

void Attrs::check_all_used() const {
  for (const auto& kv : list_)
    if (!used_.count(kv.first) && !is_informational(kv.first)) fail("unknown attribute '", kv.first, "'");
}

void PrepareContext::expect_counts(size_t min_in, size_t max_in, size_t outs) const {
  if (inputs.size() < min_in || inputs.size() > max_in) {
    if (min_in == max_in) fail("expected ", min_in, " inputs, got ", inputs.size());
    fail("expected ", min_in, "..", max_in, " inputs, got ", inputs.size());
  }
  for (size_t i = 0; i < min_in; ++i)
    if (!inputs[i]) fail("input ", i, " is required but absent");
  if (n_outputs != outs) fail("expected ", outs, " outputs, got ", n_outputs);
}

const Shape& PrepareContext::in(size_t i) const {
  if (i >= inputs.size() || !inputs[i]) fail("input ", i, " is required but absent");
  return *inputs[i];
}

const Shape* PrepareContext::optional_in(size_t i) const { return i < inputs.size() ? inputs[i] : nullptr; }

}  // namespace sparsecc::detail
