// Generic sparse-weight x dense-rows micro-kernel (ukernel::SpmvFn, contract in
// ../ukernel.h): the sparse Gemm / MatMul of a few rows (a batch-1 classifier,
// a handful of tokens), where the pixel-vector SpMM of the 1x1 conv has only
// one lane of work per load.
//
//   y[r][m] = bias[m] + sum over the nonzero groups (row m / G, channel k) of
//             w[m][k] * x[r][k],          r < R, m in the group rows given.
//
// Per group row the R x G accumulators live in registers; per nonzero group
// the G weights are one contiguous load (they are stored side by side) and
// each of the R input values one broadcast -- G x R multiply-adds per G + R
// loads, and the weights (the bulk of the bytes) are read once for all R rows.
// The loops are over compile-time G and R blocks so the compiler maps a group
// to one vector register of the arch the file is built for (SSE/AVX on
// x86-64, NEON, WASM SIMD128); the scalar file builds the same code without
// SIMD flags and is the reference. Rows are taken RB = 4 at a time (the
// last 1-3 rows with 4 or 2 partial sums each, see spmv_block).
//
// Internal linkage: compiled with different ISA flags in different files.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../ukernel.h"

namespace sparsecc::ukernel {
namespace {

// U independent partial sums per row (nonzero j goes to sum j % U): a single
// row would otherwise be one chain of dependent multiply-adds, bound by the FMA
// latency (4 cycles) instead of its throughput. U x RB x G floats stay in registers.
template <size_t G, size_t RB, size_t U>
inline void spmv_block(size_t rows, const float* x, size_t ldx, const float* values, const int32_t* chan,
                       const uint32_t* nnz, size_t m0, size_t m1, float* y, size_t ldy) {
  // group rows [m0 / G, ceil(m1 / G)); m0 is a multiple of G; channels >= m1 are padding
  for (size_t c0 = m0; c0 < m1; c0 += G) {
    float acc[U][RB][G];
    for (size_t u = 0; u < U; ++u)
      for (size_t r = 0; r < RB; ++r)
        for (size_t g = 0; g < G; ++g) acc[u][r][g] = u == 0 ? values[g] : 0.0f;
    values += G;
    uint32_t k = *nnz++;
    for (; k >= U; k -= U) {
      for (size_t u = 0; u < U; ++u) {
        const size_t ch = size_t(chan[u]);
        for (size_t r = 0; r < RB; ++r) {
          const float xv = x[(r < rows ? r : 0) * ldx + ch];
          for (size_t g = 0; g < G; ++g) acc[u][r][g] += values[u * G + g] * xv;
        }
      }
      chan += U, values += U * G;
    }
    for (; k != 0; --k) {
      const size_t ch = size_t(*chan++);
      for (size_t r = 0; r < RB; ++r) {
        const float xv = x[(r < rows ? r : 0) * ldx + ch];
        for (size_t g = 0; g < G; ++g) acc[0][r][g] += values[g] * xv;
      }
      values += G;
    }
    const size_t cn = m1 - c0 < G ? m1 - c0 : G;
    for (size_t r = 0; r < rows; ++r)
      for (size_t g = 0; g < cn; ++g) {
        float sum = acc[0][r][g];
        for (size_t u = 1; u < U; ++u) sum += acc[u][r][g];
        y[r * ldy + c0 + g] = sum;
      }
  }
}

// rows <= RB per call of spmv_block; the values/chan/nnz streams restart for each row block
template <size_t G>
inline void spmv_ukernel(size_t R, const float* x, size_t ldx, const float* values, const int32_t* chan,
                         const uint32_t* nnz, size_t m0, size_t m1, float* y, size_t ldy) {
  constexpr size_t RB = 4;
  size_t r = 0;
  for (; r + RB <= R; r += RB) spmv_block<G, RB, 1>(RB, x + r * ldx, ldx, values, chan, nnz, m0, m1, y + r * ldy, ldy);
  const size_t rest = R - r;
  if (rest == 1) spmv_block<G, 1, 4>(1, x + r * ldx, ldx, values, chan, nnz, m0, m1, y + r * ldy, ldy);
  else if (rest == 2) spmv_block<G, 2, 2>(2, x + r * ldx, ldx, values, chan, nnz, m0, m1, y + r * ldy, ldy);
  else if (rest == 3) spmv_block<G, 3, 2>(3, x + r * ldx, ldx, values, chan, nnz, m0, m1, y + r * ldy, ldy);
}

}  // namespace
}  // namespace sparsecc::ukernel
