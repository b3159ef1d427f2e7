"""Stage games of a scenario solved every round with :mod:`negsim.models.normal_form`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from negsim.scenario import Scenario, StageGame

__all__ = ["payoff_matrices", "stage_game_table"]

COLUMNS = [
    "round",
    "game",
    "equilibrium",
    "row_strategy",
    "col_strategy",
    "row_payoff",
    "col_payoff",
    "method",
]


def payoff_matrices(scenario: Scenario, game: StageGame) -> tuple[np.ndarray, np.ndarray]:
    """Row and column payoffs over rounds, each of shape (T, rows, cols)."""

    def matrix(cells: list[list]) -> np.ndarray:  # type: ignore[type-arg]
        return np.stack(
            [np.stack([scenario.series(c) for c in row], axis=-1) for row in cells], axis=-2
        )

    return matrix(game.row_payoffs), matrix(game.col_payoffs)


def stage_game_table(scenario: Scenario) -> pd.DataFrame:
    """Every equilibrium of every stage game in every round (games whose payoffs do not
    change are solved once and repeated)."""
    from negsim.models import normal_form

    rows: list[tuple[object, ...]] = []
    for name, game in scenario.stage_games.items():
        A, B = payoff_matrices(scenario, game)
        cache: dict[bytes, list[tuple[object, ...]]] = {}  # each game's rows, but the round
        for t in range(scenario.rounds):
            key = A[t].tobytes() + B[t].tobytes()
            if key not in cache:
                found = normal_form.solve(A[t], B[t], method=game.method).equilibria
                cache[key] = [
                    (
                        name,
                        e,
                        _strategy_json(game.row_strategies, eq.row_strategy),
                        _strategy_json(game.col_strategies, eq.col_strategy),
                        float(eq.row_payoff),
                        float(eq.col_payoff),
                        game.method,
                    )
                    for e, eq in enumerate(found)
                ]
            rows.extend((t, *row) for row in cache[key])
    return pd.DataFrame(rows, columns=COLUMNS)


def _strategy_json(names: list[str], probabilities: np.ndarray) -> str:
    """A mixed strategy as JSON text: ``{"strategy": probability, ...}``."""
    return json.dumps(dict(zip(names, np.round(probabilities, 12).tolist(), strict=True)))
