"""Each world's numbers for the subjective SPE over signal nodes (:mod:`negsim.engine.beliefs`).

A world changes only how the war goes (``negsim.scenario.WORLD_CHANGE_PATHS``), so each
world is the scenario with the world's changes: its own state space, flows ``w_i^w(t, r)``
and complete-information threat points ``W_i^w(t, r)``; the signal's accuracy ``a_t`` is the
``learning.accuracy`` schedule. :func:`negsim.engine.beliefs.solve_beliefs` and the sweep's
batch path (:mod:`negsim.engine.belief_points`) both start here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from negsim.engine.states import StateSpace, check_finite, state_space
from negsim.engine.terminal import war_utilities
from negsim.scenario import Scenario

__all__ = ["WorldArrays", "accuracy_series", "world_arrays"]


@dataclass(frozen=True)
class WorldArrays:
    """Each world's state space and the arrays the recursion over signal nodes reads."""

    spaces: list[StateSpace]  # per world; regimes and transition are the same in all
    flow: np.ndarray  # (K, T, R, N) w_i^w(t, r)
    discount: np.ndarray  # (T, R, N) delta_i(t), the same in every world
    threat: np.ndarray  # (K, T + 1, R, N) complete-information W_i^w(t, r)


def world_arrays(scenario: Scenario) -> WorldArrays:
    """Each world's state space (the scenario with the world's changes), checked for
    overflow, with its flows and its complete-information threat points
    ``W^w(t, r) = w^w(t, r) + delta(t) sum_r' P(r'|r) W^w(t + 1, r')``, ``W^w(T)`` the war
    utilities (:func:`negsim.engine.terminal.war_utilities`)."""
    worlds = list(scenario.worlds)
    per_world = [state_space(scenario.with_changes(scenario.worlds[w].changes)) for w in worlds]
    transition = per_world[0].transition
    arrays = [space.arrays for space in per_world]
    for w, space in zip(worlds, per_world, strict=True):
        names = [f"{r}' of world '{w}" for r in space.labels] if space.size > 1 else space.labels
        check_finite(dataclasses.replace(space, labels=names))
    T = scenario.rounds
    K, R = len(worlds), len(per_world[0].labels)
    N = len(arrays[0][0].actors)
    flow = np.stack([np.stack([a.flow for a in aw], axis=1) for aw in arrays])  # (K, T, R, N)
    discount = np.stack([a.discount for a in arrays[0]], axis=1)  # (T, R, N)
    world_threat = np.zeros((K, T + 1, R, N))
    world_threat[:, T] = np.stack([war_utilities(space) for space in per_world])
    for t in reversed(range(T)):
        world_threat[:, t] = flow[:, t] + discount[t] * np.einsum(
            "qr,krn->kqn", transition, world_threat[:, t + 1]
        )
    return WorldArrays(per_world, flow, discount, world_threat)


def accuracy_series(scenario: Scenario) -> np.ndarray:
    """The signal's accuracy ``a_t`` per round (T,): the ``learning.accuracy`` schedule, or
    1/K (nothing is learned) without ``learning``."""
    T = scenario.rounds
    if scenario.learning is None:
        return np.full(T, 1 / len(scenario.worlds))
    return scenario.series(scenario.learning.accuracy)
