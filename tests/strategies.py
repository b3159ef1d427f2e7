"""Reusable hypothesis strategies for model arguments."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: A discount factor strictly inside (0, 1), away from the singular end points.
discounts = st.floats(min_value=0.0, max_value=0.99)

#: Any valid discount factor, including the end points.
discounts_closed = st.floats(min_value=0.0, max_value=1.0)

#: Probabilities in [0, 1].
probabilities = st.floats(min_value=0.0, max_value=1.0)

#: Non-negative costs, as fractions of the pie.
costs = st.floats(min_value=0.0, max_value=1.0)

#: Horizons (numbers of offers).
horizons = st.integers(min_value=1, max_value=60)


@st.composite
def disagreement_points(draw, n: int = 2, slack: float = 0.05):
    """Disagreement points on the simplex with sum <= 1 - slack."""
    raw = draw(hnp.arrays(float, n, elements=st.floats(0.0, 1.0)))
    scale = draw(st.floats(0.0, 1.0 - slack))
    total = raw.sum()
    return raw / total * scale if total > 0 else raw


@st.composite
def frontier_points(draw, m_min: int = 2, m_max: int = 8):
    """Finite sets of utility pairs in [0, 1]^2 containing (0, 1) and (1, 0)."""
    m = draw(st.integers(m_min, m_max))
    pts = draw(hnp.arrays(float, (m, 2), elements=st.floats(0.0, 1.0)))
    return np.vstack([[0.0, 1.0], [1.0, 0.0], pts])


@st.composite
def recognition_vectors(draw, n_min: int = 2, n_max: int = 6):
    """Recognition probability vectors with a few distinct values."""
    n = draw(st.integers(n_min, n_max))
    raw = draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    p = np.array(raw, dtype=float)
    return p / p.sum()


@st.composite
def weighted_games(draw, n_min: int = 1, n_max: int = 7):
    """(weights, quota) of weighted voting games with small integer weights."""
    w = draw(
        st.lists(st.integers(0, 9), min_size=n_min, max_size=n_max).filter(lambda x: sum(x) > 0)
    )
    quota = draw(st.integers(1, sum(w)))
    return np.array(w), quota
