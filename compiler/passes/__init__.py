"""Graph passes, one per file, run by the PassManager (``manager.py``).

``canonical_passes()`` is the default pipeline every compile runs. Structured
channel pruning (``group_prune``, on the analysis of ``channel_space``) and group
sparsity (``group_sparsity``, run after the canonical passes, optionally preceded by the
function-preserving channel permutation ``rearrange``) are opt-in.
"""
from .eliminate_identity import EliminateIdentity
from .fold_batchnorm import FoldBatchNorm
from .fold_constants import FoldConstants
from .fuse_activation import FuseActivation
from .fuse_gelu import FuseGelu
from .group_prune import GroupPrune  # noqa: F401  (opt-in, not canonical)
from .group_sparsity import GroupSparsity  # noqa: F401  (opt-in, after the canonical passes)
from .manager import Pass, PassManager, PassResult  # noqa: F401
from .rearrange import Rearrange  # noqa: F401  (opt-in, right before group_sparsity)
from .remove_unused import RemoveUnused


def canonical_passes() -> list[Pass]:
    return [EliminateIdentity(), FoldConstants(), FoldBatchNorm(), FuseGelu(), FuseActivation(), RemoveUnused()]


PASSES = {p.name: type(p) for p in canonical_passes()}
