// Minimal self-contained test harness (no third-party code).
//
//   TEST(loader_rejects_zero_length_file) { CHECK_THROWS(load({}), "too small"); }
//
// Each test executable runs every registered test (or those whose name
// contains argv[1]); a failing CHECK records the message with file:line and
// the test continues; the exit code is the number of failed tests (capped).
#pragma once

#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace scctest {

struct TestCase {
  const char* name;
  std::function<void()> fn;
};

inline std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> fn) { registry().push_back({name, std::move(fn)}); }
};

inline int& failures_in_current_test() {
  static int n = 0;
  return n;
}

// -fno-exceptions builds (wasm32-wasi): a runtime error cannot be caught (the
// runtime's fail handler ends the program), so a check that expects one is
// skipped with a printed note. load_error() & co. return kNeedsExceptions
// instead of the message; a failed check whose message carries it is counted
// as skipped, not failed.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define SCC_TEST_EXCEPTIONS 1
#else
#define SCC_TEST_EXCEPTIONS 0
#endif
inline const std::string kNeedsExceptions = "[expected error not checked: this build has no C++ exceptions]";

inline int& skipped_in_current_test() {
  static int n = 0;
  return n;
}

inline void note_skipped(const char* file, int line, const std::string& what) {
  ++skipped_in_current_test();
  std::fprintf(stderr, "  skipped %s:%d: %s %s\n", file, line, what.c_str(), kNeedsExceptions.c_str());
}

inline void report(const char* file, int line, const std::string& msg) {
  if (!SCC_TEST_EXCEPTIONS && msg.find(kNeedsExceptions) != std::string::npos) {
    note_skipped(file, line, "check");
    return;
  }
  ++failures_in_current_test();
  std::fprintf(stderr, "  FAILED %s:%d: %s\n", file, line, msg.c_str());
}

template <typename T>
std::string to_str(const T& v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

int run_all(int argc, char** argv);

}  // namespace scctest

#define SCC_CAT2(a, b) a##b
#define SCC_CAT(a, b) SCC_CAT2(a, b)
#define TEST(name)                                                        \
  static void name();                                                     \
  static scctest::Registrar SCC_CAT(registrar_, name)(#name, name);       \
  static void name()

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) scctest::report(__FILE__, __LINE__, "CHECK(" #cond ") is false");   \
  } while (0)

#define CHECK_MSG(cond, msg)                                                                        \
  do {                                                                                              \
    if (!(cond)) scctest::report(__FILE__, __LINE__, std::string("CHECK(" #cond ") is false: ") + (msg)); \
  } while (0)

#define CHECK_EQ(a, b)                                                                                \
  do {                                                                                                \
    auto va_ = (a);                                                                                   \
    auto vb_ = (b);                                                                                   \
    if (!(va_ == vb_))                                                                                \
      scctest::report(__FILE__, __LINE__,                                                             \
                      std::string(#a " == " #b ": ") + scctest::to_str(va_) + " != " + scctest::to_str(vb_)); \
  } while (0)

// Throws-check: `expr` must throw sparsecc::Error whose message contains `needle`.
// Without exceptions `expr` is not evaluated (it would end the program): skipped, with a note.
#if !SCC_TEST_EXCEPTIONS
#define CHECK_THROWS(expr, needle) scctest::note_skipped(__FILE__, __LINE__, "CHECK_THROWS(" #expr ")")
#else
#define CHECK_THROWS(expr, needle)                                                                     \
  do {                                                                                                 \
    bool thrown_ = false;                                                                              \
    try {                                                                                              \
      (void)(expr);                                                                                    \
    } catch (const sparsecc::Error& e_) {                                                              \
      thrown_ = true;                                                                                  \
      if (std::string(e_.what()).find(needle) == std::string::npos)                                    \
        scctest::report(__FILE__, __LINE__, std::string(#expr " threw \"") + e_.what() +              \
                                                "\" which does not mention \"" + (needle) + "\"");    \
    } catch (const std::exception& e_) {                                                               \
      thrown_ = true;                                                                                  \
      scctest::report(__FILE__, __LINE__, std::string(#expr " threw a non-sparsecc exception: ") + e_.what()); \
    }                                                                                                  \
    if (!thrown_) scctest::report(__FILE__, __LINE__, #expr " did not throw (expected \"" + std::string(needle) + "\")"); \
  } while (0)
#endif

// Elementwise comparison of float vectors with a relative+absolute tolerance.
#define CHECK_CLOSE(got, expected, tol)                                                               \
  do {                                                                                                \
    const std::vector<float>& g_ = (got);                                                             \
    const std::vector<float>& x_ = (expected);                                                        \
    if (g_.size() != x_.size()) {                                                                     \
      scctest::report(__FILE__, __LINE__, std::string(#got ": size ") + std::to_string(g_.size()) +   \
                                              " != expected " + std::to_string(x_.size()));          \
      break;                                                                                          \
    }                                                                                                 \
    for (size_t i_ = 0; i_ < g_.size(); ++i_) {                                                       \
      if (!(std::fabs(g_[i_] - x_[i_]) <= (tol) * (1.0f + std::fabs(x_[i_])))) {                     \
        scctest::report(__FILE__, __LINE__, std::string(#got "[") + std::to_string(i_) + "] = " +     \
                                                std::to_string(g_[i_]) + ", expected " + std::to_string(x_[i_])); \
        break;                                                                                        \
      }                                                                                               \
    }                                                                                                 \
  } while (0)
