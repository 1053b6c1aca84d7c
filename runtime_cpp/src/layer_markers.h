// Layer markers for instruction counting under qemu (docs/profiling.md, tools/qemu_plugin/).
// With SPARSECC_LAYER_MARKERS=1 in the environment, a profiled run (Session with
// profiling on, as sparsecc-run does) makes one cheap, harmless syscall at the
// start and the end of every layer: getppid() with extra argument registers
// (magic, layer index, phase) that the kernel ignores and the qemu TCG plugin
// reads to attribute executed instructions to layers. Off (the default) it
// costs one cached flag test per layer of a profiled run and nothing otherwise.
#pragma once

#include <cstddef>

namespace sparsecc::detail {

constexpr unsigned long kLayerMarkerMagic = 0x5CC1A7E5UL;  // first argument: "this getppid is a marker"
enum LayerMarkerPhase : unsigned long { kLayerBegin = 0, kLayerEnd = 1 };

bool layer_markers_enabled();                            // SPARSECC_LAYER_MARKERS=1, read once
void layer_marker(size_t layer, LayerMarkerPhase phase); // the marker syscall (no-op off Linux)

}  // namespace sparsecc::detail
