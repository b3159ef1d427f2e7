"""The engine's state space: where the game can be at a round, and how it moves on.

A state is a coordinate the backward induction loops over besides the round. Today it is
the Markov regime r; each state carries the :class:`~negsim.engine.arrays.RoundArrays` of
the scenario as that state sees it, and a transition kernel ``K[s, s']`` gives the
probability of state s' next round from s. The recursion only ever asks the space for

* ``arrays[s]`` -- the numbers of state s (preferences, flows, protocol);
* :meth:`StateSpace.expect` -- ``E[X(t+1) | s] = sum_s' K[s, s'] X(t+1, s')`` per actor;
* ``initial`` -- the distribution the game starts in (index 0 is the starting state).

A mechanism that adds a coordinate (a belief node over worlds, a type cutoff) builds a
larger space -- states ``(regime, node)`` with the product kernel -- and, where actors see
the future differently, a kernel per actor: :meth:`StateSpace.expect` is the one place
that changes. The Bellman step and its offers stay as they are.

Markov regimes follow Hamilton (1989): the kernel is the regime chain's transition matrix;
battlefield control uses the capacities expected under the regime distribution (a
mean-field path).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from negsim.engine.arrays import RoundArrays, control_path, round_arrays
from negsim.errors import SolveError
from negsim.scenario import Scenario

__all__ = ["StateSpace", "check_finite", "regime_distribution", "state_space"]


@dataclass(frozen=True)
class StateSpace:
    """States of the game at every round, their arrays and their transition kernel.

    Attributes
    ----------
    labels : one name per state (the regime names; index 0 is where the game starts).
    arrays : the scenario's numbers in each state.
    transition : (S, S) row-stochastic kernel ``K[s, s']``, the same for every actor.
    """

    labels: list[str]
    arrays: list[RoundArrays]
    transition: np.ndarray

    @property
    def size(self) -> int:
        """Number of states S."""
        return len(self.arrays)

    @property
    def rounds(self) -> int:
        """Number of rounds T."""
        return self.arrays[0].rounds

    @property
    def period(self) -> int:
        """Length of the proposer rotation (1 under recognition probabilities): the
        stationary tail repeats this many rounds."""
        return max(len(a.proposers) if a.proposers is not None else 1 for a in self.arrays)

    def expect(self, values: np.ndarray) -> np.ndarray:
        """``E[X(t+1) | s]`` for values ``X`` of shape (..., S, N): per actor i,
        ``sum_s' K[s, s'] X[..., s', i]``."""
        return self.transition @ values

    def initial(self) -> np.ndarray:
        """(S,) the distribution the game starts in: all mass on state 0."""
        start = np.zeros(self.size)
        start[0] = 1.0
        return start

    def distribution(self) -> np.ndarray:
        """(T, S) unconditional distribution of the state at each round."""
        return regime_distribution(self.initial(), self.transition, self.rounds)


def regime_distribution(start: np.ndarray, transition: np.ndarray, rounds: int) -> np.ndarray:
    """(rounds, S): ``pi(0) = start``, ``pi(t) = pi(t - 1) K``."""
    dist = np.empty((rounds, len(start)))
    dist[0] = start
    for t in range(1, rounds):
        dist[t] = dist[t - 1] @ transition
    return dist


def state_space(s: Scenario) -> StateSpace:
    """The regimes of ``s`` (one state, ``base``, without regimes), the starting regime first."""
    if s.regimes is None:
        return StateSpace(["base"], [round_arrays(s)], np.ones((1, 1)))
    names = list(s.regimes.states)
    transition = np.array([[s.regimes.transition[a].get(b, 0.0) for b in names] for a in names])
    # claims (quotes and their fields, checked when s was loaded) do not enter the arrays;
    # validating them again for every regime took ~90 % of this function (issue 15)
    bare = s.model_copy(update={"claims": {}})
    changes = [s.regimes.states[n].changes for n in names]
    # a regime without changes is the scenario itself: nothing to validate again
    arrays = [round_arrays(bare.with_changes(c) if c else bare) for c in changes]
    start = np.zeros(len(names))
    start[names.index(s.regimes.initial)] = 1.0
    dist = regime_distribution(start, transition, s.rounds)
    if s.battlefield is not None:  # mean-field control path under the regime distribution
        cap_a = (dist * np.stack([a.capacity_a for a in arrays], axis=1)).sum(axis=1)
        cap_b = (dist * np.stack([a.capacity_b for a in arrays], axis=1)).sum(axis=1)
        drift = s.series(s.battlefield.drift)
        control = control_path(
            float(s.series(s.battlefield.initial_control)[0]), drift, cap_a, cap_b
        )
        k = arrays[0].positions.index(s.battlefield.issue)
        arrays = [_with_control(a, control, k) for a in arrays]
    # the initial regime first, so that index 0 is where the game starts
    order = [names.index(s.regimes.initial)] + [
        i for i in range(len(names)) if names[i] != s.regimes.initial
    ]
    return StateSpace(
        [names[i] for i in order], [arrays[i] for i in order], transition[np.ix_(order, order)]
    )


def _with_control(a: RoundArrays, control: np.ndarray, issue: int) -> RoundArrays:
    war = a.war_position.copy()
    war[issue] = control[-1]
    return dataclasses.replace(a, control=control, war_position=war)


_FINITE_INPUTS = {
    "discount": "discount factors",
    "flow": "war costs, private benefits and deadline penalties (per-round payoff of war)",
    "curvature": "curvatures",
    "capability": "capabilities",
    "capacity_a": "the capacity of battlefield side a (capacities plus support)",
    "capacity_b": "the capacity of battlefield side b (capacities plus support)",
    "control": "battlefield control",
}


def check_finite(space: StateSpace) -> None:
    """Refuse numbers that overflow (e.g. capacities of 1e308 summed) instead of a silent NaN."""
    for label, a in zip(space.labels, space.arrays, strict=True):
        for name, what in _FINITE_INPUTS.items():
            values = getattr(a, name)
            if name == "control" and np.isnan(values).all():
                continue  # no battlefield
            with np.errstate(invalid="ignore"):
                bad = ~np.isfinite(values)
            if bad.any():
                t = int(np.argwhere(bad)[0][0])
                where = f" in regime '{label}'" if space.size > 1 else ""
                raise SolveError(
                    f"the scenario's numbers overflow floating point: {what} reach "
                    f"{values[bad].flat[0]} at round {t}{where}"
                )
