"""sparsecc's wasm32 runtime vs onnxruntime-web in node (``python -m bench.wasm``)."""
