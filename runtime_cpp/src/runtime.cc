// Model: loading from a file or from bytes, and the read-only accessors.
#include <cstring>
#include <fstream>
#include <new>

#include "error.h"
#include "model_data.h"

namespace sparsecc {

using detail::AlignedBuffer;
using detail::ModelData;

Model::Model(std::unique_ptr<ModelData> data) : data_(std::move(data)) {}
Model::~Model() = default;


std::shared_ptr<const Model> Model::load_bytes(const void* data, size_t size) {
  if (!data && size) detail::raise_error("load_bytes: null data pointer");
  return detail::or_out_of_memory("out of memory while loading a model of " + std::to_string(size) + " bytes", [&] {
    AlignedBuffer buf(size);
    if (size) std::memcpy(buf.data(), data, size);
    return std::shared_ptr<const Model>(new Model(detail::load_model(std::move(buf))));
  });
}

std::shared_ptr<const Model> Model::load_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) detail::raise_error("cannot open model file '" + path + "'");
  std::streamoff end = f.tellg();
  if (end < 0) detail::raise_error("cannot read model file '" + path + "'");
  f.seekg(0);
  return detail::or_out_of_memory("out of memory while loading '" + path + "'", [&] {
    AlignedBuffer buf(static_cast<size_t>(end));
    if (end > 0 && !f.read(reinterpret_cast<char*>(buf.data()), end))
      detail::raise_error("cannot read model file '" + path + "'");
    return detail::with_error_context(path, [&] {
      return std::shared_ptr<const Model>(new Model(detail::load_model(std::move(buf))));
    });
  });
}

const std::string& Model::target() const { return data_->target; }
const std::string& Model::producer() const { return data_->producer; }
const std::vector<TensorInfo>& Model::inputs() const { return data_->input_info; }
const std::vector<TensorInfo>& Model::outputs() const { return data_->output_info; }
uint64_t Model::arena_bytes() const { return data_->arena_size; }
const std::vector<NodeInfo>& Model::nodes() const { return data_->node_info; }

int64_t num_elements(const std::vector<int64_t>& shape) { return detail::numel(shape); }

}  // namespace sparsecc
