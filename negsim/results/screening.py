"""Tables of the private-types equilibrium (:mod:`negsim.engine.screening`) for a Result.

* ``types`` -- (concept, round, regime, state, type) for the belief states reached with
  positive probability: whether the type is in play, its probability of accepting there,
  its value, its continuation value after a rejection, and its probability of having settled
  before that round.
* ``deal_probability`` -- (round, type): probability of a deal at that round (``type`` =
  ``all`` or one type), cumulative, and the public posterior of the type given no deal
  before that round (the posterior after each rejection).
* ``screening`` -- (round, regime, state, proposer, cutoff): every cutoff the proposer could
  choose, its risk (probability of rejection under the posterior), its return (the
  proposer's utility if accepted), its expected payoff, whether it is chosen, and the
  probability that the node is reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negsim.engine.screening import Screening

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = [
    "attach",
    "deal_probability_table",
    "screening_lines",
    "screening_table",
    "types_table",
]

CONCEPT = "pbe"


def attach(result: Result, screening: Screening) -> None:
    """Add the tables and a metadata record of the screening equilibrium to ``result``."""
    result.types = types_table(screening)
    deals = deal_probability_table(screening)
    result.deal_probability = deals
    result.screening = screening_table(screening)
    overall = deals[deals["type"] == "all"]
    total = float(overall["probability"].sum())
    result.metadata["screening"] = {
        "actor": screening.actor,
        "types": screening.types,
        "prior": screening.prior.tolist(),
        "war_probability": 1.0 - total,
        "expected_agreement_round": (
            float((overall["round"] * overall["probability"]).sum() / total) if total > 0 else None
        ),
        "verification_residual": screening.residual,
        "gaps_off_path": screening.gaps_off_path,
    }


def _state_name(screening: Screening, s: int) -> str:
    return ",".join(screening.types[s:])


def _deal_at(screening: Screening) -> np.ndarray:
    """``deal[t, r, s, m]``: probability that type m settles at node (t, r, s)."""
    T = screening.value.shape[0] - 1
    R, M = len(screening.regimes), len(screening.types)
    deal = np.zeros((T, R, M, M))
    for (t, r, s), found in screening.branches.items():
        deal[t, r, s] = sum(b.probability * b.accepts for b in found)
    return deal


def _in_play_nodes(screening: Screening, reach: np.ndarray) -> list[tuple[int, int, int]]:
    """The nodes (t, r, s) with branches, in order, reached with positive probability."""
    return [key for key in sorted(screening.branches) if reach[key].sum() > 0]


def types_table(screening: Screening) -> pd.DataFrame:
    reach = screening.reach()
    deal = _deal_at(screening)
    T = deal.shape[0]
    M = len(screening.types)
    settled = np.concatenate([np.zeros((1, M)), np.cumsum((reach[:T] * deal).sum(axis=(1, 2)), 0)])
    k = screening.informed
    nodes = _in_play_nodes(screening, reach)
    t, r, s = (np.array([key[j] for key in nodes], dtype=int).reshape(-1) for j in range(3))
    # value after a rejection: sum over the node's branches of probability x continuation
    after = np.zeros((len(nodes), M))
    for n, key in enumerate(nodes):
        for b in screening.branches[key]:
            after[n] += b.probability * screening.continuation[key[0], key[1], b.next_state, :, k]
    m = np.arange(M)
    states = np.array([_state_name(screening, j) for j in range(M)], dtype=object)
    return pd.DataFrame(
        {
            "concept": CONCEPT,
            "round": np.repeat(t, M),
            "regime": np.repeat(np.array(screening.regimes, dtype=object)[r], M),
            "state": np.repeat(states[s], M),
            "type": np.tile(np.array(screening.types, dtype=object), len(nodes)),
            "in_play": (m[None, :] >= s[:, None]).ravel(),
            "accepts": deal[t, r, s].ravel(),
            "value": screening.value[t, r, s, :, k].ravel(),
            "continuation": after.ravel(),
            "settled_before": settled[t].ravel(),
        }
    )


def deal_probability_table(screening: Screening) -> pd.DataFrame:
    reach = screening.reach()
    deal = _deal_at(screening)
    T = deal.shape[0]
    per_type = (reach[:T] * deal).sum(axis=(1, 2))  # (T, M)
    alive = reach[:T].sum(axis=(1, 2))  # (T, M)
    joint = screening.prior * alive
    total = joint.sum(axis=1, keepdims=True)
    posterior = np.divide(joint, total, out=np.full_like(joint, np.nan), where=total > 0)
    frames = [
        pd.DataFrame(
            {
                "round": np.arange(T),
                "type": "all",
                "probability": per_type @ screening.prior,
                "cumulative": np.cumsum(per_type @ screening.prior),
                "posterior": 1.0,
            }
        )
    ]
    for m, name in enumerate(screening.types):
        frames.append(
            pd.DataFrame(
                {
                    "round": np.arange(T),
                    "type": name,
                    "probability": per_type[:, m],
                    "cumulative": np.cumsum(per_type[:, m]),
                    "posterior": posterior[:, m],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def screening_table(screening: Screening) -> pd.DataFrame:
    reach = screening.reach()
    actors = np.array(screening.arrays[0][0].actors, dtype=object)
    M = len(screening.types)
    weight = {key: float(reach[key] @ screening.prior) for key in sorted(screening.branches)}
    moves = [  # the uninformed proposers' moves at nodes reached with positive probability
        (key, b)
        for key, w in weight.items()
        if w > 0
        for b in screening.branches[key]
        if not b.informed
    ]
    t, r, s = (np.array([key[j] for key, _ in moves], dtype=int).reshape(-1) for j in range(3))
    expected = np.array([b.expected for _, b in moves]).reshape(-1, M + 1)
    c = np.arange(M + 1)
    listed = (c[None, :] >= s[:, None]) & ~np.isnan(expected)  # cutoffs c = s..M
    row, cut = np.nonzero(listed)
    # settling types of each (state s, cutoff c): types s..c-1
    settling = np.array(
        [[",".join(screening.types[i:j]) for j in range(M + 1)] for i in range(M)], dtype=object
    )
    states = np.array([_state_name(screening, j) for j in range(M)], dtype=object)

    def field(name: str) -> np.ndarray:
        return np.array([getattr(b, name) for _, b in moves]).reshape(len(moves), M + 1)

    return pd.DataFrame(
        {
            "round": t[row],
            "regime": np.array(screening.regimes, dtype=object)[r[row]],
            "state": states[s[row]],
            "proposer": actors[np.array([b.proposer for _, b in moves], dtype=int)[row]],
            "reached": np.array([weight[key] * b.probability for key, b in moves])[row],
            "settling_types": settling[s[row], cut],
            "risk": field("risk")[row, cut],
            "return": field("ret")[row, cut],
            "expected": expected[row, cut],
            "chosen": cut == np.array([b.cutoff for _, b in moves], dtype=int)[row],
        }
    )


def screening_lines(result: Result) -> list[str]:
    """The summary's paragraph on private types: who screens whom, and when the deal comes."""
    meta = result.metadata.get("screening")
    if not meta or result.screening.empty:
        return []
    who = result.label(meta["actor"])
    prior = ", ".join(f"{t} {p:.2f}" for t, p in zip(meta["types"], meta["prior"], strict=True))
    lines = [f"Private types of {who} (prior {prior}); perfect Bayesian equilibrium with skimming."]
    chosen = result.screening[result.screening["chosen"]]
    screens = chosen[(chosen["settling_types"] != chosen["state"]) & (chosen["risk"] > 0)]
    screens = screens[screens["settling_types"] != ""].sort_values(["round", "reached"])
    if len(screens):
        row = screens[screens["round"] == screens["round"].min()].iloc[-1]
        settling = row["settling_types"].split(",")
        state = row["state"].split(",")
        rest = [t for t in state if t not in settling]
        deals = result.deal_probability
        later = deals[deals["type"].isin(rest) & (deals["round"] > row["round"])]
        later = later[later["probability"] > 1e-9]
        then = (
            f"; the deal then comes at {result.round_label(int(later['round'].min()))}"
            if len(later)
            else "; no deal follows with them"
        )
        lines.append(
            f"At {result.round_label(int(row['round']))} {result.label(row['proposer'])} offers "
            f"terms that only a {' or '.join(settling)} {who} accepts (risk of rejection "
            f"{row['risk']:.2f}, {result.label(row['proposer'])}'s return {row['return']:.3f} if "
            f"accepted); a {' or '.join(rest)} {who} rejects, revealing itself{then}."
        )
    expected = meta["expected_agreement_round"]
    lines.append(
        f"Probability of war {meta['war_probability']:.2f}"
        + (f"; expected agreement round {expected:.2f}." if expected is not None else ".")
    )
    return lines
