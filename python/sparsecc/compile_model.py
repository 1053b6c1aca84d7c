"""``sparsecc.compile``: ONNX -> IR -> canonical passes -> lowering -> model bytes."""
from __future__ import annotations

from sparsecc.compiler.artifact import serialize
from sparsecc.compiler.frontend.onnx import import_onnx
from sparsecc.compiler.lower import lower
from sparsecc.compiler.passes import PassManager, canonical_passes

from .compiled_model import CompiledModel
from .errors import InvalidArgument


# default of ``rearrange`` per group selection: on whenever groups are zeroed (``--no-rearrange`` /
# rearrange=False turns it off). Measured (bench/rearrange_gain.py, docs/rearrange.md): kept magnitude
# up on every zoo model and sparsity (14-32 % of the g4-g1 gap, 51 % on the trained fixture), MNIST
# top-1 never lower; the search is step-bounded (same permutation on any machine) and costs 2-4 s
# of CPU on a 224x224 zoo model; the time budget is only a safety net.
REARRANGE_DEFAULT = {"magnitude": True, "obs": True}


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


def default_compensate(criterion: str, calibration) -> bool:
    """Compensation is on by default with calibration data or the ``obs`` criterion (it is OBS's second half)."""
    return calibration is not None or criterion == "obs"


def compile(model, target: str = "host", input_shapes=None, dump_after=None, dump=print,
            prune_channels: float = 0.0, prune_criterion: str = "l2", calibration=None,
            compensate: bool | None = None, kernels: str | None = None, sparsity: float = 0.0,
            pattern: str = "g4", layer_sparsity=None, sparsity_policy: str = "uniform",
            sparsity_selection: str | None = None, tune: bool = False, export_onnx=None,
            rearrange: bool | None = None, rearrange_budget: float = 10.0) -> CompiledModel:
    """Compile an ONNX model (path, bytes or ModelProto) for ``target``.

    ``kernels``: "fast" (default: the target's SIMD kernels where they apply) or
    "ref" (the scalar reference kernels everywhere, e.g. to check a result);
    ``$SPARSECC_KERNELS`` sets the default.

    ``input_shapes`` fixes dynamic input dims: ``{"input": [1, 3, 224, 224]}`` or
    ``["input:1,3,224,224"]``. ``dump_after``: pass names (or ``"all"``) after
    which the IR is printed with ``dump``.

    ``prune_channels`` > 0 first removes that fraction of every layer's prunable
    channel classes (structured pruning, ``group_prune``) ranked by
    ``prune_criterion`` (l1, l2, bn_scale, activation, taylor, obs), with
    ``calibration`` samples (an .npz path, ``{input name: array}`` or one array;
    None = data-free) and consumer weight ``compensate`` (default: on with
    calibration data or the obs criterion); then the canonical passes run.

    ``sparsity`` > 0 (or a ``layer_sparsity`` override) then zeroes groups of
    ``pattern`` (g1/g2/g4/g8) per layer (``group_sparsity``, docs/sparsity.md):
    ``layer_sparsity`` = ``{node name: s}`` or ``["name=0.7", ...]``;
    ``sparsity_policy`` "uniform" or "sensitivity"; ``sparsity_selection``
    "magnitude" or "obs" (default: obs with ``calibration``, else magnitude).
    The pass's per-layer report is ``CompiledModel.sparsity_report``.
    ``rearrange``: first permute channels (function-preserving, ``rearrange``,
    docs/rearrange.md) so the groups keep more weight magnitude; None = the
    default per selection (``REARRANGE_DEFAULT``: on); ``rearrange_budget``
    is a CPU-time safety net for its step-bounded search (seconds). Its per-space report is
    ``CompiledModel.rearrange_report``.
    ``tune``: lowering measures dense vs sparse kernels on this host and keeps the
    faster (host target only). ``export_onnx``: also write the compiled graph
    (after all passes, zeroed groups included) as ONNX to this path.
    """
    if isinstance(dump_after, str):
        dump_after = {dump_after}
    overrides = parse_layer_sparsity(layer_sparsity)
    sparsifier = None
    if sparsity or overrides:
        from sparsecc.compiler.passes.group_sparsity import GroupSparsity

        sparsifier = GroupSparsity(sparsity, pattern, calibration=calibration, layer_sparsity=overrides,
                                   policy=sparsity_policy, selection=sparsity_selection)
    try:  # checked even when the pass does not run: a bad value is a mistake either way
        budget = float(rearrange_budget)
    except (TypeError, ValueError):
        raise InvalidArgument(f"rearrange budget must be a number of seconds, got {rearrange_budget!r}") from None
    if not budget >= 0:
        raise InvalidArgument(f"rearrange budget must be >= 0 seconds, got {rearrange_budget!r}")
    rearranger = None
    if rearrange is None and sparsifier is not None:
        rearrange = REARRANGE_DEFAULT.get(sparsifier.selection, False)
    if sparsifier is not None and rearrange:
        from sparsecc.compiler.passes.rearrange import Rearrange

        # the search targets the global sparsity (or the mean override when only overrides are given)
        goal = float(sparsity) if sparsity else sum(overrides.values()) / len(overrides)
        rearranger = Rearrange(min(max(goal, 0.0), 0.99), pattern, budget_s=budget)
    graph = import_onnx(model, input_shapes=parse_input_shapes(input_shapes))
    passes = canonical_passes()
    if prune_channels or (calibration is not None and sparsifier is None):
        from sparsecc.compiler.passes.group_prune import GroupPrune

        if compensate is None:
            compensate = default_compensate(prune_criterion, calibration)
        passes = [GroupPrune(float(prune_channels), prune_criterion, calibration=calibration,
                             compensate=compensate)] + list(passes)
    if rearranger is not None:
        passes.append(rearranger)  # right before group_sparsity, on the weights it will see
    if sparsifier is not None:
        passes.append(sparsifier)
    results = PassManager(passes, dump_after=dump_after, dump=dump).run(graph)
    plan = lower(graph, target, kernels=kernels, tune=bool(tune))
    from sparsecc import __version__

    data = serialize(plan, producer=f"sparsecc {__version__}")
    compiled = CompiledModel(data, plan=plan, graph=graph, pass_results=results)
    compiled.sparsity_report = sparsifier.report if sparsifier is not None else []
    compiled.rearrange_report = rearranger.report if rearranger is not None else []
    if export_onnx is not None:
        from sparsecc.compiler.artifact import write_atomic
        from sparsecc.compiler.export.onnx import export_onnx as to_onnx

        write_atomic(export_onnx, to_onnx(graph).SerializeToString())
    return compiled


def parse_layer_sparsity(specs) -> dict[str, float]:
    """``["name=0.7", ...]`` or ``{"name": 0.7}`` -> dict (values checked by the pass)."""
    if not specs:
        return {}
    if isinstance(specs, dict):
        return dict(specs)
    out = {}
    for spec in specs:
        name, sep, value = str(spec).rpartition("=")
        if not sep or not name:
            raise InvalidArgument(f"bad --layer-sparsity {spec!r}: expected NODE_NAME=SPARSITY e.g. conv5=0.7")
        try:
            out[name] = float(value)
        except ValueError:
            raise InvalidArgument(f"bad --layer-sparsity {spec!r}: {value!r} is not a number") from None
    return out


def prune(model, ratio: float, criterion: str = "l2", calibration=None, compensate: bool | None = None,
          mode: str = "local", round_to: int = 1, max_layer_ratio: float = 0.9, input_shapes=None,
          opset: int = 17):
    """Structured channel pruning of an ONNX model; returns ``(pruned onnx.ModelProto, GroupPrune pass)``.

    The arguments are those of ``sparsecc prune`` (see ``compile`` for
    ``calibration`` and ``compensate``). A model whose first input has a
    symbolic batch dim keeps it.
    """
    from sparsecc.compiler.export.onnx import export_onnx
    from sparsecc.compiler.frontend.onnx import load_model
    from sparsecc.compiler.passes.group_prune import GroupPrune

    proto = load_model(model)
    graph = import_onnx(proto, input_shapes=parse_input_shapes(input_shapes))
    if compensate is None:
        compensate = default_compensate(criterion, calibration)
    pruner = GroupPrune(ratio, criterion, mode=mode, round_to=round_to, max_layer_ratio=max_layer_ratio,
                        calibration=calibration, compensate=compensate)
    pruner.run(graph)
    dynamic = has_dynamic_batch(proto) and not parse_input_shapes(input_shapes)
    return export_onnx(graph, opset=opset, dynamic_batch=dynamic), pruner


def has_dynamic_batch(proto) -> bool:
    """True if every graph input's leading dim is symbolic (a dim_param or unset)."""
    inits = {t.name for t in proto.graph.initializer}
    inputs = [vi for vi in proto.graph.input if vi.name not in inits]
    if not inputs:
        return False
    for vi in inputs:
        dims = vi.type.tensor_type.shape.dim
        if not len(dims) or dims[0].HasField("dim_value"):
            return False
    return True
