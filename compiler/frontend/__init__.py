"""Frontends: model formats -> IR. Only ONNX for now (``frontend.onnx.import_onnx``)."""
