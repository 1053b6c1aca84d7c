// Scalar reference elementwise ops: binary with numpy broadcasting (Add Sub Mul
// Div Pow Max Min) and unary (Relu Sigmoid HardSwish Tanh Erf Sqrt Exp Log Neg
// Abs Reciprocal Softplus Clip LeakyRelu HardSigmoid Elu Gelu), sharing the
// activation definitions of f32-activation-ref-scalar.h.
#include <cmath>
#include <limits>

#include "../../src/op_registry.h"
#include "f32-activation-ref-scalar.h"

namespace sparsecc::detail {
namespace {

enum class BinOp { Add, Sub, Mul, Div, Pow, Max, Min };

template <BinOp OP>
inline float binop(float a, float b) {
  if constexpr (OP == BinOp::Add) return a + b;
  if constexpr (OP == BinOp::Sub) return a - b;
  if constexpr (OP == BinOp::Mul) return a * b;
  if constexpr (OP == BinOp::Div) return a / b;
  if constexpr (OP == BinOp::Pow) return std::pow(a, b);
  if constexpr (OP == BinOp::Max) return a > b ? a : (std::isnan(a) ? a : b);
  if constexpr (OP == BinOp::Min) return a < b ? a : (std::isnan(a) ? a : b);
}

template <BinOp OP>
Prepared prepare_binary(PrepareContext& ctx) {
  ctx.expect_counts(2, 2, 1);
  ctx.attrs->check_all_used();
  const Shape &a = ctx.in(0), &b = ctx.in(1);
  const size_t rank = std::max(a.size(), b.size());
  Shape y(rank), sa(rank, 0), sb(rank, 0);
  int64_t stride_a = 1, stride_b = 1;
  for (size_t i = rank; i-- > 0;) {
    const size_t oa = rank - a.size(), ob = rank - b.size();
    const int64_t da = i >= oa ? a[i - oa] : 1, db = i >= ob ? b[i - ob] : 1;
    if (da != db && da != 1 && db != 1) fail("shapes ", shape_str(a), " and ", shape_str(b), " do not broadcast");
    y[i] = std::max(da, db);
    sa[i] = da == 1 ? 0 : stride_a;
    sb[i] = db == 1 ? 0 : stride_b;
    stride_a *= da;
    stride_b *= db;
  }
  const int64_t n = numel(y), na = numel(a), nb = numel(b);
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float *A = in[0], *B = in[1];
    float* Y = o[0];
    if (na == n && nb == n) {
      for (int64_t i = 0; i < n; ++i) Y[i] = binop<OP>(A[i], B[i]);
      return;
    }
    if (nb == 1) {
      for (int64_t i = 0; i < n; ++i) Y[i] = binop<OP>(A[i], B[0]);
      return;
    }
    // general case: odometer over the output index, tracking both input offsets
    std::vector<int64_t> idx(rank, 0);
    int64_t off_a = 0, off_b = 0;
    for (int64_t i = 0; i < n; ++i) {
      Y[i] = binop<OP>(A[off_a], B[off_b]);
      for (size_t d = rank; d-- > 0;) {
        off_a += sa[d];
        off_b += sb[d];
        if (++idx[d] < y[d]) break;
        off_a -= sa[d] * y[d];
        off_b -= sb[d] * y[d];
        idx[d] = 0;
      }
    }
  };
  return out;
}

Prepared make_unary(PrepareContext& ctx, Activation act) {
  ctx.expect_counts(1, 1, 1);
  const int64_t n = numel(ctx.in(0));
  Prepared out;
  out.out_shapes = {ctx.in(0)};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    const float* X = in[0];
    float* Y = o[0];
    for (int64_t i = 0; i < n; ++i) Y[i] = act(X[i]);
  };
  return out;
}

template <ActKind K>
Prepared prepare_unary(PrepareContext& ctx) {
  return make_unary(ctx, unary_op_activation(K, *ctx.attrs));
}






}  // namespace

void register_elementwise_ref(OpRegistry& r) {
  r.add("Add", "ref", prepare_binary<BinOp::Add>);
  r.add("Sub", "ref", prepare_binary<BinOp::Sub>);
  r.add("Mul", "ref", prepare_binary<BinOp::Mul>);
  r.add("Div", "ref", prepare_binary<BinOp::Div>);
  r.add("Pow", "ref", prepare_binary<BinOp::Pow>);
  r.add("Max", "ref", prepare_binary<BinOp::Max>);
  r.add("Min", "ref", prepare_binary<BinOp::Min>);
  r.add("Relu", "ref", prepare_unary<ActKind::Relu>);
  r.add("Sigmoid", "ref", prepare_unary<ActKind::Sigmoid>);
  r.add("HardSwish", "ref", prepare_unary<ActKind::HardSwish>);
  r.add("Tanh", "ref", prepare_unary<ActKind::Tanh>);
  r.add("Erf", "ref", prepare_unary<ActKind::Erf>);
  r.add("Sqrt", "ref", prepare_unary<ActKind::Sqrt>);
  r.add("Exp", "ref", prepare_unary<ActKind::Exp>);
  r.add("Log", "ref", prepare_unary<ActKind::Log>);
  r.add("Neg", "ref", prepare_unary<ActKind::Neg>);
  r.add("Abs", "ref", prepare_unary<ActKind::Abs>);
  r.add("Reciprocal", "ref", prepare_unary<ActKind::Reciprocal>);
  r.add("Softplus", "ref", prepare_unary<ActKind::Softplus>);
  r.add("Clip", "ref", prepare_unary<ActKind::Clip>);
  r.add("LeakyRelu", "ref", prepare_unary<ActKind::LeakyRelu>);
  r.add("HardSigmoid", "ref", prepare_unary<ActKind::HardSigmoid>);
  r.add("Elu", "ref", prepare_unary<ActKind::Elu>);
  r.add("Gelu", "ref", prepare_unary<ActKind::Gelu>);
}

}  // namespace sparsecc::detail
