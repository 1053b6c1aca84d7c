// Reference-kernel tests: Reshape, Identity, Transpose, Concat, Split, Slice, Gather.
#include "op_runner.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"

using namespace scctest;

TEST(reshape_and_identity_copy_values_unchanged) {
  auto r = run_op("Reshape", {{{2, 3}, ramp(6)}}, {{3, 1, 2}}, [](NodeRec& n) { n.ints("shape", {3, 1, 2}); });
  CHECK_CLOSE(r[0], ramp(6), 0.0f);
  auto id = run_op("Identity", {constant({2}, {7, 8})}, {{2}});
  CHECK_CLOSE(id[0], (std::vector<float>{7, 8}), 0.0f);
  std::string err = load_error("Reshape", {{{2, 3}, {}}}, {{4}}, [](NodeRec& n) { n.ints("shape", {4}); });
  CHECK_MSG(err.find("has 4 elements but the input [2, 3] has 6") != std::string::npos, err);
}

TEST(transpose_2d_and_3d_permutations) {
  auto t = run_op("Transpose", {{{2, 3}, ramp(6)}}, {{3, 2}});  // default perm reverses
  CHECK_CLOSE(t[0], (std::vector<float>{0, 3, 1, 4, 2, 5}), 0.0f);
  // x[2,2,2] = ramp, perm (1,2,0): y[j,k,i] = x[i,j,k] = 4i + 2j + k
  auto p = run_op("Transpose", {{{2, 2, 2}, ramp(8)}}, {{2, 2, 2}}, [](NodeRec& n) { n.ints("perm", {1, 2, 0}); });
  CHECK_CLOSE(p[0], (std::vector<float>{0, 4, 1, 5, 2, 6, 3, 7}), 0.0f);
  std::string err = load_error("Transpose", {{{2, 3}, {}}}, {{3, 2}}, [](NodeRec& n) { n.ints("perm", {0, 0}); });
  CHECK_MSG(err.find("not a permutation") != std::string::npos, err);
}

TEST(concat_along_inner_axis_interleaves_rows) {
  auto out = run_op("Concat", {{{2, 1}, {1, 2}}, constant({2, 2}, {3, 4, 5, 6})}, {{2, 3}}, [](NodeRec& n) { n.i("axis", 1); });
  CHECK_CLOSE(out[0], (std::vector<float>{1, 3, 4, 2, 5, 6}), 0.0f);
  std::string err = load_error("Concat", {{{2, 1}, {}}, {{3, 1}, {}}}, {{5, 1}}, [](NodeRec& n) { n.i("axis", 1); });
  CHECK_MSG(err.find("outside axis 1") != std::string::npos, err);
}

TEST(split_into_unequal_parts) {
  auto out = run_op("Split", {{{2, 3}, ramp(6)}}, {{2, 1}, {2, 2}}, [](NodeRec& n) { n.i("axis", 1).ints("split", {1, 2}); });
  CHECK_CLOSE(out[0], (std::vector<float>{0, 3}), 0.0f);
  CHECK_CLOSE(out[1], (std::vector<float>{1, 2, 4, 5}), 0.0f);
  std::string err = load_error("Split", {{{2, 3}, {}}}, {{2, 1}, {2, 1}}, [](NodeRec& n) { n.i("axis", 1).ints("split", {1, 1}); });
  CHECK_MSG(err.find("sum to 2") != std::string::npos, err);
}

TEST(slice_with_steps_including_negative) {
  // x[2,5] = ramp; rows 1..1, cols 4,2,0
  auto out = run_op("Slice", {{{2, 5}, ramp(10)}}, {{1, 3}},
                    [](NodeRec& n) { n.ints("starts", {1, 4}).ints("steps", {1, -2}).ints("sizes", {1, 3}); });
  CHECK_CLOSE(out[0], (std::vector<float>{9, 7, 5}), 0.0f);
}

TEST(slice_rejects_reads_outside_the_input) {
  std::string err = load_error("Slice", {{{5}, {}}}, {{3}}, [](NodeRec& n) { n.ints("starts", {2}).ints("steps", {2}).ints("sizes", {3}); });
  CHECK_MSG(err.find("reads outside") != std::string::npos, err);
  err = load_error("Slice", {{{5}, {}}}, {{3}}, [](NodeRec& n) { n.ints("starts", {1}).ints("steps", {-1}).ints("sizes", {3}); });
  CHECK_MSG(err.find("reads outside") != std::string::npos, err);
  err = load_error("Slice", {{{5}, {}}}, {{1}}, [](NodeRec& n) { n.ints("starts", {0}).ints("steps", {0}).ints("sizes", {1}); });
  CHECK_MSG(err.find("steps[0] is 0") != std::string::npos, err);
}

TEST(gather_with_matrix_indices_on_middle_axis) {
  // x[2,3] ramp, axis 1, indices [[2,0],[1,1]] -> out [2,2,2]
  auto out = run_op("Gather", {{{2, 3}, ramp(6)}}, {{2, 2, 2}},
                    [](NodeRec& n) { n.i("axis", 1).ints("indices", {2, 0, 1, 1}).ints("indices_shape", {2, 2}); });
  CHECK_CLOSE(out[0], (std::vector<float>{2, 0, 1, 1, 5, 3, 4, 4}), 0.0f);
  auto scalar = run_op("Gather", {{{3, 2}, ramp(6)}}, {{2}},
                       [](NodeRec& n) { n.i("axis", 0).ints("indices", {2}).ints("indices_shape", {}); });
  CHECK_CLOSE(scalar[0], (std::vector<float>{4, 5}), 0.0f);
}

TEST(gather_rejects_out_of_range_index) {
  std::string err = load_error("Gather", {{{2, 3}, {}}}, {{2, 1}},
                               [](NodeRec& n) { n.i("axis", 1).ints("indices", {3}).ints("indices_shape", {1}); });
  CHECK_MSG(err.find("index 3 out of range") != std::string::npos, err);
}
