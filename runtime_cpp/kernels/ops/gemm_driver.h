// Drivers that tile a whole GEMM-shaped op into calls of one GEMM micro-kernel
// (ukernel::GemmFn), plus the weight packing they expect and im2col. Free of
// the runtime's session types so the micro-benchmark and the tests use the
// very code the op bindings (gemm_ops.cc) run.
//
// Packed weight layouts (also produced by compiler/lower/kernel_specs/gemm.py;
// docs/kernels.md, section "gemm"). No padding: a packed tensor has exactly as
// many floats as the original, so it keeps the original shape.
//  * A-panels (NCHW conv, weights are the broadcast operand): W[M][K] row-major
//    -> for p = 0.. ceil(M/MR)-1: panel p = rows [p*MR, p*MR + mp) stored [K][mp],
//    mp = min(MR, M - p*MR); panel p starts at float p*MR*K.
//  * B-panels (row-major MatMul/Gemm, weights are the vector operand): B[K][N]
//    -> for q = 0.. ceil(N/NR)-1: panel q = columns [q*NR, q*NR + nq) stored
//    [K][nq], nq = min(NR, N - q*NR); panel q starts at float q*NR*K.
#pragma once

#include <cstddef>
#include <vector>

#include "../ukernel.h"

namespace sparsecc::gemm {

using ukernel::Bias;
using ukernel::Epilogue;
using ukernel::GemmFn;

struct Variant {
  GemmFn fn = nullptr;
  size_t MR = 0, NR = 0;
};

std::vector<float> pack_a_panels(const float* w, size_t M, size_t K, size_t MR);
std::vector<float> pack_b_panels(const float* b, size_t K, size_t N, size_t NR);   // b is [K][N]
std::vector<float> pack_bt_panels(const float* w, size_t N, size_t K, size_t NR);  // w is [N][K] (Gemm)

// Columns per cache chunk: a multiple of NR such that a K x chunk block of the
// B operand stays in L2 (at least 4*NR, at most P rounded up to NR).
size_t chunk_columns(size_t K, size_t P, size_t NR);

// Y[M][P] = act(bias[m] + sum_k W[m][k] * X[k][P]): NCHW conv as GEMM, weights
// in A-panels. Tiles of one column range are numbered m-block major.
struct ChannelGemm {
  Variant v;
  size_t M = 0, K = 0;
  const float* a_packed = nullptr;
  const float* bias = nullptr;  // [M] or nullptr
  Epilogue ep;

  size_t m_blocks() const { return (M + v.MR - 1) / v.MR; }
  size_t tiles(size_t ncols) const { return m_blocks() * ((ncols + v.NR - 1) / v.NR); }
  // Runs tiles [t0, t1) over ncols columns of B given as strips of NR columns:
  // strip s starts at b + s * strip_stride, row stride ldb. Writes the same
  // columns of y (row stride ldy).
  void run_tiles(const float* b, size_t strip_stride, size_t ldb, float* y, size_t ldy, size_t ncols, size_t t0,
                 size_t t1) const;
};

// Y[R][N] = act(bias[n] + sum_k X[r][k] * B[k][n]): row-major MatMul/Gemm with
// weights in B-panels. Tiles numbered n-block (panel) major.
struct RowGemm {
  Variant v;
  size_t R = 0, K = 0, N = 0;
  const float* b_packed = nullptr;
  const float* bias = nullptr;  // [N] or nullptr
  Epilogue ep;

  size_t tiles() const { return ((N + v.NR - 1) / v.NR) * ((R + v.MR - 1) / v.MR); }
  void run_tiles(const float* x, size_t ldx, float* y, size_t ldy, size_t t0, size_t t1) const;
};

// im2col of one NCHW image for a k x k conv (group 1): row r = (c*kh + ky)*kw + kx,
// column p = output pixel oh*OW + ow; zero outside the input.
struct Im2col {
  size_t C, H, W, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW;
  size_t rows() const { return C * kh * kw; }
  // Writes rows [r0, r1), columns [p0, p0 + nc) to dst (row stride ld; row r0 at dst).
  void fill(const float* x, size_t p0, size_t nc, size_t r0, size_t r1, float* dst, size_t ld) const;
};

// Copies rows [r0, r1) of columns [p0, p0 + nc) of X[K][ldx] to dst (row stride ld).
void copy_columns(const float* x, size_t ldx, size_t p0, size_t nc, size_t r0, size_t r1, float* dst, size_t ld);

// 1x1 conv without packing B: every tile reads X[k][p0 + j] in place (row
// stride P). Column chunks as in conv_packed_b so one chunk's rows stay in L2.
template <typename Par>
void conv_1x1_in_place(const ChannelGemm& g, size_t P, const float* x, float* y, Par&& par) {
  const size_t NR = g.v.NR, chunk = chunk_columns(g.K, P, NR);
  for (size_t p0 = 0; p0 < P; p0 += chunk) {
    const size_t nc = chunk < P - p0 ? chunk : P - p0;
    par(g.tiles(nc), [&](size_t t0, size_t t1) { g.run_tiles(x + p0, NR, P, y + p0, P, nc, t0, t1); });
  }
}

// Whether conv_image packs a 1x1 conv's B (K rows) into strips (true) or
// reads it in place (conv_1x1_in_place). See the definition for the measured rule.
bool pack_1x1_b(size_t K);

// Column chunk by column chunk, the B operand is first packed into scratch as
// contiguous strips [strip][K][NR] (im2col'ed on the way when im != nullptr)
// -- strided rows of X cost a TLB miss per k step -- then every tile reads one
// strip. scratch must hold K * chunk_columns(K, P, NR) floats.
template <typename Par>
void conv_packed_b(const ChannelGemm& g, const Im2col* im, size_t P, const float* x, float* y, float* scratch,
                   Par&& par) {
  const size_t NR = g.v.NR, K = g.K, chunk = chunk_columns(K, P, NR);
  for (size_t p0 = 0; p0 < P; p0 += chunk) {
    const size_t nc = chunk < P - p0 ? chunk : P - p0, strips = (nc + NR - 1) / NR;
    par(K, [&](size_t r0, size_t r1) {
      for (size_t s = 0; s < strips; ++s) {
        const size_t ns = nc - s * NR < NR ? nc - s * NR : NR;
        float* dst = scratch + s * K * NR + r0 * NR;
        if (im) im->fill(x, p0 + s * NR, ns, r0, r1, dst, NR);
        else copy_columns(x, P, p0 + s * NR, ns, r0, r1, dst, NR);
      }
    });
    par(g.tiles(nc), [&](size_t t0, size_t t1) { g.run_tiles(scratch, K * NR, NR, y + p0, P, nc, t0, t1); });
  }
}

// One image of a conv as GEMM: Y[M][P] from X (im == nullptr: a 1x1/stride-1/
// pad-0 conv, X is [K][P]; else X is the [C][H][W] image), B packed or read in
// place (pack_1x1_b). par(n, body) must call body(begin, end) over a partition
// of [0, n) (serially or on a thread pool).
template <typename Par>
void conv_image(const ChannelGemm& g, const Im2col* im, size_t P, const float* x, float* y, float* scratch,
                Par&& par) {
  if (!im && !pack_1x1_b(g.K)) conv_1x1_in_place(g, P, x, y, par);
  else conv_packed_b(g, im, P, x, y, scratch, par);
}

}  // namespace sparsecc::gemm
