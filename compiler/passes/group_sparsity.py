"""Fine-grained group sparsity (after SparseByteNN): zero whole groups of G output channels × 1 input channel.

Per sparsifiable layer (``sparsity_groups``: Conv with group 1, Gemm, MatMul
with a constant 2-D weight) the pass zeroes a number of groups:

- **which layers**: every eligible layer gets the global ``sparsity``, except
  the layers kept dense by default: the first conv (it reads a graph input),
  a classifier (a final Gemm/MatMul) with fewer than 65,536 weights;
  depthwise and grouped convs are never sparsified. ``layer_sparsity``
  (``{node name: s}``) overrides any eligible layer, including the default-dense
  ones; an unknown name or an ineligible layer is an error.
- **how many** (``policy``, ``sparsity_policy.py``): ``uniform`` = the same
  fraction of groups per layer; ``sensitivity`` = per-layer fractions from
  error-vs-sparsity curves by equal marginal error, meeting the global target
  over the layers without an override.
- **which groups** (``selection``): ``magnitude`` = lowest group L2 norm, the
  other weights untouched; ``obs`` (the default with ``calibration`` data) =
  OBS scores with a layer-wise least-squares refit of the kept weights and the
  bias on the calibration activations (``sparsity_obs.py``), layer after layer
  in graph order on the inputs of the already-sparsified network, so later
  layers also absorb the error of earlier ones.

Guarantees (tests/sparsity): every target 0 leaves the graph untouched
(bit-identical model); a zeroed group is exactly 0.0 over the whole group;
the zeroed weights over the layers without an override are within one group
per layer of ``sparsity`` × their weights; with ``magnitude`` selection the
graph computes exactly the dense graph with those groups zeroed. Each
sparsified node gets ``attrs["sparsity_pattern"]`` (e.g. ``"g4"``) and
``attrs["sparsity"]`` (the fraction of its groups that are zero).

Run it after the canonical passes (BatchNorm folded, activations fused), so the
groups are those of the weights the kernels will see.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import CompileError
from ..ir import Graph
from .manager import Pass
from .prune_obs import DEFAULT_DAMP
from .sparsity_groups import Layer, default_dense_reason, eligibility, group_size, lowest
from .sparsity_obs import Moments, ObsSelector, relative_error
from .sparsity_policy import Curve, allocate, grid, uniform

POLICIES = ("uniform", "sensitivity")
SELECTIONS = ("magnitude", "obs")
MAX_LAYER_SPARSITY = 0.95   # the sensitivity policy's cap per layer (raised to the target if higher)


@dataclass
class LayerReport:
    name: str
    op: str
    weight_shape: list[int]
    groups: int
    zero_groups: int
    sparsity: float          # achieved fraction of zero groups
    target: float            # requested fraction of groups (after the policy)
    status: str              # "sparse", "dense" or "dense: <reason>"
    weights: int = 0
    zero_weights: int = 0    # weights in zero groups
    error: float | None = None  # relative layer output error (calibration data only)


def check_sparsity(value, what: str = "sparsity") -> float:
    try:
        s = float(value)
    except (TypeError, ValueError):
        raise CompileError(f"{what} must be a number in [0, 1), got {value!r}") from None
    if not 0.0 <= s < 1.0:
        raise CompileError(f"{what} must be in [0, 1), got {value}")
    return s


class GroupSparsity(Pass):
    """Pass: zero groups per layer (see the module docstring). ``report`` holds one LayerReport per
    Conv/Gemm/MatMul after ``run``; ``achieved`` the zeroed share of the non-overridden layers' weights."""

    name = "group_sparsity"

    def __init__(self, sparsity: float = 0.5, pattern: str = "g4", calibration=None, layer_sparsity=None,
                 policy: str = "uniform", selection: str | None = None, steps: int = 4,
                 damp: float = DEFAULT_DAMP):
        self.sparsity = check_sparsity(sparsity)
        self.pattern, self.g = pattern, group_size(pattern)
        if policy not in POLICIES:
            raise CompileError(f"unknown sparsity policy {policy!r}: expected {' or '.join(POLICIES)}")
        selection = selection or ("obs" if calibration is not None else "magnitude")
        if selection not in SELECTIONS:
            raise CompileError(f"unknown group selection {selection!r}: expected {' or '.join(SELECTIONS)}")
        if selection == "obs" and calibration is None:
            raise CompileError("group selection 'obs' needs calibration data (--calib)")
        if int(steps) < 1:
            raise CompileError(f"steps must be >= 1, got {steps}")
        self.overrides = {str(k): check_sparsity(v, f"sparsity of layer {k!r}")
                          for k, v in dict(layer_sparsity or {}).items()}
        self.calibration, self.policy, self.selection = calibration, policy, selection
        self.steps, self.damp = int(steps), float(damp)
        self.report: list[LayerReport] = []
        self.achieved = 0.0

    # ---- which layers, how many groups ------------------------------------------------------
    def _plan(self, graph: Graph) -> tuple[list[Layer], dict[str, float], dict[str, str]]:
        """Eligible layers, per-layer target fraction (free layers: None), and why others stay dense."""
        names = {n.name: n for n in graph.nodes}
        unknown = sorted(set(self.overrides) - set(names))
        if unknown:
            cands = [n.name for n in graph.nodes if eligibility(n) is None]
            raise CompileError(f"unknown layer name(s) in layer sparsity: {', '.join(unknown)} "
                               f"(sparsifiable layers: {', '.join(cands) or 'none'})")
        for name in self.overrides:
            why = eligibility(names[name])
            if why is not None:
                raise CompileError(f"layer {name!r} cannot be group-sparsified: {why}")
        layers, targets, dense = [], {}, {}
        for node in graph.nodes:
            why = eligibility(node)
            if why is not None:
                if node.op in ("Conv", "Gemm", "MatMul"):
                    dense[node.name] = why
                continue
            layers.append(Layer.of(node, self.g))
            if node.name in self.overrides:
                targets[node.name] = self.overrides[node.name]
            elif (why := default_dense_reason(node, graph)) is not None:
                dense[node.name], targets[node.name] = why, 0.0
            else:
                targets[node.name] = None  # free: the policy decides
        return layers, targets, dense

    def _counts(self, layers, targets, feeds, dense_x) -> dict[str, int]:
        counts = {lay.node.name: uniform(lay.n_groups, targets[lay.node.name])
                  for lay in layers if targets[lay.node.name] is not None}
        free = [lay for lay in layers if targets[lay.node.name] is None]
        if self.policy == "uniform" or not free or self.sparsity == 0.0:
            counts.update({lay.node.name: uniform(lay.n_groups, self.sparsity) for lay in free})
            return counts
        cap = max(MAX_LAYER_SPARSITY, self.sparsity)
        curves = {lay.node.name: self._curve(lay, grid(lay.n_groups, cap), feeds, dense_x) for lay in free}
        budget = self.sparsity * sum(lay.n_weights for lay in free)
        counts.update(allocate(curves, budget))
        return counts

    def _curve(self, lay: Layer, ks: list[int], feeds, dense_x) -> Curve:
        w2 = lay.weights()
        if feeds is None:  # data-free: removed share of the squared weight norm, magnitude order
            e = np.sort(lay.group_energy(w2).ravel())
            total = max(float(e.sum()), 1e-30)
            errs = [float(e[:k].sum()) / total for k in ks]
        else:
            wa, mom = self._augmented(lay, w2), Moments(lay, dense_x[id(lay.node.inputs[0])],
                                                        bias=lay.con.has_bias)
            if self.selection == "obs":
                errs = ObsSelector(lay, wa, mom, self.damp).run(ks)[2]
            else:
                energy = lay.group_energy(w2)
                errs = []
                for k in ks:
                    new = wa.copy()
                    new[:, :w2.shape[1]][lay.row_mask(lowest(energy, k))] = 0.0
                    errs.append(relative_error(wa, new, mom))
        return Curve([0] + ks, [0.0] + errs, lay.n_weights / lay.n_groups)

    @staticmethod
    def _augmented(lay: Layer, w2: np.ndarray) -> np.ndarray:
        b = lay.con.bias()
        return np.concatenate([w2, b[:, None]], axis=1) if b is not None else w2

    # ---- apply ----------------------------------------------------------------------------------
    def run(self, graph: Graph) -> bool:
        from .prune_calibration import activations, load_calibration

        layers, targets, dense = self._plan(graph)
        want_any = self.sparsity > 0 or any(v for v in targets.values() if v)
        feeds = load_calibration(self.calibration, graph) if self.calibration is not None and want_any else None
        dense_x = None
        if feeds is not None and (self.selection == "obs" or self.policy == "sensitivity"):
            dense_x = activations(graph, feeds, [lay.node.inputs[0] for lay in layers])
        counts = self._counts(layers, targets, feeds, dense_x) if want_any else {}
        modified, errors, stale = False, {}, False
        current: dict[int, np.ndarray] = {}
        for lay in layers:
            k = counts.get(lay.node.name, 0)
            if k <= 0:
                continue
            if self.selection == "magnitude":
                w2 = lay.weights()
                w2[lay.row_mask(lowest(lay.group_energy(w2), k))] = 0.0
                lay.con.set_weights(graph, w2, None)
            else:
                x = lay.node.inputs[0]
                if stale or id(x) not in current:
                    current = activations(graph, feeds, [x]) if stale else {id(x): dense_x[id(x)]}
                    stale = False
                errors[lay.node.name] = self._obs_layer(graph, lay, k, dense_x[id(x)], current[id(x)])
                stale = True  # this layer's output changed: later inputs must be recomputed
            modified = True
            zero = lay.zero_groups(lay.weights())
            lay.node.attrs["sparsity_pattern"] = self.pattern
            lay.node.attrs["sparsity"] = round(float(zero.mean()), 6)
        self._make_report(graph, layers, counts, targets, dense, errors)
        return modified

    def _obs_layer(self, graph: Graph, lay: Layer, k: int, x: np.ndarray, x_new: np.ndarray) -> float:
        node = lay.node
        if node.op in ("Conv", "Gemm") and node.input(2) is None:  # give the refit a bias to move the mean into
            m = node.inputs[1].shape[0]
            node.inputs.append(graph.const(f"{node.name}_bias", np.zeros(m, dtype=node.inputs[1].dtype)))
        w2 = lay.weights()
        wa = self._augmented(lay, w2)
        mom = Moments(lay, x, x_new, bias=lay.con.has_bias)
        ks = sorted({int(round(k * (t + 1) / self.steps)) for t in range(self.steps)} - {0})
        mask, new, errs = ObsSelector(lay, wa, mom, self.damp).run(ks)
        d = w2.shape[1]
        new = new.copy()
        new[:, :d][lay.row_mask(mask)] = 0.0  # exact zeros, whole groups
        lay.con.set_weights(graph, new[:, :d], new[:, d] if wa.shape[1] > d else None)
        return errs[-1]

    def _make_report(self, graph, layers, counts, targets, dense, errors) -> None:
        self.report = []
        by_name = {lay.node.name: lay for lay in layers}
        zeroed = total = 0
        for node in graph.nodes:
            if node.op not in ("Conv", "Gemm", "MatMul"):
                continue
            lay = by_name.get(node.name)
            if lay is None:
                self.report.append(LayerReport(node.name, node.op, list(node.inputs[1].shape), 0, 0, 0.0, 0.0,
                                               f"dense: {dense.get(node.name, 'not sparsifiable')}",
                                               int(node.inputs[1].const.size) if node.inputs[1].is_const else 0))
                continue
            zero = lay.zero_groups(lay.weights())
            k = counts.get(node.name, 0)
            status = "sparse" if k > 0 else ("dense: " + dense[node.name] if node.name in dense else "dense")
            zw = int((lay.group_weights() * zero).sum())
            self.report.append(LayerReport(node.name, node.op, list(node.inputs[1].shape), lay.n_groups,
                                           int(zero.sum()), float(zero.mean()), k / lay.n_groups, status,
                                           lay.n_weights, zw, errors.get(node.name)))
            if targets[node.name] is None:
                zeroed += zw
                total += lay.n_weights
        self.achieved = zeroed / total if total else 0.0
