// libFuzzer target for the C API: arbitrary bytes (with file_size and CRCs
// patched, fuzz_common.h) -> scc_model_load_bytes -> scc_session_create ->
// every query -> scc_session_run on zero-filled inputs -> free (model first on
// odd sizes, so sessions outliving their model are covered). Also checks that
// the C API and the C++ API agree on accepting the file, and that a failure
// always leaves a message in scc_last_error().
#include <cstring>

#include "fuzz_common.h"
#include "sparsecc/c_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> f = sccfuzz::with_valid_crcs(data, size);
  if (f.empty()) f.assign(data, data + size);

  std::shared_ptr<const sparsecc::Model> cpp;
  try {
    cpp = sparsecc::Model::load_bytes(f.data(), f.size());
  } catch (const sparsecc::Error&) {
  }
  scc_model* model = nullptr;
  const scc_status st = scc_model_load_bytes(f.data(), f.size(), &model);
  if ((st == SCC_OK) != (cpp != nullptr)) __builtin_trap();  // the two APIs disagree
  if (st != SCC_OK) {
    if (model != nullptr || scc_last_error()[0] == '\0') __builtin_trap();
    return 0;
  }
  if (!sccfuzz::small_enough(*cpp)) {
    scc_model_free(model);
    return 0;
  }
  scc_session* sess = nullptr;
  if (scc_session_create(model, 1, &sess) != SCC_OK) __builtin_trap();  // arena <= 64 MiB here
  if (size % 2) scc_model_free(model);

  size_t n_in = 0, n_out = 0;
  scc_session_num_inputs(sess, &n_in);
  scc_session_num_outputs(sess, &n_out);
  std::vector<std::vector<float>> in(n_in), out(n_out);
  std::vector<const float*> in_ptr;
  std::vector<float*> out_ptr;
  for (size_t i = 0; i < n_in + n_out; ++i) {
    const bool is_in = i < n_in;
    const size_t k = is_in ? i : i - n_in;
    const char* name = nullptr;
    const int64_t* dims = nullptr;
    size_t rank = 0;
    if ((is_in ? scc_session_input_name(sess, k, &name) : scc_session_output_name(sess, k, &name)) != SCC_OK)
      __builtin_trap();
    if ((is_in ? scc_session_input_shape(sess, k, &dims, &rank) : scc_session_output_shape(sess, k, &dims, &rank)) !=
        SCC_OK)
      __builtin_trap();
    (void)std::strlen(name);
    size_t count = 1;
    for (size_t d = 0; d < rank; ++d) count *= size_t(dims[d]);
    (is_in ? in[k] : out[k]).assign(count, 0.0f);
  }
  for (auto& v : in) in_ptr.push_back(v.data());
  for (auto& v : out) out_ptr.push_back(v.data());
  scc_session_set_profiling(sess, int(size % 3 == 0));
  if (scc_session_run(sess, in_ptr.data(), n_in, out_ptr.data(), n_out) != SCC_OK) __builtin_trap();
  size_t n_t = 0;
  scc_session_num_layer_timings(sess, &n_t);
  for (size_t i = 0; i < n_t; ++i) {
    const char *name, *op, *kernel;
    double secs;
    scc_session_layer_timing(sess, i, &name, &op, &kernel, &secs);
  }
  scc_session_free(sess);
  if (size % 2 == 0) scc_model_free(model);
  return 0;
}
