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
   Kalai-Smorodinsky and the capability x salience compromise; on request, Nash with the
   impasse point (:mod:`negsim.disagreement`).
5. **Delay incentives** and ripeness (:mod:`negsim.models.delay`), proposals on the table,
   stage games.

Markov regimes are handled by dynamic programming over (round, regime): continuation
values are expectations over the next regime. Battlefield control uses the capacities
expected under the regime distribution at each round (a mean-field path); sampled regime
paths (``regimes.samples``) show the spread of control in fan charts.
"""

from __future__ import annotations

import collections
import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

from negsim.commitment import Deals, enforcement_floors
from negsim.disagreement import brw_weights, impasse_points
from negsim.dynamics import RoundArrays, control_path, round_arrays
from negsim.errors import SolveError
from negsim.models import spatial
from negsim.models.delay import delay_incentives
from negsim.scenario import Scenario
from negsim.stationary import Mixing, mixed_stationary_values
from negsim.terminal import TerminalOutcome, war_utilities

__all__ = [
    "CONCEPTS",
    "DEFAULT_CONCEPTS",
    "ProposerChoice",
    "RoundSolution",
    "enumerated_coalitions",
    "solve",
    "solve_arrays",
    "stationary_failure",
    "stationary_round_limit",
]

CONCEPTS = ("spe", "nash", "nash_weighted", "kalai_smorodinsky", "compromise", "nash_impasse")
DEFAULT_CONCEPTS = CONCEPTS[:5]  # what ``solve`` computes unless asked
_TOL = 1e-9
_MAX_COALITIONS = 64
_STATIONARY_TOL = 1e-12
_STATIONARY_MAX_ROUNDS = 50_000
_CYCLE_MEMORY = 20  # value iterates kept to see which coalitions a cycling tail uses


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


@dataclass
class RoundSolution:
    """Everything the engine computed, as arrays indexed (concept, t, r, ...)."""

    arrays: list[RoundArrays]
    regimes: list[str]
    transition: np.ndarray
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


def solve(scenario: Scenario, concepts: Iterable[str] | None = None):  # noqa: ANN201 - Result
    """Solve a scenario round by round; returns a :class:`negsim.result.Result`."""
    from negsim.result import Result

    chosen = tuple(DEFAULT_CONCEPTS if concepts is None else concepts)
    unknown = [c for c in chosen if c not in CONCEPTS]
    if unknown:
        raise SolveError(f"unknown concept(s) {unknown}; choose from {', '.join(CONCEPTS)}")
    if "spe" not in chosen:
        chosen = ("spe", *chosen)  # every concept's threat points come with the SPE pass
    regimes, transition, arrays = _regime_arrays(scenario)
    _check_finite(arrays, regimes)
    solution = solve_arrays(
        arrays,
        regimes,
        transition,
        scenario.terminal,
        chosen,
        scenario.seed,
        scenario.regimes.samples if scenario.regimes else 0,
        terminal_outcome=scenario.terminal_outcome,
        battlefield_issue=arrays[0].positions.index(scenario.battlefield.issue)
        if scenario.battlefield is not None
        else None,
        deals=scenario.deals,
    )
    return Result.from_solution(scenario, solution, chosen)


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


def _offer(
    a: RoundArrays,
    t: int,
    proposer: int,
    coalition: tuple[int, ...],
    continuation: np.ndarray,
    enforce: np.ndarray | None = None,
) -> tuple[np.ndarray, spatial.Settlement | None, str]:
    """The proposer's best offer to one coalition: (floors, settlement or None, reason)."""
    floors = np.full(len(a.actors), np.nan)
    space = _space(a, t, coalition)
    if space is None:
        return floors, None, "the coalition's red lines do not overlap"
    for i in coalition:
        floors[i] = (
            max(continuation[i], a.reservation[t, i]) if i != proposer else a.reservation[t, i]
        )
    if enforce is not None:  # self-enforcing deals (negsim.commitment)
        members = list(coalition)
        floors[members] = np.fmax(floors[members], enforce[members])
    floors[~np.isfinite(floors)] = np.nan
    settlement = spatial.best_proposal(space, proposer, floors)
    reason = "no settlement gives every coalition member its continuation value"
    if settlement is None and enforce is not None:
        binding = _offer(a, t, proposer, coalition, continuation)[1]
        if binding is not None:
            reason = (
                "no settlement would be kept: a coalition member would return to war in a "
                "later round (deals: self_enforcing)"
            )
    return floors, settlement, reason


def _proposer_choice(
    a: RoundArrays,
    t: int,
    proposer: int,
    continuation: np.ndarray,
    probability: float,
    enforce: np.ndarray | None = None,
    mixing: dict[tuple[int, ...], float] | None = None,
) -> ProposerChoice:
    """The proposer's best offer over the coalitions it may form.

    Coalitions that serve the proposer equally well are mixed uniformly (the symmetric
    stationary equilibrium of Baron & Ferejohn 1989 randomises over partners), or with the
    probabilities ``mixing`` of a stationary equilibrium (:mod:`negsim.stationary`) when
    they are exactly the coalitions tied: the settlement recorded is their average.
    """
    offers: list[tuple[tuple[int, ...], np.ndarray, spatial.Settlement]] = []
    reason = "no coalition can reach the quota"
    for coalition in _coalitions(a, proposer, continuation):
        floors, settlement, why_not = _offer(a, t, proposer, coalition, continuation, enforce)
        if settlement is None:
            reason = why_not
            continue
        offers.append((coalition, floors, settlement))
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
        )
    best_value = max(o[2].utilities[proposer] for o in offers)
    tied = [o for o in offers if o[2].utilities[proposer] >= best_value - _TOL]
    weights = np.ones(len(tied))
    mixed = "mixed uniformly"
    if mixing and set(mixing) <= {o[0] for o in tied}:
        weights = np.array([mixing.get(o[0], 0.0) for o in tied])
        mixed = "mixed as the stationary equilibrium requires"
        tied = [o for o, w in zip(tied, weights, strict=True) if w > 0]
        weights = weights[weights > 0]
    coalition, floors, settlement = tied[0]
    if len(tied) > 1:
        settlement = spatial.Settlement(
            x=np.average([o[2].x for o in tied], axis=0, weights=weights),
            y=np.average([o[2].y for o in tied], axis=0, weights=weights),
            utilities=np.average([o[2].utilities for o in tied], axis=0, weights=weights),
        )
        coalition = tuple(sorted(set().union(*(o[0] for o in tied))))
        floors = np.fmax.reduce(np.stack([o[1] for o in tied]), axis=0)
    deal = best_value >= continuation[proposer] - _TOL
    why = "the proposer gains by the deal" if deal else "the proposer prefers to wait"
    if len(tied) > 1:
        why += f"; {len(tied)} equally cheap coalitions, {mixed}"
    return ProposerChoice(
        proposer, probability, coalition, floors, continuation, settlement, deal, why
    )


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
    enforce: np.ndarray | None = None,
    mixing: Mixing | None = None,
) -> tuple[np.ndarray, list[ProposerChoice]]:
    """Expected SPE value at round t (parameters of round t, proposer of ``phase``);
    ``enforce`` (N,): the least utility of a self-enforcing deal (None: deals bind);
    ``mixing``: the stationary tail's mixing over tied coalitions, per proposer."""
    value = np.zeros(len(a.actors))
    choices = []
    for proposer, probability in _proposers(a, phase):
        choice = _proposer_choice(
            a, t, proposer, continuation, probability, enforce, (mixing or {}).get(proposer)
        )
        outcome = choice.settlement.utilities if choice.deal and choice.settlement else continuation
        value += probability * outcome
        choices.append(choice)
    return value, choices


def _war_utilities(
    a: RoundArrays, outcome: TerminalOutcome = "position", issue: int | None = None
) -> np.ndarray:
    """Utilities of the war outcome (a sure position or a lottery, :mod:`negsim.terminal`)."""
    space = _space(a, a.rounds - 1, [])
    assert space is not None
    return war_utilities(space, a.war_position, float(a.control[-1]), issue, outcome)


def _stationary_tail(
    arrays: list[RoundArrays], transition: np.ndarray, deals: Deals = "binding"
) -> tuple[np.ndarray, np.ndarray, list[Mixing] | None]:
    """Values at round T of the game whose last round repeats forever (value iteration),
    its threat points and, when iteration cycles because the equilibrium mixes over
    coalitions (one proposer a round), the mixing found by :mod:`negsim.stationary`."""
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
    enforce: list[np.ndarray | None] = (
        list(enforcement_floors(threat[None], transition, stationary=True)[0])
        if deals == "self_enforcing"
        else [None] * len(arrays)
    )
    period = max(len(a.proposers) if a.proposers is not None else 1 for a in arrays)
    limit = stationary_round_limit(float(beta.max()))
    value = threat.copy()
    history: collections.deque[np.ndarray] = collections.deque(maxlen=_CYCLE_MEMORY)
    rounds = 0
    while rounds < limit:
        before = value.copy()
        for m in reversed(range(period)):
            cont = flow + beta * (transition @ value)
            value = np.stack(
                [
                    _bellman(a, last, last + 1 + m, cont[r], enforce[r])[0]
                    for r, a in enumerate(arrays)
                ]
            )
            rounds += 1
        history.append(value)
        if np.max(np.abs(value - before)) < _STATIONARY_TOL:
            return value, threat, None
        if period == 1 and rounds == limit // 4:  # past the contraction bound: cycling
            mixed = _mixed_tail(arrays, transition, list(history), flow, beta, enforce)
            if mixed is not None:
                return mixed[0], threat, mixed[1]
    raise SolveError(stationary_failure(limit, float(beta.max())))


def _mixed_tail(
    arrays: list[RoundArrays],
    transition: np.ndarray,
    history: list[np.ndarray],
    flow: np.ndarray,
    beta: np.ndarray,
    enforce: list[np.ndarray | None],
) -> tuple[np.ndarray, list[Mixing]] | None:
    """The stationary equilibrium with mixing over tied coalitions (:mod:`negsim.stationary`)."""
    last = arrays[0].rounds - 1
    return mixed_stationary_values(
        history,
        flow,
        beta,
        transition,
        [_proposers(a, 0) for a in arrays],
        lambda r, j, c: _coalitions(arrays[r], j, c),
        lambda r, j, coalition, c: _utilities_of(
            _offer(arrays[r], last, j, coalition, c, enforce[r])[1]
        ),
    )


def _utilities_of(settlement: spatial.Settlement | None) -> np.ndarray | None:
    return None if settlement is None else settlement.utilities


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
        "settling, and no stationary equilibrium mixing over equally cheap coalitions was "
        "found (the engine looks for one when a single proposer moves each round, as with "
        "recognition probabilities; Eraslan 2002), e.g. with rotating proposers or discount "
        "factors very close to 1. Use 'terminal: war' with a long horizon instead."
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
    *,
    terminal_outcome: TerminalOutcome = "position",
    battlefield_issue: int | None = None,
    deals: Deals = "binding",
) -> RoundSolution:
    """Backward induction over (round, regime), then the other concepts and delay incentives.

    ``terminal_outcome`` (with the index of the battlefield issue) chooses the war outcome
    after the last round (:mod:`negsim.terminal`); ``deals="self_enforcing"`` requires every
    settlement to beat its members' later threat points (:mod:`negsim.commitment`).
    """
    a0 = arrays[0]
    T, R, N = a0.rounds, len(arrays), len(a0.actors)
    P, Q = len(a0.positions), len(a0.pies)
    threat = np.zeros((T + 1, R, N))
    value = np.zeros((T + 1, R, N))
    mixing: list[Mixing] | None = None
    if terminal == "stationary":
        value[T], threat[T], mixing = _stationary_tail(arrays, transition, deals)
    else:
        threat[T] = value[T] = np.stack(
            [_war_utilities(a, terminal_outcome, battlefield_issue) for a in arrays]
        )
    if deals == "self_enforcing":  # the threat points do not depend on the deals made
        for t in reversed(range(T)):
            for r, a in enumerate(arrays):
                threat[t, r] = a.flow[t] + a.discount[t] * (transition[r] @ threat[t + 1])
    enforce = (
        enforcement_floors(threat, transition, terminal == "stationary")
        if deals == "self_enforcing"
        else None
    )
    continuation = np.zeros((T, R, N))
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
            value[t, r], choices[t, r] = _bellman(
                a,
                t,
                t,
                continuation[t, r],
                None if enforce is None else enforce[t, r],
                None if mixing is None else mixing[r],
            )
            dealt = [
                (c.probability, c.settlement) for c in choices[t, r] if c.deal and c.settlement
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
    flows = np.stack([a.flow for a in arrays], axis=1)
    discounts = np.stack([a.discount for a in arrays], axis=1)
    impasse = impasse_points(flows, discounts, transition) if "nash_impasse" in concepts else None
    for concept, settlements in _axiomatic_rounds(arrays, threat, others, impasse).items():
        point = impasse if concept == "nash_impasse" and impasse is not None else threat
        for (t, r), settlement in settlements.items():
            if settlement is None:
                continue
            players = arrays[r].players
            floor = np.maximum(point[t, r], arrays[r].reservation[t])
            deal[concept][t, r] = float(
                np.all(settlement.utilities[players] >= floor[players] - 1e-7)
            )
            xs[concept][t, r], ys[concept][t, r] = settlement.x, settlement.y
            payoff[concept][t, r] = settlement.utilities
    if terminal == "war":
        for c in concepts:
            payoff[c][T] = threat[T]
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
    )


def _axiomatic_rounds(
    arrays: list[RoundArrays],
    threat: np.ndarray,
    concepts: tuple[str, ...],
    impasse: np.ndarray | None = None,
) -> dict[str, dict[tuple[int, int], spatial.Settlement | None]]:
    """Nash, weighted Nash, Kalai-Smorodinsky and compromise settlements at every (t, r),
    and Nash with the impasse point ``impasse`` and weights ``1 / r_i``.

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
        elif concept == "nash_impasse":
            assert impasse is not None
            point = np.stack(
                [np.maximum(impasse[t, r], arrays[r].reservation[t]) for t, r in cells]
            )
            discount = np.stack([arrays[r].discount[t] for t, r in cells])
            weights = np.where(players, brw_weights(np.where(players, discount, 0.5)), 1.0)
            found = spatial.nash_settlement_batch(spaces, point, players, weights)
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
