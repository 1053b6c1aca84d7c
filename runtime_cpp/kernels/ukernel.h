// The micro-kernel ABI: the signatures every fast kernel implements, one per
// family, identical across archs (scalar, avx2, neon, wasmsimd). The table of
// which (family, tile, arch) exist is runtime_cpp/kernels/kernels.def; ops in
// runtime_cpp/kernels/ops/ bind them to IR nodes; the scalar variant of each
// family is the portable fallback and the oracle its SIMD siblings are tested
// against (and they all against kernels/reference/).
#pragma once
#include <cstddef>
#include <cstdint>

namespace sparsecc::ukernel {

// Fused epilogue: y = act(acc + bias). Parameters as in docs/ir-ops.md.
enum class Act : uint8_t { none, relu, clip, leaky_relu, sigmoid, hard_sigmoid, hard_swish, tanh, gelu, gelu_tanh, silu };
struct Epilogue {
  Act act = Act::none;
  float p0 = 0.0f, p1 = 0.0f;  // clip: min, max; leaky_relu: alpha; hard_sigmoid: alpha, beta
};

enum class Bias : uint8_t { none, per_row, per_col };

// ---- GEMM: C[mr x nr] = act(bias + A[mr x k] * B[k x nr]) -----------------------
// A (the broadcast operand): element (i, kk) at a[i * a_row_stride + kk * a_k_stride].
// B (the vector operand): row kk starts at b + kk * b_row_stride; the first nr
//   floats of each row are read (an edge tile with nr < NR must not read past nr).
// C: row i starts at c + i * c_row_stride; exactly mr x nr floats are written.
// bias: bias[i] (per_row) or bias[j] (per_col), or nullptr with Bias::none.
// mr <= MR and nr <= NR of the variant; k >= 1.
// Two uses: NCHW 1x1 conv (A = weights packed in panels [k][MR], a_row_stride = 1,
// a_k_stride = MR; B = activations [K, HW], b_row_stride = HW; per_row bias) and
// row-major MatMul/Gemm (A = activations [M, K], a_row_stride = K, a_k_stride = 1;
// B = weights packed in panels [k][NR], b_row_stride = NR; per_col bias).
using GemmFn = void (*)(size_t mr, size_t nr, size_t k,
                        const float* a, size_t a_row_stride, size_t a_k_stride,
                        const float* b, size_t b_row_stride,
                        float* c, size_t c_row_stride,
                        const float* bias, Bias bias_mode, const Epilogue& ep);

// ---- Offset-table GEMM (family igemm): direct conv without an im2col matrix ------
// C[mr x nr] = act(bias + A[mr x k] * B[k x nr]) as GemmFn with A a packed panel
// (element (i, kk) at a[kk * a_k_stride + i]) and B row kk starting at
// b + b_off[kk] (any offsets; rows may overlap: they are shifted windows of the
// same zero-padded input planes). Only the first nr floats of each B row are
// read. Same tiles, bias modes and epilogues as the gemm variant of the tile.
using IGemmFn = void (*)(size_t mr, size_t nr, size_t k, const float* a, size_t a_k_stride,
                         const float* b, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
                         const float* bias, Bias bias_mode, const Epilogue& ep);

// ---- Pixel-broadcast GEMM (family pgemm): conv over small planes ---------------
// The transposed form of the conv GEMM: output channels are the vector operand,
// pixels the broadcast one, so a plane of 49 pixels fills every lane (the
// column tiles above round it up to 64). For pixels p < np (np <= PT of the
// tile) and channels c < nc (nc <= NR):
//   y[c * y_stride + y_pix[p]] = act(bias[c] + sum_kk w[kk * w_k_stride + c] * x[x_off[kk] + x_pix[p]])
// w: a weight panel [k][nc] (W^T of nc output channels); x_off[kk]: where B row
// kk starts (1x1 conv: kk * HW; k x k: the igemm phase-plane offset table);
// x_pix / y_pix: per pixel of the tile, its offset in a B row / in an output
// channel plane. bias: nc floats or nullptr. k >= 1, 1 <= np, 1 <= nc.
// K blocking (the driver runs a block of k for every pixel tile while that
// block of weights is in L1): `acc` holds one tile's running sums as
// [PT][NR] floats; kPGemmAccumulate starts from them instead of zero,
// kPGemmPartial stores the sums there (no bias, no activation, y untouched).
constexpr uint32_t kPGemmAccumulate = 1u, kPGemmPartial = 2u;
using PGemmFn = void (*)(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride, const float* x,
                         const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc, uint32_t flags, float* y,
                         size_t y_stride, const ptrdiff_t* y_pix, const float* bias, const Epilogue& ep);

// ---- Depthwise conv, one channel plane, fixed kernel size and stride per variant --
// y[oh][ow] = act(bias + sum_{ky,kx} w[ky*K + kx] * x[oh*S - pad_top + ky][ow*S - pad_left + kx])
// with zero padding outside [0,H) x [0,W). Dilation 1. Writes OH x OW floats (row stride OW).
using DwConvFn = void (*)(const float* x, size_t H, size_t W,
                          const float* w, float bias,
                          float* y, size_t OH, size_t OW,
                          size_t pad_top, size_t pad_left, const Epilogue& ep);

// ---- Vector kernels -----------------------------------------------------------
// y[i] = act(x[i]) for i < n (in place allowed: y == x).
using ActFn = void (*)(size_t n, const float* x, float* y, const Epilogue& ep);
// y[i] = a[i] (op) b[i]; and the broadcast form y[i] = a[i] (op) s.
enum class BinOp : uint8_t { add, sub, mul, div, max, min, rsub, rdiv };  // rsub: b - a, rdiv: b / a
using BinaryFn = void (*)(BinOp op, size_t n, const float* a, const float* b, float* y);
using BinaryScalarFn = void (*)(BinOp op, size_t n, const float* a, float s, float* y);
// sum of x[0..n)
using SumFn = float (*)(size_t n, const float* x);

// ---- 2-D pooling, one output row of one channel plane (family pool) --------------
// Separable: the window's valid input rows are first reduced (max or sum) into
// `buf`, laid out as the padded row (buf[pad_left + w] <-> input column w; pad
// and overhang entries hold the empty value: lowest float for max, 0 for avg),
// then y[ow] = reduce_{kx < kw} buf[ow*sw + kx*dw] for ow < OW; avg multiplies
// the window sum by row_scale * col_scale[ow] (1/count, chosen by the caller for
// count_include_pad 0 or 1; col_scale is unused for max). nrows == 0 (a window
// with no valid row) gives the empty value. `buf` holds pool_buf_floats(p)
// floats (contents undefined on entry). Exactly OW floats of y are written.
enum class PoolOp : uint8_t { max, avg };
struct PoolRow {
  size_t W, OW, kw, sw, dw, pad_left;
};
inline size_t pool_buf_floats(const PoolRow& p) {
  const size_t span = (p.OW - 1) * p.sw + (p.kw - 1) * p.dw + 1, row = p.pad_left + p.W;
  return (span > row ? span : row) + 32;  // slack: a stride-2 AVX-512 window reads 32 floats from its start
}
using PoolFn = void (*)(PoolOp op, const float* const* rows, size_t nrows, const PoolRow& p,
                        const float* col_scale, float row_scale, float* buf, float* y);

// ---- normalisation over one contiguous row of n >= 1 floats (families softmax, layernorm)
// softmax: y[i] = exp(x[i] - max x) / sum_j exp(x[j] - max x)   (in place allowed)
using SoftmaxFn = void (*)(size_t n, const float* x, float* y);
// layernorm: y[i] = (x[i] - mean) / sqrt(var + eps) * scale[i] (+ bias[i]); mean and
// (biased) variance over the row, two passes; bias may be nullptr; in place allowed.
using LayerNormFn = void (*)(size_t n, const float* x, const float* scale, const float* bias, float eps,
                             float* y);

// ---- Sparse x dense (family spmm; tile column = pattern g1/g2/g4/g8) -------------
// NCHW 1x1 conv as SpMM: out[c][p] = act(bias[c] + sum_k W[c][k] * in[k][p]) for
// p < n pixels, c < nc output channels, W sparse in groups of G consecutive output
// channels x 1 input channel. Group rows r = 0 .. ceil(nc/G)-1 (channels
// [r*G, r*G + G)) are stored back to back:
//   weights: per row, G bias values, then per nonzero group its G weights;
//   nnz[r]:  the row's number of nonzero groups;
//   dmap:    per nonzero group (all rows in order), the byte increment added to
//            the input pointer before the group's input row is read.
// `input` points at pixel 0 of the channel the first increment starts from;
// `out` at out[0][0], channel stride `ostride` floats. The last row may have
// fewer than G channels (nc % G): its padding weights are read, never stored.
// flags: kSpmmAccumulate starts from the values in `out` instead of the bias
// (bias values are skipped); kSpmmPartial stores raw sums (no epilogue). Both
// serve input-channel blocking. Any n >= 1: the kernel tiles pixels itself.
constexpr uint32_t kSpmmAccumulate = 1u, kSpmmPartial = 2u;
using SpmmFn = void (*)(size_t n, size_t nc, const float* input, const float* weights, const int32_t* dmap,
                        const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep);

// Sparse weight x a few dense rows (sparse Gemm/MatMul, family spmv):
// y[r][m] = bias[m] + sum_k W[m][k] * x[r][k] for r < R and output channels
// m in [m0, m1), m0 a multiple of G. The weights use the spmm value layout
// (per group row: G bias values, then G weights per nonzero group); `values`,
// `chan` (absolute input channel of each nonzero, validated < K) and `nnz`
// (per group row) start at group row m0 / G. x rows have stride ldx, y rows
// ldy; channels of the last group row past m1 are padding, never stored. No
// activation: the op applies it to the stored rows.
using SpmvFn = void (*)(size_t R, const float* x, size_t ldx, const float* values, const int32_t* chan,
                        const uint32_t* nnz, size_t m0, size_t m1, float* y, size_t ldy);

}  // namespace sparsecc::ukernel
