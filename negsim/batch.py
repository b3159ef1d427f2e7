"""The sweep's batch path, kept under its old name: see :mod:`negsim.engine.points`."""

from negsim.engine.points import FAST_FIELDS, Batch, batch_supported, fast_point, solve_points

__all__ = ["FAST_FIELDS", "Batch", "batch_supported", "fast_point", "solve_points"]
