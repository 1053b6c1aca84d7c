"""Summary statistics of timing samples (milliseconds)."""
from __future__ import annotations

import numpy as np


def summarize(samples_ms) -> dict:
    """median / p90 / min / max / n of a non-empty sample list (numpy's linear percentile)."""
    a = np.asarray(list(samples_ms), dtype=np.float64)
    if a.size == 0:
        raise ValueError("no timing samples")
    return {"median": float(np.median(a)), "p90": float(np.percentile(a, 90)),
            "min": float(a.min()), "max": float(a.max()), "n": int(a.size)}
