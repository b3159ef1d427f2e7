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

**Deciders and states.** With leaders (:mod:`negsim.engine.leaders`) an actor's decisions
are its leader's, so the recursion carries a pair of values: the deciders' ``D`` (each
leader's utility of a deal, its state's less the expected removal loss) and the states'
``V``. Floors, the proposer's choice and the deal come from ``D`` (continuations
``C^D = w + delta E[D(t+1)]``); ``V`` follows the same choices with the states'
utilities. A deal ratified with probability pi (:mod:`negsim.engine.ratification`) is
worth ``pi u + (1 - pi) F``, F the fallback of no deal this round: the continuation, or
the payoffs of a responder's outside option when one beats its continuation
(:mod:`negsim.engine.outside_options`). Without leaders ``D = V``.

**Self-enforcing deals** (``deals: self_enforcing``, :mod:`negsim.engine.commitment`):
every member's floor is also at least its enforcement floor ``E_i(t, s)``, the highest
threat point it can reach later (the threat points do not depend on the deals, so they
are computed first). **Mixing in the stationary tail**: when value iteration of a tail
with one proposer a round cycles (unequal recognition or discounts in Baron-Ferejohn),
the stationary equilibrium that mixes over tied coalitions is solved directly
(:mod:`negsim.engine.stationary`, Eraslan 2002, on the deciders' values) and its mixing
weights the tied coalitions in every round.
"""

from __future__ import annotations

import collections
import dataclasses
from dataclasses import dataclass

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.commitment import enforcement_floors
from negsim.engine.offers import GeneralOffers, Offer, OfferStrategy, floors, why_not_kept
from negsim.engine.outside_options import opt_out
from negsim.engine.states import StateSpace
from negsim.engine.stationary import Coalition, Mixing, mixed_stationary_values, tail_offers
from negsim.engine.terminal import (
    perpetual_disagreement,
    stationary_round_limit,
    war_utilities,
)
from negsim.engine.tolerances import CYCLE_MEMORY, STATIONARY_TOL, TOL
from negsim.models import spatial

__all__ = [
    "Backward",
    "ProposerChoice",
    "Step",
    "backward_induction",
    "bellman_step",
    "has_leaders",
    "node_step",
    "proposer_choice",
    "proposers",
]


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
    decision: np.ndarray | None = None  # (N,) deciders' utilities (leaders' where they decide)
    approval: float = 1.0  # probability that the ratifiers approve the deal
    outside: np.ndarray | None = None  # (N,) payoffs if a responder opts out instead


@dataclass(frozen=True)
class Step:
    """One (round, state) of the Bellman recursion for n points."""

    value: np.ndarray  # (n, N) the states' values
    decided: np.ndarray  # (n, N) the deciders' values (leaders' where an actor has one)
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


def _tied_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean over the coalition axis (1) of ``values`` (n, C, ...) with weights
    ``weights`` (n, C) (1 for each tied coalition, or a stationary mixing; 0 otherwise)."""
    extra = (1,) * (values.ndim - 2)
    count = weights.sum(axis=1)
    count = np.where(count > 0, count, 1.0).reshape((len(weights),) + extra)
    w = weights.reshape(weights.shape + extra)
    return (np.where(w > 0, values, 0.0) * w).sum(axis=1) / count


def _mixing_weights(
    masks: np.ndarray, tied: np.ndarray, mixing: dict[Coalition, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """(n, C) weights of the coalitions ``masks`` (C, N): uniform over the tied ones, or
    the stationary equilibrium's ``mixing`` where the coalitions it uses are all tied;
    and (n,) where the mixing applied."""
    weights = tied.astype(float)
    applied = np.zeros(len(tied), dtype=bool)
    if not mixing:
        return weights, applied
    keys = [tuple(int(i) for i in np.flatnonzero(m)) for m in masks]
    mix = np.array([mixing.get(k, 0.0) for k in keys])
    used = mix > 0
    if not set(mixing) <= {k for k, u in zip(keys, used, strict=True) if u}:
        return weights, applied
    applied = ~np.any(used & ~tied, axis=1)
    weights[applied] = mix
    return weights, applied


def bellman_step(
    space: StateSpace,
    offers: OfferStrategy,
    s: int,
    t: int,
    phase: int,
    cont: np.ndarray,
    active: np.ndarray,
    explain: bool = False,
    state_cont: np.ndarray | None = None,
    enforce: np.ndarray | None = None,
    mixing: Mixing | None = None,
) -> Step:
    """Expected SPE values at round t in state s (parameters of round t, proposer of
    ``phase``) for the deciders' continuation values ``cont`` (n, N) and the states'
    ``state_cont`` (default ``cont``: no leaders); ``enforce`` (n, N): the enforcement
    floors of self-enforcing deals (None: deals bind); ``mixing``: per proposer, the
    stationary equilibrium's probabilities of its tied coalitions (None: uniform); see
    the module docstring."""
    a = space.arrays[s]
    state_cont = cont if state_cont is None else state_cont
    n, N = cont.shape
    P, Q = len(a.positions), len(a.pies)
    decided = np.zeros((n, N))
    value = np.zeros((n, N))
    p_deal = np.zeros(n)
    x_sum, y_sum, weight = np.zeros((n, P)), np.zeros((n, N, Q)), np.zeros(n)
    dealt = np.zeros(n, dtype=bool)
    undecided = np.zeros(n, dtype=bool)
    choices: list[ProposerChoice] | None = [] if explain else None
    for j, p in proposers(a, phase):
        if a.outside is not None:
            taken, option = opt_out(a.outside, t, j, cont, TOL)
            fallback = np.where(taken[:, None], option, cont)
            state_fallback = np.where(taken[:, None], option, state_cont)
        else:
            taken, fallback, state_fallback = np.zeros(n, dtype=bool), cont, state_cont
        masks = offers.coalitions(s, j, cont)
        floor = [floors(a, t, j, m, cont, enforce) for m in masks]
        found = [
            offers.offer(s, t, j, m, f, fallback[:, j], active)
            for m, f in zip(masks, floor, strict=True)
        ]
        if explain and enforce is not None:
            found = [
                why_not_kept(offers, a, s, t, j, m, o, cont, fallback)
                for m, o in zip(masks, found, strict=True)
            ]
        # no leaders: the deciders' utilities are the states'; no ratifiers: approval is 1
        leaders = any(o.decision is not None for o in found)
        ratified = any(o.approval is not None for o in found)
        if found:
            u = np.stack([o.utilities for o in found], axis=1)
            dec = np.stack([o.deciders for o in found], axis=1) if leaders else u
            approval = np.stack([o.approved for o in found], axis=1) if ratified else None
            feasible = np.stack([o.feasible for o in found], axis=1)
        else:
            u = dec = np.zeros((n, 0, N))
            approval, feasible = np.zeros((n, 0)), np.zeros((n, 0), bool)
        for o in found:
            undecided |= o.undecided
        if approval is None:
            expected = dec[:, :, j]
        else:
            expected = approval * dec[:, :, j] + (1.0 - approval) * fallback[:, None, j]
        own = np.where(feasible, expected, -np.inf)
        best = own.max(axis=1, initial=-np.inf)
        tied = feasible & (own >= best[:, None] - TOL)
        deal = tied.any(axis=1) & (best >= fallback[:, j] - TOL)
        weights, mixed = _mixing_weights(masks, tied, (mixing or {}).get(j))
        u_mean = _tied_mean(u, weights)
        dec_mean = _tied_mean(dec, weights) if leaders else u_mean
        # the mean of approvals of 1 is exactly 1 wherever some coalition has weight
        pi = (
            _tied_mean(approval, weights)
            if approval is not None
            else (weights.sum(axis=1) > 0).astype(float)
        )
        pi_ = pi[:, None]
        decided += p * np.where(deal[:, None], pi_ * dec_mean + (1.0 - pi_) * fallback, fallback)
        value += p * np.where(
            deal[:, None], pi_ * u_mean + (1.0 - pi_) * state_fallback, state_fallback
        )
        p_deal += np.where(deal, p * pi, 0.0)
        x = y = None
        if found:
            x = _tied_mean(np.stack([o.x for o in found], 1), weights)
            y = _tied_mean(np.stack([o.y for o in found], 1), weights)
            x_sum += np.where(deal[:, None], p * pi_ * x, 0.0)
            y_sum += np.where(deal[:, None, None], p * pi[:, None, None] * y, 0.0)
        weight += np.where(deal, p * pi, 0.0)
        dealt |= deal
        if choices is not None:
            record = _record(
                j, p, masks, floor, found, weights[0] > 0, bool(deal[0]), cont[0], bool(mixed[0])
            )
            if record.coalition and x is not None and y is not None:
                settlement = spatial.Settlement(x=x[0], y=y[0], utilities=u_mean[0])
                record = dataclasses.replace(
                    record, settlement=settlement, decision=dec_mean[0], approval=float(pi[0])
                )
            if taken[0]:
                record = dataclasses.replace(record, outside=fallback[0])
            choices.append(record)
    scale = np.where(weight > 0, weight, 1.0)
    return Step(
        value=value,
        decided=decided,
        p_deal=p_deal,
        x=x_sum / scale[:, None],
        y=y_sum / scale[:, None, None],
        dealt=dealt,
        undecided=undecided,
        choices=choices,
    )


def node_step(
    a: RoundArrays,
    t: int,
    phase: int,
    cont: np.ndarray,
    state_cont: np.ndarray | None = None,
) -> tuple[np.ndarray, list[ProposerChoice], np.ndarray]:
    """:func:`bellman_step` at one point of one state's arrays, with the engine's own
    offers: the deciders' values (N,), every proposer's :class:`ProposerChoice` and the
    states' values (N,). For mechanisms that build their own nodes (beliefs, screening)."""
    space = StateSpace(["node"], [a], np.ones((1, 1)))
    out = bellman_step(
        space,
        GeneralOffers(space),
        0,
        t,
        phase,
        cont[None],
        np.ones(1, dtype=bool),
        explain=True,
        state_cont=None if state_cont is None else state_cont[None],
    )
    assert out.choices is not None
    return out.decided[0], out.choices, out.value[0]


def proposer_choice(
    a: RoundArrays, t: int, proposer: int, continuation: np.ndarray, probability: float = 1.0
) -> ProposerChoice:
    """One proposer's :class:`ProposerChoice` at round t for continuation values
    ``continuation`` (N,): :func:`node_step` with ``proposer`` recognised with
    ``probability``, for mechanisms that weigh proposers themselves (screening)."""
    recognised = np.zeros(len(a.actors))
    recognised[proposer] = probability
    alone = dataclasses.replace(a, proposers=None, recognition=recognised)
    return node_step(alone, t, t, continuation)[1][0]


def has_leaders(space: StateSpace) -> bool:
    """Whether some actor's leader decides for it (the deciders' values differ)."""
    return any(a.leaders is not None for a in space.arrays)


def _record(
    j: int,
    p: float,
    masks: np.ndarray,
    floor: list[np.ndarray],
    found: list[Offer],
    tied: np.ndarray,
    deal: bool,
    cont: np.ndarray,
    mixed: bool = False,
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
        how = "mixed as the stationary equilibrium requires" if mixed else "mixed uniformly"
        why += f"; {len(chosen)} equally cheap coalitions, {how}"
    return ProposerChoice(j, p, coalition, floors_, cont, None, deal, why)


@dataclass
class Backward:
    """The backward induction's arrays for n points (see :func:`backward_induction`)."""

    threat: np.ndarray  # (n, T + 1, S, N)
    value: np.ndarray  # (n, T + 1, S, N) SPE values (the states')
    continuation: np.ndarray  # (n, T, S, N)
    deal: np.ndarray  # (n, T, S) probability of a deal
    x: np.ndarray  # (n, T, S, P), NaN without a deal
    y: np.ndarray  # (n, T, S, N, Q)
    payoff: np.ndarray  # (n, T + 1, S, N), NaN where no deal
    ok: np.ndarray  # (n,) False where the stationary tail is undefined or does not converge
    undecided: np.ndarray  # (n,) True where the offer strategy left the point to the engine
    choices: dict[tuple[int, int], list[ProposerChoice]]  # (t, s) -> point 0's records
    decided: np.ndarray  # (n, T + 1, S, N) the deciders' values (``value`` without leaders)
    decided_continuation: np.ndarray  # (n, T, S, N)


def backward_induction(
    space: StateSpace,
    discount: np.ndarray,
    flow: np.ndarray,
    offers: OfferStrategy,
    terminal: str,
    explain: bool = False,
    deals: str = "binding",
    mix_ties: bool = False,
) -> Backward:
    """SPE backward induction over (round, state) for n points.

    Parameters
    ----------
    space : the states and their kernel.
    discount, flow : (n, S, T, N) per-point discount factors and disagreement flows.
    offers : how a proposer's offer is found.
    terminal : ``"war"`` or ``"stationary"``.
    explain : record point 0's :class:`ProposerChoice` at every (t, s).
    deals : ``"binding"`` or ``"self_enforcing"`` (:mod:`negsim.engine.commitment`).
    mix_ties : solve a cycling stationary tail by mixing over tied coalitions
        (:mod:`negsim.engine.stationary`; one point only: :func:`negsim.solve`); without
        it such points are left undecided (the sweep's fast path hands them to the engine).
    """
    n, S, T, N = discount.shape
    a0 = space.arrays[0]
    P, Q = len(a0.positions), len(a0.pies)
    leaders = has_leaders(space)
    threat = np.zeros((n, T + 1, S, N))
    value = np.zeros((n, T + 1, S, N))
    decided = np.zeros((n, T + 1, S, N)) if leaders else value
    ok = np.ones(n, dtype=bool)
    undecided = np.zeros(n, dtype=bool)
    mixing: list[Mixing] | None = None
    if terminal == "stationary":
        decided[:, T], threat[:, T], value[:, T], ok, undecided, mixing = stationary_tail(
            space, offers, discount[:, :, -1], flow[:, :, -1], deals, mix_ties
        )
    else:
        threat[:, T] = value[:, T] = decided[:, T] = war_utilities(space)
    enforce = None
    if deals == "self_enforcing":  # the threat points do not depend on the deals made
        for t in reversed(range(T)):
            threat[:, t] = flow[:, :, t] + discount[:, :, t] * space.expect(threat[:, t + 1])
        enforce = np.stack(
            [enforcement_floors(w, space.transition, terminal == "stationary") for w in threat]
        )
    continuation = np.zeros((n, T, S, N))
    decided_continuation = np.zeros((n, T, S, N)) if leaders else continuation
    deal = np.zeros((n, T, S))
    x = np.full((n, T, S, P), np.nan)
    y = np.full((n, T, S, N, Q), np.nan)
    payoff = np.full((n, T + 1, S, N), np.nan)
    choices: dict[tuple[int, int], list[ProposerChoice]] = {}
    for t in reversed(range(T)):
        threat[:, t] = flow[:, :, t] + discount[:, :, t] * space.expect(threat[:, t + 1])
        continuation[:, t] = flow[:, :, t] + discount[:, :, t] * space.expect(value[:, t + 1])
        if leaders:
            decided_continuation[:, t] = flow[:, :, t] + discount[:, :, t] * space.expect(
                decided[:, t + 1]
            )
        for s in range(S):
            out = bellman_step(
                space,
                offers,
                s,
                t,
                t,
                decided_continuation[:, t, s],
                ok & ~undecided,
                explain,
                state_cont=continuation[:, t, s] if leaders else None,
                enforce=None if enforce is None else enforce[:, t, s],
                mixing=None if mixing is None else mixing[s],
            )
            value[:, t, s] = out.value
            decided[:, t, s] = out.decided
            deal[:, t, s] = out.p_deal
            x[:, t, s] = np.where(out.dealt[:, None], out.x, np.nan)
            y[:, t, s] = np.where(out.dealt[:, None, None], out.y, np.nan)
            payoff[:, t, s] = np.where(out.dealt[:, None], out.value, np.nan)
            undecided |= out.undecided
            if out.choices is not None:
                choices[t, s] = out.choices
    if terminal == "war":
        payoff[:, T] = threat[:, T]
    return Backward(
        threat,
        value,
        continuation,
        deal,
        x,
        y,
        payoff,
        ok,
        undecided,
        choices,
        decided,
        decided_continuation,
    )


def stationary_tail(
    space: StateSpace,
    offers: OfferStrategy,
    beta: np.ndarray,
    flow: np.ndarray,
    deals: str = "binding",
    mix_ties: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[Mixing] | None]:
    """Values at T of the game whose last round repeats forever, per point.

    ``beta``, ``flow``: (n, S, N). Returns the deciders' values, the threat points and the
    states' values (n, S, N), ok (n,) (False where a discount factor is 1 or the
    iteration does not converge; see :func:`negsim.engine.terminal.tail_error`),
    undecided (n,) and, when the tail of the one point (``mix_ties``) needed it, the
    mixing over tied coalitions per state (:mod:`negsim.engine.stationary`): value
    iteration that has run a quarter of its round limit with one proposer a round is
    cycling, and the mixed equilibrium is solved directly. Without ``mix_ties`` a point
    that does not converge is left undecided.
    """
    n, S, N = beta.shape
    leaders = has_leaders(space)
    ok = ~np.any(beta >= 1.0, axis=(1, 2))
    safe = np.where(ok[:, None, None], beta, 0.0)
    threat = perpetual_disagreement(space, flow, safe)
    enforce = (
        np.stack([enforcement_floors(w[None], space.transition, True)[0] for w in threat])
        if deals == "self_enforcing"
        else None
    )
    decided = threat.copy()
    value = threat.copy()
    last = space.rounds - 1
    period = space.period
    limits = np.array([stationary_round_limit(float(b)) for b in safe.reshape(n, -1).max(axis=1)])
    active = ok.copy()
    undecided = np.zeros(n, dtype=bool)
    converged = np.zeros(n, dtype=bool)
    mix = mix_ties and period == 1 and n == 1
    history: collections.deque[np.ndarray] = collections.deque(maxlen=CYCLE_MEMORY)
    mixing: list[Mixing] | None = None
    rounds = 0
    while True:
        active &= (rounds < limits) & ~undecided
        if not active.any():
            break
        idx = np.flatnonzero(active)
        d, v = decided[idx], value[idx]
        before, state_before = d.copy(), v.copy()
        for m in reversed(range(period)):
            cont = flow[idx] + safe[idx] * space.expect(d)
            state_cont = flow[idx] + safe[idx] * space.expect(v) if leaders else None
            d, v = np.empty_like(d), np.empty_like(v)
            for s in range(S):
                out = bellman_step(
                    space,
                    offers,
                    s,
                    last,
                    last + 1 + m,
                    cont[:, s],
                    np.ones(len(idx), bool),
                    state_cont=None if state_cont is None else state_cont[:, s],
                    enforce=None if enforce is None else enforce[idx, s],
                )
                d[:, s], v[:, s] = out.decided, out.value
                undecided[idx[out.undecided]] = True
            rounds += 1
        decided[idx], value[idx] = d, v
        change = np.max(np.abs(d - before), axis=(1, 2))
        if leaders:
            change = np.maximum(change, np.max(np.abs(v - state_before), axis=(1, 2)))
        done = change < STATIONARY_TOL
        converged[idx[done]] = True
        active[idx[done]] = False
        if mix and not done[0]:
            history.append(d[0].copy())
            if rounds == limits[0] // 4:  # past the contraction bound: cycling
                found = _mixed_tail(space, offers, history, flow[0], safe[0], enforce)
                if found is not None:
                    decided[0], value[0], mixing = found
                    converged[0], active[0] = True, False
    if not mix_ties:  # cycling: left to the engine, which mixes over tied coalitions
        undecided |= ok & ~converged
    ok &= converged | undecided  # not converged: the engine raises SolveError for them
    return decided, threat, value, ok, undecided, mixing


def _mixed_tail(
    space: StateSpace,
    offers: OfferStrategy,
    history: collections.deque[np.ndarray],
    flow: np.ndarray,
    beta: np.ndarray,
    enforce: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, list[Mixing]] | None:
    """The stationary equilibrium of one point's tail that mixes over tied coalitions
    (:func:`negsim.engine.stationary.mixed_stationary_values`), on the deciders' values:
    each offer is worth to the deciders what the Bellman step counts, ``pi d + (1 - pi) F``
    (leaders' utilities, ratification risk, the fallback F). Returns the deciders' and the
    states' values (S, N) and the mixing, or None when no such equilibrium was found.

    ``flow``, ``beta``: (S, N); ``enforce``: (1, S, N) enforcement floors or None."""
    last = space.rounds - 1
    coalitions, offer = tail_offers(space, offers, last, enforce)
    found = mixed_stationary_values(
        list(history),
        flow,
        beta,
        space.transition,
        [proposers(a, 0) for a in space.arrays],
        coalitions,
        offer,
    )
    if found is None:
        return None
    decided, mixing = found
    if not has_leaders(space):
        return decided, decided, mixing
    # the states' values follow the deciders' choices: V = step(C^D fixed, w + beta E V)
    cont = flow + beta * space.expect(decided)
    value = decided.copy()
    for _ in range(stationary_round_limit(float(beta.max()))):
        state_cont = flow + beta * space.expect(value)
        new = np.stack(
            [
                bellman_step(
                    space,
                    offers,
                    s,
                    last,
                    last + 1,
                    cont[None, s],
                    np.ones(1, dtype=bool),
                    state_cont=state_cont[None, s],
                    enforce=None if enforce is None else enforce[:, s],
                    mixing=mixing[s],
                ).value[0]
                for s in range(space.size)
            ]
        )
        if np.max(np.abs(new - value)) < STATIONARY_TOL:
            return decided, new, mixing
        value = new
    return None
