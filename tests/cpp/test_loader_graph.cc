// Model loader tests, semantic level (CRCs recomputed by the builder, so the
// semantic check is what fires): tensor regions, ids, graph order, ops,
// attributes, output shapes, arena liveness.
#include <cmath>

#include "loader_fixture.h"
#include "test_harness.h"

using namespace scctest;

TEST(loader_rejects_out_of_range_tensor_regions) {
  {
    ModelBuilder b = valid_builder();
    b.tensors[4].offset = 1 << 20;  // activation y beyond the arena
    CHECK_THROWS(load(b.build()), "outside the arena");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[1].offset = 1 << 20;  // constant w beyond the blob
    CHECK_THROWS(load(b.build()), "outside the blob");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[4].offset = 32;
    CHECK_THROWS(load(b.build()), "aligned");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[4].nbytes = 4;
    CHECK_THROWS(load(b.build()), "nbytes");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[4].offset = 0xFFFFFFFFFFFFFFC0ull;  // offset + nbytes overflows
    CHECK_THROWS(load(b.build()), "outside the arena");
  }
}

TEST(loader_rejects_bad_tensor_records) {
  {
    ModelBuilder b = valid_builder();
    b.tensors[0].dtype = 2;
    CHECK_THROWS(load(b.build()), "dtype");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[0].kind = 7;
    CHECK_THROWS(load(b.build()), "kind");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[0].dims = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    CHECK_THROWS(load(b.build()), "rank");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[0].dims = {1, 0, 5, 5};
    CHECK_THROWS(load(b.build()), "dim");
  }
  {
    ModelBuilder b = valid_builder();
    b.tensors[0].dims = {1 << 20, 1 << 20};
    CHECK_THROWS(load(b.build()), "2^31");
  }
}

TEST(loader_rejects_arena_size_larger_than_all_activations_side_by_side) {
  ModelBuilder b = valid_builder();
  b.arena_size = 1 << 30;  // a 1 GiB arena for three small activations
  CHECK_THROWS(load(b.build()), "arena_size");
  b.arena_size = 100;
  CHECK_THROWS(load(b.build()), "multiple of 64");
}

TEST(loader_rejects_out_of_range_ids) {
  {
    ModelBuilder b = valid_builder();
    b.nodes[1].inputs[1] = 99;
    CHECK_THROWS(load(b.build()), "out of range");
  }
  {
    ModelBuilder b = valid_builder();
    b.inputs[0] = 1000;
    CHECK_THROWS(load(b.build()), "out of range");
  }
  {
    ModelBuilder b = valid_builder();
    b.outputs[0] = 6;
    CHECK_THROWS(load(b.build()), "out of range");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].outputs[0] = kAbsentId;  // absent is only allowed for inputs
    CHECK_THROWS(load(b.build()), "out of range");
  }
}

TEST(loader_rejects_graph_errors) {
  {
    ModelBuilder b = valid_builder();
    std::swap(b.nodes[0], b.nodes[1]);  // Add uses y before Conv defines it
    CHECK_THROWS(load(b.build()), "used before it is defined");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[1].outputs[0] = 4;  // y defined twice
    CHECK_THROWS(load(b.build()), "already defined");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[1].outputs[0] = 3;  // writing a constant
    CHECK_THROWS(load(b.build()), "must be an activation");
  }
  {
    ModelBuilder b = valid_builder();
    b.inputs.push_back(1);  // constant as graph input
    CHECK_THROWS(load(b.build()), "graph input");
  }
  {
    ModelBuilder b = valid_builder();
    b.inputs.push_back(0);
    CHECK_THROWS(load(b.build()), "listed twice");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes.pop_back();  // z is a graph output nobody produces
    CHECK_THROWS(load(b.build()), "never defined");
  }
}

TEST(loader_rejects_unknown_op_and_unknown_kernel) {
  {
    ModelBuilder b = valid_builder();
    b.nodes[1].op = "FancyAdd";
    CHECK_THROWS(load(b.build()), "unknown op 'FancyAdd'");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[1].kernel = "f32-add-neon";
    CHECK_THROWS(load(b.build()), "no kernel 'f32-add-neon'");
  }
}

TEST(loader_rejects_unsupported_target) {
  ModelBuilder b = valid_builder();
  b.target = "riscv-nonexistent";
  CHECK_THROWS(load(b.build()), "target");
}

TEST(loader_rejects_attributes_of_wrong_type_count_or_name) {
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].floats("group", {1.0f});
    CHECK_THROWS(load(b.build()), "node 'conv' (Conv): attribute 'group' must be of type ints");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].ints("strides", {1, 1, 1});
    CHECK_THROWS(load(b.build()), "'strides' must have 2 values");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].i("bogus", 3);
    CHECK_THROWS(load(b.build()), "unknown attribute 'bogus'");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].s("activation", "swishy");
    CHECK_THROWS(load(b.build()), "given twice");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].attrs.clear();
    b.nodes[0].ints("pads", {1, 1, 1, 1}).s("activation", "clip");  // clip needs 2 params
    CHECK_THROWS(load(b.build()), "activation_params");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].attrs.push_back({"x", 9, {}, {}, {}});  // unknown attribute type code
    CHECK_THROWS(load(b.build()), "attr.type");
  }
}

TEST(loader_rejects_output_shape_mismatch) {
  ModelBuilder b = valid_builder();
  b.nodes[0].attrs[0].ints = {0, 0, 0, 0};  // Conv would now produce [1,3,3,3], file says [1,3,5,5]
  CHECK_THROWS(load(b.build()), "has shape [1, 3, 5, 5] but the op computes [1, 3, 3, 3]");
}

TEST(loader_rejects_overlapping_live_tensors) {
  ModelBuilder b;
  uint32_t x = b.activation("x", {16});
  uint32_t y = b.activation("y", {16});
  uint32_t z = b.activation("z", {16}, 0);  // reuses x's slot while x is still needed by node 'add'
  b.node("relu", "Relu", {x}, {y});
  b.node("add", "Add", {x, y}, {z});
  b.input(x);
  b.output(z);
  CHECK_THROWS(load(b.build()), "overlaps");
}

TEST(loader_rejects_node_output_sharing_arena_with_its_own_input) {
  ModelBuilder b;
  uint32_t x = b.activation("x", {16});
  uint32_t y = b.activation("y", {16}, 0);  // in place: not allowed in format 1.0
  b.node("relu", "Relu", {x}, {y});
  b.input(x);
  b.output(y);
  CHECK_THROWS(load(b.build()), "overlaps");
}

TEST(loader_accepts_arena_reuse_of_dead_tensors_and_runs_correctly) {
  ModelBuilder b;
  uint32_t x = b.activation("x", {16});          // slot A, dead after node 'neg'
  uint32_t y = b.activation("y", {16});          // slot B
  uint32_t z = b.activation("z", {16}, 0);       // slot A again: x is dead by then
  b.node("neg", "Neg", {x}, {y});
  b.node("abs", "Abs", {y}, {z});
  b.input(x);
  b.output(z);
  auto m = load(b.build());
  sparsecc::Session s(m);
  std::vector<float> in(16), out(16);
  for (int i = 0; i < 16; ++i) in[size_t(i)] = float(i) - 8.0f;
  s.run({in.data()}, {out.data()});
  for (int i = 0; i < 16; ++i) CHECK_EQ(out[size_t(i)], std::fabs(float(i) - 8.0f));
}

TEST(loader_rejects_huge_attribute_values_without_overflow) {
  // attribute values near INT64_MAX must be rejected by range checks, never overflow a size formula
  const int64_t big = int64_t(0x7FFFFFFFFFFFFFF0);
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].ints("dilations", {big, big});
    CHECK_THROWS(load(b.build()), "dilations");
  }
  {
    ModelBuilder b = valid_builder();
    b.nodes[0].ints("strides", {big, 1});
    CHECK_THROWS(load(b.build()), "strides");
  }
  {
    ModelBuilder b;
    uint32_t x = b.activation("x", {4});
    uint32_t y = b.activation("y", {2});
    b.node("slice", "Slice", {x}, {y}).ints("starts", {big}).ints("steps", {big}).ints("sizes", {2});
    b.input(x);
    b.output(y);
    CHECK_THROWS(load(b.build()), "node 'slice' (Slice)");
  }
  {
    ModelBuilder b;
    uint32_t x = b.activation("x", {4});
    uint32_t y = b.activation("y", {4});
    b.node("pad", "Pad", {x}, {y}).ints("pads", {big, big});
    b.input(x);
    b.output(y);
    CHECK_THROWS(load(b.build()), "pads");
  }
}
