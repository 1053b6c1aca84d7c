// Executor and C API tests: multi-node graphs, outputs that are constants or
// inputs, wrong argument counts, profiling, and C API error reporting.
#include <cstring>
#include <thread>

#include "model_builder.h"
#include "sparsecc/c_api.h"
#include "sparsecc/runtime.h"
#include "test_harness.h"

using namespace scctest;

namespace {

// y = relu(x * w) + x (two graph inputs used twice), outputs y, the constant w and the input x
std::vector<uint8_t> small_model() {
  ModelBuilder b;
  uint32_t x = b.activation("x", {2, 2});
  uint32_t w = b.constant("w", {2, 2}, {1, -1, 2, -2});
  uint32_t t = b.activation("t", {2, 2});
  uint32_t r = b.activation("r", {2, 2});
  uint32_t y = b.activation("y", {2, 2});
  b.node("mul", "Mul", {x, w}, {t});
  b.node("relu", "Relu", {t}, {r});
  b.node("add", "Add", {r, x}, {y});
  b.input(x);
  b.output(y);
  b.output(w);
  b.output(x);
  return b.build();
}

}  // namespace

TEST(session_runs_a_graph_and_copies_constant_and_input_outputs) {
  auto bytes = small_model();
  auto m = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  sparsecc::Session s(m);
  std::vector<float> x = {1, 2, 3, 4}, y(4), w(4), xo(4);
  s.run({x.data()}, {y.data(), w.data(), xo.data()});
  CHECK_CLOSE(y, (std::vector<float>{2, 2, 9, 4}), 0.0f);
  CHECK_CLOSE(w, (std::vector<float>{1, -1, 2, -2}), 0.0f);
  CHECK_CLOSE(xo, x, 0.0f);
}

TEST(session_rejects_wrong_argument_counts_and_null_buffers) {
  auto bytes = small_model();
  auto m = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  sparsecc::Session s(m);
  std::vector<float> x(4), y(4), w(4), xo(4);
  CHECK_THROWS(s.run({}, {y.data(), w.data(), xo.data()}), "model has 1 inputs, got 0");
  CHECK_THROWS(s.run({x.data()}, {y.data()}), "model has 3 outputs, got 1");
  CHECK_THROWS(s.run({nullptr}, {y.data(), w.data(), xo.data()}), "is null");
}

TEST(sessions_sharing_a_model_run_concurrently_with_identical_results) {
  auto bytes = small_model();
  auto m = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  std::vector<float> results[2];
  std::thread threads[2];
  for (int t = 0; t < 2; ++t)
    threads[t] = std::thread([&, t] {
      sparsecc::Session s(m);
      std::vector<float> x = {1, 2, 3, 4}, y(4), w(4), xo(4);
      for (int i = 0; i < 200; ++i) s.run({x.data()}, {y.data(), w.data(), xo.data()});
      results[t] = y;
    });
  for (auto& th : threads) th.join();
  CHECK_CLOSE(results[0], (std::vector<float>{2, 2, 9, 4}), 0.0f);
  CHECK_CLOSE(results[1], results[0], 0.0f);
}

TEST(profiling_records_one_timing_per_node) {
  auto bytes = small_model();
  auto m = sparsecc::Model::load_bytes(bytes.data(), bytes.size());
  sparsecc::Session s(m);
  std::vector<float> x(4, 1.0f), y(4), w(4), xo(4);
  s.run({x.data()}, {y.data(), w.data(), xo.data()});
  CHECK(s.last_profile().empty());
  s.set_profiling(true);
  s.run({x.data()}, {y.data(), w.data(), xo.data()});
  CHECK_EQ(s.last_profile().size(), size_t(3));
  CHECK_EQ(s.last_profile()[1].name, std::string("relu"));
  CHECK_EQ(s.last_profile()[1].op, std::string("Relu"));
  CHECK(s.last_profile()[2].seconds >= 0.0);
}

TEST(c_api_loads_runs_and_reports_names_and_shapes) {
  auto bytes = small_model();
  scc_model* model = nullptr;
  CHECK_EQ(scc_model_load_bytes(bytes.data(), bytes.size(), &model), SCC_OK);
  scc_session* sess = nullptr;
  CHECK_EQ(scc_session_create(model, 1, &sess), SCC_OK);
  scc_model_free(model);  // the session keeps the model alive
  size_t n_in = 0, n_out = 0;
  CHECK_EQ(scc_session_num_inputs(sess, &n_in), SCC_OK);
  CHECK_EQ(scc_session_num_outputs(sess, &n_out), SCC_OK);
  CHECK_EQ(n_in, size_t(1));
  CHECK_EQ(n_out, size_t(3));
  const char* name = nullptr;
  CHECK_EQ(scc_session_output_name(sess, 1, &name), SCC_OK);
  CHECK_EQ(std::string(name), std::string("w"));
  const int64_t* dims = nullptr;
  size_t rank = 0;
  CHECK_EQ(scc_session_input_shape(sess, 0, &dims, &rank), SCC_OK);
  CHECK_EQ(rank, size_t(2));
  CHECK_EQ(dims[0] * dims[1], int64_t(4));
  std::vector<float> x = {1, 2, 3, 4}, y(4), w(4), xo(4);
  const float* ins[] = {x.data()};
  float* outs[] = {y.data(), w.data(), xo.data()};
  CHECK_EQ(scc_session_set_profiling(sess, 1), SCC_OK);
  CHECK_EQ(scc_session_run(sess, ins, 1, outs, 3), SCC_OK);
  CHECK_CLOSE(y, (std::vector<float>{2, 2, 9, 4}), 0.0f);
  size_t n_t = 0;
  CHECK_EQ(scc_session_num_layer_timings(sess, &n_t), SCC_OK);
  CHECK_EQ(n_t, size_t(3));
  const char *lname = nullptr, *lop = nullptr, *lkernel = nullptr;
  double secs = -1;
  CHECK_EQ(scc_session_layer_timing(sess, 2, &lname, &lop, &lkernel, &secs), SCC_OK);
  CHECK_EQ(std::string(lop), std::string("Add"));
  CHECK_EQ(std::string(lkernel), std::string("ref"));
  CHECK(secs >= 0);
  scc_session_free(sess);
}

TEST(c_api_error_paths_return_nonzero_and_explain_why) {
  std::vector<uint8_t> bytes = small_model();
  bytes[0] = 'Z';
  scc_model* model = nullptr;
  CHECK_EQ(scc_model_load_bytes(bytes.data(), bytes.size(), &model), SCC_ERROR_MODEL);
  CHECK(model == nullptr);
  CHECK_MSG(std::strstr(scc_last_error(), "magic") != nullptr, scc_last_error());
  CHECK(scc_model_load_file("/nonexistent/model.scc", &model) != SCC_OK);
  CHECK_MSG(std::strstr(scc_last_error(), "cannot open") != nullptr, scc_last_error());
  CHECK_EQ(scc_model_load_bytes(nullptr, 10, &model), SCC_ERROR_INVALID_ARGUMENT);
  CHECK_EQ(scc_session_create(nullptr, 1, nullptr), SCC_ERROR_INVALID_ARGUMENT);

  bytes = small_model();
  CHECK_EQ(scc_model_load_bytes(bytes.data(), bytes.size(), &model), SCC_OK);
  scc_session* sess = nullptr;
  CHECK(scc_session_create(model, 0, &sess) != SCC_OK);
  CHECK_MSG(std::strstr(scc_last_error(), "num_threads") != nullptr, scc_last_error());
  CHECK_EQ(scc_session_create(model, 1, &sess), SCC_OK);
  std::vector<float> x(4), y(4);
  const float* ins[] = {x.data()};
  float* outs[] = {y.data()};
  CHECK(scc_session_run(sess, ins, 1, outs, 1) != SCC_OK);
  CHECK_MSG(std::strstr(scc_last_error(), "3 outputs, got 1") != nullptr, scc_last_error());
  const char* name = nullptr;
  CHECK_EQ(scc_session_input_name(sess, 5, &name), SCC_ERROR_INVALID_ARGUMENT);
  CHECK_MSG(std::strstr(scc_last_error(), "out of range") != nullptr, scc_last_error());
  scc_session_free(sess);
  scc_model_free(model);
  CHECK_EQ(scc_model_free(nullptr), SCC_OK);
}
