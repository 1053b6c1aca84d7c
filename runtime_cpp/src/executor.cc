// Session: runs a Model's nodes in order over a private activation arena.
// Graph inputs are copied into the arena, each node's bound kernel is called
// with pointers resolved once at construction (arena offsets or blob
// addresses), and graph outputs are copied out -- from the arena, the blob
// (constant outputs) or the arena slot of a graph input. The session owns the
// thread pool (num_threads - 1 workers) and the scratch memory every kernel's
// RunContext points into (sized at load time: the max over nodes).
#include <chrono>
#include <cstdint>
#include <cstring>
#include <new>

#include "error.h"
#include "layer_markers.h"
#include "model_data.h"
#include "thread_pool.h"

namespace sparsecc {

using detail::kAbsent;
using detail::ModelData;

struct Session::Impl {
  detail::AlignedBuffer arena;
  std::vector<std::vector<const float*>> node_in;
  std::vector<std::vector<float*>> node_out;
  std::vector<float*> input_ptr;           // arena slots of graph inputs
  std::vector<const float*> output_ptr;    // where graph outputs live after a run
  std::vector<size_t> input_count, output_count;
  bool profile = false;
  std::vector<LayerTiming> timings;
  std::unique_ptr<detail::ThreadPool> pool;
  detail::AlignedBuffer scratch;         // shared part, then one slice per thread
  size_t thread_scratch_stride = 0;
};

namespace {
size_t round_up_64(size_t n, const char* what) {
  if (n > SIZE_MAX - 63) detail::raise_error(std::string("Session: ") + what + " scratch size overflows");
  return (n + 63) / 64 * 64;
}
}  // namespace

Session::Session(std::shared_ptr<const Model> model, SessionOptions options)
    : model_(std::move(model)), impl_(std::make_unique<Impl>()) {
  if (!model_) detail::raise_error("Session: null model");
  if (options.num_threads < 1) detail::raise_error("Session: num_threads must be >= 1");
  const ModelData& m = model_->data();
  detail::or_out_of_memory("Session: cannot allocate the arena of " + std::to_string(m.arena_size) + " bytes",
                           [&] { impl_->arena = detail::AlignedBuffer(size_t(m.arena_size)); });
  uint8_t* base = impl_->arena.data();
  auto resolve = [&](uint32_t id) -> float* {
    const detail::TensorDesc& t = m.tensors[id];
    if (t.kind == 1) return const_cast<float*>(m.constant_data(id));
    return reinterpret_cast<float*>(base + t.offset);
  };
  for (const auto& node : m.nodes) {
    std::vector<const float*> in;
    for (uint32_t id : node.inputs) in.push_back(id == kAbsent ? nullptr : resolve(id));
    in.resize(in.size() + 4, nullptr);  // optional trailing inputs read as nullptr
    std::vector<float*> out;
    for (uint32_t id : node.outputs) out.push_back(resolve(id));
    impl_->node_in.push_back(std::move(in));
    impl_->node_out.push_back(std::move(out));
  }
  for (uint32_t id : m.input_ids) {
    impl_->input_ptr.push_back(resolve(id));
    impl_->input_count.push_back(size_t(detail::numel(m.tensors[id].shape)));
  }
  for (uint32_t id : m.output_ids) {
    impl_->output_ptr.push_back(resolve(id));
    impl_->output_count.push_back(size_t(detail::numel(m.tensors[id].shape)));
  }
  impl_->profile = options.profile;
  impl_->pool = std::make_unique<detail::ThreadPool>(options.num_threads);
  const size_t shared = round_up_64(m.max_scratch_bytes, "shared");
  const size_t stride = round_up_64(m.max_thread_scratch_bytes, "per-thread");
  const size_t threads = size_t(options.num_threads);
  if (stride && threads > (SIZE_MAX - shared) / stride) detail::raise_error("Session: scratch size overflows");
  const size_t total = shared + stride * threads;
  detail::or_out_of_memory("Session: cannot allocate " + std::to_string(total) + " bytes of kernel scratch",
                           [&] { impl_->scratch = detail::AlignedBuffer(total); });
  impl_->thread_scratch_stride = stride;
}

Session::~Session() = default;

void Session::run(const std::vector<const float*>& inputs, const std::vector<float*>& outputs) {
  const ModelData& m = model_->data();
  Impl& s = *impl_;
  if (inputs.size() != s.input_ptr.size())
    detail::raise_error("run: model has " + std::to_string(s.input_ptr.size()) + " inputs, got " + std::to_string(inputs.size()));
  if (outputs.size() != s.output_ptr.size())
    detail::raise_error("run: model has " + std::to_string(s.output_ptr.size()) + " outputs, got " +
                std::to_string(outputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!inputs[i]) detail::raise_error("run: input " + std::to_string(i) + " ('" + m.input_info[i].name + "') is null");
  for (size_t i = 0; i < outputs.size(); ++i)
    if (!outputs[i]) detail::raise_error("run: output " + std::to_string(i) + " ('" + m.output_info[i].name + "') is null");

  for (size_t i = 0; i < inputs.size(); ++i)
    std::memmove(s.input_ptr[i], inputs[i], s.input_count[i] * sizeof(float));

  uint8_t* scratch = s.scratch.data();
  detail::RunContext ctx(*s.pool, scratch, m.max_scratch_bytes,
                         scratch ? scratch + round_up_64(m.max_scratch_bytes, "shared") : nullptr,
                         s.thread_scratch_stride);
  using clock = std::chrono::steady_clock;
  if (s.profile) s.timings.assign(m.nodes.size(), LayerTiming{});
  for (size_t k = 0; k < m.nodes.size(); ++k) {
    if (!s.profile) {
      m.nodes[k].run(ctx, s.node_in[k].data(), s.node_out[k].data());
      continue;
    }
    const bool mark = detail::layer_markers_enabled();  // instruction counting under qemu (layer_markers.h)
    auto t0 = clock::now();
    if (mark) detail::layer_marker(k, detail::kLayerBegin);  // inside t0..t1: counts exclude the clock reads
    m.nodes[k].run(ctx, s.node_in[k].data(), s.node_out[k].data());
    if (mark) detail::layer_marker(k, detail::kLayerEnd);
    auto t1 = clock::now();
    const NodeInfo& info = m.node_info[k];
    s.timings[k] = {info.name, info.op, info.kernel, std::chrono::duration<double>(t1 - t0).count()};
  }

  for (size_t i = 0; i < outputs.size(); ++i)
    std::memmove(outputs[i], s.output_ptr[i], s.output_count[i] * sizeof(float));
}

void Session::set_profiling(bool enabled) { impl_->profile = enabled; }

const std::vector<LayerTiming>& Session::last_profile() const { return impl_->timings; }

}  // namespace sparsecc
