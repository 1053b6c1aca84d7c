// Parsing of the fused-epilogue attributes and the in-place apply loop.
#include "f32-activation-ref-scalar.h"

#include <cmath>
#include <limits>
#include <string>

#include "../../src/kernel_api.h"

namespace sparsecc::detail {

Activation parse_epilogue(const Attrs& attrs) {
  struct Entry {
    const char* name;
    ActKind kind;
    size_t n_params;
  };
  static const Entry table[] = {
      {"none", ActKind::None, 0},       {"relu", ActKind::Relu, 0},
      {"clip", ActKind::Clip, 2},       {"leaky_relu", ActKind::LeakyRelu, 1},
      {"sigmoid", ActKind::Sigmoid, 0}, {"hard_sigmoid", ActKind::HardSigmoid, 2},
      {"hard_swish", ActKind::HardSwish, 0}, {"tanh", ActKind::Tanh, 0},
      {"gelu", ActKind::Gelu, 0},       {"gelu_tanh", ActKind::GeluTanh, 0},
      {"silu", ActKind::Silu, 0},
  };
  const std::string name = attrs.get_string("activation", "none");
  const std::vector<float> params = attrs.get_floats("activation_params", {});
  for (const Entry& e : table) {
    if (name != e.name) continue;
    if (params.size() != e.n_params)
      fail("activation '", name, "' takes ", e.n_params, " activation_params, got ", params.size());
    Activation act;
    act.kind = e.kind;
    if (e.n_params > 0) act.p0 = params[0];
    if (e.n_params > 1) act.p1 = params[1];
    return act;
  }
  fail("unknown activation '", name, "'");
}

void apply_activation(const Activation& act, float* data, long long n) {
  if (act.kind == ActKind::None) return;
  for (long long i = 0; i < n; ++i) data[i] = act(data[i]);
}

Activation unary_op_activation(ActKind kind, const Attrs& attrs) {
  switch (kind) {
    case ActKind::Clip: {
      // absent bounds are the float32 extremes (as onnxruntime: an infinite input is clamped to them)
      const float lo = std::numeric_limits<float>::lowest(), hi = std::numeric_limits<float>::max();
      Activation act{ActKind::Clip, attrs.get_float("min", lo), attrs.get_float("max", hi)};
      if (std::isnan(act.p0) || std::isnan(act.p1)) fail("Clip min/max must not be NaN");
      return act;
    }
    case ActKind::LeakyRelu: return Activation{kind, attrs.get_float("alpha", 0.01f), 0.0f};
    case ActKind::HardSigmoid:
      return Activation{kind, attrs.get_float("alpha", 0.2f), attrs.get_float("beta", 0.5f)};
    case ActKind::Elu: return Activation{kind, attrs.get_float("alpha", 1.0f), 0.0f};
    case ActKind::Gelu: case ActKind::GeluTanh: {
      const std::string approx = attrs.get_string("approximate", "none");
      if (approx != "none" && approx != "tanh") fail("Gelu approximate must be 'none' or 'tanh', got '", approx, "'");
      return Activation{approx == "tanh" ? ActKind::GeluTanh : ActKind::Gelu, 0.0f, 0.0f};
    }
    default:
      attrs.check_all_used();
      return Activation{kind, 0.0f, 0.0f};
  }
}

}  // namespace sparsecc::detail
