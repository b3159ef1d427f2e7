"""The bargaining range: per round, the settlements on one issue that every (veto)
player would accept -- an economic reading of a solved scenario that the figure
:func:`negsim.plot.bargaining_range` draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from negsim.results.derived import NON_TERM_COLUMNS
from negsim.results.views import actor_rows, issue_label, round_rows

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["bargaining_range_data", "default_issue"]


# -- bargaining range ----------------------------------------------------------------------
def default_issue(result: Result) -> str:
    issue = result.metadata.get("battlefield_issue")
    if issue:
        return str(issue)
    if not len(result.rounds):
        raise ValueError("the result has no rounds")
    columns = [c for c in result.rounds.columns if c not in NON_TERM_COLUMNS]
    positions = [c for c in columns if "." not in c]
    return (positions or [c.split(".")[0] for c in columns])[0]


def _headline_arrays(result: Result) -> Any:
    if result.solution is not None:
        return result.solution.arrays[0]
    if result.scenario is None:
        raise ValueError(
            "the bargaining range needs the actors' preferences: this result has neither its "
            "scenario nor its solution (a reloaded result); solve the scenario again"
        )
    from negsim.engine import state_space

    return state_space(result.scenario).arrays[0]


def bargaining_range_data(
    result: Result, issue: str | None = None, hold: str = "free", grid: int = 201
) -> pd.DataFrame:
    """Per round, the settlements on ``issue`` that every veto player would accept.

    A settlement is acceptable to player i at round t when ``u_i >= max(C_i(t),
    reservation_i)`` -- C_i its continuation value, what it gets by refusing -- and it lies
    inside i's red lines. The players are the veto players (everyone when there are none).

    Parameters
    ----------
    result : Result
        Needs ``result.scenario`` or ``result.solution`` (the actors' preferences).
    issue : str, optional
        A position issue, or a pie issue (then the range is the share of the pie's first
        member; the other members split the rest in their SPE proportions). Default: the
        battlefield issue, else the first position issue, else the first pie.
    hold : {"free", "spe"}
        ``"free"``: the zone of possible agreement projected on the issue -- the least and
        greatest position for which *some* settlement of the other issues is acceptable to
        every player (two convex programs per round, :func:`negsim.models.spatial.best_proposal`
        with a pseudo-actor whose utility is the position itself). ``"spe"``: the other
        issues held at the round's SPE settlement (the Nash settlement where the SPE has
        none); the acceptable set is an interval (utilities are concave in each issue),
        found on a grid of ``grid`` points (plus the SPE and Nash positions) and refined by
        bisection; utilities within 1e-7 of a floor count as accepted. Pie issues always use
        ``"spe"``.
    grid : int
        Number of grid points for ``hold="spe"``.

    Returns
    -------
    DataFrame
        Columns ``round, low, high, empty, spe, nash`` (``nash`` NaN when not solved);
        ``attrs["issue"]`` and ``attrs["variable"]`` (what the values measure).

    Raises
    ------
    ValueError
        Unknown issue or ``hold``, or a result without scenario and solution.
    """
    from negsim.models.spatial import SettlementSpace, best_proposal, utilities

    if hold not in {"free", "spe"}:
        raise ValueError(f"hold must be 'free' or 'spe', got {hold!r}")
    issue = issue or default_issue(result)
    a = _headline_arrays(result)
    if issue not in a.positions and issue not in a.pies:
        raise ValueError(f"unknown issue {issue!r}; choose from {', '.join(a.positions + a.pies)}")
    spe = round_rows(result, "spe").set_index("round")
    has_nash = "nash" in result.metadata.get("concepts", [])
    nash = round_rows(result, "nash").set_index("round") if has_nash else None
    actors_tab = actor_rows(result, "spe")
    players = a.players
    N, P, Q = len(a.actors), len(a.positions), len(a.pies)
    pie_q = a.pies.index(issue) if issue in a.pies else None
    members = np.flatnonzero(a.members[:, pie_q]) if pie_q is not None else np.array([], dtype=int)
    k = a.positions.index(issue) if pie_q is None else 0
    hold = "spe" if pie_q is not None else hold

    def terms_of(row: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        x = np.array([row[p] for p in a.positions], dtype=float)
        y = np.zeros((N, Q))
        for q, pie in enumerate(a.pies):
            for i in np.flatnonzero(a.members[:, q]):
                y[i, q] = row[f"{pie}.{a.actors[i]}"]
        return x, y

    def variable(row: pd.Series) -> float:
        if pie_q is None:
            return float(row[issue])
        return float(row[f"{issue}.{a.actors[members[0]]}"])

    records = []
    for t in range(a.rounds):
        row_spe, row_nash = spe.loc[t], (nash.loc[t] if nash is not None else None)
        spe_v = variable(row_spe) if row_spe["deal"] > 0 else np.nan
        nash_v = variable(row_nash) if row_nash is not None else np.nan
        cont = actors_tab[actors_tab["round"] == t].set_index("actor")["continuation"]
        floor = np.maximum(cont.reindex(a.actors).to_numpy(dtype=float), a.reservation[t])
        lo_red = a.red_low[t][players].max(axis=0) if P else np.zeros(0)
        hi_red = a.red_high[t][players].min(axis=0) if P else np.zeros(0)
        if hold == "free":
            bounds = _free_range(
                a, t, k, players, floor, lo_red, hi_red, SettlementSpace, best_proposal
            )
            records.append((t, *bounds, np.isnan(bounds[0]), spe_v, nash_v))
            continue
        base_row = row_spe if row_spe["deal"] > 0 else row_nash
        if base_row is None or np.isnan(terms_of(base_row)[0]).any():
            records.append((t, np.nan, np.nan, True, spe_v, nash_v))
            continue
        x0, y0 = terms_of(base_row)
        space = SettlementSpace(
            a.ideal[t],
            a.salience_position[t],
            a.salience_pie[t],
            a.curvature[t],
            a.members,
            np.zeros(P),
            np.ones(P),
        )

        def accepted(
            v: np.ndarray,
            x0: np.ndarray = x0,
            y0: np.ndarray = y0,
            space: SettlementSpace = space,
            floor: np.ndarray = floor,
            lo: np.ndarray = lo_red,
            hi: np.ndarray = hi_red,
        ) -> np.ndarray:
            v = np.asarray(v, dtype=float)
            x = np.broadcast_to(x0, (*v.shape, P)).copy()
            y = np.broadcast_to(y0, (*v.shape, N, Q)).copy()
            inside = np.ones(v.shape, dtype=bool)
            if pie_q is None:
                x[..., k] = v
                inside = (v >= lo[k] - 1e-12) & (v <= hi[k] + 1e-12)
            else:
                rest = y0[members[1:], pie_q]
                weights = (
                    rest / rest.sum()
                    if rest.sum() > 1e-12
                    else np.full(len(rest), 1 / max(len(rest), 1))
                )
                y[..., members[0], pie_q] = v
                y[..., members[1:], pie_q] = (1 - v)[..., None] * weights
            u = utilities(space, x, y)
            return np.all(u[..., players] >= floor[players] - 1e-7, axis=-1) & inside

        extra = [
            v for v in (spe_v, nash_v) if np.isfinite(v)
        ]  # degenerate ranges are single points
        points = np.unique(np.concatenate([np.linspace(0.0, 1.0, grid), np.clip(extra, 0.0, 1.0)]))
        ok = accepted(points)
        if not ok.any():
            records.append((t, np.nan, np.nan, True, spe_v, nash_v))
            continue
        first, last = np.flatnonzero(ok)[[0, -1]]
        low = _refine(accepted, points[first - 1], points[first]) if first > 0 else 0.0
        high = _refine(accepted, points[last + 1], points[last]) if last < len(points) - 1 else 1.0
        records.append((t, low, high, False, spe_v, nash_v))
    out = pd.DataFrame(records, columns=["round", "low", "high", "empty", "spe", "nash"])
    out.attrs["issue"] = issue
    out.attrs["hold"] = hold
    out.attrs["variable"] = (
        issue_label(result, issue)
        if pie_q is None
        else f"{result.label(a.actors[members[0]])}'s share of {issue_label(result, issue)}"
    )
    return out


def _free_range(
    a: Any,
    t: int,
    k: int,
    players: np.ndarray,
    floor: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    space_cls: Any,
    best_proposal: Any,
) -> tuple[float, float]:
    """Least and greatest x_k over settlements every player accepts (NaN, NaN if none).

    A pseudo-actor with salience 1 on issue k only and ideal point 1 (or 0) has utility
    x_k (or 1 - x_k); its best proposal under the players' floors is the edge of the range.
    """
    if np.any(lo > hi + 1e-9):
        return np.nan, np.nan
    N, P = a.ideal.shape[1], a.ideal.shape[2]
    floors = np.append(np.where(players, floor, np.nan), np.nan)
    floors[~np.isfinite(floors)] = np.nan
    edges = []
    for target in (0.0, 1.0):
        ideal = np.vstack([a.ideal[t], np.full((1, P), target)])
        salience = np.vstack([a.salience_position[t], np.eye(P)[k][None, :]])
        space = space_cls(
            ideal,
            salience,
            np.vstack([a.salience_pie[t], np.zeros((1, a.salience_pie.shape[2]))]),
            np.append(a.curvature[t], 1.0),
            np.vstack([a.members, np.zeros((1, a.members.shape[1]), bool)]),
            lo,
            np.maximum(hi, lo),
        )
        found = best_proposal(space, N, floors)
        if found is None:
            return np.nan, np.nan
        edges.append(float(found.x[k]))
    return edges[0], edges[1]


def _refine(accepted: Any, outside: float, inside: float, steps: int = 40) -> float:
    """Bisection for the edge of an interval between a rejected and an accepted point."""
    for _ in range(steps):
        mid = 0.5 * (outside + inside)
        if accepted(np.array([mid]))[0]:
            inside = mid
        else:
            outside = mid
    return float(inside)
