"""Worlds, heterogeneous priors and learning (issue 16): the subjective SPE over signal nodes.

The engine is checked against an independent backward induction over the signal lattice
written here in plain Python (two actors split a territory with linear utilities; the
proposer gives the responder exactly its subjective continuation when its own remainder is
at least its own subjective continuation -- Yildiz 2003, 2004), and against the limiting
cases: one world, equal priors with uninformative signals, and fully revealing signals.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import negsim
from negsim.engine.beliefs import signal_lattice, solve_beliefs
from negsim.errors import ScenarioError

TOL = 1e-9  # the engine's tie rule: an offer is made when it is worth the wait within 1e-9


def split_scenario(
    *,
    rounds: int = 6,
    outcomes: tuple[float, ...] = (0.8, 0.4),
    prior_a: tuple[float, ...] = (0.8, 0.2),
    prior_b: tuple[float, ...] = (0.2, 0.8),
    accuracy: float = 0.75,
    cost_a: float = 0.01,
    cost_b: float = 0.01,
    discount_a: float = 0.99,
    discount_b: float = 0.99,
    world_costs: tuple[float, ...] | None = None,
) -> negsim.Scenario:
    """A and B split a territory (A's share); war after the last round gives A ``outcomes[w]``
    in world w (or, with ``world_costs``, A's war cost differs by world instead)."""
    worlds = {}
    for w, outcome in enumerate(outcomes):
        changes = {"issues.territory.war_value": outcome}
        if world_costs is not None:
            changes["actors.a.war_cost"] = world_costs[w]
        worlds[f"w{w}"] = {"changes": changes}
    data = {
        "name": "split",
        "rounds": rounds,
        "terminal": "war",
        "issues": {"territory": {}},
        "actors": {
            "a": {
                "veto": True,
                "discount": discount_a,
                "ideal": {"territory": 1.0},
                "salience": {"territory": 1},
                "war_cost": cost_a,
            },
            "b": {
                "veto": True,
                "discount": discount_b,
                "ideal": {"territory": 0.0},
                "salience": {"territory": 1},
                "war_cost": cost_b,
            },
        },
        "protocol": {"proposers": ["a", "b"]},
        "worlds": worlds,
        "beliefs": {
            "a": {f"w{w}": p for w, p in enumerate(prior_a)},
            "b": {f"w{w}": p for w, p in enumerate(prior_b)},
        },
        "learning": {"accuracy": accuracy},
    }
    import yaml

    return negsim.load_text(yaml.safe_dump(data))


def reference(
    rounds: int,
    outcomes: tuple[float, ...],
    prior_a: tuple[float, ...],
    prior_b: tuple[float, ...],
    accuracy: float,
    cost_a: float,
    cost_b: float,
    discount_a: float,
    discount_b: float,
) -> dict[tuple[int, tuple[int, ...]], tuple[float, float, bool]]:
    """Backward induction by hand: node (t, counts) -> (V_A, V_B, deal), counts = signals
    that pointed at each world. Posterior pi(w) ∝ prior(w) a^n_w ((1-a)/(K-1))^(t-n_w)."""
    K = len(outcomes)

    def likelihood(s: int, w: int) -> float:
        return accuracy if s == w else (1 - accuracy) / (K - 1)

    def belief(prior: tuple[float, ...], counts: tuple[int, ...]) -> list[float]:
        weights = []
        for w in range(K):
            weight = prior[w]
            for s, n in enumerate(counts):
                weight *= likelihood(s, w) ** n
            weights.append(weight)
        total = sum(weights)
        return [x / total for x in weights]

    values: dict[tuple[int, tuple[int, ...]], tuple[float, float, bool]] = {}
    for t in range(rounds, -1, -1):
        for counts in itertools.product(range(t + 1), repeat=K):
            if sum(counts) != t:
                continue
            pa, pb = belief(prior_a, counts), belief(prior_b, counts)
            if t == rounds:
                va = sum(pa[w] * outcomes[w] for w in range(K))
                vb = sum(pb[w] * (1 - outcomes[w]) for w in range(K))
                values[t, counts] = (va, vb, False)
                continue
            ca = cb = 0.0
            for w in range(K):
                ahead_a = ahead_b = 0.0
                for s in range(K):
                    child = tuple(n + (i == s) for i, n in enumerate(counts))
                    ahead_a += likelihood(s, w) * values[t + 1, child][0]
                    ahead_b += likelihood(s, w) * values[t + 1, child][1]
                ca += pa[w] * (-cost_a + discount_a * ahead_a)
                cb += pb[w] * (-cost_b + discount_b * ahead_b)
            if t % 2 == 0:  # A proposes: B gets exactly cb (A keeps everything if cb < 0)
                share = min(1.0, 1 - cb)
                deal = share >= 0 and share >= ca - TOL
            else:  # B proposes: A gets exactly ca
                share = max(0.0, ca)
                deal = share <= 1 and 1 - share >= cb - TOL
            values[t, counts] = (share, 1 - share, True) if deal else (ca, cb, False)
    return values


CASES = [
    # rounds, outcomes, prior_a, prior_b, accuracy, cost_a, cost_b, discount_a, discount_b
    (6, (0.8, 0.4), (0.8, 0.2), (0.2, 0.8), 0.75, 0.01, 0.01, 0.99, 0.99),
    (7, (0.8, 0.4), (0.9, 0.1), (0.3, 0.7), 0.6, 0.0, 0.02, 1.0, 0.95),
    (5, (0.9, 0.2), (0.5, 0.5), (0.5, 0.5), 0.9, 0.05, 0.01, 0.9, 0.97),
    (6, (0.7, 0.3), (0.95, 0.05), (0.1, 0.9), 0.55, 0.005, 0.005, 1.0, 1.0),
    (5, (0.8, 0.5, 0.2), (0.6, 0.3, 0.1), (0.1, 0.3, 0.6), 0.7, 0.01, 0.02, 0.98, 0.99),
    (4, (0.8, 0.5, 0.2), (0.2, 0.2, 0.6), (0.7, 0.2, 0.1), 1 / 3 + 0.2, 0.0, 0.0, 0.9, 0.8),
]


@pytest.mark.parametrize("case", CASES)
def test_engine_matches_hand_backward_induction_node_by_node(case: tuple) -> None:
    rounds, outcomes, prior_a, prior_b, accuracy, ca, cb, da, db = case
    scenario = split_scenario(
        rounds=rounds,
        outcomes=outcomes,
        prior_a=prior_a,
        prior_b=prior_b,
        accuracy=accuracy,
        cost_a=ca,
        cost_b=cb,
        discount_a=da,
        discount_b=db,
    )
    sol, _ = solve_beliefs(scenario, ("spe",))
    expected = reference(*case)
    checked = 0
    deals = set()
    for t in range(rounds + 1):
        counts = sol.lattice.counts[t].sum(axis=1)  # one accuracy value: (M, K)
        assert len(counts) == len({tuple(c) for c in counts.tolist()})  # merged nodes
        for n, c in enumerate(counts.tolist()):
            va, vb, deal = expected[t, tuple(c)]
            assert_allclose(sol.value[t][n, 0], [va, vb], atol=TOL, rtol=0)
            if t < rounds:
                assert (sol.deal["spe"][t][n, 0] == 1.0) == deal, (t, c)
                deals.add(deal)
            checked += 1
    assert checked == sum(len(c) for c in sol.lattice.counts)


def test_reference_cases_exercise_both_delay_and_agreement() -> None:
    """The cases above are not trivial: some nodes wait, some settle."""
    outcomes = [set(d for *_, d in reference(*case).values()) for case in CASES[:2]]
    assert all(o == {True, False} for o in outcomes)


def test_lattice_merges_histories_into_count_vectors() -> None:
    """Constant accuracy: round t has C(t + K - 1, K - 1) nodes (never 3^t)."""
    lattice = signal_lattice(["x", "y", "z"], np.full(10, 0.6))
    assert lattice.sizes() == [(t + 1) * (t + 2) // 2 for t in range(11)]
    # two accuracy values: counts per (value, world); uninformative rounds add nothing
    lattice = signal_lattice(["x", "y"], np.array([0.7, 0.5, 0.9, 0.5]))
    assert lattice.sizes() == [1, 2, 2, 4, 4]


# -- limiting cases ---------------------------------------------------------------------
def _numeric(frame):  # noqa: ANN001, ANN202
    # ex_ante (the leverage measure) is a complete-information quantity: n/a with worlds
    return frame.drop(columns="ex_ante", errors="ignore").select_dtypes("number").to_numpy(float)


@pytest.mark.parametrize(
    "name", ["textbook/fearon", "textbook/rubinstein_finite", "variants/complete_information"]
)
def test_one_world_is_todays_engine(name: str) -> None:
    base = negsim.load(name)
    if base.terminal == "stationary":
        base = base.with_changes({"terminal": "war"})
    with_world = base.with_changes({"worlds": {"only": {"changes": {}}}})
    plain, believed = negsim.solve(base), negsim.solve(with_world)
    for table in ("rounds", "actors", "agreement"):
        a, b = getattr(plain, table), getattr(believed, table)
        assert list(a.columns) == list(b.columns)
        assert_allclose(_numeric(b), _numeric(a), atol=1e-12, rtol=0, equal_nan=True)
    assert len(believed.nodes) == len(plain.rounds)


AMBIGUOUS = """\
name: ambiguous_offers
rounds: 4
terminal: war
issues:
  border: {war_value: 0.5}
  aid: {kind: pie, among: [a, b]}
actors:
  a:
    discount: 0.9
    veto: true
    ideal: {border: 1.0}
    salience: {border: 0.7, aid: 0.3}
  b:
    discount: 0.8
    veto: true
    ideal: {border: 0.0}
    salience: {border: 0.7, aid: 0.3}
  c:
    discount: 0.85
    ideal: {border: 0.5}
    salience: {border: 1.0}
protocol:
  proposers: [c, a, b]
  quota: 3
"""


def test_nodes_the_linear_programs_leave_undecided_are_solved_as_the_engine_does() -> None:
    """Every node of a round is solved at once by the sweep's linear programs; c does not
    weigh the pie that a and b weigh equally, so every split of it is an optimal offer of
    c's and those nodes go to the engine's general offers: one world is still the engine."""
    base = negsim.load_text(AMBIGUOUS)
    with_world = base.with_changes({"worlds": {"only": {"changes": {}}}})
    plain, believed = negsim.solve(base, ["spe"]), negsim.solve(with_world, ["spe"])
    assert plain.agreement_round == 0
    for table in ("rounds", "actors", "agreement"):
        a, b = getattr(plain, table), getattr(believed, table)
        assert_allclose(_numeric(b), _numeric(a), atol=1e-12, rtol=0, equal_nan=True)


def test_equal_priors_uninformative_signals_is_engine_on_mean_costs() -> None:
    prior = (0.3, 0.7)
    costs = (0.05, 0.01)
    scenario = split_scenario(
        rounds=6,
        outcomes=(0.6, 0.6),
        prior_a=prior,
        prior_b=prior,
        accuracy=0.5,
        world_costs=costs,
    )
    mean = split_scenario(outcomes=(0.6,), prior_a=(1.0,), prior_b=(1.0,), accuracy=1.0)
    mean = mean.with_changes(
        {
            "actors.a.war_cost": prior[0] * costs[0] + prior[1] * costs[1],
            "issues.territory.war_value": 0.6,
        }
    )
    mean = mean.with_changes({"worlds": {}, "beliefs": {}, "learning": None})
    got, want = negsim.solve(scenario), negsim.solve(mean)
    for table in ("rounds", "actors"):
        assert_allclose(
            _numeric(getattr(got, table)),
            _numeric(getattr(want, table)),
            atol=1e-12,
            rtol=0,
            equal_nan=True,
        )


@pytest.mark.parametrize("prior_a", [(0.9, 0.1), (0.3, 0.7)])
def test_revealing_signal_gives_the_revealed_worlds_complete_information_game(
    prior_a: tuple[float, float],
) -> None:
    scenario = split_scenario(rounds=6, prior_a=prior_a, accuracy=1.0)
    sol, _ = solve_beliefs(scenario, ("spe",))
    for w, world in enumerate(["w0", "w1"]):
        known = scenario.with_changes(scenario.worlds[world].changes).with_changes(
            {"worlds": {}, "beliefs": {}, "learning": None}
        )
        full = negsim.solve(known, ["spe"]).solution
        assert full is not None
        for t in range(1, 7):
            counts = sol.lattice.counts[t].sum(axis=1)
            n = [i for i, c in enumerate(counts.tolist()) if c[w] == t][0]
            assert_allclose(sol.value[t][n], full.value[t], atol=1e-12, rtol=0)
            if t < 6:
                assert sol.deal["spe"][t][n, 0] == full.deal["spe"][t, 0]


def test_frozen_mutual_optimism_means_war() -> None:
    """Accuracy 1/K: beliefs never move. A expects 0.72, B 0.52 of the territory: 1.24 > 1
    plus 6 rounds of costs 0.01 each for both -> no split satisfies both, ever."""
    scenario = split_scenario(rounds=6, accuracy=0.5, discount_a=1.0, discount_b=1.0)
    result = negsim.solve(scenario, ["spe"])
    assert (result.nodes["deal"] == 0).all()
    analyst = result.deal_probability.query("perspective == 'analyst'")
    assert analyst["war_probability"].iloc[0] == 1.0
    # and the same game with beliefs summing below 1 plus costs settles at once
    modest = split_scenario(
        rounds=6,
        accuracy=0.5,
        discount_a=1.0,
        discount_b=1.0,
        prior_a=(0.5, 0.5),
        prior_b=(0.5, 0.5),
    )
    assert negsim.solve(modest, ["spe"]).nodes.query("round == 0")["deal"].iloc[0] == 1.0


def test_optimism_textbook_delays_then_agrees() -> None:
    result = negsim.solve(negsim.load("textbook/optimism"))
    analyst = result.deal_probability.query("concept == 'spe' and perspective == 'analyst'")
    assert analyst["deal"].iloc[0] == 0.0  # no deal before any fighting
    assert 0 < analyst["war_probability"].iloc[0] < 1
    assert analyst["cumulative"].iloc[-1] > 0.5
    text = result.summary()
    assert "waiting to persuade" in text
    assert "State A puts 0.80 on 'a_strong'" in text


def test_agreement_bunches_before_a_hard_deadline() -> None:
    """Simsek & Yildiz (2016): optimism, slow learning and a costly deadline at round 8."""
    result = negsim.solve(negsim.load("textbook/optimism_deadline"), ["spe"])
    analyst = result.deal_probability.query("perspective == 'analyst'")
    deal = analyst["deal"].to_numpy()
    assert int(np.argmax(deal)) == 8 and deal[8] > 0.5
    assert deal[:3].sum() == 0 and deal[9:].sum() == 0
    # without the deadline the same optimists mostly fight to the end
    no_deadline = result.scenario.with_changes({"actors.a.deadlines": [], "actors.b.deadlines": []})
    later = negsim.solve(no_deadline, ["spe"]).deal_probability.query("perspective == 'analyst'")
    assert later["war_probability"].iloc[0] > 0.5


# -- properties -------------------------------------------------------------------------
unit = st.floats(0.05, 0.95)


@settings(deadline=None)  # several small solves per example; no timing in tests
@given(
    base=st.floats(0.0, 0.9),
    extra=st.floats(0.0, 0.1),
    prior_b=unit,
    accuracy=st.floats(0.5, 1.0),
    cost=st.floats(0.0, 0.05),
    discount=st.floats(0.8, 1.0),
)
def test_more_optimism_never_makes_an_immediate_deal_more_likely(
    base: float, extra: float, prior_b: float, accuracy: float, cost: float, discount: float
) -> None:
    def immediate(prior_a: float) -> float:
        scenario = split_scenario(
            rounds=4,
            prior_a=(prior_a, 1 - prior_a),
            prior_b=(prior_b, 1 - prior_b),
            accuracy=accuracy,
            cost_a=cost,
            cost_b=cost,
            discount_a=discount,
            discount_b=discount,
        )
        sol, _ = solve_beliefs(scenario, ("spe",))
        return float(sol.deal["spe"][0][0, 0])

    assert immediate(base + extra) <= immediate(base)


@settings(deadline=None)
@given(
    prior=unit,
    outcomes=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    accuracy=st.floats(0.5, 1.0),
    costs=st.tuples(st.floats(0.0, 0.05), st.floats(0.0, 0.05)),
    discounts=st.tuples(st.floats(0.8, 1.0), st.floats(0.8, 1.0)),
)
def test_common_prior_one_pie_agrees_at_once(
    prior: float,
    outcomes: tuple[float, float],
    accuracy: float,
    costs: tuple[float, float],
    discounts: tuple[float, float],
) -> None:
    scenario = split_scenario(
        rounds=4,
        outcomes=outcomes,
        prior_a=(prior, 1 - prior),
        prior_b=(prior, 1 - prior),
        accuracy=accuracy,
        cost_a=costs[0],
        cost_b=costs[1],
        discount_a=discounts[0],
        discount_b=discounts[1],
    )
    sol, _ = solve_beliefs(scenario, ("spe",))
    assert sol.deal["spe"][0][0, 0] == 1.0


# -- tables -------------------------------------------------------------------------------
def test_tables_and_probabilities_add_up() -> None:
    result = negsim.solve(split_scenario(rounds=5))
    beliefs = result.beliefs.groupby(["round", "node", "perspective"])["probability"].sum()
    assert_allclose(beliefs.to_numpy(), 1.0, atol=1e-12)
    for _, rows in result.deal_probability.groupby(["concept", "perspective"]):
        total = rows["deal"].sum() + rows["war_probability"].iloc[0]
        assert_allclose(total, 1.0, atol=1e-12)
        assert np.all(np.diff(rows["cumulative"].to_numpy()) >= -1e-15)
    spe = result.nodes.query("concept == 'spe' and round == 0")
    assert spe["reach.a"].iloc[0] == 1.0


def test_saved_result_keeps_the_belief_tables(tmp_path) -> None:  # noqa: ANN001
    result = negsim.solve(split_scenario(rounds=3), ["spe"])
    loaded = negsim.Result.load(result.save(tmp_path / "out"))
    assert len(loaded.nodes) == len(result.nodes)
    assert len(loaded.deal_probability) == len(result.deal_probability)


# -- validation -------------------------------------------------------------------------
BAD = [
    (
        {"worlds": {"x": {"changes": {"actors.a.ideal.territory": 0.5}}}},
        "worlds.x.changes",
        "not what a settlement is worth",
    ),
    ({"worlds": {"x": {"changes": {"actors.a.discount": 0.5}}}}, "worlds.x.changes", "discount"),
    ({"beliefs": {"a": {"w0": 0.5, "w1": 0.6}}}, "beliefs.a", "sum to 1"),
    ({"beliefs": {"a": {"w0": 0.5, "wz": 0.5}}}, "beliefs.a.wz", "unknown world 'wz'"),
    ({"beliefs": {"c": {"w0": 1.0}}}, "beliefs.c", "unknown actor 'c'"),
    ({"learning": {"accuracy": 0.2}}, "learning.accuracy", "[1/2, 1]"),
    ({"terminal": "stationary"}, "worlds", "terminal: war"),
]


@pytest.mark.parametrize(("change", "path", "words"), BAD)
def test_bad_beliefs_are_located(change: dict, path: str, words: str) -> None:
    import yaml

    data = yaml.safe_load(split_scenario().to_yaml())
    for key, value in change.items():
        if isinstance(value, dict) and key in data:
            for sub, inner in value.items():
                data[key][sub] = inner
        else:
            data[key] = value
    with pytest.raises(ScenarioError) as err:
        negsim.load_text(yaml.safe_dump(data), "bad.yaml")
    problems = err.value.problems
    assert any(p.path.startswith(path) and words in p.message for p in problems), problems
    assert all(p.file == "bad.yaml" and p.line for p in problems)


def test_sweeps_over_beliefs_and_accuracy_use_the_batch_path() -> None:
    from negsim.batch import batch_supported

    scenario = negsim.load("textbook/optimism")
    ok, why = batch_supported(scenario)
    assert ok and "beliefs.* and learning.accuracy" in why
    grid = {"learning.accuracy": [0.5, 0.75], "beliefs.a": [{"a_strong": 0.5, "b_strong": 0.5}]}
    table = negsim.sweep(scenario, grid, backend="serial")
    for _, row in table.iterrows():
        point = {"learning.accuracy": row["learning.accuracy"], "beliefs.a": row["beliefs.a"]}
        direct = negsim.solve(scenario.with_changes(point), ["spe"])
        assert row["agreement_round"] == direct.agreement_round
        assert_allclose(row["terms.territory"], direct.terms()["territory"], atol=1e-12)


def test_figures_data_martingale_and_cumulative() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from negsim.plot import beliefs as plot_beliefs

    result = negsim.solve(negsim.load("textbook/optimism"), ["spe"])
    paths = plot_beliefs.belief_paths_data(result, "a_strong")
    for who, prior in (("a", 0.8), ("analyst", 0.5)):
        own = paths[paths["perspective"] == who]
        if who == "analyst":  # the analyst's own belief is a martingale under its prior
            assert_allclose(own["mean"], prior, atol=1e-12)
        assert (own["low"] <= own["mean"] + 1e-12).all() and (
            own["mean"] <= own["high"] + 1e-12
        ).all()
    a_path = paths[paths["perspective"] == "a"]["mean"].to_numpy()
    assert a_path[0] == 0.8 and a_path[-1] < 0.6  # A's optimism fades under the analyst's odds
    data = plot_beliefs.deal_probability_data(result)
    war = result.deal_probability.query("concept == 'spe'")["war_probability"]
    assert_allclose(data.groupby("perspective")["cumulative"].last().to_numpy(), 1 - war.iloc[0])
    ax = plot_beliefs.belief_paths(result)
    assert ax.get_ylabel() == "P('a_strong')"
    plt.close(ax.figure)


def test_nash_impasse_is_refused_with_worlds() -> None:
    # It used to come back as the Kalai-Smorodinsky settlement under nash_impasse's name.
    with pytest.raises(negsim.SolveError, match="nash_impasse is not defined with worlds"):
        negsim.solve(negsim.load("textbook/optimism"), ["spe", "nash_impasse"])


def test_run_writes_the_belief_figures_and_the_dashboard_shows_deal_probability(
    tmp_path,  # noqa: ANN001
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from click.testing import CliRunner

    from negsim import plot
    from negsim.cli import cli
    from negsim.plot.dashboard import dashboard_panels

    out = tmp_path / "optimism"
    ran = CliRunner().invoke(cli, ["run", "textbook/optimism", "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    for name in ("deal_probability.png", "beliefs_a_strong.png"):
        assert (out / name).stat().st_size > 1_000
        assert f"]({name})" in (out / "report.md").read_text()
    assert not (out / "beliefs_b_strong.png").exists()  # two worlds: one belief suffices
    result = negsim.solve(negsim.load("textbook/optimism"), ["spe"])
    fig = plot.dashboard(result)
    panel = next(ax for ax in fig.axes if ax.get_gid() == "beliefs")
    assert panel.get_title().startswith("Probability of a deal")
    # one line per distinct prior: A's, B's, the analyst's
    assert len(panel.get_lines()) == 3
    plt.close(fig)
    plain = negsim.solve(negsim.load("textbook/rubinstein"), ["spe"])
    assert "beliefs" not in dashboard_panels(plain)
