"""How a proposer's best offer to a coalition is found, for many points at once.

At round t the proposer j offers the coalition C the settlement that maximises its own
utility subject to every other member getting at least its floor -- the larger of its
continuation value and its reservation utility -- within every member's red lines
(Baron & Ferejohn 1989; Rubinstein 1982 with two actors). The Bellman step
(:mod:`negsim.engine.bellman`) asks an *offer strategy* for the coalitions j may form
and for the best offer to each; strategies differ only in how they find it:

* :class:`GeneralOffers` -- any utilities: :func:`negsim.models.spatial.best_proposal`
  per point (a linear program, or a convex program with curvature); used by
  :func:`negsim.solve`, which also records why an offer fails;
* :class:`ClosedFormOffers` -- a single pie shared by all, each weighing it 1: the
  closed form (each responder gets its floor, the proposer the rest), vectorised;
* :class:`negsim.engine.simplex.SimplexOffers` -- linear utilities: one linear program
  per (state, round, proposer, coalition) whose right-hand side is all that differs
  between points, solved for all points with reused simplex bases.

With leaders (:mod:`negsim.engine.leaders`) the offer maximises the proposer's *leader's*
utility and each member's floor is its leader's continuation; with ratifiers
(:mod:`negsim.engine.ratification`) the offer is priced for the risk that the deal fails
ratification; with outside options (:mod:`negsim.engine.outside_options`) a responder's
floor is at least its own option; with self-enforcing deals (:mod:`negsim.engine.
commitment`) every member's floor is at least its enforcement floor. Only
:class:`GeneralOffers` handles them (the sweep's fast path refuses such scenarios).

A strategy may leave a point *undecided* (a borderline or non-unique optimum where the
solver's path would decide): the caller then solves that point with
:class:`GeneralOffers`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.coalitions import (
    cheapest_coalitions,
    coalition_masks,
    enumerated_coalitions,
)
from negsim.engine.leaders import expected_losses, penalties
from negsim.engine.proposal_lp import WarmProposals
from negsim.engine.ratification import priced_offer
from negsim.engine.states import StateSpace
from negsim.engine.tolerances import TOL
from negsim.errors import SolveError
from negsim.models import spatial

__all__ = [
    "NOT_KEPT",
    "ClosedFormOffers",
    "GeneralOffers",
    "Offer",
    "OfferStrategy",
    "floors",
    "is_closed_form",
    "settlement_space",
    "why_not_kept",
]

NO_OVERLAP = "the coalition's red lines do not overlap"
NO_SETTLEMENT = "no settlement gives every coalition member its continuation value"
NOT_KEPT = (
    "no settlement would be kept: a coalition member would return to war in a later round "
    "(deals: self_enforcing)"
)


@dataclass(frozen=True)
class Offer:
    """The proposer's best offer to one coalition, for n points."""

    feasible: np.ndarray  # (n,) bool
    utilities: np.ndarray  # (n, N)
    x: np.ndarray  # (n, P) positions
    y: np.ndarray  # (n, N, Q) pie shares
    undecided: np.ndarray  # (n,) bool: left to the general solver
    reason: str  # why the offer fails where it is not feasible
    decision: np.ndarray | None = None  # (n, N) deciders' utilities (leaders'); None: utilities
    approval: np.ndarray | None = None  # (n,) probability the ratifiers approve; None: 1

    @property
    def deciders(self) -> np.ndarray:
        """(n, N) the utilities the deciders weigh: leaders' where actors have one."""
        return self.utilities if self.decision is None else self.decision

    @property
    def approved(self) -> np.ndarray:
        """(n,) the probability that the deal is ratified (1 without ratifiers)."""
        return np.ones(len(self.feasible)) if self.approval is None else self.approval

    @classmethod
    def none(cls, n: int, a: RoundArrays, reason: str) -> Offer:
        """No feasible offer at any point."""
        N, P, Q = len(a.actors), len(a.positions), len(a.pies)
        return cls(
            np.zeros(n, dtype=bool),
            np.zeros((n, N)),
            np.zeros((n, P)),
            np.zeros((n, N, Q)),
            np.zeros(n, dtype=bool),
            reason,
        )


class OfferStrategy(Protocol):
    """What the Bellman step needs to know about offers (see the module docstring)."""

    def coalitions(self, state: int, proposer: int, continuation: np.ndarray) -> np.ndarray:
        """(C, N) masks of the coalitions ``proposer`` may form in ``state``, given the
        continuation values (n, N) (only the vote-buying heuristic reads them)."""
        ...

    def offer(
        self,
        state: int,
        t: int,
        proposer: int,
        members: np.ndarray,
        floor: np.ndarray,
        fallback: np.ndarray,
        active: np.ndarray,
    ) -> Offer:
        """The best offer to the coalition ``members`` (N,) for floors (n, N) and the
        proposer's value of no deal ``fallback`` (n,) (read only to price ratification
        risk); points where ``active`` (n,) is False need no answer."""
        ...


def settlement_space(
    a: RoundArrays, t: int, members: Iterable[int]
) -> spatial.SettlementSpace | None:
    """The settlement space at round t within the red lines of ``members`` (None if empty)."""
    members = list(members)
    low = a.red_low[t, members].max(axis=0) if members else np.zeros(len(a.positions))
    high = a.red_high[t, members].min(axis=0) if members else np.ones(len(a.positions))
    if np.any(low > high + TOL):
        return None
    return spatial.SettlementSpace(
        ideal=a.ideal[t],
        salience_position=a.salience_position[t],
        salience_pie=a.salience_pie[t],
        curvature=a.curvature[t],
        members=a.members,
        low=low,
        high=np.maximum(high, low),
    )


def floors(
    a: RoundArrays,
    t: int,
    proposer: int,
    members: np.ndarray,
    continuation: np.ndarray,
    enforce: np.ndarray | None = None,
) -> np.ndarray:
    """(n, N) floors: the larger of continuation value and reservation utility for the
    other members, the reservation for the proposer; NaN outside the coalition or where
    infinite (no constraint). A responder with an outside option takes it if offered
    less, so its floor is at least its own option ``O_i[i](t)``. With self-enforcing
    deals every member's floor, the proposer's too, is at least its enforcement floor
    ``enforce`` (n, N) (:func:`negsim.engine.commitment.enforcement_floors`)."""
    res = a.reservation[t]
    out = np.where(members, np.maximum(continuation, res), np.nan)
    out[:, proposer] = res[proposer]
    if enforce is not None:
        out = np.where(members, np.fmax(out, enforce), out)
    out = np.where(np.isfinite(out), out, np.nan)  # isfinite raises no floating-point flag
    if a.outside is not None:
        own = np.diagonal(a.outside[t])
        for i in np.flatnonzero(~np.isnan(own)).tolist():
            if i != proposer:
                out[:, i] = np.fmax(out[:, i], own[i])
    return out


@dataclass
class GeneralOffers:
    """Offers by :func:`negsim.models.spatial.best_proposal`, point by point (any
    utilities; the engine's own path), its linear programs by HiGHS models kept warm
    across rounds, nodes and types (:class:`~negsim.engine.proposal_lp.WarmProposals`).
    With more than 64 coalitions to choose from, the proposer buys the cheapest votes
    (:func:`~negsim.engine.coalitions.cheapest_coalitions`), which depends on the
    continuation values: one point at a time there."""

    space: StateSpace
    proposals: WarmProposals = dataclasses.field(default_factory=WarmProposals)

    def coalitions(self, state: int, proposer: int, continuation: np.ndarray) -> np.ndarray:
        a = self.space.arrays[state]
        found = enumerated_coalitions(a, proposer)
        if found is None:
            if len(continuation) != 1:
                raise ValueError("the vote-buying heuristic solves one point at a time")
            found = cheapest_coalitions(a, proposer, continuation[0])
        return coalition_masks(len(a.actors), found)

    def offer(
        self,
        state: int,
        t: int,
        proposer: int,
        members: np.ndarray,
        floor: np.ndarray,
        fallback: np.ndarray,
        active: np.ndarray,
    ) -> Offer:
        a = self.space.arrays[state]
        n, N = floor.shape
        coalition = tuple(int(i) for i in np.flatnonzero(members))
        space = settlement_space(a, t, coalition)
        if space is None:
            return Offer.none(n, a, NO_OVERLAP)
        pens = penalties(a.leaders, a.control, t) if a.leaders is not None else []

        def decision(s: spatial.Settlement) -> np.ndarray:
            return s.utilities - expected_losses(pens, N, s.x) if pens else s.utilities

        out = Offer.none(n, a, NO_SETTLEMENT)
        decided, approval = np.zeros((n, N)), np.ones(n)
        for p in np.flatnonzero(active):
            if a.ratifiers is None:
                settlement = self.proposals.best(space, proposer, floor[p], pens)
            else:
                priced = _priced(
                    self.proposals,
                    a,
                    t,
                    space,
                    pens,
                    decision,
                    coalition,
                    proposer,
                    floor[p],
                    fallback[p],
                )
                settlement, approval[p] = priced if priced is not None else (None, 0.0)
            if settlement is not None:
                out.feasible[p] = True
                out.utilities[p], out.x[p], out.y[p] = (
                    settlement.utilities,
                    settlement.x,
                    settlement.y,
                )
                decided[p] = decision(settlement)
        if not pens and a.ratifiers is None:
            return out
        return dataclasses.replace(out, decision=decided, approval=approval)


def _priced(
    proposals: WarmProposals,
    a: RoundArrays,
    t: int,
    space: spatial.SettlementSpace,
    pens: list[spatial.Penalty],
    decision: Callable[[spatial.Settlement], np.ndarray],
    members: tuple[int, ...],
    proposer: int,
    floor: np.ndarray,
    fallback: float,
) -> tuple[spatial.Settlement, float] | None:
    """The proposer's offer priced for ratification risk (:mod:`negsim.engine.ratification`)."""
    assert a.ratifiers is not None
    midpoint, steepness = a.ratifiers
    try:
        return priced_offer(
            lambda j, f: proposals.best(space, j, f, pens),
            decision,
            proposer,
            floor,
            float(fallback),
            midpoint[t],
            steepness,
            members,
        )
    except ValueError as exc:
        raise SolveError(str(exc)) from exc


@dataclass
class ClosedFormOffers:
    """A single pie shared by everyone, each weighing it 1, and no position issues: each
    responder with a positive floor gets ``floor_i / s_i`` (infeasible if it does not
    weigh the pie), the proposer (or, if it is not a member, the first member) keeps the
    rest -- the vectorised :func:`negsim.models.spatial.best_proposal` of this class."""

    space: StateSpace
    masks: list[list[np.ndarray]]  # [state][proposer] -> (C, N)

    def coalitions(self, state: int, proposer: int, continuation: np.ndarray) -> np.ndarray:
        return self.masks[state][proposer]

    def offer(
        self,
        state: int,
        t: int,
        proposer: int,
        members: np.ndarray,
        floor: np.ndarray,
        fallback: np.ndarray,
        active: np.ndarray,
    ) -> Offer:
        a = self.space.arrays[state]
        n, N = floor.shape
        weight = a.salience_pie[t, :, 0]
        member = a.members[:, 0]
        responder = ~np.isnan(floor) & (np.arange(N) != proposer) & (np.nan_to_num(floor) > 0)
        feasible = ~np.any(responder & ~(member & (weight > 0)), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(responder & member & (weight > 0), floor / weight, 0.0)
        rest = 1.0 - shares.sum(axis=1)
        feasible &= rest >= -1e-9
        keeper = proposer if member[proposer] else int(np.flatnonzero(member)[0])
        shares[:, keeper] += np.maximum(rest, 0.0)
        u = weight * shares
        own_floor = floor[:, proposer]
        feasible &= np.isnan(own_floor) | (u[:, proposer] >= own_floor - 1e-9)
        return Offer(
            feasible,
            u,
            np.zeros((n, 0)),
            shares[:, :, None],
            np.zeros(n, dtype=bool),
            NO_SETTLEMENT,
        )


def is_closed_form(space: StateSpace) -> bool:
    """A single pie shared by everyone, each weighing it 1, and no position issues."""
    a = space.arrays[0]
    return (
        not a.positions
        and len(a.pies) == 1
        and bool(a.members.all())
        and all(np.all(x.salience_pie == 1.0) for x in space.arrays)
    )


def why_not_kept(
    offers: OfferStrategy,
    a: RoundArrays,
    s: int,
    t: int,
    j: int,
    members: np.ndarray,
    found: Offer,
    cont: np.ndarray,
    fallback: np.ndarray,
) -> Offer:
    """``found`` with the reason that no settlement would be kept, when point 0 has no
    self-enforcing offer but a binding one exists (for the explanation records)."""
    if found.feasible[0]:
        return found
    binding = offers.offer(
        s, t, j, members, floors(a, t, j, members, cont[:1]), fallback[:1, j], np.ones(1, bool)
    )
    return dataclasses.replace(found, reason=NOT_KEPT) if binding.feasible[0] else found
