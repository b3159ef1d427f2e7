r"""Domestic ratification (Putnam 1988's two-level game) priced by the proposer.

Actor i's ratifier (a legislature, a union vote, a referendum) approves a deal with

.. math:: \pi_i(x) = \frac{1}{1 + e^{-k_i (u_i(x) - m_i(t))}},

logistic in the actor's utility with midpoint ``m`` (approval 1/2) and steepness ``k``.
A deal needs the approval of the ratifiers of every coalition member (independent
votes: the product of the probabilities); if it fails, the round ends as if no deal had
been offered (continuation values, or a responder's outside option). The proposer j
chooses the terms maximising its expected gain over that fallback ``F_j``:

.. math:: \max_x \; \Pi(x) \, \bigl(u_j(x) - F_j\bigr)

subject to the responders' floors. With one ratified responder p this is a search over
p's utility level v: ``G(v) = max u_j s.t. u_p >= v`` is concave for linear utilities
and the logistic is log-concave, so ``Pi(v) (G(v) - F_j)`` is log-concave, hence
unimodal, and a bounded Brent search (to 1e-12 in v) finds its maximum. Limits: as
``k -> inf`` the ratifier is a reservation utility ``m`` (a step); without ratifiers the
engine is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import expit

from negsim.models.spatial import Settlement
from negsim.scenario import Scenario

__all__ = ["approval", "priced_offer", "ratifier_arrays"]

_XTOL = 1e-12


def ratifier_arrays(s: Scenario) -> tuple[np.ndarray, np.ndarray] | None:
    """Midpoints (T, N), NaN where an actor has no ratifier, and steepness (N,); or None."""
    if all(a.ratifier is None for a in s.actors.values()):
        return None
    mid = np.full((s.rounds, len(s.actors)), np.nan)
    steep = np.full(len(s.actors), np.nan)
    for i, actor in enumerate(s.actors.values()):
        if actor.ratifier is not None:
            mid[:, i] = s.series(actor.ratifier.midpoint)
            steep[i] = actor.ratifier.steepness
    return mid, steep


def approval(
    midpoint: np.ndarray, steepness: np.ndarray, utilities: np.ndarray, who: list[int]
) -> float:
    """Probability that every ratifier of the actors ``who`` approves (product of logistics)."""
    return float(np.prod([expit(steepness[i] * (utilities[i] - midpoint[i])) for i in who]))


def priced_offer(
    solve: Callable[[int, np.ndarray], Settlement | None],
    decision: Callable[[Settlement], np.ndarray],
    proposer: int,
    floors: np.ndarray,
    fallback: float,
    midpoint: np.ndarray,
    steepness: np.ndarray,
    coalition: tuple[int, ...],
) -> tuple[Settlement, float] | None:
    """The proposer's offer priced for ratification risk, and its approval probability.

    Parameters
    ----------
    solve : ``solve(j, floors)``, the best offer of proposer j meeting ``floors``.
    decision : the deciders' utilities of a settlement (leaders' where they decide).
    proposer, floors : as in :func:`negsim.models.spatial.best_proposal`.
    fallback : the proposer's value if the deal fails ratification.
    midpoint, steepness : (N,) the ratifiers (NaN where none).
    coalition : the members whose ratifiers must approve.
    """
    ratified = [i for i in coalition if not np.isnan(midpoint[i])]
    base = solve(proposer, floors)
    if base is None:
        return None
    if not ratified:
        return base, 1.0
    others = [i for i in ratified if i != proposer]
    if len(others) > 1:
        raise ValueError(
            "ratifiers on more than one responder of a coalition are not supported yet "
            f"(actors {others}); give a ratifier to at most one responder per coalition"
        )

    def gain(s: Settlement) -> float:
        return approval(midpoint, steepness, s.utilities, ratified) * (
            decision(s)[proposer] - fallback
        )

    if not others:
        return base, approval(midpoint, steepness, base.utilities, ratified)
    p = others[0]
    top = floors.copy()
    top[p] = np.nan
    best_for_p = solve(p, top)
    low = float(base.utilities[p])
    high = float(best_for_p.utilities[p]) if best_for_p is not None else low

    def offer(v: float) -> Settlement | None:
        raised = floors.copy()
        raised[p] = max(v, floors[p]) if not np.isnan(floors[p]) else v
        return solve(proposer, raised)

    candidates = [base]
    if high > low + _XTOL:

        def negative_gain(v: float) -> float:
            s = offer(v)
            return np.inf if s is None else -gain(s)

        found = minimize_scalar(
            negative_gain, bounds=(low, high), method="bounded", options={"xatol": _XTOL}
        )
        for v in (float(found.x), high):
            s = offer(v)
            if s is not None:
                candidates.append(s)
    best = max(candidates, key=gain)
    return best, approval(midpoint, steepness, best.utilities, ratified)
