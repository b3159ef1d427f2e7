"""Private types: the screening PBE (negsim.engine.screening) against closed forms and brute force.

Sources: Fearon (1995, pp. 395-401) for the one-shot risk-return trade-off; Fudenberg &
Tirole (1991, sec. 10.2) for two types and two rounds with the uninformed side making both
offers; Sobel & Takahashi (1983) for skimming with many rounds.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

import negsim
from negsim.engine.screening import State, solve_types
from negsim.errors import ScenarioError, SolveError
from negsim.models.conflict import fearon_risk_return
from negsim.scenario import load_file, load_text

ROOT = Path(__file__).resolve().parents[1]
SCREENING = ROOT / "scenarios" / "textbook" / "screening.yaml"
UKRAINE = ROOT / "tests" / "data" / "ukraine_first_edition" / "ukraine_2025.yaml"  # issue 19

TWO_ACTORS = """
name: duel
rounds: {rounds}
terminal: war
issues: {{territory: {{}}}}
actors:
  a: {{veto: true, discount: {da}, ideal: {{territory: 1.0}}, salience: {{territory: 1}},
      war_cost: {ca}}}
  b: {{veto: true, discount: {db}, ideal: {{territory: 0.0}}, salience: {{territory: 1}}}}
battlefield: {{issue: territory, initial_control: {p}, sides: {{a: [a], b: [b]}}}}
protocol: {{proposers: [a]}}
"""


def duel(
    rounds: int,
    costs: list[float],
    priors: list[float],
    p: float = 0.6,
    ca: float = 0.1,
    da: float = 1.0,
    db: float = 1.0,
):
    """A (uninformed) makes every offer to B, whose war cost per round is private."""
    s = load_text(TWO_ACTORS.format(rounds=rounds, p=p, ca=ca, da=da, db=db))
    types = {
        f"t{i}": {"prior": pr, "changes": {"actors.b.war_cost": c}}
        for i, (c, pr) in enumerate(zip(costs, priors, strict=True))
    }
    return s.with_changes({"types": {"b": types}})


# -- (a) Fearon's risk-return trade-off ------------------------------------------------------
@pytest.mark.parametrize(("K", "bound"), [(10, 0.02), (100, 0.002), (1000, 0.0002)])
def test_risk_return_converges_to_fearon(K: int, bound: float) -> None:
    """One round, A offers, B's war cost uniform on [0, 0.3] (K equally spaced types at the
    midpoints of K cells). Fearon's closed form: demand x* = p + max(lo, (hi - c_A)/2) = 0.7,
    P(war) = (x* - p - lo)/(hi - lo) = 1/3. The engine's demand and P(war) are within one
    cell (0.3/K) of it; errors seen: K=10: demand 0.015, P(war) 0.033 (the demand is the
    cutoff type's floor, P(war) the mass of the cells above); K=100: 0.0015, 0.0033;
    K=1000: 0.00015, 0.00033. Both errors are O(1/K)."""
    lo, hi = 0.0, 0.3
    costs = [lo + (i + 0.5) * (hi - lo) / K for i in range(K)]
    sc = solve_types(duel(1, costs, [1.0 / K] * K))
    closed = fearon_risk_return(0.6, 0.1, lo, hi)
    (branch,) = sc.branches[0, 0, State(0)]
    demand = branch.settlement.x[0]
    war = 1.0 - float(sc.prior @ branch.accepts)
    assert abs(demand - float(closed.demand)) <= 0.3 / K + 1e-9
    assert abs(war - float(closed.war_probability)) <= 0.3 / K + 1e-9 + 1.0 / K
    assert abs(demand - float(closed.demand)) < bound


# -- (b) two types, two rounds (Fudenberg & Tirole 1991, sec. 10.2) ----------------------------
def closed_form_two_by_two(q0: float) -> dict[str, float]:
    r"""The screening game of ``scenarios/textbook/screening.yaml``, by hand.

    B's share z = 1 - x; war gives A W_A = p = 0.6 and B W_B = 0.4; A: c_A = 0, delta_A = 1;
    B: delta_B = 1/2, war cost c_R = 0 (resolute, prior q0) or c_P = 0.1 (pragmatic).
    Last round (posterior q of resolute): the floors are L = -c_P + delta_B W_B = 0.1 and
    H = -c_R + delta_B W_B = 0.2; A's war value C_A = -c_A + delta_A W_A = 0.6. Offering H
    (both accept) gives A 1 - H = 0.8; offering L (only pragmatic) gives
    (1 - q)(1 - L) + q C_A. A pools iff q >= q* = (H - L) / ((1 - L) - C_A) = 1/3.
    First round, q0 >= q*: if pragmatic accepted for sure, a rejecter is resolute and gets H
    next round, so pragmatic's price is z0 = -c_P + delta_B H = 0 and
    U_screen = (1 - q0)(1 - z0) + q0 (-c_A + delta_A (1 - H)) = 1 - 0.2 q0; pooling costs
    the resolute type's price -c_R + delta_B H = 0.1, U_pool = 0.9; waiting gives 0.8.
    A screens iff U_screen > U_pool, i.e. q0 < 1/2. For q0 < q* pure skimming fails: after
    a rejection by pragmatic for sure A would offer L, so pragmatic's price would be
    -c_P + delta_B L = -0.05 < 0 and offers between need pragmatic to randomise, accepting
    with probability 1 - q0 (1 - q*) / (q* (1 - q0)) so that the posterior is q*.
    """
    q_star = 1.0 / 3.0
    if q0 < 0.5:
        return {
            "q_star": q_star,
            "x0": 1.0,
            "x1": 0.8,
            "payoff": 1 - 0.2 * q0,
            "pragmatic_0": 1.0,
            "resolute_0": 0.0,
            "resolute_1": 1.0,
        }
    return {
        "q_star": q_star,
        "x0": 0.9,
        "x1": np.nan,
        "payoff": 0.9,
        "pragmatic_0": 1.0,
        "resolute_0": 1.0,
        "resolute_1": 0.0,
    }


@pytest.mark.parametrize("q0", [0.35, 0.4, 0.45, 0.55, 0.7, 0.9])
def test_two_types_two_rounds_pure_region(q0: float) -> None:
    s = load_file(SCREENING)
    s = s.with_changes({"types.b.resolute.prior": q0, "types.b.pragmatic.prior": 1 - q0})
    result = negsim.solve(s, ["spe"])
    want = closed_form_two_by_two(q0)
    sc = solve_types(s)
    (root,) = sc.branches[0, 0, State(0)]
    assert root.settlement.x[0] == pytest.approx(want["x0"], abs=1e-6)
    assert root.chosen.expected == pytest.approx(want["payoff"], abs=1e-6)
    deals = result.deal_probability.set_index(["type", "round"])["probability"]
    assert deals["pragmatic", 0] == pytest.approx(want["pragmatic_0"], abs=1e-6)
    assert deals["resolute", 0] == pytest.approx(want["resolute_0"], abs=1e-6)
    assert deals["resolute", 1] == pytest.approx(want["resolute_1"], abs=1e-6)
    if q0 < 0.5:
        (second,) = sc.branches[1, 0, State(1)]
        assert second.settlement.x[0] == pytest.approx(want["x1"], abs=1e-6)
        post = result.deal_probability.query("round == 1 and type == 'resolute'")["posterior"]
        assert float(post.iloc[0]) == pytest.approx(1.0)  # the rejection revealed it
    assert result.metadata["screening"]["war_probability"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("q0", [0.1, 0.2, 0.3])
def test_two_types_two_rounds_mixing_region_is_refused(q0: float) -> None:
    """Below q* = 1/3 the pure profile is not an equilibrium (closed_form_two_by_two)."""
    s = load_file(SCREENING)
    s = s.with_changes({"types.b.resolute.prior": q0, "types.b.pragmatic.prior": 1 - q0})
    with pytest.raises(SolveError, match="randomise"):
        negsim.solve(s, ["spe"])


# -- (c) many rounds and types against brute force ---------------------------------------------
def brute_force(rounds, costs, priors, p, ca, da, db):
    """Plain enumeration of cutoffs: A offers every round; returns per-type values at the
    root for B and A, per-type deal rounds, and whether a mixing gap is met on the path."""
    M = len(costs)
    order = sorted(range(M), key=lambda m: (-costs[m], m))  # weakest (costliest war) first
    c_sorted = [costs[m] for m in order]
    pri = [priors[m] for m in order]

    @functools.cache
    def node(t, s):
        if t == rounds:
            return tuple([1 - p] * M), tuple([p] * M), None
        cb = {n: [-c_sorted[m] + db * node(t + 1, n)[0][m] for m in range(M)] for n in range(M)}
        cA = {n: [-ca + da * node(t + 1, n)[1][m] for m in range(M)] for n in range(M)}
        total = sum(pri[s:])
        post = [pri[m] / total if m >= s else 0.0 for m in range(M)]
        best, pick = sum(post[m] * cA[s][m] for m in range(M)), (s, None, s)
        for c in range(s + 1, M + 1):
            n = min(c, M - 1)
            z = max(max(cb[n][m] for m in range(s, c)), 0.0)
            if z > 1:
                continue
            pay = sum(post[m] * ((1 - z) if m < c else cA[n][m]) for m in range(s, M))
            if pay >= best - 1e-9:
                best, pick = max(best, pay), (c, z, n)
        c, z, n = pick
        gap = any(cb[c2][c2 - 1] - cb[c2 - 1][c2 - 1] > 1e-9 for c2 in range(s + 1, M))
        vb, va = [], []
        for m in range(M):
            accept = z is not None and ((s <= m < c) if m >= s else z >= cb[n][m] - 1e-9)
            vb.append(z if accept else cb[n][m])
            va.append(1 - z if accept else cA[n][m])
        return tuple(vb), tuple(va), (c, n, gap)

    deal_round = {}
    gap_on_path = False
    for m in range(M):
        s = 0
        for t in range(rounds):
            c, n, gap = node(t, s)[2]
            gap_on_path |= gap
            if m < c:
                deal_round[m] = t
                break
            s = n
    vb, va, _ = node(0, 0)
    return order, vb, va, deal_round, gap_on_path


CASES = [
    (3, [0.0, 0.05, 0.1], [0.5, 0.3, 0.2], 0.6, 0.0, 1.0, 0.5),
    (4, [0.0, 0.02, 0.06, 0.1], [0.6, 0.2, 0.1, 0.1], 0.5, 0.05, 0.95, 0.6),
    (5, [0.01, 0.03, 0.08], [0.7, 0.2, 0.1], 0.55, 0.02, 0.9, 0.5),
    (3, [0.0, 0.05, 0.1], [0.1, 0.3, 0.6], 0.6, 0.0, 1.0, 0.5),
    (6, [0.0, 0.01, 0.02, 0.04, 0.08], [0.5, 0.2, 0.1, 0.1, 0.1], 0.4, 0.03, 0.97, 0.7),
]


@pytest.mark.parametrize("case", CASES)
def test_many_rounds_and_types_against_brute_force(case) -> None:
    rounds, costs, priors, p, ca, da, db = case
    s = duel(rounds, costs, priors, p=p, ca=ca, da=da, db=db)
    order, vb, va, deal_round, gap = brute_force(rounds, costs, priors, p, ca, da, db)
    if gap:
        with pytest.raises(SolveError, match="randomise"):
            solve_types(s)
        return
    sc = solve_types(s)
    assert sc.types == [f"t{m}" for m in order]
    np.testing.assert_allclose(sc.value[0, 0, 0, :, 1], vb, atol=1e-9)
    np.testing.assert_allclose(sc.value[0, 0, 0, :, 0], va, atol=1e-9)
    deals = negsim.solve(s, ["spe"]).deal_probability
    for m, name in enumerate(sc.types):
        rows = deals[deals["type"] == name].set_index("round")["probability"]
        if m in deal_round:
            assert rows[deal_round[m]] == pytest.approx(1.0)
        else:
            assert rows.sum() == pytest.approx(0.0)


def test_brute_force_cases_cover_both_outcomes() -> None:
    gaps = [brute_force(*case)[4] for case in CASES]
    assert any(gaps) and not all(gaps)


# -- properties ---------------------------------------------------------------------------------
def test_single_type_equals_the_engine() -> None:
    s = load_file(UKRAINE)
    one = s.with_changes({"types": {"russia": {"only": {"prior": 1.0}}}})
    sc = solve_types(one)
    complete = negsim.solve(s, ["spe"]).solution
    assert np.abs(sc.value[:, :, 0, 0] - complete.value).max() <= 1e-12


@pytest.mark.parametrize("rounds", [1, 3])
def test_higher_prior_on_the_strong_type_never_helps_the_proposer(rounds: int) -> None:
    costs = [0.0, 0.05, 0.1, 0.2]
    payoffs = []
    for w in np.linspace(0.05, 0.9, 12):
        rest = (1 - w) / 3
        try:
            sc = solve_types(duel(rounds, costs, [w, rest, rest, rest], db=0.6))
        except SolveError:
            continue
        payoffs.append(float(sc.prior @ sc.value[0, 0, 0, :, 0]))
    assert len(payoffs) >= 3
    assert np.all(np.diff(payoffs) <= 1e-12)


def ukraine_three_types():
    s = load_file(UKRAINE)
    types = {
        "resolute": {"prior": 0.3, "changes": {"actors.russia.private_benefit": 0.012}},
        "baseline": {"prior": 0.4},
        "pragmatic": {"prior": 0.3, "changes": {"actors.russia.private_benefit": 0.002}},
    }
    return s.with_changes({"types": {"russia": types}})


def test_agreement_probability_is_a_distribution() -> None:
    result = negsim.solve(ukraine_three_types(), ["spe"])
    deals = result.deal_probability
    for _, rows in deals.groupby("type"):
        cumulative = rows.sort_values("round")["cumulative"].to_numpy()
        assert cumulative[-1] <= 1 + 1e-12
        assert np.all(np.diff(cumulative) >= -1e-12)
    assert result.metadata["screening"]["verification_residual"] < 1e-9
    assert "a resolute Russia rejects, revealing itself" in result.summary()


# -- validation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"types.b.resolute.prior": 0.5}, "priors must sum to 1"),
        ({"types.b.resolute.changes": {"actors.a.war_cost": 0.1}}, "only b's own fields"),
        ({"types.b.resolute.changes": {"actors.b.ideal.territory": 0.1}}, "only b's own"),
        ({"types.b.resolute.changes": {"actors.b.war_cots": 0.1}}, "only b's own"),
    ],
)
def test_bad_types_are_located(change, message) -> None:
    with pytest.raises(ScenarioError, match=message) as info:
        load_file(SCREENING).with_changes(change)
    assert "types.b" in str(info.value)


def test_unknown_informed_actor_is_located() -> None:
    text = SCREENING.read_text().replace("types:\n  b:", "types:\n  bb:")
    with pytest.raises(ScenarioError, match="unknown actor 'bb'") as info:
        load_text(text, str(SCREENING))
    assert "screening.yaml:" in str(info.value)
