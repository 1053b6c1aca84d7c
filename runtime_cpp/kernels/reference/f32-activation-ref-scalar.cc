// Parsing of the fused-epilogue attributes and the in-place apply loop.
#include "f32-activation-ref-scalar.h"

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

}  // namespace sparsecc::detail
