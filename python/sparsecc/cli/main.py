"""The `sparsecc` command: a thin typer app over the library, one file per command."""
from __future__ import annotations

from typing import Annotated

import typer

from .common import STATE
from .compile_cmd import compile_command
from .demo_cmd import demo_command
from .inspect_cmd import inspect_command
from .profile_cmd import profile_command
from .prune_cmd import prune_command
from .run_cmd import run_command
from .runtime_cmd import runtime_app
from .targets_cmd import targets_command
from .zoo_cmd import zoo_app

app = typer.Typer(name="sparsecc", no_args_is_help=True, pretty_exceptions_enable=False,
                  help="sparsecc: compile ONNX models to fast sparse inference on mobile and edge CPUs.")


def _version(value: bool) -> None:
    if value:
        from sparsecc import __version__

        typer.echo(f"sparsecc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
          version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    STATE["debug"] = debug


app.command("compile")(compile_command)
app.command("run")(run_command)
app.command("inspect")(inspect_command)
app.command("demo")(demo_command)
app.command("prune")(prune_command)
app.command("profile")(profile_command)
app.add_typer(zoo_app, name="zoo")
app.command("targets")(targets_command)
app.add_typer(runtime_app, name="runtime")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
