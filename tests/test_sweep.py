"""Sweeps: points, the batch path against the engine, errors, seeding, checkpoints, plots."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import negsim
from negsim import plot_sweep
from negsim import sweeps as sw
from negsim.errors import NegsimError, ScenarioError
from negsim.models import rubinstein_share
from negsim.sampling import parse_grid_spec, point_rng
from negsim.sensitivity import sobol_indices, tornado_table

SERIAL = {"backend": "serial", "progress": False}

#: Three actors, a veto player, a quota of 2, scheduled costs, a deadline and a horizon.
COALITION = """\
name: coalition
rounds: 8
terminal: war
issues:
  pot: {kind: pie, among: [a, b, c]}
actors:
  a: {discount: 0.9, veto: true, salience: {pot: 2}, war_cost: {kind: linear, start: 0.01, slope: 0.002}}
  b: {discount: 0.85, salience: {pot: 1}, private_benefit: 0.01, deadlines: [{round: 3, penalty: 0.05}]}
  c: {discount: 0.8, salience: {pot: 1}, horizon: {rounds: 4, weight_after: 0.5}}
protocol:
  proposers: [b, a, c]
  quota: 2
"""


def _engine_rows(scenario, points, outputs="summary"):
    frames = [sw._evaluate_one(scenario, k, p, outputs, ("spe",)) for k, p in enumerate(points)]
    return pd.concat(frames, ignore_index=True)


def _assert_same(batch: pd.DataFrame, engine: pd.DataFrame) -> None:
    engine = engine.reindex(columns=batch.columns)
    numeric = [c for c in batch.columns if c not in {"concept", "actor", "error"}]
    a, b = batch[numeric].to_numpy(float), engine[numeric].to_numpy(float)
    assert (np.isnan(a) == np.isnan(b)).all()
    assert_allclose(np.nan_to_num(a), np.nan_to_num(b), atol=1e-9, rtol=0)
    text = lambda column: [e if isinstance(e, str) else "" for e in column]  # noqa: E731
    assert text(batch["error"]) == text(engine["error"])


def _random_points(scenario, rng, n, low=0.3, high=0.99, cost=0.05):
    actors = list(scenario.actors)
    points = []
    for _ in range(n):
        point = {f"actors.{a}.discount": float(rng.uniform(low, high)) for a in actors}
        point[f"actors.{actors[0]}.war_cost"] = float(rng.uniform(0, cost))
        point[f"actors.{actors[-1]}.private_benefit"] = float(rng.uniform(-cost, cost))
        points.append(point)
    return points


class TestPoints:
    def test_grid_is_cartesian_last_fastest(self):
        s = negsim.load("textbook/ultimatum")
        df = sw.sweep(
            s,
            grid={
                "actors.proposer.discount": [0.5, 0.6],
                "actors.responder.discount": [0.7, 0.8, 0.9],
            },
            **SERIAL,
        )
        assert len(df) == 6
        assert df["point"].tolist() == list(range(6))
        assert df["actors.proposer.discount"].tolist() == [0.5] * 3 + [0.6] * 3
        assert df["actors.responder.discount"].tolist() == [0.7, 0.8, 0.9] * 2
        assert list(df.columns[:3]) == [
            "point",
            "actors.proposer.discount",
            "actors.responder.discount",
        ]
        assert df.columns[-1] == "error"

    def test_parse_grid_spec(self):
        assert parse_grid_spec("a.b=0:1:5") == ("a.b", [0.0, 0.25, 0.5, 0.75, 1.0])
        assert parse_grid_spec("rounds=3, 4") == ("rounds", [3, 4])
        for bad in ("a.b", "a.b=", "a.b=1:2", "a.b=0:1:0", "a.b=x,1", "=1,2"):
            with pytest.raises(NegsimError, match="bad grid spec"):
                parse_grid_spec(bad)

    def test_unknown_path_raises_before_solving(self):
        s = negsim.load("textbook/rubinstein")
        with pytest.raises(ScenarioError, match="did you mean 'discount'"):
            sw.sweep(s, grid={"actors.alice.discont": [0.9]}, **SERIAL)

    def test_invalid_values_become_error_rows(self):
        s = negsim.load("textbook/rubinstein_finite")
        df = sw.sweep(
            s, grid={"actors.alice.discount": [0.9, 1.5, 0.0], "protocol.quota": [1, 5]}, **SERIAL
        )
        assert len(df) == 6
        errors = df.set_index(["actors.alice.discount", "protocol.quota"])["error"]
        assert pd.isna(errors[(0.9, 1)])
        assert "actors.alice.discount: expected a value in (0, 1], found 1.5" in errors[(1.5, 1)]
        assert "quota 5 exceeds the 2 actors" in errors[(0.9, 5)]
        assert df.loc[df["error"].notna(), "payoff.alice"].isna().all()

    def test_samples_use_one_generator_per_point(self):
        s = negsim.load("variants/uncertain_patience")
        # draws only; solving is not needed to check the seeding
        frame, points = sw._point_table(s, None, 5, 11)
        for k in (0, 4):
            rng = point_rng(11, k)
            expected = [negsim.sampling.draw(d, rng) for d in s.uncertainty.values()]
            assert list(points[k].values()) == expected
        again = sw._point_table(s, None, 5, 11)[0]
        pd.testing.assert_frame_equal(frame, again)
        assert not frame.equals(sw._point_table(s, None, 5, 12)[0])
        # seed defaults to the scenario's seed
        pd.testing.assert_frame_equal(
            sw._point_table(s, None, 5, None)[0], sw._point_table(s, None, 5, s.seed)[0]
        )

    def test_distributions_respect_their_bounds(self):
        s = negsim.load("variants/uncertain_patience")
        frame = sw._point_table(s, None, 400, 3)[0]
        russia = frame["actors.russia.discount"]
        assert russia.between(0.95, 0.999).all()
        assert frame["actors.ukraine.discount"].between(0.93, 0.995).all()
        assert_allclose(frame["actors.ukraine.discount"].mean(), 0.97, atol=0.003)
        # Beta(8, 2) scaled to [0.95, 0.999] has mean 0.95 + 0.049 * 0.8
        assert_allclose(russia.mean(), 0.95 + 0.049 * 0.8, atol=0.002)

    def test_grid_times_samples_shares_draws(self):
        s = negsim.load("variants/uncertain_patience")
        frame = sw._point_table(s, {"actors.us.discount": [0.9, 0.95]}, 3, 1)[0]
        assert len(frame) == 6
        assert frame["sample"].tolist() == [0, 1, 2, 0, 1, 2]
        europe = frame["actors.europe.war_cost"].to_numpy()
        assert_allclose(europe[:3], europe[3:])  # common random numbers
        assert frame["actors.us.discount"].tolist() == [0.9] * 3 + [0.95] * 3  # grid wins

    def test_samples_without_uncertainty_is_an_error(self):
        with pytest.raises(NegsimError, match="no 'uncertainty:' section"):
            sw.sweep(negsim.load("textbook/rubinstein"), samples=3, **SERIAL)


class TestBatchPath:
    @pytest.mark.parametrize(
        "name",
        [
            "textbook/rubinstein",
            "textbook/rubinstein_finite",
            "textbook/ultimatum",
            "textbook/baron_ferejohn",
        ],
    )
    def test_supported(self, name):
        ok, why = sw.batch_supported(negsim.load(name))
        assert ok, why

    def test_not_supported(self):
        curved = negsim.load("textbook/fearon").with_changes({"actors.a.curvature": 2.0})
        assert sw.batch_supported(curved) == (
            False,
            "non-linear utilities (curvature other than 1) need the engine",
        )

    @pytest.mark.parametrize(
        "name", ["textbook/rubinstein", "textbook/rubinstein_finite", "textbook/ultimatum"]
    )
    @pytest.mark.parametrize("outputs", ["summary", "actors"])
    def test_two_player_games_equal_engine(self, name, outputs):
        s = negsim.load(name)
        points = _random_points(s, np.random.default_rng(7), 12)
        batch = sw._evaluate_chunk(s, 0, points, outputs, ("spe",))
        _assert_same(batch, _engine_rows(s, points, outputs))

    @pytest.mark.parametrize("outputs", ["summary", "actors"])
    def test_coalition_veto_quota_schedules_equal_engine(self, outputs):
        s = negsim.load_text(COALITION)
        assert sw.batch_supported(s)[0]
        points = _random_points(s, np.random.default_rng(3), 12, cost=0.2)
        batch = sw._evaluate_chunk(s, 0, points, outputs, ("spe",))
        _assert_same(batch, _engine_rows(s, points, outputs))
        assert batch["agreement_round"].notna().any() if outputs == "summary" else True

    def test_baron_ferejohn_recognition_and_tail_equal_engine(self):
        s = negsim.load("textbook/baron_ferejohn")
        rng = np.random.default_rng(5)
        points = [
            {f"actors.m{i}.discount": d for i in range(1, 6)} for d in rng.uniform(0.2, 0.97, 6)
        ]
        points.append({f"actors.m{i}.discount": 1.0 for i in range(1, 6)})  # tail undefined
        uneven = s.with_changes(
            {"protocol.recognition": {"m1": 0.4, "m2": 0.3, "m3": 0.1, "m4": 0.1, "m5": 0.1}}
        )
        for scenario in (s, uneven):
            batch = sw._evaluate_chunk(scenario, 0, points, "summary", ("spe",))
            _assert_same(batch, _engine_rows(scenario, points))
        assert "a discount factor of 1" in batch["error"].iloc[-1]

    def test_rubinstein_closed_form(self):
        """Rubinstein (1982): the first proposer gets (1 - d2) / (1 - d1 d2)."""
        s = negsim.load("textbook/rubinstein")
        d1 = np.array([0.5, 0.8, 0.95])
        df = sw.sweep(s, grid={"actors.alice.discount": d1, "actors.bob.discount": [0.9]}, **SERIAL)
        assert_allclose(df["payoff.alice"], rubinstein_share(d1, 0.9), atol=1e-9)
        assert (df["agreement_round"] == 0).all()

    def test_other_paths_fall_back_to_the_engine(self):
        s = negsim.load("textbook/rubinstein_finite")
        points = [
            {"rounds": 3},
            {"actors.alice.discount": 0.7},
            {"rounds": 4, "actors.bob.discount": 0.6},
        ]
        batch = sw._evaluate_chunk(s, 0, points, "summary", ("spe",))
        _assert_same(batch, _engine_rows(s, points))

    def test_unsupported_scenario_uses_the_engine(self):
        s = negsim.load("textbook/fearon")
        df = sw.sweep(s, grid={"actors.a.war_cost": [0.1, 0.2]}, **SERIAL)
        direct = negsim.solve(s.with_changes({"actors.a.war_cost": 0.2}), ["spe"])
        assert_allclose(df["terms.territory"].iloc[1], direct.terms()["territory"], atol=1e-12)

    def test_other_concepts_add_columns(self):
        s = negsim.load("textbook/rubinstein_finite")
        df = sw.sweep(s, grid={"actors.alice.discount": [0.9]}, concepts=("spe", "nash"), **SERIAL)
        assert {"nash.payoff.alice", "nash.payoff.bob"} <= set(df.columns)
        assert df["nash.payoff.alice"].iloc[0] > 0


class TestExecution:
    GRID = {"actors.alice.discount": np.linspace(0.5, 0.95, 5), "actors.bob.discount": [0.6, 0.9]}

    def test_chunk_size_does_not_matter(self):
        s = negsim.load("textbook/rubinstein_finite")
        grid = {**self.GRID, "rounds": [3, 10]}  # rounds forces the engine on half the points
        whole = sw.sweep(s, grid=grid, chunk_size=100, **SERIAL)
        for size in (1, 3, 7):
            pd.testing.assert_frame_equal(whole, sw.sweep(s, grid=grid, chunk_size=size, **SERIAL))

    def test_local_processes_equal_serial(self):
        s = negsim.load("textbook/rubinstein_finite")
        serial = sw.sweep(s, grid=self.GRID, **SERIAL)
        local = sw.sweep(
            s, grid=self.GRID, backend="local", workers=2, chunk_size=3, progress=False
        )
        pd.testing.assert_frame_equal(serial, local)

    def test_actors_output(self):
        s = negsim.load("textbook/rubinstein_finite")
        df = sw.sweep(s, grid={"actors.alice.discount": [0.6, 0.9]}, outputs="actors", **SERIAL)
        assert len(df) == 2 * 10 * 2
        direct = negsim.solve(s.with_changes({"actors.alice.discount": 0.9}), ["spe"]).actors
        mine = df[df["actors.alice.discount"] == 0.9]
        assert_allclose(
            mine["payoff"].to_numpy(float), direct["payoff"].to_numpy(float), atol=1e-12
        )
        assert mine["actor"].tolist() == direct["actor"].tolist()

    def test_checkpoint_interrupt_and_resume(self, tmp_path, monkeypatch):
        s = negsim.load("textbook/rubinstein_finite")
        full = sw.sweep(s, grid=self.GRID, chunk_size=2, **SERIAL)
        calls = []
        real = sw._ChunkTask.__call__

        def flaky(self, start, points):
            calls.append(start)
            if len(calls) == 3:
                raise KeyboardInterrupt
            return real(self, start, points)

        monkeypatch.setattr(sw._ChunkTask, "__call__", flaky)
        with pytest.raises(KeyboardInterrupt):
            sw.sweep(s, grid=self.GRID, chunk_size=2, checkpoint=tmp_path, **SERIAL)
        assert sorted(p.name for p in tmp_path.glob("chunk-*")) == [
            "chunk-000000.parquet",
            "chunk-000001.parquet",
        ]
        calls.clear()
        monkeypatch.setattr(sw._ChunkTask, "__call__", real)
        counted = []
        monkeypatch.setattr(
            sw._ChunkTask,
            "__call__",
            lambda self, start, pts: counted.append(start) or real(self, start, pts),
        )
        resumed = sw.sweep(
            s, grid=self.GRID, checkpoint=tmp_path, **SERIAL
        )  # chunk size from the manifest
        assert counted == [4, 6, 8]
        pd.testing.assert_frame_equal(full, resumed)

    def test_local_workers_write_their_chunks(self, tmp_path, monkeypatch):
        """Worker processes keep their own finished chunks; a second call reads them all."""
        s = negsim.load("textbook/rubinstein_finite")
        serial = sw.sweep(s, grid=self.GRID, **SERIAL)
        local = sw.sweep(
            s, grid=self.GRID, backend="local", workers=2, chunk_size=3, checkpoint=tmp_path
        )
        pd.testing.assert_frame_equal(serial, local)
        assert len(list(tmp_path.glob("chunk-*.parquet"))) == -(-len(serial) // 3)

        def unexpected(self, start, points):
            raise AssertionError(f"chunk at {start} solved again")

        monkeypatch.setattr(sw._ChunkTask, "__call__", unexpected)
        again = sw.sweep(s, grid=self.GRID, backend="serial", checkpoint=tmp_path, progress=False)
        pd.testing.assert_frame_equal(serial, again)

    def test_checkpoint_of_another_sweep_is_refused(self, tmp_path):
        s = negsim.load("textbook/ultimatum")
        sw.sweep(s, grid={"actors.proposer.discount": [0.5]}, checkpoint=tmp_path, **SERIAL)
        with pytest.raises(NegsimError, match="belongs to a different sweep"):
            sw.sweep(s, grid={"actors.proposer.discount": [0.6]}, checkpoint=tmp_path, **SERIAL)

    def test_no_pool_or_cluster_at_import(self):
        """STYLE point 10: importing the sweep modules starts no processes or clusters."""
        code = (
            "import sys, multiprocessing, negsim.sweeps, negsim.cli_sweep, negsim.sensitivity; "
            "mods = ('dask', 'distributed', 'concurrent.futures.process', 'multiprocessing.pool'); "
            "print([m for m in mods if m in sys.modules], multiprocessing.active_children())"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[] []"

    def test_progress_bar_off_without_a_tty(self, capsys):
        assert isinstance(sw._progress_bar(10, True), sw._NoBar)  # pytest's stderr is no TTY
        assert isinstance(sw._progress_bar(10, False), sw._NoBar)


class TestSummaries:
    def test_summarize_samples(self):
        df = pd.DataFrame({"g": [0, 0, 0, 1, 1, 1], "x": [1.0, 2.0, 3.0, 10.0, np.nan, 30.0]})
        out = summarize = sw.summarize_samples(df, ["x"], quantiles=(0.0, 0.5, 1.0), by="g")
        assert out["g"].tolist() == [0, 1]
        assert out["q0.5"].tolist() == [2.0, 20.0]
        assert out["missing"].tolist() == [0, 1]
        assert summarize["mean"].tolist() == [2.0, 20.0]

    def test_tornado_table(self):
        s = negsim.load("textbook/rubinstein_finite")
        table = tornado_table(
            s,
            {"actors.alice.discount": (0.5, 0.95), "actors.bob.discount": (0.5, 0.95)},
            output="payoff.alice",
            **SERIAL,
        )
        low = negsim.solve(s.with_changes({"actors.bob.discount": 0.5}), ["spe"]).actors
        expected = low.query("round == 0 and actor == 'alice'")["payoff"].iloc[0]
        row = table.set_index("parameter").loc["actors.bob.discount"]
        assert_allclose(row["output_low"], expected, atol=1e-12)
        assert table["swing"].is_monotonic_decreasing
        base = (
            negsim.solve(s, ["spe"])
            .actors.query("round == 0 and actor == 'alice'")["payoff"]
            .iloc[0]
        )
        assert_allclose(table["base"], base, atol=1e-12)
        with pytest.raises(NegsimError, match="unknown output"):
            tornado_table(s, {"actors.bob.discount": (0.5, 0.9)}, output="payof.alice", **SERIAL)

    def test_sobol_indices(self):
        s = negsim.load("textbook/rubinstein_finite")
        ranges = {
            "actors.alice.discount": (0.5, 0.95),
            "actors.bob.discount": (0.5, 0.95),
            "actors.alice.capability": (1.0, 2.0),  # irrelevant to the SPE
        }
        table = sobol_indices(s, ranges, n=64, output="payoff.alice", seed=1, **SERIAL).set_index(
            "parameter"
        )
        assert table.loc["actors.alice.capability", "ST"] < 0.02
        assert table.loc["actors.bob.discount", "ST"] > 0.3
        assert table.loc["actors.alice.discount", "ST"] > 0.05
        assert table["S1"].sum() <= 1.1
        with pytest.raises(NegsimError, match="power of 2"):
            sobol_indices(s, ranges, n=50, **SERIAL)


class TestPlots:
    def setup_method(self):
        plt.close("all")

    def test_heatmap(self):
        s = negsim.load("textbook/rubinstein_finite")
        df = sw.sweep(
            s,
            grid={"actors.alice.discount": [0.5, 0.7, 0.9], "actors.bob.discount": [0.6, 0.8]},
            **SERIAL,
        )
        data = plot_sweep.heatmap_data(
            df, "actors.alice.discount", "actors.bob.discount", "payoff.alice"
        )
        assert data.shape == (2, 3)
        assert (
            data.loc[0.8, 0.7]
            == df.query("`actors.alice.discount` == 0.7 and `actors.bob.discount` == 0.8")[
                "payoff.alice"
            ].iloc[0]
        )
        ax = plot_sweep.heatmap(df, "actors.alice.discount", "actors.bob.discount", "payoff.alice")
        assert ax.get_xlabel() == "actors.alice.discount"
        assert ax.collections[0].get_array().size == 6

    def test_tornado(self):
        table = pd.DataFrame(
            {
                "parameter": ["a", "b"],
                "low": [0, 0],
                "high": [1, 1],
                "output_low": [1.0, 2.5],
                "output_high": [4.0, 3.5],
                "base": [3.0, 3.0],
                "swing": [3.0, 1.0],
            }
        )
        ax = plot_sweep.tornado(table)
        widths = [p.get_width() for p in ax.patches]
        assert widths == [-0.5, -2.0, 0.5, 1.0]  # low bars (b, a) then high bars
        assert [t.get_text() for t in ax.get_yticklabels()] == ["b [0, 1]", "a [0, 1]"]

    def test_fan(self):
        df = pd.DataFrame(
            {
                "point": np.repeat(np.arange(5), 4),
                "concept": "spe",
                "round": np.tile([0, 0, 1, 1], 5),
                "actor": np.tile(["x", "y"], 10),
                "payoff": np.arange(20, dtype=float),
                "error": pd.NA,
            }
        )
        data = plot_sweep.fan_data(df, quantiles=(0.0, 0.5, 1.0))
        assert data.loc[("x", 0)].tolist() == [0.0, 8.0, 16.0]
        ax = plot_sweep.fan(df, quantiles=(0.0, 0.5, 1.0))
        assert [line.get_label() for line in ax.lines] == ["x", "y"]
        assert len(ax.collections) == 2  # one band per actor
        assert ax.lines[0].get_ydata().tolist() == [8.0, 10.0]
        assert [line.get_color() for line in ax.lines] == ["#0072B2", "#D55E00"]  # Okabe-Ito
        assert ax.get_title() == "payoff by round: median and 0%-100% bands over 5 points"


class TestRefusedBeforeWork:
    """Issue 13 items 4 and 13 through the Python API."""

    def test_limits_and_non_finite_values(self):
        s = negsim.load("textbook/rubinstein")
        with pytest.raises(NegsimError, match="more than the limit of 2,000,000 points"):
            sw.sweep(s, grid={"actors.alice.discount": range(2000), "rounds": range(1001)})
        with pytest.raises(NegsimError, match="nan is not a finite number"):
            sw.sweep(s, grid={"actors.alice.discount": [0.5, float("nan")]}, **SERIAL)
        with pytest.raises(NegsimError, match="scale factors must be >= 0"):
            sw.sweep(s, scale={"actors.alice.discount": [-1.0]}, **SERIAL)

    def test_schedule_base_refused_and_scale_keeps_its_shape(self):
        s = negsim.load_text(COALITION)
        with pytest.raises(
            ScenarioError, match=r"is a linear schedule \(start 0.01, slope 0.002\)"
        ):
            sw.sweep(s, grid={"actors.a.war_cost": [0.1]}, **SERIAL)
        df = sw.sweep(s, scale={"actors.a.war_cost,actors.b.private_benefit": [0.5, 2]}, **SERIAL)
        for f, row in zip([0.5, 2], df.to_dict("records"), strict=True):
            changed = s.with_changes(
                {
                    "actors.a.war_cost": {"kind": "linear", "start": 0.01 * f, "slope": 0.002 * f},
                    "actors.b.private_benefit": 0.01 * f,
                }
            )
            spe = negsim.solve(changed, ["spe"]).actors
            first = spe[(spe["round"] == 0) & (spe["concept"] == "spe")]
            for actor, payoff in zip(first["actor"], first["payoff"], strict=True):
                assert row[f"payoff.{actor}"] == pytest.approx(payoff, abs=1e-12)
