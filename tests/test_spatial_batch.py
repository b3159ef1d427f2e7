"""The batched settlement solvers of negsim.models.spatial against the per-problem ones."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from negsim.models import spatial
from negsim.models.spatial import (
    SettlementSpace,
    ideal_utilities,
    ideal_utilities_batch,
    kalai_smorodinsky_batch,
    max_min_gain,
    max_min_gain_batch,
    nash_settlement,
    nash_settlement_batch,
)


def random_problem(
    rng: np.random.Generator, curvature: float = 1.0
) -> tuple[SettlementSpace, np.ndarray, np.ndarray]:
    """A small random space (2-4 actors, 0-3 positions, 0-2 pies), threat points and players.

    Threat points are a random fraction of the utilities of a random settlement (so most
    problems have a bargaining set) or, for one problem in five, above them (so some have
    none).
    """
    n = int(rng.integers(2, 5))
    p = int(rng.integers(0, 4))
    q = int(rng.integers(0 if p else 1, 3))
    members = rng.random((n, q)) < 0.7
    members[rng.integers(0, n, size=q), np.arange(q)] = True  # every pie has a member
    low = rng.uniform(0.0, 0.4, size=p)
    high = rng.uniform(0.6, 1.0, size=p)
    space = SettlementSpace(
        ideal=rng.random((n, p)),
        salience_position=rng.uniform(0.2, 1.0, size=(n, p)),
        salience_pie=rng.uniform(0.2, 1.0, size=(n, q)) * members,
        curvature=np.full(n, curvature),
        members=members,
        low=low,
        high=high,
    )
    x = rng.uniform(low, high)
    y = members * rng.random((n, q))
    y = y / np.maximum(y.sum(axis=0), 1e-12)
    reference = spatial.utilities(space, x, y)
    scale = rng.uniform(1.05, 1.2) if rng.random() < 0.2 else rng.uniform(0.3, 0.95)
    players = rng.random(n) < 0.8
    players[rng.integers(0, n)] = True
    return space, scale * reference, players


def problems(seed: int, count: int, curvature: float = 1.0):  # noqa: ANN201
    rng = np.random.default_rng(seed)
    spaces, threats, players = [], [], []
    for _ in range(count):
        space, threat, who = random_problem(rng, curvature)
        spaces.append(space)
        threats.append(threat)
        players.append(who)
    return spaces, threats, players


def grouped_by_size(seed: int, count: int, curvature: float = 1.0):  # noqa: ANN201
    """Random problems grouped by number of actors (the batch functions take (B, N) arrays)."""
    spaces, threats, players = problems(seed, count, curvature)
    groups: dict[int, list[int]] = {}
    for b, space in enumerate(spaces):
        groups.setdefault(space.n_actors, []).append(b)
    for members in groups.values():
        yield (
            [spaces[b] for b in members],
            np.stack([threats[b] for b in members]),
            np.stack([players[b] for b in members]),
        )


def nash_product(settlement: spatial.Settlement, threat, players, weights) -> float:  # noqa: ANN001
    gain = settlement.utilities[players] - threat[players]
    return float((weights[players] * np.log(gain)).sum() / weights[players].sum())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_max_min_gain_batch_equals_per_problem(seed: int) -> None:
    found_any = missing_any = False
    for spaces, threats, players in grouped_by_size(seed, 30):
        scales = np.random.default_rng(seed).uniform(0.5, 2.0, size=threats.shape)
        for scale in (None, scales):
            batch = max_min_gain_batch(spaces, threats, players, scale)
            for b, space in enumerate(spaces):
                single = max_min_gain(
                    space, threats[b], players[b], None if scale is None else scale[b]
                )
                assert (batch[b] is None) == (single is None)
                if single is not None:
                    found_any = True
                    assert batch[b] is not None
                    assert batch[b][1] == pytest.approx(single[1], abs=1e-9)
                    assert_allclose(batch[b][0].utilities, single[0].utilities, atol=1e-7)
                else:
                    missing_any = True
    assert found_any and missing_any  # both kinds of problem were covered


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ideal_utilities_and_kalai_smorodinsky_batch_equal_per_problem(seed: int) -> None:
    for spaces, threats, players in grouped_by_size(seed, 30):
        ideal = ideal_utilities_batch(spaces, threats, players)
        ks = kalai_smorodinsky_batch(spaces, threats, players)
        for b, space in enumerate(spaces):
            single = ideal_utilities(space, threats[b], players[b])
            assert_allclose(ideal[b], single, atol=1e-9)
            expected = None
            if not np.isnan(single[players[b]]).any():
                scale = np.where(players[b], single - threats[b], 0.0)
                found = max_min_gain(space, threats[b], players[b], scale)
                expected = None if found is None else found[0]
            assert (ks[b] is None) == (expected is None)
            if expected is not None:
                assert ks[b] is not None
                assert_allclose(ks[b].utilities, expected.utilities, atol=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_nash_batch_equals_slsqp(seed: int, weighted: bool) -> None:
    """The exponential-cone solution's Nash product is never below SLSQP's; where they are
    equal, so are the players' utilities (the product is strictly concave in them).

    SLSQP sometimes stops early ('Positive directional derivative for linesearch') at its
    start, the egalitarian point: there the batch result is strictly better.
    """
    equal = 0
    for spaces, threats, players in grouped_by_size(seed, 30):
        rng = np.random.default_rng(seed)
        weights = rng.uniform(0.5, 4.0, size=threats.shape) if weighted else None
        w = np.ones(threats.shape) if weights is None else weights
        batch = nash_settlement_batch(spaces, threats, players, weights)
        for b, space in enumerate(spaces):
            single = nash_settlement(
                space, threats[b], players[b], None if weights is None else weights[b]
            )
            assert (batch[b] is None) == (single is None)
            if single is None:
                continue
            assert batch[b] is not None
            if not np.all(single.utilities[players[b]] > threats[b][players[b]]):
                assert_allclose(batch[b].utilities, single.utilities, atol=1e-9)  # no gain
                continue
            gap = nash_product(batch[b], threats[b], players[b], w[b]) - nash_product(
                single, threats[b], players[b], w[b]
            )
            assert gap >= -1e-12
            if gap < 1e-9:
                equal += 1
                who = players[b]
                assert_allclose(batch[b].utilities[who], single.utilities[who], atol=1e-6)
    assert equal >= 10


def test_nash_batch_curved_utilities_use_slsqp() -> None:
    for spaces, threats, players in grouped_by_size(3, 8, curvature=2.0):
        batch = nash_settlement_batch(spaces, threats, players)
        for b, space in enumerate(spaces):
            single = nash_settlement(space, threats[b], players[b])
            if single is None:
                assert batch[b] is None
            else:
                assert batch[b] is not None
                assert_allclose(batch[b].utilities, single.utilities, atol=1e-12)


def one_pie(salience: np.ndarray) -> SettlementSpace:
    n = len(salience)
    return SettlementSpace(
        np.zeros((n, 0)),
        np.zeros((n, 0)),
        salience[:, None],
        np.ones(n),
        np.ones((n, 1), bool),
        np.zeros(0),
        np.zeros(0),
    )


@pytest.mark.parametrize(
    ("salience", "threat", "weights"),
    [
        ([1.0, 1.0], [0.0, 0.0], None),  # the equal split
        ([1.0, 1.0], [0.2, 0.1], None),
        ([1.0, 1.0, 1.0], [0.1, 0.2, 0.3], None),
        ([1.0, 1.0], [0.0, 0.0], [3.0, 1.0]),  # weighted split 3:1
        ([0.5, 2.0, 1.0], [0.05, 0.3, 0.1], [1.0, 2.0, 4.0]),
    ],
)
def test_nash_single_pie_closed_form(salience, threat, weights) -> None:  # noqa: ANN001
    """``y_i = W_i / s_i + w_i / sum(w) * (1 - sum_j W_j / s_j)`` (Lagrange conditions)."""
    s, W = np.array(salience), np.array(threat)
    w = np.ones(len(s)) if weights is None else np.array(weights)
    expected = W / s + w / w.sum() * (1.0 - (W / s).sum())
    space = one_pie(s)
    players = np.ones(len(s), bool)
    batch = nash_settlement_batch(
        [space, space], np.stack([W, W]), np.stack([players, players]), np.stack([w, w])
    )
    for found in [*batch, nash_settlement(space, W, players, w)]:
        assert found is not None
        assert_allclose(found.y[:, 0], expected, atol=1e-9)


def test_nash_batch_without_gain_and_without_bargaining_set() -> None:
    """Threats that exhaust the pie: the egalitarian point; threats above it: None."""
    space = one_pie(np.ones(2))
    players = np.ones((3, 2), bool)
    threats = np.array([[0.5, 0.5], [0.7, 0.5], [0.25, 0.25]])
    found = nash_settlement_batch([space] * 3, threats, players)
    assert found[0] is not None
    assert_allclose(found[0].y[:, 0], [0.5, 0.5], atol=1e-9)
    assert found[1] is None
    assert found[2] is not None
    assert_allclose(found[2].y[:, 0], [0.5, 0.5], atol=1e-9)


def test_kalai_smorodinsky_batch_degenerate_block_does_not_spoil_the_others() -> None:
    """A problem whose ideal utilities equal its threat points makes its max-min LP
    unbounded; the stack is then solved problem by problem (None for that one, as before)."""
    space = one_pie(np.ones(2))
    threats = np.array([[0.5, 0.5], [0.1, 0.3]])
    players = np.ones((2, 2), bool)
    found = kalai_smorodinsky_batch([space, space], threats, players)
    expected = max_min_gain(space, threats[1], players[1], np.array([0.6, 0.6]))
    assert max_min_gain(space, threats[0], players[0], np.zeros(2)) is None
    assert found[0] is None
    assert found[1] is not None and expected is not None
    assert_allclose(found[1].utilities, expected[0].utilities, atol=1e-12)
    assert_allclose(found[1].y[:, 0], [0.4, 0.6], atol=1e-9)


def test_nash_batch_falls_back_when_clarabel_reports_no_optimum(monkeypatch) -> None:  # noqa: ANN001
    """Unreachable tolerances: Clarabel stops without 'Solved', every problem goes to SLSQP."""
    spaces, threats, players = next(grouped_by_size(4, 6))
    monkeypatch.setattr(spatial, "_CONIC_TOL", 0.0)
    monkeypatch.setattr(spatial, "nash_settlement", _counting(spatial.nash_settlement))
    batch = nash_settlement_batch(spaces, threats, players)
    assert spatial.nash_settlement.calls > 0  # type: ignore[attr-defined]
    for b, space in enumerate(spaces):
        single = _counting.original(space, threats[b], players[b])
        assert (batch[b] is None) == (single is None)
        if single is not None:
            assert batch[b] is not None
            assert_allclose(batch[b].utilities, single.utilities, atol=1e-12)


def test_unverified_polish_goes_to_slsqp(monkeypatch) -> None:  # noqa: ANN001
    """With no constraint taken as active, Newton's point is no verified optimum: SLSQP
    finishes each problem from the interior-point solution instead."""
    spaces, threats, players = next(grouped_by_size(5, 12))
    exact = nash_settlement_batch(spaces, threats, players)
    monkeypatch.setattr(spatial, "_ACTIVE_TOL", -1.0)
    monkeypatch.setattr(spatial, "nash_settlement", _counting(spatial.nash_settlement))
    finished = nash_settlement_batch(spaces, threats, players)
    start = max_min_gain_batch(spaces, threats, players)
    gaining = sum(found is not None and found[1] > 1e-9 for found in start)
    assert spatial.nash_settlement.calls == gaining > 0  # type: ignore[attr-defined]
    for b in range(len(spaces)):
        assert (exact[b] is None) == (finished[b] is None)
        if exact[b] is not None:
            who = players[b]
            assert_allclose(finished[b].utilities[who], exact[b].utilities[who], atol=1e-6)


class _counting:
    """Wrap a function, counting its calls (the original is kept for the reference)."""

    original = staticmethod(spatial.nash_settlement)

    def __init__(self, function) -> None:  # noqa: ANN001
        self.function = function
        self.calls = 0

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        self.calls += 1
        return self.function(*args, **kwargs)


def test_one_space_at_many_threat_points_reuses_vertices_and_faces(monkeypatch) -> None:  # noqa: ANN001
    """200 threat points over one space (the nodes of a belief lattice): the egalitarian,
    Kalai-Smorodinsky and Nash solutions equal each problem solved alone (scipy's
    linprog for the egalitarian linear program, written here; the per-problem SLSQP Nash
    solver), with far fewer simplex and interior-point runs than problems."""

    rng = np.random.default_rng(16)
    space = SettlementSpace(
        ideal=np.array([[1.0, 0.8, 0.2], [0.0, 0.3, 0.9], [0.6, 0.1, 0.5]]),
        salience_position=np.array([[0.5, 0.3, 0.2], [0.3, 0.3, 0.4], [0.2, 0.5, 0.3]]),
        salience_pie=np.zeros((3, 0)),
        curvature=np.ones(3),
        members=np.zeros((3, 0), dtype=bool),
        low=np.array([0.2, 0.0, 0.1]),
        high=np.array([0.9, 1.0, 0.8]),
    )
    count = 200
    threats = rng.uniform(0.15, 0.45, size=(count, 3))
    players = np.ones((count, 3), dtype=bool)
    runs = {"simplex": 0, "conic": 0}
    highs, conic = spatial._highs, spatial._nash_conic

    def counted_highs(*args):  # noqa: ANN002, ANN202
        runs["simplex"] += 1
        return highs(*args)

    def counted_conic(blocks):  # noqa: ANN001, ANN202
        runs["conic"] += len(blocks)
        return conic(blocks)

    monkeypatch.setattr(spatial, "_highs", counted_highs)
    monkeypatch.setattr(spatial, "_nash_conic", counted_conic)
    egalitarian = max_min_gain_batch([space] * count, threats, players)
    nash = nash_settlement_batch([space] * count, threats, players, None, egalitarian)
    assert runs["simplex"] < count / 10 and runs["conic"] < count / 10
    # the egalitarian LP written out: z = (x, d, lam); max lam (+1e-7 total utility)
    for b in rng.choice(count, size=25, replace=False):
        alone = gain_lp(space, threats[b], np.ones(3))
        found, lam = egalitarian[b]
        assert lam == pytest.approx(alone[-1], abs=1e-9)
        assert_allclose(found.x, alone[:3], atol=1e-9)
        single = nash_settlement(space, threats[b], players[b], None, egalitarian[b])
        gains = np.log(nash[b].utilities - threats[b]).sum()
        assert gains >= np.log(single.utilities - threats[b]).sum() - 1e-12
        assert_allclose(nash[b].utilities, single.utilities, atol=1e-6)  # SLSQP's precision


def test_vertices_with_a_column_per_program_equal_direct_solves() -> None:
    """The bordered solve of programs that differ in their last column (the gain units of
    the Kalai-Smorodinsky programs) against a direct solve of each program's vertex and
    multipliers: the same vertices, and the same verdict (feasible, multipliers of the
    active inequalities >= 1e-9) -- including a program whose active rows are singular."""
    rng = np.random.default_rng(7)
    rows, n, count = 9, 4, 40
    g = rng.normal(size=(rows, n))
    active = np.array([0, 2, 3, 5])
    column = np.repeat(g[None, :, -1], count, axis=0)
    column[:, active] += rng.normal(size=(count, len(active)))
    matrices = np.repeat(g[None], count, axis=0)
    matrices[:, :, -1] = column
    column[0, active] = g[active, :-1] @ rng.normal(size=n - 1)  # in the range: singular
    matrices[0, :, -1] = column[0]
    vertex = rng.normal(size=(count, n))
    slack = np.abs(rng.normal(size=(count, rows)))
    slack[:, active] = 0.0
    slack[::3, 1] = -0.5  # row 1 violated at every third program
    h = np.einsum("cmn,cn->cm", matrices, vertex) + slack
    cost = -matrices[1, active].T @ np.array([1.0, 0.5, 2.0, 0.3])  # mu of program 1
    equation = np.zeros((count, rows), dtype=bool)
    ok, found = spatial._vertices(g[None], h, cost[None], equation, active, column=column)
    for c in range(count):
        m = matrices[c, active]
        if abs(np.linalg.det(m)) <= 1e-12:
            assert not ok[c]
            continue
        v = np.linalg.solve(m, h[c, active])
        mu = np.linalg.solve(m.T, -cost)
        expected = bool(np.all(matrices[c] @ v <= h[c] + 1e-9) and np.all(mu >= 1e-9))
        assert ok[c] == expected
        if expected:
            assert_allclose(found[c], v, rtol=0, atol=1e-12)
    assert not ok[0] and ok[1] and 0 < ok.sum() < count - 1


def moving_red_lines(count: int) -> tuple[list[SettlementSpace], np.ndarray]:
    """``count`` spaces of 3 actors and 2 position issues with one set of saliences, ideal
    points shifted in some cells (regimes) and random red lines (moving between rounds),
    and threat points."""
    rng = np.random.default_rng(7)
    n, p = 3, 2
    salience = np.array([[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]])
    base_ideal = np.array([[1.0, 0.2], [0.0, 0.9], [0.6, 0.4]])
    spaces = []
    for _ in range(count):
        low = rng.uniform(0.0, 0.3, size=p)
        spaces.append(
            SettlementSpace(
                ideal=np.clip(base_ideal + rng.choice([0.0, 0.05], size=(n, p)), 0, 1),
                salience_position=salience,
                salience_pie=np.zeros((n, 0)),
                curvature=np.ones(n),
                members=np.zeros((n, 0), dtype=bool),
                low=low,
                high=low + rng.uniform(0.4, 0.7, size=p),
            )
        )
    return spaces, rng.uniform(0.2, 0.45, size=(count, n))


def test_spaces_differing_in_red_lines_and_ideals_share_vertices(monkeypatch) -> None:  # noqa: ANN001
    """60 cells whose spaces differ in their bounds (red lines that move between rounds)
    and ideal points (regimes), not in saliences: the egalitarian and Kalai-Smorodinsky
    solutions equal each problem's linear program written out here and solved alone by
    scipy's linprog, with far fewer simplex runs than cells (their programs share one
    matrix; only right-hand sides and column bounds differ)."""

    n, p, count = 3, 2, 60
    spaces, threats = moving_red_lines(count)
    players = np.ones((count, n), dtype=bool)
    runs = count_calls(monkeypatch, "_highs")
    egalitarian = max_min_gain_batch(spaces, threats, players)
    assert runs[0] < count / 4

    for b in range(count):
        expected = gain_lp(spaces[b], threats[b], np.ones(n))
        if expected[-1] < 0:
            assert egalitarian[b] is None
            continue
        found, lam = egalitarian[b]
        assert lam == pytest.approx(expected[-1], abs=1e-9)
        assert_allclose(found.x, expected[:p], atol=1e-9)
    runs[0] = 0
    ks = kalai_smorodinsky_batch(spaces, threats, players, egalitarian)
    assert runs[0] < count
    for b in range(count):
        if egalitarian[b] is None:
            continue
        ideal = ideal_utilities(spaces[b], threats[b], players[b])
        expected = gain_lp(spaces[b], threats[b], ideal - threats[b])
        assert ks[b] is not None
        assert_allclose(ks[b].x, expected[:p], atol=1e-9)


def test_nash_over_spaces_differing_in_red_lines_shares_faces(monkeypatch) -> None:  # noqa: ANN001
    """The Nash solutions of the cells of :func:`moving_red_lines` equal each problem
    solved alone by SLSQP (to its precision, and never a lower Nash product), with far
    fewer Newton runs on reused faces than cells (the faces are shared across spaces)."""
    count = 60
    spaces, threats = moving_red_lines(count)
    players = np.ones((count, 3), dtype=bool)
    egalitarian = max_min_gain_batch(spaces, threats, players)
    runs = count_calls(monkeypatch, "_nash_on_face")
    nash = nash_settlement_batch(spaces, threats, players, None, egalitarian)
    assert runs[0] < count / 4
    solved = 0
    for b in range(count):
        if egalitarian[b] is None or egalitarian[b][1] <= 1e-9:
            continue
        single = nash_settlement(spaces[b], threats[b], players[b], None, egalitarian[b])
        gains = np.log(nash[b].utilities - threats[b]).sum()
        assert gains >= np.log(single.utilities - threats[b]).sum() - 1e-12
        assert_allclose(nash[b].utilities, single.utilities, atol=1e-6)  # SLSQP's precision
        assert np.all(nash[b].x >= spaces[b].low) and np.all(nash[b].x <= spaces[b].high)
        solved += 1
    assert solved > count / 2


def gain_lp(space: SettlementSpace, threat: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The egalitarian (``scale`` ones) or Kalai-Smorodinsky (``scale`` the ideal gains)
    program written out for linear position utilities, solved alone by scipy's linprog:
    max lam (+1e-7 total utility) s.t. u_i - W_i >= lam scale_i, u_i = sum_k s_ik (1 - d_ik),
    |x_k - a_ik| <= d_ik; z = (x, d, lam)."""
    from scipy.optimize import linprog

    n, p = space.ideal.shape
    salience = space.salience_position
    width = p + n * p + 1
    rows, rhs = [], []
    for i in range(n):
        for k in range(p):
            for sign in (1.0, -1.0):  # sign (x_k - a_ik) <= d_ik
                row = np.zeros(width)
                row[k], row[p + i * p + k] = sign, -1.0
                rows.append(row)
                rhs.append(sign * space.ideal[i, k])
        row = np.zeros(width)  # lam scale_i - u_i <= -W_i
        row[p + i * p : p + (i + 1) * p] = salience[i]
        row[-1] = scale[i]
        rows.append(row)
        rhs.append(salience[i].sum() - threat[i])
    cost = np.zeros(width)
    cost[-1] = -1.0
    cost[p : p + n * p] = 1e-7 * salience.ravel()
    bounds = [*zip(space.low, space.high, strict=True), *[(0, 1)] * (n * p), (None, None)]
    return linprog(cost, A_ub=np.array(rows), b_ub=rhs, bounds=bounds, method="highs").x


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of ``negsim.models.spatial.<name>`` from now on (in ``[0]``)."""
    runs = [0]
    original = getattr(spatial, name)

    def counted(*args):  # noqa: ANN002, ANN202
        runs[0] += 1
        return original(*args)

    monkeypatch.setattr(spatial, name, counted)
    return runs
