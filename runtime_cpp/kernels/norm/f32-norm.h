// Generic row kernels of the normalisation families (contracts in ../ukernel.h)
// for any SIMD traits T (../vector/simd-*.h); instantiated per arch in
// f32-norm-<arch>.cc.
//
// softmax: three passes over a row that stays in L1 -- the maximum; then
// e = exp(x - max) (argument <= 0, never overflows; exp_softmax below, ~2e-7
// relative) stored to y and summed; then y *= 1 / sum.
// layernorm: the corrected two-pass algorithm (Chan, Golub & LeVeque): the
// mean from a first pass, then d = x - mean summed both plainly and squared, so
// var = (sum d^2 - (sum d)^2 / n) / n also cancels the rounding error of the
// first mean (corrected by sum d / n); no cancellation as in E[x^2] - E[x]^2.
// Sums use four (softmax: two) vector accumulators then a horizontal add, so
// SIMD and scalar variants differ only by summation order (~n ulp at worst).
#pragma once

#include <cmath>
#include <limits>

#include "../ukernel.h"
#include "../vector/f32-vbinary.h"  // vsum
#include "../vector/f32-vmath.h"

namespace sparsecc::ukernel {
namespace {

template <class T>
struct NormKernels {
  using V = typename T::V;

  // exp(t) for t <= 0 with results below 2^-126 clamped (t >= -87.3): in a
  // softmax every term is <= 1 and the sum >= 1, so the clamp costs < 1e-37
  // absolutely. One 2^n scaling and a degree-6 Taylor polynomial on
  // |r| <= ln2/2 (truncation < 1.3e-7 relative): about half the work of
  // VMath::exp_nonpos, whose range reduction it shares.
  static V exp_softmax(V t) {
    t = T::max(T::set1(-87.3f), t);
    V n;
    const V r = VMath<T>::reduce(t, n);
    V p = T::set1(1.0f / 720.0f);
    p = T::fma(p, r, T::set1(1.0f / 120.0f));
    p = T::fma(p, r, T::set1(1.0f / 24.0f));
    p = T::fma(p, r, T::set1(1.0f / 6.0f));
    p = T::fma(p, r, T::set1(0.5f));
    p = T::fma(p, r, T::set1(1.0f));
    p = T::fma(p, r, T::set1(1.0f));
    return T::mul(p, T::pow2i(n));
  }

  static float hmax(V v) {
    float t[T::N];
    T::storeu(t, v);
    float m = t[0];
    for (size_t i = 1; i < T::N; ++i) m = t[i] > m ? t[i] : m;
    return m;
  }

  static float row_max(size_t n, const float* x) {
    V m0 = T::set1(std::numeric_limits<float>::lowest()), m1 = m0;
    size_t i = 0;
    for (; i + 2 * T::N <= n; i += 2 * T::N) {
      m0 = T::max(m0, T::loadu(x + i));
      m1 = T::max(m1, T::loadu(x + i + T::N));
    }
    for (; i + T::N <= n; i += T::N) m0 = T::max(m0, T::loadu(x + i));
    float m = hmax(T::max(m0, m1));
    for (; i < n; ++i) m = x[i] > m ? x[i] : m;
    return m;
  }

  static void softmax(size_t n, const float* x, float* y) {
    const float m = row_max(n, x);
    const V vm = T::set1(m);
    V s0 = T::set1(0.0f), s1 = s0;
    size_t i = 0;
    for (; i + 2 * T::N <= n; i += 2 * T::N) {
      const V e0 = exp_softmax(T::sub(T::loadu(x + i), vm));
      const V e1 = exp_softmax(T::sub(T::loadu(x + i + T::N), vm));
      T::storeu(y + i, e0);
      T::storeu(y + i + T::N, e1);
      s0 = T::add(s0, e0);
      s1 = T::add(s1, e1);
    }
    for (; i + T::N <= n; i += T::N) {
      const V e = exp_softmax(T::sub(T::loadu(x + i), vm));
      T::storeu(y + i, e);
      s0 = T::add(s0, e);
    }
    float sum = T::hsum(T::add(s0, s1));
    if (i < n) {  // tail: unused lanes hold exp(0 - m), so sum the stored lanes only
      const size_t r = n - i;
      T::store_partial(y + i, exp_softmax(T::sub(T::load_partial(x + i, r), vm)), r);
      for (size_t j = i; j < n; ++j) sum += y[j];
    }
    const V inv = T::set1(1.0f / sum);
    for (i = 0; i + T::N <= n; i += T::N) T::storeu(y + i, T::mul(T::loadu(y + i), inv));
    if (i < n) T::store_partial(y + i, T::mul(T::load_partial(y + i, n - i), inv), n - i);
  }

  static float sum(size_t n, const float* x) { return vsum<T>(n, x); }

  static void layernorm(size_t n, const float* x, const float* scale, const float* bias, float eps, float* y) {
    const float fn = float(n);
    const float mean = sum(n, x) / fn;
    const V vm = T::set1(mean);
    V d0 = T::set1(0.0f), d1 = d0, q0 = d0, q1 = d0;
    size_t i = 0;
    for (; i + 2 * T::N <= n; i += 2 * T::N) {
      const V a = T::sub(T::loadu(x + i), vm), b = T::sub(T::loadu(x + i + T::N), vm);
      d0 = T::add(d0, a);
      d1 = T::add(d1, b);
      q0 = T::fma(a, a, q0);
      q1 = T::fma(b, b, q1);
    }
    for (; i + T::N <= n; i += T::N) {
      const V a = T::sub(T::loadu(x + i), vm);
      d0 = T::add(d0, a);
      q0 = T::fma(a, a, q0);
    }
    float sd = T::hsum(T::add(d0, d1)), sq = T::hsum(T::add(q0, q1));
    for (; i < n; ++i) {
      const float a = x[i] - mean;
      sd += a;
      sq += a * a;
    }
    float var = (sq - sd * sd / fn) / fn;
    var = var > 0.0f ? var : 0.0f;
    const float inv = 1.0f / std::sqrt(var + eps);
    // (x - mean) - corr rather than x - (mean + corr): x - mean is exact when x is
    // within a factor 2 of the mean (Sterbenz) and corr is small, so rows with a
    // large mean keep their precision (mean + corr would round at the mean's scale)
    const V vcorr = T::set1(sd / fn), vinv = T::set1(inv), zero = T::set1(0.0f);
    for (i = 0; i + T::N <= n; i += T::N) {
      const V t = T::mul(T::sub(T::sub(T::loadu(x + i), vm), vcorr), vinv);
      T::storeu(y + i, T::fma(t, T::loadu(scale + i), bias ? T::loadu(bias + i) : zero));
    }
    if (i < n) {
      const size_t r = n - i;
      const V t = T::mul(T::sub(T::sub(T::load_partial(x + i, r), vm), vcorr), vinv);
      T::store_partial(y + i, T::fma(t, T::load_partial(scale + i, r), bias ? T::load_partial(bias + i, r) : zero), r);
    }
  }
};

}  // namespace
}  // namespace sparsecc::ukernel
