"""Leverage without proposer artefacts: the ex-ante value under random recognition
(issue 20, item 1)."""

import numpy as np
import pytest

import negsim
from negsim.results.leverage import recognition_shares, trend


def test_ex_ante_value_is_the_random_proposer_closed_form():
    """Rubinstein's pie with the proposer drawn by a fair coin each round: stationary
    v_a = (1 - d_b) / (2 - d_a - d_b) (v_a = (1 - d_b v_b)/2 + d_a v_a / 2, v_a + v_b = 1;
    Binmore 1987), in every round -- no zig-zag with the rotation."""
    d_a, d_b = 0.9, 0.8
    r = negsim.solve(negsim.load("textbook/rubinstein"), ["spe"])
    rows = r.actors.query("concept == 'spe'")
    alice = rows[rows["actor"] == "alice"]
    assert alice["ex_ante"].to_numpy() == pytest.approx((1 - d_b) / (2 - d_a - d_b), abs=1e-9)
    bob = rows[rows["actor"] == "bob"]
    assert bob["ex_ante"].to_numpy() == pytest.approx((1 - d_a) / (2 - d_a - d_b), abs=1e-9)
    # the per-round SPE payoff keeps the proposer's advantage and stays available
    assert alice["payoff"].iloc[0] == pytest.approx((1 - d_b) / (1 - d_a * d_b), abs=1e-9)


def test_ex_ante_value_finite_horizon_by_brute_force():
    """Two rounds then war (threat points 0 here): backward induction by hand with a fair
    coin for the proposer, against the engine's recognition pass."""
    s = negsim.load("textbook/rubinstein").with_changes({"terminal": "war"})
    r = negsim.solve(s, ["spe"])
    d = {"alice": 0.9, "bob": 0.8}
    W = r.actors.query("concept == 'spe'").set_index(["round", "actor"])["threat_point"]
    T = 2
    # war utilities at T from W(T - 1) = d * W(T) (no flows in this scenario)
    wT = {a: W[T - 1, a] / d[a] for a in d}
    v = dict(wT)
    for _t in reversed(range(T)):
        c = {a: d[a] * v[a] for a in d}
        v = {
            "alice": 0.5 * (1 - c["bob"]) + 0.5 * c["alice"],
            "bob": 0.5 * (1 - c["alice"]) + 0.5 * c["bob"],
        }
        got = r.actors.query("concept == 'spe' and round == @_t").set_index("actor")["ex_ante"]
        assert got["alice"] == pytest.approx(v["alice"], abs=1e-9)
        assert got["bob"] == pytest.approx(v["bob"], abs=1e-9)


def test_recognition_shares_follow_the_rotation():
    a = negsim.solve(negsim.load("ukraine_2025"), ["spe"]).solution.arrays[0]
    shares = recognition_shares(a)
    rotation = list(a.proposers)
    for i in range(len(a.actors)):
        assert shares[i] == pytest.approx(rotation.count(i) / len(rotation))


def test_trend_of_a_line():
    start, end, slope = trend(np.arange(9), 0.1 * np.arange(9))
    assert (start, end, slope) == pytest.approx((0.1, 0.7, 0.1))


def test_summary_trend_does_not_flip_on_the_last_round():
    """A rising ex-ante value whose last round falls to zero (the horizon's artefact) is
    still reported as rising."""
    r = negsim.solve(negsim.load("textbook/rubinstein").with_changes({"rounds": 12}), ["spe"])
    rows = r.actors
    rising = 0.3 + 0.02 * rows["round"].astype(float)
    last = rows["round"] == rows["round"].max()
    rows["ex_ante"] = np.where(
        rows["actor"] == "alice", np.where(last, 0.0, rising), np.where(last, 1.0, 1 - rising)
    )
    line = next(x for x in r.summary().splitlines() if x.startswith("Leverage"))
    alice = line.split("Alice ")[1]
    start, end = (float(v) for v in alice.split(" (")[0].split(" -> "))
    assert end > start
    assert "(+" in alice.split(",")[0]
    assert "ex-ante value" in line
