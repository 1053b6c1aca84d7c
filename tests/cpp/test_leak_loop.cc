// Resource-release loops: load -> session -> run -> destroy, many times, through
// the C++ API and the C API, on success and on every kind of failure (rejected
// header, rejected meta section, rejected graph, failed run).
//
// On its own this test checks that repeated cycles give identical results and
// that every failure is a clean sparsecc::Error / status code. Its main purpose
// is to run under a leak checker: the AddressSanitizer ctest build
// (SPARSECC_SANITIZE=address,undefined; LeakSanitizer fails the process at exit
// if anything allocated here is still unreachable) and valgrind
// (`valgrind --leak-check=full --error-exitcode=1 ./test_leak_loop`, registered
// as the ctest test_leak_loop_valgrind when valgrind is installed).
#include <cstring>
#include <string>

#include "loader_fixture.h"
#include "sparsecc/c_api.h"
#include "test_harness.h"

using namespace scctest;

namespace {

constexpr int kCycles = 100;

// Runs `m` once on a fixed seeded input; returns every output concatenated.
std::vector<float> run_once(const std::shared_ptr<const sparsecc::Model>& m) {
  sparsecc::Session s(m);
  std::vector<std::vector<float>> in_bufs, out_bufs;
  uint32_t state = 12345;
  for (const auto& t : m->inputs()) {
    std::vector<float> v(size_t(sparsecc::num_elements(t.shape)));
    for (float& x : v) {
      state = state * 1664525u + 1013904223u;
      x = float(int(state >> 16) % 200 - 100) / 50.0f;
    }
    in_bufs.push_back(std::move(v));
  }
  for (const auto& t : m->outputs()) out_bufs.emplace_back(size_t(sparsecc::num_elements(t.shape)));
  std::vector<const float*> in;
  std::vector<float*> out;
  for (auto& v : in_bufs) in.push_back(v.data());
  for (auto& v : out_bufs) out.push_back(v.data());
  s.run(in, out);
  std::vector<float> all;
  for (auto& v : out_bufs) all.insert(all.end(), v.begin(), v.end());
  return all;
}

// A file that passes the header and the meta section but fails graph checks
// (after tensors, nodes and attributes were allocated): the Add's constant
// operand gets a shape that does not broadcast.
std::vector<uint8_t> graph_rejected_file() {
  ModelBuilder b;
  uint32_t x = b.activation("x", {1, 3, 4, 4});
  uint32_t c = b.constant("c", {5}, {1, 2, 3, 4, 5});
  uint32_t y = b.activation("y", {1, 3, 4, 4});
  b.node("add", "Add", {x, c}, {y});
  b.input(x);
  b.output(y);
  return b.build();
}

}  // namespace

TEST(cpp_api_load_run_destroy_cycles_give_identical_results) {
  const std::vector<uint8_t> f = valid_builder().build();
  const std::vector<float> first = run_once(load(f));
  CHECK(!first.empty());
  for (int i = 0; i < kCycles; ++i) {
    std::vector<float> again = run_once(load(f));
    CHECK_MSG(again == first, "cycle " + std::to_string(i) + " gave different outputs");
  }
}

TEST(cpp_api_rejected_files_release_everything) {
  const std::vector<uint8_t> good = valid_builder().build();
  const std::vector<uint8_t> graph_bad = graph_rejected_file();
  for (int i = 0; i < kCycles; ++i) {
    std::vector<uint8_t> g = good;
    g[64 + size_t(i) % (g.size() - 64)] ^= 0x5A;  // data crc mismatch
    CHECK(rejects(g));
    fix_crcs(g);  // same corruption past the CRC: rejected in the meta or graph checks, or loads
    try {
      run_once(load(g));
    } catch (const sparsecc::Error&) {
    }
    CHECK_THROWS(load(graph_bad), "node 'add' (Add)");
    std::vector<uint8_t> t(good.begin(), good.begin() + long(size_t(i) * good.size() / kCycles));
    CHECK(rejects(t));
  }
}

TEST(cpp_api_failed_runs_and_sessions_outliving_models_release_everything) {
  const std::vector<uint8_t> f = valid_builder().build();
  for (int i = 0; i < kCycles; ++i) {
    auto model = load(f);
    auto session = std::make_unique<sparsecc::Session>(model);
    model.reset();  // the session keeps the model alive
    std::vector<float> x(2 * 5 * 5, 1.0f), z(3 * 5 * 5);
    CHECK_THROWS(session->run({x.data()}, {z.data()}), "outputs, got 1");
    CHECK_THROWS(sparsecc::Session(load(f), sparsecc::SessionOptions{0, false}), "num_threads");
  }
}

TEST(c_api_load_run_free_cycles_release_everything) {
  const std::vector<uint8_t> f = valid_builder().build();
  std::vector<uint8_t> bad = f;
  bad[0] = 'Z';
  std::vector<float> first;
  for (int i = 0; i < kCycles; ++i) {
    scc_model* model = nullptr;
    CHECK_EQ(scc_model_load_bytes(f.data(), f.size(), &model), SCC_OK);
    scc_session* sess = nullptr;
    CHECK_EQ(scc_session_create(model, 1, &sess), SCC_OK);
    if (i % 2) scc_model_free(model);  // freed before the session on odd cycles
    std::vector<float> x(2 * 5 * 5), z(3 * 5 * 5), c(3), xo(2 * 5 * 5);
    for (size_t k = 0; k < x.size(); ++k) x[k] = float(k % 7) - 3.0f;
    const float* ins[] = {x.data()};
    float* outs[] = {z.data(), c.data(), xo.data()};
    CHECK_EQ(scc_session_set_profiling(sess, i % 3 == 0), SCC_OK);
    CHECK_EQ(scc_session_run(sess, ins, 1, outs, 3), SCC_OK);
    CHECK(scc_session_run(sess, ins, 1, outs, 2) != SCC_OK);  // error path keeps the session usable
    CHECK_EQ(scc_session_run(sess, ins, 1, outs, 3), SCC_OK);
    if (first.empty()) first = z;
    CHECK_MSG(z == first, "cycle " + std::to_string(i) + " gave different outputs");
    scc_session_free(sess);
    if (i % 2 == 0) scc_model_free(model);

    scc_model* rejected = nullptr;
    CHECK_EQ(scc_model_load_bytes(bad.data(), bad.size(), &rejected), SCC_ERROR_MODEL);
    CHECK(rejected == nullptr);
    CHECK_MSG(std::strstr(scc_last_error(), "magic") != nullptr, scc_last_error());
  }
}
