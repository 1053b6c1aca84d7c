"""Engines the benchmark runs side by side. Each is a callable factory
``make(model: onnx.ModelProto, feeds, threads) -> run()``; optional peers raise
:class:`PeerUnavailable` with a one-line reason when they are not installed
(``pip install sparsecc[peers]``) or cannot compile the model, and the
benchmark records the reason instead of a number."""
from __future__ import annotations

import importlib.util
import os
from contextlib import contextmanager

import numpy as np
import onnx
import onnxruntime as ort

import sparsecc


class PeerUnavailable(Exception):
    pass


@contextmanager
def _env(key: str, value: str):
    old = os.environ.get(key)
    os.environ[key] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = old


def sparsecc_engine(kernels: str):
    """sparsecc with fast kernels ("fast") or the scalar references ("ref")."""
    def make(model: onnx.ModelProto, feeds: dict, threads: int):
        with _env("SPARSECC_KERNELS", kernels):
            compiled = sparsecc.compile(model)
        sess = sparsecc.InferenceSession(compiled, num_threads=threads)
        kinds = sorted({n["kernel"] for n in sess.nodes})
        run = lambda: sess.run(None, feeds)  # noqa: E731
        run.info = {"kernels_used": kinds}
        return run
    return make


def onnxruntime_engine(model: onnx.ModelProto, feeds: dict, threads: int):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    run = lambda: sess.run(None, feeds)  # noqa: E731
    run.info = {"version": ort.__version__}
    return run


def tvm_engine(model: onnx.ModelProto, feeds: dict, threads: int):
    """Apache TVM (relax ONNX frontend, llvm target, untuned)."""
    if importlib.util.find_spec("tvm") is None:
        raise PeerUnavailable("tvm not installed (pip install 'sparsecc[peers]' or apache-tvm)")
    try:
        os.environ.setdefault("TVM_NUM_THREADS", str(threads))
        import tvm
        from tvm import relax
        from tvm.relax.frontend.onnx import from_onnx

        mod = from_onnx(model, shape_dict={k: list(v.shape) for k, v in feeds.items()}, keep_params_in_input=False)
        mod = relax.transform.DecomposeOpsForInference()(mod)
        mod = relax.transform.LegalizeOps()(mod)
        ex = relax.build(mod, target="llvm")
        vm = relax.VirtualMachine(ex, tvm.cpu())
        args = [tvm.nd.array(feeds[i.name]) for i in model.graph.input if i.name in feeds]
    except Exception as e:  # an optional peer that fails is reported, not fatal
        raise PeerUnavailable(f"tvm failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}") from None
    run = lambda: vm["main"](*args)  # noqa: E731
    run.info = {"version": tvm.__version__}
    return run


def mnn_engine(model: onnx.ModelProto, feeds: dict, threads: int):
    """MNN: needs its converter (MNNConvert) and Python module; only the skip path for now."""
    if importlib.util.find_spec("MNN") is None:
        raise PeerUnavailable("MNN not installed (pip install MNN)")
    raise PeerUnavailable("MNN installed, but its adapter (ONNX -> .mnn conversion) is not implemented yet")


def outputs_of(run) -> list[np.ndarray]:
    out = run()
    if isinstance(out, (list, tuple)):
        return [np.asarray(o.numpy() if hasattr(o, "numpy") else o) for o in out]
    return [np.asarray(out.numpy() if hasattr(out, "numpy") else out)]


ENGINES = {
    "sparsecc": sparsecc_engine("fast"),
    "sparsecc-ref": sparsecc_engine("ref"),
    "onnxruntime": onnxruntime_engine,
    "tvm": tvm_engine,
    "mnn": mnn_engine,
}
