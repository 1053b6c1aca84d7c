"""What to profile: compile options (one set per profiled configuration) and run options."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sparsecc.errors import InvalidArgument


class ProfileError(InvalidArgument):
    """A profile cannot be made (runner missing, device command failed, bad combination); one line."""


@dataclass(frozen=True)
class CompileOptions:
    """Options of ``sparsecc.compile`` for one profiled configuration.

    A sweep (e.g. over sparsity, once that pass exists) is a list of these, each
    profiled with the same ``RunOptions``; ``label`` names the configuration in
    tables, traces and plots.
    """
    target: str = "host"
    input_shapes: tuple[str, ...] = ()
    kernels: str | None = None
    label: str = "sparsecc"

    def to_json(self) -> dict:
        d = asdict(self)
        d["input_shapes"] = list(self.input_shapes)
        return d


@dataclass(frozen=True)
class RunOptions:
    threads: int = 1
    warmup: int = 3
    repeat: int = 20
    seed: int = 0
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.threads < 1:
            raise InvalidArgument(f"--threads must be >= 1, got {self.threads}")
        if self.warmup < 0:
            raise InvalidArgument(f"--warmup must be >= 0, got {self.warmup}")
        if self.repeat < 1:
            raise InvalidArgument(f"--repeat must be >= 1, got {self.repeat}")

    def to_json(self) -> dict:
        return {"threads": self.threads, "warmup": self.warmup, "repeat": self.repeat, "seed": self.seed}
