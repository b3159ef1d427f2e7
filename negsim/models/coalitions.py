r"""Power indices of weighted voting games.

A weighted voting game :math:`[q; w_1, \dots, w_n]` makes a coalition :math:`S` winning iff
:math:`\sum_{i \in S} w_i \ge q`. Player ``i`` is *pivotal* (a swing) for a coalition
:math:`S \not\ni i` if :math:`S` loses and :math:`S \cup \{i\}` wins.

* Shapley-Shubik index (Shapley & Shubik 1954): the probability that ``i`` is pivotal when
  players join in a uniformly random order,

  .. math:: \phi_i = \sum_{S \not\ni i,\ S \text{ loses},\ S \cup i \text{ wins}}
            \frac{|S|!\,(n-|S|-1)!}{n!}.

* Normalised Banzhaf index (Banzhaf 1965): ``i``'s number of swings divided by the total
  number of swings of all players.

Both are computed exactly. Integer weights use dynamic programming over (coalition size,
weight), :math:`O(n^2 \sum w)` per player; other weights enumerate the :math:`2^{n-1}`
coalitions of the others (``n <= 20``).

Weights and quotas written as decimals are not exact in floating point:
``sum([0.1, 0.2, 0.3])`` is ``0.6000000000000001``, above the grand coalition's weight
``0.1 + 0.2 + 0.3`` summed in another order. Every path therefore uses one rule: a
coalition wins when its weight is at least the quota less :data:`QUOTA_RTOL` times the
total weight, :math:`\sum_{i \in S} w_i \ge q - 10^{-9} \sum_i w_i`, and a quota may exceed
the total weight by that much. Float sums of at most a few thousand weights err by far
less, and weights meant to differ from the quota by less than this are not supported.

References
----------
.. [1] L. S. Shapley, M. Shubik, "A method for evaluating the distribution of power in a
   committee system", American Political Science Review 48(3), 787-792, 1954.
.. [2] J. F. Banzhaf, "Weighted voting doesn't work: a mathematical analysis", Rutgers Law
   Review 19, 317-343, 1965.
.. [3] D. S. Felsenthal, M. Machover, *The Measurement of Voting Power*, Edward Elgar, 1998.
"""

from __future__ import annotations

from math import factorial, fsum

import numpy as np
from numpy.typing import ArrayLike, NDArray

from negsim.models._validate import check_in_range, check_nonnegative

__all__ = ["QUOTA_RTOL", "banzhaf_index", "shapley_value", "swing_counts"]

_MAX_ENUMERATION = 20
#: A coalition wins when its weight is at least ``quota - QUOTA_RTOL * sum(weights)``.
QUOTA_RTOL = 1e-9


def _game(weights: ArrayLike, quota: float) -> tuple[NDArray[np.float64], float]:
    """The weights and the effective quota: ``quota - QUOTA_RTOL * sum(weights)``."""
    w = check_nonnegative("weights", weights)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError(f"weights must have shape (n,) with n >= 1, got shape {w.shape}")
    total = fsum(w.tolist())
    tol = QUOTA_RTOL * total
    q = float(check_in_range("quota", quota, 0.0, total + tol, low_open=True))
    if q <= tol:  # the empty coalition would win
        raise ValueError(f"quota must exceed {QUOTA_RTOL:g} x sum(weights) = {tol:g}, got {q!r}")
    return w, q - tol


def swing_counts(weights: ArrayLike, quota: float) -> NDArray[np.float64]:
    r"""Number of swings by coalition size, for every player.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Voting weights ``>= 0``.
    quota : float
        Winning threshold in ``(0, sum(weights)]``, compared with a coalition's weight to
        a relative :data:`QUOTA_RTOL` of the total (see the module docstring).

    Returns
    -------
    ndarray, shape (n, n)
        Entry ``[i, k]`` is the number of coalitions :math:`S \not\ni i` with :math:`|S| = k`
        for which ``i`` is a swing.

    Examples
    --------
    >>> swing_counts([2, 1, 1], 3)
    array([[0., 2., 1.],
           [0., 1., 0.],
           [0., 1., 0.]])
    """
    w, q = _game(weights, quota)  # a coalition of weight s wins iff s >= q
    n = len(w)
    out = np.zeros((n, n))
    integral = np.all(w == np.round(w)) and w.sum() < 10**6
    for i in range(n):
        others = np.delete(w, i)
        if integral:
            total = int(others.sum())
            # ways[k, s]: number of coalitions of k others with total weight s.
            ways = np.zeros((n, total + 1))
            ways[0, 0] = 1.0
            for wj in others.astype(int):
                if wj == 0:
                    ways[1:] = ways[1:] + ways[:-1]
                else:
                    ways[1:, wj:] = ways[1:, wj:] + ways[:-1, :-wj]
            s = np.arange(total + 1)
            swing = (s < q) & (s + w[i] >= q)
            out[i] = ways[:, swing].sum(axis=1)
        else:
            if n - 1 > _MAX_ENUMERATION:
                raise ValueError(
                    f"non-integer weights are enumerated exactly; n must be <= "
                    f"{_MAX_ENUMERATION + 1}, got n={n}"
                )
            masks = np.arange(2 ** (n - 1))
            members = (masks[:, None] >> np.arange(n - 1)) & 1
            s_float = np.zeros(len(masks))
            for j, wj in enumerate(others):  # one fixed order of additions (no BLAS)
                s_float += members[:, j] * wj
            size = members.sum(axis=1)
            swing = (s_float < q) & (s_float + w[i] >= q)
            out[i] = np.bincount(size[swing], minlength=n)[:n]
    return out


def shapley_value(weights: ArrayLike, quota: float) -> NDArray[np.float64]:
    r"""Shapley-Shubik power index of a weighted voting game.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Voting weights ``>= 0``.
    quota : float
        Winning threshold in ``(0, sum(weights)]``, compared with a coalition's weight to
        a relative :data:`QUOTA_RTOL` of the total (see the module docstring).

    Returns
    -------
    ndarray, shape (n,)
        Indices summing to 1.

    Notes
    -----
    :math:`\phi_i = \sum_k \frac{k!\,(n-k-1)!}{n!}\,\mathrm{swings}_i(k)` with
    :math:`\mathrm{swings}_i(k)` from :func:`swing_counts`.

    References
    ----------
    .. [1] L. S. Shapley, M. Shubik, APSR 48(3), 1954.

    Examples
    --------
    >>> shapley_value([0.1, 0.2, 0.3], sum([0.1, 0.2, 0.3])).round(6)  # unanimity
    array([0.333333, 0.333333, 0.333333])
    >>> shapley_value([3, 2, 2], 4).round(6)
    array([0.333333, 0.333333, 0.333333])
    >>> shapley_value([2, 1, 1], 3).round(6)
    array([0.666667, 0.166667, 0.166667])
    """
    counts = swing_counts(weights, quota)
    n = counts.shape[0]
    coef = np.array([factorial(k) * factorial(n - k - 1) / factorial(n) for k in range(n)])
    return counts @ coef


def banzhaf_index(weights: ArrayLike, quota: float) -> NDArray[np.float64]:
    r"""Normalised Banzhaf power index of a weighted voting game.

    Parameters
    ----------
    weights : array_like, shape (n,)
        Voting weights ``>= 0``.
    quota : float
        Winning threshold in ``(0, sum(weights)]``, compared with a coalition's weight to
        a relative :data:`QUOTA_RTOL` of the total (see the module docstring).

    Returns
    -------
    ndarray, shape (n,)
        Each player's share of all swings (sums to 1).

    Notes
    -----
    :math:`\beta_i = \eta_i / \sum_j \eta_j`, :math:`\eta_i` the number of coalitions for which
    ``i`` is a swing. (The non-normalised Banzhaf measure is :math:`\eta_i / 2^{n-1}`.)

    References
    ----------
    .. [1] J. F. Banzhaf, Rutgers Law Review 19, 1965.

    Examples
    --------
    >>> banzhaf_index([2, 1, 1], 3)
    array([0.6, 0.2, 0.2])
    """
    swings = swing_counts(weights, quota).sum(axis=1)
    return swings / swings.sum()
