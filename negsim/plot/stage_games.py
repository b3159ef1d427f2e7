"""Stage games: payoff matrices with their equilibria, and the equilibria over rounds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from negsim.plot.style import new_axes

if TYPE_CHECKING:
    from negsim.result import Result

__all__ = ["payoff_matrix", "stage_game"]


# -- stage games ---------------------------------------------------------------------------
def payoff_matrix(
    A: np.ndarray,
    B: np.ndarray,
    row_strategies: Sequence[str],
    col_strategies: Sequence[str],
    equilibria: Iterable[Any] | None = None,
    ax: Axes | None = None,
    row_player: str = "Row",
    col_player: str = "Column",
    title: str | None = None,
) -> Axes:
    """A bimatrix game as an annotated heatmap (cells ``"a, b"``), equilibria marked.

    Parameters
    ----------
    A, B : ndarray, shape (m, n)
        Row and column player's payoffs.
    row_strategies, col_strategies : sequence of str
        Strategy names (length m and n).
    equilibria : iterable, optional
        Objects with ``row_strategy`` and ``col_strategy`` (probability vectors or dicts
        strategy -> probability), e.g. ``negsim.models.normal_form.solve(A, B).equilibria``.
        Pure equilibria are boxed; mixed ones are listed under the matrix with their
        probabilities and their support outlined dashed.
    ax : Axes, optional
    row_player, col_player : str
        Player labels for the axes.
    title : str, optional

    Returns
    -------
    Axes
        Boxes of pure equilibria have ``gid="pure"``, support outlines of mixed ones
        ``gid="mixed"``, their captions ``gid="mixed-label"``.
    """
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if A.shape != B.shape or A.ndim != 2 or A.shape != (len(row_strategies), len(col_strategies)):
        raise ValueError(
            f"payoff shapes {A.shape} and {B.shape} do not match {len(row_strategies)} x {len(col_strategies)} strategies"
        )
    m, n = A.shape
    ax = new_axes(ax, (1.8 * n + 3.5, 1.1 * m + 2.5))
    image = ax.imshow(A, cmap="Blues", aspect="auto", alpha=0.7)
    span = max(float(np.ptp(A)), 1e-12)
    for i in range(m):
        for j in range(n):
            dark = (A[i, j] - A.min()) / span > 0.7
            ax.text(
                j,
                i,
                f"{_num(A[i, j])}, {_num(B[i, j])}",
                ha="center",
                va="center",
                fontsize="large",
                color="white" if dark else "black",
            )
    ax.set_xticks(range(n), [s.replace("_", " ") for s in col_strategies])
    ax.set_yticks(range(m), [s.replace("_", " ") for s in row_strategies])
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("top")
    ax.set_xlabel(f"{col_player} (column player; second payoff)")
    ax.set_ylabel(f"{row_player} (row player; first payoff)")
    ax.set_title(title or "Stage game", pad=12)
    ax.figure.colorbar(image, ax=ax, label=f"{row_player}'s payoff (cell colour)", shrink=0.8)
    mixed = []
    for eq in equilibria or []:
        p = _strategy(
            eq.row_strategy if hasattr(eq, "row_strategy") else eq["row_strategy"], row_strategies
        )
        q = _strategy(
            eq.col_strategy if hasattr(eq, "col_strategy") else eq["col_strategy"], col_strategies
        )
        if np.isclose(p.max(), 1.0) and np.isclose(q.max(), 1.0):
            i, j = int(p.argmax()), int(q.argmax())
            ax.add_patch(
                Rectangle(
                    (j - 0.47, i - 0.47), 0.94, 0.94, fill=False, lw=3, ec="#D55E00", gid="pure"
                )
            )
        else:
            mixed.append((p, q))
    lines = []
    for k, (p, q) in enumerate(mixed):
        rows, cols = np.flatnonzero(p > 1e-9), np.flatnonzero(q > 1e-9)
        ax.add_patch(
            Rectangle(
                (cols.min() - 0.5, rows.min() - 0.5),
                cols.max() - cols.min() + 1,
                rows.max() - rows.min() + 1,
                fill=False,
                lw=2,
                ls="--",
                ec="#CC79A7",
                gid="mixed",
            )
        )
        lines.append(
            f"Mixed equilibrium {k + 1}: {row_player} "
            + ", ".join(f"{row_strategies[int(i)].replace('_', ' ')} {p[i]:.2f}" for i in rows)
            + f"; {col_player} "
            + ", ".join(f"{col_strategies[int(j)].replace('_', ' ')} {q[j]:.2f}" for j in cols)
        )
    note = (
        "Orange box: pure Nash equilibrium."
        if len(mixed) < len(list(equilibria or [])) or not mixed
        else ""
    )
    text = "\n".join([*([note] if note and equilibria is not None else []), *lines])
    if text:
        ax.text(
            0.0,
            -0.04,
            text,
            transform=ax.transAxes,
            va="top",
            ha="left",
            fontsize="small",
            gid="mixed-label",
        )
    return ax


def _strategy(value: Any, names: Sequence[str]) -> np.ndarray:
    if isinstance(value, str):
        value = json.loads(value)
    if isinstance(value, dict):
        return np.array([float(value.get(s, 0.0)) for s in names])
    return np.asarray(value, dtype=float)


def _num(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.2f}"


def stage_game(
    result: Result, game: str | None = None, round: int = 0, ax: Axes | None = None
) -> Axes:
    """A scenario's stage game at one round, with the equilibria recorded in ``result.stage_games``.

    Parameters
    ----------
    result : Result
        Needs ``result.scenario`` (the payoff matrices).
    game : str, optional
        Stage game name (default: the first).
    round : int
    ax : Axes, optional

    Returns
    -------
    Axes
        As :func:`payoff_matrix`.
    """
    from negsim.engine.stage_games import payoff_matrices

    s = result.scenario
    if s is None:
        raise ValueError(
            "the stage game plot needs the scenario's payoff matrices; solve the scenario again"
        )
    if not s.stage_games:
        raise ValueError(f"scenario {s.name!r} has no stage games")
    game = game or next(iter(s.stage_games))
    if game not in s.stage_games:
        raise ValueError(f"no stage game {game!r}; choose from {', '.join(s.stage_games)}")
    spec = s.stage_games[game]
    A, B = payoff_matrices(s, spec)
    table = result.stage_games
    eqs = table[(table["game"] == game) & (table["round"] == round)].to_dict("records")
    return payoff_matrix(
        A[round],
        B[round],
        spec.row_strategies,
        spec.col_strategies,
        eqs,
        ax=ax,
        row_player=result.label(spec.row),
        col_player=result.label(spec.col),
        title=f"{spec.label or game} ({result.round_label(round)})",
    )
