// WASI commands start with "/" as their working directory, whatever the
// directory of the process that runs them. The runners (wasi-run, the node and
// wasmtime runners) preopen "/" and pass the host's directory in $PWD; this
// constructor moves there so relative paths mean what they mean on the host.
#include <cstdlib>
#include <unistd.h>

namespace {
[[maybe_unused]] const int g_cwd_set = [] {
  const char* pwd = std::getenv("PWD");
  return pwd && *pwd == '/' ? chdir(pwd) : 0;
}();
}  // namespace
