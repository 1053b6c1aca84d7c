// raise_error and, for -fno-exceptions builds, the stored message, the context
// prefixes and the fail handler. See error.h.
#include "error.h"

#if !SPARSECC_EXCEPTIONS
#include <cstdio>
#include <cstdlib>
#include <new>
#include <vector>
#endif

namespace sparsecc::detail {

#if SPARSECC_EXCEPTIONS

void raise_error(const std::string& message) { throw Error(message); }

#else

namespace {

// Fixed-size storage: a failing allocation must still be able to leave its message.
char g_message[1024];
std::vector<std::string>& contexts() {
  static std::vector<std::string> v;
  return v;
}

void default_handler(const char* message) {
  std::fprintf(stderr, "sparsecc: %s\n", message);
  std::abort();
}
FailHandler g_handler = default_handler;

void store(const std::string& message) {
  std::string full;
  for (const std::string& c : contexts()) full += c + ": ";
  full += message;
  size_t n = full.size() < sizeof g_message - 1 ? full.size() : sizeof g_message - 1;
  full.copy(g_message, n);
  g_message[n] = '\0';
}

// no allocation here: the contexts are copied into the fixed buffer as they are
void out_of_memory() {
  size_t n = 0;
  for (const std::string& c : contexts()) {
    n += size_t(std::snprintf(g_message + n, sizeof g_message - n, "%s: ", c.c_str()));
    if (n >= sizeof g_message) n = sizeof g_message - 1;
  }
  std::snprintf(g_message + n, sizeof g_message - n, "out of memory");
  g_handler(g_message);
  std::abort();
}

// installed before main() / the first exported call
[[maybe_unused]] const bool g_new_handler_installed = (std::set_new_handler(out_of_memory), true);

}  // namespace

void raise_error(const std::string& message) {
  store(message);
  g_handler(g_message);
  std::abort();  // a handler must not return
}

FailHandler set_fail_handler(FailHandler handler) {
  FailHandler old = g_handler;
  g_handler = handler ? handler : default_handler;
  return old;
}

const char* last_fatal_error() { return g_message; }

ErrorContext::ErrorContext(const std::string& prefix) { contexts().push_back(prefix); }
ErrorContext::~ErrorContext() { contexts().pop_back(); }

#endif

}  // namespace sparsecc::detail
