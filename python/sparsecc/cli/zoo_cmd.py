"""sparsecc zoo: build the built-in test models as ONNX files (no downloads)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import console, handle_errors

zoo_app = typer.Typer(help="Built-in models, built with onnx.helper from seeded weights.", no_args_is_help=True)


@zoo_app.command("list")
def zoo_list():
    """List the built-in models.

    Example:

      sparsecc zoo list
    """
    from sparsecc.zoo import list_models

    for name in list_models():
        console.print(name)


@zoo_app.command("build")
@handle_errors
def zoo_build(
    name: Annotated[str, typer.Argument(help="Model name (see `sparsecc zoo list`).")],
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="ONNX file to write (default NAME.onnx).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the weights.")] = 0,
):
    """Build a built-in model and save it as ONNX.

    Example:

      sparsecc zoo build mobilenet_v1 -o mobilenet_v1.onnx
    """
    from sparsecc.compiler.artifact import write_atomic
    from sparsecc.errors import InvalidArgument
    from sparsecc.zoo import build, list_models

    if name not in list_models():
        raise InvalidArgument(f"unknown model {name!r}; built-in models: {', '.join(list_models())}")
    out = output or Path(f"{name}.onnx")
    write_atomic(out, build(name, seed=seed).SerializeToString())
    console.print(f"wrote {out}")
