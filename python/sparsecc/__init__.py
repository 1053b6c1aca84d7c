"""sparsecc: a sparse-inference compiler for mobile and edge CPUs.

    import sparsecc
    model = sparsecc.compile("model.onnx")          # -> CompiledModel
    model.save("model.scc")
    sess = sparsecc.InferenceSession("model.scc")   # or the CompiledModel itself
    outputs = sess.run(None, {"input": x})
"""
__version__ = "0.1.0"

from .compile_model import compile, parse_input_shapes, prune  # noqa: E402,F401
from .compiled_model import CompiledModel  # noqa: E402,F401
from .errors import CompileError, InvalidArgument, ModelFileError, UnsupportedOpsError  # noqa: E402,F401
from .session import InferenceSession, LayerTiming, NodeArg  # noqa: E402,F401
