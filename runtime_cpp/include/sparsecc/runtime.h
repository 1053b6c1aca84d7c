// sparsecc runtime: C++ API.
//
//   auto model = sparsecc::Model::load_file("net.scc");   // validates every byte
//   sparsecc::Session session(model);                       // owns its activation arena
//   session.run({input_ptr}, {output_ptr});                 // float32, the model's shapes
//
// A Model is immutable and may be shared read-only between any number of Sessions
// (and threads). A Session is NOT thread-safe: use one Session per thread.
// Every failure (malformed file, wrong argument count, allocation failure) throws
// sparsecc::Error with a message naming the offending field, node or tensor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sparsecc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
};

// One node of the execution plan, for inspection (tools, Python `Model.nodes`).
struct NodeInfo {
  std::string name, op, kernel;
  std::vector<std::string> inputs;   // "" for an absent optional input
  std::vector<std::string> outputs;
  std::vector<std::vector<int64_t>> output_shapes;
};

namespace detail {
struct ModelData;  // parsed + validated file, bound kernels (internal)
}

class Model {
 public:
  // Reads and validates a model file. Throws Error.
  static std::shared_ptr<const Model> load_file(const std::string& path);
  // Copies `size` bytes into the model's own 64-byte-aligned buffer, then validates.
  static std::shared_ptr<const Model> load_bytes(const void* data, size_t size);

  const std::string& target() const;
  const std::string& producer() const;
  const std::vector<TensorInfo>& inputs() const;
  const std::vector<TensorInfo>& outputs() const;
  uint64_t arena_bytes() const;
  const std::vector<NodeInfo>& nodes() const;

  const detail::ModelData& data() const { return *data_; }  // internal use
  ~Model();

 private:
  explicit Model(std::unique_ptr<detail::ModelData> data);
  std::unique_ptr<detail::ModelData> data_;
};

struct SessionOptions {
  int num_threads = 1;   // threads running the kernels (the caller + num_threads - 1 workers); >= 1
  bool profile = false;  // record per-node wall time on every run()
};

struct LayerTiming {
  std::string name, op, kernel;
  double seconds = 0.0;
};

// Runs a Model. Owns a 64-byte-aligned activation arena of model->arena_bytes().
// Not thread-safe: one Session must not be used by two threads at once.
class Session {
 public:
  explicit Session(std::shared_ptr<const Model> model, SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // `inputs` in the order of model->inputs(), `outputs` in the order of
  // model->outputs(); each buffer holds exactly the element count of its shape.
  // A wrong count or a null pointer throws Error before anything runs.
  void run(const std::vector<const float*>& inputs, const std::vector<float*>& outputs);

  void set_profiling(bool enabled);
  // One entry per node of the last run() made with profiling enabled.
  const std::vector<LayerTiming>& last_profile() const;
  const Model& model() const { return *model_; }

 private:
  struct Impl;
  std::shared_ptr<const Model> model_;
  std::unique_ptr<Impl> impl_;
};

// Element count of a shape (1 for rank 0).
int64_t num_elements(const std::vector<int64_t>& shape);

}  // namespace sparsecc
