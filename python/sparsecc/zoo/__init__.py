"""A model zoo built with ``onnx.helper``: no downloads, seeded random weights.

    from sparsecc import zoo
    zoo.list_models()                           # ['mobilenet_v1', ...]
    model = zoo.build("mobilenet_v2", input_size=128, width=0.5)   # onnx.ModelProto

Every model passes ``onnx.checker.check_model(full_check=True)``, has named nodes
and doc strings, and is initialised so activations stay O(1) (He/fan-in weights;
BatchNormalization stats measured on a propagated random batch). The CNNs take
``input`` [batch, 3, S, S] and return ``logits`` [batch, num_classes]; the
transformer block maps ``tokens`` [1, S, D] to ``output`` [1, S, D].
"""
from __future__ import annotations

from typing import Callable

import onnx

from . import mobilenet_v1, mobilenet_v2, mobilenet_v3_block, resnet18, transformer_block

MODELS: dict[str, Callable[..., onnx.ModelProto]] = {
    "mobilenet_v1": mobilenet_v1.build,
    "mobilenet_v2": mobilenet_v2.build,
    "resnet18": resnet18.build,
    "mobilenet_v3_block": mobilenet_v3_block.build,
    "transformer_block": transformer_block.build,
}


def list_models() -> list[str]:
    """The names ``build`` accepts, in a stable order."""
    return list(MODELS)


def build(name: str, **kw) -> onnx.ModelProto:
    """Build zoo model ``name``; keyword arguments go to its builder (input_size, width, opset, seed, ...)."""
    if name not in MODELS:
        raise KeyError(f"unknown zoo model {name!r}; available: {', '.join(MODELS)}")
    return MODELS[name](**kw)
