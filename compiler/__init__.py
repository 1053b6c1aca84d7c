"""sparsecc.compiler: ONNX -> IR -> passes -> lowering -> model file.

The stages, in the order they run, are the sub-packages:
``frontend`` (ONNX -> IR), ``ir`` (the graph and its operators), ``passes``,
``lower`` (kernel choice, packing, memory plan), ``artifact`` (the .scc file)
and ``export`` (IR -> ONNX).
"""
