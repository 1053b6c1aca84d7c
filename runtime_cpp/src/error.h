// The one way the runtime reports an error: sparsecc::detail::raise_error(msg).
//
// Normal builds (C++ exceptions on): throws sparsecc::Error(msg), exactly as a
// plain `throw Error(msg)` would; with_error_context(prefix, f) runs f() and
// rethrows its Error with "prefix: " in front.
//
// -fno-exceptions builds (wasm32-wasi: Debian's wasm32 libc++abi has no
// exception support): raise_error stores the message (with the prefixes of the
// with_error_context calls it is inside of, outermost first) where
// last_fatal_error() finds it, then calls the fail handler, which must not
// return. The default handler prints "sparsecc: <msg>" to stderr and aborts;
// the wasm reactor installs one that traps (the JS wrapper reads the message and
// re-instantiates the module), sparsecc-run one that prints and exits 1.
// Allocation failures go through the same path (a std::new_handler).
#pragma once

#include <new>
#include <string>
#include <utility>

#include "sparsecc/runtime.h"

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define SPARSECC_EXCEPTIONS 1
#else
#define SPARSECC_EXCEPTIONS 0
#endif

namespace sparsecc::detail {

[[noreturn]] void raise_error(const std::string& message);

#if SPARSECC_EXCEPTIONS

template <typename F>
decltype(auto) with_error_context(const std::string& prefix, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    raise_error(prefix + ": " + e.what());
  }
}

// Runs f(); a std::bad_alloc from it becomes an Error with `message`.
template <typename F>
decltype(auto) or_out_of_memory(const std::string& message, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    raise_error(message);
  }
}

#else

using FailHandler = void (*)(const char* message);
// Replaces the handler called after the message is stored; returns the old one.
FailHandler set_fail_handler(FailHandler handler);
// The message of the last raise_error ("" if none).
const char* last_fatal_error();

// RAII: while alive, raise_error prefixes its message with "prefix: ".
class ErrorContext {
 public:
  explicit ErrorContext(const std::string& prefix);
  ~ErrorContext();
  ErrorContext(const ErrorContext&) = delete;
  ErrorContext& operator=(const ErrorContext&) = delete;
};

template <typename F>
decltype(auto) with_error_context(const std::string& prefix, F&& f) {
  ErrorContext ctx(prefix);
  return f();
}

// Without exceptions a failed allocation reaches the new_handler, which reports
// "out of memory" (after the active context prefixes) through the fail handler.
template <typename F>
decltype(auto) or_out_of_memory(const std::string& message, F&& f) {
  (void)message;
  return f();
}

#endif

}  // namespace sparsecc::detail
