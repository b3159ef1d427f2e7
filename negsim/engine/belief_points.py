r"""The sweep's batch path with worlds: the subjective SPE of many belief points at once.

A sweep point that sets only priors (``beliefs.<actor or analyst>...``) and the signal's
accuracy (``learning.accuracy...``) changes neither the worlds' numbers (flows, threat
points ``W^w``) nor what a settlement is worth: only the posteriors at the signal nodes and
the signal kernels ``L_t``. :func:`solve_belief_points` solves a chunk of such points with
the recursion of :func:`negsim.engine.beliefs.solve_beliefs` (Yildiz 2003, 2004; equations
in ``docs/design.md``), vectorised over points as well as nodes:

* the lattice's nodes and children depend on the accuracy only through the pattern of
  distinct informative values over rounds (:func:`negsim.engine.beliefs.signal_lattice`;
  an accuracy of 1/K, uninformative, counts no signal), so points are grouped by it and
  each group runs one backward recursion, with per-point log-likelihoods, kernels and
  posteriors;
* in each (round, regime) the group's (point, node) pairs are the points of one proposer
  step (:func:`negsim.engine.beliefs.all_nodes`, as the engine solves the nodes of one
  point): they differ only in the members' continuation floors
  ``C_i(t, r, n) = sum_w pi_i(w|n) [w_i^w(t, r) + delta_i(t) sum_s L_t(s|w) sum_r' P(r'|r)
  V_i(t+1, r', n+s)]``; those the vectorised offers leave undecided are solved by
  :class:`negsim.engine.offers.GeneralOffers`, as in the engine.

Each point's node arrays then go through the engine's own averaging
(:func:`negsim.engine.beliefs.round_view`) and the analyst's probabilities of reaching the
nodes (:func:`negsim.engine.beliefs.reach`), so a row is the same whichever path made it
(tests hold them equal to 1e-9). Scenarios whose offers need the engine (leaders,
ratifiers, outside options, curvature, many coalitions), other concepts than the SPE, other
paths, invalid priors or accuracies (their error rows come from :func:`negsim.solve`) and
points whose values overflow are solved point by point.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from negsim.engine.beliefs import (
    BeliefSolution,
    Lattice,
    all_nodes,
    posterior,
    priors,
    reach,
    round_view,
    signal_lattice,
)
from negsim.engine.offers import ClosedFormOffers
from negsim.engine.points import offers_class, vectorised_offers
from negsim.engine.simplex import SimplexOffers
from negsim.engine.solve import RoundSolution
from negsim.engine.states import StateSpace
from negsim.engine.worlds import WorldArrays, accuracy_series, world_arrays
from negsim.errors import NegsimError
from negsim.scenario import Scenario

__all__ = ["BeliefBatch", "SolvedPoint", "belief_point", "solve_belief_points"]

#: Cells (points x nodes over all rounds x regimes x posteriors) of one backward recursion;
#: larger groups are cut (about 50 MiB per array of the recursion).
_CELLS = 2_000_000


def belief_point(point: Mapping[str, Any]) -> bool:
    """Whether a point sets only priors (``beliefs`` and below) and the accuracy
    (``learning.accuracy`` and below: a number, a schedule or one of its fields)."""
    return all(
        path.split(".")[0] == "beliefs"
        or path == "learning.accuracy"
        or path.startswith("learning.accuracy.")
        for path in point
    )


@dataclass
class BeliefBatch:
    """A scenario with worlds prepared for the batch path: each world's arrays
    (:func:`negsim.engine.worlds.world_arrays`), the settlement space offers are made in
    (world 0's arrays; a settlement is worth the same in every world) and its vectorised
    offer strategy, whose simplex bases are kept from chunk to chunk."""

    scenario: Scenario
    worlds: WorldArrays | None = field(init=False)
    space: StateSpace | None = field(init=False)
    offers: ClosedFormOffers | SimplexOffers | None = field(init=False)
    supported: tuple[bool, str] = field(init=False)  # as :func:`negsim.batch.batch_supported`

    def __post_init__(self) -> None:
        self.worlds = self.space = self.offers = None
        try:
            self.worlds = world_arrays(self.scenario)
        except NegsimError as exc:  # every point's solve reports it
            self.supported = (False, f"the worlds cannot be solved: {exc}")
            return
        first = self.worlds.spaces[0]
        self.space = StateSpace(first.labels, first.arrays, first.transition)
        self.offers, refused = vectorised_offers(self.space)
        self.supported = (False, refused) if refused is not None else (True, self._describe())

    def _describe(self) -> str:
        assert self.space is not None
        a = self.space.arrays[0]
        what = offers_class(a, self.closed_form)
        regimes = f", {self.space.size} regimes" if self.space.size > 1 else ""
        return (
            f"{len(self.scenario.worlds)} worlds over {what}{regimes}, terminal "
            f"{self.scenario.terminal}: points that set only beliefs.* and learning.accuracy"
        )

    def fast_point(self, point: Mapping[str, Any]) -> bool:
        """:func:`belief_point`: whether the batch path may solve ``point``."""
        return belief_point(point)

    @property
    def closed_form(self) -> bool:
        """Whether offers come in closed form (a single pie), not from linear programs."""
        return isinstance(self.offers, ClosedFormOffers)

    def point_inputs(
        self, points: Sequence[Mapping[str, Any]]
    ) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The positions of the points whose changed scenario is valid, with their priors
        (n, N + 1, K) (:func:`negsim.engine.beliefs.priors`) and accuracies (n, T)
        (:func:`negsim.engine.worlds.accuracy_series`). A point the scenario's
        validation refuses (a prior that does not sum to 1, an unknown world, an accuracy
        outside its range) is left out: :func:`negsim.solve` reports it as for any point.

        The scenario's checks of the priors and of the accuracy read nothing of each other
        (``negsim.scenario``: the priors against the actors and worlds, the accuracy
        against the number of worlds, claims' paths one by one), so a point's ``beliefs``
        changes and its ``learning`` changes are validated apart, each distinct set once
        (a grid of 10 priors by 10 accuracies validates 20 scenarios, not 100)."""
        found: dict[str, np.ndarray | None] = {}

        def part(
            changes: dict[str, Any], read: Callable[[Scenario], np.ndarray]
        ) -> np.ndarray | None:
            key = repr((read.__name__, sorted(changes.items())))
            if key not in found:
                try:
                    found[key] = read(
                        self.scenario.with_changes(changes) if changes else self.scenario
                    )
                except NegsimError:
                    found[key] = None
            return found[key]

        valid, prior, accuracy = [], [], []
        for k, point in enumerate(points):
            beliefs = {p: v for p, v in point.items() if p.split(".")[0] == "beliefs"}
            learning = {p: v for p, v in point.items() if p not in beliefs}
            pi, a = part(beliefs, priors), part(learning, accuracy_series)
            if pi is not None and a is not None:
                valid.append(k)
                prior.append(pi)
                accuracy.append(a)
        K, T = len(self.scenario.worlds), self.scenario.rounds
        shape = (len(valid), len(self.scenario.actors) + 1, K)
        return (
            valid,
            np.array(prior).reshape(shape),
            np.array(accuracy, dtype=float).reshape(len(valid), T),
        )


@dataclass(frozen=True)
class SolvedPoint:
    """One point's equilibrium: the engine's (round, regime) view of it (node averages
    under the analyst's probabilities of the nodes) and the analyst's ``P(deal at t)``."""

    rounds: RoundSolution
    deal: np.ndarray  # (T,)


def solve_belief_points(
    batch: BeliefBatch, prior: np.ndarray, accuracy: np.ndarray
) -> list[SolvedPoint | None]:
    """The subjective SPE at n points (see the module docstring).

    Parameters
    ----------
    batch : the prepared scenario (``batch.supported[0]`` must be True).
    prior : (n, N + 1, K) each point's priors, actors then analyst.
    accuracy : (n, T) each point's signal accuracy per round.

    Returns
    -------
    list
        Per point its :class:`SolvedPoint`, or None where the values overflow to infinity
        (:func:`negsim.solve` raises the error there).
    """
    assert batch.worlds is not None and batch.space is not None and batch.offers is not None
    worlds = list(batch.scenario.worlds)
    lattices: dict[bytes, Lattice] = {}
    for a in accuracy:
        if a.tobytes() not in lattices:
            lattices[a.tobytes()] = signal_lattice(worlds, a)
    groups: dict[tuple[bytes, ...], list[int]] = {}
    for p, a in enumerate(accuracy):
        children = lattices[a.tobytes()].children
        groups.setdefault(tuple(c.tobytes() for c in children), []).append(p)
    out: list[SolvedPoint | None] = [None] * len(prior)
    R = batch.space.size
    with threadpool_limits(limits=1, user_api="blas"):
        for members in groups.values():
            size = sum(lattices[accuracy[members[0]].tobytes()].sizes())
            step = max(1, _CELLS // (size * R * prior.shape[1] * prior.shape[2]))
            for start in range(0, len(members), step):
                part = members[start : start + step]
                found = _solve_group(
                    batch, [lattices[accuracy[p].tobytes()] for p in part], prior[part]
                )
                for p, solved in zip(part, found, strict=True):
                    out[p] = solved
    return out


def _solve_group(
    batch: BeliefBatch, lattices: list[Lattice], prior: np.ndarray
) -> list[SolvedPoint | None]:
    """One backward recursion for points whose lattices share nodes and children."""
    assert batch.worlds is not None and batch.space is not None and batch.offers is not None
    space, w = batch.space, batch.worlds
    transition, flow, discount = space.transition, w.flow, w.discount
    n = len(lattices)
    N = prior.shape[1] - 1
    T, R = lattices[0].rounds, space.size
    a = space.arrays[0]
    P, Q = len(a.positions), len(a.pies)
    sizes = lattices[0].sizes()
    children = lattices[0].children
    # posteriors (n, N + 1, M_t, K) of every point at every node, and the actors' own
    belief = [
        posterior(prior, np.stack([lat.loglik[t] for lat in lattices])[:, None])
        for t in range(T + 1)
    ]
    own = [b[:, :N] for b in belief]
    kernel = [np.stack([lat.kernels[t] for lat in lattices]) for t in range(T)]  # (n, K, S)
    threat = [np.einsum("pimw,wri->pmri", own[t], w.threat[:, t]) for t in range(T + 1)]
    value = [np.zeros(0)] * T + [threat[T].copy()]
    continuation = [np.zeros(0)] * T
    deal = [np.zeros((n, M, R)) for M in sizes]
    xs = [np.full((n, M, R, P), np.nan) for M in sizes]
    ys = [np.full((n, M, R, N, Q), np.nan) for M in sizes]
    pay = [np.full((n, M, R, N), np.nan) for M in sizes]
    for t in reversed(range(T)):
        M = sizes[t]
        ahead = value[t + 1][:, children[t]]  # (n, M, S, R, N)
        by_world = np.einsum("pws,pmsrn->pmwrn", kernel[t], ahead)
        expected = np.einsum("qr,pmwrn->pmwqn", transition, by_world)  # (n, M, K, R, N)
        cont = np.einsum("pimw,wqi->pmqi", own[t], flow[:, t]) + discount[t] * np.einsum(
            "pimw,pmwqi->pmqi", own[t], expected
        )
        continuation[t] = cont
        val = np.empty_like(cont)
        for r in range(R):
            step = all_nodes(space, batch.offers, r, t, cont[:, :, r].reshape(n * M, N), 0)
            dealt = step.dealt.reshape(n, M)
            val[:, :, r] = step.decided.reshape(n, M, N)
            deal[t][:, :, r] = step.p_deal.reshape(n, M)
            xs[t][dealt, r] = step.x.reshape(n, M, P)[dealt]
            ys[t][dealt, r] = step.y.reshape(n, M, N, Q)[dealt]
            pay[t][dealt, r] = val[:, :, r][dealt]
        value[t] = val
    if batch.scenario.terminal == "war":
        pay[T] = threat[T].copy()
    arrays = [s.arrays for s in w.spaces]
    found: list[SolvedPoint | None] = []
    for p, lattice in enumerate(lattices):
        if not all(np.isfinite(v[p]).all() for v in (*threat, *value, *continuation)):
            found.append(None)
            continue
        sol = BeliefSolution(
            lattice=lattice,
            regimes=space.labels,
            transition=transition,
            prior=prior[p],
            belief=[b[p].transpose(1, 0, 2) for b in belief],
            world_threat=w.threat,
            threat=[v[p] for v in threat],
            value=[v[p] for v in value],
            continuation=[v[p] for v in continuation],
            deal={"spe": [v[p] for v in deal]},
            x={"spe": [v[p] for v in xs]},
            y={"spe": [v[p] for v in ys]},
            payoff={"spe": [v[p] for v in pay]},
            choices={},
        )
        alive = np.array([m.sum() for m in reach(sol, "spe", prior[p, -1])])
        found.append(
            SolvedPoint(
                round_view(sol, arrays, flow, discount, ("spe",)),
                np.maximum(alive[:-1] - alive[1:], 0.0),
            )
        )
    return found
