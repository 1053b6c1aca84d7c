// Reference-kernel tests, hand-checkable cases: Conv, ConvTranspose, Gemm, MatMul
// and the fused epilogue activations.
#include <cmath>

#include "op_runner.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"

using namespace scctest;

TEST(conv_3x3_ones_on_4x4_ramp_with_pad_1_sums_each_neighbourhood) {
  // x = 0..15 row-major; out(i,j) = sum of x over the 3x3 window clipped to the image
  auto out = run_op("Conv", {{{1, 1, 4, 4}, ramp(16)}, constant({1, 1, 3, 3}, std::vector<float>(9, 1.0f))},
                    {{1, 1, 4, 4}}, [](NodeRec& n) { n.ints("pads", {1, 1, 1, 1}); });
  CHECK_EQ(out[0][0], 0.0f + 1 + 4 + 5);
  CHECK_EQ(out[0][5], 0.0f + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10);
  CHECK_EQ(out[0][15], 10.0f + 11 + 14 + 15);
  CHECK_EQ(out[0][3], 2.0f + 3 + 6 + 7);
}

TEST(conv_stride_2_on_5x5_ramp_no_pad) {
  auto out = run_op("Conv", {{{1, 1, 5, 5}, ramp(25)}, constant({1, 1, 3, 3}, std::vector<float>(9, 1.0f))},
                    {{1, 1, 2, 2}}, [](NodeRec& n) { n.ints("strides", {2, 2}); });
  CHECK_CLOSE(out[0], (std::vector<float>{54, 72, 144, 162}), 0.0f);
}

TEST(conv_asymmetric_pads_change_output_size_and_alignment) {
  // pads top=1 left=0 bottom=0 right=2, 1x1 kernel weight 1 -> zero rows/cols where padded
  auto out = run_op("Conv", {{{1, 1, 2, 2}, {1, 2, 3, 4}}, constant({1, 1, 1, 1}, {1.0f})}, {{1, 1, 3, 4}},
                    [](NodeRec& n) { n.ints("pads", {1, 0, 0, 2}); });
  CHECK_CLOSE(out[0], (std::vector<float>{0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0}), 0.0f);
}

TEST(conv_dilation_2_reads_the_corners) {
  auto out = run_op("Conv", {{{1, 1, 3, 3}, ramp(9)}, constant({1, 1, 2, 2}, {1, 1, 1, 1})}, {{1, 1, 1, 1}},
                    [](NodeRec& n) { n.ints("dilations", {2, 2}); });
  CHECK_EQ(out[0][0], 0.0f + 2 + 6 + 8);
}

TEST(conv_groups_keep_channels_separate_and_add_bias_then_relu) {
  // depthwise 1x1: channel 0 scaled by 2, channel 1 by -3; bias (1, 0.5); relu
  auto out = run_op("Conv",
                    {{{1, 2, 1, 2}, {1, 2, 3, 4}}, constant({2, 1, 1, 1}, {2, -3}), constant({2}, {1.0f, 0.5f})},
                    {{1, 2, 1, 2}}, [](NodeRec& n) { n.i("group", 2).s("activation", "relu"); });
  CHECK_CLOSE(out[0], (std::vector<float>{3, 5, 0, 0}), 0.0f);
}

TEST(conv_group_2_with_two_input_channels_per_group) {
  // C=4, M=2, group=2: out0 = x0 + x1, out1 = x2 - x3 (1x1 kernels)
  auto out = run_op("Conv", {{{1, 4, 1, 1}, {1, 2, 3, 5}}, constant({2, 2, 1, 1}, {1, 1, 1, -1})}, {{1, 2, 1, 1}},
                    [](NodeRec& n) { n.i("group", 2); });
  CHECK_CLOSE(out[0], (std::vector<float>{3, -2}), 0.0f);
}

TEST(conv_rejects_weight_channels_not_matching_group) {
  std::string err = load_error("Conv", {{{1, 4, 3, 3}, {}}, constant({2, 4, 1, 1}, {})}, {{1, 2, 3, 3}},
                               [](NodeRec& n) { n.i("group", 2); });
  CHECK_MSG(err.find("C/group") != std::string::npos, err);
}

TEST(conv_transpose_stride_2_scatters_each_pixel_into_a_block) {
  auto out = run_op("ConvTranspose", {{{1, 1, 2, 2}, {1, 2, 3, 4}}, constant({1, 1, 2, 2}, {1, 1, 1, 1})},
                    {{1, 1, 4, 4}}, [](NodeRec& n) { n.ints("strides", {2, 2}); });
  CHECK_CLOSE(out[0], (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}), 0.0f);
}

TEST(conv_transpose_stride_1_overlaps_and_pads_crop) {
  // full output 3x3: centre = 1+2+3+4; with pads 1 all round only the centre remains
  auto full = run_op("ConvTranspose", {{{1, 1, 2, 2}, {1, 2, 3, 4}}, constant({1, 1, 2, 2}, {1, 1, 1, 1})},
                     {{1, 1, 3, 3}});
  CHECK_CLOSE(full[0], (std::vector<float>{1, 3, 2, 4, 10, 6, 3, 7, 4}), 0.0f);
  auto cropped = run_op("ConvTranspose", {{{1, 1, 2, 2}, {1, 2, 3, 4}}, constant({1, 1, 2, 2}, {1, 1, 1, 1})},
                        {{1, 1, 1, 1}}, [](NodeRec& n) { n.ints("pads", {1, 1, 1, 1}); });
  CHECK_EQ(cropped[0][0], 10.0f);
}

TEST(conv_transpose_output_padding_group_and_bias) {
  // C=2, group=2, M/group=1: each channel scattered by its own 1x1 weight; output_padding adds a bias-only row/col
  auto out = run_op("ConvTranspose",
                    {{{1, 2, 1, 1}, {2, 3}}, constant({2, 1, 1, 1}, {10, 100}), constant({2}, {1, -1})},
                    {{1, 2, 2, 2}}, [](NodeRec& n) { n.i("group", 2).ints("strides", {2, 2}).ints("output_padding", {1, 1}); });
  CHECK_CLOSE(out[0], (std::vector<float>{21, 1, 1, 1, 299, -1, -1, -1}), 0.0f);
}

TEST(gemm_computes_x_times_w_transposed_plus_bias) {
  auto out = run_op("Gemm", {{{2, 2}, {1, 2, 3, 4}}, constant({3, 2}, {1, 0, 0, 1, 1, 1}), constant({3}, {10, 20, 30})},
                    {{2, 3}});
  CHECK_CLOSE(out[0], (std::vector<float>{11, 22, 33, 13, 24, 37}), 0.0f);
}

TEST(gemm_without_bias_and_with_clip_epilogue) {
  auto out = run_op("Gemm", {{{1, 2}, {1, 2}}, constant({3, 2}, {1, 1, -5, 0, 2, 2})}, {{1, 3}},
                    [](NodeRec& n) { n.s("activation", "clip").floats("activation_params", {0.0f, 4.0f}); });
  CHECK_CLOSE(out[0], (std::vector<float>{3, 0, 4}), 0.0f);
}

TEST(matmul_broadcasts_a_2d_rhs_over_the_batch) {
  auto out = run_op("MatMul", {{{2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0}}, {{3, 1}, {1, 1, 1}}}, {{2, 2, 1}});
  CHECK_CLOSE(out[0], (std::vector<float>{6, 15, 1, 1}), 0.0f);
}

TEST(matmul_broadcasts_batch_dims_of_both_operands) {
  // A [2,1,1,2] x B [3,2,1] -> [2,3,1,1]; A rows (1,1),(1,-1); B columns (1,0),(0,1),(2,2)
  auto out = run_op("MatMul", {{{2, 1, 1, 2}, {1, 1, 1, -1}}, {{3, 2, 1}, {1, 0, 0, 1, 2, 2}}}, {{2, 3, 1, 1}});
  CHECK_CLOSE(out[0], (std::vector<float>{1, 1, 4, 1, -1, 0}), 0.0f);
}

TEST(matmul_rejects_mismatched_inner_dim_and_bad_batch) {
  std::string err = load_error("MatMul", {{{2, 3}, {}}, {{2, 2}, {}}}, {{2, 2}});
  CHECK_MSG(err.find("disagree on K") != std::string::npos, err);
  err = load_error("MatMul", {{{2, 1, 2}, {}}, {{3, 2, 1}, {}}}, {{2, 1, 1}});
  CHECK_MSG(err.find("do not broadcast") != std::string::npos, err);
}

TEST(epilogue_activations_match_their_definitions) {
  // Gemm with identity W (1x1, weight 1) applies only the activation to x
  const std::vector<float> xs = {-3.0f, -0.5f, 0.0f, 0.5f, 3.0f};
  struct Case {
    const char* name;
    std::vector<float> params;
    float (*f)(float);
  };
  const Case cases[] = {
      {"none", {}, [](float x) { return x; }},
      {"relu", {}, [](float x) { return x > 0 ? x : 0.0f; }},
      {"clip", {-1.0f, 1.0f}, [](float x) { return std::fmin(std::fmax(x, -1.0f), 1.0f); }},
      {"leaky_relu", {0.1f}, [](float x) { return x >= 0 ? x : 0.1f * x; }},
      {"sigmoid", {}, [](float x) { return 1.0f / (1.0f + std::exp(-x)); }},
      {"hard_sigmoid", {0.2f, 0.5f}, [](float x) { return std::fmin(std::fmax(0.2f * x + 0.5f, 0.0f), 1.0f); }},
      {"hard_swish", {}, [](float x) { return x * std::fmin(std::fmax(x / 6 + 0.5f, 0.0f), 1.0f); }},
      {"tanh", {}, [](float x) { return std::tanh(x); }},
      {"gelu", {}, [](float x) { return 0.5f * x * (1 + std::erf(x / std::sqrt(2.0f))); }},
      {"gelu_tanh", {},
       [](float x) { return 0.5f * x * (1 + std::tanh(std::sqrt(2.0f / 3.14159265f) * (x + 0.044715f * x * x * x))); }},
      {"silu", {}, [](float x) { return x / (1.0f + std::exp(-x)); }},
  };
  for (const Case& c : cases) {
    auto out = run_op("Gemm", {{{5, 1}, xs}, constant({1, 1}, {1.0f})}, {{5, 1}}, [&](NodeRec& n) {
      n.s("activation", c.name);
      if (!c.params.empty()) n.floats("activation_params", c.params);
    });
    std::vector<float> expected;
    for (float x : xs) expected.push_back(c.f(x));
    CHECK_MSG(out[0].size() == 5, c.name);
    for (size_t i = 0; i < 5; ++i)
      CHECK_MSG(std::fabs(out[0][i] - expected[i]) <= 1e-5f, std::string(c.name) + " at x=" + std::to_string(xs[i]) +
                                                                 ": got " + std::to_string(out[0][i]) +
                                                                 " expected " + std::to_string(expected[i]));
  }
}
