"""Tables of the private-types equilibrium (:mod:`negsim.engine.screening`) for a Result.

* ``types`` -- (concept, round, regime, state, type) for the belief states reached with
  positive probability (a randomised state names the residual weight of its lowest type):
  whether the type is in play, its probability of accepting there, its value, its
  continuation value after a rejection, its probability of having settled before that
  round, and every actor's expected value there under the public posterior
  (``expected.ACTOR``: the uninformed actors' own view).
* ``deal_probability`` -- (round, type): probability of a deal at that round (``type`` =
  ``all`` or one type), cumulative, and the public posterior of the type given no deal
  before that round (the posterior after each rejection).
* ``screening`` -- (round, regime, state, proposer, cutoff): every cutoff the proposer could
  choose (a mixed option: the marginal type, last of ``settling_types``, accepts with
  probability ``marginal_accepts``), its risk (probability of rejection under the
  posterior), its return (the proposer's utility if accepted), its expected payoff, the
  probability that the game then ends in war, whether it is chosen, and the probability
  that the node is reached (``reached``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from negsim.engine.screening import Screening, State

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = [
    "attach",
    "deal_by_round",
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
    actors = screening.arrays[0][0].actors
    root, _ = screening.node_values[0, 0, State(0)]
    result.metadata["screening"] = {
        "actor": screening.actor,
        "types": screening.types,
        "prior": screening.prior.tolist(),
        "war_probability": 1.0 - total,
        "expected_agreement_round": (
            float((overall["round"] * overall["probability"]).sum() / total) if total > 0 else None
        ),
        # every actor's value at the start, expected over the types under the prior (the
        # uninformed actors' payoffs from their own perspective)
        "expected_payoffs": dict(
            zip(actors, (screening.prior @ root[:, : len(actors)]).tolist(), strict=True)
        ),
        "verification_residual": screening.residual,
        "mixed_nodes": screening.mixed_nodes,
        "uncovered_off_path": screening.uncovered_off_path,
    }


def _state_name(screening: Screening, state: State) -> str:
    names = list(screening.types[state.s :])
    if not state.pure:
        names[0] = f"{names[0]} ({state.w:.4g} of its prior)"
    return ",".join(names)


def _reached(screening: Screening) -> list[tuple[tuple[int, int, State], np.ndarray]]:
    return sorted((key, v) for key, v in screening.reach().items() if v.any())


def _settled(screening: Screening) -> tuple[np.ndarray, np.ndarray]:
    """(T, M): probability that type m settles at round t, and that it is still bargaining."""
    T = screening.value.shape[0] - 1
    M = len(screening.types)
    deal, alive = np.zeros((T, M)), np.zeros((T, M))
    for (t, r, state), mass in _reached(screening):
        if t < T:
            alive[t] += mass
            deal[t] += mass * sum(
                b.probability * b.accepts for b in screening.branches[t, r, state]
            )
    return deal, alive


def deal_by_round(screening: Screening) -> np.ndarray:
    """(T,) probability of a deal at each round over the prior: ``deal_probability``'s
    ``probability`` column for type ``all``."""
    per_type, _ = _settled(screening)
    return per_type @ screening.prior


def types_table(screening: Screening) -> pd.DataFrame:
    deal, _ = _settled(screening)
    settled = np.concatenate([np.zeros((1, len(screening.types))), np.cumsum(deal, 0)])
    k = screening.informed
    actors = screening.arrays[0][0].actors
    rows = []
    for (t, r, state), _ in _reached(screening):
        if (t, r, state) not in screening.branches:
            continue
        found = screening.branches[t, r, state]
        now, after = screening.node_values[t, r, state]
        post = screening.posterior(state)
        for m, name in enumerate(screening.types):
            rows.append(
                (
                    CONCEPT,
                    t,
                    screening.regimes[r],
                    _state_name(screening, state),
                    name,
                    m >= state.s,
                    float(sum(b.probability * b.accepts[m] for b in found)),
                    float(now[m, k]),
                    float(after[m, k]),
                    float(settled[t, m]),
                    *(float(post @ now[:, i]) for i in range(len(actors))),
                )
            )
    columns = [
        "concept",
        "round",
        "regime",
        "state",
        "type",
        "in_play",
        "accepts",
        "value",
        "continuation",
        "settled_before",
        *(f"expected.{a}" for a in actors),
    ]
    return pd.DataFrame(rows, columns=columns)


def deal_probability_table(screening: Screening) -> pd.DataFrame:
    per_type, alive = _settled(screening)
    T = per_type.shape[0]
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
    actors = screening.arrays[0][0].actors
    rows = []
    for (t, r, state), mass in _reached(screening):
        if (t, r, state) not in screening.branches:
            continue
        weight = float(mass @ screening.prior)
        for b in screening.branches[t, r, state]:
            if b.informed:
                continue
            for o in b.options:
                settling = [m for m in range(state.s, len(screening.types)) if o.accepts[m] > 0]
                rows.append(
                    (
                        t,
                        screening.regimes[r],
                        _state_name(screening, state),
                        actors[b.proposer],
                        weight * b.probability,
                        ",".join(screening.types[m] for m in settling),
                        float(o.accepts[settling[-1]]) if settling else np.nan,
                        float(o.risk),
                        float(o.ret),
                        float(o.expected),
                        float(o.war),
                        o is b.chosen,
                    )
                )
    columns = [
        "round",
        "regime",
        "state",
        "proposer",
        "reached",
        "settling_types",
        "marginal_accepts",
        "risk",
        "return",
        "expected",
        "war",
        "chosen",
    ]
    return pd.DataFrame(rows, columns=columns)


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
        proposer = result.label(row["proposer"])
        risk = (
            f"(risk of rejection {row['risk']:.2f}, {proposer}'s return {row['return']:.3f} if "
            "accepted)"
        )
        if row["marginal_accepts"] < 1.0:  # the marginal type randomises
            *sure, marginal = settling
            sure_text = f"a {' or '.join(sure)} {who} accepts, " if sure else ""
            lines.append(
                f"At {result.round_label(int(row['round']))} {proposer} offers terms that "
                f"{sure_text}a {marginal} {who} accepts only with probability "
                f"{row['marginal_accepts']:.2f} {risk}: it randomises so that a rejection "
                f"leaves {proposer} indifferent about whom to buy off next; a "
                f"{' or '.join(rest)} {who} rejects{then}."
            )
        else:
            lines.append(
                f"At {result.round_label(int(row['round']))} {proposer} offers terms that only "
                f"a {' or '.join(settling)} {who} accepts {risk}; a {' or '.join(rest)} {who} "
                f"rejects, revealing itself{then}."
            )
    payoffs = ", ".join(
        f"{result.label(a)} {v:.3f}" for a, v in meta.get("expected_payoffs", {}).items()
    )
    if payoffs:
        lines.append(f"Expected payoffs over {who}'s types (the prior): {payoffs}.")
    expected = meta["expected_agreement_round"]
    lines.append(
        f"Probability of war {meta['war_probability']:.2f}"
        + (f"; expected agreement round {expected:.2f}." if expected is not None else ".")
    )
    return lines
