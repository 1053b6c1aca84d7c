// Op bindings of the vector family (kernel name "vector", docs/kernels.md
// section "vector"; the arch variant is chosen when the model is loaded):
//  - unary: Relu Sigmoid HardSwish Tanh Clip LeakyRelu HardSigmoid Gelu (ActFn);
//  - binary Add Sub Mul Div Max Min for three broadcast patterns
//    (vector_broadcast_pattern below; the compiler's kernel spec applies the same rule):
//      same shape, one operand a single element, and "block" broadcast where the
//      small operand's non-1 dims are one contiguous run of the output's dims
//      (SE-block Mul [N,C,H,W]*[N,C,1,1], bias Add [N,C,H,W]+[1,C,1,1], row Add [M,N]+[N]);
//  - GlobalAveragePool (SumFn per plane).
// Work is split into chunks of about 4k elements over the thread pool.
#include <algorithm>
#include <limits>
#include <string>

#include "../../src/op_registry.h"
#include "../dispatch.h"
#include "../reference/f32-activation-ref-scalar.h"
#include "op_epilogue.h"

namespace sparsecc::detail {
namespace {

constexpr size_t kChunk = 4096;  // elements per parallel work item

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

// ---- unary ------------------------------------------------------------------

Prepared make_unary(PrepareContext& ctx, const Activation& act) {
  ctx.expect_counts(1, 1, 1);
  const ukernel::Epilogue ep = to_ukernel_epilogue(act);
  const ukernel::ActFn fn = kernels::best_vact();
  const size_t n = size_t(numel(ctx.in(0)));
  Prepared out;
  out.out_shapes = {ctx.in(0)};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float* X = in[0];
    float* Y = o[0];
    rc.parallel_for(ceil_div(n, kChunk), [&](size_t b, size_t e) {
      const size_t lo = b * kChunk, hi = std::min(n, e * kChunk);
      fn(hi - lo, X + lo, Y + lo, ep);
    });
  };
  return out;
}

template <ActKind K>
Prepared prepare_unary(PrepareContext& ctx) {
  return make_unary(ctx, unary_op_activation(K, *ctx.attrs));
}





// ---- binary -----------------------------------------------------------------

enum class Pattern { same, scalar, rows, blocks };

// How `small` broadcasts against the output `y` when it is not the same size:
// its non-1 dims (right-aligned) must be one contiguous run [p, q) equal to y's.
// Then small[(f / inner) % count] pairs with output element f, inner = prod(y[q:]).
// Returns false when the shapes follow no supported pattern.
bool block_broadcast(const Shape& small, const Shape& y, size_t& inner) {
  const size_t r = y.size(), off = r - small.size();
  size_t p = r, q = 0;
  for (size_t i = 0; i < small.size(); ++i)
    if (small[i] != 1) p = std::min(p, off + i), q = off + i + 1;
  if (p >= q) return false;  // a single element: the scalar pattern
  for (size_t i = p; i < q; ++i)
    if (small[i - off] != y[i]) return false;
  inner = 1;
  for (size_t i = q; i < r; ++i) inner *= size_t(y[i]);
  return true;
}

ukernel::BinOp swapped(ukernel::BinOp op) {
  using ukernel::BinOp;
  if (op == BinOp::sub) return BinOp::rsub;
  if (op == BinOp::div) return BinOp::rdiv;
  return op;  // add, mul, max, min commute (max/min propagate NaN from either side)
}

template <ukernel::BinOp OP>
Prepared prepare_binary(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  ctx.attrs->check_all_used();
  const Shape &a = ctx.in(0), &b = ctx.in(1);
  const size_t rank = std::max(a.size(), b.size());
  Shape y(rank);
  for (size_t i = 0; i < rank; ++i) {
    const size_t oa = rank - a.size(), ob = rank - b.size();
    const int64_t da = i >= oa ? a[i - oa] : 1, db = i >= ob ? b[i - ob] : 1;
    if (da != db && da != 1 && db != 1) fail("shapes ", shape_str(a), " and ", shape_str(b), " do not broadcast");
    y[i] = std::max(da, db);
  }
  const size_t n = size_t(numel(y)), na = size_t(numel(a)), nb = size_t(numel(b));
  // full operand index (0 = a, 1 = b), op as seen from the full operand
  size_t full = 0, inner = 1, count = 1;
  ukernel::BinOp op = OP;
  Pattern pat;
  if (na == n && nb == n) {
    pat = Pattern::same;
  } else if (na == n || nb == n) {
    full = na == n ? 0 : 1;
    if (full == 1) op = swapped(OP);
    const Shape& small = full == 0 ? b : a;
    count = full == 0 ? nb : na;
    if (count == 1) {
      pat = Pattern::scalar;
    } else if (block_broadcast(small, y, inner)) {
      pat = inner == 1 ? Pattern::rows : Pattern::blocks;
    } else {
      fail("kernel vector does not support broadcasting ", shape_str(a), " with ", shape_str(b),
           " (same shape, a single element or one contiguous run of dims only)");
    }
  } else {
    fail("kernel vector needs one operand of the output's size, got ", shape_str(a), " and ", shape_str(b));
  }
  const ukernel::BinaryFn fb = kernels::best_vbinary();
  const ukernel::BinaryScalarFn fc = kernels::best_vbinaryc();
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float* F = in[full];
    const float* S = in[1 - full];
    float* Y = o[0];
    switch (pat) {
      case Pattern::same:
      case Pattern::scalar:
        rc.parallel_for(ceil_div(n, kChunk), [&](size_t bgn, size_t end) {
          const size_t lo = bgn * kChunk, hi = std::min(n, end * kChunk);
          if (pat == Pattern::same) fb(op, hi - lo, F + lo, S + lo, Y + lo);
          else fc(op, hi - lo, F + lo, S[0], Y + lo);
        });
        return;
      case Pattern::rows:  // S repeats every `count` elements
        rc.parallel_for(n / count, [&](size_t bgn, size_t end) {
          for (size_t r = bgn; r < end; ++r) fb(op, count, F + r * count, S, Y + r * count);
        }, ceil_div(kChunk, count));
        return;
      case Pattern::blocks:  // S[(block) % count] is constant over each block of `inner`
        rc.parallel_for(n / inner, [&](size_t bgn, size_t end) {
          for (size_t k = bgn; k < end; ++k) fc(op, inner, F + k * inner, S[k % count], Y + k * inner);
        }, ceil_div(kChunk, inner));
        return;
    }
  };
  return out;
}

// ---- pooling ----------------------------------------------------------------

Prepared prepare_global_average_pool(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  ctx.attrs->check_all_used();
  const Shape& x = ctx.in(0);
  if (x.size() < 3) fail("X must have rank >= 3 ([N, C, spatial...]), got ", shape_str(x));
  Shape y(x.size(), 1);
  y[0] = x[0];
  y[1] = x[1];
  const size_t planes = size_t(x[0] * x[1]), size = size_t(numel(x)) / planes;
  const ukernel::SumFn fs = kernels::best_vsum();
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext& rc, const float* const* in, float* const* o) {
    const float* X = in[0];
    float* Y = o[0];
    rc.parallel_for(planes, [&](size_t bgn, size_t end) {
      for (size_t p = bgn; p < end; ++p) Y[p] = fs(size, X + p * size) / float(size);
    }, ceil_div(kChunk, size));
  };
  return out;
}

}  // namespace

void register_vector_ops(OpRegistry& r) {
  using ukernel::BinOp;
  r.add("Relu", "vector", prepare_unary<ActKind::Relu>);
  r.add("Sigmoid", "vector", prepare_unary<ActKind::Sigmoid>);
  r.add("HardSwish", "vector", prepare_unary<ActKind::HardSwish>);
  r.add("Tanh", "vector", prepare_unary<ActKind::Tanh>);
  r.add("Clip", "vector", prepare_unary<ActKind::Clip>);
  r.add("LeakyRelu", "vector", prepare_unary<ActKind::LeakyRelu>);
  r.add("HardSigmoid", "vector", prepare_unary<ActKind::HardSigmoid>);
  r.add("Gelu", "vector", prepare_unary<ActKind::Gelu>);
  r.add("Add", "vector", prepare_binary<BinOp::add>);
  r.add("Sub", "vector", prepare_binary<BinOp::sub>);
  r.add("Mul", "vector", prepare_binary<BinOp::mul>);
  r.add("Div", "vector", prepare_binary<BinOp::div>);
  r.add("Max", "vector", prepare_binary<BinOp::max>);
  r.add("Min", "vector", prepare_binary<BinOp::min>);
  r.add("GlobalAveragePool", "vector", prepare_global_average_pool);
}

}  // namespace sparsecc::detail
