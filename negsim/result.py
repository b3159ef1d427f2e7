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


class _ActorsTable:
    """The ``actors`` field of :class:`Result` (a data descriptor, Python's descriptor-typed
    dataclass field): the table as set, except that :meth:`Result.from_solution` leaves its
    ``ex_ante`` column to the first read. The ex-ante values are a second backward
    induction (:func:`negsim.results.leverage.ex_ante_values`, a quarter of a solve), which
    only the actors table itself reads -- the summary's leverage lines, the leverage plots,
    :meth:`Result.save` -- so a solve whose caller reads the outcome alone never runs it."""

    def __get__(self, result: Result | None, owner: type | None = None) -> pd.DataFrame:
        if result is None:  # class access: the dataclass field has no default
            raise AttributeError("actors")
        state = result.__dict__
        if "_ex_ante_of" in state:
            sol, concepts, terminal = state["_ex_ante_of"]
            values = ex_ante_values(sol.space, terminal)
            state["_actors"]["ex_ante"] = _ex_ante_column(sol, concepts, values)
            del state["_ex_ante_of"]
        table: pd.DataFrame = state["_actors"]
        return table

    def __set__(self, result: Result, table: pd.DataFrame) -> None:
        result.__dict__["_actors"] = table
        result.__dict__.pop("_ex_ante_of", None)


@dataclass
class Result:
    """A solved scenario. Build with :func:`negsim.solve`; reload with :meth:`Result.load`."""

    rounds: pd.DataFrame
    if TYPE_CHECKING:  # what a reader gets
        actors: pd.DataFrame
    else:  # its ex-ante column computed on the first read; no default (see _ActorsTable)
        actors: pd.DataFrame = _ActorsTable()
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
        their column NaN, for callers that read only the outcome; otherwise they are
        computed on the first read of the ``actors`` table (:class:`_ActorsTable`)."""
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
        result = cls(
            rounds=_rounds_table(scenario, sol, concepts),
            actors=_actors_table(sol, concepts, np.full(sol.value.shape, np.nan)),
            proposals=_proposals_table(scenario, sol),
            stage_games=stage_game_table(scenario),
            agreement=agreement,
            metadata=metadata,
            scenario=scenario,
            solution=sol,
        )
        if ex_ante:
            result.__dict__["_ex_ante_of"] = (sol, concepts, scenario.terminal)
        return result

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
# Each table is built once from arrays over its rows (concept, regime, round[, actor]); the
# loops below run over concepts, regimes, issues and proposals, never over rows.
def _by_row(values: np.ndarray, C: int, R: int, T: int) -> np.ndarray:
    """Arrays (C, T, R, ...) over (concept, round, regime) as rows ordered by (concept,
    regime, round): shape (C * R * T, ...)."""
    return np.swapaxes(values[:, :T], 1, 2).reshape(C * R * T, *values.shape[3:])


def _rounds_table(s: Scenario, sol: RoundSolution, concepts: tuple[str, ...]) -> pd.DataFrame:
    a0 = sol.arrays[0]
    T, R, C = a0.rounds, len(sol.regimes), len(concepts)
    meta = {
        "start_date": s.start_date.isoformat() if s.start_date else None,
        "time_unit": s.time_unit,
    }
    dates = round_dates(meta, list(range(T)))
    deal = np.stack([sol.deal[c] for c in concepts])  # (C, T, R)
    x = _by_row(np.stack([sol.x[c] for c in concepts]), C, R, T)
    y = _by_row(np.stack([sol.y[c] for c in concepts]), C, R, T)
    is_ripe = np.stack(
        [
            np.stack(
                [
                    ripe(sol.deal[c][:, r], sol.delay_gain[c][:, r], sol.arrays[r].players)
                    for r in range(R)
                ]
            )
            for c in concepts
        ]
    )  # (C, R, T)
    frame: dict[str, Any] = {
        "concept": np.repeat(np.array(concepts, dtype=object), R * T),
        "regime": np.tile(np.repeat(np.array(sol.regimes, dtype=object), T), C),
        "round": np.tile(np.arange(T), C * R),
        "date": dates * (C * R),
        "proposer": np.tile(
            np.array([_proposer_name(a, t) for a in sol.arrays for t in range(T)], dtype=object),
            C,
        ),
        "deal": _by_row(deal[..., None], C, R, T)[:, 0],
    }
    for k, issue in enumerate(a0.positions):
        frame[issue] = x[:, k]
    for q, pie in enumerate(a0.pies):
        for i in np.flatnonzero(a0.members[:, q]):
            frame[f"{pie}.{a0.actors[i]}"] = y[:, i, q]
    frame["control"] = np.tile(np.concatenate([a.control[:T] for a in sol.arrays]), C)
    frame["ripe"] = is_ripe.ravel()
    return pd.DataFrame(frame)


def _proposer_name(a: Any, t: int) -> str:
    if a.recognition is not None:
        return "random"
    return a.actors[int(a.proposers[t % len(a.proposers)])]


def _actors_table(
    sol: RoundSolution, concepts: tuple[str, ...], ex_ante: np.ndarray
) -> pd.DataFrame:
    a0 = sol.arrays[0]
    T, N, R, C = a0.rounds, len(a0.actors), len(sol.regimes), len(concepts)
    players = np.stack([a.players for a in sol.arrays])[None, None]  # (1, 1, R, N)
    payoff = np.stack([sol.payoff[c][:T] for c in concepts])  # (C, T, R, N)
    threat = np.broadcast_to(sol.threat[:T], payoff.shape)
    surplus, share = surplus_share(payoff, threat, players)

    def rows(values: np.ndarray) -> np.ndarray:  # (C, T, R, N) -> rows
        return _by_row(values, C, R, T).ravel()

    def same(values: np.ndarray) -> np.ndarray:  # (T, R, N), the same for every concept
        return _ex_ante_column(sol, concepts, values)

    columns: dict[str, Any] = {
        "concept": np.repeat(np.array(concepts, dtype=object), R * T * N),
        "regime": np.tile(np.repeat(np.array(sol.regimes, dtype=object), T * N), C),
        "round": np.tile(np.repeat(np.arange(T), N), C * R),
        "actor": np.tile(np.array(a0.actors, dtype=object), C * R * T),
        "veto": np.tile(np.concatenate([np.tile(a.veto, T) for a in sol.arrays]), C),
        "threat_point": rows(threat),
        "continuation": same(sol.continuation),
        "payoff": rows(payoff),
        "surplus": rows(surplus),
        "surplus_share": rows(share),
        "ex_ante": same(ex_ante),
        "delay_incentive": rows(np.stack([sol.delay_gain[c] for c in concepts])),
        "preferred_delay": rows(np.stack([sol.preferred_delay[c] for c in concepts])),
    }
    if "spe" in concepts and sol.leader_value is not None:  # leaders decide: beside the SPE
        spe = np.array(concepts) == "spe"
        leader = np.where(
            np.isnan(payoff) | ~spe[:, None, None, None], np.nan, sol.leader_value[:T]
        )
        columns["leader_payoff"] = rows(leader)
    return pd.DataFrame(columns)


def _ex_ante_column(
    sol: RoundSolution, concepts: tuple[str, ...], values: np.ndarray
) -> np.ndarray:
    """Values (T[+1], R, N), the same for every concept, as a column of the actors table
    (rows ordered by concept, regime, round, actor)."""
    a0 = sol.arrays[0]
    T, N, R, C = a0.rounds, len(a0.actors), len(sol.regimes), len(concepts)
    return _by_row(np.broadcast_to(values[:T], (C, T, R, N)), C, R, T).ravel()


def _proposals_table(s: Scenario, sol: RoundSolution) -> pd.DataFrame:
    """(regime, proposal, round, actor) rows: each actor's value of each proposal on the
    table against its continuation value, red lines and reservation utility."""
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
    names = list(s.proposals)
    if not names:
        return pd.DataFrame(columns=columns)
    parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    for r, regime in enumerate(sol.regimes):
        a = sol.arrays[r]
        T, N, n = a.rounds, len(a.actors), len(names)
        # the proposals' terms: positions (n, P) and pie shares (n, N, Q)
        x = np.array([[float(p.terms[k]) for k in a.positions] for p in s.proposals.values()])  # type: ignore[arg-type]
        x = x.reshape(n, len(a.positions))
        y = np.zeros((n, *a.members.shape))
        for j, proposal in enumerate(s.proposals.values()):
            for q, pie in enumerate(a.pies):
                for actor, share in proposal.terms[pie].items():  # type: ignore[union-attr]
                    y[j, a.actors.index(actor), q] = share
        spaces = [settlement_space(a, t, []) for t in range(T)]
        # values (n, T, N): every proposal's utility to every actor at every round
        values = np.stack([utilities(space, x, y) for space in spaces if space is not None], 1)
        assert values.shape[1] == T
        continuation = np.broadcast_to(sol.continuation[:T, r], values.shape)
        margin = values - continuation
        reservation = a.reservation[:T]
        # (n, T, N, P): outside each actor's red lines, issue by issue
        xs = x[:, None, None, :]
        outside = (xs < a.red_low[:T] - 1e-12) | (xs > a.red_high[:T] + 1e-12)
        reasons = [
            (outside[..., k], f"crosses its red line on {issue}")
            for k, issue in enumerate(a.positions)
        ]
        reasons.append((values < reservation - 1e-12, "below its reservation utility"))
        reasons.append((margin < -1e-12, f"worth less than {s.vocabulary.continuing}"))
        reason = np.full(values.shape, "", dtype=object)
        for applies, text in reasons:
            joined = np.where(reason == "", text, reason + "; " + text)
            reason = np.where(applies, joined, reason)
        accept = reason == ""
        parts["regime"].append(np.full(n * T * N, regime, dtype=object))
        parts["round"].append(np.tile(np.repeat(np.arange(T), N), n))
        parts["proposal"].append(np.repeat(np.array(names, dtype=object), T * N))
        parts["actor"].append(np.tile(np.array(a.actors, dtype=object), n * T))
        parts["value"].append(values.ravel())
        parts["continuation"].append(continuation.ravel())
        parts["margin"].append(margin.ravel())
        parts["accept"].append(accept.ravel())
        sweetener = np.maximum(np.maximum(0.0, -margin), reservation - values)
        parts["sweetener"].append(sweetener.ravel())
        parts["reason"].append(np.where(accept, "beats its continuation value", reason).ravel())
    return pd.DataFrame({c: np.concatenate(v) for c, v in parts.items()})


def _agreement_table(sol: RoundSolution) -> pd.DataFrame:
    """Probability that the SPE deal comes at each round, from the initial regime."""
    T = len(sol.deal["spe"])
    prob = agreement_probability(sol.deal["spe"], sol.transition)
    return pd.DataFrame({"round": np.arange(T), "probability": prob, "cumulative": np.cumsum(prob)})
