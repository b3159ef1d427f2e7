"""Private types: the screening PBE (negsim.engine.screening) against closed forms and brute force.

Sources: Fearon (1995, pp. 395-401) for the one-shot risk-return trade-off; Fudenberg &
Tirole (1991, sec. 10.2) for two types and two rounds with the uninformed side making both
offers; Sobel & Takahashi (1983) for skimming with many rounds.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import pytest

import negsim
from negsim.engine.screening import Screening, State, solve_types
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
def closed_form_two_by_two(q0: float, c: float = 0.1, db: float = 0.5) -> dict[str, float]:
    r"""The screening game of ``scenarios/textbook/screening.yaml``, by hand.

    B's share z = 1 - x; war gives A p = 0.6 and B W_B = 0.4; A: c_A = 0, delta_A = 1;
    B: discount delta_B = ``db``, war cost 0 (resolute, prior q0) or c (pragmatic).

    *Last round* (posterior q of resolute): the floors are L = -c + delta_B W_B (pragmatic)
    and H = delta_B W_B (resolute); A's war value is p. Offering H (both accept) gives A
    1 - H; offering L (only pragmatic accepts, resolute fights) gives (1 - q)(1 - L) + q p.
    A is indifferent at q* = (H - L) / ((1 - L) - p) = c / (1 - L - p).

    *First round*, A's options:

    - pool: the resolute type's price delta_B H (it gets H next round either way):
      U_pool = 1 - delta_B H;
    - pure screening: pragmatic accepts for sure, so a rejecter is resolute and is offered
      H next round; pragmatic's price is z_s = -c + delta_B H;
      U_screen = (1 - q0)(1 - z_s) + q0 (1 - H);
    - mixing (q0 < q*, Fudenberg & Tirole's region where the strong type is rare): offers
      between -c + delta_B L and z_s have no pure continuation; the best is
      z_m = -c + delta_B L: pragmatic accepts with probability
      a* = 1 - q0 (1 - q*) / (q* (1 - q0)), so that a rejection leaves the posterior q*,
      and A, indifferent there, offers L (the resolute type fights):
      U_mix = (1 - q0) a* (1 - z_m) + (1 - (1 - q0) a*)(1 - H); it needs z_m >= 0;
    - wait: the last round at q0.

    A takes the best (ties: the larger deal). With delta_B = 1/2, c = 0.1 (the scenario):
    q* = 1/3, z_m = -0.05 < 0 is not an offer, so A screens (x0 = 1) for q0 < 1/2 and pools
    (x0 = 0.9) above -- pure throughout. With delta_B = 0.9: q* = 5/7, z_m = 0.134, and
    A mixes for q0 below about 0.499 (e.g. q0 = 0.2: a* = 0.9, U_mix = 0.80272 against
    U_screen = 0.7488), screens up to 0.6 and pools above.
    """
    p, wb = 0.6, 0.4
    big, low = db * wb, -c + db * wb
    q_star = c / (1 - low - p)
    options = {
        "pool": (1 - db * big, 0.9),  # (payoff, tie order: the larger, the more deal)
        "screen": ((1 - q0) * (1 - (-c + db * big)) + q0 * (1 - big), 0.5),
        "wait": (max(1 - big, (1 - q0) * (1 - low) + q0 * p), 0.0),
    }
    a_star = 1 - q0 * (1 - q_star) / (q_star * (1 - q0)) if q0 < q_star else np.nan
    z_mix = -c + db * low
    if q0 < q_star and z_mix >= 0:
        options["mix"] = (
            (1 - q0) * a_star * (1 - z_mix) + (1 - (1 - q0) * a_star) * (1 - big),
            0.4,
        )
    best = max(options.values())[0]
    kind = max((k for k, v in options.items() if v[0] >= best - 1e-12), key=lambda k: options[k][1])
    out = {"q_star": q_star, "payoff": best, "kind": kind}
    if kind == "pool":
        out |= {"x0": 1 - db * big, "pragmatic": (1, 0), "resolute": (1, 0), "war": 0.0}
    elif kind == "screen":
        out |= {"x0": 1 + c - db * big, "x1": 1 - big, "pragmatic": (1, 0), "resolute": (0, 1)}
        out["war"] = 0.0
    else:
        assert kind == "mix"
        out |= {"x0": 1 - z_mix, "x1": 1 - low, "pragmatic": (a_star, 1 - a_star)}
        out |= {"resolute": (0, 0), "war": q0, "a_star": a_star}
    return out


def test_closed_form_has_both_regions() -> None:
    kinds = {closed_form_two_by_two(q, db=0.9)["kind"] for q in (0.2, 0.55, 0.9)}
    assert kinds == {"mix", "screen", "pool"}
    kinds = {closed_form_two_by_two(q)["kind"] for q in (0.1, 0.2, 0.4, 0.7)}
    assert kinds == {"screen", "pool"}  # the mixing offers are not feasible there


@pytest.mark.parametrize(
    ("q0", "db"),
    [(q, 0.5) for q in (0.1, 0.2, 0.3, 0.35, 0.45, 0.55, 0.7, 0.9)]
    + [(q, 0.9) for q in (0.05, 0.2, 0.4, 0.45, 0.55, 0.7, 0.9)],
)
def test_two_types_two_rounds(q0: float, db: float) -> None:
    s = load_file(SCREENING)
    s = s.with_changes(
        {"types.b.resolute.prior": q0, "types.b.pragmatic.prior": 1 - q0, "actors.b.discount": db}
    )
    result = negsim.solve(s, ["spe"])
    want = closed_form_two_by_two(q0, db=db)
    sc = solve_types(s)
    (root,) = sc.branches[0, 0, State(0)]
    assert root.settlement.x[0] == pytest.approx(want["x0"], abs=1e-6)
    assert root.chosen.expected == pytest.approx(want["payoff"], abs=1e-6)
    assert sc.residual < 1e-9
    deals = result.deal_probability.set_index(["type", "round"])["probability"]
    for name in ("pragmatic", "resolute"):
        assert deals[name, 0] == pytest.approx(want[name][0], abs=1e-6)
        assert deals[name, 1] == pytest.approx(want[name][1], abs=1e-6)
    assert result.metadata["screening"]["war_probability"] == pytest.approx(want["war"], abs=1e-9)
    assert root.chosen.war == pytest.approx(want["war"], abs=1e-9)  # the risk-return figure's
    # the uninformed proposer's payoff, published for it (expected over B's types)
    assert result.metadata["screening"]["expected_payoffs"]["a"] == pytest.approx(want["payoff"])
    first = result.types.query("round == 0")
    assert first["expected.a"].to_numpy() == pytest.approx(want["payoff"])
    assert first["expected.b"].to_numpy() == pytest.approx(
        result.metadata["screening"]["expected_payoffs"]["b"]
    )
    if want["kind"] in ("screen", "mix"):
        (second,) = sc.branches[1, 0, root.next_state]
        assert second.settlement.x[0] == pytest.approx(want["x1"], abs=1e-6)
        post = result.deal_probability.query("round == 1 and type == 'resolute'")["posterior"]
        q1 = 1.0 if want["kind"] == "screen" else want["q_star"]  # the rejection teaches
        assert float(post.iloc[0]) == pytest.approx(q1, abs=1e-9)
    if want["kind"] == "mix":
        assert root.chosen.key[0] == "mixed"
        assert root.accepts[0] == pytest.approx(want["a_star"], abs=1e-9)
        assert result.metadata["screening"]["mixed_nodes"] == 1
        assert "randomis" in result.summary()


def brute_force_informed_between(q0: float, cost: float, p: float, db: float) -> dict:
    """A offers, then B (informed) proposes, then A offers; B's types: ``r`` (no war cost,
    prior q0) and ``p`` (war cost ``cost``). A's utility of a deal x is x, B's 1 - x; the war
    at the end gives A p and B 1 - p; A has no war cost and no discount.

    Plain enumeration with the module's documented conventions: B's proposing types pool on
    the offer that gives A its expected continuation under the current posterior, a type
    that waits reveals itself (the largest consistent set proposes); at round 0 A's options
    are no deal, the pure cutoffs and the weak type randomising with residual rho, whose best
    value is found by a grid of 20,000 residuals refined by golden section (Fudenberg &
    Tirole 1991, sec. 10.2). Returns each option's (A's payoff, rho, B's share) and round
    1's pooled offer and number of proposing types at the chosen posterior."""
    war_b = {"r": db * (1 - p), "p": -cost + db * (1 - p)}
    cost_of = {"r": 0.0, "p": cost}

    def round2(q: float) -> tuple[dict, dict]:  # A offers; q = Pr(r)
        pooled = 1 - max(war_b.values())
        if pooled >= (1 - q) * (1 - war_b["p"]) + q * p - 1e-12:
            return {"r": pooled, "p": pooled}, {th: max(war_b.values()) for th in war_b}
        return {"r": p, "p": 1 - war_b["p"]}, dict(war_b)

    def round1(q: float) -> tuple[dict, dict, float | None, int]:  # B proposes
        va2, vb2 = round2(q)
        floor = q * va2["r"] + (1 - q) * va2["p"]
        a_next, b_next = round2(1.0)  # a waiting type reveals itself (the top type)
        wait = {th: -cost_of[th] + db * b_next[th] for th in war_b}
        gain = {th: 1 - floor - wait[th] for th in war_b}
        if min(gain.values()) >= -1e-12:
            return {"r": floor, "p": floor}, {"r": 1 - floor, "p": 1 - floor}, floor, 2
        if gain["p"] >= -1e-12:
            return {"r": a_next["r"], "p": floor}, {"r": wait["r"], "p": 1 - floor}, floor, 1
        return va2, {th: -cost_of[th] + db * vb2[th] for th in war_b}, None, 0

    def cont0(q: float) -> tuple[dict, dict]:  # after a rejection at round 0
        va1, vb1, _, _ = round1(q)
        return va1, {th: -cost_of[th] + db * vb1[th] for th in war_b}

    def mixed(rho: float) -> tuple[float, float]:
        va, vb = cont0(q0 / (q0 + (1 - q0) * rho))
        assert vb["r"] >= vb["p"]  # the strong type rejects the weak type's offer
        pay = (1 - q0) * (1 - rho) * (1 - vb["p"]) + (1 - q0) * rho * va["p"] + q0 * va["r"]
        return pay, vb["p"]

    options = {}
    va, _ = cont0(q0)
    options["none"] = (q0 * va["r"] + (1 - q0) * va["p"], None, None)
    va, vb = cont0(1.0)
    options["pure", 2] = (1 - max(vb.values()), None, max(vb.values()))
    options["pure", 1] = ((1 - q0) * (1 - vb["p"]) + q0 * va["r"], None, vb["p"])
    steps = 20_000
    grid = [(i + 0.5) / steps for i in range(steps)]
    i = max(range(steps), key=lambda i: mixed(grid[i])[0])
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, steps - 1)]
    golden = (5**0.5 - 1) / 2
    while b - a > 1e-13:
        c, d = b - golden * (b - a), a + golden * (b - a)
        a, b = (a, d) if mixed(c)[0] >= mixed(d)[0] else (c, b)
    rho = 0.5 * (a + b)
    options["mixed"] = (mixed(rho)[0], rho, mixed(rho)[1])
    best = max(options, key=lambda key: options[key][0])
    q1 = q0 / (q0 + (1 - q0) * rho) if best == "mixed" else 1.0
    return {"options": options, "best": best, "round1": round1(q1)[2:]}


def _resolute_or_pragmatic_b(protocol: str, rounds: int, q0: float, cost: float) -> Screening:
    """The two-actor game with ``protocol`` (e.g. ``"[a, b]"``) solved with B's private
    type: resolute (war cost 0, prior q0) or pragmatic (war cost ``cost``)."""
    text = TWO_ACTORS.replace("proposers: [a]", f"proposers: {protocol}")
    s = load_text(text.format(rounds=rounds, p=0.6, ca=0.0, da=1.0, db=0.9))
    types = {
        "r": {"prior": q0, "changes": {"actors.b.war_cost": 0.0}},
        "p": {"prior": 1 - q0, "changes": {"actors.b.war_cost": cost}},
    }
    return solve_types(s.with_changes({"types": {"b": types}}))


@pytest.mark.parametrize(
    ("q0", "cost"), [(0.1, 0.1), (0.05, 0.1), (0.1, 0.05), (0.2, 0.1), (0.3, 0.1)]
)
def test_informed_proposer_after_a_randomised_rejection(q0: float, cost: float) -> None:
    """B (informed) proposes right after A's screening offer: its pooled offer depends on
    A's floor, which moves with the residual belief (a linear-fractional function of rho),
    so A's best mixed offer is interior, not at a threshold. Against the brute force."""
    sc = _resolute_or_pragmatic_b("[a, b]", 3, q0, cost)
    want = brute_force_informed_between(q0, cost, p=0.6, db=0.9)
    (root,) = sc.branches[0, 0, State(0)]
    assert sc.residual <= 1e-7
    payoff, rho, share = want["options"][want["best"]]
    assert root.chosen.expected == pytest.approx(payoff, abs=1e-9)
    by_key = {o.key[:2] if o.key[0] == "pure" else o.key[0]: o for o in root.options}
    for key in ("none", ("pure", 1), ("pure", 2)):
        assert by_key[key].expected == pytest.approx(want["options"][key][0], abs=1e-12)
    if want["best"] == "mixed":
        assert root.chosen.key[0] == "mixed"
        assert root.chosen.key[2] == pytest.approx(rho, abs=1e-6)
        assert root.accepts[0] == pytest.approx(1 - rho, abs=1e-6)  # the weak type
        assert 1 - root.settlement.x[0] == pytest.approx(share, abs=1e-6)
        assert sc.mixed_nodes == 1
        (second,) = sc.branches[1, 0, root.next_state]
        offer, proposing = want["round1"]
        assert second.informed and second.chosen.key == ("informed", proposing)
        assert second.settlement.x[0] == pytest.approx(offer, abs=1e-6)
    else:
        assert root.chosen.key == want["best"]


def brute_force_protocol(
    protocol: str, q0: float, cost: float, p: float, db: float, steps: int = 400
) -> float:
    """A's expected payoff at the root of the duel with the proposers ``protocol`` by round
    ('a': A, uninformed; 'b': B, informed) and B's types ``r`` (no war cost, prior q0) and
    ``p`` (war cost ``cost``), by backward induction over the posterior q = Pr(r).

    A's rounds: no deal, the pure cutoffs, and the weak type randomising so that a rejection
    leaves any posterior q' in (q, 1) (where its continuation has the module's gap), its
    offer its continuation at q'; the best q' is the supremum over a grid of ``steps``
    points refined by golden section (at a jump of a later proposer's choice, the limit
    from the better side: that proposer randomises there). B's rounds as in
    :func:`brute_force_informed_between`. Ties: the larger deal."""
    T = len(protocol)
    cost_of = {"r": 0.0, "p": cost}
    golden = (5**0.5 - 1) / 2

    def war():
        return {"r": p, "p": p}, {"r": 1 - p, "p": 1 - p}

    def cont(t, q):  # after a rejection at round t leading to posterior q
        va, vb = value(t + 1, q) if t + 1 < T else war()
        return dict(va), {th: -cost_of[th] + db * vb[th] for th in vb}

    def maximise(f, lo, hi):
        # the supremum: the best point seen (at a jump, the limit from the better side)
        xs = [lo + (hi - lo) * (i + 0.5) / steps for i in range(steps)]
        seen = [f(x) for x in xs]
        i = max(range(steps), key=lambda i: seen[i][0])
        best = seen[i]
        a, b = xs[i - 1] if i > 0 else lo, xs[i + 1] if i < steps - 1 else hi
        while b - a > 1e-13:
            c, d = b - golden * (b - a), a + golden * (b - a)
            fc, fd = f(c), f(d)
            best = max(best, fc, fd, key=lambda o: o[0])
            a, b = (a, d) if fc[0] >= fd[0] else (c, b)
        return best

    def value(t, q):
        if protocol[t] == "b":
            va1, _ = value(t + 1, q) if t + 1 < T else war()
            floor = q * va1["r"] + (1 - q) * va1["p"]
            va_top, vb_top = cont(t, 1.0)
            gain = {th: 1 - floor - vb_top[th] for th in cost_of}
            if min(gain.values()) >= -1e-9:
                return {"r": floor, "p": floor}, {"r": 1 - floor, "p": 1 - floor}
            if gain["p"] >= -1e-9 and gain["r"] <= 1e-9:
                return {"r": va_top["r"], "p": floor}, {"r": vb_top["r"], "p": 1 - floor}
            return cont(t, q)
        options = []  # (A's payoff, order, va, vb)
        va, vb = cont(t, q)
        options.append((q * va["r"] + (1 - q) * va["p"], 0.0, va, vb))
        va, vb = cont(t, 1.0)
        offer = max(vb.values())
        options.append((1 - offer, 2.0, {"r": 1 - offer, "p": 1 - offer}, {"r": offer, "p": offer}))
        offer = vb["p"]
        if vb["r"] >= offer - 1e-9:
            pay = (1 - q) * (1 - offer) + q * va["r"]
            options.append((pay, 1.0, {"r": va["r"], "p": 1 - offer}, {"r": vb["r"], "p": offer}))
        if q < 1 and cont(t, 1.0)[1]["p"] - cont(t, q)[1]["p"] > 1e-9:  # the weak type's gap

            def mixed(q1):
                va, vb = cont(t, q1)
                reject = q * (1 - q1) / (q1 * (1 - q))  # the weak type's rejection probability
                offer = vb["p"]
                if vb["r"] < offer - 1e-9:
                    return (-math.inf,)
                vap = (1 - reject) * (1 - offer) + reject * va["p"]
                pay = (1 - q) * vap + q * va["r"]
                return (pay, 2.0 - reject, {"r": va["r"], "p": vap}, {"r": vb["r"], "p": offer})

            found = maximise(mixed, q, 1.0)
            if math.isfinite(found[0]):
                options.append(found)
        best = max(o[0] for o in options)
        chosen = max((o for o in options if o[0] >= best - 1e-9), key=lambda o: o[1])
        return chosen[2], chosen[3]

    va, _ = value(0, q0)
    return q0 * va["r"] + (1 - q0) * va["p"]


@pytest.mark.parametrize(("q0", "cost"), [(0.05, 0.1), (0.1, 0.1)])
def test_randomising_again_where_the_offers_move(q0: float, cost: float) -> None:
    """A, A, B (informed), A: after A's first screening offer, A screens again at a
    residual state whose later offer (B's pooled proposal) moves with the residual; in the
    first case the weak type randomises in both of A's rounds. Against the brute force."""
    sc = _resolute_or_pragmatic_b("[a, a, b, a]", 4, q0, cost)
    (root,) = sc.branches[0, 0, State(0)]
    assert sc.residual <= 1e-7
    assert root.chosen.key[0] == "mixed"
    want = brute_force_protocol("aaba", q0, cost, p=0.6, db=0.9)
    assert root.chosen.expected == pytest.approx(want, abs=5e-9)
    assert sc.mixed_nodes == (2 if q0 == 0.05 else 1)


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
    sc = solve_types(s)
    assert sc.residual < 1e-9
    if gap:  # the pure brute force is a lower bound: mixing may serve A better
        assert sc.prior @ sc.value[0, 0, 0, :, 0] >= np.array(priors)[order] @ va - 1e-9
        return
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


def brute_force_mixing(costs, priors, p, ca, da, db, grid=4000):
    """Two rounds, A offers both, every (marginal type m, residual rho) on a grid.

    A's supremum over the equilibrium continuations of its first offer: types below m
    accept, m keeps weight rho of its prior (rho = 0: accepts; 1: rejects), the types above
    reject; the posterior after a rejection decides A's last offer -- any of its best
    offers there (A is indifferent between them); the first offer is the marginal type's
    continuation, which it must accept (pure) or be indifferent about (0 < rho < 1); every
    other type must respond as said. Returns A's best payoff (the grid approaches the
    thresholds where the mixed equilibrium sits from one side)."""
    M = len(costs)
    order = sorted(range(M), key=lambda m: (-costs[m], m))
    c = np.array([costs[m] for m in order])
    pri = np.array([priors[m] for m in order])
    floor = -c + db * (1 - p)  # each type's last-round floor
    war_a = -ca + da * p  # A's continuation after the last rejection

    def last(q):  # A's best last offers at posterior q: [(A's payoff, each type's value)]
        offers = [None] + sorted({max(f, 0.0) for f in floor if f <= 1})
        out = []
        for z in offers:
            accept = np.zeros(M, bool) if z is None else floor <= z + 1e-12
            pay = q @ np.where(accept, 1 - (z or 0.0), war_a)
            out.append((pay, np.where(accept, z or 0.0, floor)))
        best = max(o[0] for o in out)
        return [o for o in out if o[0] >= best - 1e-12]

    best = -np.inf
    for m in range(M):
        for rho in np.concatenate([[0.0, 1.0], np.linspace(0, 1, grid + 1)[1:-1]]):
            mass = np.where(np.arange(M) > m, pri, 0.0)
            mass[m] = rho * pri[m]
            q = mass / mass.sum() if mass.sum() > 0 else np.eye(M)[-1]
            for pay_a, v in last(q):
                cont = -c + db * v  # every type's continuation after rejecting
                z0 = max(cont[m], 0.0)
                if z0 > 1 or (0 < rho < 1 and cont[m] < 0):
                    continue
                if rho == 1.0 and m > 0:
                    z0 = max(cont[m - 1], 0.0)  # the pure cutoff below m
                ok = all(cont[i] <= z0 + 1e-12 for i in range(m)) and all(
                    cont[i] >= z0 - 1e-12 for i in range(m + 1, M)
                )
                if rho == 0.0:
                    ok &= cont[m] <= z0 + 1e-12
                if not ok:
                    continue
                accepted = pri[:m].sum() + (1 - rho) * pri[m]
                rejected = 1.0 - accepted
                total = accepted * (1 - z0) + rejected * (-ca + da * pay_a)
                if rho == 1.0 and m == 0:  # nobody accepts: A's offer is irrelevant
                    total = -ca + da * pay_a
                best = max(best, total)
    return best


MIXING_CASES = [
    ([0.0, 0.1], [0.2, 0.8], 0.6, 0.0, 1.0, 0.9),
    ([0.0, 0.1], [0.6, 0.4], 0.6, 0.0, 1.0, 0.9),
    ([0.0, 0.05, 0.1], [0.1, 0.3, 0.6], 0.6, 0.0, 1.0, 0.9),
    ([0.0, 0.04, 0.12], [0.2, 0.2, 0.6], 0.5, 0.02, 0.95, 0.85),
    ([0.0, 0.03, 0.06, 0.1], [0.1, 0.2, 0.3, 0.4], 0.55, 0.0, 1.0, 0.8),
]


@pytest.mark.parametrize("case", MIXING_CASES)
def test_two_rounds_mixing_against_brute_force(case) -> None:
    """The engine's first-offer payoff for A is the supremum the grid approaches: no grid
    equilibrium beats it (it would if the engine missed an offer), and the grid comes within
    its resolution (it would not if the engine returned a non-equilibrium)."""
    costs, priors, p, ca, da, db = case
    sc = solve_types(duel(2, costs, priors, p=p, ca=ca, da=da, db=db))
    engine = float(sc.prior @ sc.value[0, 0, 0, :, 0])
    brute = brute_force_mixing(costs, priors, p, ca, da, db)
    assert sc.residual < 1e-9
    assert engine >= brute - 1e-9
    assert engine - brute < 1e-3


def test_mixing_cases_mix() -> None:
    mixed = [
        solve_types(duel(2, c, pr, p=p, ca=ca, da=da, db=db)).mixed_nodes
        for c, pr, p, ca, da, db in MIXING_CASES
    ]
    assert any(mixed) and not all(mixed)


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


# -- cost -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("M", [4, 8, 16])
def test_each_offer_is_optimised_once(M: int, monkeypatch) -> None:
    """Two actors: a cutoff's offer depends only on the marginal type's continuation, not on
    the belief state it is made in, so the proposer's optimisations are one per (round,
    cutoff) -- linear in the number of types, not one per (round, state, cutoff) ~ M^2/2
    (benchmarks/types.py measures the Ukraine scenario, whose other responders' floors move
    with the posterior)."""
    from negsim.engine import screening

    calls = []
    original = screening.proposer_choice
    monkeypatch.setattr(
        screening, "proposer_choice", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    costs = list(np.linspace(0.0, 0.1, M))
    sc = solve_types(duel(3, costs, [1.0 / M] * M, db=0.5))
    assert sc.mixed_nodes == 0
    assert len(calls) == 3 * M
