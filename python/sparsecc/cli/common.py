"""What every CLI command shares: one-line errors, --debug, JSON output, input loading."""
from __future__ import annotations

import functools
import json
import sys

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape

console = Console()
err_console = Console(stderr=True)
STATE = {"debug": False}


def handle_errors(fn):
    """Known errors become ``error: <one line>`` and exit code 1 (traceback with --debug)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from sparsecc.errors import user_errors

        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except user_errors() as e:
            if STATE["debug"]:
                raise
            err_console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, indent=2) + "\n")


def human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def load_inputs(specs: list[str], session, seed: int) -> dict[str, np.ndarray]:
    """``name=file.npy`` specs -> feeds; inputs not given get seeded random normal data."""
    from sparsecc.errors import InvalidArgument

    feeds = {}
    for spec in specs or []:
        name, sep, path = spec.partition("=")
        if not sep:
            raise InvalidArgument(f"bad --input {spec!r}: expected NAME=FILE.npy")
        try:
            feeds[name] = np.load(path, allow_pickle=False)
        except FileNotFoundError:
            raise
        except Exception as e:
            raise InvalidArgument(f"--input {name}: cannot read {path} as .npy ({e})") from None
    rng = np.random.default_rng(seed)
    for arg in session.get_inputs():
        if arg.name not in feeds and not specs:
            feeds[arg.name] = rng.standard_normal(arg.shape).astype(np.float32)
    return feeds
