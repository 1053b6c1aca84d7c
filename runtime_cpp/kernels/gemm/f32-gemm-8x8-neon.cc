// NEON (aarch64) 8x8 GEMM micro-kernel. Contract: ukernel::GemmFn in
// ../ukernel.h. 8 rows x 2 q-registers = 16 accumulators (of 32 v-registers);
// per k step two B loads and eight by-element FMAs of A. Edge columns
// (nr < 8) go through a zero-filled stack copy so nothing past nr is read or
// written; rows beyond mr re-read the last valid row of A and are not stored.
// bias/relu/clip are applied in registers, other activations after the store.
#include <arm_neon.h>


#include "f32-gemm-epilogue.h"
#include "f32-gemm.h"

namespace sparsecc::ukernel {

void scc_f32_gemm_ukernel_8x8__neon(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,
                                    size_t a_k_stride, const float* b, size_t b_row_stride, float* c,
                                    size_t c_row_stride, const float* bias, Bias bias_mode, const Epilogue& ep) {
  constexpr size_t MR = 8, NR = 8;
  const float* ap[MR];
  for (size_t i = 0; i < MR; ++i) ap[i] = a + (i < mr ? i : mr - 1) * a_row_stride;
  float32x4_t acc[MR][2];
  for (size_t i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = vdupq_n_f32(0.0f);
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
    const float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4);
    for (size_t i = 0; i < MR; ++i) {
      const float av = ap[i][off];
      acc[i][0] = vfmaq_n_f32(acc[i][0], b0, av);
      acc[i][1] = vfmaq_n_f32(acc[i][1], b1, av);
    }
  }
  float32x4_t bias_col[2] = {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)};
  if (bias_mode == Bias::per_col) {
    float tmp[NR] = {};
    __builtin_memcpy(tmp, bias, nr * sizeof(float));
    bias_col[0] = vld1q_f32(tmp), bias_col[1] = vld1q_f32(tmp + 4);
  }
  const bool in_regs = ep.act == Act::none || ep.act == Act::relu || ep.act == Act::clip;
  const float lo = ep.act == Act::relu ? 0.0f : ep.p0;
  for (size_t i = 0; i < mr; ++i) {
    float32x4_t v[2] = {acc[i][0], acc[i][1]};
    for (int h = 0; h < 2; ++h) {
      if (bias_mode == Bias::per_row) v[h] = vaddq_f32(v[h], vdupq_n_f32(bias[i]));
      else if (bias_mode == Bias::per_col) v[h] = vaddq_f32(v[h], bias_col[h]);
      if (ep.act == Act::relu || ep.act == Act::clip) v[h] = vmaxq_f32(v[h], vdupq_n_f32(lo));
      if (ep.act == Act::clip) v[h] = vminq_f32(v[h], vdupq_n_f32(ep.p1));
    }
    float* ci = c + i * c_row_stride;
    if (full) {
      vst1q_f32(ci, v[0]);
      vst1q_f32(ci + 4, v[1]);
    } else {
      float tmp[NR];
      vst1q_f32(tmp, v[0]);
      vst1q_f32(tmp + 4, v[1]);
      __builtin_memcpy(ci, tmp, nr * sizeof(float));
    }
  }
  if (!in_regs) apply_epilogue_rows(ep, mr, nr, c, c_row_stride);
}

}  // namespace sparsecc::ukernel
