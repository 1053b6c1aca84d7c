#!/usr/bin/env python3
"""atheris (libFuzzer for Python) harness for the ONNX frontend.

    pip install atheris
    python tests/fuzz/fuzz_onnx_frontend.py -max_total_time=60          # one minute
    python tests/fuzz/fuzz_onnx_frontend.py -runs=1 crash-<hash>        # replay a crash file

Each input is read as a sequence of choices (FuzzedDataProvider) that picks a seed
model (tests/reliability/fuzz_seeds.py) and 1-3 structure-aware mutations of it
(tests/reliability/onnx_mutations.py: drop a node, rewire inputs, change attributes,
dims, dtypes, opset, or truncate / flip the serialized bytes). The property is the one
the hypothesis test checks (tests/reliability/fuzz_check.py): ``sparsecc.compile``
succeeds — and then the runtime runs the model and agrees with onnxruntime — or
raises CompileError. Any other exception is a finding: libFuzzer stops and writes
the input as ``crash-<hash>``. Turn each finding into a regression test and a fix.

The sparsecc package is instrumented for coverage feedback; onnx, onnxruntime and
numpy are not (too slow, and not under test).
"""
from __future__ import annotations

import os
import sys

import atheris

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, ".."), os.path.join(HERE, "..", "reliability")]

with atheris.instrument_imports(include=["sparsecc"]):
    import sparsecc  # noqa: F401
    import sparsecc.compiler.frontend.onnx  # noqa: F401

from fuzz_check import check_model  # noqa: E402
from fuzz_seeds import seed_models  # noqa: E402
from onnx_mutations import Chooser, mutate  # noqa: E402

SEEDS = dict(seed_models())
NAMES = sorted(SEEDS)


class ProviderChooser(Chooser):
    def __init__(self, fdp: atheris.FuzzedDataProvider):
        self.fdp = fdp

    def int(self, lo: int, hi: int) -> int:
        return self.fdp.ConsumeIntInRange(lo, hi)


def test_one_input(data: bytes) -> None:
    chooser = ProviderChooser(atheris.FuzzedDataProvider(data))
    model = mutate(SEEDS[chooser.choice(NAMES)], chooser)
    check_model(model)


def main() -> None:
    import warnings

    warnings.simplefilter("ignore")
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
