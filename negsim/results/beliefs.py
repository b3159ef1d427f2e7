"""Results of scenarios with worlds: node, belief and deal-probability tables, and words.

:func:`negsim.solve` runs :func:`negsim.engine.beliefs.solve_beliefs`, builds a
:class:`~negsim.result.Result` from its (round, regime) view, whose usual tables average
over signal nodes with the analyst's probabilities, and :func:`with_worlds` adds

* ``nodes`` -- (concept, round, regime, node): signals counted per world, deal, terms, and
  ``reach.<perspective>``, the probability under that perspective's prior that bargaining
  arrives at the node without an earlier deal;
* ``beliefs`` -- (round, node, perspective, world): posterior probability;
* ``deal_probability`` -- (concept, perspective, round): probability that agreement has
  come by the end of the round (``cumulative``) and in the round (``deal``), with the
  expected agreement round (given agreement) and the probability of the war outcome.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negsim.engine.beliefs import (
    BeliefSolution,
    node_probability,
    perspectives,
    reach,
)
from negsim.scenario import Scenario

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["belief_lines", "with_worlds"]


def with_worlds(
    result: Result, scenario: Scenario, sol: BeliefSolution, concepts: tuple[str, ...]
) -> Result:
    """``result`` (the Result of the node-averaged solution) with the tables of the
    beliefs over worlds; see the module docstring."""
    who = perspectives(scenario)
    reached = {}
    for c in concepts:
        every = reach(sol, c, sol.prior[: len(who)])  # (M_t, R, perspective, K)
        reached[c] = {p: [m[:, :, k] for m in every] for k, p in enumerate(who)}
    deal_probability = _deal_probability_table(sol, concepts, who, reached)
    analyst = deal_probability.query("concept == 'spe' and perspective == 'analyst'")
    agreement = pd.DataFrame(
        {
            "round": analyst["round"].to_numpy(),
            "probability": analyst["deal"].to_numpy(),
            "cumulative": analyst["cumulative"].to_numpy(),
        }
    )
    metadata = {
        **result.metadata,
        "worlds": {w: (scenario.worlds[w].label or w) for w in scenario.worlds},
        "priors": {
            p: dict(zip(sol.lattice.worlds, sol.prior[k].tolist(), strict=True))
            for k, p in enumerate(who)
        },
        "accuracy": sol.lattice.accuracy.tolist(),
        "nodes_per_round": sol.lattice.sizes(),
    }
    return dataclasses.replace(
        result,
        agreement=agreement,
        metadata=metadata,
        nodes=_nodes_table(scenario, sol, concepts, who, reached),
        beliefs=_beliefs_table(sol, who),
        deal_probability=deal_probability,
    )


def _counts(sol: BeliefSolution, t: int) -> np.ndarray:
    """(M_t, K): signals that pointed at each world by round t, over all accuracy values."""
    return sol.lattice.counts[t].sum(axis=1)


def _nodes_table(
    scenario: Scenario,
    sol: BeliefSolution,
    concepts: tuple[str, ...],
    who: list[str],
    reached: dict[str, dict[str, list[np.ndarray]]],
) -> pd.DataFrame:
    """Rows (concept, round, node, regime), built from the arrays of all rounds at once."""
    worlds = sol.lattice.worlds
    positions = [k for k, v in scenario.issues.items() if v.kind == "position"]
    pies = [k for k, v in scenario.issues.items() if v.kind == "pie"]
    actors = list(scenario.actors)
    T = sol.lattice.rounds
    R = len(sol.regimes)
    sizes = [sol.deal[concepts[0]][t].shape[0] for t in range(T)]  # M_t nodes per round

    def rows(per_round: list[np.ndarray]) -> np.ndarray:
        """Arrays (M_t, R, ...) over rounds as rows ordered by (round, node, regime)."""
        return np.concatenate(
            [v.reshape(sizes[t] * R, *v.shape[2:]) for t, v in enumerate(per_round)]
        )

    node = np.concatenate([np.repeat(np.arange(M), R) for M in sizes])
    counts = np.concatenate([np.repeat(_counts(sol, t), R, axis=0) for t in range(T)])
    frames = []
    for c in concepts:
        cols: dict[str, object] = {
            "concept": c,
            "round": np.repeat(np.arange(T), [M * R for M in sizes]),
            "regime": np.tile(np.array(sol.regimes, dtype=object), sum(sizes)),
            "node": node,
        }
        for k, w in enumerate(worlds):
            cols[f"signals.{w}"] = counts[:, k]
        cols["deal"] = rows(sol.deal[c][:T])
        x = rows(sol.x[c][:T])
        for k, issue in enumerate(positions):
            cols[issue] = x[:, k]
        y = rows(sol.y[c][:T])
        for q, pie in enumerate(pies):
            for i, actor in enumerate(actors):
                if actor in (scenario.issues[pie].among or []):
                    cols[f"{pie}.{actor}"] = y[:, i, q]
        payoff = rows(sol.payoff[c][:T])
        for i, actor in enumerate(actors):
            cols[f"value.{actor}"] = payoff[:, i]
        for p in who:
            cols[f"reach.{p}"] = rows([m.sum(axis=-1) for m in reached[c][p][:T]])
        frames.append(pd.DataFrame(cols))
    return pd.concat(frames, ignore_index=True)


def _beliefs_table(sol: BeliefSolution, who: list[str]) -> pd.DataFrame:
    """(round, node, perspective, world): posterior ``probability``, and the probability of
    the node under that perspective's prior whatever the bargaining (``node_probability``)."""
    worlds = sol.lattice.worlds
    K, W = len(who), len(worlds)
    reached = [node_probability(sol, sol.prior[k]) for k in range(K)]
    sizes = [b.shape[0] for b in sol.belief]
    # node_probability per (round, node, perspective), repeated over worlds
    probability = np.concatenate(
        [np.stack([reached[k][t] for k in range(K)], axis=-1) for t in range(len(sizes))]
    )
    return pd.DataFrame(
        {
            "round": np.repeat(np.arange(len(sizes)), [M * K * W for M in sizes]),
            "node": np.concatenate([np.repeat(np.arange(M), K * W) for M in sizes]),
            "perspective": np.tile(np.repeat(np.array(who, dtype=object), W), sum(sizes)),
            "world": np.tile(np.array(worlds, dtype=object), sum(sizes) * K),
            "probability": np.concatenate([b.ravel() for b in sol.belief]),
            "node_probability": np.repeat(probability.ravel(), W),
        }
    )


def _deal_probability_table(
    sol: BeliefSolution,
    concepts: tuple[str, ...],
    who: list[str],
    reached: dict[str, dict[str, list[np.ndarray]]],
) -> pd.DataFrame:
    T = sol.lattice.rounds
    pairs = [(c, p) for c in concepts for p in who]
    # alive[j, t]: no deal before round t (t = 0..T) under pair j's concept and prior
    alive = np.array([[m.sum() for m in reached[c][p]] for c, p in pairs]).reshape(-1, T + 1)
    dealt = np.maximum(alive[:, :-1] - alive[:, 1:], 0.0)
    total = dealt.sum(axis=1)
    weighted = (np.arange(T) * dealt).sum(axis=1)
    expected = np.divide(weighted, total, out=np.full(len(pairs), np.nan), where=total > 1e-12)
    return pd.DataFrame(
        {
            "concept": np.repeat(np.array([c for c, _ in pairs], dtype=object), T),
            "perspective": np.repeat(np.array([p for _, p in pairs], dtype=object), T),
            "round": np.tile(np.arange(T), len(pairs)),
            "deal": dealt.ravel(),
            "cumulative": (1 - alive[:, 1:]).ravel(),
            "expected_round": np.repeat(expected, T),
            "war_probability": np.repeat(alive[:, T], T),
        }
    )


# -- words -------------------------------------------------------------------------------
def belief_lines(result: Result, concept: str = "spe") -> list[str]:
    """The paragraph of ``summary()`` on beliefs: when a deal comes under each perspective,
    who expects to gain by waiting and why, when the bargaining range opens."""
    table = result.deal_probability
    meta = result.metadata
    worlds = meta["worlds"]
    lines = [
        "Beliefs: worlds "
        + ", ".join(f"{w} ({label})" if label != w else w for w, label in worlds.items())
        + "; priors "
        + "; ".join(
            f"{_who(result, p)} " + ", ".join(f"{w} {q:.2f}" for w, q in prior.items())
            for p, prior in meta["priors"].items()
        )
        + "."
    ]
    parts = []
    for p in meta["priors"]:
        rows = table.query("concept == @concept and perspective == @p")
        if rows.empty:
            continue
        median = rows[rows["cumulative"] >= 0.5 - 1e-9]
        when = (
            f"by {result.round_label(int(median['round'].iloc[0]))} with probability >= 1/2"
            if len(median)
            else "not by the end with probability 1/2"
        )
        expected = rows["expected_round"].iloc[0]
        mean = f", expected round {expected:.1f} if it comes" if np.isfinite(expected) else ""
        parts.append(
            f"{_who(result, p)}: deal {when}{mean}; war outcome with probability "
            f"{rows['war_probability'].iloc[0]:.2f}"
        )
    lines.append("When the deal comes, by each perspective's prior — " + "; ".join(parts) + ".")
    lines += _waiting_lines(result, concept)
    return lines


def _who(result: Result, perspective: str) -> str:
    return "the analyst" if perspective == "analyst" else result.label(perspective)


def _waiting_lines(result: Result, concept: str) -> list[str]:
    """Who waits at the start and why (optimism), and when the range opens."""
    nodes = result.nodes.query("concept == @concept")
    beliefs = result.beliefs
    meta = result.metadata
    out = []
    root = nodes[(nodes["round"] == 0) & (nodes["regime"] == result.headline_regime)]
    if len(root) and root["deal"].iloc[0] < 1 - 1e-9:
        start = beliefs[(beliefs["round"] == 0) & (beliefs["node"] == 0)]
        analyst = start[start["perspective"] == "analyst"].set_index("world")["probability"]
        optimists = []
        for actor in meta["actors"]:
            own = start[start["perspective"] == actor].set_index("world")["probability"]
            gap = own - analyst
            if gap.abs().max() > 1e-9:
                world = str(gap.idxmax())
                optimists.append(
                    f"{result.label(actor)} puts {own[world]:.2f} on '{world}' "
                    f"(the analyst {analyst[world]:.2f})"
                )
        reason = (
            "; ".join(optimists)
            if optimists
            else "all priors are the analyst's (the delay comes from the game itself)"
        )
        out.append(
            "No deal at the start: every proposer expects, by its own beliefs, to do better by "
            "waiting for the war to prove the other side wrong (waiting to persuade, Yildiz "
            f"2004) — {reason}."
        )
    probability = result.nodes.query("concept == @concept")
    opened = None
    for t, rows in probability.groupby("round"):
        weight = rows["reach.analyst"].to_numpy()
        if weight.sum() <= 1e-12:
            continue
        if (weight * rows["deal"].to_numpy()).sum() / weight.sum() >= 0.5:
            opened = int(t)  # type: ignore[call-overload]
            break
    if opened is None:
        out.append(
            "The bargaining range never opens on most paths: beliefs do not converge enough "
            "before the horizon."
        )
    elif opened > 0:
        out.append(
            f"The bargaining range opens at {result.round_label(opened)}: by then beliefs "
            "have converged (or a deadline looms) enough that a deal is made on the signal "
            "paths carrying most of the analyst's probability."
        )
    return out
