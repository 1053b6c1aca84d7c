"""Turn the user's model (ONNX or .scc) into a model file to run, plus per-layer facts.

ONNX goes through ``sparsecc.compile`` with the same options as ``sparsecc
compile``; a ``.scc`` file is used as it is (its target must match). FLOPs per
layer come from the compiler's cost counts (``compiler/passes/flops.py``),
evaluated on the plan's logical tensor shapes, so a ``.scc`` file without its
source graph gets them too.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from sparsecc.compiler.passes.flops import node_macs

from .options import CompileOptions, ProfileError


@dataclass
class PreparedModel:
    scc_path: Path                     # the model file the runner executes
    source: Path                       # what the user gave
    source_format: str                 # "onnx" or "scc"
    target: str
    layers: list[dict] = field(default_factory=list)   # name, op, kernel, output_shape, flops (plan order)
    input_shapes: dict = field(default_factory=dict)
    onnx_model: object = None          # the onnx.ModelProto when the source is ONNX (for onnxruntime)


def layer_facts(plan) -> list[dict]:
    """Per plan node: name, op, kernel, first output shape, FLOPs (2 x MACs; 0 for uncounted ops) and
    the group sparsity recorded on the node (``sparsity``/``sparsity_pattern`` attributes; None: dense)."""
    out = []
    for n in plan.nodes:
        ins = [SimpleNamespace(shape=tuple(plan.tensors[i].shape)) if i is not None else None for i in n.inputs]
        outs = [SimpleNamespace(shape=tuple(plan.tensors[i].shape)) for i in n.outputs]
        node = SimpleNamespace(op=n.op, inputs=ins, output=outs[0] if outs else None)
        attrs = {a[0]: a[2] for a in n.attrs}
        sp = attrs.get("sparsity")
        sp = float(sp[0] if isinstance(sp, (list, tuple)) else sp) if sp is not None else None
        try:
            flops = 2 * int(node_macs(node)) if outs else 0
        except (IndexError, TypeError, AttributeError):
            flops = 0  # an op whose inputs do not fit the counting rule is left uncounted
        out.append({"name": n.name, "op": n.op, "kernel": n.kernel,
                    "output_shape": list(outs[0].shape) if outs else [], "flops": flops,
                    "sparsity": sp, "sparsity_pattern": str(attrs["sparsity_pattern"]) if sp is not None
                    and attrs.get("sparsity_pattern") else None})
    return out


def prepare(model: Path, options: CompileOptions, workdir: Path | None = None, compile_fn=None) -> PreparedModel:
    """Compile ``model`` if it is ONNX (into ``workdir``), or load a ``.scc`` file."""
    import sparsecc
    from sparsecc.compiled_model import CompiledModel

    model = Path(model)
    if not model.is_file():
        raise FileNotFoundError(f"no such model file: {model}")
    suffix = model.suffix.lower()
    if suffix == ".onnx":
        import onnx

        proto = onnx.load(os.fspath(model))
        compiled = (compile_fn or sparsecc.compile)(proto, target=options.target,
                                                    input_shapes=list(options.input_shapes) or None,
                                                    kernels=options.kernels, sparsity=options.sparsity,
                                                    pattern=options.pattern, calibration=options.calibration)
        workdir = Path(workdir or tempfile.mkdtemp(prefix="sparsecc-profile-"))
        scc = workdir / f"{model.stem}.{options.target}.scc"
        compiled.save(scc)
        fmt = "onnx"
    elif suffix == ".scc":
        if options.input_shapes:
            raise ProfileError("--input-shape applies to ONNX models; a .scc file has fixed shapes")
        if options.sparsity or options.calibration:
            raise ProfileError("--sparsity/--sweep/--calib compile an ONNX model; a .scc file is already compiled")
        compiled, scc, proto, fmt = CompiledModel.load(model), model, None, "scc"
        if compiled.target != options.target:
            raise ProfileError(f"{model.name} was compiled for target {compiled.target!r}, not {options.target!r}: "
                               f"pass --target {compiled.target} or profile the ONNX model")
    else:
        raise ProfileError(f"{model.name}: expected an .onnx or .scc model file")
    plan = compiled.plan
    shapes = {plan.tensors[i].name: list(plan.tensors[i].shape) for i in plan.inputs}
    return PreparedModel(scc_path=scc, source=model, source_format=fmt, target=compiled.target,
                         layers=layer_facts(plan), input_shapes=shapes, onnx_model=proto)
