// pybind11 module `sparsecc._runtime`: the C++ runtime for Python.
//
//   m = _runtime.Model.from_file("net.scc")         # or Model.from_bytes(b)
//   s = _runtime.Session(m, num_threads=1)
//   outs = s.run({"x": x})                           # dict name -> float32 ndarray
//   outs, layers = s.run_profiled({"x": x})          # + [{name, op, kernel, seconds}]
//
// Feeds are checked (names: missing/extra listed; shapes: both shapes named)
// before anything runs; the GIL is released while the model runs; runs on one
// Session are serialised by a mutex (the Session owns one arena). Every
// sparsecc::Error surfaces as _runtime.SparseccRuntimeError (a RuntimeError).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>
#include <string>
#include <vector>

#include "sparsecc/runtime.h"

namespace py = pybind11;
using sparsecc::Model;
// pybind11 holders cannot be shared_ptr<const T>; Model's API is const-only anyway.
using ModelPtr = std::shared_ptr<Model>;
static ModelPtr unconst(std::shared_ptr<const Model> m) { return std::const_pointer_cast<Model>(std::move(m)); }
using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

namespace {

std::string shape_repr(const std::vector<int64_t>& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  return out + "]";
}

py::list tensor_list(const std::vector<sparsecc::TensorInfo>& infos) {
  py::list out;
  for (const auto& t : infos) out.append(py::make_tuple(t.name, py::tuple(py::cast(t.shape))));
  return out;
}

py::list node_list(const Model& m) {
  py::list out;
  for (const auto& n : m.nodes()) {
    py::dict d;
    d["name"] = n.name;
    d["op"] = n.op;
    d["kernel"] = n.kernel;
    d["inputs"] = n.inputs;
    d["outputs"] = n.outputs;
    py::list shapes;
    for (const auto& s : n.output_shapes) shapes.append(py::tuple(py::cast(s)));
    d["output_shapes"] = shapes;
    out.append(d);
  }
  return out;
}

// A Session plus a mutex so that Python threads sharing it cannot race on the arena.
class PySession {
 public:
  PySession(ModelPtr model, int num_threads) : model_(model), session_(model, make_opts(num_threads)) {}

  py::dict run(const py::dict& feeds) { return run_impl(feeds, false).first; }

  py::tuple run_profiled(const py::dict& feeds) {
    auto res = run_impl(feeds, true);
    return py::make_tuple(res.first, res.second);
  }

  const ModelPtr& model() const { return model_; }

 private:
  static sparsecc::SessionOptions make_opts(int num_threads) {
    sparsecc::SessionOptions o;
    o.num_threads = num_threads;
    return o;
  }

  std::pair<py::dict, py::list> run_impl(const py::dict& feeds, bool profile) {
    const auto& ins = model_->inputs();
    const auto& outs = model_->outputs();
    // names first: report every missing and every unknown input at once
    std::vector<std::string> missing, extra;
    for (const auto& t : ins)
      if (!feeds.contains(py::str(t.name))) missing.push_back(t.name);
    for (const auto& kv : feeds) {
      const std::string key = py::isinstance<py::str>(kv.first) ? kv.first.cast<std::string>() : std::string(py::repr(kv.first));
      bool known = false;
      for (const auto& t : ins) known = known || t.name == key;
      if (!known) extra.push_back(key);
    }
    if (!missing.empty() || !extra.empty()) {
      std::string msg;
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (size_t i = 0; i < v.size(); ++i) s += (i ? ", '" : "'") + v[i] + "'";
        return s;
      };
      if (!missing.empty()) msg += "missing inputs: " + join(missing);
      if (!extra.empty()) msg += std::string(msg.empty() ? "" : "; ") + "unknown inputs: " + join(extra);
      std::vector<std::string> all;
      for (const auto& t : ins) all.push_back(t.name);
      throw py::value_error(msg + " (the model's inputs are " + join(all) + ")");
    }
    // then dtypes and shapes
    std::vector<FloatArray> arrays;
    for (const auto& t : ins) {
      py::object obj = feeds[py::str(t.name)];
      FloatArray a;
      try {
        a = FloatArray::ensure(obj);
      } catch (py::error_already_set&) {
        a = FloatArray();
      }
      if (!a) {
        PyErr_Clear();
        throw py::type_error("input '" + t.name + "' cannot be converted to a float32 array");
      }
      std::vector<int64_t> got(a.shape(), a.shape() + a.ndim());
      if (got != t.shape)
        throw py::value_error("input '" + t.name + "' has shape " + shape_repr(got) + ", the model expects " +
                              shape_repr(t.shape));
      arrays.push_back(std::move(a));
    }
    std::vector<FloatArray> results;
    for (const auto& t : outs) results.emplace_back(std::vector<py::ssize_t>(t.shape.begin(), t.shape.end()));
    std::vector<const float*> in_ptrs;
    for (auto& a : arrays) in_ptrs.push_back(a.data());
    std::vector<float*> out_ptrs;
    for (auto& r : results) out_ptrs.push_back(r.mutable_data());

    std::vector<sparsecc::LayerTiming> timings;
    {
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(mutex_);
      session_.set_profiling(profile);
      session_.run(in_ptrs, out_ptrs);
      if (profile) timings = session_.last_profile();
    }
    py::dict out;
    for (size_t i = 0; i < outs.size(); ++i) out[py::str(outs[i].name)] = results[i];
    py::list layers;
    for (const auto& t : timings) {
      py::dict d;
      d["name"] = t.name;
      d["op"] = t.op;
      d["kernel"] = t.kernel;
      d["seconds"] = t.seconds;
      layers.append(d);
    }
    return {out, layers};
  }

  ModelPtr model_;
  sparsecc::Session session_;
  std::mutex mutex_;
};

}  // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "sparsecc C++ runtime: load .scc model files and run them (float32, NCHW).";

  static py::exception<sparsecc::Error> error_type(m, "SparseccRuntimeError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const sparsecc::Error& e) {
      py::set_error(error_type, e.what());
    }
  });

  py::class_<Model, ModelPtr>(m, "Model", "An immutable, validated model; shareable between sessions.")
      .def_static(
          "from_file",
          [](const std::string& path) {
            py::gil_scoped_release release;
            return unconst(Model::load_file(path));
          },
          py::arg("path"), "Load and validate a .scc file.")
      .def_static(
          "from_bytes",
          [](const py::bytes& data) {
            std::string_view view = data;
            py::gil_scoped_release release;
            return unconst(Model::load_bytes(view.data(), view.size()));
          },
          py::arg("data"), "Validate a model held in memory (the bytes are copied).")
      .def_property_readonly("target", &Model::target)
      .def_property_readonly("producer", &Model::producer)
      .def_property_readonly("arena_bytes", &Model::arena_bytes)
      .def_property_readonly("inputs", [](const Model& self) { return tensor_list(self.inputs()); },
                             "[(name, shape tuple)] in run order")
      .def_property_readonly("outputs", [](const Model& self) { return tensor_list(self.outputs()); })
      .def_property_readonly("nodes", [](const Model& self) { return node_list(self); },
                             "[{name, op, kernel, inputs, outputs, output_shapes}] in execution order")
      .def("__repr__", [](const Model& self) {
        return "<sparsecc._runtime.Model target='" + self.target() + "' nodes=" + std::to_string(self.nodes().size()) +
               " arena_bytes=" + std::to_string(self.arena_bytes()) + ">";
      });

  py::class_<PySession>(m, "Session", "Runs a Model; owns its activation arena.")
      .def(py::init<ModelPtr, int>(), py::arg("model"), py::arg("num_threads") = 1)
      .def_property_readonly("inputs", [](const PySession& s) { return tensor_list(s.model()->inputs()); })
      .def_property_readonly("outputs", [](const PySession& s) { return tensor_list(s.model()->outputs()); })
      .def_property_readonly("model", &PySession::model)
      .def("run", &PySession::run, py::arg("feeds"),
           "feeds: {input name: array of exactly the input's shape} -> {output name: float32 ndarray}")
      .def("run_profiled", &PySession::run_profiled, py::arg("feeds"),
           "As run(), plus [{name, op, kernel, seconds}] per node of this run.");
}
