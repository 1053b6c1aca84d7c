"""Per-layer ARM estimate: instructions (qemu plugin) / IPC (llvm-mca) = cycles; cycles / clock = ms.

A layer's IPC is that of the hot loop of its NEON kernel (``mca.kernel_ipc``).
Layers without one (the scalar ``ref`` kernels, a kernel without a SIMD loop)
get ``FALLBACK_IPC`` and are marked so. The instruction count covers the whole
layer (setup, packing, edges included); applying the hot loop's IPC to all of
it is the approximation. Memory stalls (cache misses, DRAM bandwidth), branch
mispredictions and frequency scaling are ignored, so the estimate is a lower
bound on a real core's time for memory-bound layers.
"""
from __future__ import annotations

from . import mca

FALLBACK_IPC = 1.0        # scalar/unknown code: one instruction per cycle
MCPU_OF_DEVICE = {"raspberry-pi-4": "cortex-a72"}   # device tags that are boards, not cores
DEFAULT_DEVICE = "cortex-a76"


def device_info(device: str | None) -> dict:
    """The device tag's core (for llvm-mca -mcpu) and clock (targets/arm64.toml)."""
    from sparsecc.compiler.lower.target_desc import get_target_desc

    from ..options import ProfileError

    tag = device or DEFAULT_DEVICE
    try:
        dev = get_target_desc("arm64").device(tag)
    except Exception as e:  # an unknown tag: one line naming the known ones
        raise ProfileError(f"--device: {e}") from None
    return {"device": tag, "mcpu": MCPU_OF_DEVICE.get(tag, tag), "freq_ghz": float(dev.freq_ghz)}


def estimate_layers(layers: list[dict], instructions: list[int], device: str | None) -> dict:
    """Per layer {instructions, ipc, ipc_source, cycles, ms} and the totals, for ``device``."""
    info = device_info(device)
    out = []
    for layer, n in zip(layers, instructions):
        stats = mca.kernel_ipc(layer["kernel"], info["mcpu"])
        ipc = stats["ipc"] if stats else FALLBACK_IPC
        cycles = n / ipc
        out.append({"instructions": int(n), "ipc": ipc,
                    "ipc_source": stats["source"] if stats else f"assumed {FALLBACK_IPC:g} (no NEON loop)",
                    "cycles": cycles, "ms": cycles / (info["freq_ghz"] * 1e6)})
    total_cycles = sum(e["cycles"] for e in out)
    return {**info, "method": f"instructions (qemu TCG plugin) / IPC of the kernel's hot loop "
                              f"(llvm-mca -mcpu={info['mcpu']}); ignores memory stalls",
            "total_instructions": sum(e["instructions"] for e in out), "total_cycles": total_cycles,
            "total_ms": total_cycles / (info["freq_ghz"] * 1e6), "layers": out}


def apply_estimate(raw: dict, device: str | None) -> None:
    """Add ``raw["estimate"]`` when the runner counted instructions per layer (qemu with the plugin)."""
    counts = raw.get("instructions")
    if counts is None:
        return
    missing = mca.tools_available()
    if missing:
        from ..options import ProfileError

        raise ProfileError(f"ARM estimate: {missing}")
    raw["estimate"] = estimate_layers(raw["layers"], counts, device)
