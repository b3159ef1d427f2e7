"""The result tables, built from arrays at once, equal a row-by-row construction.

The references below build every row of every table one at a time, straight from the
engine's arrays and the definitions in :mod:`negsim.result` and :mod:`negsim.results.beliefs`
(the way the tables were built before issue 15); the tables must be identical to them
(``assert_frame_equal``, exact values and dtypes). The private-types tables
(:mod:`negsim.results.screening`) are built node by node over the reached belief states
(a few hundred rows), and their values are checked in ``tests/test_screening.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim.engine import solve_scenario
from negsim.engine.beliefs import node_probability, perspectives, reach, solve_beliefs
from negsim.engine.offers import settlement_space
from negsim.models.spatial import utilities
from negsim.results.beliefs import with_worlds
from negsim.results.derived import ripe, round_dates, surplus_share
from negsim.results.leverage import ex_ante_values


def _proposer(a, t):
    return (
        "random" if a.recognition is not None else a.actors[int(a.proposers[t % len(a.proposers)])]
    )


def reference_rounds(s, sol, concepts):
    a0 = sol.arrays[0]
    meta = {
        "start_date": s.start_date.isoformat() if s.start_date else None,
        "time_unit": s.time_unit,
    }
    dates = round_dates(meta, list(range(a0.rounds)))
    rows = []
    for concept in concepts:
        for r, regime in enumerate(sol.regimes):
            a = sol.arrays[r]
            is_ripe = ripe(sol.deal[concept][:, r], sol.delay_gain[concept][:, r], a.players)
            for t in range(a0.rounds):
                row = {
                    "concept": concept,
                    "regime": regime,
                    "round": t,
                    "date": dates[t],
                    "proposer": _proposer(a, t),
                    "deal": sol.deal[concept][t, r],
                }
                for k, issue in enumerate(a.positions):
                    row[issue] = sol.x[concept][t, r, k]
                for q, pie in enumerate(a.pies):
                    for i in np.flatnonzero(a.members[:, q]):
                        row[f"{pie}.{a.actors[i]}"] = sol.y[concept][t, r, i, q]
                row["control"] = a.control[t]
                row["ripe"] = bool(is_ripe[t])
                rows.append(row)
    frame = pd.DataFrame(rows)
    frame["round"] = frame["round"].astype(int)
    return frame


def reference_actors(s, sol, concepts):
    ex_ante = ex_ante_values(sol.space, s.terminal)
    T = sol.arrays[0].rounds
    rows = []
    for concept in concepts:
        for r, regime in enumerate(sol.regimes):
            a = sol.arrays[r]
            payoff = sol.payoff[concept][:T, r]
            surplus, share = surplus_share(payoff, sol.threat[:T, r], a.players)
            for t in range(T):
                for i, actor in enumerate(a.actors):
                    row = {
                        "concept": concept,
                        "regime": regime,
                        "round": t,
                        "actor": actor,
                        "veto": bool(a.veto[i]),
                        "threat_point": sol.threat[t, r, i],
                        "continuation": sol.continuation[t, r, i],
                        "payoff": payoff[t, i],
                        "surplus": surplus[t, i],
                        "surplus_share": share[t, i],
                        "ex_ante": ex_ante[t, r, i],
                        "delay_incentive": sol.delay_gain[concept][t, r, i],
                        "preferred_delay": sol.preferred_delay[concept][t, r, i],
                    }
                    if sol.leader_value is not None:
                        leader = sol.leader_value[t, r, i]
                        row["leader_payoff"] = np.nan if np.isnan(payoff[t, i]) else leader
                    rows.append(row)
    frame = pd.DataFrame(rows)
    frame["round"] = frame["round"].astype(int)
    frame["preferred_delay"] = frame["preferred_delay"].astype(sol.preferred_delay["spe"].dtype)
    if sol.leader_value is not None:  # only the SPE has leaders' values
        frame.loc[frame["concept"] != "spe", "leader_payoff"] = np.nan
    return frame


def reference_proposals(s, sol):
    rows = []
    for r, regime in enumerate(sol.regimes):
        a = sol.arrays[r]
        for name, proposal in s.proposals.items():
            x = np.array([float(proposal.terms[k]) for k in a.positions])
            y = np.zeros(a.members.shape)
            for q, pie in enumerate(a.pies):
                for actor, share in proposal.terms[pie].items():
                    y[a.actors.index(actor), q] = share
            for t in range(a.rounds):
                values = utilities(settlement_space(a, t, []), x, y)
                for i, actor in enumerate(a.actors):
                    outside = (x < a.red_low[t, i] - 1e-12) | (x > a.red_high[t, i] + 1e-12)
                    margin = values[i] - sol.continuation[t, r, i]
                    reasons = [
                        f"crosses its red line on {a.positions[k]}" for k in np.flatnonzero(outside)
                    ]
                    if values[i] < a.reservation[t, i] - 1e-12:
                        reasons.append("below its reservation utility")
                    if margin < -1e-12:
                        reasons.append(f"worth less than {s.vocabulary.continuing}")
                    rows.append(
                        {
                            "regime": regime,
                            "round": t,
                            "proposal": name,
                            "actor": actor,
                            "value": values[i],
                            "continuation": sol.continuation[t, r, i],
                            "margin": margin,
                            "accept": not reasons,
                            "sweetener": max(0.0, -margin, a.reservation[t, i] - values[i]),
                            "reason": "; ".join(reasons) or "beats its continuation value",
                        }
                    )
    return pd.DataFrame(rows)


def reference_beliefs(sol, who):
    rows = []
    probability = [node_probability(sol, sol.prior[k]) for k in range(len(who))]
    for t, b in enumerate(sol.belief):
        for n in range(b.shape[0]):
            for k, p in enumerate(who):
                for w, world in enumerate(sol.lattice.worlds):
                    rows.append(
                        {
                            "round": t,
                            "node": n,
                            "perspective": p,
                            "world": world,
                            "probability": b[n, k, w],
                            "node_probability": probability[k][t][n],
                        }
                    )
    return pd.DataFrame(rows)


def reference_belief_deals(sol, concepts, who):
    T = sol.lattice.rounds
    rows = []
    for c in concepts:
        for k, p in enumerate(who):
            alive = [m.sum() for m in reach(sol, c, sol.prior[k])]
            dealt = np.array([max(alive[t] - alive[t + 1], 0.0) for t in range(T)])
            total = dealt.sum()
            expected = (np.arange(T) * dealt).sum() / total if total > 1e-12 else np.nan
            for t in range(T):
                rows.append(
                    {
                        "concept": c,
                        "perspective": p,
                        "round": t,
                        "deal": dealt[t],
                        "cumulative": 1 - alive[t + 1],
                        "expected_round": expected,
                        "war_probability": alive[T],
                    }
                )
    return pd.DataFrame(rows)


def reference_nodes(s, sol, concepts, who):
    actors = list(s.actors)
    positions = [k for k, v in s.issues.items() if v.kind == "position"]
    pies = [k for k, v in s.issues.items() if v.kind == "pie"]
    reached = {c: [reach(sol, c, sol.prior[k]) for k in range(len(who))] for c in concepts}
    rows = []
    for c in concepts:
        for t in range(sol.lattice.rounds):
            counts = sol.lattice.counts[t].sum(axis=1)
            M, R = sol.deal[c][t].shape
            for n in range(M):
                for r in range(R):
                    row = {"concept": c, "round": t, "regime": sol.regimes[r], "node": n}
                    for k, w in enumerate(sol.lattice.worlds):
                        row[f"signals.{w}"] = counts[n, k]
                    row["deal"] = sol.deal[c][t][n, r]
                    for k, issue in enumerate(positions):
                        row[issue] = sol.x[c][t][n, r, k]
                    for q, pie in enumerate(pies):
                        for i, actor in enumerate(actors):
                            if actor in (s.issues[pie].among or []):
                                row[f"{pie}.{actor}"] = sol.y[c][t][n, r, i, q]
                    for i, actor in enumerate(actors):
                        row[f"value.{actor}"] = sol.payoff[c][t][n, r, i]
                    for k, p in enumerate(who):
                        row[f"reach.{p}"] = reached[c][k][t][n, r].sum()
                    rows.append(row)
    return pd.DataFrame(rows)


ALL = ("spe", "nash", "nash_weighted", "kalai_smorodinsky", "compromise")


@pytest.mark.parametrize(
    ("name", "concepts"),
    [
        ("ukraine_2025", ALL),  # two regimes, proposals, a position issue and pies
        ("variants/putin_leader", ("spe", "nash")),  # leaders' values beside the SPE
        ("textbook/rubinstein", ALL),  # recognition by rotation, one pie
        ("textbook/baron_ferejohn", ("spe",)),  # random recognition
    ],
)
def test_engine_tables_equal_row_by_row(name, concepts):
    s = negsim.load(name)
    sol = solve_scenario(s, concepts)
    result = negsim.Result.from_solution(s, sol, concepts)
    assert len(result.rounds) and len(result.actors)
    pd.testing.assert_frame_equal(
        result.rounds, reference_rounds(s, sol, concepts), check_exact=True
    )
    pd.testing.assert_frame_equal(
        result.actors, reference_actors(s, sol, concepts), check_exact=True
    )
    expected = reference_proposals(s, sol)
    if s.proposals:
        assert len(result.proposals) == len(expected) > 0
        pd.testing.assert_frame_equal(result.proposals, expected, check_exact=True)
    else:
        assert result.proposals.empty


@pytest.mark.parametrize("name", ["textbook/optimism", "variants/hesitation_read"])
def test_belief_tables_equal_row_by_row(name):
    s = negsim.load(name)
    concepts = ("spe", "nash")
    sol, rounds = solve_beliefs(s, concepts)
    result = with_worlds(negsim.Result.from_solution(s, rounds, concepts), s, sol, concepts)
    who = perspectives(s)
    for built, expected in (
        (result.beliefs, reference_beliefs(sol, who)),
        (result.deal_probability, reference_belief_deals(sol, concepts, who)),
        (result.nodes, reference_nodes(s, sol, concepts, who)),
    ):
        assert len(built) > 0
        pd.testing.assert_frame_equal(built, expected, check_exact=True)
