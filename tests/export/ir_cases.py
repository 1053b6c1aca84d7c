"""Single-node IR graphs for the exporter's per-op tests.

``CASES`` lists, for every IR op of docs/ir-ops.md, a few attribute/shape
combinations (and every fused activation kind on Conv, plus some on the other
producers). ``build(case)`` turns one into a verified IR graph and seeded feeds;
the tests export it and compare onnxruntime with the IR's numpy reference.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sparsecc.compiler.ir import Graph, verify
from sparsecc.compiler.ir.ops import infer_node
from sparsecc.compiler.ir.ops.activation import ACTIVATIONS

ACT_PARAMS = {"clip": [-0.4, 0.6], "leaky_relu": [0.15], "hard_sigmoid": [0.25, 0.45]}


@dataclass
class Const:
    """A constant input (an initializer once exported)."""
    array: np.ndarray


@dataclass
class Case:
    op: str
    inputs: list              # per input: a shape (graph input), a Const or None (absent)
    attrs: dict = field(default_factory=dict)
    lo: float = -2.0          # graph inputs are uniform in [lo, hi)
    hi: float = 2.0

    @property
    def label(self) -> str:
        shapes = [None if i is None else (list(i.array.shape) if isinstance(i, Const) else list(i))
                  for i in self.inputs]
        return f"{self.op} inputs {shapes} attrs {self.attrs}"


def build(case: Case, seed: int = 0) -> tuple[Graph, dict[str, np.ndarray]]:
    """A verified graph with one ``case.op`` node (named ``node``), and feeds for its inputs."""
    rng = np.random.default_rng(seed)
    g = Graph(case.op)
    ins, feeds = [], {}
    for i, spec in enumerate(case.inputs):
        if spec is None:
            ins.append(None)
        elif isinstance(spec, Const):
            ins.append(g.const(f"c{i}", spec.array))
        else:
            v = g.add_input(f"x{i}", spec)
            feeds[v.name] = rng.uniform(case.lo, case.hi, spec).astype(np.float32)
            ins.append(v)
    while ins and ins[-1] is None:
        ins.pop()
    n_out = len(case.attrs["split"]) if case.op == "Split" else 1
    node = g.add_node(case.op, ins, [()] * n_out, case.attrs, name="node",
                      output_names=[f"y{i}" for i in range(n_out)])
    for v, s in zip(node.outputs, infer_node(node)):
        v.shape = s
    g.outputs = list(node.outputs)
    verify(g)
    return g, feeds


def _const(rng, shape, lo=-1.0, hi=1.0) -> "Const":
    return Const(rng.uniform(lo, hi, shape).astype(np.float32))


def _cases() -> list[Case]:
    rng = np.random.default_rng(1234)
    c: list[Case] = []
    conv_attrs = {"strides": [2, 1], "pads": [1, 0, 2, 1], "dilations": [1, 2], "group": 2}
    for act in ACTIVATIONS:  # every epilogue kind on Conv
        c.append(Case("Conv", [(1, 4, 9, 9), _const(rng, (6, 2, 3, 3)), _const(rng, (6,))],
                      {**conv_attrs, "activation": act, "activation_params": ACT_PARAMS.get(act, [])}))
    c.append(Case("Conv", [(2, 3, 7, 6), _const(rng, (5, 3, 1, 1))], {}))
    c.append(Case("Conv", [(1, 6, 8, 8), _const(rng, (6, 1, 3, 3)), _const(rng, (6,))],
                  {"group": 6, "pads": [1, 1, 1, 1], "activation": "clip", "activation_params": [0.0, 6.0]}))
    for act in ("none", "relu", "silu", "gelu_tanh"):
        c.append(Case("ConvTranspose", [(1, 4, 5, 5), _const(rng, (4, 3, 3, 3)), _const(rng, (6,))],
                      {"strides": [2, 2], "pads": [1, 0, 1, 1], "output_padding": [1, 0], "group": 2,
                       "activation": act}))
    c.append(Case("ConvTranspose", [(1, 3, 4, 3), _const(rng, (3, 2, 2, 3))], {"dilations": [2, 1]}))
    for act in ("none", "leaky_relu", "hard_swish", "gelu"):
        c.append(Case("Gemm", [(3, 5), _const(rng, (4, 5)), _const(rng, (4,))],
                      {"activation": act, "activation_params": ACT_PARAMS.get(act, [])}))
    c.append(Case("Gemm", [(2, 7), _const(rng, (3, 7))]))
    c.append(Case("Gemm", [(2, 7), (3, 7), (3,)]))  # W and B computed at run time
    for act in ("none", "sigmoid", "hard_sigmoid", "tanh"):
        c.append(Case("MatMul", [(2, 3, 4, 5), (5, 6)], {"activation": act,
                                                        "activation_params": ACT_PARAMS.get(act, [])}))
    c.append(Case("MatMul", [(2, 1, 3, 4), (1, 5, 4, 2)]))
    for op in ("Add", "Sub", "Mul", "Max", "Min"):
        c.append(Case(op, [(2, 3, 4), (3, 1)]))
    c.append(Case("Div", [(2, 3, 4), _const(rng, (4,), 0.5, 2.0)]))
    c.append(Case("Pow", [(2, 3, 4), _const(rng, (3, 1), -2.0, 2.0)], lo=0.5, hi=2.0))
    for op in ("Relu", "Sigmoid", "HardSwish", "Tanh", "Erf", "Exp", "Neg", "Abs", "Softplus", "Identity"):
        c.append(Case(op, [(2, 3, 5)], lo=-4.0, hi=4.0))
    for op in ("Sqrt", "Log", "Reciprocal"):
        c.append(Case(op, [(2, 3, 5)], lo=0.25, hi=4.0))
    c.append(Case("Clip", [(2, 3, 5)], {"min": -0.5, "max": 0.7}))
    c.append(Case("Clip", [(2, 3, 5)], {}))
    c.append(Case("Clip", [(2, 3, 5)], {"min": 0.5, "max": -0.5}))  # min > max: everything becomes max
    c.append(Case("LeakyRelu", [(2, 3, 5)], {"alpha": 0.2}))
    c.append(Case("HardSigmoid", [(2, 3, 5)], {"alpha": 0.3, "beta": 0.4}, lo=-4.0, hi=4.0))
    c.append(Case("Elu", [(2, 3, 5)], {"alpha": 0.7}))
    c.append(Case("Gelu", [(2, 3, 5)], {"approximate": "none"}, lo=-4.0, hi=4.0))
    c.append(Case("Gelu", [(2, 3, 5)], {"approximate": "tanh"}, lo=-4.0, hi=4.0))
    c.append(Case("BatchNormalization", [(2, 3, 4, 4), _const(rng, (3,)), _const(rng, (3,)), _const(rng, (3,)),
                                         _const(rng, (3,), 0.5, 2.0)], {"epsilon": 1e-3}))
    c.append(Case("BatchNormalization", [(2, 3, 5), _const(rng, (3,)), _const(rng, (3,)), _const(rng, (3,)),
                                         _const(rng, (3,), 0.5, 2.0)]))
    c.append(Case("LayerNormalization", [(2, 5, 8), _const(rng, (8,)), _const(rng, (8,))], {"axis": 2}))
    c.append(Case("LayerNormalization", [(2, 5, 8), _const(rng, (5, 8))], {"axis": 1, "epsilon": 1e-3}))
    c.append(Case("Softmax", [(2, 5, 3)], {"axis": 1}, lo=-5.0, hi=5.0))
    c.append(Case("Softmax", [(2, 5, 3)], {"axis": 2}, lo=-5.0, hi=5.0))
    c.append(Case("GlobalAveragePool", [(1, 3, 5, 6)]))
    c.append(Case("GlobalMaxPool", [(1, 3, 5, 6)]))
    for cip in (0, 1):
        c.append(Case("AveragePool", [(1, 2, 7, 8)], {"kernel_shape": [3, 3], "strides": [2, 2],
                                                       "pads": [1, 1, 1, 1], "ceil_mode": 1, "count_include_pad": cip}))
    c.append(Case("AveragePool", [(1, 2, 6, 6)], {"kernel_shape": [2, 2], "strides": [2, 2]}))
    c.append(Case("MaxPool", [(1, 2, 9, 8)], {"kernel_shape": [2, 3], "strides": [2, 1], "pads": [1, 0, 0, 1],
                                               "dilations": [2, 1], "ceil_mode": 1}))
    c.append(Case("MaxPool", [(1, 2, 6, 6)], {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}))
    for op in ("ReduceMean", "ReduceSum", "ReduceMax"):
        c.append(Case(op, [(2, 3, 4, 5)], {"axes": [1, 3], "keepdims": 0}))
        c.append(Case(op, [(2, 3, 4, 5)], {"axes": [], "keepdims": 1}))
        c.append(Case(op, [(2, 3, 4, 5)], {"axes": [0], "keepdims": 1}))
    c.append(Case("Reshape", [(2, 3, 4)], {"shape": [4, 6]}))
    c.append(Case("Reshape", [(2, 3, 4)], {"shape": [1, 24, 1]}))
    c.append(Case("Transpose", [(2, 3, 4)], {"perm": [2, 0, 1]}))
    c.append(Case("Concat", [(2, 1, 3), (2, 4, 3), _const(rng, (2, 2, 3))], {"axis": 1}))
    c.append(Case("Concat", [(2, 3)], {"axis": 0}))
    c.append(Case("Split", [(2, 6, 3)], {"axis": 1, "split": [1, 3, 2]}))
    c.append(Case("Split", [(4, 3)], {"axis": 0, "split": [4]}))
    c.append(Case("Slice", [(5, 6, 7)], {"starts": [1, 5, 0], "steps": [2, -1, 3], "sizes": [2, 6, 3]}))
    c.append(Case("Slice", [(5, 6, 7)], {"starts": [4, 4, 6], "steps": [-2, -1, -3], "sizes": [3, 2, 3]}))
    c.append(Case("Slice", [(5, 6)], {"starts": [0, 0], "steps": [1, 1], "sizes": [5, 6]}))
    c.append(Case("Gather", [(4, 5, 3)], {"axis": 1, "indices": [2, 0, 4, 2], "indices_shape": [2, 2]}))
    c.append(Case("Gather", [(4, 5, 3)], {"axis": 0, "indices": [3], "indices_shape": []}))
    c += _resize_cases()
    c.append(Case("Pad", [(1, 2, 4, 5)], {"mode": "constant", "pads": [0, 1, 2, 0, 0, 0, 1, 3], "value": 1.5}))
    c.append(Case("Pad", [(1, 2, 4, 5)], {"mode": "reflect", "pads": [0, 0, 3, 1, 0, 0, 1, 4]}))
    c.append(Case("Pad", [(2, 4, 5)], {"mode": "edge", "pads": [1, 0, 2, 0, 3, 1]}))
    return c


def _resize_cases() -> list[Case]:
    x = (1, 2, 5, 6)

    def resize(mode, ctm, nearest, scales, sizes):
        return Case("Resize", [x], {"mode": mode, "coordinate_transformation_mode": ctm, "nearest_mode": nearest,
                                    "scales": scales, "sizes": sizes})

    return [
        resize("nearest", "half_pixel", "round_prefer_floor", [1.0, 1.0, 2.0, 2.0], [1, 2, 10, 12]),
        resize("nearest", "asymmetric", "floor", [1.0, 1.0, 1.5, 0.5], [1, 2, 7, 3]),
        resize("nearest", "align_corners", "ceil", [], [1, 2, 8, 9]),
        resize("nearest", "pytorch_half_pixel", "round_prefer_ceil", [], [1, 2, 3, 1]),
        resize("linear", "half_pixel", "round_prefer_floor", [1.0, 1.0, 0.6, 1.7], [1, 2, 3, 10]),
        resize("linear", "align_corners", "round_prefer_floor", [], [1, 2, 9, 4]),
        resize("linear", "pytorch_half_pixel", "round_prefer_floor", [], [1, 2, 1, 11]),
        resize("linear", "asymmetric", "round_prefer_floor", [1.0, 1.0, 3.0, 1.0], [1, 2, 15, 6]),
        resize("nearest", "tf_half_pixel_for_nearest", "round_prefer_floor", [1.0, 1.0, 3.0, 1.5], [1, 2, 15, 9]),
        resize("nearest", "tf_half_pixel_for_nearest", "floor", [1.0, 1.0, 0.5, 2.5], [1, 2, 2, 15]),
        resize("nearest", "tf_half_pixel_for_nearest", "floor", [], [1, 2, 13, 4]),
        resize("nearest", "tf_half_pixel_for_nearest", "round_prefer_floor", [], [1, 2, 11, 17]),
    ]


CASES = _cases()
