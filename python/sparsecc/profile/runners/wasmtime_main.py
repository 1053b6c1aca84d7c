"""Run a WASI command module with the ``wasmtime`` Python package (no CLI needed).

    python -m sparsecc.profile.runners.wasmtime_main TOOL.wasm DIR [args...]

DIR is preopened under the same absolute path; stdout/stderr are inherited;
the exit code is the module's.
"""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import wasmtime

    wasm, folder, *args = argv
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    cfg = wasmtime.WasiConfig()
    cfg.argv = ["sparsecc-run", *args]
    cfg.preopen_dir(folder, folder)
    cfg.inherit_stdout()
    cfg.inherit_stderr()
    store.set_wasi(cfg)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, wasm))
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        return e.code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
