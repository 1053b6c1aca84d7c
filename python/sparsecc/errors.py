"""The exceptions users see. Every one carries a single readable line."""
from sparsecc.compiler.artifact.reader import ModelFileError  # noqa: F401
from sparsecc.compiler.errors import CompileError, UnsupportedOpsError  # noqa: F401


class InvalidArgument(ValueError):
    """A call was given inputs that do not fit the model (names, shapes, dtypes)."""


def runtime_error_type():
    """The runtime's exception class (a RuntimeError subclass raised by the C++ runtime)."""
    from sparsecc import _runtime

    return _runtime.SparseccRuntimeError


def user_errors() -> tuple[type, ...]:
    """Exceptions that mean "bad input", shown as one line by the CLI."""
    return (CompileError, ModelFileError, InvalidArgument, FileNotFoundError, IsADirectoryError,
            PermissionError, runtime_error_type())
