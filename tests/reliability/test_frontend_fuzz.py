"""Frontend fuzzing with hypothesis: mutated zoo and test models (tests/reliability/
onnx_mutations.py) either compile and then run and agree with onnxruntime, or raise
CompileError — never any other exception (the property is in fuzz_check.py).

``max_examples`` (400) keeps CI at ~10 s; set ``SPARSECC_FUZZ_EXAMPLES=5000`` for a
longer run. The examples are derandomized (a fixed seed), so CI is reproducible;
``SPARSECC_FUZZ_RANDOM=1`` explores new examples each run.
"""
from __future__ import annotations

import collections
import os

import pytest
from fuzz_check import check_model
from fuzz_seeds import seed_models
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx_mutations import Chooser, mutate

EXAMPLES = int(os.environ.get("SPARSECC_FUZZ_EXAMPLES", "400"))
OUTCOMES: collections.Counter = collections.Counter()


class DrawChooser(Chooser):
    def __init__(self, data):
        self.data = data

    def int(self, lo: int, hi: int) -> int:
        return self.data.draw(st.integers(lo, hi))


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("SPARSECC_FUZZ_RANDOM"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], database=None)
@given(data=st.data())
def test_mutated_models_compile_and_agree_or_raise_compile_error(data):
    seeds = dict(seed_models())
    name = data.draw(st.sampled_from(sorted(seeds)), label="seed model")
    model = mutate(seeds[name], DrawChooser(data))
    OUTCOMES[check_model(model)] += 1


def test_fuzzing_reached_every_outcome():
    """Guards the fuzzer itself: its mutations must produce rejections, compiles and comparisons."""
    if not OUTCOMES:
        pytest.skip("run together with the fuzz test")
    assert OUTCOMES["rejected"] > 0 and OUTCOMES["compiled, matches onnxruntime"] > 0, dict(OUTCOMES)
