// WASM SIMD128 4x8 GEMM micro-kernel (wasm32, -msimd128). Contract:
// ukernel::GemmFn in ../ukernel.h. 4 rows x 2 v128 = 8 accumulators; per k
// step two B loads, four splats of A, multiply + add (SIMD128 has no fused
// multiply-add outside relaxed-simd). Edge columns (nr < 8) go through a
// zero-filled stack copy so nothing past nr is read or written; rows beyond mr
// re-read the last valid row of A and are not stored. bias/relu/clip in
// registers, other activations after the store.
#include <wasm_simd128.h>


#include "f32-gemm-epilogue.h"
#include "f32-gemm.h"

namespace sparsecc::ukernel {

void scc_f32_gemm_ukernel_4x8__wasmsimd(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,
                                        size_t a_k_stride, const float* b, size_t b_row_stride, float* c,
                                        size_t c_row_stride, const float* bias, Bias bias_mode,
                                        const Epilogue& ep) {
  constexpr size_t MR = 4, NR = 8;
  const float* ap[MR];
  for (size_t i = 0; i < MR; ++i) ap[i] = a + (i < mr ? i : mr - 1) * a_row_stride;
  v128_t acc[MR][2];
  for (size_t i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = wasm_f32x4_splat(0.0f);
  const bool full = nr == NR;
  float edge[NR];
  size_t off = 0;
  for (size_t kk = 0; kk < k; ++kk, off += a_k_stride, b += b_row_stride) {
    const float* bp = b;
    if (!full) {
      __builtin_memset(edge, 0, sizeof(edge));
      __builtin_memcpy(edge, b, nr * sizeof(float));
      bp = edge;
    }
    const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    for (size_t i = 0; i < MR; ++i) {
      const v128_t av = wasm_f32x4_splat(ap[i][off]);
      acc[i][0] = wasm_f32x4_add(acc[i][0], wasm_f32x4_mul(av, b0));
      acc[i][1] = wasm_f32x4_add(acc[i][1], wasm_f32x4_mul(av, b1));
    }
  }
  v128_t bias_col[2] = {wasm_f32x4_splat(0.0f), wasm_f32x4_splat(0.0f)};
  if (bias_mode == Bias::per_col) {
    float tmp[NR] = {};
    __builtin_memcpy(tmp, bias, nr * sizeof(float));
    bias_col[0] = wasm_v128_load(tmp), bias_col[1] = wasm_v128_load(tmp + 4);
  }
  const bool in_regs = ep.act == Act::none || ep.act == Act::relu || ep.act == Act::clip;
  const float lo = ep.act == Act::relu ? 0.0f : ep.p0;
  for (size_t i = 0; i < mr; ++i) {
    v128_t v[2] = {acc[i][0], acc[i][1]};
    for (int h = 0; h < 2; ++h) {
      if (bias_mode == Bias::per_row) v[h] = wasm_f32x4_add(v[h], wasm_f32x4_splat(bias[i]));
      else if (bias_mode == Bias::per_col) v[h] = wasm_f32x4_add(v[h], bias_col[h]);
      // pmax/pmin (x < lo ? lo : x) match the scalar comparisons for non-NaN inputs
      if (ep.act == Act::relu || ep.act == Act::clip) v[h] = wasm_f32x4_pmax(wasm_f32x4_splat(lo), v[h]);
      if (ep.act == Act::clip) v[h] = wasm_f32x4_pmin(wasm_f32x4_splat(ep.p1), v[h]);
    }
    float* ci = c + i * c_row_stride;
    if (full) {
      wasm_v128_store(ci, v[0]);
      wasm_v128_store(ci + 4, v[1]);
    } else {
      float tmp[NR];
      wasm_v128_store(tmp, v[0]);
      wasm_v128_store(tmp + 4, v[1]);
      __builtin_memcpy(ci, tmp, nr * sizeof(float));
    }
  }
  if (!in_regs) apply_epilogue_rows(ep, mr, nr, c, c_row_stride);
}

}  // namespace sparsecc::ukernel
