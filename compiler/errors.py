"""Errors the compiler raises on bad user input: one readable line each."""


class CompileError(Exception):
    """A model cannot be compiled; the message says why and names the node."""


class UnsupportedOpsError(CompileError):
    """Every unsupported operator of a model, listed at once.

    ``ops`` maps an ONNX op type to the names of the nodes that use it.
    """

    def __init__(self, ops: dict[str, list[str]]):
        self.ops = {k: list(v) for k, v in sorted(ops.items())}
        parts = []
        for op_type, names in self.ops.items():
            shown = ", ".join(names[:5]) + (f", ... ({len(names)} nodes)" if len(names) > 5 else "")
            parts.append(f"{op_type} [{shown}]")
        super().__init__(f"unsupported ONNX ops ({len(self.ops)}): " + "; ".join(parts))


class VerifyError(CompileError):
    """The IR breaks one of its invariants (a compiler bug or a malformed graph)."""
