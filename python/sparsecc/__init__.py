"""sparsecc: a sparse-inference compiler for mobile and edge CPUs.

    import sparsecc
    model = sparsecc.compile("model.onnx")          # -> CompiledModel
    model.save("model.scc")
    sess = sparsecc.InferenceSession("model.scc")   # or the CompiledModel itself
    outputs = sess.run(None, {"input": x})
"""
__version__ = "0.1.0"
