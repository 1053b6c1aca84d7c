// The fused epilogue (ukernel::Epilogue) evaluated in double precision: the oracle
// the SIMD kernel tests (gemm, dwconv, vector) compare against. Sigmoid, silu and
// gelu_tanh use the cancellation-free forms (gelu_tanh: 0.5·x·(1 + tanh z) = x·sigmoid(2z)).
#pragma once
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "../../runtime_cpp/kernels/ukernel.h"

namespace sparsecc::test {

inline double epilogue_oracle(const ukernel::Epilogue& ep, double x) {
  using ukernel::Act;
  auto sig = [](double v) { return v >= 0 ? 1.0 / (1.0 + std::exp(-v)) : std::exp(v) / (1.0 + std::exp(v)); };
  auto clamp01 = [](double v) { return v < 0 ? 0.0 : (v > 1 ? 1.0 : v); };
  switch (ep.act) {
    case Act::none: return x;
    case Act::relu: return x > 0 ? x : 0;
    case Act::clip: return std::min(std::max(x, double(ep.p0)), double(ep.p1));
    case Act::leaky_relu: return x >= 0 ? x : x * ep.p0;
    case Act::sigmoid: return sig(x);
    case Act::hard_sigmoid: return clamp01(ep.p0 * x + ep.p1);
    case Act::hard_swish: return x * clamp01(x / 6 + 0.5);
    case Act::tanh: return std::tanh(x);
    case Act::gelu: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));  // = 1 + erf(x/sqrt2), exact in the tail
    case Act::gelu_tanh: return x * sig(2 * 0.7978845608028654 * (x + 0.044715 * x * x * x));
    case Act::silu: return x * sig(x);
  }
  return x;
}

// Every epilogue once, with non-trivial parameters: the list the GEMM-shaped
// kernel tests (gemm, spmm) sweep.
inline const std::vector<std::pair<const char*, ukernel::Epilogue>>& all_epilogues() {
  using ukernel::Act;
  static const std::vector<std::pair<const char*, ukernel::Epilogue>> eps = {
      {"none", {Act::none, 0, 0}},         {"relu", {Act::relu, 0, 0}},
      {"clip", {Act::clip, -0.5f, 0.75f}}, {"leaky_relu", {Act::leaky_relu, 0.1f, 0}},
      {"sigmoid", {Act::sigmoid, 0, 0}},   {"hard_sigmoid", {Act::hard_sigmoid, 0.2f, 0.5f}},
      {"hard_swish", {Act::hard_swish, 0, 0}}, {"tanh", {Act::tanh, 0, 0}},
      {"gelu", {Act::gelu, 0, 0}},         {"gelu_tanh", {Act::gelu_tanh, 0, 0}},
      {"silu", {Act::silu, 0, 0}},
  };
  return eps;
}

}  // namespace sparsecc::test
