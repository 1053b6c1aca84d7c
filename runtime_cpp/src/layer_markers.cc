// See layer_markers.h. The syscall is getppid: always succeeds, no side effects, and
// its unused argument registers carry (magic, layer, phase) to the qemu plugin.
#include "layer_markers.h"

#include <cstdlib>
#include <cstring>

#if defined(__linux__) && !defined(__wasi__) && !defined(__EMSCRIPTEN__)
#include <sys/syscall.h>
#include <unistd.h>
#define SPARSECC_HAVE_MARKER_SYSCALL 1
#endif

namespace sparsecc::detail {

bool layer_markers_enabled() {
  static const bool enabled = [] {
    const char* v = std::getenv("SPARSECC_LAYER_MARKERS");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return enabled;
}

void layer_marker(size_t layer, LayerMarkerPhase phase) {
#ifdef SPARSECC_HAVE_MARKER_SYSCALL
  syscall(SYS_getppid, kLayerMarkerMagic, static_cast<unsigned long>(layer), static_cast<unsigned long>(phase));
#else
  (void)layer;
  (void)phase;
#endif
}

}  // namespace sparsecc::detail
