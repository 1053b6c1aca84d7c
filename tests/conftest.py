import os
import sys

# make `tests.ort_check` importable as `ort_check` from any test folder
sys.path.insert(0, os.path.dirname(__file__))
