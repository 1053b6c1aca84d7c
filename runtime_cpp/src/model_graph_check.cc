// Graph-level validation of a parsed model: ids and kinds of graph inputs and
// outputs, def-before-use, single definition, kernel binding (each kernel's
// prepare step recomputes the output shapes, which must equal the stored ones),
// and non-overlap in the arena of activations that are live at the same time.
//
// Liveness: a graph input is live from before node 0; a node output from its
// node; each tensor stays live through its last consuming node (graph outputs
// through the end). Intervals are inclusive, so a node's outputs may not share
// arena bytes with its own inputs (no in-place execution in format 1.0).
#include <algorithm>
#include <iterator>
#include <map>

#include "error.h"
#include "model_data.h"
#include "op_registry.h"

namespace sparsecc::detail {
namespace {

std::string tensor_ref(const ModelData& m, uint32_t id) {
  return "tensor " + std::to_string(id) + " '" + m.tensors[id].name + "'";
}

void bind_nodes(ModelData& m) {
  const size_t n_t = m.tensors.size();
  std::vector<uint8_t> defined(n_t, 0);
  for (size_t i = 0; i < n_t; ++i)
    if (m.tensors[i].kind == 1) defined[i] = 1;
  for (uint32_t id : m.input_ids) {
    if (m.tensors[id].kind != 0) raise_error("graph input " + tensor_ref(m, id) + " must be an activation (kind 0)");
    if (defined[id]) raise_error("graph input " + tensor_ref(m, id) + " listed twice");
    defined[id] = 1;
  }
  const OpRegistry& reg = OpRegistry::instance();
  for (NodeDesc& node : m.nodes) {
    const std::string where = "node '" + node.name + "' (" + node.op + ")";
    if (!reg.has_op(node.op)) raise_error(where + ": unknown op '" + node.op + "'");
    PrepareFn prepare = reg.find(node.op, node.kernel);
    if (!prepare) raise_error(where + ": no kernel '" + node.kernel + "' for op " + node.op + " in this runtime");
    PrepareContext ctx;
    for (uint32_t id : node.inputs) {
      if (id == kAbsent) {
        ctx.inputs.push_back(nullptr);
        continue;
      }
      if (!defined[id]) raise_error(where + ": input " + tensor_ref(m, id) + " is used before it is defined");
      ctx.inputs.push_back(&m.tensors[id].shape);
    }
    for (uint32_t id : node.outputs) {
      if (m.tensors[id].kind != 0) raise_error(where + ": output " + tensor_ref(m, id) + " must be an activation");
      if (defined[id]) raise_error(where + ": output " + tensor_ref(m, id) + " is already defined");
      defined[id] = 1;
    }
    ctx.n_outputs = node.outputs.size();
    Attrs attrs(node.attrs);
    ctx.attrs = &attrs;
    Prepared p = with_error_context(where, [&] {
      Prepared prepared = prepare(ctx);
      attrs.check_all_used();
      return prepared;
    });
    if (p.out_shapes.size() != node.outputs.size())
      raise_error(where + ": kernel computes " + std::to_string(p.out_shapes.size()) + " outputs, node lists " +
                  std::to_string(node.outputs.size()));
    for (size_t k = 0; k < node.outputs.size(); ++k) {
      const Shape& stored = m.tensors[node.outputs[k]].shape;
      if (stored != p.out_shapes[k])
        raise_error(where + ": output " + std::to_string(k) + " " + tensor_ref(m, node.outputs[k]) + " has shape " +
                    shape_str(stored) + " but the op computes " + shape_str(p.out_shapes[k]));
    }
    node.run = std::move(p.run);
    node.scratch_bytes = p.scratch_bytes;
    node.thread_scratch_bytes = p.thread_scratch_bytes;
    m.max_scratch_bytes = std::max(m.max_scratch_bytes, p.scratch_bytes);
    m.max_thread_scratch_bytes = std::max(m.max_thread_scratch_bytes, p.thread_scratch_bytes);
  }
  for (uint32_t id : m.output_ids)
    if (!defined[id]) raise_error("graph output " + tensor_ref(m, id) + " is never defined");
}

void check_arena_overlap(const ModelData& m) {
  const int64_t n_nodes = int64_t(m.nodes.size());
  const int64_t kNever = -2;
  std::vector<int64_t> last_use(m.tensors.size(), kNever);
  for (int64_t t = 0; t < n_nodes; ++t)
    for (uint32_t id : m.nodes[size_t(t)].inputs)
      if (id != kAbsent) last_use[id] = t;
  for (uint32_t id : m.output_ids) last_use[id] = n_nodes;

  std::map<uint64_t, std::pair<uint64_t, uint32_t>> live;  // offset -> (end, id)
  std::vector<std::vector<uint32_t>> expire(size_t(n_nodes) + 2);  // index t + 1
  auto add = [&](uint32_t id, int64_t t) {
    const TensorDesc& td = m.tensors[id];
    uint64_t begin = td.offset, end = td.offset + td.nbytes;
    auto next = live.lower_bound(begin);
    uint32_t other = kAbsent;
    if (next != live.end() && next->first < end) other = next->second.second;
    if (other == kAbsent && next != live.begin() && std::prev(next)->second.first > begin)
      other = std::prev(next)->second.second;
    if (other != kAbsent)
      raise_error("arena: " + tensor_ref(m, id) + " overlaps " + tensor_ref(m, other) +
                  " while both are live" + (t >= 0 ? " (at node '" + m.nodes[size_t(t)].name + "')" : ""));
    live[begin] = {end, id};
    int64_t last = std::max(last_use[id], t);
    expire[size_t(last + 1)].push_back(id);
  };
  for (uint32_t id : m.input_ids) add(id, -1);
  for (uint32_t id : expire[0]) live.erase(m.tensors[id].offset);
  for (int64_t t = 0; t < n_nodes; ++t) {
    for (uint32_t id : m.nodes[size_t(t)].outputs) add(id, t);
    for (uint32_t id : expire[size_t(t + 1)]) live.erase(m.tensors[id].offset);
  }
}

void build_views(ModelData& m) {
  for (uint32_t id : m.input_ids) m.input_info.push_back({m.tensors[id].name, m.tensors[id].shape});
  for (uint32_t id : m.output_ids) m.output_info.push_back({m.tensors[id].name, m.tensors[id].shape});
  for (const NodeDesc& node : m.nodes) {
    NodeInfo info{node.name, node.op, node.kernel, {}, {}, {}};
    for (uint32_t id : node.inputs) info.inputs.push_back(id == kAbsent ? std::string() : m.tensors[id].name);
    for (uint32_t id : node.outputs) {
      info.outputs.push_back(m.tensors[id].name);
      info.output_shapes.push_back(m.tensors[id].shape);
    }
    m.node_info.push_back(std::move(info));
  }
}

}  // namespace

void check_graph(ModelData& m) {
  bind_nodes(m);
  check_arena_overlap(m);
  build_views(m);
}

}  // namespace sparsecc::detail
