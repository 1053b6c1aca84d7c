"""``sparsecc.compile``: ONNX -> IR -> canonical passes -> lowering -> model bytes."""
from __future__ import annotations

from sparsecc.compiler.artifact import serialize
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower import lower
from sparsecc.compiler.passes import PassManager, canonical_passes

from .compiled_model import CompiledModel
from .errors import InvalidArgument


def parse_input_shapes(specs) -> dict[str, list[int]]:
    """``["x:1,3,224,224", ...]`` or ``{"x": [1, 3, 224, 224]}`` -> dict."""
    if specs is None:
        return {}
    if isinstance(specs, dict):
        return {k: [int(d) for d in v] for k, v in specs.items()}
    out = {}
    for spec in specs:
        name, sep, dims = str(spec).rpartition(":")
        try:
            if not sep or not name:
                raise ValueError
            out[name] = [int(d) for d in dims.split(",")]
        except ValueError:
            raise InvalidArgument(f"bad --input-shape {spec!r}: expected NAME:D0,D1,... e.g. input:1,3,224,224") \
                from None
    return out


def compile(model, target: str = "host", input_shapes=None, dump_after=None, dump=print) -> CompiledModel:
    """Compile an ONNX model (path, bytes or ModelProto) for ``target``.

    ``input_shapes`` fixes dynamic input dims: ``{"input": [1, 3, 224, 224]}`` or
    ``["input:1,3,224,224"]``. ``dump_after``: pass names (or ``"all"``) after
    which the IR is printed with ``dump``.
    """
    if isinstance(dump_after, str):
        dump_after = {dump_after}
    graph = import_onnx(model, input_shapes=parse_input_shapes(input_shapes))
    results = PassManager(canonical_passes(), dump_after=dump_after, dump=dump).run(graph)
    plan = lower(graph, target)
    from sparsecc import __version__

    data = serialize(plan, producer=f"sparsecc {__version__}")
    return CompiledModel(data, plan=plan, graph=graph, pass_results=results)
