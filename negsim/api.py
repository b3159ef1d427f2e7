"""The top of the pipeline: :func:`solve`, a scenario to a :class:`~negsim.result.Result`.

May import every layer (engine, results); nothing in :mod:`negsim` imports it but the
package itself, the CLI and the sweeps.
"""

from __future__ import annotations

from collections.abc import Iterable

from negsim.claims import ClaimCheck, measure_claims
from negsim.engine import CONCEPTS, DEFAULT_CONCEPTS, chosen_concepts
from negsim.result import Result
from negsim.results.solved import solved
from negsim.scenario import Scenario

__all__ = ["CONCEPTS", "DEFAULT_CONCEPTS", "claims", "solve"]


def solve(
    scenario: Scenario, concepts: Iterable[str] | None = None, *, ex_ante: bool = True
) -> Result:
    """Solve a scenario round by round.

    Parameters
    ----------
    scenario : the scenario (:func:`negsim.load`).
    concepts : solution concepts (default :data:`negsim.DEFAULT_CONCEPTS`, all but
        ``nash_impasse``, which is computed on request); ``"spe"`` is
        always solved, since every concept's threat points come from its pass.
    ex_ante : compute each actor's ex-ante value (the leverage measure of the summary and
        the figures, :mod:`negsim.results.leverage`; a second backward induction), on the
        first read of ``Result.actors``. False leaves the ``ex_ante`` column NaN: for
        callers that read only the outcome (sweeps, claims, counterfactuals).

    Returns
    -------
    Result
        Tables, summary and explanations (:class:`negsim.Result`). A scenario with
        ``worlds`` is solved over signal nodes (:mod:`negsim.engine.beliefs`; tables
        ``nodes``, ``beliefs``, ``deal_probability``); one with ``types`` adds the
        screening equilibrium (:mod:`negsim.engine.screening`; ``types``,
        ``deal_probability``, ``screening``).

    Examples
    --------
    >>> import negsim
    >>> r = solve(negsim.load("textbook/rubinstein"), ["spe"])
    >>> r.agreement_round, {k: round(v, 4) for k, v in r.terms().items()}
    (0, {'dollar.alice': 0.7143, 'dollar.bob': 0.2857})
    """
    chosen = chosen_concepts(concepts)
    return solved(Result, scenario, chosen, ex_ante=ex_ante)


def claims(scenario: Scenario, only: list[str] | None = None) -> ClaimCheck:
    """Measure each claim of ``scenario``'s ``claims:`` section (or those in ``only``).

    The effect of a claim is a named output of the SPE with the claim minus the same output
    with the claim's ``off`` change (:mod:`negsim.claims`); one solve per claim and one of the
    scenario. ``result.claims()`` does the same for a solved scenario, reusing its solve.

    Raises
    ------
    ScenarioError
        As :func:`negsim.claims.measure_claims`.
    """
    return measure_claims(Result, scenario, only)
