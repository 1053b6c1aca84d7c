// Reference-kernel tests: binary broadcasting ops, unary ops, reductions.
#include <cmath>
#include <limits>

#include "op_runner.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"

using namespace scctest;

TEST(add_broadcasts_a_row_vector_over_rows) {
  auto out = run_op("Add", {{{2, 3}, {1, 2, 3, 4, 5, 6}}, constant({3}, {10, 20, 30})}, {{2, 3}});
  CHECK_CLOSE(out[0], (std::vector<float>{11, 22, 33, 14, 25, 36}), 0.0f);
}

TEST(mul_of_column_and_row_is_an_outer_product) {
  auto out = run_op("Mul", {{{2, 1}, {2, 3}}, {{1, 3}, {1, 10, 100}}}, {{2, 3}});
  CHECK_CLOSE(out[0], (std::vector<float>{2, 20, 200, 3, 30, 300}), 0.0f);
}

TEST(sub_div_pow_keep_operand_order_and_broadcast_on_the_left_operand) {
  auto sub = run_op("Sub", {constant({1}, {10}), {{3}, {1, 2, 3}}}, {{3}});
  CHECK_CLOSE(sub[0], (std::vector<float>{9, 8, 7}), 0.0f);
  auto div = run_op("Div", {{{3}, {1, 2, 4}}, constant({1}, {2})}, {{3}});
  CHECK_CLOSE(div[0], (std::vector<float>{0.5f, 1, 2}), 0.0f);
  auto pw = run_op("Pow", {{{3}, {2, 3, 4}}, constant({3}, {3, 2, 0.5f})}, {{3}});
  CHECK_CLOSE(pw[0], (std::vector<float>{8, 9, 2}), 1e-6f);
}

TEST(max_min_elementwise_with_broadcast_rank_extension) {
  // [2,1,2] vs [2] -> [2,1,2]
  auto mx = run_op("Max", {{{2, 1, 2}, {1, 5, -1, 7}}, constant({2}, {3, 3})}, {{2, 1, 2}});
  CHECK_CLOSE(mx[0], (std::vector<float>{3, 5, 3, 7}), 0.0f);
  auto mn = run_op("Min", {{{2, 1, 2}, {1, 5, -1, 7}}, constant({2}, {3, 3})}, {{2, 1, 2}});
  CHECK_CLOSE(mn[0], (std::vector<float>{1, 3, -1, 3}), 0.0f);
}

TEST(binary_rejects_incompatible_shapes_naming_both) {
  std::string err = load_error("Add", {{{2, 3}, {}}, {{2}, {}}}, {{2, 3}});
  CHECK_MSG(err.find("[2, 3] and [2] do not broadcast") != std::string::npos, err);
}

TEST(unary_ops_match_hand_values) {
  const float ln2 = std::log(2.0f);
  struct Case {
    const char* op;
    std::vector<float> x, y;
  };
  const Case cases[] = {
      {"Relu", {-1, 0, 2}, {0, 0, 2}},
      {"Sigmoid", {0, 100, -100}, {0.5f, 1, 0}},
      {"HardSwish", {-3, 0, 1, 3}, {0, 0, 1.0f * (1.0f / 6 + 0.5f), 3}},
      {"Tanh", {0}, {0}},
      {"Erf", {0, 10}, {0, 1}},
      {"Sqrt", {4, 9}, {2, 3}},
      {"Exp", {0, 1}, {1, std::exp(1.0f)}},
      {"Log", {1, std::exp(2.0f)}, {0, 2}},
      {"Neg", {1, -2}, {-1, 2}},
      {"Abs", {-1.5f, 2}, {1.5f, 2}},
      {"Reciprocal", {4, -0.5f}, {0.25f, -2}},
      {"Softplus", {0, 100, -100}, {ln2, 100, 0}},
  };
  for (const Case& c : cases) {
    auto out = run_op(c.op, {{{int64_t(c.x.size())}, c.x}}, {{int64_t(c.x.size())}});
    for (size_t i = 0; i < c.x.size(); ++i)
      CHECK_MSG(std::fabs(out[0][i] - c.y[i]) <= 1e-6f * (1 + std::fabs(c.y[i])),
                std::string(c.op) + "(" + std::to_string(c.x[i]) + ") = " + std::to_string(out[0][i]));
  }
}

TEST(parameterised_unary_ops_use_their_attributes_and_defaults) {
  auto clip = run_op("Clip", {{{4}, {-5, -1, 1, 5}}}, {{4}}, [](NodeRec& n) { n.f("min", -2).f("max", 2); });
  CHECK_CLOSE(clip[0], (std::vector<float>{-2, -1, 1, 2}), 0.0f);
  const float inf = std::numeric_limits<float>::infinity(), fmax = std::numeric_limits<float>::max();
  auto clip_open = run_op("Clip", {{{3}, {-1e30f, 1e30f, inf}}}, {{3}}, [](NodeRec& n) { n.f("min", 0); });
  CHECK_CLOSE(clip_open[0], (std::vector<float>{0, 1e30f, fmax}), 0.0f);
  auto crossed = run_op("Clip", {{{3}, {-1, 0, 1}}}, {{3}}, [](NodeRec& n) { n.f("min", 0.6f).f("max", -0.6f); });
  CHECK_CLOSE(crossed[0], (std::vector<float>{-0.6f, -0.6f, -0.6f}), 0.0f);
  auto leaky = run_op("LeakyRelu", {{{2}, {-10, 10}}}, {{2}}, [](NodeRec& n) { n.f("alpha", 0.2f); });
  CHECK_CLOSE(leaky[0], (std::vector<float>{-2, 10}), 1e-7f);
  auto leaky_default = run_op("LeakyRelu", {{{1}, {-10}}}, {{1}});
  CHECK_CLOSE(leaky_default[0], (std::vector<float>{-0.1f}), 1e-6f);
  auto hs = run_op("HardSigmoid", {{{3}, {-10, 0, 10}}}, {{3}}, [](NodeRec& n) { n.f("alpha", 0.25f).f("beta", 0.5f); });
  CHECK_CLOSE(hs[0], (std::vector<float>{0, 0.5f, 1}), 0.0f);
  auto elu = run_op("Elu", {{{2}, {-100, 2}}}, {{2}}, [](NodeRec& n) { n.f("alpha", 2); });
  CHECK_CLOSE(elu[0], (std::vector<float>{-2, 2}), 1e-6f);
  auto gelu = run_op("Gelu", {{{3}, {-10, 0, 10}}}, {{3}});
  CHECK_CLOSE(gelu[0], (std::vector<float>{0, 0, 10}), 1e-6f);
  auto gelu_t = run_op("Gelu", {{{1}, {1}}}, {{1}}, [](NodeRec& n) { n.s("approximate", "tanh"); });
  CHECK_CLOSE(gelu_t[0], (std::vector<float>{0.5f * (1 + std::tanh(std::sqrt(2 / 3.14159265f) * 1.044715f))}), 1e-6f);
  std::string err = load_error("Gelu", {{{1}, {1}}}, {{1}}, [](NodeRec& n) { n.s("approximate", "fast"); });
  CHECK_MSG(err.find("approximate") != std::string::npos, err);
}

TEST(reduce_sum_mean_max_over_axes_with_keepdims) {
  const std::vector<float> x = {0, 1, 2, 3, 4, 5};  // [2, 3]
  auto sum1 = run_op("ReduceSum", {{{2, 3}, x}}, {{2}}, [](NodeRec& n) { n.ints("axes", {1}).i("keepdims", 0); });
  CHECK_CLOSE(sum1[0], (std::vector<float>{3, 12}), 0.0f);
  auto mean0 = run_op("ReduceMean", {{{2, 3}, x}}, {{1, 3}}, [](NodeRec& n) { n.ints("axes", {0}); });
  CHECK_CLOSE(mean0[0], (std::vector<float>{1.5f, 2.5f, 3.5f}), 0.0f);
  auto max_all = run_op("ReduceMax", {{{2, 3}, x}}, {{}}, [](NodeRec& n) { n.i("keepdims", 0); });
  CHECK_CLOSE(max_all[0], (std::vector<float>{5}), 0.0f);
  auto max_all_keep = run_op("ReduceMax", {{{2, 3}, {-1, -9, -3, -4, -2, -8}}}, {{1, 1}});
  CHECK_CLOSE(max_all_keep[0], (std::vector<float>{-1}), 0.0f);
}

TEST(reduce_middle_axis_of_rank_3) {
  // x[2,3,2] = ramp; sum over axis 1 -> [2,2]
  auto out = run_op("ReduceSum", {{{2, 3, 2}, ramp(12)}}, {{2, 1, 2}}, [](NodeRec& n) { n.ints("axes", {1}); });
  CHECK_CLOSE(out[0], (std::vector<float>{0 + 2 + 4, 1 + 3 + 5, 6 + 8 + 10, 7 + 9 + 11}), 0.0f);
}

TEST(reduce_rejects_unsorted_or_out_of_range_axes) {
  std::string err = load_error("ReduceSum", {{{2, 3}, {}}}, {{1, 1}}, [](NodeRec& n) { n.ints("axes", {1, 0}); });
  CHECK_MSG(err.find("sorted") != std::string::npos, err);
  err = load_error("ReduceSum", {{{2, 3}, {}}}, {{2, 1}}, [](NodeRec& n) { n.ints("axes", {2}); });
  CHECK_MSG(err.find("out of range") != std::string::npos, err);
}
