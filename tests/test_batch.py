"""The batch path (negsim.batch) against the engine, and its parametric LP solver.

Every comparison solves the same points with ``negsim.solve`` (through the sweep's
per-point path) and requires the rows to agree to 1e-9 -- the batch path's contract.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import linprog

import negsim
from negsim import batch as nb
from negsim import sweeps as sw
from negsim.models.parametric_lp import AMBIGUOUS, INFEASIBLE, OPTIMAL, RowParametricLP

FIRST_EDITION = Path(__file__).resolve().parent / "data" / "ukraine_first_edition"  # issue 19

#: Two position issues and a pie, red lines, a reservation utility, a stationary tail.
MIXED = """\
name: mixed
rounds: 4
terminal: stationary
issues:
  border: {}
  trade: {}
  aid: {kind: pie, among: [a, b]}
actors:
  a:
    discount: 0.9
    veto: true
    ideal: {border: 1.0, trade: 0.2}
    salience: {border: 0.5, trade: 0.2, aid: 0.3}
    red_lines: {border: {min: 0.3}}
  b:
    discount: 0.8
    veto: true
    ideal: {border: 0.0, trade: 0.9}
    salience: {border: 0.3, trade: 0.4, aid: 0.2}
    reservation: 0.2
  c:
    discount: 0.85
    ideal: {border: 0.5, trade: 0.5}
    salience: {border: 0.5, trade: 0.5}
protocol:
  proposers: [a, b, c]
  quota: 3
"""


def _rows(scenario, points, outputs="summary"):
    """(batch rows, engine rows) for the same points."""
    sw.clear_prepared()
    batch = sw._evaluate_chunk(scenario, 0, points, outputs, ("spe",))
    engine = pd.concat(
        [sw._evaluate_one(scenario, k, p, outputs, ("spe",)) for k, p in enumerate(points)],
        ignore_index=True,
    )
    return batch, engine.reindex(columns=batch.columns)


def _assert_same(batch: pd.DataFrame, engine: pd.DataFrame) -> None:
    numeric = [c for c in batch.columns if c not in {"concept", "actor", "error"}]
    a, b = batch[numeric].to_numpy(float), engine[numeric].to_numpy(float)
    assert (np.isnan(a) == np.isnan(b)).all()
    assert_allclose(np.nan_to_num(a), np.nan_to_num(b), atol=1e-9, rtol=0)


def _points(scenario, rng, n, cost=0.02):
    actors = list(scenario.actors)
    return [
        {
            f"actors.{actors[0]}.discount": float(rng.uniform(0.6, 0.99)),
            f"actors.{actors[1]}.discount": float(rng.uniform(0.6, 0.99)),
            f"actors.{actors[0]}.war_cost": float(rng.uniform(0.0, cost)),
            f"actors.{actors[-1]}.private_benefit": float(rng.uniform(-cost, cost)),
        }
        for _ in range(n)
    ]


class TestSupported:
    def test_ukraine_and_its_variants_take_the_batch_path(self):
        # the first edition (tests/data): the second edition's private types take the engine
        for path in [
            FIRST_EDITION / "ukraine_2025.yaml",
            *(FIRST_EDITION / "variants").glob("*.yaml"),
        ]:
            ok, why = nb.batch_supported(negsim.load(path))
            name = path.name
            assert ok, (name, why)
            assert "linear programs" in why and "2 regimes" in why

    def test_many_coalitions_are_left_to_the_engine(self):
        actors = {f"m{i}": {"discount": 0.9, "salience": {"pot": 1}} for i in range(12)}
        s = negsim.Scenario.model_validate(
            {
                "name": "big",
                "rounds": 1,
                "issues": {"pot": {"kind": "pie"}},
                "actors": actors,
                "protocol": {"quota": 7},
            }
        )
        ok, why = nb.batch_supported(s)
        assert not ok and why.startswith("more than 64 coalitions")

    def test_a_path_a_regime_changes_in_part_is_not_fast(self):
        s = negsim.load(FIRST_EDITION / "ukraine_2025.yaml").with_changes(
            {"regimes.states.pressure_russia.changes": {"actors.us.discount.value": 0.5}}
        )
        assert not nb.fast_point(s, {"actors.us.discount": 0.9})
        assert nb.fast_point(s, {"actors.russia.discount": 0.9})


class TestAgainstTheEngine:
    @pytest.mark.parametrize("outputs", ["summary", "actors"])
    def test_ukraine(self, outputs):
        s = negsim.load(FIRST_EDITION / "ukraine_2025.yaml")
        points = _points(s, np.random.default_rng(11), 8)
        # a path one regime overrides: the regime's value wins there
        points.append({"actors.russia.war_cost": 0.001, "actors.us.discount": 0.97})
        batch, engine = _rows(s, points, outputs)
        _assert_same(batch, engine)
        assert len(batch) == len(points) * (1 if outputs == "summary" else 36 * 4)

    @pytest.mark.parametrize("name", ["variants/war_as_reward", "variants/us_hard_deadline"])
    def test_variants_with_delay(self, name):
        s = negsim.load(FIRST_EDITION / f"{name}.yaml")
        batch, engine = _rows(s, _points(s, np.random.default_rng(5), 5))
        _assert_same(batch, engine)

    def test_war_as_reward_delays_the_deal(self):
        """The variant where stalling pays: the batch path sees the same month-9 deal."""
        s = negsim.load("variants/war_as_reward")
        batch, _ = _rows(s, [{"actors.us.discount": 0.93}])
        assert batch["agreement_round"].iloc[0] == negsim.solve(s, ["spe"]).agreement_round

    @pytest.mark.parametrize("name", ["textbook/fearon", "textbook/commitment"])
    def test_textbook_position_games(self, name):
        s = negsim.load(name)
        batch, engine = _rows(s, _points(s, np.random.default_rng(2), 10, cost=0.2))
        _assert_same(batch, engine)

    @pytest.mark.parametrize("outputs", ["summary", "actors"])
    def test_pie_and_positions_red_lines_reservation_stationary_tail(self, outputs):
        s = negsim.load_text(MIXED)
        ok, why = nb.batch_supported(s)
        assert ok and "2 position and 1 pie" in why and "terminal stationary" in why
        points = _points(s, np.random.default_rng(4), 10, cost=0.05)
        batch, engine = _rows(s, points, outputs)
        _assert_same(batch, engine)
        prepared = nb.Batch(s)
        sol = nb.solve_points(prepared, *prepared.point_arrays(points))
        assert not sol["engine"].any()

    def test_offers_that_are_not_unique_go_to_the_engine(self):
        """c proposes at its ideal point and does not weigh the pie, which a and b weigh
        equally: every split of it is optimal, even with the tie-break."""
        s = negsim.load_text(MIXED).with_changes({"actors.b.salience.aid": 0.3})
        points = _points(s, np.random.default_rng(4), 4, cost=0.05)
        prepared = nb.Batch(s)
        sol = nb.solve_points(prepared, *prepared.point_arrays(points))
        assert sol["engine"].all()
        _assert_same(*_rows(s, points))

    def test_borderline_feasibility_goes_to_the_engine(self):
        """A reservation utility equal to the best b can get inside a's red line (border
        >= 0.3, so u_b <= 0.7): max lam = 0 exactly, where
        solver tolerances decide feasibility; the batch path hands the point over."""
        s = negsim.load_text(MIXED).with_changes(
            {"actors.b.reservation": 0.7, "actors.b.salience": {"border": 1.0}}
        )
        prepared = nb.Batch(s)
        discount, flow = prepared.point_arrays([{"actors.a.discount": 0.9}])
        sol = nb.solve_points(prepared, discount, flow)
        assert sol["engine"].tolist() == [True]
        batch, engine = _rows(s, [{"actors.a.discount": 0.9}])
        _assert_same(batch, engine)

    def test_bases_are_reused_across_points(self):
        s = negsim.load(FIRST_EDITION / "ukraine_2025.yaml")
        prepared = nb.Batch(s)
        discount, flow = prepared.point_arrays(_points(s, np.random.default_rng(1), 200))
        nb.solve_points(prepared, discount, flow)
        # 72 (round, regime) cells x 2 programs need at least 144 simplex runs
        assert 144 <= prepared.simplex_runs < 200 * 144 / 10
        again = prepared.simplex_runs
        nb.solve_points(prepared, discount, flow)
        assert prepared.simplex_runs == again


class TestRowParametricLP:
    @staticmethod
    def _random_lp(rng, m=6, k=5):
        matrix = rng.normal(size=(m, k))
        cost = rng.normal(size=k)
        return RowParametricLP(cost, matrix, np.zeros(k), np.ones(k))

    def test_matches_linprog_on_random_right_hand_sides(self):
        rng = np.random.default_rng(0)
        for _ in range(5):
            lp = self._random_lp(rng)
            m = lp.matrix.shape[0]
            upper = rng.uniform(-0.5, 1.5, size=(300, m))
            lower = np.full_like(upper, -np.inf)
            sol = lp.solve(lower, upper)
            for p in range(0, 300, 7):
                ref = linprog(lp.cost, A_ub=lp.matrix, b_ub=upper[p], bounds=(0, 1), method="highs")
                if ref.status == 2:
                    assert sol.status[p] == INFEASIBLE
                    assert np.isnan(sol.z[p]).all() and np.isnan(sol.objective[p])
                else:
                    assert sol.status[p] == OPTIMAL
                    assert sol.objective[p] == pytest.approx(ref.fun, abs=1e-9)
                    assert (lp.matrix @ sol.z[p] <= upper[p] + 1e-9).all()
            assert lp.simplex_runs < 300
            assert (sol.status == INFEASIBLE).any() and (sol.status == OPTIMAL).any()

    def test_equality_rows_and_a_free_column(self):
        # max t s.t. x1 + x2 = 1, t <= x1, t <= b - x2 (x in [0, 1], t free)
        lp = RowParametricLP(
            np.array([0.0, 0.0, -1.0]),
            np.array([[1.0, 1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]),
            np.array([0.0, 0.0, -np.inf]),
            np.array([1.0, 1.0, np.inf]),
        )
        b = np.array([0.0, 0.5, 1.0, 2.0])
        lower = np.column_stack([np.ones(4), np.full(4, -np.inf), np.full(4, -np.inf)])
        upper = np.column_stack([np.ones(4), np.zeros(4), b])
        sol = lp.solve(lower, upper)
        # t = min(x1, b - 1 + x1) is largest at x1 = 1: t = min(1, b)
        assert_allclose(-sol.objective, np.minimum(1.0, b), atol=1e-12)
        assert_allclose(sol.z[:, :2], [[1.0, 0.0]] * 4, atol=1e-12)

    def test_a_degenerate_basis_is_not_reused_when_the_solution_must_be_unique(self):
        # max x1 + x2 s.t. x1 + x2 <= b: every split is optimal
        lp = RowParametricLP(
            np.array([-1.0, -1.0]), np.array([[1.0, 1.0]]), np.zeros(2), np.ones(2)
        )
        upper = np.array([[0.5], [0.6], [0.7]])
        sol = lp.solve(np.full((3, 1), -np.inf), upper)
        assert lp.simplex_runs == 3
        assert sol.status.tolist() == [AMBIGUOUS] * 3
        assert_allclose(-sol.objective, [0.5, 0.6, 0.7])
        lp_value = RowParametricLP(lp.cost, lp.matrix, lp.col_lower, lp.col_upper, unique=False)
        assert_allclose(-lp_value.solve(np.full((3, 1), -np.inf), upper).objective, [0.5, 0.6, 0.7])
        assert lp_value.simplex_runs == 1

    def test_pickles_without_its_solver(self):
        import pickle

        lp = RowParametricLP(np.array([-1.0]), np.array([[1.0]]), np.zeros(1), np.ones(1))
        lp.solve(np.full((1, 1), -np.inf), np.array([[0.5]]))
        copy = pickle.loads(pickle.dumps(lp))
        assert copy._highs is None
        assert_allclose(copy.solve(np.full((1, 1), -np.inf), np.array([[0.25]])).z, [[0.25]])


def test_threads_do_not_share_simplex_models():
    """A multi-threaded dask worker runs chunks in threads: each keeps its own batch."""
    from concurrent.futures import ThreadPoolExecutor

    s = negsim.load(FIRST_EDITION / "ukraine_2025.yaml")
    chunks = [_points(s, np.random.default_rng(seed), 40) for seed in (1, 2, 3, 4)]
    alone = [sw._evaluate_chunk(s, 0, c, "summary", ("spe",)) for c in chunks]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(
            pool.map(lambda c: sw._evaluate_chunk(s, 0, c, "summary", ("spe",)), chunks)
        )
    for a, b in zip(alone, together, strict=True):
        _assert_same(b, a)
