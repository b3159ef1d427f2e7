"""The round-by-round bargaining engine.

``solve(scenario)`` computes, for every round t and regime r:

1. **Dynamics** (:mod:`negsim.dynamics`): every schedule, battlefield control p(t).
2. **Threat points** ``W_i(t) = w_i(t) + delta_i(t) E[W_i(t+1)]``, ``W_i(T) = u_i(x_war)``
   (or perpetual war ``w_i / (1 - delta_i)`` with a stationary tail).
3. **Subgame-perfect equilibrium** by backward induction: the proposer (rotating or
   recognised with probabilities) offers the settlement maximising its utility subject to
   each coalition member getting at least its continuation value
   ``C_i(t) = w_i(t) + delta_i(t) E[V_i(t+1)]`` (and its reservation utility), inside every
   member's red lines; the coalition holds every veto player and enough others to reach
   the quota (the cheapest votes are bought). No deal when no such settlement exists or
   the proposer prefers waiting; then ``V(t) = C(t)``. A stationary tail (``terminal:
   stationary``) iterates the last round to its fixed point, reproducing Rubinstein (1982)
   and Baron-Ferejohn (1989).
4. **Other concepts** with threat points W(t): Nash (symmetric and capability-weighted),
   Kalai-Smorodinsky and the capability x salience compromise.
5. **Delay incentives** and ripeness (:mod:`negsim.models.delay`), proposals on the table,
   stage games.

Markov regimes are handled by dynamic programming over (round, regime): continuation
values are expectations over the next regime. Battlefield control uses the capacities
expected under the regime distribution at each round (a mean-field path); sampled regime
paths (``regimes.samples``) show the spread of control in fan charts.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from negsim import leaders, ratification
from negsim.dynamics import RoundArrays, control_path, round_arrays
from negsim.errors import SolveError
from negsim.models import spatial
from negsim.models.delay import delay_incentives
from negsim.outside_options import opt_out
from negsim.scenario import Scenario

__all__ = [
    "CONCEPTS",
    "ProposerChoice",
    "RoundSolution",
    "enumerated_coalitions",
    "solve",
    "solve_arrays",
    "stationary_failure",
    "stationary_round_limit",
]

CONCEPTS = ("spe", "nash", "nash_weighted", "kalai_smorodinsky", "compromise")
_TOL = 1e-9
_MAX_COALITIONS = 64
_STATIONARY_TOL = 1e-12
_STATIONARY_MAX_ROUNDS = 50_000


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


@dataclass
class RoundSolution:
    """Everything the engine computed, as arrays indexed (concept, t, r, ...)."""

    arrays: list[RoundArrays]
    regimes: list[str]
    transition: np.ndarray
    regime_probability: np.ndarray  # (T, R) unconditional regime distribution
    threat: np.ndarray  # (T + 1, R, N)
    value: np.ndarray  # (T + 1, R, N) SPE values (the states')
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


def solve(scenario: Scenario, concepts: Iterable[str] | None = None):  # noqa: ANN201 - Result
    """Solve a scenario round by round; returns a :class:`negsim.result.Result`."""
    from negsim.result import Result

    chosen = tuple(CONCEPTS if concepts is None else concepts)
    unknown = [c for c in chosen if c not in CONCEPTS]
    if unknown:
        raise SolveError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    if "spe" not in chosen:
        chosen = ("spe", *chosen)  # every concept's threat points come with the SPE pass
    if scenario.worlds:  # heterogeneous priors and learning: a subjective SPE over signal nodes
        from negsim.beliefs_result import solve_with_worlds

        return solve_with_worlds(scenario, chosen)
    regimes, transition, arrays = _regime_arrays(scenario)
    _check_finite(arrays, regimes)
    screening = None
    if scenario.types:  # private types: the screening PBE beside the complete-information run
        from negsim.screening import solve_types

        screening = solve_types(scenario)
    solution = solve_arrays(
        arrays,
        regimes,
        transition,
        scenario.terminal,
        chosen,
        scenario.seed,
        scenario.regimes.samples if scenario.regimes else 0,
    )
    result = Result.from_solution(scenario, solution, chosen)
    if screening is not None:
        from negsim.screening_tables import attach

        attach(result, screening)
    return result


_FINITE_INPUTS = {
    "discount": "discount factors",
    "flow": "war costs, private benefits and deadline penalties (per-round payoff of war)",
    "curvature": "curvatures",
    "capability": "capabilities",
    "capacity_a": "the capacity of battlefield side a (capacities plus support)",
    "capacity_b": "the capacity of battlefield side b (capacities plus support)",
    "control": "battlefield control",
}


def _check_finite(arrays: list[RoundArrays], regimes: list[str]) -> None:
    """Refuse numbers that overflow (e.g. capacities of 1e308 summed) instead of a silent NaN."""
    for regime, a in zip(regimes, arrays, strict=True):
        for name, what in _FINITE_INPUTS.items():
            values = getattr(a, name)
            if name == "control" and np.isnan(values).all():
                continue  # no battlefield
            with np.errstate(invalid="ignore"):
                bad = ~np.isfinite(values)
            if bad.any():
                t = int(np.argwhere(bad)[0][0])
                where = f" in regime '{regime}'" if len(arrays) > 1 else ""
                raise SolveError(
                    f"the scenario's numbers overflow floating point: {what} reach "
                    f"{values[bad].flat[0]} at round {t}{where}"
                )


def _regime_arrays(s: Scenario) -> tuple[list[str], np.ndarray, list[RoundArrays]]:
    if s.regimes is None:
        return ["base"], np.ones((1, 1)), [round_arrays(s)]
    names = list(s.regimes.states)
    transition = np.array([[s.regimes.transition[a].get(b, 0.0) for b in names] for a in names])
    arrays = [round_arrays(s.with_changes(s.regimes.states[n].changes)) for n in names]
    start = np.zeros(len(names))
    start[names.index(s.regimes.initial)] = 1.0
    dist = _regime_distribution(start, transition, s.rounds)
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
    return [names[i] for i in order], transition[np.ix_(order, order)], [arrays[i] for i in order]


def _with_control(a: RoundArrays, control: np.ndarray, issue: int) -> RoundArrays:
    war = a.war_position.copy()
    war[issue] = control[-1]
    return dataclasses.replace(a, control=control, war_position=war)


def _regime_distribution(start: np.ndarray, transition: np.ndarray, rounds: int) -> np.ndarray:
    dist = np.empty((rounds, len(start)))
    dist[0] = start
    for t in range(1, rounds):
        dist[t] = dist[t - 1] @ transition
    return dist


# -- one round's building blocks ----------------------------------------------------------
def _space(a: RoundArrays, t: int, members: Iterable[int]) -> spatial.SettlementSpace | None:
    """The settlement space at round t within the red lines of ``members`` (None if empty)."""
    members = list(members)
    low = a.red_low[t, members].max(axis=0) if members else np.zeros(len(a.positions))
    high = a.red_high[t, members].min(axis=0) if members else np.ones(len(a.positions))
    if np.any(low > high + _TOL):
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


def _seats(a: RoundArrays, proposer: int) -> tuple[list[int], list[int], int]:
    """Members every coalition needs (veto players and the proposer), the others, and how
    many of the others' votes the quota requires."""
    required = sorted(set(np.flatnonzero(a.veto).tolist()) | {proposer})
    others = [i for i in range(len(a.actors)) if i not in required]
    return required, others, max(a.quota - len(required), 0)


def enumerated_coalitions(a: RoundArrays, proposer: int) -> list[tuple[int, ...]] | None:
    """Every coalition the proposer may form: all veto players, the proposer and enough
    others to reach the quota (empty when the quota cannot be reached); None when there
    are more than 64 combinations of others, where the engine buys the cheapest votes."""
    required, others, extra = _seats(a, proposer)
    if extra == 0:
        return [tuple(required)]
    if extra > len(others):
        return []
    if comb(len(others), extra) > _MAX_COALITIONS:
        return None
    return [tuple(sorted([*required, *c])) for c in combinations(others, extra)]


def _coalitions(a: RoundArrays, proposer: int, continuation: np.ndarray) -> list[tuple[int, ...]]:
    """Coalitions the proposer may form: all veto players plus the votes it must buy."""
    enumerated = enumerated_coalitions(a, proposer)
    if enumerated is not None:
        return enumerated
    required, others, extra = _seats(a, proposer)
    # Too many to enumerate (documented heuristic): buy the cheapest votes. Members tied at
    # the price of the last vote bought are rotated through the remaining seats, so that
    # each is included equally often (as in the uniform mix over all coalitions); always
    # taking the first of them made the stationary tail cycle instead of converging.
    ranked = sorted(others, key=lambda i: continuation[i])
    price = continuation[ranked[extra - 1]]
    sure = [i for i in ranked if continuation[i] < price - _TOL]
    tied = [i for i in ranked if abs(continuation[i] - price) <= _TOL]
    seats = extra - len(sure)
    if seats == len(tied):
        return [tuple(sorted([*required, *sure, *tied]))]
    return [
        tuple(sorted([*required, *sure, *(tied[(j + k) % len(tied)] for k in range(seats))]))
        for j in range(len(tied))
    ]


def _proposer_choice(
    a: RoundArrays, t: int, proposer: int, continuation: np.ndarray, probability: float
) -> ProposerChoice:
    """The proposer's best offer over the coalitions it may form.

    Coalitions that serve the proposer equally well are mixed uniformly (the symmetric
    stationary equilibrium of Baron & Ferejohn 1989 randomises over partners): the
    settlement recorded is their average.
    """
    offers: list[tuple[tuple[int, ...], np.ndarray, spatial.Settlement, np.ndarray, float]] = []
    reason = "no coalition can reach the quota"
    pens = leaders.penalties(a.leaders, a.control, t) if a.leaders is not None else []
    outside = opt_out(a.outside, t, proposer, continuation, _TOL) if a.outside is not None else None
    fallback = continuation if outside is None else outside
    own_option = np.diagonal(a.outside[t]) if a.outside is not None else None

    def decision(s: spatial.Settlement) -> np.ndarray:
        return (
            s.utilities - leaders.expected_losses(pens, len(a.actors), s.x) if pens else s.utilities
        )

    for coalition in _coalitions(a, proposer, continuation):
        space = _space(a, t, coalition)
        if space is None:
            reason = "the coalition's red lines do not overlap"
            continue
        floors = np.full(len(a.actors), np.nan)
        for i in coalition:
            floors[i] = (
                max(continuation[i], a.reservation[t, i]) if i != proposer else a.reservation[t, i]
            )
        floors[~np.isfinite(floors)] = np.nan
        if own_option is not None:  # a responder takes its outside option if offered less
            for i in np.flatnonzero(~np.isnan(own_option)).tolist():
                if i != proposer:
                    floors[i] = np.fmax(floors[i], own_option[i])
        if a.ratifiers is None:
            settlement = spatial.best_proposal(space, proposer, floors, pens)
            approval = 1.0
        else:
            priced = _priced(space, pens, decision, proposer, floors, fallback, a, t, coalition)
            settlement, approval = priced if priced is not None else (None, 0.0)
        if settlement is None:
            reason = "no settlement gives every coalition member its continuation value"
            continue
        offers.append((coalition, floors, settlement, decision(settlement), approval))
    if not offers:
        return ProposerChoice(
            proposer,
            probability,
            (),
            np.full(len(a.actors), np.nan),
            continuation,
            None,
            False,
            reason,
            outside=outside,
        )

    def expected(o: tuple) -> float:  # the proposer's value of an offer, ratification priced
        return o[4] * o[3][proposer] + (1.0 - o[4]) * fallback[proposer]

    best_value = max(expected(o) for o in offers)
    tied = [o for o in offers if expected(o) >= best_value - _TOL]
    coalition, floors, settlement, dec, approval = tied[0]
    if len(tied) > 1:
        settlement = spatial.Settlement(
            x=np.mean([o[2].x for o in tied], axis=0),
            y=np.mean([o[2].y for o in tied], axis=0),
            utilities=np.mean([o[2].utilities for o in tied], axis=0),
        )
        dec = np.mean([o[3] for o in tied], axis=0)
        approval = float(np.mean([o[4] for o in tied]))
        coalition = tuple(sorted(set().union(*(o[0] for o in tied))))
        floors = np.fmax.reduce(np.stack([o[1] for o in tied]), axis=0)
    deal = best_value >= fallback[proposer] - _TOL
    why = "the proposer gains by the deal" if deal else "the proposer prefers to wait"
    if len(tied) > 1:
        why += f"; {len(tied)} equally cheap coalitions, mixed uniformly"
    return ProposerChoice(
        proposer,
        probability,
        coalition,
        floors,
        continuation,
        settlement,
        deal,
        why,
        decision=dec,
        approval=approval,
        outside=outside,
    )


def _priced(  # noqa: PLR0913
    space: spatial.SettlementSpace,
    pens: list[spatial.Penalty],
    decision,  # noqa: ANN001
    proposer: int,
    floors: np.ndarray,
    fallback: np.ndarray,
    a: RoundArrays,
    t: int,
    coalition: tuple[int, ...],
) -> tuple[spatial.Settlement, float] | None:
    """The proposer's offer priced for ratification risk (:mod:`negsim.ratification`)."""
    assert a.ratifiers is not None
    midpoint, steepness = a.ratifiers
    try:
        return ratification.priced_offer(
            lambda j, f: spatial.best_proposal(space, j, f, pens),
            decision,
            proposer,
            floors,
            float(fallback[proposer]),
            midpoint[t],
            steepness,
            coalition,
        )
    except ValueError as exc:
        raise SolveError(str(exc)) from exc


def _proposers(a: RoundArrays, phase: int) -> list[tuple[int, float]]:
    if a.recognition is not None:
        return [(j, float(p)) for j, p in enumerate(a.recognition) if p > 0]
    assert a.proposers is not None
    return [(int(a.proposers[phase % len(a.proposers)]), 1.0)]


def _bellman(
    a: RoundArrays,
    t: int,
    phase: int,
    continuation: np.ndarray,
    state_continuation: np.ndarray | None = None,
) -> tuple[np.ndarray, list[ProposerChoice], np.ndarray]:
    """Expected SPE values at round t (parameters of round t, proposer of ``phase``): the
    deciders' (leaders' where an actor has one), their choices and the states' values.

    A deal ratified with probability pi is worth ``pi u + (1 - pi) F``, F the fallback of
    no deal this round (continuation values, or a responder's outside option).
    """
    state_continuation = continuation if state_continuation is None else state_continuation
    value = np.zeros(len(a.actors))
    state = np.zeros(len(a.actors))
    choices = []
    for proposer, probability in _proposers(a, phase):
        choice = _proposer_choice(a, t, proposer, continuation, probability)
        fallback = continuation if choice.outside is None else choice.outside
        state_fallback = state_continuation if choice.outside is None else choice.outside
        if choice.deal and choice.settlement is not None and choice.decision is not None:
            pi = choice.approval
            if pi == 1.0:
                value += probability * choice.decision
                state += probability * choice.settlement.utilities
            else:
                value += probability * (pi * choice.decision + (1.0 - pi) * fallback)
                state += probability * (
                    pi * choice.settlement.utilities + (1.0 - pi) * state_fallback
                )
        else:
            value += probability * fallback
            state += probability * state_fallback
        choices.append(choice)
    return value, choices, state


def _war_utilities(a: RoundArrays) -> np.ndarray:
    space = _space(a, a.rounds - 1, [])
    assert space is not None
    return spatial.utilities(space, a.war_position, np.zeros(a.members.shape))


def _stationary_tail(
    arrays: list[RoundArrays], transition: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Values at round T of the game whose last round repeats forever (value iteration):
    the deciders', the threat points and the states'."""
    last = arrays[0].rounds - 1
    beta = np.stack([a.discount[last] for a in arrays])
    flow = np.stack([a.flow[last] for a in arrays])
    if np.any(beta >= 1.0):
        raise SolveError(
            "a discount factor of 1 with 'terminal: stationary' has no stationary equilibrium "
            "(perpetual disagreement is worth nothing less than agreement); use a discount below 1 "
            "or 'terminal: war'"
        )
    threat = _perpetual(flow, beta, transition)
    period = max(len(a.proposers) if a.proposers is not None else 1 for a in arrays)
    limit = stationary_round_limit(float(beta.max()))
    value = threat.copy()
    state = threat.copy()
    rounds = 0
    while rounds < limit:
        before, state_before = value.copy(), state.copy()
        for m in reversed(range(period)):
            cont = flow + beta * (transition @ value)
            state_cont = flow + beta * (transition @ state)
            out = [
                _bellman(a, last, last + 1 + m, cont[r], state_cont[r])
                for r, a in enumerate(arrays)
            ]
            value = np.stack([o[0] for o in out])
            state = np.stack([o[2] for o in out])
            rounds += 1
        if max(np.max(np.abs(value - before)), np.max(np.abs(state - state_before))) < (
            _STATIONARY_TOL
        ):
            return value, threat, state
    raise SolveError(stationary_failure(limit, float(beta.max())))


def stationary_round_limit(max_discount: float) -> int:
    """Rounds of value iteration after which the stationary tail must have converged.

    Value iteration contracts by the largest discount factor per round, so it reaches the
    tolerance within ``log(tol) / log(max_discount)`` rounds; four times that (at least
    1,000, at most 50,000) leaves ample room. Iteration that runs longer is cycling.
    """
    bound = 4 * math.log(_STATIONARY_TOL) / math.log(max_discount) if max_discount > 0 else 0
    return int(min(_STATIONARY_MAX_ROUNDS, max(1_000, bound)))


def stationary_failure(limit: int, max_discount: float) -> str:
    """The message of the SolveError raised when the stationary tail does not converge."""
    return (
        f"the stationary tail did not converge within {limit:,} rounds of value iteration "
        f"(discount factors up to {max_discount:.6f}): the proposers' offers cycle instead of "
        "settling. This happens in multilateral games whose stationary equilibrium needs "
        "unequal mixing over coalitions, e.g. Baron-Ferejohn with unequal discount factors "
        "(Eraslan 2002; negsim.models.baron_ferejohn solves equal discounts with any "
        "recognition), or with discount factors very close to 1. Use 'terminal: war' with a "
        "long horizon instead."
    )


def _perpetual(flow: np.ndarray, beta: np.ndarray, transition: np.ndarray) -> np.ndarray:
    """Value of disagreement forever: ``W = w + beta * P W`` solved per actor."""
    R, N = flow.shape
    out = np.empty((R, N))
    for i in range(N):
        out[:, i] = np.linalg.solve(np.eye(R) - beta[:, i, None] * transition, flow[:, i])
    return out


# -- the whole game -------------------------------------------------------------------------
def solve_arrays(
    arrays: list[RoundArrays],
    regimes: list[str],
    transition: np.ndarray,
    terminal: str,
    concepts: tuple[str, ...],
    seed: int = 0,
    samples: int = 0,
) -> RoundSolution:
    """Backward induction over (round, regime), then the other concepts and delay incentives."""
    a0 = arrays[0]
    T, R, N = a0.rounds, len(arrays), len(a0.actors)
    P, Q = len(a0.positions), len(a0.pies)
    threat = np.zeros((T + 1, R, N))
    value = np.zeros((T + 1, R, N))  # the states'
    decided = np.zeros((T + 1, R, N))  # the deciders' (leaders' where an actor has one)
    if terminal == "stationary":
        decided[T], threat[T], value[T] = _stationary_tail(arrays, transition)
    else:
        threat[T] = value[T] = decided[T] = np.stack([_war_utilities(a) for a in arrays])
    continuation = np.zeros((T, R, N))
    decided_continuation = np.zeros((T, R, N))
    deal = {c: np.zeros((T, R)) for c in concepts}
    xs = {c: np.full((T, R, P), np.nan) for c in concepts}
    ys = {c: np.full((T, R, N, Q), np.nan) for c in concepts}
    payoff = {c: np.full((T + 1, R, N), np.nan) for c in concepts}
    choices: dict[tuple[int, int], list[ProposerChoice]] = {}
    for t in reversed(range(T)):
        for r, a in enumerate(arrays):
            beta, flow = a.discount[t], a.flow[t]
            threat[t, r] = flow + beta * (transition[r] @ threat[t + 1])
            continuation[t, r] = flow + beta * (transition[r] @ value[t + 1])
            decided_continuation[t, r] = flow + beta * (transition[r] @ decided[t + 1])
            decided[t, r], choices[t, r], value[t, r] = _bellman(
                a, t, t, decided_continuation[t, r], continuation[t, r]
            )
            dealt = [
                (c.probability * c.approval, c.settlement)
                for c in choices[t, r]
                if c.deal and c.settlement
            ]
            deal["spe"][t, r] = sum(p for p, _ in dealt)
            if dealt:
                weight = np.array([p for p, _ in dealt])
                xs["spe"][t, r] = np.average([s.x for _, s in dealt], axis=0, weights=weight)
                ys["spe"][t, r] = np.average([s.y for _, s in dealt], axis=0, weights=weight)
                payoff["spe"][t, r] = value[t, r]
    for name, values in (("threat", threat), ("continuation", continuation), ("value", value)):
        if not np.isfinite(values).all():  # before the axiomatic LPs, which refuse infinities
            raise SolveError(
                f"the {name} values overflow to infinity: war costs, benefits or penalties "
                "are too large for floating point (keep them within a few orders of magnitude "
                "of the utility scale, 0 to 1)"
            )
    others = tuple(c for c in concepts if c != "spe")
    for concept, settlements in _axiomatic_rounds(arrays, threat, others).items():
        for (t, r), settlement in settlements.items():
            if settlement is None:
                continue
            players = arrays[r].players
            floor = np.maximum(threat[t, r], arrays[r].reservation[t])
            deal[concept][t, r] = float(
                np.all(settlement.utilities[players] >= floor[players] - 1e-7)
            )
            xs[concept][t, r], ys[concept][t, r] = settlement.x, settlement.y
            payoff[concept][t, r] = settlement.utilities
    if terminal == "war":
        for c in concepts:
            payoff[c][T] = threat[T]
    flows = np.stack([a.flow for a in arrays], axis=1)
    discounts = np.stack([a.discount for a in arrays], axis=1)
    gains, delays = {}, {}
    for c in concepts:
        gains[c], delays[c] = delay_incentives(flows, discounts, payoff[c], transition)
    start = np.zeros(R)
    start[0] = 1.0
    dist = _regime_distribution(start, transition, T)
    sampled_regimes, sampled_control = _sample_paths(arrays, transition, samples, seed)
    return RoundSolution(
        arrays=arrays,
        regimes=regimes,
        transition=transition,
        regime_probability=dist,
        threat=threat,
        value=value,
        continuation=continuation,
        deal=deal,
        x=xs,
        y=ys,
        payoff=payoff,
        delay_gain=gains,
        preferred_delay=delays,
        choices=choices,
        sampled_control=sampled_control,
        sampled_regimes=sampled_regimes,
        leader_value=decided if any(a.leaders is not None for a in arrays) else None,
        leader_continuation=(
            decided_continuation if any(a.leaders is not None for a in arrays) else None
        ),
    )


def _axiomatic_rounds(
    arrays: list[RoundArrays], threat: np.ndarray, concepts: tuple[str, ...]
) -> dict[str, dict[tuple[int, int], spatial.Settlement | None]]:
    """Nash, weighted Nash, Kalai-Smorodinsky and compromise settlements at every (t, r).

    Given the threat points (known after the SPE pass) the rounds are independent
    problems, so each concept is solved for all of them at once (the ``*_batch`` functions
    of :mod:`negsim.models.spatial`). Rounds whose players' red lines do not overlap have
    no settlement and are left out.
    """
    cells: list[tuple[int, int]] = []
    spaces: list[spatial.SettlementSpace] = []
    for t in range(arrays[0].rounds):
        for r, a in enumerate(arrays):
            space = _space(a, t, np.flatnonzero(a.players))
            if space is not None:
                cells.append((t, r))
                spaces.append(space)
    out: dict[str, dict[tuple[int, int], spatial.Settlement | None]] = {}
    if not cells:
        return out
    players = np.stack([arrays[r].players for _, r in cells])
    floor = np.stack([np.maximum(threat[t, r], arrays[r].reservation[t]) for t, r in cells])
    capability = np.stack([arrays[r].capability[t] for t, r in cells])
    egalitarian = (
        spatial.max_min_gain_batch(spaces, floor, players)
        if {"nash", "nash_weighted", "kalai_smorodinsky"} & set(concepts)
        else []
    )
    for concept in concepts:
        found: list[spatial.Settlement | None]
        if concept == "compromise":
            found = [
                spatial.compromise_settlement(space, capability[b])
                for b, space in enumerate(spaces)
            ]
        elif concept in ("nash", "nash_weighted"):
            weights = capability if concept == "nash_weighted" else None
            found = spatial.nash_settlement_batch(spaces, floor, players, weights, egalitarian)
        else:  # kalai_smorodinsky
            found = spatial.kalai_smorodinsky_batch(spaces, floor, players, egalitarian)
        out[concept] = dict(zip(cells, found, strict=True))
    return out


def _sample_paths(
    arrays: list[RoundArrays], transition: np.ndarray, samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Regime paths drawn from the chain and the control path each implies."""
    T = arrays[0].rounds
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
    control = np.stack(
        [
            control_path(arrays[0].control[0], arrays[0].drift, cap_a[p, steps], cap_b[p, steps])
            for p in paths
        ]
    )
    return paths, control
