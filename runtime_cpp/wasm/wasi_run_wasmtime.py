"""Runs a WASI command module with the wasmtime PyPI package.

    python3 wasi_run_wasmtime.py PROG.wasm [ARGS...]

"/" is preopened as "/", PWD is the host's directory (wasi_cwd.cc follows it),
stdio is inherited; exits with the module's exit code (134 after a trap).
"""
from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: wasi_run_wasmtime.py PROG.wasm [ARGS...]", file=sys.stderr)
        return 2
    import wasmtime

    prog = argv[0]
    engine = wasmtime.Engine()
    module = wasmtime.Module.from_file(engine, prog)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    wasi = wasmtime.WasiConfig()
    wasi.argv = argv
    env = [("PWD", os.getcwd())]
    if os.environ.get("SPARSECC_ARCH"):
        env.append(("SPARSECC_ARCH", os.environ["SPARSECC_ARCH"]))
    wasi.env = env
    wasi.inherit_stdin()
    wasi.inherit_stdout()
    wasi.inherit_stderr()
    wasi.preopen_dir("/", "/")
    store.set_wasi(wasi)
    instance = linker.instantiate(store, module)
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        return e.code
    except wasmtime.Trap as e:
        print(f"wasi-run: {prog}: {e.message.splitlines()[0] if e.message else e}", file=sys.stderr)
        return 134
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    sys.exit(main(sys.argv[1:]))
