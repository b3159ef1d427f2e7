r"""The sweep's fast path: the engine's backward induction for many points at once.

A sweep point that only sets ``actors.<a>.discount``, ``actors.<a>.war_cost`` or
``actors.<a>.private_benefit`` to numbers changes the per-round discount factors and
disagreement flows and nothing else: preferences, red lines, protocol, battlefield and
regimes are those of the scenario. :func:`solve_points` runs the engine's one backward
induction (:func:`negsim.engine.bellman.backward_induction`) for a whole chunk of such
points, with the offer strategy of the scenario's class:

* a single pie shared by all and no position issues: the closed form
  (:class:`negsim.engine.offers.ClosedFormOffers`);
* linear utilities: the engine's linear programs solved for all points with reused
  simplex bases (:class:`negsim.engine.simplex.SimplexOffers`).

Points where the linear program is borderline or its optimum not unique, and points
whose stationary tail does not converge (it cycles where the equilibrium mixes over tied
coalitions, :mod:`negsim.engine.stationary`), go to :func:`negsim.solve`, so the rows never
depend on which path produced them (tests hold them equal to 1e-9).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from negsim.engine.arrays import RoundArrays, actor_flows
from negsim.engine.bellman import Backward, backward_induction
from negsim.engine.coalitions import coalition_masks, enumerated_coalitions
from negsim.engine.delay import delay_over_points
from negsim.engine.offers import ClosedFormOffers, is_closed_form
from negsim.engine.simplex import SimplexOffers
from negsim.engine.states import StateSpace, state_space
from negsim.engine.tolerances import MAX_COALITIONS
from negsim.scenario import Scenario

__all__ = [
    "FAST_FIELDS",
    "Batch",
    "batch_supported",
    "fast_point",
    "offers_class",
    "solve_points",
    "vectorised_offers",
]

FAST_FIELDS = ("discount", "war_cost", "private_benefit")


def batch_supported(scenario: Scenario) -> tuple[bool, str]:
    """Whether the sweep can solve ``scenario`` on its batch path, and why.

    Returns
    -------
    (bool, str)
        True with a description of the class, or False with the first reason it is not
        covered (the sweep then calls :func:`negsim.solve` per point).

    Examples
    --------
    >>> import negsim
    >>> batch_supported(negsim.load("textbook/baron_ferejohn"))
    (True, 'a single pie among 5 actors (closed form), recognition probabilities, terminal stationary')
    >>> batch_supported(negsim.load("variants/complete_information"))[1]
    'linear utilities over 4 position and 0 pie issues (linear programs), 2 regimes, rotating proposers, terminal war'
    """
    return Batch(scenario).supported


def fast_point(scenario: Scenario, point: Mapping[str, Any]) -> bool:
    """Whether a point only sets discount, war cost or private benefit to valid numbers
    that no regime overrides in part."""
    return _fast(point, set(scenario.actors), _regime_paths(scenario))


def _fast(point: Mapping[str, Any], actors: set[str], overridden: set[str]) -> bool:
    for path, value in point.items():
        parts = path.split(".")
        if len(parts) != 3 or parts[0] != "actors" or parts[1] not in actors:
            return False
        if parts[2] not in FAST_FIELDS:
            return False
        if any(p.startswith(path + ".") for p in overridden):
            return False
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            return False
        v = float(value)
        if not math.isfinite(v):
            return False
        if parts[2] == "discount" and not 0.0 < v <= 1.0:
            return False
        if parts[2] == "war_cost" and v < 0.0:
            return False
    return True


@dataclass
class Batch:
    """A scenario prepared for the batch path: its state space, every proposer's
    coalitions and its offer strategy (whose simplex bases are kept, so later chunks
    mostly need no simplex run).

    ``prepared`` is the scenario's state space when it is already known (a sweep's worker
    gets the one its parent computed, rather than computing it again)."""

    scenario: Scenario
    prepared: InitVar[StateSpace | None] = None
    space: StateSpace = field(init=False)
    offers: ClosedFormOffers | SimplexOffers = field(init=False)
    supported: tuple[bool, str] = field(init=False)  # see :func:`batch_supported`
    _overridden: set[str] = field(init=False)

    def __post_init__(self, prepared: StateSpace | None) -> None:
        self.space = state_space(self.scenario) if prepared is None else prepared
        self.offers, refused = vectorised_offers(self.space)
        self.supported = self._support(refused)
        self._overridden = _regime_paths(self.scenario)

    def _support(self, refused: str | None) -> tuple[bool, str]:
        arrays = self.space.arrays
        a = arrays[0]
        if self.scenario.worlds:
            return False, "worlds and beliefs need the engine (negsim.engine.beliefs)"
        if self.scenario.types:
            return False, "private types need the engine (negsim.engine.screening)"
        if self.scenario.terminal_outcome != "position" or self.scenario.deals != "binding":
            return False, "war as a lottery and self-enforcing deals need the engine"
        if refused is not None:
            return False, refused
        what = offers_class(a, self.closed_form)
        kind = "recognition probabilities" if a.recognition is not None else "rotating proposers"
        regimes = f", {len(arrays)} regimes" if len(arrays) > 1 else ""
        return True, f"{what}{regimes}, {kind}, terminal {self.scenario.terminal}"

    def fast_point(self, point: Mapping[str, Any]) -> bool:
        """:func:`fast_point` for this batch's scenario."""
        return _fast(point, set(self.space.arrays[0].actors), self._overridden)

    @property
    def closed_form(self) -> bool:
        """Whether offers come in closed form (a single pie), not from linear programs."""
        return isinstance(self.offers, ClosedFormOffers)

    @property
    def simplex_runs(self) -> int:
        """HiGHS runs so far (the rest of the points reused a basis)."""
        return self.offers.simplex_runs if isinstance(self.offers, SimplexOffers) else 0

    def point_arrays(self, points: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Discount and flow (n, S, T, N) of each point in each state, as
        :func:`negsim.engine.arrays.round_arrays` computes them for the changed scenario."""
        s = self.scenario
        n, S = len(points), self.space.size
        a0 = self.space.arrays[0]
        T, N = a0.rounds, len(a0.actors)
        index = {name: i for i, name in enumerate(a0.actors)}
        discount = np.empty((n, S, T, N))
        flow = np.empty((n, S, T, N))
        for r, regime in enumerate(self.space.labels):
            changes = s.regimes.states[regime].changes if s.regimes else {}
            sr = s.with_changes(changes) if changes else s
            series = {
                f: np.stack([sr.series(getattr(x, f)) for x in sr.actors.values()], axis=1)
                for f in FAST_FIELDS
            }
            per = {f: np.broadcast_to(series[f], (n, T, N)).copy() for f in FAST_FIELDS}
            for p, point in enumerate(points):
                for path, value in point.items():
                    if path not in changes:  # a regime that sets the path overrides the point
                        _, actor, name = path.split(".")
                        per[name][p, :, index[actor]] = float(value)
            discount[:, r], flow[:, r] = actor_flows(
                sr, per["discount"], per["private_benefit"] - per["war_cost"]
            )
        return discount, flow


def solve_points(batch: Batch, discount: np.ndarray, flow: np.ndarray) -> dict[str, np.ndarray]:
    """SPE backward induction for n points at once.

    BLAS runs single-threaded here: the products are narrow (a few dozen columns), so
    OpenBLAS's threads cost more than they save (3x slower at 10,000 points on two
    cores), and sweeps already run one process per core.

    Parameters
    ----------
    batch : the prepared scenario.
    discount, flow : (n, S, T, N) per-point discount factors and disagreement flows.

    Returns
    -------
    dict of arrays: ``ok`` (n,) False where the stationary tail is undefined (the engine
    raises :class:`SolveError` there), ``engine`` (n,) True where the point must be left to
    :func:`negsim.solve` (a stationary tail that cycles among them); ``threat``, ``value``, ``payoff``
    (n, T+1, S, N); ``continuation``, ``gain`` (n, T, S, N); ``delay`` (n, T, S, N) int;
    ``deal`` (n, T, S); ``x`` (n, T, S, P); ``y`` (n, T, S, N, Q) (NaN without a deal).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        b: Backward = backward_induction(
            batch.space, discount, flow, batch.offers, batch.scenario.terminal
        )
        gain, delay = delay_over_points(flow, discount, b.payoff, batch.space.transition)
    return {
        "ok": b.ok,
        "engine": b.undecided,
        "threat": b.threat,
        "value": b.value,
        "continuation": b.continuation,
        "deal": b.deal,
        "x": b.x,
        "y": b.y,
        "payoff": b.payoff,
        "gain": gain,
        "delay": delay,
    }


def offers_class(a: RoundArrays, closed_form: bool) -> str:
    """How the batch path computes offers for arrays ``a``, in words (for
    :func:`batch_supported`'s descriptions)."""
    if closed_form:
        return f"a single pie among {int(a.members.sum())} actors (closed form)"
    return (
        f"linear utilities over {len(a.positions)} position and {len(a.pies)} pie "
        "issues (linear programs)"
    )


def vectorised_offers(space: StateSpace) -> tuple[ClosedFormOffers | SimplexOffers, str | None]:
    """The vectorised offer strategy of ``space``'s class -- the closed form for a single
    pie, else linear programs with reused simplex bases -- and the first reason it may not
    be used (None when it may): leaders, ratifiers or outside options, curvature other
    than 1, or too many coalitions (the engine then buys the cheapest votes). The sweep's
    batch path and the beliefs solve (:mod:`negsim.engine.beliefs`) share this check."""
    arrays = space.arrays
    found = [[enumerated_coalitions(a, j) for j in range(len(a.actors))] for a in arrays]
    masks = [
        [coalition_masks(len(a.actors), c or []) for c in per]
        for a, per in zip(arrays, found, strict=True)
    ]
    offers: ClosedFormOffers | SimplexOffers = (
        ClosedFormOffers(space, masks) if is_closed_form(space) else SimplexOffers(space, masks)
    )
    refused = None
    if any(
        x.leaders is not None or x.ratifiers is not None or x.outside is not None for x in arrays
    ):
        refused = "leaders, ratifiers and outside options need the engine"
    elif any(not np.all(x.curvature == 1.0) for x in arrays):
        refused = "non-linear utilities (curvature other than 1) need the engine"
    elif any(c is None for per in found for c in per):
        refused = (
            f"more than {MAX_COALITIONS} coalitions to choose from (the engine buys the "
            "cheapest votes)"
        )
    return offers, refused


def _regime_paths(scenario: Scenario) -> set[str]:
    if scenario.regimes is None:
        return set()
    return {p for state in scenario.regimes.states.values() for p in state.changes}
