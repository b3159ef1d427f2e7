"""The outcome of the equilibrium a scenario was solved for, under the analyst's beliefs.

One place for the named outputs that :mod:`negsim.claims` measures, that
:mod:`negsim.delay_decomposition` decomposes and that :func:`negsim.sweeps.sweep` reports for
scenarios with worlds or private types. ``P(deal at t)`` (:func:`deal_probabilities`) is

* with worlds, the analyst's (``Result.deal_probability``, perspective ``analyst``, concept
  ``spe``): the subjective SPE over signal nodes, weighted by the analyst's probabilities of
  reaching them;
* with private types, the screening equilibrium's averaged over the prior
  (``Result.deal_probability``, type ``all``; Fudenberg & Tirole 1991, sec. 10.2);
* otherwise the SPE's agreement probability over regime paths (``Result.agreement``).

Then (:func:`outcomes`), with ``T`` the number of rounds:

* ``agreement_round`` -- the expected round of agreement, ``sum_t t * P(deal at t) +
  T * P(no deal)``: a war to the horizon counts as round ``T``, so the value is defined for
  every scenario;
* ``war_probability`` -- ``P(no deal) = 1 - sum_t P(deal at t)`` (0 when rounding makes it
  negative); ``deal_now`` -- ``P(deal at round 0)``;
* ``payoff.ACTOR`` -- the actor's expected value of the game at round 0 in the initial
  regime: the SPE payoff (its continuation value if there is no deal at round 0); with
  private types, every actor's value in the screening equilibrium expected over the
  informed actor's types under the prior (``metadata['screening']['expected_payoffs']``;
  for the informed actor ``sum_k prior_k V_k(0)``, for the others their own expectation);
* ``terms.ISSUE`` -- the SPE settlement at the agreement round (``Result.terms``; NaN
  without a deal); with private types, the complete-information terms;
* ``margin.PROPOSAL.ACTOR`` -- the proposal's value minus the actor's continuation value at
  round 0 in the initial regime (``proposals`` table): positive means it would accept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.results.derived import agreement_round

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["deal_outcomes", "deal_probabilities", "outcomes"]


def deal_probabilities(result: Result) -> np.ndarray:
    """``P(deal at t)`` for t = 0..T-1 under the analyst's beliefs (see the module notes)."""
    T = int(result.metadata["rounds"])
    table = result.deal_probability
    if not table.empty and "perspective" in table:
        rows = table[(table["perspective"] == "analyst") & (table["concept"] == "spe")]
    elif not table.empty and "type" in table:
        rows = table[table["type"] == "all"]
    else:
        rows = result.agreement
    column = "deal" if "perspective" in rows else "probability"
    p = np.zeros(T)
    p[rows["round"].to_numpy(dtype=int)] = rows[column].to_numpy(dtype=float)
    return p


def deal_outcomes(p: np.ndarray) -> dict[str, np.ndarray]:
    """The outcomes of ``P(deal at t)`` ``p`` (n, T) of n points, each (n,), under the
    sweep's column names: ``agreement_round`` the first round by which ``sum_{s<=t} P(deal
    at s) >= 1/2`` (NaN if never; :func:`negsim.results.derived.agreement_round`),
    ``agreement_probability`` ``sum_t P(deal at t)``, ``expected_agreement_round`` ``sum_t
    t P(deal at t) + T P(no deal)``, ``war_probability`` ``max(0, 1 - sum_t P(deal at t))``
    and ``deal_now`` ``P(deal at 0)``. :func:`outcomes` and the sweep's rows with worlds or
    private types read them here."""
    T = p.shape[1]
    cumulative = np.cumsum(p, axis=1)
    total = p.sum(axis=1)
    return {
        "agreement_round": agreement_round(cumulative),
        "agreement_probability": cumulative[:, -1],
        "expected_agreement_round": p @ np.arange(T) + T * (1.0 - total),
        "war_probability": np.maximum(0.0, 1.0 - total),
        "deal_now": p[:, 0],
    }


def outcomes(result: Result) -> dict[str, float]:
    """Every named output of a solved scenario (see the module notes for definitions)."""
    named = deal_outcomes(deal_probabilities(result)[None])
    out = {
        "agreement_round": float(named["expected_agreement_round"][0]),
        "war_probability": float(named["war_probability"][0]),
        "deal_now": float(named["deal_now"][0]),
    }
    regime = result.headline_regime
    a = result.actors
    first = a[(a["concept"] == "spe") & (a["round"] == 0) & (a["regime"] == regime)]
    informed = result.metadata.get("screening", {}).get("actor")
    for row in first.itertuples():
        value = row.payoff if np.isfinite(row.payoff) else row.continuation
        out[f"payoff.{row.actor}"] = float(value)
    if informed is not None:  # every actor's value in the screening equilibrium, expected
        # over the informed actor's types under the prior (the uninformed actors' view)
        for actor, v in result.metadata["screening"]["expected_payoffs"].items():
            out[f"payoff.{actor}"] = float(v)
    terms = result.terms("spe")
    for issue in result.metadata["issues"]:
        out[f"terms.{issue}"] = float(terms[issue]) if issue in terms else float("nan")
    pr = result.proposals
    proposals = pr[(pr["round"] == 0) & (pr["regime"] == regime)]
    for row in proposals.itertuples():
        out[f"margin.{row.proposal}.{row.actor}"] = float(row.margin)
    return out
