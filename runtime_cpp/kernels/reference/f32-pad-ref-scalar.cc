// Scalar reference Pad (constant / reflect / edge) over any rank, with
// non-negative begin/end pads. Reflect requires every pad < dim (proven at
// prepare time), so every source index is in range.
#include "../../src/op_registry.h"

namespace sparsecc::detail {
namespace {

enum class PadMode { Constant, Reflect, Edge };

Prepared prepare_pad(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  const size_t rank = x.size();
  const std::string m = ctx.attrs->get_string("mode", "constant");
  PadMode mode;
  if (m == "constant") mode = PadMode::Constant;
  else if (m == "reflect") mode = PadMode::Reflect;
  else if (m == "edge") mode = PadMode::Edge;
  else fail("mode must be 'constant', 'reflect' or 'edge', got '", m, "'");
  const std::vector<int64_t> pads = ctx.attrs->get_ints("pads");
  const float value = ctx.attrs->get_float("value", 0.0f);
  if (pads.size() != 2 * rank) fail("pads must have 2 x rank = ", 2 * rank, " values, got ", pads.size());
  Shape y(rank);
  int64_t total = 1;
  for (size_t i = 0; i < rank; ++i) {
    const int64_t b = pads[i], e = pads[i + rank];
    if (b < 0 || e < 0 || b > (int64_t(1) << 31) || e > (int64_t(1) << 31))
      fail("pads ", shape_str(pads), " must be non-negative");
    if (mode == PadMode::Reflect && (b >= x[i] || e >= x[i]))
      fail("reflect pads on axis ", i, " (", b, ", ", e, ") must be smaller than the dim ", x[i]);
    y[i] = x[i] + b + e;
    if (y[i] > (int64_t(1) << 31)) fail("padded shape too large");
    total *= y[i];
    if (total > (int64_t(1) << 31)) fail("padded shape too large");
  }
  const Shape in_strides = strides_of(x);
  Prepared out;
  out.out_shapes = {y};
  out.run = [=](RunContext&, const float* const* in, float* const* o) {
    std::vector<int64_t> idx(rank, 0);
    for (int64_t i = 0; i < total; ++i) {
      int64_t off = 0;
      bool inside = true;
      for (size_t d = 0; d < rank; ++d) {
        int64_t s = idx[d] - pads[d];
        if (s < 0 || s >= x[d]) {
          if (mode == PadMode::Constant) {
            inside = false;
            break;
          }
          if (mode == PadMode::Edge) s = s < 0 ? 0 : x[d] - 1;
          else s = s < 0 ? -s : 2 * (x[d] - 1) - s;
        }
        off += s * in_strides[d];
      }
      o[0][i] = inside ? in[0][off] : value;
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < y[d]) break;
        idx[d] = 0;
      }
    }
  };
  return out;
}

}  // namespace

void register_pad_ref(OpRegistry& r) { r.add("Pad", "ref", prepare_pad); }

}  // namespace sparsecc::detail
