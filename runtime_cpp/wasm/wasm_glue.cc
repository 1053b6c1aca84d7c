// wasm-only exports of sparsecc_runtime.wasm (besides the C API, exports.txt):
//
//   scc_wasm_fatal_error()  message of the error that trapped the last call
//   scc_wasm_bench(...)     timed runs in a loop inside the module
//
// Errors: the runtime is built with -fno-exceptions here, so a failing call
// cannot return a status; raise_error (src/error.h) stores the message and
// calls the handler installed below, which traps. The JavaScript wrapper
// catches the trap (a WebAssembly.RuntimeError), reads scc_wasm_fatal_error()
// and throws a JS Error with it, then re-instantiates the module (a trapped
// call leaves the C++ state -- stack pointer, half-built objects -- undefined).
#include <chrono>
#include <cstddef>
#include <vector>

#include "error.h"
#include "sparsecc/c_api.h"

namespace {
[[noreturn]] void trap(const char*) { __builtin_trap(); }
// runs in _initialize, before any export is called
[[maybe_unused]] const bool g_handler_set = (sparsecc::detail::set_fail_handler(trap), true);
}  // namespace

extern "C" {

const char* scc_wasm_fatal_error(void) { return sparsecc::detail::last_fatal_error(); }

// Runs the session `warmup` times untimed, then `repeat` times, writing each
// run's wall time in milliseconds (steady clock = WASI clock_time_get) to ms_out.
scc_status scc_wasm_bench(scc_session* session, const float* const* inputs, size_t n_inputs, float* const* outputs,
                          size_t n_outputs, int warmup, int repeat, double* ms_out) {
  if (!ms_out && repeat > 0) return SCC_ERROR_INVALID_ARGUMENT;
  for (int i = 0; i < warmup; ++i) {
    scc_status s = scc_session_run(session, inputs, n_inputs, outputs, n_outputs);
    if (s != SCC_OK) return s;
  }
  using clock = std::chrono::steady_clock;
  for (int i = 0; i < repeat; ++i) {
    auto t0 = clock::now();
    scc_status s = scc_session_run(session, inputs, n_inputs, outputs, n_outputs);
    if (s != SCC_OK) return s;
    ms_out[i] = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  }
  return SCC_OK;
}

}  // extern "C"
