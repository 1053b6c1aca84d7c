"""What to profile: compile options (one set per profiled configuration) and run options."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sparsecc.errors import InvalidArgument


PATTERNS = ("g1", "g2", "g4", "g8")   # group sizes of the sparsity pass (docs/sparsity.md)


class ProfileError(InvalidArgument):
    """A profile cannot be made (runner missing, device command failed, bad combination); one line."""


@dataclass(frozen=True)
class CompileOptions:
    """Options of ``sparsecc.compile`` for one profiled configuration.

    A sweep (``--sweep 0,0.5,0.9``: one per sparsity) is a list of these, each
    profiled with the same ``RunOptions``; ``label`` names the configuration in
    tables, traces and plots. ``sparsity``/``pattern``/``calibration`` are
    ``sparsecc.compile``'s group-sparsity options (docs/sparsity.md).
    """
    target: str = "host"
    input_shapes: tuple[str, ...] = ()
    kernels: str | None = None
    label: str = "sparsecc"
    sparsity: float = 0.0
    pattern: str = "g4"
    calibration: str | None = None

    def __post_init__(self):
        if not 0.0 <= self.sparsity < 1.0:
            raise InvalidArgument(f"--sparsity must be in [0, 1), got {self.sparsity:g}")
        if self.pattern not in PATTERNS:
            raise InvalidArgument(f"unknown --pattern {self.pattern!r}; patterns: {', '.join(PATTERNS)}")

    def to_json(self) -> dict:
        d = asdict(self)
        d["input_shapes"] = list(self.input_shapes)
        d["calibration"] = str(self.calibration) if self.calibration is not None else None
        return d


def parse_sweep(text: str) -> list[float]:
    """``"0,0.5,0.7,0.9"`` -> [0.0, 0.5, 0.7, 0.9]; a one-line error on anything else."""
    try:
        values = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise InvalidArgument(f"--sweep expects comma-separated sparsities such as 0,0.5,0.9, got {text!r}") from None
    if not values:
        raise InvalidArgument("--sweep needs at least one sparsity, e.g. --sweep 0,0.5,0.9")
    bad = [v for v in values if not 0.0 <= v < 1.0]
    if bad:
        raise InvalidArgument(f"--sweep sparsities must be in [0, 1), got {bad[0]:g}")
    if len(set(values)) != len(values):
        raise InvalidArgument(f"--sweep lists a sparsity twice: {text}")
    return values


def sweep_options(base: CompileOptions, sparsities: list[float]) -> list[CompileOptions]:
    """One ``CompileOptions`` per sparsity (labels ``s=0``, ``s=0.7``, ...), the rest as ``base``."""
    from dataclasses import replace

    return [replace(base, sparsity=s, label=f"s={s:g}") for s in sparsities]


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
