"""The .scc model file: ``writer.serialize`` / ``write_atomic`` and ``reader.parse``."""
from .reader import ModelFileError, parse  # noqa: F401
from .writer import serialize, write_atomic  # noqa: F401
