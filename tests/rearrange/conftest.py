import os
import sys

# the pruning tests' tricky graph builders (tests/prune) and this folder's helper
HERE = os.path.dirname(os.path.abspath(__file__))
for p in (os.path.join(os.path.dirname(HERE), "prune"), HERE):
    if p not in sys.path:
        sys.path.insert(0, p)
