"""Data-free activation statistics: per-channel mean and variance of values, from BatchNorm.

Used by the data-based criteria (``activation``, ``taylor``, ``obs``) when no
calibration data is given. The model: every channel of a value is Gaussian and
channels are independent, so a consumer's input second-moment matrix is

    E[x_i x_j] = m_i m_j + δ_ij v_i          (symmetric PSD: m mᵀ + diag(v), v >= 0)

Where the numbers come from, walking the graph forward:

- ``BatchNormalization``: output mean β, variance γ² (the running statistics
  normalise the pre-activation to zero mean, unit variance on the training
  data; this is the only place real data statistics live in a trained model);
- ``Relu`` (also a fused ``activation="Relu"``) and ``Clip`` with min 0: the
  rectified Gaussian ``max(0, x)``, x ~ N(m, v): E[y] = m Φ(a) + s φ(a),
  E[y²] = (m² + v) Φ(a) + m s φ(a) with s = √v, a = m / s (Clip's upper bound
  is ignored);
- ``Add``/``Sub`` of two known values: means add (subtract), variances add;
- ``Conv`` (any group), ``Gemm``, ``MatMul`` with constant weights and known
  input: mean W·m + b, variance W²·v (independent inputs; every kernel tap sees
  the channel's statistics);
- pools, ``Identity``, and a ``Reshape`` that only drops trailing 1-dims
  (``[N, C, 1, 1] -> [N, C]``): unchanged.

Graph inputs and every other op give *unknown* (``None``); a consumer whose
input is unknown uses H = I (its OBS score is then the squared weight norm and
the compensation changes nothing).
"""
from __future__ import annotations

import math

import numpy as np

from ..ir import Graph

POOLS = {"GlobalAveragePool", "GlobalMaxPool", "AveragePool", "MaxPool", "Identity"}


def rectified(mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of max(0, x) for x ~ N(mean, var), elementwise."""
    m = np.asarray(mean, dtype=np.float64)
    s = np.sqrt(np.maximum(np.asarray(var, dtype=np.float64), 1e-12))
    a = m / s
    cdf = 0.5 * (1.0 + np.array([math.erf(t / math.sqrt(2.0)) for t in a.ravel()]).reshape(a.shape))
    pdf = np.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)
    e1 = m * cdf + s * pdf
    e2 = (m * m + s * s) * cdf + m * s * pdf
    return e1, np.maximum(e2 - e1 * e1, 0.0)


def _linear(w: np.ndarray, b, mv, op: str):
    """Moments through a linear layer with weights ``w`` in its op's layout."""
    m, v = mv
    if op == "Conv":
        return None  # handled by the caller (groups)
    if op == "Gemm":  # W [N, K]
        mean, var = w @ m, (w * w) @ v
    else:  # MatMul, W [K, N]
        mean, var = m @ w, v @ (w * w)
    if b is not None:
        mean = mean + b
    return mean, var


def _conv(node, mv):
    w = np.asarray(node.inputs[1].const, dtype=np.float64)
    m, v = mv
    g = int(node.attrs.get("group", 1))
    mo, cg = w.shape[0], w.shape[1]
    ws = w.sum(axis=(2, 3))            # [M, C/g]
    w2 = (w * w).sum(axis=(2, 3))
    mean, var = np.empty(mo), np.empty(mo)
    per = mo // g
    for k in range(g):
        rows, cols = slice(k * per, (k + 1) * per), slice(k * cg, (k + 1) * cg)
        mean[rows] = ws[rows] @ m[cols]
        var[rows] = w2[rows] @ v[cols]
    b = node.input(2)
    if b is not None:
        mean = mean + np.asarray(b.const, dtype=np.float64)
    return mean, var


def _relu_attr(node, mv):
    act = node.attrs.get("activation", "none")
    if act in (None, "", "none"):
        return mv
    if act == "Relu":
        return rectified(*mv)
    return None


def channel_moments(graph: Graph) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """``{id(value): (mean[C], var[C])}`` over axis 1 (rank 2 and 4) or the last axis (MatMul outputs)."""
    mom: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for node in graph.nodes:
        ins = [mom.get(id(v)) if v is not None and not v.is_const else None for v in node.inputs]
        out = None
        op = node.op
        try:
            if op == "BatchNormalization":
                gamma = np.asarray(node.inputs[1].const, dtype=np.float64)
                beta = np.asarray(node.inputs[2].const, dtype=np.float64)
                out = _relu_attr(node, (beta, gamma * gamma))
            elif op == "Relu" and ins[0] is not None:
                out = rectified(*ins[0])
            elif op == "Clip" and ins[0] is not None and float(node.attrs.get("min", -np.inf)) == 0.0:
                out = rectified(*ins[0])
            elif op in ("Add", "Sub") and ins[0] is not None and ins[1] is not None:
                (m0, v0), (m1, v1) = ins
                if m0.shape == m1.shape:
                    out = (m0 + m1 if op == "Add" else m0 - m1, v0 + v1)
            elif op == "Conv" and ins[0] is not None and node.inputs[1].is_const:
                out = _relu_attr(node, _conv(node, ins[0]))
            elif op in ("Gemm", "MatMul") and ins[0] is not None and node.inputs[1].is_const \
                    and node.inputs[1].const.ndim == 2:
                b = node.input(2) if op == "Gemm" else None
                res = _linear(np.asarray(node.inputs[1].const, dtype=np.float64),
                              None if b is None else np.asarray(b.const, dtype=np.float64), ins[0], op)
                out = _relu_attr(node, res)
            elif op in POOLS and ins[0] is not None:
                out = ins[0]
            elif op == "Reshape" and ins[0] is not None:
                s_in, s_out = node.inputs[0].shape, node.output.shape
                if len(s_out) == 2 and tuple(s_in[:2]) == tuple(s_out) and all(d == 1 for d in s_in[2:]):
                    out = ins[0]
        except (TypeError, ValueError, IndexError, AttributeError):
            out = None  # an unexpected layout: unknown, never a crash
        if out is not None:
            mom[id(node.output)] = (np.asarray(out[0], dtype=np.float64), np.asarray(out[1], dtype=np.float64))
    return mom
