"""sparsecc runtime build: cross-build the C++ runtime for a target into a folder."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from .common import STATE, console, err_console, handle_errors, human_bytes, print_json

runtime_app = typer.Typer(help="Build the C++ runtime (library, header, sparsecc-run) for a target.",
                          no_args_is_help=True)


@runtime_app.command("build")
@handle_errors
def runtime_build(
    target: Annotated[str, typer.Option("--target", "-t", help="Target name (see `sparsecc targets`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to install into (created).")],
    build_dir: Annotated[Optional[Path], typer.Option(
        "--build-dir", help="CMake build folder (default OUTPUT/.build; kept for incremental rebuilds).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel compile jobs.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the installed files as JSON.")] = False,
):
    """Configure CMake with the target's toolchain, build the runtime and install it.

    Installs include/sparsecc/*.h, lib/libsparsecc_runtime.{a,so} and bin/sparsecc-run
    (wasm32: lib/sparsecc_runtime.wasm, bin/sparsecc-run.wasm, js/*.mjs).

    Examples:

      sparsecc runtime build --target arm64 -o dist/arm64

      qemu-aarch64 -L /usr/aarch64-linux-gnu dist/arm64/bin/sparsecc-run model.scc
    """
    from sparsecc.runtime_build import RuntimeBuildError, build_runtime

    progress = (lambda s: None) if as_json else (lambda s: err_console.print(f"[dim]{escape(s)}[/]"))
    try:
        result = build_runtime(target, output, build_dir=build_dir, jobs=jobs, log=progress)
    except RuntimeBuildError as e:
        if STATE["debug"]:
            raise
        err_console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if as_json:
        print_json(result.to_json())
        return
    console.print(f"built the [bold]{result.target}[/] runtime into [bold]{escape(str(result.out_dir))}[/] "
                  f"in {result.seconds:.1f} s:")
    for p in result.files:
        console.print(f"  {escape(str(p.relative_to(result.out_dir)))}  ({human_bytes(p.stat().st_size)})")
