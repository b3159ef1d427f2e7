"""From a scenario to arrays over rounds: preferences, flows, discounting and control.

:func:`round_arrays` evaluates every schedule of a scenario for rounds ``0 .. T-1`` and
returns :class:`RoundArrays`, the numeric input of the engine. Battlefield control follows

.. math::

    p(t+1) = \\mathrm{clip}\\left(p(t) + \\kappa(t) \\frac{C_a(t) - C_b(t)}{C_a(t) + C_b(t)}, 0, 1\\right),

where a side's capacity ``C`` is its actors' ``capacity`` plus the ``amount x
effectiveness`` of the support patrons give them (Fearon 1995 style power shifting; the
war outcome on the battlefield issue is ``p(T)``).

A leader's horizon H with weight omega is an extra one-off discount when the round after
the horizon comes into view: the effective discount from round t to t+1 is
``delta(t) * (omega if t + 1 == H else 1)``, so rounds past the horizon count omega times
less from the leader's point of view before it, and the recursion stays time-consistent.
Deadlines cost their penalty (and a public deadline its audience cost) in the round they
pass without a deal (:mod:`negsim.engine.deadlines`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from negsim.engine.deadlines import deadline_costs
from negsim.engine.leaders import LeaderArrays, leader_arrays
from negsim.engine.outside_options import outside_arrays
from negsim.engine.ratification import ratifier_arrays
from negsim.scenario import Scenario

__all__ = ["RoundArrays", "actor_flows", "control_path", "round_arrays"]


@dataclass(frozen=True)
class RoundArrays:
    """Numeric inputs of one scenario (one regime) over T rounds, N actors, P + Q issues."""

    actors: list[str]
    positions: list[str]
    pies: list[str]
    discount: np.ndarray  # (T, N) effective per-round discount incl. horizon weight
    flow: np.ndarray  # (T, N) w_i(t) = -cost + private benefit - deadline penalties
    ideal: np.ndarray  # (T, N, P)
    salience_position: np.ndarray  # (T, N, P), normalised with salience_pie to sum 1
    salience_pie: np.ndarray  # (T, N, Q)
    curvature: np.ndarray  # (T, N)
    members: np.ndarray  # (N, Q) bool
    red_low: np.ndarray  # (T, N, P)
    red_high: np.ndarray  # (T, N, P)
    reservation: np.ndarray  # (T, N), -inf where none
    capability: np.ndarray  # (T, N)
    capacity_a: np.ndarray  # (T,)
    capacity_b: np.ndarray  # (T,)
    drift: np.ndarray  # (T,) kappa(t)
    control: np.ndarray  # (T + 1,) p(t), side a's share of the battlefield issue
    war_position: np.ndarray  # (P,) positions imposed if no deal by T
    veto: np.ndarray  # (N,) bool
    quota: int
    proposers: np.ndarray | None  # (L,) rotation of actor indices, or None
    recognition: np.ndarray | None  # (N,) probabilities, or None
    leaders: LeaderArrays | None = None  # :mod:`negsim.engine.leaders`
    ratifiers: tuple[np.ndarray, np.ndarray] | None = None  # :mod:`negsim.engine.ratification`
    outside: np.ndarray | None = None  # (T, N, N) :mod:`negsim.engine.outside_options`
    war_lottery: int | None = None  # battlefield issue drawn by war (:mod:`negsim.engine.terminal`)

    @property
    def rounds(self) -> int:
        return self.discount.shape[0]

    @property
    def players(self) -> np.ndarray:
        """(N,) bool: whose threat points bound the axiomatic solutions and ripeness --
        the veto players, or everyone when nobody holds a veto."""
        return self.veto if self.veto.any() else np.ones(len(self.actors), dtype=bool)


def control_path(
    initial: float, drift: np.ndarray, capacity_a: np.ndarray, capacity_b: np.ndarray
) -> np.ndarray:
    """p(0..T) from p(0), drift kappa(t) and the sides' capacities (arrays of shape (T,),
    or (S, T) for S paths at once: then p is (S, T + 1)).

    >>> control_path(0.2, np.full(3, 0.1), np.full(3, 3.0), np.full(3, 1.0)).round(3).tolist()
    [0.2, 0.25, 0.3, 0.35]
    """
    total = capacity_a + capacity_b
    step = np.divide(
        drift * (capacity_a - capacity_b), total, out=np.zeros_like(total), where=total > 0
    )
    if step.ndim > 1:
        paths = np.empty((*step.shape[:-1], step.shape[-1] + 1))
        paths[..., 0] = initial
        for t in range(step.shape[-1]):
            paths[..., t + 1] = np.minimum(np.maximum(paths[..., t] + step[..., t], 0.0), 1.0)
        return paths
    path = np.empty(len(drift) + 1)
    path[0] = initial
    for t, change in enumerate(step):
        path[t + 1] = min(max(path[t] + change, 0.0), 1.0)
    return path


def actor_flows(
    s: Scenario, discount: np.ndarray, flow: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Effective discount factors and disagreement flows (..., T, N), in place, from the
    actors' discount factors and ``private_benefit - war_cost``: each leader's horizon
    weight and each credible deadline's costs (see the module docstring)."""
    T = s.rounds
    for i, actor in enumerate(s.actors.values()):
        if actor.horizon is not None and actor.horizon.rounds <= T:
            discount[..., actor.horizon.rounds - 1, i] *= actor.horizon.weight_after
    flow -= deadline_costs(s)
    return discount, flow


def round_arrays(s: Scenario) -> RoundArrays:
    """Evaluate every schedule of ``s`` into :class:`RoundArrays`."""
    T = s.rounds
    actors = list(s.actors)
    positions = [k for k, v in s.issues.items() if v.kind == "position"]
    pies = [k for k, v in s.issues.items() if v.kind == "pie"]
    N, P, Q = len(actors), len(positions), len(pies)
    zeros = np.zeros(T)

    def each(getter) -> np.ndarray:  # noqa: ANN001
        return np.stack([s.series(getter(a)) for a in s.actors.values()], axis=1)

    discount, flow = actor_flows(
        s,
        each(lambda a: a.discount),
        each(lambda a: a.private_benefit) - each(lambda a: a.war_cost),
    )

    ideal = np.zeros((T, N, P))
    sal_pos = np.zeros((T, N, P))
    sal_pie = np.zeros((T, N, Q))
    red_low = np.zeros((T, N, P))
    red_high = np.ones((T, N, P))
    for i, actor in enumerate(s.actors.values()):
        for k, issue in enumerate(positions):
            if issue in actor.ideal:
                ideal[:, i, k] = s.series(actor.ideal[issue])
            if issue in actor.salience:
                sal_pos[:, i, k] = s.series(actor.salience[issue])
            line = actor.red_lines.get(issue)
            if line is not None and line.min is not None:
                red_low[:, i, k] = s.series(line.min)
            if line is not None and line.max is not None:
                red_high[:, i, k] = s.series(line.max)
        for q, issue in enumerate(pies):
            if issue in actor.salience:
                sal_pie[:, i, q] = s.series(actor.salience[issue])
    total = sal_pos.sum(axis=2) + sal_pie.sum(axis=2)
    total = np.where(total > 0, total, 1.0)[:, :, None]
    sal_pos, sal_pie = sal_pos / total, sal_pie / total

    members = np.zeros((N, Q), dtype=bool)
    for q, issue in enumerate(pies):
        for name in s.issues[issue].among or []:
            members[actors.index(name), q] = True

    reservation = np.stack(
        [
            s.series(a.reservation) if a.reservation is not None else np.full(T, -np.inf)
            for a in s.actors.values()
        ],
        axis=1,
    )

    capacity = {name: s.series(a.capacity) for name, a in s.actors.items()}
    control = np.full(T + 1, np.nan)
    war_position = np.array([s.series(s.issues[k].war_value)[-1] for k in positions])
    cap_a, cap_b, drift = zeros.copy(), zeros.copy(), zeros.copy()
    if s.battlefield is not None:
        bf = s.battlefield
        side_of = {a: side for side, names in bf.sides.items() for a in names}
        for name in bf.sides.get("a", []):
            cap_a = cap_a + capacity[name]
        for name in bf.sides.get("b", []):
            cap_b = cap_b + capacity[name]
        for sup in bf.support:
            boost = s.series(sup.amount) * s.series(sup.effectiveness)
            if side_of.get(sup.to) == "a":
                cap_a = cap_a + boost
            elif side_of.get(sup.to) == "b":
                cap_b = cap_b + boost
        drift = s.series(bf.drift)
        control = control_path(float(s.series(bf.initial_control)[0]), drift, cap_a, cap_b)
        war_position[positions.index(bf.issue)] = control[-1]

    protocol = s.protocol
    proposers = recognition = None
    if protocol.recognition is not None:
        recognition = np.array([protocol.recognition.get(a, 0.0) for a in actors])
    else:
        proposers = np.array([actors.index(a) for a in (protocol.proposers or actors)])
    veto = np.array([a.veto for a in s.actors.values()])
    quota = protocol.quota if protocol.quota is not None else (int(veto.sum()) or len(actors))
    return RoundArrays(
        actors=actors,
        positions=positions,
        pies=pies,
        discount=discount,
        flow=flow,
        ideal=ideal,
        salience_position=sal_pos,
        salience_pie=sal_pie,
        curvature=each(lambda a: a.curvature),
        members=members,
        red_low=red_low,
        red_high=red_high,
        reservation=reservation,
        capability=each(lambda a: a.capability),
        capacity_a=cap_a,
        capacity_b=cap_b,
        drift=drift,
        control=control,
        war_position=war_position,
        veto=veto,
        quota=quota,
        proposers=proposers,
        recognition=recognition,
        leaders=leader_arrays(s, positions),
        ratifiers=ratifier_arrays(s),
        outside=outside_arrays(s),
        war_lottery=positions.index(s.battlefield.issue)
        if s.battlefield is not None and s.terminal_outcome == "lottery"
        else None,
    )
