// Vectorised exp / expm1 / sigmoid / tanh / erfc / gelu for any SIMD traits T (simd-*.h),
// accurate to about 1e-6 relative (a few float ulp) over the whole float range.
//
// Method: t = n*ln2 + r with n = round(t/ln2) and |r| <= ln2/2 (Cody-Waite
// split of ln2 so n*ln2_hi is exact); expm1(r) by its Taylor series to r^8
// (truncation < 1e-9 relative on that interval); exp(t) = 2^n (1 + expm1(r)),
// expm1(t) = 2^n expm1(r) + (2^n - 1), exact in the small-|t| limit. Only
// non-positive arguments are needed (sigmoid uses exp(-|x|), tanh uses
// expm1(-2|x|)), so 2^n never overflows; exp scales by 2^n in two steps so
// results underflow gradually into the subnormals like std::exp.
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {
namespace {

template <class T>
struct VMath {
  using V = typename T::V;

  // expm1(r) for |r| <= ln2/2
  static V expm1_reduced(V r) {
    V p = T::set1(1.0f / 40320.0f);
    p = T::fma(p, r, T::set1(1.0f / 5040.0f));
    p = T::fma(p, r, T::set1(1.0f / 720.0f));
    p = T::fma(p, r, T::set1(1.0f / 120.0f));
    p = T::fma(p, r, T::set1(1.0f / 24.0f));
    p = T::fma(p, r, T::set1(1.0f / 6.0f));
    p = T::fma(p, r, T::set1(0.5f));
    return T::fma(T::mul(p, r), r, r);
  }

  // t -> (n, r) with t = n*ln2 + r
  static V reduce(V t, V& n) {
    n = T::round(T::mul(t, T::set1(1.44269504088896341f)));
    V r = T::fma(n, T::set1(-0.693359375f), t);      // ln2_hi: 9 significant bits
    return T::fma(n, T::set1(2.12194440e-4f), r);     // -ln2_lo
  }

  // exp(t) for t <= 0 (NaN propagates)
  static V exp_nonpos(V t) {
    t = T::max(T::set1(-104.0f), t);
    V n;
    const V p = expm1_reduced(reduce(t, n));
    const V n1 = T::round(T::mul(n, T::set1(0.5f)));
    const V n2 = T::sub(n, n1);
    return T::mul(T::mul(T::add(p, T::set1(1.0f)), T::pow2i(n1)), T::pow2i(n2));
  }

  // expm1(t) for t <= 0
  static V expm1_nonpos(V t) {
    t = T::max(T::set1(-20.0f), t);
    V n;
    const V p = expm1_reduced(reduce(t, n));
    const V s = T::pow2i(n);
    return T::fma(s, p, T::sub(s, T::set1(1.0f)));
  }

  // 1 / (1 + exp(-x)), as e/(1+e) with e = exp(-|x|) for x < 0
  static V sigmoid(V x) {
    const V e = exp_nonpos(T::sub(T::set1(0.0f), T::abs(x)));
    const V r = T::div(T::set1(1.0f), T::add(T::set1(1.0f), e));
    return T::select(T::ge(x, T::set1(0.0f)), r, T::mul(e, r));
  }

  // erfc(z) for z >= 0 with small *relative* error everywhere (so 1 + erf(x)
  // = erfc(-x) keeps its accuracy deep in the left tail, where GELU needs it):
  // erfc(z) = t * exp(-z^2 + P(t)), t = 1 / (1 + z/2), P a degree-9 Chebyshev
  // fit (fractional error < 1.2e-7 in exact arithmetic; Press et al.,
  // Numerical Recipes, "erfcc"). z = +inf gives 0; NaN propagates.
  static V erfc_nonneg(V z) {
    const V t = T::div(T::set1(1.0f), T::fma(z, T::set1(0.5f), T::set1(1.0f)));
    V p = T::set1(0.17087277f);
    p = T::fma(p, t, T::set1(-0.82215223f));
    p = T::fma(p, t, T::set1(1.48851587f));
    p = T::fma(p, t, T::set1(-1.13520398f));
    p = T::fma(p, t, T::set1(0.27886807f));
    p = T::fma(p, t, T::set1(-0.18628806f));
    p = T::fma(p, t, T::set1(0.09678418f));
    p = T::fma(p, t, T::set1(0.37409196f));
    p = T::fma(p, t, T::set1(1.00002368f));
    p = T::fma(p, t, T::set1(-1.26551223f));
    const V zz = T::min(T::mul(z, z), T::set1(200.0f));  // erfc(sqrt(200)) underflows; keeps inf out
    return T::mul(t, exp_nonpos(T::sub(p, zz)));
  }

  // gelu(x) = x/2 * (1 + erf(x/sqrt2)) = x/2 * erfc(-x/sqrt2)
  static V gelu(V x) {
    const V r = erfc_nonneg(T::mul(T::abs(x), T::set1(0.70710678118654752440f)));
    const V s = T::select(T::ge(x, T::set1(0.0f)), T::sub(T::set1(2.0f), r), r);
    return T::mul(T::mul(x, T::set1(0.5f)), s);
  }

  // tanh(|x|) = -expm1(-2|x|) / (2 + expm1(-2|x|)), sign restored
  static V tanh(V x) {
    const V a = T::min(T::set1(9.0f), T::abs(x));  // tanh(9) rounds to 1
    const V em = expm1_nonpos(T::mul(a, T::set1(-2.0f)));
    const V t = T::div(T::sub(T::set1(0.0f), em), T::add(T::set1(2.0f), em));
    return T::copysign(t, x);
  }
};

}  // namespace
}  // namespace sparsecc::ukernel
