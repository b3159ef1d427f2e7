"""RowParametricLP: a point's solution does not depend on the points solved before it.

At a degenerate vertex (more active constraints than columns) several optimal bases give
the same vertex, each with its own rounding, and some of them have a zero reduced cost
although the optimum is unique. Which basis reaches a point depends on the bases cached
from earlier points and on HiGHS's warm start, so before issue 13 item 9 a resumed sweep
(a new process: no cached bases) could differ in the last bit from an uninterrupted one,
or call a point AMBIGUOUS that the uninterrupted sweep solved.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.optimize import linprog

from negsim.models.parametric_lp import AMBIGUOUS, INFEASIBLE, OPTIMAL, RowParametricLP


@st.composite
def degenerate_batches(draw):
    """An LP ``min c @ z`` s.t. ``A z <= b_p`` on the unit box with small integer data (so
    that many vertices are degenerate and many costs dual degenerate), right-hand sides on
    a half-integer grid, and a random order of the points cut into random chunks."""
    m, k = draw(st.integers(2, 6)), draw(st.integers(2, 4))
    matrix = draw(hnp.arrays(float, (m, k), elements=st.integers(-2, 2)))
    cost = draw(hnp.arrays(float, k, elements=st.integers(-3, 3)))
    n = draw(st.integers(1, 24))
    upper = draw(hnp.arrays(float, (n, m), elements=st.integers(0, 4))) / 2
    order = np.array(draw(st.permutations(range(n))))
    chunk = draw(st.integers(1, n))
    return cost, matrix, upper, order, chunk


def _fresh(cost: np.ndarray, matrix: np.ndarray) -> RowParametricLP:
    k = len(cost)
    return RowParametricLP(cost, matrix, np.zeros(k), np.ones(k))


@given(degenerate_batches())
def test_a_point_alone_equals_the_point_in_any_batch_bit_for_bit(case):
    cost, matrix, upper, order, chunk = case
    lower = np.full_like(upper, -np.inf)
    lp = _fresh(cost, matrix)  # one object through every chunk: bases cached on the way
    status = np.empty(len(upper), dtype=int)
    z = np.empty((len(upper), len(cost)))
    objective = np.empty(len(upper))
    for start in range(0, len(order), chunk):
        rows = order[start : start + chunk]
        sol = lp.solve(lower[rows], upper[rows])
        status[rows], z[rows], objective[rows] = sol.status, sol.z, sol.objective
    for p in range(len(upper)):
        alone = _fresh(cost, matrix).solve(lower[p : p + 1], upper[p : p + 1])
        assert alone.status[0] == status[p]
        if status[p] == OPTIMAL:  # AMBIGUOUS: other optima exist, any one is returned
            assert np.array_equal(alone.z[0], z[p])
            assert np.array_equal(alone.objective[0], objective[p])
        if status[p] == INFEASIBLE:
            assert np.isnan(z[p]).all() and np.isnan(alone.z[0]).all()


@given(degenerate_batches())
def test_unique_optimum_is_reported_as_such(case):
    """OPTIMAL only where no other point of the box and rows has the same cost (checked by
    a second linprog, which maximises then minimises each coordinate over the optimal
    face), AMBIGUOUS only where another optimum exists."""
    cost, matrix, upper, _, _ = case
    upper = upper[:6]  # each point takes 2 k + 1 reference solves
    sol = _fresh(cost, matrix).solve(np.full_like(upper, -np.inf), upper)
    for p in range(len(upper)):
        ref = linprog(cost, A_ub=matrix, b_ub=upper[p], bounds=(0, 1), method="highs")
        if ref.status == 2:
            assert sol.status[p] == INFEASIBLE
            continue
        assert sol.status[p] in (OPTIMAL, AMBIGUOUS)
        assert abs(sol.objective[p] - ref.fun) <= 1e-9
        # the optimal face: the rows, the box, and c @ z <= optimum (+ tolerance)
        a_face = np.vstack([matrix, cost])
        b_face = np.append(upper[p], ref.fun + 1e-12)
        width = 0.0
        for j in range(len(cost)):
            e = np.eye(len(cost))[j]
            hi = linprog(-e, A_ub=a_face, b_ub=b_face, bounds=(0, 1), method="highs")
            lo = linprog(e, A_ub=a_face, b_ub=b_face, bounds=(0, 1), method="highs")
            width = max(width, -hi.fun - lo.fun)
        if sol.status[p] == OPTIMAL:
            assert width <= 1e-6
            assert np.abs(sol.z[p] - ref.x).max() <= 1e-9
        else:
            assert width > 1e-6


def test_a_unique_optimum_at_a_degenerate_vertex_is_optimal_and_exact():
    """``min d`` s.t. ``d >= |x - a|`` on the unit box: the unique optimum x = a, d = 0 has
    three active constraints for two columns (x - d <= a, -x - d <= -a, d >= 0); the basis
    of the first and the third has a zero dual on the second, yet no other optimum exists.
    The answer is the vertex itself, exactly, whatever came before."""
    matrix = np.array([[1.0, -1.0], [-1.0, -1.0]])
    a = np.array([0.25, 0.5, 0.75, 0.3])
    upper = np.column_stack([a, -a])
    lower = np.full_like(upper, -np.inf)
    expected = np.column_stack([a, np.zeros(4)])
    for order in (np.arange(4), np.arange(4)[::-1]):
        lp = RowParametricLP(np.array([0.0, 1.0]), matrix, np.zeros(2), np.ones(2))
        for p in order:
            sol = lp.solve(lower[p : p + 1], upper[p : p + 1])
            assert sol.status.tolist() == [OPTIMAL]
            assert np.array_equal(sol.z[0], expected[p])
