"""Every shipped scenario's results pinned to stored values (a refactoring guard).

The pins in ``tests/baseline/pinned_results.npz`` were written once, by the code before
the engine was restructured (issue 14), with ``NEGSIM_WRITE_PINS=1 pytest
tests/test_pinned_results.py``; the pins of the scenarios added on main after that
(``textbook/optimism``, ``optimism_deadline``, ``outside_option``, ``screening``,
``two_level``: worlds, deadlines, outside options, private types, ratifiers) were written
by main's code on the old layout before it was merged into the new one. Each test solves a shipped scenario with every concept and
compares every column of every table (``rounds``, ``actors``, ``proposals``,
``stage_games``, ``agreement``) with the stored one:

* numbers of the SPE (backward induction; closed forms and the exact simplex vertex of
  HiGHS) and of tables without a concept to 1e-12;
* numbers of the axiomatic concepts (Nash, weighted Nash, Kalai-Smorodinsky, compromise:
  solved by a convex solver, SLSQP/HiGHS with 1e-10 stopping tolerances) to 1e-9;
* text columns exactly.

The sweep's batch path (arrays over points) is pinned on one linear-programming scenario
(Ukraine) and one closed-form one (finite Rubinstein), to 1e-12 (the batch path solves the
same linear programs; points it cannot decide go to :func:`negsim.solve`).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import negsim

ROOT = Path(__file__).resolve().parents[1]
PINS = Path(__file__).parent / "baseline" / "pinned_results.npz"
SCENARIOS = sorted(
    str(p.relative_to(ROOT / "scenarios").with_suffix(""))
    for pattern in ("*.yaml", "variants/*.yaml", "textbook/*.yaml")
    for p in (ROOT / "scenarios").glob(pattern)
)
TABLES = ("rounds", "actors", "proposals", "stage_games", "agreement")
WRITE = os.environ.get("NEGSIM_WRITE_PINS") == "1"
SPE_TOL, CONVEX_TOL = 1e-12, 1e-9
SWEEPS = {
    "ukraine_2025": {
        "actors.us.discount": [0.85, 0.95],
        "actors.russia.private_benefit": [0.0, 0.01, 0.02],
    },
    "textbook/rubinstein_finite": {
        "actors.alice.discount": [0.5, 0.8, 0.95],
        "actors.bob.war_cost": [0.0, 0.05],
    },
}


def _columns(prefix: str, frame: pd.DataFrame) -> dict[str, np.ndarray]:
    out = {}
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[f"{prefix}|{column}"] = values.to_numpy(dtype=float)
        else:
            out[f"{prefix}|{column}"] = values.astype(str).to_numpy(dtype=str)
    return out


def _scenario_arrays(name: str) -> dict[str, np.ndarray]:
    result = negsim.solve(negsim.load(name))
    out: dict[str, np.ndarray] = {}
    for table in TABLES:
        out.update(_columns(f"{name}|{table}", getattr(result, table)))
    return out


def _sweep_arrays(name: str) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for outputs in ("summary", "actors"):
        frame = negsim.sweep(
            negsim.load(name),
            grid=SWEEPS[name],
            backend="serial",
            outputs=outputs,
            progress=False,
        )
        out.update(_columns(f"sweep:{name}|{outputs}", frame))
    return out


def _stored() -> dict[str, np.ndarray]:
    with np.load(PINS) as data:
        return {k: data[k] for k in data.files}


def _compare(key: str, mine: dict[str, np.ndarray]) -> None:
    stored = _stored()
    expected = {k: v for k, v in stored.items() if k.startswith(key + "|")}
    assert expected, f"no pins for {key}"
    assert sorted(mine) == sorted(expected), f"{key}: the columns changed"
    for column, want in expected.items():
        got = mine[column]
        assert got.shape == want.shape, column
        if want.dtype.kind in "US":
            assert np.array_equal(got, want), column
            continue
        tol = np.full(want.shape, SPE_TOL)
        concept = mine.get(column.rsplit("|", 1)[0] + "|concept")
        if concept is not None:
            tol[concept != "spe"] = CONVEX_TOL
        both_nan = np.isnan(got) & np.isnan(want)
        err = np.where(both_nan, 0.0, np.abs(got - want))
        bad = ~(err <= tol)
        assert not bad.any(), (
            f"{column}: {int(bad.sum())} values differ, largest {np.nanmax(err)} "
            f"(first at row {int(np.argmax(bad))}: {got[bad][0]} vs {want[bad][0]})"
        )


def test_write_pins() -> None:
    """Writes the pins when NEGSIM_WRITE_PINS=1 (run once, before a refactoring)."""
    if not WRITE:
        pytest.skip("set NEGSIM_WRITE_PINS=1 to rewrite the pins")
    arrays: dict[str, np.ndarray] = {}
    for name in SCENARIOS:
        arrays.update(_scenario_arrays(name))
    for name in SWEEPS:
        arrays.update(_sweep_arrays(name))
    np.savez_compressed(PINS, **arrays)


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_pinned(name: str) -> None:
    if WRITE:
        pytest.skip("writing the pins")
    _compare(name, _scenario_arrays(name))


@pytest.mark.parametrize("name", list(SWEEPS))
def test_sweep_batch_path_pinned(name: str) -> None:
    if WRITE:
        pytest.skip("writing the pins")
    _compare(f"sweep:{name}", _sweep_arrays(name))
