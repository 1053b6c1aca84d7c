"""``--compare onnxruntime``: onnxruntime beside sparsecc, in the same process and run.

End to end: one onnxruntime run after each of our timed runs (round-robin, so
machine noise hits both alike), same thread count, same seeded inputs. Per node:
a second session with ``enable_profiling`` (its profiler adds overhead, so it
is kept out of the end-to-end samples); its "Node" events are mapped onto our
layers (see ``match_layers``).
"""
from __future__ import annotations

import json
import os
import tempfile
import time

import numpy as np

from .stats import summarize

# onnxruntime renames fused nodes and changes their op type; these count as the same layer kind
_OP_ALIASES = {"FusedConv": "Conv", "FusedGemm": "Gemm", "FusedMatMul": "MatMul", "Flatten": "Reshape",
               "Squeeze": "Reshape", "Unsqueeze": "Reshape"}


def _session(onnx_model, threads: int, profile_dir: str | None = None):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    if profile_dir:
        so.enable_profiling = True
        so.profile_file_prefix = os.path.join(profile_dir, "ort")
    return ort.InferenceSession(onnx_model.SerializeToString(), so, providers=["CPUExecutionProvider"])


class OrtComparison:
    """Holds the onnxruntime session; ``step()`` is one timed run (called between ours)."""

    def __init__(self, onnx_model, feeds: dict, threads: int, warmup: int):
        import onnxruntime as ort

        self.version = ort.__version__
        self.model, self.feeds, self.threads = onnx_model, feeds, threads
        self.sess = _session(onnx_model, threads)
        for _ in range(warmup):
            self.sess.run(None, feeds)
        self.samples: list[float] = []

    def step(self) -> None:
        t0 = time.perf_counter()
        self.sess.run(None, self.feeds)
        self.samples.append((time.perf_counter() - t0) * 1e3)

    def node_profile(self, warmup: int, repeat: int) -> list[dict]:
        """Per onnxruntime node (execution order): name, op, output shape, samples of the timed runs."""
        with tempfile.TemporaryDirectory(prefix="sparsecc-ort-prof-") as tmp:
            sess = _session(self.model, self.threads, tmp)
            for _ in range(warmup + repeat):
                sess.run(None, self.feeds)
            with open(sess.end_profiling()) as f:
                events = json.load(f)
        return parse_ort_profile(events, repeat)


def parse_ort_profile(events: list[dict], keep_last: int) -> list[dict]:
    """onnxruntime profile events -> nodes in first-seen order with their last ``keep_last`` durations (ms)."""
    nodes: dict[str, dict] = {}
    for e in events:
        if e.get("cat") != "Node" or not str(e.get("name", "")).endswith("_kernel_time"):
            continue
        name = e["name"][: -len("_kernel_time")]
        args = e.get("args", {})
        shapes = args.get("output_type_shape") or [{}]
        shape = next(iter(shapes[0].values()), []) if shapes and shapes[0] else []
        n = nodes.setdefault(name, {"name": name, "op": args.get("op_name", "?"),
                                    "output_shape": [int(d) for d in shape], "samples_ms": []})
        n["samples_ms"].append(float(e["dur"]) / 1e3)
    out = []
    for n in nodes.values():
        n["samples_ms"] = n["samples_ms"][-keep_last:]
        n["median_ms"] = float(np.median(n["samples_ms"]))
        out.append(n)
    return out


def _kind(op: str) -> str:
    return _OP_ALIASES.get(op, op)


def _same_shape(ours, theirs) -> bool:
    """Equal, or equal but for channels padded up to onnxruntime's NCHWc block (8 or 16)."""
    ours, theirs = list(ours), list(theirs)
    if ours == theirs:
        return True
    return (len(ours) == len(theirs) == 4 and ours[0] == theirs[0] and ours[2:] == theirs[2:]
            and ours[1] < theirs[1] < ours[1] + 16 and theirs[1] % 8 == 0)


def match_layers(layers: list[dict], ort_nodes: list[dict]) -> list[int | None]:
    """For each of our layers, the index of the onnxruntime node computing the same thing, or None.

    Names rarely survive both compilers' fusions (onnxruntime names a fused
    Conv+BN+Relu after its last node), so the match is by order: an exact name
    match wins; otherwise the next unmatched onnxruntime node (in execution
    order, looking ahead at most 8 nodes) with the same op kind and output shape
    (its channels may be padded to the NCHWc block of onnxruntime's layout).
    Nodes one side has and the other does not (layout reorders, folded
    reshapes) stay unmatched.
    """
    by_name = {n["name"]: i for i, n in enumerate(ort_nodes)}
    used: set[int] = set()
    out: list[int | None] = []
    pos = 0
    for layer in layers:
        hit = by_name.get(layer["name"])
        if hit is None or hit in used:
            hit = None
            for j in range(pos, min(pos + 8, len(ort_nodes))):
                n = ort_nodes[j]
                if j not in used and _kind(n["op"]) == _kind(layer["op"]) and \
                        _same_shape(layer["output_shape"], n["output_shape"]):
                    hit = j
                    break
        if hit is not None:
            used.add(hit)
            pos = max(pos, hit + 1)
        out.append(hit)
    return out


def comparison_doc(cmp: OrtComparison, nodes: list[dict], matches: list[int | None], our_median: float) -> dict:
    e2e = summarize(cmp.samples)
    return {"engine": "onnxruntime", "version": cmp.version, "threads": cmp.threads,
            "end_to_end_ms": {**e2e, "samples": cmp.samples},
            "ratio": our_median / e2e["median"] if e2e["median"] > 0 else None,
            "nodes": [{"name": n["name"], "op": n["op"], "output_shape": n["output_shape"],
                       "median_ms": n["median_ms"],
                       "matched_layer": matches.index(i) if i in matches else None} for i, n in enumerate(nodes)]}
