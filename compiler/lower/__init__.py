"""Lowering: choose a kernel per node for a target, plan memory, lay out weights."""
from .memory_plan import MemoryPlan, plan_memory  # noqa: F401
from .plan import Plan, PlanNode, PlanTensor, lower  # noqa: F401
