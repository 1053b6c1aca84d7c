// Scalar reference Resize over H and W of an NCHW tensor: `nearest` (four
// rounding modes) and `linear` (bilinear, source coordinate clamped to the
// input), with the ONNX coordinate transformation modes, following
// onnxruntime's coordinate arithmetic (see source_coord).
#include <cmath>

#include "../../src/op_registry.h"

namespace sparsecc::detail {
namespace {

enum class Ctm { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNearest };
enum class Round { PreferFloor, PreferCeil, Floor, Ceil };

// Source coordinate of output index x_out along one axis, as onnxruntime computes
// it: an axis whose size does not change is copied whatever the scale; a given
// scale is applied in float32 arithmetic; without scales (the model gave sizes)
// the exact ratio in/out is used in double.
double source_coord(Ctm ctm, int64_t x_out, bool has_scale, float scale, int64_t len_in, int64_t len_out) {
  if (len_out == len_in) return double(x_out);
  if (ctm == Ctm::AlignCorners) return len_out == 1 ? 0.0 : double(x_out) * double(len_in - 1) / double(len_out - 1);
  if (ctm == Ctm::PytorchHalfPixel && len_out == 1) return 0.0;
  const bool half_in = ctm == Ctm::HalfPixel || ctm == Ctm::PytorchHalfPixel || ctm == Ctm::TfHalfPixelForNearest;
  const bool half_out = ctm == Ctm::HalfPixel || ctm == Ctm::PytorchHalfPixel;
  if (has_scale) {
    const float x = float(x_out) + (half_in ? 0.5f : 0.0f);
    return double(x / scale - (half_out ? 0.5f : 0.0f));
  }
  const double x = double(x_out) + (half_in ? 0.5 : 0.0);
  return x * double(len_in) / double(len_out) - (half_out ? 0.5 : 0.0);
}

int64_t nearest_index(Round mode, double c, int64_t len_in) {
  double r;
  switch (mode) {
    case Round::PreferFloor: r = std::ceil(c - 0.5); break;
    case Round::PreferCeil: r = std::floor(c + 0.5); break;
    case Round::Floor: r = std::floor(c); break;
    default: r = std::ceil(c); break;
  }
  if (!(r >= 0.0)) return 0;  // also catches NaN
  return r >= double(len_in - 1) ? len_in - 1 : int64_t(r);
}

struct Tap {  // one output coordinate -> two source indices and weights
  int64_t i0, i1;
  float w0, w1;
};

std::vector<Tap> linear_taps(Ctm ctm, bool has_scale, float scale, int64_t len_in, int64_t len_out) {
  std::vector<Tap> taps(static_cast<size_t>(len_out));
  for (int64_t o = 0; o < len_out; ++o) {
    double c = source_coord(ctm, o, has_scale, scale, len_in, len_out);
    c = std::max(0.0, std::min(c, double(len_in - 1)));
    const int64_t i0 = int64_t(std::floor(c)), i1 = std::min(i0 + 1, len_in - 1);
    const double f = c - double(i0);
    taps[size_t(o)] = {i0, i1, float(1.0 - f), float(f)};
  }
  return taps;
}

template <typename T>
T pick(const std::string& what, const std::string& v, std::initializer_list<std::pair<const char*, T>> table) {
  for (const auto& e : table)
    if (v == e.first) return e.second;
  fail("unsupported ", what, " '", v, "'");
}

Prepared prepare_resize(PrepareContext& ctx) {
  ctx.expect_counts(1, 1, 1);
  const Shape& x = ctx.in(0);
  if (x.size() != 4) fail("X must have rank 4, got ", shape_str(x));
  const Attrs& a = *ctx.attrs;
  const std::string mode = a.get_string("mode", "nearest");
  if (mode != "nearest" && mode != "linear") fail("mode must be 'nearest' or 'linear', got '", mode, "'");
  const Ctm ctm = pick<Ctm>("coordinate_transformation_mode", a.get_string("coordinate_transformation_mode", "half_pixel"),
                            {{"half_pixel", Ctm::HalfPixel},
                             {"pytorch_half_pixel", Ctm::PytorchHalfPixel},
                             {"align_corners", Ctm::AlignCorners},
                             {"asymmetric", Ctm::Asymmetric},
                             {"tf_half_pixel_for_nearest", Ctm::TfHalfPixelForNearest}});
  const Round rnd = pick<Round>("nearest_mode", a.get_string("nearest_mode", "round_prefer_floor"),
                                {{"round_prefer_floor", Round::PreferFloor},
                                 {"round_prefer_ceil", Round::PreferCeil},
                                 {"floor", Round::Floor},
                                 {"ceil", Round::Ceil}});
  std::vector<float> scales = a.get_floats("scales", {});
  const Shape sizes = a.get_ints("sizes");
  if (sizes.size() != 4) fail("sizes must have 4 values, got ", sizes.size());
  const bool has_scales = !scales.empty();  // absent: the exact ratio out/in is used
  if (!has_scales) scales.assign(4, 1.0f);
  if (scales.size() != 4) fail("scales must have 4 values or none, got ", scales.size());
  for (float s : scales)
    if (!(s > 0.0f) || std::isinf(s)) fail("scales must be finite and > 0");
  if (sizes[0] != x[0] || sizes[1] != x[1]) fail("sizes ", shape_str(sizes), " may only resize H and W of ", shape_str(x));
  if (sizes[2] < 1 || sizes[3] < 1 || sizes[2] > (int64_t(1) << 24) || sizes[3] > (int64_t(1) << 24) ||
      sizes[2] * sizes[3] > ((int64_t(1) << 31) / (x[0] * x[1])))  // x[0]·x[1] <= 2^31: no overflow
    fail("sizes ", shape_str(sizes), " out of range");
  const int64_t H = x[2], W = x[3], OH = sizes[2], OW = sizes[3], planes = x[0] * x[1];
  Prepared out;
  out.out_shapes = {sizes};
  if (mode == "nearest") {
    std::vector<int64_t> ys(static_cast<size_t>(OH)), xs(static_cast<size_t>(OW));
    for (int64_t o = 0; o < OH; ++o) ys[size_t(o)] = nearest_index(rnd, source_coord(ctm, o, has_scales, scales[2], H, OH), H);
    for (int64_t o = 0; o < OW; ++o) xs[size_t(o)] = nearest_index(rnd, source_coord(ctm, o, has_scales, scales[3], W, OW), W);
    out.run = [=](RunContext&, const float* const* in, float* const* o) {
      for (int64_t p = 0; p < planes; ++p) {
        const float* X = in[0] + p * H * W;
        float* Y = o[0] + p * OH * OW;
        for (int64_t i = 0; i < OH; ++i)
          for (int64_t j = 0; j < OW; ++j) Y[i * OW + j] = X[ys[size_t(i)] * W + xs[size_t(j)]];
      }
    };
  } else {
    const std::vector<Tap> ty = linear_taps(ctm, has_scales, scales[2], H, OH), tx = linear_taps(ctm, has_scales, scales[3], W, OW);
    out.run = [=](RunContext&, const float* const* in, float* const* o) {
      for (int64_t p = 0; p < planes; ++p) {
        const float* X = in[0] + p * H * W;
        float* Y = o[0] + p * OH * OW;
        for (int64_t i = 0; i < OH; ++i) {
          const Tap& r = ty[size_t(i)];
          for (int64_t j = 0; j < OW; ++j) {
            const Tap& c = tx[size_t(j)];
            Y[i * OW + j] = r.w0 * c.w0 * X[r.i0 * W + c.i0] + r.w0 * c.w1 * X[r.i0 * W + c.i1] +
                            r.w1 * c.w0 * X[r.i1 * W + c.i0] + r.w1 * c.w1 * X[r.i1 * W + c.i1];
          }
        }
      }
    };
  }
  return out;
}

}  // namespace

void register_resize_ref(OpRegistry& r) { r.add("Resize", "ref", prepare_resize); }

}  // namespace sparsecc::detail
