// Reference-kernel tests: pooling, normalisation, softmax, resize, pad.
#include <cmath>
#include <numeric>

#include "op_runner.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"

using namespace scctest;

TEST(maxpool_2x2_stride_2_picks_block_maxima) {
  auto out = run_op("MaxPool", {{{1, 1, 4, 4}, ramp(16)}}, {{1, 1, 2, 2}},
                    [](NodeRec& n) { n.ints("kernel_shape", {2, 2}).ints("strides", {2, 2}); });
  CHECK_CLOSE(out[0], (std::vector<float>{5, 7, 13, 15}), 0.0f);
}

TEST(maxpool_padding_never_wins_over_negative_values) {
  auto out = run_op("MaxPool", {{{1, 1, 2, 2}, {-4, -3, -2, -1}}}, {{1, 1, 2, 2}},
                    [](NodeRec& n) { n.ints("kernel_shape", {2, 2}).ints("pads", {1, 1, 0, 0}); });
  CHECK_CLOSE(out[0], (std::vector<float>{-4, -3, -2, -1}), 0.0f);
}

TEST(maxpool_dilation_and_ceil_mode_output_size) {
  // H=W=5, k=2, s=2: floor -> 2, ceil -> 3 (last window starts at 4 < H)
  auto out = run_op("MaxPool", {{{1, 1, 5, 5}, ramp(25)}}, {{1, 1, 3, 3}},
                    [](NodeRec& n) { n.ints("kernel_shape", {2, 2}).ints("strides", {2, 2}).i("ceil_mode", 1); });
  CHECK_CLOSE(out[0], (std::vector<float>{6, 8, 9, 16, 18, 19, 21, 23, 24}), 0.0f);
  auto dil = run_op("MaxPool", {{{1, 1, 3, 3}, {9, 1, 2, 3, 4, 5, 6, 7, 0}}}, {{1, 1, 1, 1}},
                    [](NodeRec& n) { n.ints("kernel_shape", {2, 2}).ints("dilations", {2, 2}); });
  CHECK_EQ(dil[0][0], 9.0f);
  std::string err = load_error("MaxPool", {{{1, 1, 5, 5}, {}}}, {{1, 1, 2, 2}},
                               [](NodeRec& n) { n.ints("kernel_shape", {2, 2}).ints("strides", {2, 2}).i("ceil_mode", 1); });
  CHECK_MSG(err.find("[1, 1, 3, 3]") != std::string::npos, err);
}

TEST(ceil_mode_drops_a_window_starting_in_the_end_padding) {
  // H=4, pads (0,1), k=2, s=2: ceil((4+1-2)/2)+1 = 3, but window 2 starts at 4 >= H+pt=4 -> 2
  auto out = run_op("AveragePool", {{{1, 1, 1, 4}, {1, 2, 3, 4}}}, {{1, 1, 1, 2}},
                    [](NodeRec& n) { n.ints("kernel_shape", {1, 2}).ints("strides", {1, 2}).ints("pads", {0, 0, 0, 1}).i("ceil_mode", 1); });
  CHECK_CLOSE(out[0], (std::vector<float>{1.5f, 3.5f}), 0.0f);
}

TEST(average_pool_count_include_pad_changes_the_divisor) {
  const std::vector<float> ones(9, 1.0f);
  auto excl = run_op("AveragePool", {{{1, 1, 3, 3}, ones}}, {{1, 1, 3, 3}},
                     [](NodeRec& n) { n.ints("kernel_shape", {3, 3}).ints("pads", {1, 1, 1, 1}); });
  CHECK_CLOSE(excl[0], ones, 1e-7f);
  auto incl = run_op("AveragePool", {{{1, 1, 3, 3}, ones}}, {{1, 1, 3, 3}}, [](NodeRec& n) {
    n.ints("kernel_shape", {3, 3}).ints("pads", {1, 1, 1, 1}).i("count_include_pad", 1);
  });
  const float c = 4.0f / 9, e = 6.0f / 9;
  CHECK_CLOSE(incl[0], (std::vector<float>{c, e, c, e, 1, e, c, e, c}), 1e-6f);
}

TEST(pool_rejects_pads_not_smaller_than_kernel) {
  std::string err = load_error("AveragePool", {{{1, 1, 3, 3}, {}}}, {{1, 1, 5, 5}},
                               [](NodeRec& n) { n.ints("kernel_shape", {2, 2}).ints("pads", {2, 2, 2, 2}); });
  CHECK_MSG(err.find("smaller than the kernel") != std::string::npos, err);
}

TEST(global_pools_reduce_all_spatial_dims) {
  auto avg = run_op("GlobalAveragePool", {{{1, 2, 2, 2}, ramp(8)}}, {{1, 2, 1, 1}});
  CHECK_CLOSE(avg[0], (std::vector<float>{1.5f, 5.5f}), 0.0f);
  auto mx = run_op("GlobalMaxPool", {{{2, 1, 3}, {1, 9, 2, -5, -1, -7}}}, {{2, 1, 1}});
  CHECK_CLOSE(mx[0], (std::vector<float>{9, -1}), 0.0f);
}

TEST(batchnorm_normalises_per_channel) {
  // channel 0: scale 2, B 1, mean 3, var 4, eps 0 -> y = x - 2 ; channel 1: identity
  auto out = run_op("BatchNormalization",
                    {{{1, 2, 1, 2}, {3, 5, 7, 9}}, constant({2}, {2, 1}), constant({2}, {1, 0}),
                     constant({2}, {3, 0}), constant({2}, {4, 1})},
                    {{1, 2, 1, 2}}, [](NodeRec& n) { n.f("epsilon", 0.0f); });
  CHECK_CLOSE(out[0], (std::vector<float>{1, 3, 7, 9}), 1e-6f);
}

TEST(layernorm_standardises_the_last_axis_then_scales) {
  const float s = std::sqrt(1.5f);  // 1,2,3 -> mean 2, var 2/3 -> (x-2)/sqrt(2/3)
  auto out = run_op("LayerNormalization", {{{2, 3}, {1, 2, 3, 10, 10, 10}}, constant({3}, {1, 1, 2}), constant({3}, {0, 5, 0})},
                    {{2, 3}}, [](NodeRec& n) { n.i("axis", 1).f("epsilon", 0.0f); });
  // second row is constant: var 0, eps 0 -> 0/0; use the first row only with eps 0
  CHECK_CLOSE(std::vector<float>(out[0].begin(), out[0].begin() + 3), (std::vector<float>{-s, 5, 2 * s}), 1e-5f);
  auto with_eps = run_op("LayerNormalization", {{{1, 2}, {4, 4}}, constant({2}, {1, 1})}, {{1, 2}},
                         [](NodeRec& n) { n.f("epsilon", 1e-5f); });
  CHECK_CLOSE(with_eps[0], (std::vector<float>{0, 0}), 0.0f);
}

TEST(layernorm_over_two_axes) {
  auto out = run_op("LayerNormalization", {{{1, 2, 2}, {0, 2, 4, 6}}, constant({2, 2}, {1, 1, 1, 1})}, {{1, 2, 2}},
                    [](NodeRec& n) { n.i("axis", 1).f("epsilon", 0.0f); });
  const float sd = std::sqrt(5.0f);  // mean 3, var (9+1+1+9)/4 = 5
  CHECK_CLOSE(out[0], (std::vector<float>{-3 / sd, -1 / sd, 1 / sd, 3 / sd}), 1e-6f);
}

TEST(softmax_rows_sum_to_one_and_match_hand_values) {
  const float ln2 = std::log(2.0f);
  auto out = run_op("Softmax", {{{2, 2}, {0, ln2, 1000, 1000}}}, {{2, 2}}, [](NodeRec& n) { n.i("axis", 1); });
  CHECK_CLOSE(out[0], (std::vector<float>{1.0f / 3, 2.0f / 3, 0.5f, 0.5f}), 1e-6f);
  auto mid = run_op("Softmax", {{{2, 3, 2}, ramp(12, -3.0f, 0.7f)}}, {{2, 3, 2}}, [](NodeRec& n) { n.i("axis", 1); });
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) {
      float s = 0;
      for (int i = 0; i < 3; ++i) s += mid[0][size_t(a * 6 + i * 2 + b)];
      CHECK_MSG(std::fabs(s - 1.0f) < 1e-6f, "softmax over axis 1 of [2,3,2] at (" + std::to_string(a) + ", :, " +
                                                 std::to_string(b) + ") sums to " + std::to_string(s));
    }
}

TEST(resize_nearest_asymmetric_doubles_each_pixel) {
  auto out = run_op("Resize", {{{1, 1, 2, 2}, {1, 2, 3, 4}}}, {{1, 1, 4, 4}}, [](NodeRec& n) {
    n.s("mode", "nearest").s("coordinate_transformation_mode", "asymmetric").s("nearest_mode", "floor");
    n.floats("scales", {1, 1, 2, 2}).ints("sizes", {1, 1, 4, 4});
  });
  CHECK_CLOSE(out[0], (std::vector<float>{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}), 0.0f);
}

TEST(resize_linear_align_corners_interpolates_the_midpoints) {
  auto out = run_op("Resize", {{{1, 1, 2, 2}, {0, 2, 4, 6}}}, {{1, 1, 3, 3}}, [](NodeRec& n) {
    n.s("mode", "linear").s("coordinate_transformation_mode", "align_corners");
    n.floats("scales", {1, 1, 1.5f, 1.5f}).ints("sizes", {1, 1, 3, 3});
  });
  CHECK_CLOSE(out[0], (std::vector<float>{0, 1, 2, 2, 3, 4, 4, 5, 6}), 1e-6f);
}

TEST(resize_linear_half_pixel_clamps_at_the_edges) {
  // 1x2 -> 1x4, scale 2: x_in = (x+0.5)/2-0.5 = -0.25, 0.25, 0.75, 1.25 -> clamp to [0, 1]
  auto out = run_op("Resize", {{{1, 1, 1, 2}, {0, 4}}}, {{1, 1, 1, 4}}, [](NodeRec& n) {
    n.s("mode", "linear").floats("scales", {1, 1, 1, 2}).ints("sizes", {1, 1, 1, 4});
  });
  CHECK_CLOSE(out[0], (std::vector<float>{0, 1, 3, 4}), 1e-6f);
}

TEST(resize_without_scales_derives_them_from_sizes) {
  // 1x2 -> 1x4 half_pixel: identical to giving scales (1, 1, 1, 2)
  auto out = run_op("Resize", {{{1, 1, 1, 2}, {0, 4}}}, {{1, 1, 1, 4}},
                    [](NodeRec& n) { n.s("mode", "linear").ints("sizes", {1, 1, 1, 4}); });
  CHECK_CLOSE(out[0], (std::vector<float>{0, 1, 3, 4}), 1e-6f);
}

TEST(resize_copies_an_axis_whose_size_does_not_change_whatever_the_scale) {
  // as onnxruntime: H stays 2 although scales[2] = 1.1, W is resized 2 -> 4 (asymmetric, floor)
  auto out = run_op("Resize", {{{1, 1, 2, 2}, {1, 2, 3, 4}}}, {{1, 1, 2, 4}}, [](NodeRec& n) {
    n.s("coordinate_transformation_mode", "asymmetric").s("nearest_mode", "floor");
    n.floats("scales", {1, 1, 1.1f, 2}).ints("sizes", {1, 1, 2, 4});
  });
  CHECK_CLOSE(out[0], (std::vector<float>{1, 1, 2, 2, 3, 3, 4, 4}), 0.0f);
}

TEST(resize_rejects_changing_batch_or_channels) {
  std::string err = load_error("Resize", {{{1, 2, 2, 2}, {}}}, {{1, 1, 4, 4}}, [](NodeRec& n) {
    n.floats("scales", {1, 1, 2, 2}).ints("sizes", {1, 1, 4, 4});
  });
  CHECK_MSG(err.find("only resize H and W") != std::string::npos, err);
}

TEST(pad_constant_reflect_edge_on_a_vector) {
  const std::vector<float> x = {1, 2, 3};
  auto c = run_op("Pad", {{{3}, x}}, {{6}}, [](NodeRec& n) { n.ints("pads", {2, 1}).f("value", 9); });
  CHECK_CLOSE(c[0], (std::vector<float>{9, 9, 1, 2, 3, 9}), 0.0f);
  auto r = run_op("Pad", {{{3}, x}}, {{7}}, [](NodeRec& n) { n.s("mode", "reflect").ints("pads", {2, 2}); });
  CHECK_CLOSE(r[0], (std::vector<float>{3, 2, 1, 2, 3, 2, 1}), 0.0f);
  auto e = run_op("Pad", {{{3}, x}}, {{7}}, [](NodeRec& n) { n.s("mode", "edge").ints("pads", {2, 2}); });
  CHECK_CLOSE(e[0], (std::vector<float>{1, 1, 1, 2, 3, 3, 3}), 0.0f);
}

TEST(pad_2d_pads_each_axis_independently) {
  auto out = run_op("Pad", {{{2, 2}, {1, 2, 3, 4}}}, {{3, 3}}, [](NodeRec& n) { n.ints("pads", {1, 0, 0, 1}); });
  CHECK_CLOSE(out[0], (std::vector<float>{0, 0, 0, 1, 2, 0, 3, 4, 0}), 0.0f);
}

TEST(pad_reflect_rejects_pad_not_smaller_than_dim) {
  std::string err = load_error("Pad", {{{3}, {}}}, {{9}}, [](NodeRec& n) { n.s("mode", "reflect").ints("pads", {3, 3}); });
  CHECK_MSG(err.find("smaller than the dim") != std::string::npos, err);
}
