"""Writing a model file is atomic: interrupted at any point — an exception or Ctrl-C
(KeyboardInterrupt) in the middle of the write, or SIGINT sent to a running
``sparsecc compile`` — the destination is either absent or the complete old file,
and no temp file is left behind. (SIGKILL cannot be cleaned up after: the
destination is still intact, a ``.tmp-*`` file may remain.)

The interruption is injected by replacing ``os.fdopen`` (which ``write_atomic`` uses to
open its temp file) with a file that writes half of the data, then fails or stalls;
the subprocess tests do the same in a small driver script, so the library carries
no test hook.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import onnx
import pytest
from model_builders import conv_bn_relu
from typer.testing import CliRunner

import sparsecc
from sparsecc.cli.main import app
from sparsecc.compiler.artifact import write_atomic

OLD = b"the complete old file"


class HalfThenInterrupt:
    """A binary file that writes half of what it is given, then raises ``error``."""

    def __init__(self, f, error: BaseException):
        self.f, self.error = f, error

    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        raise self.error

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def interrupt_writes(monkeypatch, error: BaseException):
    real = os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        f = real(fd, mode, *args, **kwargs)
        return HalfThenInterrupt(f, error) if "w" in mode else f

    monkeypatch.setattr(os, "fdopen", fdopen)


def only(folder, *names):
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(names), f"files left in {folder}: {left} (expected {sorted(names)})"


@pytest.fixture(scope="module")
def compiled():
    return sparsecc.compile(conv_bn_relu())


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError("disk full")], ids=["ctrl-c", "oserror"])
@pytest.mark.parametrize("existing", [True, False], ids=["over-old-file", "new-file"])
def test_write_atomic_interrupted_midway_keeps_old_or_nothing(tmp_path, monkeypatch, error, existing):
    dest = tmp_path / "m.scc"
    if existing:
        dest.write_bytes(OLD)
    interrupt_writes(monkeypatch, error)
    with pytest.raises(type(error)):
        write_atomic(dest, b"x" * 100_000)
    if existing:
        assert dest.read_bytes() == OLD
        only(tmp_path, "m.scc")
    else:
        only(tmp_path)


def test_compiled_model_save_interrupted_keeps_the_old_file(tmp_path, monkeypatch, compiled):
    dest = tmp_path / "m.scc"
    dest.write_bytes(OLD)
    interrupt_writes(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        compiled.save(dest)
    assert dest.read_bytes() == OLD
    only(tmp_path, "m.scc")


def test_cli_compile_interrupted_exits_130_and_keeps_the_old_file(tmp_path, monkeypatch):
    onnx.save(conv_bn_relu(), tmp_path / "m.onnx")
    (tmp_path / "m.scc").write_bytes(OLD)
    interrupt_writes(monkeypatch, KeyboardInterrupt())
    r = CliRunner().invoke(app, ["compile", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "m.scc")])
    assert r.exit_code == 130 and "interrupted" in r.output, r.output
    assert (tmp_path / "m.scc").read_bytes() == OLD
    only(tmp_path, "m.onnx", "m.scc")


# ---- a real `sparsecc compile` process, signalled while it writes ------------------------

DRIVER = textwrap.dedent("""
    # Runs `sparsecc compile ARGS`, stalling its model-file write halfway (after printing
    # WRITING) so that the test can signal it at that moment.
    import os, sys, time

    real_fdopen = os.fdopen

    class Stall:
        def __init__(self, f): self.f = f
        def write(self, data):
            self.f.write(data[: len(data) // 2]); self.f.flush()
            print("WRITING", flush=True)
            time.sleep(60)
            self.f.write(data[len(data) // 2:])
        def __getattr__(self, name): return getattr(self.f, name)
        def __enter__(self): return self
        def __exit__(self, *exc): self.f.close()

    def fdopen(fd, mode="r", *a, **k):
        f = real_fdopen(fd, mode, *a, **k)
        return Stall(f) if "w" in mode else f

    os.fdopen = fdopen
    from sparsecc.cli.main import main
    sys.argv = ["sparsecc", "compile"] + sys.argv[1:]
    main()
""")


def _compile_until_writing(tmp_path, dest):
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    onnx.save(conv_bn_relu(cin=16, cout=16, size=16), tmp_path / "m.onnx")
    proc = subprocess.Popen([sys.executable, str(driver), str(tmp_path / "m.onnx"), "-o", str(dest)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # blocks until the write is half done (or the process died)
    if line.strip() != "WRITING":
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"compile did not reach the write: {line!r} {out!r} {err!r}")
    temps = [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    assert len(temps) == 1 and 0 < temps[0].stat().st_size, "expected one half-written temp file"
    return proc


@pytest.mark.parametrize("existing", [True, False], ids=["over-old-file", "new-file"])
def test_sigint_during_cli_compile_leaves_old_file_or_nothing_and_no_temp(tmp_path, existing):
    dest = tmp_path / "out.scc"
    if existing:
        dest.write_bytes(OLD)
    proc = _compile_until_writing(tmp_path, dest)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, f"exit {proc.returncode}; stdout {out!r} stderr {err!r}"
    assert "interrupted" in err and "Traceback" not in err, err
    names = ["driver.py", "m.onnx"] + (["out.scc"] if existing else [])
    only(tmp_path, *names)
    if existing:
        assert dest.read_bytes() == OLD


def test_sigkill_during_cli_compile_never_damages_the_destination(tmp_path):
    """No cleanup can run after SIGKILL; the rename is what keeps the destination whole."""
    dest = tmp_path / "out.scc"
    dest.write_bytes(OLD)
    proc = _compile_until_writing(tmp_path, dest)
    proc.kill()
    proc.communicate(timeout=60)
    assert dest.read_bytes() == OLD


def test_written_file_gets_the_mode_of_a_plain_open_or_keeps_the_old_one(tmp_path):
    """mkstemp creates 0600 files; a model file must be as readable as any file the user writes."""
    old_umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.scc", b"data")
        assert (tmp_path / "new.scc").stat().st_mode & 0o777 == 0o644
        (tmp_path / "old.scc").write_bytes(b"old")
        os.chmod(tmp_path / "old.scc", 0o640)
        write_atomic(tmp_path / "old.scc", b"new")
        assert (tmp_path / "old.scc").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old_umask)
