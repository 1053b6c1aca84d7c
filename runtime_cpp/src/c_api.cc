// C API over the C++ runtime: opaque handles, status codes, thread-local
// error message; no exception crosses the boundary.
#include "sparsecc/c_api.h"

#include <new>
#include <string>

#include "error.h"
#include "sparsecc/runtime.h"

struct scc_model {
  std::shared_ptr<const sparsecc::Model> model;
};

struct scc_session {
  std::unique_ptr<sparsecc::Session> session;
};

namespace {

thread_local std::string g_last_error;

scc_status set_error(scc_status code, const std::string& msg) {
#if SPARSECC_EXCEPTIONS
  try {
    g_last_error = msg;
  } catch (...) {
  }
#else
  g_last_error = msg;
#endif
  return code;
}

// Runs f(); maps exceptions to a status and the thread-local message.
// Without exceptions (wasm32) an error inside f() never returns here: the
// runtime's fail handler gets it (error.h); the wasm reactor traps and its JS
// wrapper reads the message with scc_wasm_fatal_error().
#if !SPARSECC_EXCEPTIONS
template <typename F>
scc_status guarded(scc_status, F&& f) {
  return f();
}
#else
template <typename F>
scc_status guarded(scc_status error_code, F&& f) {
  try {
    return f();
  } catch (const sparsecc::Error& e) {
    return set_error(error_code, e.what());
  } catch (const std::bad_alloc&) {
    return set_error(SCC_ERROR_RUNTIME, "out of memory");
  } catch (const std::exception& e) {
    return set_error(SCC_ERROR_RUNTIME, e.what());
  } catch (...) {
    return set_error(SCC_ERROR_RUNTIME, "unknown error");
  }
}
#endif

scc_status bad_arg(const char* fn, const char* what) {
  return set_error(SCC_ERROR_INVALID_ARGUMENT, std::string(fn) + ": " + what);
}

}  // namespace

extern "C" {

const char* scc_last_error(void) { return g_last_error.c_str(); }

scc_status scc_model_load_file(const char* path, scc_model** out_model) {
  if (!path || !out_model) return bad_arg("scc_model_load_file", "null argument");
  *out_model = nullptr;
  return guarded(SCC_ERROR_MODEL, [&] {
    auto m = sparsecc::Model::load_file(path);
    *out_model = new scc_model{std::move(m)};
    return SCC_OK;
  });
}

scc_status scc_model_load_bytes(const void* data, size_t size, scc_model** out_model) {
  if (!out_model || (!data && size)) return bad_arg("scc_model_load_bytes", "null argument");
  *out_model = nullptr;
  return guarded(SCC_ERROR_MODEL, [&] {
    auto m = sparsecc::Model::load_bytes(data, size);
    *out_model = new scc_model{std::move(m)};
    return SCC_OK;
  });
}

scc_status scc_model_free(scc_model* model) {
  delete model;
  return SCC_OK;
}

scc_status scc_session_create(const scc_model* model, int num_threads, scc_session** out_session) {
  if (!model || !out_session) return bad_arg("scc_session_create", "null argument");
  *out_session = nullptr;
  return guarded(SCC_ERROR_RUNTIME, [&] {
    sparsecc::SessionOptions opts;
    opts.num_threads = num_threads;
    auto s = std::make_unique<sparsecc::Session>(model->model, opts);
    *out_session = new scc_session{std::move(s)};
    return SCC_OK;
  });
}

scc_status scc_session_free(scc_session* session) {
  delete session;
  return SCC_OK;
}

scc_status scc_session_num_inputs(const scc_session* s, size_t* out_count) {
  if (!s || !out_count) return bad_arg("scc_session_num_inputs", "null argument");
  *out_count = s->session->model().inputs().size();
  return SCC_OK;
}

scc_status scc_session_num_outputs(const scc_session* s, size_t* out_count) {
  if (!s || !out_count) return bad_arg("scc_session_num_outputs", "null argument");
  *out_count = s->session->model().outputs().size();
  return SCC_OK;
}

static scc_status tensor_name(const char* fn, const std::vector<sparsecc::TensorInfo>& list, size_t i,
                              const char** out) {
  if (!out) return bad_arg(fn, "null argument");
  if (i >= list.size())
    return bad_arg(fn, ("index " + std::to_string(i) + " out of range (" + std::to_string(list.size()) + ")").c_str());
  *out = list[i].name.c_str();
  return SCC_OK;
}

static scc_status tensor_shape(const char* fn, const std::vector<sparsecc::TensorInfo>& list, size_t i,
                               const int64_t** dims, size_t* rank) {
  if (!dims || !rank) return bad_arg(fn, "null argument");
  if (i >= list.size())
    return bad_arg(fn, ("index " + std::to_string(i) + " out of range (" + std::to_string(list.size()) + ")").c_str());
  *dims = list[i].shape.data();
  *rank = list[i].shape.size();
  return SCC_OK;
}

scc_status scc_session_input_name(const scc_session* s, size_t i, const char** out) {
  if (!s) return bad_arg("scc_session_input_name", "null session");
  return tensor_name("scc_session_input_name", s->session->model().inputs(), i, out);
}

scc_status scc_session_output_name(const scc_session* s, size_t i, const char** out) {
  if (!s) return bad_arg("scc_session_output_name", "null session");
  return tensor_name("scc_session_output_name", s->session->model().outputs(), i, out);
}

scc_status scc_session_input_shape(const scc_session* s, size_t i, const int64_t** dims, size_t* rank) {
  if (!s) return bad_arg("scc_session_input_shape", "null session");
  return tensor_shape("scc_session_input_shape", s->session->model().inputs(), i, dims, rank);
}

scc_status scc_session_output_shape(const scc_session* s, size_t i, const int64_t** dims, size_t* rank) {
  if (!s) return bad_arg("scc_session_output_shape", "null session");
  return tensor_shape("scc_session_output_shape", s->session->model().outputs(), i, dims, rank);
}

scc_status scc_session_run(scc_session* s, const float* const* inputs, size_t n_inputs, float* const* outputs,
                           size_t n_outputs) {
  if (!s) return bad_arg("scc_session_run", "null session");
  if ((n_inputs && !inputs) || (n_outputs && !outputs)) return bad_arg("scc_session_run", "null buffer array");
  return guarded(SCC_ERROR_INVALID_ARGUMENT, [&] {
    std::vector<const float*> in(inputs, inputs + n_inputs);
    std::vector<float*> out(outputs, outputs + n_outputs);
    s->session->run(in, out);
    return SCC_OK;
  });
}

scc_status scc_session_set_profiling(scc_session* s, int enabled) {
  if (!s) return bad_arg("scc_session_set_profiling", "null session");
  s->session->set_profiling(enabled != 0);
  return SCC_OK;
}

scc_status scc_session_num_layer_timings(const scc_session* s, size_t* out_count) {
  if (!s || !out_count) return bad_arg("scc_session_num_layer_timings", "null argument");
  *out_count = s->session->last_profile().size();
  return SCC_OK;
}

scc_status scc_session_layer_timing(const scc_session* s, size_t i, const char** name, const char** op,
                                    const char** kernel, double* seconds) {
  if (!s) return bad_arg("scc_session_layer_timing", "null session");
  const auto& t = s->session->last_profile();
  if (i >= t.size()) return bad_arg("scc_session_layer_timing", "index out of range");
  if (name) *name = t[i].name.c_str();
  if (op) *op = t[i].op.c_str();
  if (kernel) *kernel = t[i].kernel.c_str();
  if (seconds) *seconds = t[i].seconds;
  return SCC_OK;
}

}  // extern "C"
