"""Self-enforcing deals (``deals: self_enforcing``): Powell's (2006) commitment problem."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

import negsim
from negsim.engine.commitment import enforcement_floors
from negsim.errors import ScenarioError
from negsim.models import commitment_problem


def powell(
    p_now: float, p_next: float, delta: float, c_a: float, c_b: float, deals: str
) -> negsim.Scenario:
    """``textbook/commitment`` with Powell's primitives as the engine's per-round payoffs.

    Two rounds and a repeating tail (``terminal: stationary``); B, the rising state, proposes.
    War is valued as in Powell: fought from round 1 on (power ``p_next`` for ever) it pays
    A ``(1 - delta)(p_next - c_A)`` a round, so A's threat point there is ``p_next - c_A``
    and B's ``1 - p_next - c_B``. Fought in round 0 it is decided by today's power, so A's
    threat point is ``p_now - c_A`` and B's ``1 - p_now - c_B``: the round-0 payoffs carry
    the gain (for A) and loss (for B) of locking in today's odds,
    ``(1 - delta)(p_now - c_A) + delta (p_now - p_next)`` for A.
    """
    data: dict[str, Any] = negsim.load("textbook/commitment").model_dump(
        mode="json", exclude_none=True
    )
    data.pop("battlefield")
    data.update(rounds=2, terminal="stationary", deals=deals, protocol={"proposers": ["b"]})
    lock = p_now - p_next
    payoffs = {
        "a": ((1 - delta) * (p_now - c_a) + delta * lock, (1 - delta) * (p_next - c_a)),
        "b": ((1 - delta) * (1 - p_now - c_b) - delta * lock, (1 - delta) * (1 - p_next - c_b)),
    }
    for name, (now, later) in payoffs.items():
        actor = data["actors"][name]
        actor.update(discount=delta, war_cost=0.0, capacity=0.0)
        actor["private_benefit"] = {
            "kind": "steps",
            "initial": now,
            "steps": [{"round": 1, "value": later}],
        }
    return negsim.load_text(negsim.Scenario.model_validate(data).to_yaml())


GRID = [
    (0.8, 0.8 - shift, delta, c_a, c_b)
    for shift, delta, (c_a, c_b) in itertools.product(
        [0.02, 0.08, 0.15, 0.3, 0.5],
        [0.5, 0.9, 0.99],
        [(0.05, 0.05), (0.01, 0.2), (0.1, 0.0), (0.0, 0.03)],
    )
]


def deal_now(args: tuple[float, ...], deals: str) -> bool:
    result = negsim.solve(powell(*args, deals), concepts=["spe"])
    return result.agreement_round == 0


def test_threat_points_are_powells_war_values() -> None:
    result = negsim.solve(powell(0.8, 0.5, 0.9, 0.05, 0.02, "self_enforcing"), concepts=["spe"])
    threat = result.actors.query("concept == 'spe'").set_index(["round", "actor"])["threat_point"]
    np.testing.assert_allclose(
        [threat[0, "a"], threat[0, "b"], threat[1, "a"], threat[1, "b"]],
        [0.8 - 0.05, 1 - 0.8 - 0.02, 0.5 - 0.05, 1 - 0.5 - 0.02],
        atol=1e-12,
    )


@pytest.mark.parametrize("args", GRID)
def test_war_exactly_where_powell_says_war_for_lasting_settlements(args) -> None:
    """Powell's argument: A's war value now is ``p_now - c_A``; once power has shifted B will
    fight rather than leave A more than ``p_next + c_B`` of a lasting division. A settlement
    both accept and B will keep exists iff ``p_now - c_A <= p_next + c_B``, which is
    ``commitment_problem(..., delta=1)`` (the shift exceeds the costs of war). With binding
    deals the engine always agrees at once.

    Powell's function with delta < 1 also lets B hand A all of *today's* pie first, so its
    most credible offer is ``(1 - delta) + delta (p_next + c_B)``; an engine settlement is
    one lasting division, so on the band ``p_next + c_B < p_now - c_A <= (1 - delta) +
    delta (p_next + c_B)`` the engine says war where the function does not, and nowhere
    else do they differ.
    """
    p_now, p_next, delta, c_a, c_b = args
    lasting = bool(commitment_problem(p_now, p_next, 1.0, c_a, c_b).war_unavoidable)
    assert deal_now(args, "self_enforcing") == (not lasting)
    assert deal_now(args, "binding")
    front_loaded = bool(commitment_problem(*args).war_unavoidable)
    band = p_next + c_b < p_now - c_a <= (1 - delta) + delta * (p_next + c_b)
    assert (lasting and not front_loaded) == band


WAR_AS_REWARD_LATER = {
    "actors.b.private_benefit": {
        "kind": "steps",
        "initial": 0.0,
        "steps": [{"round": 5, "value": 0.6}],
    }
}


def brute_force(result: negsim.Result) -> tuple[np.ndarray, np.ndarray]:
    """Backward induction for two actors with utilities x and 1 - x (a's ideal 1, b's 0),
    written out: threat points ``W(t) = w(t) + d(t) W(t+1)``, floors
    ``E(t) = max_{t < s < T} W(s)``; the responder needs its continuation
    ``C(t) = w(t) + d(t) V(t+1)``, both need E(t); the proposer takes its end of the
    interval if that beats its continuation."""
    a = result.solution.arrays[0]
    T = a.rounds
    war = np.array([a.war_position[0], 1 - a.war_position[0]])
    threat = np.zeros((T + 1, 2))
    threat[T] = war
    for t in reversed(range(T)):
        threat[t] = a.flow[t] + a.discount[t] * threat[t + 1]
    value = np.zeros((T + 1, 2))
    value[T] = war
    shares = np.full(T, np.nan)
    for t in reversed(range(T)):
        later = threat[t + 1 : T].max(axis=0) if t + 1 < T else np.full(2, -np.inf)
        cont = a.flow[t] + a.discount[t] * value[t + 1]
        proposer = int(a.proposers[t % len(a.proposers)])
        low = max(later[0], cont[0] if proposer == 1 else -np.inf)  # a's share >= ...
        high = 1 - max(later[1], cont[1] if proposer == 0 else -np.inf)
        x = high if proposer == 0 else low
        mine = x if proposer == 0 else 1 - x
        if low <= high + 1e-12 and mine >= cont[proposer] - 1e-12:
            shares[t], value[t] = x, [x, 1 - x]
        else:
            value[t] = cont
    return shares, value[:T]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {
            "actors.b.war_cost": {
                "kind": "steps",
                "initial": 0.2,
                "steps": [{"round": 3, "value": 0.0}],
            }
        },
        {
            "actors.a.private_benefit": {
                "kind": "steps",
                "initial": 0.0,
                "steps": [{"round": 4, "value": 0.3}],
            }
        },
        WAR_AS_REWARD_LATER,
    ],
)
def test_engine_equals_brute_force_on_the_commitment_scenario(changes) -> None:
    s = negsim.load("textbook/commitment").with_changes({**changes, "deals": "self_enforcing"})
    result = negsim.solve(s, concepts=["spe"])
    shares, value = brute_force(result)
    found = result.rounds.query("concept == 'spe'")
    np.testing.assert_allclose(found["territory"].to_numpy(), shares, atol=1e-9)
    np.testing.assert_array_equal(found["deal"].to_numpy() > 0, ~np.isnan(shares))


def test_rising_war_values_leave_no_self_enforcing_deal() -> None:
    """War pays B a benefit of 0.6 in the last round: B's threat point there,
    ``0.6 - 0.01 + 0.9 (1 - 0.4) = 1.13``, exceeds anything a settlement can give it, so no
    settlement would be kept and the war goes on; with binding deals the engine agrees at
    once (rounds 0 and 1, before B's reward looms)."""
    s = negsim.load("textbook/commitment").with_changes(WAR_AS_REWARD_LATER)
    binding = negsim.solve(s, concepts=["spe"])
    assert binding.agreement_round == 0
    held = negsim.solve(s.with_changes({"deals": "self_enforcing"}), concepts=["spe"])
    assert held.agreement_round is None
    threat = held.actors.query("concept == 'spe' and round == 5 and actor == 'b'")
    assert threat["threat_point"].item() == pytest.approx(0.6 - 0.01 + 0.9 * 0.6, abs=1e-12)


def test_unknown_deals_value_is_a_located_error() -> None:
    text = (
        "name: t\nrounds: 1\nissues: {x: {}}\ndeals: enforced\n"
        "actors: {a: {discount: 0.9}, b: {discount: 0.9}}\n"
    )
    with pytest.raises(ScenarioError) as info:
        negsim.load_text(text, "t.yaml")
    problem = info.value.problems[0]
    assert problem.path == "deals" and problem.line == 4
    assert "'binding' or 'self_enforcing'" in problem.message


def test_no_deal_says_the_settlement_would_not_be_kept() -> None:
    s = negsim.load("textbook/commitment").with_changes(
        {**WAR_AS_REWARD_LATER, "deals": "self_enforcing"}
    )
    result = negsim.solve(s, concepts=["spe"])
    reasons = {c.reason for c in result.solution.choices[0, 0]}
    assert any("would return to war in a later round" in r for r in reasons)


@pytest.mark.parametrize("stationary", [False, True])
def test_enforcement_floors_equal_brute_force_over_regime_paths(stationary: bool) -> None:
    """E(t, r) = max of W(s, r') over later rounds s and the regimes r' reachable from r in
    s - t steps (positive probability), by enumerating powers of the transition matrix; with
    a stationary tail, also the tail's W(T, r') for every r' reachable at any time."""
    rng = np.random.default_rng(7)
    T, R, N = 5, 3, 2
    threat = rng.normal(size=(T + 1, R, N))
    transition = np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.2, 0.0, 0.8]])
    floors = enforcement_floors(threat, transition, stationary)
    for t in range(T + 1):
        for r in range(R):
            candidates = []
            last = T if stationary else T - 1
            for s in range(t + 1, last + 1):
                reach = np.linalg.matrix_power(transition, s - t)[r] > 0
                candidates.extend(threat[s, reach])
            if stationary:  # the tail: every regime reachable in any number of steps
                reach = sum(np.linalg.matrix_power(transition, k)[r] for k in range(R + 1)) > 0
                candidates.extend(threat[T, reach])
            expected = np.max(candidates, axis=0) if candidates else np.full(N, -np.inf)
            np.testing.assert_array_equal(floors[t, r], expected)
