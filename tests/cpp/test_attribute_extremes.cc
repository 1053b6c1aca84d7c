// Attribute sweep: for one valid single-node model per operator family, every
// int attribute value (each position, then all positions at once) is replaced
// by extreme values (int64 limits, 2^31 and 2^32 boundaries, -1, 0), every float
// attribute by NaN, infinities, float limits and a denormal, and every list is
// also emptied and lengthened. Each variant must either load or be rejected with
// sparsecc::Error naming the node; a variant that loads must run. The size and
// index arithmetic of each kernel's prepare step sees these values before the
// loader compares shapes, so under the sanitizer build (UBSan: signed overflow,
// float-to-int overflow, shifts; ASan: out-of-bounds) this proves that no
// attribute value reaches undefined behaviour. The fuzzers explore the same
// space at random; this sweep is exhaustive over the listed values.
#include <cmath>
#include <cstdint>
#include <limits>

#include "loader_fixture.h"
#include "test_harness.h"

using namespace scctest;

namespace {

struct OpCase {
  std::string op;
  std::vector<std::vector<int64_t>> in_shapes;  // input 0 is the graph input, the rest constants
  std::vector<std::vector<int64_t>> out_shapes;
  std::vector<AttrRec> attrs;
};

AttrRec ints(const std::string& k, std::vector<int64_t> v) { return {k, 1, std::move(v), {}, {}}; }
AttrRec floats(const std::string& k, std::vector<float> v) { return {k, 2, {}, std::move(v), {}}; }
AttrRec str(const std::string& k, const std::string& v) { return {k, 3, {}, {}, v}; }

std::vector<OpCase> cases() {
  return {
      {"Conv", {{1, 4, 6, 6}, {6, 2, 3, 3}, {6}}, {{1, 6, 6, 6}},
       {ints("strides", {1, 1}), ints("pads", {1, 1, 1, 1}), ints("dilations", {1, 1}), ints("group", {2}),
        str("activation", "clip"), floats("activation_params", {-1.0f, 1.0f})}},
      {"ConvTranspose", {{1, 4, 3, 3}, {4, 3, 3, 3}}, {{1, 3, 6, 6}},
       {ints("strides", {2, 2}), ints("pads", {1, 1, 1, 1}), ints("dilations", {1, 1}), ints("output_padding", {1, 1}),
        ints("group", {1})}},
      {"MaxPool", {{1, 2, 6, 6}}, {{1, 2, 3, 3}},
       {ints("kernel_shape", {3, 3}), ints("strides", {2, 2}), ints("pads", {1, 1, 1, 1}), ints("dilations", {1, 1}),
        ints("ceil_mode", {0})}},
      {"AveragePool", {{1, 2, 6, 6}}, {{1, 2, 3, 3}},
       {ints("kernel_shape", {2, 2}), ints("strides", {2, 2}), ints("pads", {0, 0, 0, 0}), ints("ceil_mode", {0}),
        ints("count_include_pad", {0})}},
      {"Gemm", {{2, 3}, {4, 3}, {4}}, {{2, 4}}, {str("activation", "leaky_relu"), floats("activation_params", {0.1f})}},
      {"ReduceMean", {{2, 3, 4}}, {{2, 1, 4}}, {ints("axes", {1}), ints("keepdims", {1})}},
      {"Reshape", {{2, 3, 4}}, {{4, 6}}, {ints("shape", {4, 6})}},
      {"Transpose", {{2, 3, 4}}, {{4, 2, 3}}, {ints("perm", {2, 0, 1})}},
      {"Concat", {{2, 3}, {2, 2}}, {{2, 5}}, {ints("axis", {1})}},
      {"Split", {{2, 6}}, {{2, 2}, {2, 4}}, {ints("axis", {1}), ints("split", {2, 4})}},
      {"Slice", {{4, 5}}, {{2, 3}}, {ints("starts", {3, 0}), ints("steps", {-1, 2}), ints("sizes", {2, 3})}},
      {"Gather", {{3, 4}}, {{2, 4}}, {ints("axis", {0}), ints("indices", {2, 0}), ints("indices_shape", {2})}},
      {"Softmax", {{2, 5}}, {{2, 5}}, {ints("axis", {1})}},
      {"LayerNormalization", {{2, 5}, {5}, {5}}, {{2, 5}}, {ints("axis", {1}), floats("epsilon", {1e-5f})}},
      {"BatchNormalization", {{1, 2, 3}, {2}, {2}, {2}, {2}}, {{1, 2, 3}}, {floats("epsilon", {1e-5f})}},
      {"Resize", {{1, 1, 2, 3}}, {{1, 1, 4, 6}},
       {str("mode", "linear"), floats("scales", {1.0f, 1.0f, 2.0f, 2.0f}), ints("sizes", {1, 1, 4, 6})}},
      {"Resize", {{1, 1, 2, 3}}, {{1, 1, 3, 5}},
       {str("mode", "nearest"), str("coordinate_transformation_mode", "asymmetric"), ints("sizes", {1, 1, 3, 5})}},
      {"Pad", {{2, 3}}, {{3, 5}}, {str("mode", "reflect"), ints("pads", {1, 0, 0, 2})}},
      {"Pad", {{2, 3}}, {{3, 5}}, {str("mode", "constant"), ints("pads", {0, 1, 1, 1}), floats("value", {2.0f})}},
      {"Clip", {{2, 3}}, {{2, 3}}, {floats("min", {-1.0f}), floats("max", {1.0f})}},
      {"HardSigmoid", {{2, 3}}, {{2, 3}}, {floats("alpha", {0.2f}), floats("beta", {0.5f})}},
      {"Elu", {{2, 3}}, {{2, 3}}, {floats("alpha", {1.0f})}},
  };
}

std::vector<uint8_t> build(const OpCase& c, const std::vector<AttrRec>& attrs) {
  ModelBuilder b;
  std::vector<uint32_t> in, out;
  in.push_back(b.activation("x", c.in_shapes[0]));
  for (size_t i = 1; i < c.in_shapes.size(); ++i) {
    int64_t n = 1;
    for (int64_t d : c.in_shapes[i]) n *= d;
    in.push_back(b.constant("c" + std::to_string(i), c.in_shapes[i], std::vector<float>(size_t(n), 0.5f)));
  }
  for (size_t i = 0; i < c.out_shapes.size(); ++i) out.push_back(b.activation("y" + std::to_string(i), c.out_shapes[i]));
  b.node("n", c.op, in, out).attrs = attrs;
  b.input(in[0]);
  for (uint32_t id : out) b.output(id);
  return b.build();
}

// Loads and, if accepted, runs. Returns "" or what went wrong.
std::string load_and_run(const std::vector<uint8_t>& f) {
  std::shared_ptr<const sparsecc::Model> m;
  try {
    m = load(f);
  } catch (const sparsecc::Error& e) {
    const std::string msg = e.what();
    return msg.find("node 'n'") == std::string::npos ? "error does not name the node: " + msg : "";
  } catch (const std::exception& e) {
    return std::string("non-sparsecc exception: ") + e.what();
  }
  sparsecc::Session s(m);
  std::vector<std::vector<float>> bufs;
  std::vector<const float*> in;
  std::vector<float*> out;
  for (const auto& t : m->inputs()) bufs.emplace_back(size_t(sparsecc::num_elements(t.shape)), 0.25f);
  for (auto& v : bufs) in.push_back(v.data());
  std::vector<std::vector<float>> obufs;
  for (const auto& t : m->outputs()) obufs.emplace_back(size_t(sparsecc::num_elements(t.shape)));
  for (auto& v : obufs) out.push_back(v.data());
  s.run(in, out);
  return "";
}

const int64_t kIntExtremes[] = {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::min() + 1,
                                -(int64_t(1) << 32), -(int64_t(1) << 31) - 1, -(int64_t(1) << 31), -2, -1, 0,
                                (int64_t(1) << 24) + 1, (int64_t(1) << 31) - 1, int64_t(1) << 31, (int64_t(1) << 31) + 1,
                                int64_t(1) << 32, int64_t(1) << 62, std::numeric_limits<int64_t>::max()};
const float kFloatExtremes[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                                -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::max(),
                                std::numeric_limits<float>::lowest(), std::numeric_limits<float>::denorm_min(),
                                0.0f, -0.0f, 1e-30f, 1e30f};

// Every variant of `base`: one value replaced, all values replaced, list emptied, list lengthened.
std::vector<std::pair<std::string, std::vector<AttrRec>>> variants(const std::vector<AttrRec>& base) {
  std::vector<std::pair<std::string, std::vector<AttrRec>>> out;
  for (size_t a = 0; a < base.size(); ++a) {
    const AttrRec& attr = base[a];
    if (attr.type == 3) continue;
    const size_t n = attr.type == 1 ? attr.ints.size() : attr.floats.size();
    const size_t n_values = attr.type == 1 ? std::size(kIntExtremes) : std::size(kFloatExtremes);
    for (size_t v = 0; v < n_values; ++v)
      for (size_t pos = 0; pos <= n; ++pos) {  // pos == n: every position
        std::vector<AttrRec> attrs = base;
        AttrRec& t = attrs[a];
        for (size_t k = 0; k < n; ++k) {
          if (pos != n && k != pos) continue;
          if (attr.type == 1) t.ints[k] = kIntExtremes[v];
          else t.floats[k] = kFloatExtremes[v];
        }
        out.emplace_back(attr.key + (pos == n ? "[*]" : "[" + std::to_string(pos) + "]") + " = value #" +
                             std::to_string(v),
                         std::move(attrs));
      }
    std::vector<AttrRec> empty = base, longer = base;
    empty[a].ints.clear();
    empty[a].floats.clear();
    if (attr.type == 1) longer[a].ints.push_back(1);
    else longer[a].floats.push_back(1.0f);
    out.emplace_back(attr.key + " emptied", std::move(empty));
    out.emplace_back(attr.key + " lengthened", std::move(longer));
  }
  return out;
}

}  // namespace

TEST(every_base_case_of_the_sweep_loads_and_runs) {
  // guards the sweep below: a base case the loader rejects would sweep nothing
  for (const OpCase& c : cases()) {
    try {
      std::string err = load_and_run(build(c, c.attrs));
      CHECK_MSG(err.empty(), c.op + ": " + err);
      load(build(c, c.attrs));
    } catch (const sparsecc::Error& e) {
      CHECK_MSG(false, c.op + " base case rejected: " + e.what());
    }
  }
}

TEST(extreme_attribute_values_are_rejected_or_run_never_undefined) {
  size_t total = 0, loaded = 0;
  for (const OpCase& c : cases())
    for (const auto& [what, attrs] : variants(c.attrs)) {
      ++total;
      const std::string err = load_and_run(build(c, attrs));
      CHECK_MSG(err.empty(), c.op + " with " + what + ": " + err);
      try {
        load(build(c, attrs));
        ++loaded;
      } catch (const sparsecc::Error&) {
      }
    }
  // some variants are legal (e.g. a 0 pad, a float epsilon of 0): the sweep does exercise runs
  CHECK_MSG(loaded > 0 && loaded < total, std::to_string(loaded) + " of " + std::to_string(total) + " variants loaded");
}
