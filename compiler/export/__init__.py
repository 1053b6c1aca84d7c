"""IR -> ONNX export (pruned models go back to onnxruntime / PyTorch users)."""
from .onnx import DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, export_onnx, save_onnx  # noqa: F401
