// Runs the tests registered in this executable; argv[1] optionally filters by name.
#include <cstring>
#include <exception>

#include "sparsecc/runtime.h"
#include "test_harness.h"

int scctest::run_all(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  int failed = 0, ran = 0, skipped_checks = 0;
  for (const TestCase& t : registry()) {
    if (filter && !std::strstr(t.name, filter)) continue;
    ++ran;
    failures_in_current_test() = 0;
    skipped_in_current_test() = 0;
#if SCC_TEST_EXCEPTIONS
    try {
      t.fn();
    } catch (const std::exception& e) {
      report(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
#else
    t.fn();  // no exceptions: an unexpected runtime error ends the program with its message
#endif
    const bool ok = failures_in_current_test() == 0;
    std::fprintf(stderr, "[%s] %s\n", ok ? "  OK  " : "FAILED", t.name);
    failed += ok ? 0 : 1;
    skipped_checks += skipped_in_current_test();
  }
  if (skipped_checks)
    std::fprintf(stderr, "%d/%d tests passed (%d error checks skipped: no C++ exceptions in this build)\n", ran - failed,
                 ran, skipped_checks);
  else
    std::fprintf(stderr, "%d/%d tests passed\n", ran - failed, ran);
  return failed > 100 ? 100 : failed;
}

int main(int argc, char** argv) { return scctest::run_all(argc, argv); }
