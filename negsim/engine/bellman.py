r"""The one backward induction of negsim, over (round, state) for n points at once.

Every array has a leading points axis: :func:`negsim.solve` runs it for one point (and
records how each offer was derived), the sweep's fast path for thousands, differing only
in the offer strategy (:mod:`negsim.engine.offers`). For round t and state s:

.. math::

    W_i(t, s) = w_i(t, s) + \delta_i(t, s)\, E[W_i(t+1) \mid s], \qquad
    C_i(t, s) = w_i(t, s) + \delta_i(t, s)\, E[V_i(t+1) \mid s],

with the expectation from the state space's kernel (:meth:`StateSpace.expect`); then the
Bellman step: each proposer j (rotating, or recognised with probability p_j) offers every
coalition it may form the settlement maximising its utility subject to each member's
floor ``max(C_i, reservation_i)`` (:func:`negsim.engine.offers.floors`); coalitions that
serve j equally well (within 1e-9) are mixed uniformly (the symmetric stationary
equilibrium of Baron & Ferejohn 1989); j proposes when its best offer is worth at least
its continuation ``C_j`` (within 1e-9), and then ``V(t, s)`` is the offer's utilities,
else ``V(t, s) = C(t, s)`` -- averaged over proposers. The end (:mod:`negsim.engine.
terminal`) gives ``W(T)`` and ``V(T)``; a stationary tail is the fixed point of the same
step applied to the last round (value iteration to 1e-12).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.offers import Offer, OfferStrategy, floors
from negsim.engine.states import StateSpace
from negsim.engine.terminal import (
    perpetual_disagreement,
    stationary_round_limit,
    war_utilities,
)
from negsim.engine.tolerances import STATIONARY_TOL, TOL
from negsim.models import spatial

__all__ = ["Backward", "ProposerChoice", "Step", "backward_induction", "bellman_step", "proposers"]


@dataclass(frozen=True)
class ProposerChoice:
    """How one proposer's offer at one round was derived (for ``Result.explain``)."""

    proposer: int
    probability: float
    coalition: tuple[int, ...]
    floors: np.ndarray  # (N,) NaN outside the coalition
    continuation: np.ndarray  # (N,)
    settlement: spatial.Settlement | None
    deal: bool
    reason: str


@dataclass(frozen=True)
class Step:
    """One (round, state) of the Bellman recursion for n points."""

    value: np.ndarray  # (n, N)
    p_deal: np.ndarray  # (n,)
    x: np.ndarray  # (n, P) deal terms, averaged over proposers with a deal
    y: np.ndarray  # (n, N, Q)
    dealt: np.ndarray  # (n,) bool
    undecided: np.ndarray  # (n,) bool: the offer strategy left the point to the engine
    choices: list[ProposerChoice] | None  # point 0's records, when asked for


def proposers(a: RoundArrays, phase: int) -> list[tuple[int, float]]:
    """Who may propose at ``phase`` and with what probability."""
    if a.recognition is not None:
        return [(j, float(p)) for j, p in enumerate(a.recognition) if p > 0]
    assert a.proposers is not None
    return [(int(a.proposers[phase % len(a.proposers)]), 1.0)]


def _tied_mean(values: np.ndarray, tied: np.ndarray) -> np.ndarray:
    """Mean over the coalition axis (1) of ``values`` (n, C, ...) where ``tied`` (n, C)."""
    extra = (1,) * (values.ndim - 2)
    count = np.maximum(tied.sum(axis=1), 1).reshape((len(tied),) + extra)
    return np.where(tied.reshape(tied.shape + extra), values, 0.0).sum(axis=1) / count


def bellman_step(
    space: StateSpace,
    offers: OfferStrategy,
    s: int,
    t: int,
    phase: int,
    cont: np.ndarray,
    active: np.ndarray,
    explain: bool = False,
) -> Step:
    """Expected SPE value at round t in state s (parameters of round t, proposer of
    ``phase``) for continuation values ``cont`` (n, N); see the module docstring."""
    a = space.arrays[s]
    n, N = cont.shape
    P, Q = len(a.positions), len(a.pies)
    value = np.zeros((n, N))
    p_deal = np.zeros(n)
    x_sum, y_sum, weight = np.zeros((n, P)), np.zeros((n, N, Q)), np.zeros(n)
    undecided = np.zeros(n, dtype=bool)
    choices: list[ProposerChoice] | None = [] if explain else None
    for j, p in proposers(a, phase):
        masks = offers.coalitions(s, j, cont)
        floor = [floors(a, t, j, m, cont) for m in masks]
        found = [offers.offer(s, t, j, m, f, active) for m, f in zip(masks, floor, strict=True)]
        u = np.stack([o.utilities for o in found], axis=1) if found else np.zeros((n, 0, N))
        feasible = (
            np.stack([o.feasible for o in found], axis=1) if found else np.zeros((n, 0), bool)
        )
        for o in found:
            undecided |= o.undecided
        own = np.where(feasible, u[:, :, j], -np.inf)
        best = own.max(axis=1, initial=-np.inf)
        tied = feasible & (own >= best[:, None] - TOL)
        deal = tied.any(axis=1) & (best >= cont[:, j] - TOL)
        u_mean = _tied_mean(u, tied)
        value += p * np.where(deal[:, None], u_mean, cont)
        p_deal += np.where(deal, p, 0.0)
        x = y = None
        if found:
            x = _tied_mean(np.stack([o.x for o in found], 1), tied)
            y = _tied_mean(np.stack([o.y for o in found], 1), tied)
            x_sum += np.where(deal[:, None], p * x, 0.0)
            y_sum += np.where(deal[:, None, None], p * y, 0.0)
        weight += np.where(deal, p, 0.0)
        if choices is not None:
            settlement = (
                spatial.Settlement(x=x[0], y=y[0], utilities=u_mean[0])
                if x is not None and y is not None
                else None
            )
            choices.append(_record(j, p, masks, floor, found, tied[0], bool(deal[0]), cont[0]))
            if choices[-1].coalition:
                choices[-1] = dataclasses.replace(choices[-1], settlement=settlement)
    scale = np.where(weight > 0, weight, 1.0)
    return Step(
        value=value,
        p_deal=p_deal,
        x=x_sum / scale[:, None],
        y=y_sum / scale[:, None, None],
        dealt=weight > 0,
        undecided=undecided,
        choices=choices,
    )


def _record(
    j: int,
    p: float,
    masks: np.ndarray,
    floor: list[np.ndarray],
    found: list[Offer],
    tied: np.ndarray,
    deal: bool,
    cont: np.ndarray,
) -> ProposerChoice:
    """Point 0's :class:`ProposerChoice`, without its settlement (the caller's)."""
    N = len(cont)
    if not tied.any():
        failed = [o.reason for o in found if not o.feasible[0]]
        reason = failed[-1] if failed else "no coalition can reach the quota"
        return ProposerChoice(j, p, (), np.full(N, np.nan), cont, None, False, reason)
    chosen = np.flatnonzero(tied)
    coalition = tuple(int(i) for i in np.flatnonzero(masks[chosen].any(axis=0)))
    floors_ = np.fmax.reduce(np.stack([floor[c][0] for c in chosen]), axis=0)
    why = "the proposer gains by the deal" if deal else "the proposer prefers to wait"
    if len(chosen) > 1:
        why += f"; {len(chosen)} equally cheap coalitions, mixed uniformly"
    return ProposerChoice(j, p, coalition, floors_, cont, None, deal, why)


@dataclass
class Backward:
    """The backward induction's arrays for n points (see :func:`backward_induction`)."""

    threat: np.ndarray  # (n, T + 1, S, N)
    value: np.ndarray  # (n, T + 1, S, N) SPE values
    continuation: np.ndarray  # (n, T, S, N)
    deal: np.ndarray  # (n, T, S) probability of a deal
    x: np.ndarray  # (n, T, S, P), NaN without a deal
    y: np.ndarray  # (n, T, S, N, Q)
    payoff: np.ndarray  # (n, T + 1, S, N), NaN where no deal
    ok: np.ndarray  # (n,) False where the stationary tail is undefined or does not converge
    undecided: np.ndarray  # (n,) True where the offer strategy left the point to the engine
    choices: dict[tuple[int, int], list[ProposerChoice]]  # (t, s) -> point 0's records


def backward_induction(
    space: StateSpace,
    discount: np.ndarray,
    flow: np.ndarray,
    offers: OfferStrategy,
    terminal: str,
    explain: bool = False,
) -> Backward:
    """SPE backward induction over (round, state) for n points.

    Parameters
    ----------
    space : the states and their kernel.
    discount, flow : (n, S, T, N) per-point discount factors and disagreement flows.
    offers : how a proposer's offer is found.
    terminal : ``"war"`` or ``"stationary"``.
    explain : record point 0's :class:`ProposerChoice` at every (t, s).
    """
    n, S, T, N = discount.shape
    a0 = space.arrays[0]
    P, Q = len(a0.positions), len(a0.pies)
    threat = np.zeros((n, T + 1, S, N))
    value = np.zeros((n, T + 1, S, N))
    ok = np.ones(n, dtype=bool)
    undecided = np.zeros(n, dtype=bool)
    if terminal == "stationary":
        value[:, T], threat[:, T], ok, undecided = stationary_tail(
            space, offers, discount[:, :, -1], flow[:, :, -1]
        )
    else:
        threat[:, T] = value[:, T] = war_utilities(space)
    continuation = np.zeros((n, T, S, N))
    deal = np.zeros((n, T, S))
    x = np.full((n, T, S, P), np.nan)
    y = np.full((n, T, S, N, Q), np.nan)
    payoff = np.full((n, T + 1, S, N), np.nan)
    choices: dict[tuple[int, int], list[ProposerChoice]] = {}
    for t in reversed(range(T)):
        threat[:, t] = flow[:, :, t] + discount[:, :, t] * space.expect(threat[:, t + 1])
        continuation[:, t] = flow[:, :, t] + discount[:, :, t] * space.expect(value[:, t + 1])
        for s in range(S):
            out = bellman_step(
                space, offers, s, t, t, continuation[:, t, s], ok & ~undecided, explain
            )
            value[:, t, s] = out.value
            deal[:, t, s] = out.p_deal
            x[:, t, s] = np.where(out.dealt[:, None], out.x, np.nan)
            y[:, t, s] = np.where(out.dealt[:, None, None], out.y, np.nan)
            payoff[:, t, s] = np.where(out.dealt[:, None], out.value, np.nan)
            undecided |= out.undecided
            if out.choices is not None:
                choices[t, s] = out.choices
    if terminal == "war":
        payoff[:, T] = threat[:, T]
    return Backward(threat, value, continuation, deal, x, y, payoff, ok, undecided, choices)


def stationary_tail(
    space: StateSpace, offers: OfferStrategy, beta: np.ndarray, flow: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Values at T of the game whose last round repeats forever, per point.

    ``beta``, ``flow``: (n, S, N). Returns value and threat (n, S, N), ok (n,) (False
    where a discount factor is 1 or the iteration does not converge; see
    :func:`negsim.engine.terminal.tail_error`) and undecided (n,).
    """
    n, S, N = beta.shape
    ok = ~np.any(beta >= 1.0, axis=(1, 2))
    safe = np.where(ok[:, None, None], beta, 0.0)
    threat = perpetual_disagreement(space, flow, safe)
    value = threat.copy()
    last = space.rounds - 1
    period = space.period
    limits = np.array([stationary_round_limit(float(b)) for b in safe.reshape(n, -1).max(axis=1)])
    active = ok.copy()
    undecided = np.zeros(n, dtype=bool)
    converged = np.zeros(n, dtype=bool)
    rounds = 0
    while True:
        active &= (rounds < limits) & ~undecided
        if not active.any():
            break
        idx = np.flatnonzero(active)
        v = value[idx]
        before = v.copy()
        for m in reversed(range(period)):
            cont = flow[idx] + safe[idx] * space.expect(v)
            v = np.empty_like(v)
            for s in range(S):
                out = bellman_step(
                    space, offers, s, last, last + 1 + m, cont[:, s], np.ones(len(idx), bool)
                )
                v[:, s] = out.value
                undecided[idx[out.undecided]] = True
            rounds += 1
        value[idx] = v
        done = np.max(np.abs(v - before), axis=(1, 2)) < STATIONARY_TOL
        converged[idx[done]] = True
        active[idx[done]] = False
    ok &= converged | undecided  # not converged: the engine raises SolveError for them
    return value, threat, ok, undecided
