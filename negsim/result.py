"""The record of a run: tidy tables, a plain-words summary, explanations, save and load.

Tables (pandas DataFrames, one row per observation):

* ``rounds`` -- (concept, regime, round): deal probability, settlement per issue
  (position issues by name, pie shares as ``pie.actor``), control, ripeness.
* ``actors`` -- (concept, regime, round, actor): threat point W, continuation value C,
  payoff of the concept's settlement, surplus ``payoff - W``, its share among the
  bargaining players, the ex-ante value (leverage: the SPE value before the proposer is
  known, :mod:`negsim.results.leverage`), delay incentive Delta and preferred delay.
* ``proposals`` -- (regime, round, proposal, actor): value, continuation, margin, accept,
  sweetener needed.
* ``stage_games`` -- (round, game, equilibrium): mixed strategies and payoffs.
* ``agreement`` -- (round): probability that the SPE deal comes at that round.

Scenarios with ``worlds`` (:mod:`negsim.engine.beliefs`) add ``nodes`` (concept, round, regime,
signal node), ``beliefs`` (round, node, perspective, world) and ``deal_probability``
(concept, perspective, round); the other tables then average over signal nodes with the
analyst's probabilities, and ``agreement`` is the analyst's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from negsim._version import __version__
from negsim.atomic import MARKER, atomic_folder, output_marker
from negsim.engine import RoundSolution
from negsim.errors import NegsimError
from negsim.results.derived import (
    NON_TERM_COLUMNS,
    agreement_probability,
    agreement_round,
    date_format,
    ripe,
    round_dates,
    surplus_share,
)
from negsim.results.leverage import ex_ante_values
from negsim.scenario import Scenario
from negsim.vocabulary import words

if TYPE_CHECKING:
    from negsim.claims import ClaimCheck

__all__ = ["Result"]

TABLES = ("rounds", "actors", "proposals", "stage_games", "agreement")
# written when not empty: beliefs over worlds (negsim.engine.beliefs) or private types (negsim.engine.screening)
OPTIONAL_TABLES = ("nodes", "beliefs", "types", "deal_probability", "screening")


@dataclass
class Result:
    """A solved scenario. Build with :func:`negsim.solve`; reload with :meth:`Result.load`."""

    rounds: pd.DataFrame
    actors: pd.DataFrame
    proposals: pd.DataFrame
    stage_games: pd.DataFrame
    agreement: pd.DataFrame
    metadata: dict[str, Any]
    scenario: Scenario | None = None
    solution: RoundSolution | None = field(default=None, repr=False)
    # beliefs over worlds (negsim.results.beliefs) or private types (negsim.results.screening):
    # empty without them; deal_probability is filled by whichever mechanism the scenario has
    nodes: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    beliefs: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    types: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    deal_probability: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    screening: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_solution(
        cls,
        scenario: Scenario,
        sol: RoundSolution,
        concepts: tuple[str, ...],
        *,
        ex_ante: bool = True,
    ) -> Result:
        """The record of ``sol``; ``ex_ante=False`` skips the ex-ante values (a second
        backward induction, :func:`negsim.results.leverage.ex_ante_values`) and leaves
        their column NaN, for callers that read only the outcome."""
        from negsim.engine.stage_games import stage_game_table

        a0 = sol.arrays[0]
        T = a0.rounds
        agreement = _agreement_table(sol)
        metadata = {
            "scenario": scenario.name,
            "title": scenario.title,
            "scenario_hash": scenario.content_hash(),
            "negsim_version": __version__,
            "seed": scenario.seed,
            "rounds": T,
            "time_unit": scenario.time_unit,
            "start_date": scenario.start_date.isoformat() if scenario.start_date else None,
            "concepts": list(concepts),
            "actors": a0.actors,
            "labels": {k: (v.label or k) for k, v in scenario.actors.items()},
            "issues": {k: (v.label or k) for k, v in scenario.issues.items()},
            "veto": [a for a, v in zip(a0.actors, a0.veto, strict=True) if v],
            "regimes": sol.regimes,
            "deadlines": [
                {"actor": name, "round": d.round, "label": d.label}
                for name, actor in scenario.actors.items()
                for d in actor.deadlines
            ],
            "battlefield_issue": scenario.battlefield.issue if scenario.battlefield else None,
            "terminal": scenario.terminal,
            "vocabulary": scenario.vocabulary.model_dump(),
        }
        return cls(
            rounds=_rounds_table(scenario, sol, concepts),
            actors=_actors_table(
                sol,
                concepts,
                ex_ante_values(sol.space, scenario.terminal)
                if ex_ante
                else np.full(sol.value.shape, np.nan),
            ),
            proposals=_proposals_table(scenario, sol),
            stage_games=stage_game_table(scenario),
            agreement=agreement,
            metadata=metadata,
            scenario=scenario,
            solution=sol,
        )

    # -- reading --------------------------------------------------------------------------
    @property
    def agreement_round(self) -> int | None:
        """The first round by which the SPE deal has come with probability >= 1/2, else None."""
        t = agreement_round(self.agreement["probability"].cumsum().to_numpy())
        return None if np.isnan(t) else int(self.agreement["round"].iloc[int(t)])

    def terms(self, concept: str = "spe", round: int | None = None) -> dict[str, float]:
        """Settlement per issue of a concept at a round (default: the agreement round).

        With regimes, the terms of the headline regime, or of the first regime in which a
        deal comes at that round; empty when there is no deal then.
        """
        t = self.agreement_round if round is None else round
        if t is None:
            return {}
        rows = self.rounds.query("concept == @concept and round == @t and deal > 0")
        if rows.empty:
            return {}
        headline = rows[rows["regime"] == self.headline_regime]
        row = headline if len(headline) else rows.iloc[:1]  # the regime in which the deal comes
        return {c: float(row[c].iloc[0]) for c in row.columns if c not in NON_TERM_COLUMNS}

    @property
    def headline_regime(self) -> str:
        """The regime the game starts in (the one summaries and plots follow)."""
        return self.metadata["regimes"][0]

    def label(self, actor: str) -> str:
        return self.metadata["labels"].get(actor, actor)

    def round_label(self, t: int) -> str:
        """``"round 3 (Mar 2026)"`` where the scenario has a start date."""
        unit = words(self.metadata).unit(self.metadata["time_unit"])
        date = round_dates(self.metadata, [t])[0]
        fmt = date_format(self.metadata["time_unit"], full=True)
        return f"{unit} {t}" + (f" ({date.strftime(fmt)})" if date is not None else "")

    def summary(self, concept: str = "spe") -> str:
        """The run in plain words: when a deal comes and on what terms, who gains by waiting,
        when the situation ripens, and which proposals on the table each actor would take."""
        from negsim.results.summary import summarize

        return summarize(self, concept)

    def explain(self, round: int = 0, regime: str | None = None) -> str:
        """How the SPE at ``round`` was derived: continuation values, binding constraints,
        the proposer's choice."""
        from negsim.results.summary import explain_round

        return explain_round(self, round, regime)

    def claims(self, only: list[str] | None = None) -> ClaimCheck:
        """The claims of the solved scenario measured (:func:`negsim.claims`), reusing this
        solve as the scenario's side of each comparison (one solve per claim).

        Raises
        ------
        NegsimError
            The result was loaded from a folder (it has no scenario).
        ScenarioError
            As :func:`negsim.claims`.
        """
        from negsim.claims import measure_claims

        if self.scenario is None:
            raise NegsimError(
                "this result was loaded from a folder and has no scenario: measure the claims "
                "with negsim.claims(negsim.load(SCENARIO))"
            )
        return measure_claims(type(self), self.scenario, only, base=self)

    # -- persistence ----------------------------------------------------------------------
    def save(self, folder: str | Path, fmt: str = "csv", force: bool = False) -> Path:
        """Write every table (CSV or Parquet) and ``metadata.json`` atomically into ``folder``.

        The tables are written to a temporary folder beside the target and renamed into
        place, so an interrupted save leaves no half-written output. An existing negsim
        output folder is replaced only with ``force=True``; the working folder, a folder
        holding other files and the like are never replaced (see :mod:`negsim.atomic`).

        Raises
        ------
        negsim.atomic.OutputError
            A target that may not be replaced, or a failing write (one-line reason).
        """
        if fmt not in {"csv", "parquet"}:
            raise ValueError(f"format must be 'csv' or 'parquet', got {fmt!r}")
        with atomic_folder(folder, force=force) as staging:
            self.write_tables(staging, fmt)
        return Path(folder)

    def write_tables(self, folder: Path, fmt: str = "csv") -> None:
        optional = [n for n in OPTIONAL_TABLES if not getattr(self, n).empty]
        for name in (*TABLES, *optional):
            table: pd.DataFrame = getattr(self, name)
            if fmt == "csv":
                table.to_csv(folder / f"{name}.csv", index=False)
            else:
                table.to_parquet(folder / f"{name}.parquet", index=False)
        meta = {**self.metadata, "format": fmt, **output_marker("run")}
        (folder / "metadata.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")

    @classmethod
    def load(cls, folder: str | Path) -> Result:
        """Read a folder written by :meth:`save` (the scenario itself is not stored)."""
        folder = Path(folder)
        metadata = json.loads((folder / "metadata.json").read_text())
        fmt = metadata.pop("format", "csv")
        metadata.pop(MARKER, None)
        tables = {}
        for name in TABLES:
            path = folder / f"{name}.{fmt}"
            tables[name] = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
            if fmt == "csv" and "date" in tables[name]:
                tables[name]["date"] = pd.to_datetime(tables[name]["date"])
        for name in OPTIONAL_TABLES:
            path = folder / f"{name}.{fmt}"
            if path.exists():
                tables[name] = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
        return cls(metadata=metadata, **tables)


# -- table builders -------------------------------------------------------------------------
def _rounds_table(s: Scenario, sol: RoundSolution, concepts: tuple[str, ...]) -> pd.DataFrame:
    a0 = sol.arrays[0]
    T = a0.rounds
    meta = {
        "start_date": s.start_date.isoformat() if s.start_date else None,
        "time_unit": s.time_unit,
    }
    dates = round_dates(meta, list(range(T)))
    frames = []
    for concept in concepts:
        gain = sol.delay_gain[concept]
        for r, regime in enumerate(sol.regimes):
            a = sol.arrays[r]
            players = a.players
            frame: dict[str, Any] = {
                "concept": concept,
                "regime": regime,
                "round": np.arange(T),
                "date": dates,
                "proposer": [_proposer_name(a, t) for t in range(T)],
                "deal": sol.deal[concept][:, r],
            }
            for k, issue in enumerate(a.positions):
                frame[issue] = sol.x[concept][:, r, k]
            for q, pie in enumerate(a.pies):
                for i in np.flatnonzero(a.members[:, q]):
                    frame[f"{pie}.{a.actors[i]}"] = sol.y[concept][:, r, i, q]
            frame["control"] = a.control[:T]
            frame["ripe"] = ripe(sol.deal[concept][:, r], gain[:, r], players)
            frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def _proposer_name(a: Any, t: int) -> str:
    if a.recognition is not None:
        return "random"
    return a.actors[int(a.proposers[t % len(a.proposers)])]


def _actors_table(
    sol: RoundSolution, concepts: tuple[str, ...], ex_ante: np.ndarray
) -> pd.DataFrame:
    a0 = sol.arrays[0]
    T, N = a0.rounds, len(a0.actors)
    frames = []
    for concept in concepts:
        for r, regime in enumerate(sol.regimes):
            a = sol.arrays[r]
            players = a.players
            payoff = sol.payoff[concept][:T, r]
            threat = sol.threat[:T, r]
            surplus, share = surplus_share(payoff, threat, players)
            columns = {}
            if concept == "spe" and sol.leader_value is not None:  # leaders decide: side by side
                leader = np.where(np.isnan(payoff), np.nan, sol.leader_value[:T, r])
                columns["leader_payoff"] = leader.ravel()
            frames.append(
                pd.DataFrame(
                    {
                        "concept": concept,
                        "regime": regime,
                        "round": np.repeat(np.arange(T), N),
                        "actor": np.tile(a.actors, T),
                        "veto": np.tile(a.veto, T),
                        "threat_point": threat.ravel(),
                        "continuation": sol.continuation[:, r].ravel(),
                        "payoff": payoff.ravel(),
                        "surplus": surplus.ravel(),
                        "surplus_share": share.ravel(),
                        "ex_ante": ex_ante[:T, r].ravel(),
                        "delay_incentive": sol.delay_gain[concept][:, r].ravel(),
                        "preferred_delay": sol.preferred_delay[concept][:, r].ravel(),
                        **columns,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def _proposals_table(s: Scenario, sol: RoundSolution) -> pd.DataFrame:
    from negsim.engine.offers import settlement_space
    from negsim.models.spatial import utilities

    columns = [
        "regime",
        "round",
        "proposal",
        "actor",
        "value",
        "continuation",
        "margin",
        "accept",
        "sweetener",
        "reason",
    ]
    rows = []
    for r, regime in enumerate(sol.regimes):
        a = sol.arrays[r]
        for name, proposal in s.proposals.items():
            x = np.array([float(proposal.terms[k]) for k in a.positions])  # type: ignore[arg-type]
            y = np.zeros(a.members.shape)
            for q, pie in enumerate(a.pies):
                for actor, share in proposal.terms[pie].items():  # type: ignore[union-attr]
                    y[a.actors.index(actor), q] = share
            for t in range(a.rounds):
                space = settlement_space(a, t, [])
                assert space is not None
                values = utilities(space, x, y)
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
                        (
                            regime,
                            t,
                            name,
                            actor,
                            values[i],
                            sol.continuation[t, r, i],
                            margin,
                            not reasons,
                            max(0.0, -margin, a.reservation[t, i] - values[i]),
                            "; ".join(reasons) or "beats its continuation value",
                        )
                    )
    return pd.DataFrame(rows, columns=columns)


def _agreement_table(sol: RoundSolution) -> pd.DataFrame:
    """Probability that the SPE deal comes at each round, from the initial regime."""
    T = len(sol.deal["spe"])
    prob = agreement_probability(sol.deal["spe"], sol.transition)
    return pd.DataFrame({"round": np.arange(T), "probability": prob, "cumulative": np.cumsum(prob)})
