"""The sweep's batch path, kept under its old name: :mod:`negsim.engine.points` (complete
information) and :mod:`negsim.engine.belief_points` (scenarios with worlds)."""

from negsim.engine import points
from negsim.engine.belief_points import BeliefBatch
from negsim.engine.points import FAST_FIELDS, Batch, fast_point, solve_points
from negsim.scenario import Scenario

__all__ = ["FAST_FIELDS", "Batch", "BeliefBatch", "batch_supported", "fast_point", "solve_points"]


def batch_supported(scenario: Scenario) -> tuple[bool, str]:
    """Whether the sweep can solve ``scenario`` on its batch path, and why: with worlds,
    :class:`negsim.engine.belief_points.BeliefBatch` (points that set only ``beliefs.*``
    and ``learning.accuracy``), else :func:`negsim.engine.points.batch_supported`.

    Examples
    --------
    >>> import negsim
    >>> batch_supported(negsim.load("textbook/optimism"))[1]
    '2 worlds over linear utilities over 1 position and 0 pie issues (linear programs), terminal war: points that set only beliefs.* and learning.accuracy'
    """
    if scenario.worlds:
        return BeliefBatch(scenario).supported
    return points.batch_supported(scenario)
