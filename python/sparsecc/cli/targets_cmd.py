"""sparsecc targets: the target descriptions in targets/*.toml, as tables or JSON."""
from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from .common import console, handle_errors, print_json


def _desc_json(d) -> dict:
    out = asdict(d)
    out["toolchain"] = str(d.toolchain)
    out["path"] = str(d.path)
    out["devices"] = {tag: {**asdict(dev), "peak_gflops": round(dev.peak_gflops, 1)} for tag, dev in d.devices.items()}
    return out


@handle_errors
def targets_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the descriptions as JSON.")] = False,
):
    """List the compile targets (targets/*.toml) and their device tags.

    Examples:

      sparsecc targets

      sparsecc targets --json
    """
    from sparsecc.compiler.lower.target_desc import list_target_descs, targets_dir

    descs = list_target_descs()
    if as_json:
        print_json({"targets_dir": str(targets_dir()), "targets": [_desc_json(d) for d in descs]})
        return
    t = Table(title=f"targets ({targets_dir()})", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True)
    for col in ("name", "triple", "simd", "ISA features", "bits", "cores", "L1d", "L2", "runner"):
        t.add_column(col, justify="right" if col in ("bits", "cores", "L1d", "L2") else "left",
                     no_wrap=col != "ISA features")
    for d in descs:
        t.add_row(d.name, d.triple, d.kernel_arch, ", ".join(d.isa_features), str(d.vector_bits), str(d.cores),
                  str(d.l1d_kib), str(d.l2_kib), d.runner.kind)
    console.print(t)
    dev = Table(title="device tags (for the cost model)", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True)
    for col in ("target", "device", "cores", "L1d", "L2", "GHz", "FMA lanes", "GFLOP/s"):
        dev.add_column(col, justify="left" if col in ("target", "device") else "right", no_wrap=True)
    for d in descs:
        for tag, v in d.devices.items():
            dev.add_row(d.name, tag, str(v.cores), str(v.l1d_kib), str(v.l2_kib), f"{v.freq_ghz:g}",
                        str(v.fma_lanes_per_cycle), f"{v.peak_gflops:.1f}")
    console.print(dev)
    console.print("caches in KiB; FMA lanes = fp32 fused multiply-add lanes per cycle and core; "
                  "GFLOP/s = fp32 peak of all cores; toolchains and runner commands: --json", style="dim")
