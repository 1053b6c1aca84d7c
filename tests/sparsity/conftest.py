import os
import sys

# the accuracy and sweep tests import the benchmark modules (bench/) from the repository root
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
# and the shared helper of this folder
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
