"""Stationary equilibria that need mixing over coalitions.

In a stationary tail with recognition probabilities (Baron & Ferejohn 1989) the proposer
buys the cheapest votes. With unequal recognition the stationary equilibrium makes some
members equally cheap and has each proposer mix over the coalitions tied at the marginal
price with just the probabilities that keep the members' values where they are (Eraslan
2002). Value iteration with any fixed tie rule then cycles around the equilibrium instead
of reaching it; this module finds it directly.

The unknowns are the values ``v`` (R, N), each proposer's payoff ``b_{rj}`` and the
probabilities ``pi_{rjC}`` with which proposer j in regime r forms coalition C; the
equations are

.. math::

    v_r = \\sum_j p_{rj} \\sum_C \\pi_{rjC}\\, U_{rjC}(c_r), \\qquad
    c_r = w_r + \\beta_r \\sum_{r'} P_{rr'} v_{r'}, \\qquad \\sum_C \\pi_{rjC} = 1,

    \\pi_{rjC} \\ge 0, \\quad b_{rj} - U_{rjC,j}(c_r) \\ge 0, \\quad
    \\pi_{rjC}\\,(b_{rj} - U_{rjC,j}(c_r)) = 0,

where ``U_{rjC}(c)`` is every actor's utility of j's best offer to coalition C given the
continuation values c (each member held to its floor): proposers mix only over their best
coalitions. The complementarity conditions are written with the Fischer-Burmeister
function and solved by nonlinear least squares (:func:`scipy.optimize.least_squares`) from
the coalitions the cycling iteration used; the values are then polished on the tied
coalitions and the mixing recovered by non-negative least squares
(:func:`scipy.optimize.nnls`). The solution is accepted only if every equation holds to
1e-11.

References
----------
D. P. Baron and J. A. Ferejohn, "Bargaining in legislatures", APSR 83(4), 1989.
H. Eraslan, "Uniqueness of stationary equilibrium payoffs in the Baron-Ferejohn model",
Journal of Economic Theory 103(1), 2002.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import least_squares, nnls

from negsim.engine.offers import OfferStrategy, floors
from negsim.engine.outside_options import opt_out
from negsim.engine.states import StateSpace
from negsim.engine.tolerances import TOL

__all__ = ["Coalition", "Mixing", "Offer", "mixed_stationary_values", "tail_offers"]

Coalition = tuple[int, ...]
Mixing = dict[int, dict[Coalition, float]]  # proposer -> coalition -> probability
Offer = Callable[[int, int, Coalition, np.ndarray], "np.ndarray | None"]
"""``offer(r, j, C, c)``: every actor's utility of proposer j's best offer to coalition C in
regime r given continuation values c (N,), or None when no offer meets the floors."""

_SUPPORT_TOL = 1e-6  # coalitions this close to the proposer's best, in some iterate, are used
_EQUILIBRIUM_TOL = 1e-11
_TIED = 1e-7  # coalitions this close to the best at the first solution form the support
_NEGLIGIBLE = 1e-12  # mixing probabilities below this are solver noise around 0


def mixed_stationary_values(
    history: Sequence[np.ndarray],
    flow: np.ndarray,
    beta: np.ndarray,
    transition: np.ndarray,
    proposers: Sequence[Sequence[tuple[int, float]]],
    coalitions: Callable[[int, int, np.ndarray], list[Coalition]],
    offer: Offer,
) -> tuple[np.ndarray, list[Mixing]] | None:
    """The stationary values and mixing of a tail whose value iteration cycles.

    Parameters
    ----------
    history : the last value iterates (each (R, N)), which visit the coalitions in use.
    flow, beta : (R, N) per-round payoff of disagreement and discount factor.
    transition : (R, R) regime transition matrix.
    proposers : per regime, the (proposer, recognition probability) pairs.
    coalitions : ``coalitions(r, j, c)``, the coalitions proposer j may form.
    offer : see :data:`Offer`.

    Returns
    -------
    (values (R, N), mixing per regime), or None when no such equilibrium was found (some
    proposer would rather wait, or the equations were not solved to 1e-11).
    """
    R, N = flow.shape

    def continuation(v: np.ndarray) -> np.ndarray:
        return flow + beta * (transition @ v)

    mean = np.mean(history, axis=0)
    cont0 = continuation(mean)
    keys = [(r, j) for r in range(R) for j, _ in proposers[r]]
    candidates = {(r, j): coalitions(r, j, cont0[r]) for r, j in keys}
    start_mix: list[np.ndarray] = []
    start_best: list[float] = []
    used: dict[tuple[int, int], set[Coalition]] = {k: set() for k in keys}
    for v in history:  # the coalitions the cycling iteration used: the starting mixture
        cont = continuation(v)
        for r, j in keys:
            valid = {C: u for C in candidates[r, j] if (u := offer(r, j, C, cont[r])) is not None}
            if not valid:
                return None
            best = max(u[j] for u in valid.values())
            if best < cont[r, j] - _SUPPORT_TOL:
                return None  # the proposer waits: not a mixing problem
            used[r, j] |= {C for C, u in valid.items() if u[j] >= best - _SUPPORT_TOL}
    for r, j in keys:
        mask = np.array([C in used[r, j] for C in candidates[r, j]], dtype=float)
        start_mix.append(mask / mask.sum())
        at_mean = [offer(r, j, C, cont0[r]) for C in candidates[r, j]]
        start_best.append(max(u[j] for u in at_mean if u is not None))
    sizes = [len(candidates[k]) for k in keys]
    starts = np.cumsum([0, *sizes])
    K = len(keys)

    def unpack(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return z[: R * N].reshape(R, N), z[R * N : R * N + K], z[R * N + K :]

    cache: dict[bytes, list[list[np.ndarray | None]]] = {}

    def offers_at(v: np.ndarray) -> list[list[np.ndarray | None]]:
        """Every candidate offer given values v (the last v is kept: the finite differences
        in the mixing probabilities leave v unchanged)."""
        key = v.tobytes()
        if key not in cache:
            cont = continuation(v)
            cache.clear()
            cache[key] = [[offer(r, j, C, cont[r]) for C in candidates[r, j]] for r, j in keys]
        return cache[key]

    def residual(z: np.ndarray) -> np.ndarray:
        v, best, pi = unpack(z)
        offers = offers_at(v)
        value = np.zeros((R, N))
        out: list[np.ndarray] = []
        for k, (r, j) in enumerate(keys):
            weight = dict(proposers[r])[j]
            mix = pi[starts[k] : starts[k + 1]]
            us = offers[k]
            gap = np.array([best[k] - u[j] if u is not None else 1.0 for u in us])
            # Fischer-Burmeister: mix >= 0, gap >= 0, mix * gap = 0 (used coalitions are best)
            out.append(mix + gap - np.sqrt(mix**2 + gap**2))
            out.append(np.array([mix.sum() - 1.0]))
            value[r] += weight * sum(
                (p * u for p, u in zip(mix, us, strict=True) if u is not None), np.zeros(N)
            )
        return np.concatenate([(v - value).ravel(), *out])

    z0 = np.concatenate([mean.ravel(), np.array(start_best), np.concatenate(start_mix)])
    fit = least_squares(residual, z0, xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=5000)
    # Polish: the Fischer-Burmeister equations are degenerate where a coalition's probability
    # and its gap are both zero (and converge slowly there), so take the coalitions tied at
    # the solution as the support, solve the smooth equations with gap = 0 on it (mixing
    # is not unique, so free of sign here), then find non-negative mixing probabilities
    # that reproduce the polished values: a linear non-negative least-squares problem.
    v, best, _ = unpack(fit.x)
    tied = [
        np.array([u is not None and best[k] - u[j] <= _TIED for u in offers_at(v)[k]])
        for k, (_, j) in enumerate(keys)
    ]
    on_support = np.concatenate(tied)
    free = np.concatenate([np.ones(R * N + K, dtype=bool), on_support])

    def support_residual(y: np.ndarray) -> np.ndarray:
        z = np.zeros_like(fit.x)
        z[free] = y
        v, best, pi = unpack(z)
        offers = offers_at(v)
        value = np.zeros((R, N))
        out: list[np.ndarray] = []
        for k, (r, j) in enumerate(keys):
            us = [u for u, on in zip(offers[k], tied[k], strict=True) if on and u is not None]
            if len(us) != tied[k].sum():
                return np.full(len(y), 1e3)  # an offer of the support became infeasible
            mix = pi[starts[k] : starts[k + 1]][tied[k]]
            out.append(np.array([best[k] - u[j] for u in us]))
            out.append(np.array([mix.sum() - 1.0]))
            value[r] += dict(proposers[r])[j] * sum(
                (p * u for p, u in zip(mix, us, strict=True)), np.zeros(N)
            )
        return np.concatenate([(v - value).ravel(), *out])

    polished = least_squares(
        support_residual, fit.x[free], method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15
    )
    z = np.zeros_like(fit.x)
    z[free] = polished.x
    v = unpack(z)[0]
    offers = offers_at(v)
    rows = np.zeros((R * N + K, len(fit.x) - R * N - K))
    for k, (r, j) in enumerate(keys):
        for c, (u, on) in enumerate(zip(offers[k], tied[k], strict=True)):
            if on and u is not None:
                rows[r * N : (r + 1) * N, starts[k] + c] = dict(proposers[r])[j] * u
                rows[R * N + k, starts[k] + c] = 1.0
    z[R * N + K :] = nnls(rows, np.concatenate([v.ravel(), np.ones(K)]))[0]
    if np.max(np.abs(residual(z))) > _EQUILIBRIUM_TOL:
        return None
    v, best, pi = unpack(z)
    if np.any(best < np.array([continuation(v)[r, j] for r, j in keys]) - 1e-9):
        return None  # some proposer would rather wait: not this kind of equilibrium
    mixing: list[Mixing] = [{} for _ in range(R)]
    for k, (r, j) in enumerate(keys):
        mix = pi[starts[k] : starts[k + 1]]
        mix = np.where(mix > _NEGLIGIBLE, mix, 0.0)
        mixing[r][j] = {
            C: float(p) for C, p in zip(candidates[r, j], mix / mix.sum(), strict=True) if p > 0
        }
    return v, mixing


def tail_offers(
    space: StateSpace, offers: OfferStrategy, last: int, enforce: np.ndarray | None
) -> tuple[Callable[[int, int, np.ndarray], list[Coalition]], Offer]:
    """The ``coalitions`` and ``offer`` callbacks of :func:`mixed_stationary_values` for the
    stationary tail (round ``last`` repeated) of one point: each offer is worth to the
    deciders (leaders where actors have one) what the Bellman step counts,
    ``pi d + (1 - pi) F`` -- the deciders' utilities ``d`` of the offer, ratified with
    probability ``pi``, else the fallback ``F`` (the continuation, or a responder's outside
    option). ``enforce``: (1, S, N) enforcement floors of self-enforcing deals, or None."""
    N = len(space.arrays[0].actors)

    def coalitions(s: int, j: int, c: np.ndarray) -> list[Coalition]:
        return [tuple(int(i) for i in np.flatnonzero(m)) for m in offers.coalitions(s, j, c[None])]

    def offer(s: int, j: int, coalition: Coalition, c: np.ndarray) -> np.ndarray | None:
        a = space.arrays[s]
        members = np.zeros(N, dtype=bool)
        members[list(coalition)] = True
        cont = c[None]
        fallback = cont
        if a.outside is not None:
            taken, option = opt_out(a.outside, last, j, cont, TOL)
            fallback = np.where(taken[:, None], option, cont)
        floor = floors(a, last, j, members, cont, None if enforce is None else enforce[:, s])
        o = offers.offer(s, last, j, members, floor, fallback[:, j], np.ones(1, dtype=bool))
        if not o.feasible[0] or o.undecided[0]:
            return None
        pi = float(o.approved[0])
        return pi * o.deciders[0] + (1.0 - pi) * fallback[0]

    return coalitions, offer
