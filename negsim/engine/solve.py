"""One scenario solved: the backward induction for one point, the other concepts, delay
incentives and sampled regime paths, as a :class:`RoundSolution` (arrays indexed
(concept, t, s, ...)); :func:`negsim.solve` turns it into a :class:`negsim.Result`.

For round t and state s: threat points ``W_i(t) = w_i(t) + delta_i(t) E[W_i(t+1)]``;
the SPE by backward induction (:mod:`negsim.engine.bellman`); Nash, weighted Nash,
Kalai-Smorodinsky and compromise with threat points W(t), on request Nash with the
impasse point (:mod:`negsim.engine.axiomatic`);
delay incentives and ripeness (:mod:`negsim.models.delay`). Sampled regime paths
(``regimes.samples``) show the spread of battlefield control in fan charts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from negsim.engine.arrays import RoundArrays, control_path
from negsim.engine.axiomatic import axiomatic_settlements
from negsim.engine.bellman import ProposerChoice, backward_induction, has_leaders
from negsim.engine.concepts import CONCEPTS, DEFAULT_CONCEPTS
from negsim.engine.delay import delay_over_points
from negsim.engine.disagreement import impasse_points
from negsim.engine.offers import GeneralOffers
from negsim.engine.states import StateSpace, check_finite, state_space
from negsim.engine.terminal import tail_error
from negsim.errors import SolveError
from negsim.scenario import Scenario

__all__ = ["RoundSolution", "chosen_concepts", "solve_arrays", "solve_scenario"]


@dataclass
class RoundSolution:
    """Everything the engine computed, as arrays indexed (concept, t, r, ...)."""

    space: StateSpace
    regime_probability: np.ndarray  # (T, R) unconditional regime distribution
    threat: np.ndarray  # (T + 1, R, N)
    value: np.ndarray  # (T + 1, R, N) SPE values
    continuation: np.ndarray  # (T, R, N)
    deal: dict[str, np.ndarray]  # concept -> (T, R) probability of a deal
    x: dict[str, np.ndarray]  # concept -> (T, R, P)
    y: dict[str, np.ndarray]  # concept -> (T, R, N, Q)
    payoff: dict[str, np.ndarray]  # concept -> (T + 1, R, N), NaN where no settlement
    delay_gain: dict[str, np.ndarray]  # concept -> (T, R, N)
    preferred_delay: dict[str, np.ndarray]
    choices: dict[tuple[int, int], list[ProposerChoice]]
    sampled_control: np.ndarray  # (S, T + 1)
    sampled_regimes: np.ndarray  # (S, T) int
    leader_value: np.ndarray | None = None  # (T + 1, R, N) deciders' values; None: no leaders
    leader_continuation: np.ndarray | None = None  # (T, R, N)

    @property
    def arrays(self) -> list[RoundArrays]:
        """The scenario's numbers in each regime."""
        return self.space.arrays

    @property
    def regimes(self) -> list[str]:
        """Regime names, the starting one first."""
        return self.space.labels

    @property
    def transition(self) -> np.ndarray:
        """(R, R) regime transition matrix."""
        return self.space.transition


def chosen_concepts(concepts: Iterable[str] | None) -> tuple[str, ...]:
    """The concepts to solve (:data:`DEFAULT_CONCEPTS` by default), ``spe`` first: every
    concept's threat points come with the SPE pass. Unknown names raise :class:`SolveError`."""
    chosen = tuple(DEFAULT_CONCEPTS if concepts is None else concepts)
    unknown = [c for c in chosen if c not in CONCEPTS]
    if unknown:
        raise SolveError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    return chosen if "spe" in chosen else ("spe", *chosen)


def solve_scenario(scenario: Scenario, concepts: tuple[str, ...]) -> RoundSolution:
    """:func:`solve_arrays` for a scenario's state space."""
    space = state_space(scenario)
    check_finite(space)
    samples = scenario.regimes.samples if scenario.regimes else 0
    return solve_arrays(
        space, scenario.terminal, concepts, scenario.seed, samples, deals=scenario.deals
    )


def solve_arrays(
    space: StateSpace,
    terminal: str,
    concepts: tuple[str, ...],
    seed: int = 0,
    samples: int = 0,
    deals: str = "binding",
) -> RoundSolution:
    """Backward induction over (round, state), then the other concepts and delay incentives.

    ``deals="self_enforcing"`` requires every settlement to beat its members' later threat
    points (:mod:`negsim.engine.commitment`); a stationary tail whose value iteration
    cycles is solved by mixing over tied coalitions (:mod:`negsim.engine.stationary`).
    """
    T = space.rounds
    discount = np.stack([a.discount for a in space.arrays])[None]  # (1, S, T, N)
    flow = np.stack([a.flow for a in space.arrays])[None]
    spe = backward_induction(
        space,
        discount,
        flow,
        GeneralOffers(space),
        terminal,
        explain=True,
        deals=deals,
        mix_ties=True,
    )
    if not spe.ok[0]:
        raise SolveError(tail_error(discount[0, :, -1]))
    threat, value, continuation = spe.threat[0], spe.value[0], spe.continuation[0]
    for name, values in (("threat", threat), ("continuation", continuation), ("value", value)):
        if not np.isfinite(values).all():  # before the axiomatic LPs, which refuse infinities
            raise SolveError(
                f"the {name} values overflow to infinity: war costs, benefits or penalties "
                "are too large for floating point (keep them within a few orders of magnitude "
                "of the utility scale, 0 to 1)"
            )
    deal, xs, ys, payoff = {"spe": spe.deal[0]}, {"spe": spe.x[0]}, {"spe": spe.y[0]}, {}
    payoff["spe"] = spe.payoff[0]
    S, N = threat.shape[1:]
    a0 = space.arrays[0]
    P, Q = len(a0.positions), len(a0.pies)
    others = tuple(c for c in concepts if c != "spe")
    for c in others:
        deal[c] = np.zeros((T, S))
        xs[c], ys[c] = np.full((T, S, P), np.nan), np.full((T, S, N, Q), np.nan)
        payoff[c] = np.full((T + 1, S, N), np.nan)
        if terminal == "war":
            payoff[c][T] = threat[T]
    impasse = (
        impasse_points(flow[0].transpose(1, 0, 2), discount[0].transpose(1, 0, 2), space.transition)
        if "nash_impasse" in concepts
        else None
    )
    for concept, settlements in axiomatic_settlements(space, threat, others, impasse).items():
        point = impasse if concept == "nash_impasse" and impasse is not None else threat
        for (t, s), settlement in settlements.items():
            if settlement is None:
                continue
            players = space.arrays[s].players
            floor = np.maximum(point[t, s], space.arrays[s].reservation[t])
            deal[concept][t, s] = float(
                np.all(settlement.utilities[players] >= floor[players] - 1e-7)
            )
            xs[concept][t, s], ys[concept][t, s] = settlement.x, settlement.y
            payoff[concept][t, s] = settlement.utilities
    # every concept at once: the concepts are the points of one delay computation
    stacked = (len(concepts), *flow.shape[1:])
    gain, delay = delay_over_points(
        np.broadcast_to(flow, stacked),
        np.broadcast_to(discount, stacked),
        np.stack([payoff[c] for c in concepts]),
        space.transition,
    )
    gains = {c: gain[k] for k, c in enumerate(concepts)}
    delays = {c: delay[k] for k, c in enumerate(concepts)}
    sampled_regimes, sampled_control = _sample_paths(space, samples, seed)
    return RoundSolution(
        space=space,
        regime_probability=space.distribution(),
        threat=threat,
        value=value,
        continuation=continuation,
        deal=deal,
        x=xs,
        y=ys,
        payoff=payoff,
        delay_gain=gains,
        preferred_delay=delays,
        choices=spe.choices,
        sampled_control=sampled_control,
        sampled_regimes=sampled_regimes,
        leader_value=spe.decided[0] if has_leaders(space) else None,
        leader_continuation=spe.decided_continuation[0] if has_leaders(space) else None,
    )


def _sample_paths(space: StateSpace, samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Regime paths drawn from the chain and the control path each implies."""
    T, arrays, transition = space.rounds, space.arrays, space.transition
    if samples == 0 or len(arrays) == 1:
        return np.zeros((0, T), dtype=int), np.zeros((0, T + 1))
    rng = np.random.default_rng(seed)
    paths = np.zeros((samples, T), dtype=int)
    cumulative = np.cumsum(transition, axis=1)
    for t in range(1, T):
        draws = rng.random(samples)
        paths[:, t] = np.minimum(
            (draws[:, None] > cumulative[paths[:, t - 1]]).sum(axis=1), len(arrays) - 1
        )
    cap_a = np.stack([a.capacity_a for a in arrays])  # (R, T)
    cap_b = np.stack([a.capacity_b for a in arrays])
    steps = np.arange(T)
    control = control_path(
        arrays[0].control[0], arrays[0].drift, cap_a[paths, steps], cap_b[paths, steps]
    )
    return paths, control
