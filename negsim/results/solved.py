"""A scenario solved into a result record, whichever mechanisms it has: the one dispatch.

* ``worlds`` (heterogeneous priors and learning): the subjective SPE over signal nodes
  (:func:`negsim.engine.beliefs.solve_beliefs`); the record's usual tables average over
  nodes and :func:`negsim.results.beliefs.with_worlds` adds the node tables;
* ``types`` (private information): the complete-information solution, with the screening
  equilibrium (:func:`negsim.engine.screening.solve_types`, which takes a type that changes
  no number from that solution instead of solving it again) attached by
  :func:`negsim.results.screening.attach`;
* otherwise the engine's solution (:func:`negsim.engine.solve_scenario`).

The record class comes in as an argument: :func:`negsim.solve` passes
:class:`negsim.Result`, and the summary's counterfactuals (:mod:`negsim.results.
counterfactual`, which :mod:`negsim.result` reaches) pass the class of the result they
explain, so this module never imports :mod:`negsim.result`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from negsim.engine import solve_scenario
from negsim.engine.beliefs import solve_beliefs
from negsim.engine.screening import solve_types
from negsim.results.beliefs import with_worlds
from negsim.results.screening import attach
from negsim.scenario import Scenario

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["solved"]


def solved(
    record: type[Result], scenario: Scenario, concepts: tuple[str, ...], *, ex_ante: bool = True
) -> Result:
    """``scenario`` solved for ``concepts`` (``spe`` first) into a ``record`` (see the
    module docstring); ``ex_ante=False`` skips the ex-ante values (the leverage measure,
    a second backward induction; the column is NaN) for callers that read only the outcome.
    """
    if scenario.worlds:
        sol, rounds = solve_beliefs(scenario, concepts)
        # The ex-ante value (the leverage measure) is defined for complete information only:
        # with worlds each actor has its own expectation, so it is not computed (NaN).
        return with_worlds(
            record.from_solution(scenario, rounds, concepts, ex_ante=False), scenario, sol, concepts
        )
    solution = solve_scenario(scenario, concepts)
    result = record.from_solution(scenario, solution, concepts, ex_ante=ex_ante)
    if scenario.types:  # a type that changes no number is the game just solved
        attach(result, solve_types(scenario, solution))
    return result
