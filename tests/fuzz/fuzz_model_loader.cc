// libFuzzer target: arbitrary bytes -> sparsecc::Model::load_bytes; a model that
// loads (and is small enough, fuzz_common.h) gets a Session and one run on
// zero-filled inputs. Each input is tried twice: as given (header checks, CRCs)
// and with file_size and both CRCs patched (everything behind the checksums).
// Any crash, sanitizer report, leak or non-sparsecc::Error exception is a bug.
#include "fuzz_common.h"

namespace {

void try_model(const uint8_t* data, size_t size) {
  std::shared_ptr<const sparsecc::Model> m;
  try {
    m = sparsecc::Model::load_bytes(data, size);
  } catch (const sparsecc::Error&) {
    return;  // rejected with a message: the expected outcome for most inputs
  }
  (void)m->target();
  (void)m->producer();
  for (const auto& n : m->nodes()) (void)n.output_shapes.size();
  if (!sccfuzz::small_enough(*m)) return;
  sparsecc::Session s(m, sparsecc::SessionOptions{1, true});
  sccfuzz::IoBuffers io(*m);
  s.run(io.in_ptr, io.out_ptr);
  if (s.last_profile().size() != m->nodes().size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try_model(data, size);
  std::vector<uint8_t> fixed = sccfuzz::with_valid_crcs(data, size);
  if (!fixed.empty()) try_model(fixed.data(), fixed.size());
  return 0;
}
