"""InferenceSession, shaped like onnxruntime's: ``InferenceSession(path).run(None, feeds)``."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import numpy as np

from .compiled_model import CompiledModel
from .errors import InvalidArgument


@dataclass(frozen=True)
class NodeArg:
    """Name, shape and type of a model input or output (as onnxruntime's NodeArg)."""
    name: str
    shape: list
    type: str = "tensor(float)"


@dataclass(frozen=True)
class LayerTiming:
    name: str
    op: str
    kernel: str
    seconds: float


class InferenceSession:
    """Runs a compiled model with the C++ runtime.

    ``model``: a path to a .scc file, its bytes, or a CompiledModel.
    One session may be shared by threads: runs are serialised by a lock (the
    session owns one activation arena) and the GIL is released while running.
    """

    def __init__(self, model, num_threads: int = 1):
        from sparsecc import _runtime

        if isinstance(model, CompiledModel):
            self._model = _runtime.Model.from_bytes(model.to_bytes())
        elif isinstance(model, (bytes, bytearray, memoryview)):
            self._model = _runtime.Model.from_bytes(bytes(model))
        else:
            path = os.fspath(model)
            if not os.path.isfile(path):
                raise FileNotFoundError(f"no such model file: {path}")
            self._model = _runtime.Model.from_file(path)
        if int(num_threads) < 1:
            raise InvalidArgument(f"num_threads must be >= 1, got {num_threads}")
        self._sess = _runtime.Session(self._model, int(num_threads))
        self._inputs = [NodeArg(n, list(s)) for n, s in self._model.inputs]
        self._outputs = [NodeArg(n, list(s)) for n, s in self._model.outputs]
        self._lock = threading.Lock()

    def get_inputs(self) -> list[NodeArg]:
        return list(self._inputs)

    def get_outputs(self) -> list[NodeArg]:
        return list(self._outputs)

    @property
    def target(self) -> str:
        return self._model.target

    @property
    def nodes(self) -> list[dict]:
        return list(self._model.nodes)

    def _feeds(self, input_feed: dict) -> dict[str, np.ndarray]:
        if not isinstance(input_feed, dict):
            raise InvalidArgument("input_feed must be a dict {input name: array}")
        names = [i.name for i in self._inputs]
        missing = [n for n in names if n not in input_feed]
        extra = [n for n in input_feed if n not in names]
        if missing or extra:
            msg = []
            if missing:
                msg.append(f"missing inputs {missing}")
            if extra:
                msg.append(f"unknown inputs {extra}")
            raise InvalidArgument("; ".join(msg) + f" (the model's inputs are {names})")
        feeds = {}
        for arg in self._inputs:
            arr = np.asarray(input_feed[arg.name])
            if arr.dtype.kind != "f":
                raise InvalidArgument(f"input {arg.name!r} has dtype {arr.dtype}; expected float32")
            if list(arr.shape) != arg.shape:
                raise InvalidArgument(f"input {arg.name!r} has shape {list(arr.shape)}; expected {arg.shape}")
            feeds[arg.name] = np.require(arr, dtype=np.float32, requirements="C")  # keeps 0-d arrays 0-d
        return feeds

    def _select(self, output_names, outs: dict) -> list[np.ndarray]:
        if output_names is None:
            return [outs[o.name] for o in self._outputs]
        unknown = [n for n in output_names if n not in outs]
        if unknown:
            raise InvalidArgument(f"unknown outputs {unknown} (the model's outputs are "
                                  f"{[o.name for o in self._outputs]})")
        return [outs[n] for n in output_names]

    def run(self, output_names, input_feed: dict, run_options=None) -> list[np.ndarray]:
        """Run the model; returns the requested outputs (all when ``output_names`` is None)."""
        feeds = self._feeds(input_feed)
        with self._lock:
            outs = self._sess.run(feeds)
        return self._select(output_names, outs)

    def run_with_profile(self, output_names, input_feed: dict) -> tuple[list[np.ndarray], list[LayerTiming]]:
        """As ``run``, plus the time of every layer (node) of this run."""
        feeds = self._feeds(input_feed)
        with self._lock:
            outs, layers = self._sess.run_profiled(feeds)
        timings = [LayerTiming(d["name"], d["op"], d["kernel"], float(d["seconds"])) for d in layers]
        return self._select(output_names, outs), timings
