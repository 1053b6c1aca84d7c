// The fused-epilogue attributes of an IR node (parsed by the reference code,
// f32-activation-ref-scalar.h) as the micro-kernel Epilogue (ukernel.h).
// Shared by the depthwise and vector op bindings.
#pragma once

#include "../../src/kernel_api.h"
#include "../reference/f32-activation-ref-scalar.h"
#include "../ukernel.h"

namespace sparsecc::detail {

// Throws for the unary-op-only kinds (Exp, Log, ...), which have no epilogue form.
inline ukernel::Epilogue to_ukernel_epilogue(const Activation& a) {
  using ukernel::Act;
  ukernel::Epilogue ep;
  ep.p0 = a.p0, ep.p1 = a.p1;
  switch (a.kind) {
    case ActKind::None: ep.act = Act::none; break;
    case ActKind::Relu: ep.act = Act::relu; break;
    case ActKind::Clip: ep.act = Act::clip; break;
    case ActKind::LeakyRelu: ep.act = Act::leaky_relu; break;
    case ActKind::Sigmoid: ep.act = Act::sigmoid; break;
    case ActKind::HardSigmoid: ep.act = Act::hard_sigmoid; break;
    case ActKind::HardSwish: ep.act = Act::hard_swish; break;
    case ActKind::Tanh: ep.act = Act::tanh; break;
    case ActKind::Gelu: ep.act = Act::gelu; break;
    case ActKind::GeluTanh: ep.act = Act::gelu_tanh; break;
    case ActKind::Silu: ep.act = Act::silu; break;
    default: fail("activation has no fused-epilogue form");
  }
  return ep;
}

}  // namespace sparsecc::detail
