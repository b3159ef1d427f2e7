"""The sweep's private-types route (:mod:`negsim.engine.type_points`): a chunk's
complete-information games on the batch path, then the screening recursion per point.

Every row is held against ``negsim.solve`` of the point's scenario (``ex_ante=False``),
read here from the Result's own tables -- ``deal_probability`` (type ``all``),
``metadata['screening']['expected_payoffs']``, ``actors``, ``rounds`` -- not through the
sweep's row code; the screening grid includes the closed-form points of
``scenarios/textbook/screening.yaml`` (Fudenberg & Tirole 1991, sec. 10.2; checked against
the closed form in ``tests/test_screening.py``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim import sweeps
from negsim.engine.bellman import proposer_choice
from negsim.engine.type_offers import WarmChoice
from negsim.engine.type_points import TypeBatch

UKRAINE = {"actors.us.discount": [0.85, 0.99], "actors.russia.discount": [0.95, 0.995]}
SCREENING = {"actors.a.discount": [0.5, 0.95, 1.0], "actors.b.discount": [0.3, 0.5]}


def _expected(scenario: negsim.Scenario, point: dict[str, float]) -> dict[str, float]:
    """The summary row of ``point`` from ``negsim.solve``'s tables."""
    result = negsim.solve(scenario.with_changes(point), ["spe"], ex_ante=False)
    deals = result.deal_probability
    p = deals[deals["type"] == "all"].sort_values("round")["probability"].to_numpy(float)
    T = len(p)
    cumulative = np.cumsum(p)
    reached = np.flatnonzero(cumulative >= 0.5 - 1e-9)
    row = {
        "agreement_round": float(reached[0]) if len(reached) else math.nan,
        "agreement_probability": float(cumulative[-1]),
        "expected_agreement_round": float(sum(t * p[t] for t in range(T)) + T * (1 - p.sum())),
        "war_probability": max(0.0, float(1 - p.sum())),
        "deal_now": float(p[0]),
    }
    for actor, value in result.metadata["screening"]["expected_payoffs"].items():
        row[f"payoff.{actor}"] = value
    headline = result.metadata["regimes"][0]
    a = result.actors
    first = a[(a["concept"] == "spe") & (a["round"] == 0) & (a["regime"] == headline)]
    for r in first.itertuples():
        row[f"threat.{r.actor}"] = r.threat_point
        row[f"delay.{r.actor}"] = r.delay_incentive
    rounds = result.rounds[(result.rounds["concept"] == "spe")]
    ripe = rounds[(rounds["regime"] == headline) & rounds["ripe"]]["round"]
    row["ripe_round"] = float(ripe.min()) if len(ripe) else math.nan
    for issue, value in result.terms("spe").items():
        row[f"terms.{issue}"] = value
    return row


def _sweep(scenario: negsim.Scenario, grid: dict[str, list[float]], **kw: object) -> pd.DataFrame:
    return sweeps.sweep(scenario, grid=grid, backend="serial", progress=False, **kw)


def _check_rows(scenario: negsim.Scenario, grid: dict[str, list[float]]) -> pd.DataFrame:
    df = _sweep(scenario, grid)
    assert df["error"].isna().all()
    for _, row in df.iterrows():
        point = {path: float(row[path]) for path in grid}
        expected = _expected(scenario, point)
        terms = [c for c in df.columns if c.startswith("terms.")]
        for column in [*expected, *terms]:
            want, got = expected.get(column, math.nan), row[column]
            assert (math.isnan(want) and math.isnan(got)) or abs(want - got) <= 1e-9, (
                point,
                column,
                want,
                got,
            )
    return df


@pytest.fixture
def no_solve(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """``negsim.solve`` as the sweep calls it, recording the points it is called for."""
    calls: list[dict[str, object]] = []
    original = sweeps._solve

    def spy(scenario, concepts, ex_ante=True):  # noqa: ANN001, ANN202
        calls.append(scenario)
        return original(scenario, concepts, ex_ante=ex_ante)

    monkeypatch.setattr(sweeps, "_solve", spy)
    return calls


def test_ukraine_rows_equal_solve(no_solve: list[object]) -> None:
    scenario = negsim.load("ukraine_2025")
    assert TypeBatch(scenario).supported[0]
    df = _check_rows(scenario, UKRAINE)
    assert len(df) == 4
    # the rows came from the route: negsim.solve was called only by the checks above
    assert len(no_solve) == 0


def test_screening_rows_equal_solve(no_solve: list[object]) -> None:
    scenario = negsim.load("textbook/screening")
    df = _check_rows(scenario, SCREENING)
    assert len(df) == 6 and len(no_solve) == 0
    # A screens at its base patience: the pragmatic type (prior 0.6) settles at round 0,
    # the resolute one at round 1
    at = df[(df["actors.a.discount"] == 1.0) & (df["actors.b.discount"] == 0.5)].iloc[0]
    assert at["deal_now"] == pytest.approx(0.6, abs=1e-12)
    assert at["expected_agreement_round"] == pytest.approx(0.4, abs=1e-12)


def test_the_route_is_taken(no_solve: list[object]) -> None:
    """The fast points never reach negsim.solve (they all did before the route)."""
    _sweep(negsim.load("textbook/screening"), SCREENING)
    assert no_solve == []


def test_points_the_route_cannot_take_go_per_point(no_solve: list[object]) -> None:
    """A non-fast field (an ideal point; a war cost that is not a number) goes to
    negsim.solve, the fast points of the same chunk do not, and every row is right."""
    scenario = negsim.load("textbook/screening")
    points = [
        {"actors.a.discount": 0.95},
        {"actors.a.ideal.territory": 0.9},
        {"actors.a.discount": 0.5, "actors.b.war_cost": {"kind": "constant", "value": 0.0}},
    ]
    df = sweeps.evaluate_points(scenario, points, backend="serial", progress=False)
    assert len(no_solve) == 2
    assert df["error"].isna().all()
    for point, (_, row) in zip(points, df.iterrows(), strict=True):
        for column, want in _expected(scenario, point).items():
            got = row[column]
            assert (math.isnan(want) and math.isnan(got)) or abs(want - got) <= 1e-9


def test_invalid_points_get_the_same_error_as_per_point() -> None:
    scenario = negsim.load("textbook/screening")
    df = _sweep(scenario, {"actors.a.discount": [0.9, 1.5]})
    assert df["error"].isna().tolist() == [True, False]
    assert "discount" in df["error"].iloc[1]


def test_a_type_with_changes_the_route_cannot_take_leaves_it_to_solve(
    no_solve: list[object],
) -> None:
    scenario = negsim.load("textbook/screening")
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["types"]["b"]["pragmatic"]["changes"] = {
        "actors.b.war_cost": {"kind": "linear", "start": 0.1, "slope": 0.0}
    }
    changed = negsim.Scenario.model_validate(data)
    fine, why = TypeBatch(changed).supported
    assert not fine and "pragmatic" in why
    _sweep(changed, {"actors.a.discount": [0.9, 0.95]})
    assert len(no_solve) == 2


def test_actor_rows_equal_per_point(monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = negsim.load("textbook/screening")
    fast = _sweep(scenario, SCREENING, outputs="actors")
    monkeypatch.setattr(
        sweeps,
        "_evaluate_types",
        lambda s, start, points, outputs: (pd.DataFrame(), list(range(len(points)))),
    )
    slow = _sweep(scenario, SCREENING, outputs="actors")
    pd.testing.assert_frame_equal(fast, slow, check_exact=False, atol=1e-9, rtol=0)


def test_warm_choice_equals_proposer_choice() -> None:
    """Every question ukraine_2025's screening recursion asks, answered by WarmChoice (one
    set of warm HiGHS models throughout) as by the engine's proposer_choice."""
    questions = []

    def record(a, t, proposer, continuation, probability=1.0):  # noqa: ANN001, ANN202
        questions.append((a, t, proposer, continuation.copy(), probability))
        return proposer_choice(a, t, proposer, continuation, probability)

    batch = TypeBatch(negsim.load("ukraine_2025"))
    batch.choice = record  # type: ignore[assignment]
    batch.solve([{"actors.russia.discount": 0.97}])
    assert len(questions) > 50
    warm = WarmChoice()
    settled = 0
    for a, t, j, continuation, probability in questions:
        want, got = (
            proposer_choice(a, t, j, continuation, probability),
            warm(a, t, j, continuation, probability),
        )
        assert got.coalition == want.coalition and got.deal == want.deal
        assert got.reason == want.reason and got.probability == want.probability
        np.testing.assert_allclose(got.floors, want.floors, atol=1e-12)
        assert (got.settlement is None) == (want.settlement is None)
        if want.settlement is not None:
            settled += 1
            for field in dataclasses.fields(want.settlement):
                np.testing.assert_allclose(
                    getattr(got.settlement, field.name),
                    getattr(want.settlement, field.name),
                    atol=1e-9,
                    rtol=0,
                )
    # both ways of answering were used: HiGHS runs and kept bases
    assert settled > 10 and warm.offers.runs > 10 and warm.offers.reused > 10


def test_types_with_tied_ranks_go_per_point(no_solve: list[object]) -> None:
    """Two types of equal complete-information value: their order is the per-point
    ranks' to decide, so the point goes to negsim.solve."""
    scenario = negsim.load("textbook/screening")
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["types"]["b"]["pragmatic"]["changes"] = {"actors.b.war_cost": 0.0}
    tied = negsim.Scenario.model_validate(data)
    df = _sweep(tied, {"actors.a.discount": [0.9]})
    assert len(no_solve) == 1 and df["error"].isna().all()


def test_a_points_rows_do_not_depend_on_the_points_solved_before_it() -> None:
    """Issue 13 item 9 for this route: each point solved alone on a fresh batch, in reverse
    order, equals the same point solved in one chunk after the others, bit for bit (the
    kept bases only find the vertex; its values come from its canonical basis)."""
    scenario = negsim.load("ukraine_2025")
    points = [
        {"actors.us.discount": u, "actors.russia.discount": r}
        for u in (0.85, 0.93, 0.99)
        for r in (0.95, 0.98, 0.995)
    ]
    together = TypeBatch(scenario).solve(points)
    assert together.positions == list(range(len(points)))
    for p in reversed(range(len(points))):
        alone = TypeBatch(scenario).solve([points[p]])
        assert alone.positions == [0]
        for key, value in together.base.items():
            assert np.array_equal(value[p], alone.base[key][0], equal_nan=True), key
        a, b = together.screenings[p], alone.screenings[0]
        assert np.array_equal(a.value, b.value) and np.array_equal(a.war, b.war)
        assert a.types == b.types


def test_vertex_gives_solve_s_values_and_refuses_a_non_unique_optimum() -> None:
    """RowParametricLP.vertex from the active set of a solution equals solve's answer bit
    for bit; for a face of optima (max x1 + x2 on x1 + x2 <= 1) it answers None."""
    from negsim.models.parametric_lp import RowParametricLP

    lp = RowParametricLP(np.array([-1.0, -2.0]), np.array([[1.0, 1.0]]), np.zeros(2), np.ones(2))
    for b in (0.5, 1.5, 3.0):
        lower, upper = np.array([-np.inf]), np.array([b])
        z = lp.solve(lower[None], upper[None]).z[0]
        active = np.concatenate(
            [z <= 1e-9, z >= 1 - 1e-9, lp.matrix @ z <= lower + 1e-9, lp.matrix @ z >= b - 1e-9]
        )
        assert np.array_equal(lp.vertex(active, lower, upper), z)
    flat = RowParametricLP(np.array([-1.0, -1.0]), np.array([[1.0, 1.0]]), np.zeros(2), np.ones(2))
    # the vertex (1, 0) of the face x1 + x2 = 1: optimal, not unique
    active = np.array([False, True, True, False, False, True])
    assert flat.vertex(active, np.array([-np.inf]), np.array([1.0])) is None
