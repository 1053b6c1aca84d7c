"""The property every fuzzed model must satisfy, shared by the hypothesis test and the
atheris harness:

``sparsecc.compile`` either raises CompileError or succeeds; when it succeeds, the
C++ runtime loads and runs the model (no error), and if onnxruntime accepts the
mutated model (full onnx checker first, then onnxruntime), both agree within
``TOL`` (rel_err of tests/ort_check.py) wherever onnxruntime's output is finite.
Anything else — another exception type (or FrontendInternalError, the CompileError
the frontend raises when a converter fails unexpectedly), a runtime refusing a model the compiler
wrote, different shapes, different values — is a bug.

Mutations can make a network ill-conditioned (e.g. a BatchNormalization whose
epsilon is removed amplifies float32 rounding), so that two correct float32
implementations differ by more than ``TOL``. Then a float64 evaluation (onnx's
reference evaluator on a double copy of the model) decides: sparsecc must be no
further from it than onnxruntime is (with a factor 2 of slack).
"""
from __future__ import annotations

import warnings

import numpy as np
import onnx
import onnxruntime as ort
from ort_check import rel_err

import sparsecc
from sparsecc import CompileError
from sparsecc.compiler.frontend.onnx import FrontendInternalError

TOL = 1e-4
MAX_ARENA = 64 << 20  # larger compiled models are not run (keeps each example fast)


def _ort_outputs(model, feeds: dict):
    """onnxruntime's outputs by name, or None when the checker or onnxruntime refuses the model."""
    try:
        proto = model if isinstance(model, onnx.ModelProto) else onnx.load_from_string(model)
        onnx.checker.check_model(proto, full_check=True)
        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.log_severity_level = 4
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        sess = ort.InferenceSession(proto.SerializeToString(), so, providers=["CPUExecutionProvider"])
        names = [o.name for o in sess.get_outputs()]
        return dict(zip(names, sess.run(names, feeds)))
    except Exception:  # noqa: BLE001 - onnxruntime refusing the model is an allowed outcome
        return None


def check_model(model) -> str:
    """Apply the property to one (mutated) model; returns the outcome for statistics."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compiled = sparsecc.compile(model)
        except FrontendInternalError:
            raise  # a CompileError, but one that reports a converter bug
        except CompileError:
            return "rejected"
    if compiled.arena_bytes > MAX_ARENA:
        return "compiled (too large to run)"
    sess = sparsecc.InferenceSession(compiled)
    rng = np.random.default_rng(0)
    feeds = {a.name: rng.standard_normal(a.shape).astype(np.float32) for a in sess.get_inputs()}
    ours = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    expected = _ort_outputs(model, feeds)
    if expected is None:
        return "compiled, onnxruntime refuses"
    for name, exp in expected.items():
        assert name in ours, f"output {name!r} of onnxruntime missing from sparsecc's {sorted(ours)}"
        assert ours[name].shape == exp.shape, \
            f"output {name!r}: sparsecc shape {list(ours[name].shape)} != onnxruntime {list(exp.shape)}"
        if exp.dtype.kind != "f" or not np.all(np.isfinite(exp)):
            continue
        err = rel_err(ours[name], exp)
        if err > TOL:
            truth = _float64_outputs(model, feeds)
            assert truth is not None, f"output {name!r}: rel_err {err:.3g} vs onnxruntime > {TOL} (no float64 check)"
            ours_err, ort_err = rel_err(ours[name], truth[name]), rel_err(exp, truth[name])
            assert ours_err <= max(TOL, 2 * ort_err), (
                f"output {name!r}: rel_err {err:.3g} vs onnxruntime > {TOL}, and vs float64 sparsecc "
                f"{ours_err:.3g} > 2 x onnxruntime's {ort_err:.3g}")
            return "compiled, ill-conditioned, closer to float64 than onnxruntime"
    return "compiled, matches onnxruntime"


def _float64_outputs(model, feeds: dict):
    """The model evaluated in float64 by onnx's reference evaluator, or None if it cannot be."""
    from onnx import TensorProto, numpy_helper
    from onnx.reference import ReferenceEvaluator

    try:
        m = onnx.ModelProto()
        m.CopyFrom(model if isinstance(model, onnx.ModelProto) else onnx.load_from_string(model))
        for t in m.graph.initializer:
            if t.data_type == TensorProto.FLOAT:
                t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float64), t.name))
        for vi in list(m.graph.input) + list(m.graph.output):
            if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
                vi.type.tensor_type.elem_type = TensorProto.DOUBLE
        del m.graph.value_info[:]
        for node in m.graph.node:
            for a in node.attribute:
                if node.op_type == "Cast" and a.name == "to" and a.i == TensorProto.FLOAT:
                    a.i = TensorProto.DOUBLE
                if a.type == onnx.AttributeProto.TENSOR and a.t.data_type == TensorProto.FLOAT:
                    a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float64)))
        outs = ReferenceEvaluator(m).run(None, {k: v.astype(np.float64) for k, v in feeds.items()})
        return dict(zip([o.name for o in m.graph.output], outs))
    except Exception:  # noqa: BLE001 - no verdict possible
        return None
