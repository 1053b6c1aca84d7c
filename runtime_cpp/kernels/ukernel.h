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

}  // namespace sparsecc::ukernel
