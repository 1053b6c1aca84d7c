// Scalar activation functions: the fused epilogues of Conv/ConvTranspose/Gemm/
// MatMul (attributes `activation`, `activation_params`) and the unary
// elementwise ops share these definitions (docs/ir-ops.md). Transcendentals are
// evaluated in double and rounded once to float.
#pragma once

#include <cmath>
#include <string>
#include <vector>

namespace sparsecc::detail {

class Attrs;

enum class ActKind {
  None, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Gelu, GeluTanh, Silu,
  // unary-op-only functions
  Erf, Sqrt, Exp, Log, Neg, Abs, Reciprocal, Softplus, Elu,
};

struct Activation {
  ActKind kind = ActKind::None;
  float p0 = 0.0f, p1 = 0.0f;

  float operator()(float xf) const {
    const double x = xf;
    switch (kind) {
      case ActKind::None: return xf;
      case ActKind::Relu: return xf > 0.0f ? xf : 0.0f;
      case ActKind::Clip: {  // min(max(x, lo), hi): with lo > hi every value becomes hi, as ONNX
        const float lo = xf < p0 ? p0 : xf;
        return lo > p1 ? p1 : lo;
      }
      case ActKind::LeakyRelu: return xf >= 0.0f ? xf : xf * p0;
      case ActKind::Sigmoid: return float(sigmoid(x));
      case ActKind::HardSigmoid: return float(clamp01(double(p0) * x + double(p1)));
      case ActKind::HardSwish: return float(x * clamp01(x / 6.0 + 0.5));
      case ActKind::Tanh: return float(std::tanh(x));
      // 1 + erf(u) = erfc(-u): no cancellation in the left tail
      case ActKind::Gelu: return float(0.5 * x * std::erfc(-x * 0.70710678118654752440));
      case ActKind::GeluTanh:
        return float(0.5 * x * (1.0 + std::tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x))));
      case ActKind::Silu: return float(x * sigmoid(x));
      case ActKind::Erf: return float(std::erf(x));
      case ActKind::Sqrt: return float(std::sqrt(x));
      case ActKind::Exp: return float(std::exp(x));
      case ActKind::Log: return float(std::log(x));
      case ActKind::Neg: return -xf;
      case ActKind::Abs: return std::fabs(xf);
      case ActKind::Reciprocal: return 1.0f / xf;
      case ActKind::Softplus: return float(x > 0.0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)));
      case ActKind::Elu: return xf >= 0.0f ? xf : float(double(p0) * std::expm1(x));
    }
    return xf;
  }

  static double sigmoid(double x) {
    if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
    const double e = std::exp(x);
    return e / (1.0 + e);
  }
  static double clamp01(double v) { return v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v); }
};

// Reads and checks the `activation` / `activation_params` attributes of a
// fused-epilogue op. Throws Error on an unknown name or a wrong param count.
Activation parse_epilogue(const Attrs& attrs);

// The Activation an elementwise unary op of kind `kind` computes, read from the op's
// attributes (Clip min/max, LeakyRelu/Elu alpha, HardSigmoid alpha/beta, Gelu
// approximate -> Gelu or GeluTanh); ops without attributes reject any. Shared by
// every kernel of the unary ops, so their attribute semantics live in one place.
Activation unary_op_activation(ActKind kind, const Attrs& attrs);

// Applies `act` in place to n values (no-op for None).
void apply_activation(const Activation& act, float* data, long long n);

}  // namespace sparsecc::detail
