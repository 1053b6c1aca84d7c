import os
import sys

# make the shared helpers (ort_check, model_builders) importable from every test folder
sys.path.insert(0, os.path.dirname(__file__))


def pytest_terminal_summary(terminalreporter):
    """Report the largest relative error against onnxruntime seen in this run."""
    from ort_check import WORST_ERRORS

    if not WORST_ERRORS:
        return
    runtime = {k: v for k, v in WORST_ERRORS.items() if k.endswith("[runtime]")}
    for title, errs in (("C++ runtime", runtime), ("all comparisons", WORST_ERRORS)):
        if errs:
            label, err = max(errs.items(), key=lambda kv: kv[1])
            terminalreporter.write_line(f"largest rel_err vs onnxruntime ({title}, {len(errs)} comparisons): "
                                        f"{err:.3g} in {label}")
