"""The private-types solve reuses the complete-information solve it is attached to (issue 20).

A type whose changes leave every number of the scenario as it is (``pragmatic`` in
ukraine_2025, which has no changes; or a change that restates the base value) is the game
:func:`negsim.solve` has just solved: :func:`negsim.engine.screening.solve_types` takes its
state space and its SPE ranking value from that solution instead of solving it again. These
tests count the complete-information backward inductions (no timings) and check that the
screening equilibrium is the same, bit for bit, with and without the reuse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import negsim
from negsim.engine import bellman, screening
from negsim.engine import solve as engine_solve
from negsim.engine.screening import solve_types
from negsim.engine.solve import solve_scenario


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every complete-information backward induction, wherever it is called from."""
    calls = [0]
    original: Callable[..., Any] = bellman.backward_induction

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return original(*args, **kwargs)

    for module in (engine_solve, screening):
        monkeypatch.setattr(module, "backward_induction", counted, raising=False)
    return calls


def _restating() -> negsim.Scenario:
    """ukraine_2025 whose low type restates Russia's base private benefit (0.006)."""
    base = negsim.load("ukraine_2025")
    types = {
        "low": {"prior": 0.3, "changes": {"actors.russia.private_benefit": 0.006}},
        "mid": {"prior": 0.3, "changes": {"actors.russia.private_benefit": 0.010}},
        "high": {"prior": 0.4, "changes": {"actors.russia.private_benefit": 0.015}},
    }
    return base.with_changes({"claims": {}, "types": {"russia": types}})


@pytest.mark.parametrize(("scenario", "types"), [("shipped", 2), ("restating", 3)])
def test_types_solve_does_not_solve_the_base_game_again(
    monkeypatch: pytest.MonkeyPatch, scenario: str, types: int
) -> None:
    """M types, one of them the base game: M backward inductions in all (the main solve
    and one per other type), not M + 1."""
    s = negsim.load("ukraine_2025") if scenario == "shipped" else _restating()
    assert len(s.types["russia"]) == types
    calls = _counting(monkeypatch)
    negsim.solve(s, ["spe"], ex_ante=False)
    assert calls[0] == types


def test_without_a_base_every_type_is_solved(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    solve_types(negsim.load("ukraine_2025"))
    assert calls[0] == 2


@pytest.mark.parametrize("scenario", ["shipped", "restating"])
def test_reuse_gives_the_same_equilibrium_bit_for_bit(scenario: str) -> None:
    s = negsim.load("ukraine_2025") if scenario == "shipped" else _restating()
    alone = solve_types(s)
    reused = solve_types(s, solve_scenario(s, ("spe",)))
    assert reused.types == alone.types
    for name in ("prior", "value", "continuation", "war"):
        assert np.array_equal(getattr(reused, name), getattr(alone, name)), name
    assert reused.branches.keys() == alone.branches.keys()
    assert reused.residual == alone.residual
