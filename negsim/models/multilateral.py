r"""Multilateral legislative bargaining (Baron & Ferejohn 1989, closed rule).

``n`` members divide a unit budget. Each round member ``i`` is recognised as proposer with
probability :math:`p_i`; the proposal passes if at least ``q`` members (the proposer included)
vote for it; otherwise the game moves to the next round and all payoffs are discounted by
:math:`\delta`. In the stationary subgame-perfect equilibrium with continuation values
:math:`v_j`, the proposer buys the ``q - 1`` cheapest votes among the others, paying each
partner exactly :math:`\delta v_j`, keeps the rest, and the proposal passes at once:

.. math::
    v_i = p_i\Big(1 - \delta \sum_{j \in C_i} v_j\Big) + \delta\, v_i\, m_i,

with :math:`C_i` the ``q - 1`` cheapest others and :math:`m_i` the probability that ``i`` is a
coalition partner in a given round. The payoffs :math:`v` are unique (Eraslan 2002); the
proposers' mixing over equally cheap members need not be.

References
----------
.. [1] D. P. Baron, J. A. Ferejohn, "Bargaining in legislatures", American Political Science
   Review 83(4), 1181-1206, 1989.
.. [2] H. Eraslan, "Uniqueness of stationary equilibrium payoffs in the Baron-Ferejohn model",
   Journal of Economic Theory 103(1), 11-30, 2002.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize

from negsim.models._validate import check_integer, check_probability_vector, check_unit

__all__ = ["BaronFerejohnEquilibrium", "baron_ferejohn"]

_MAX_DISTINCT = 14  # 2**(d-1) orderings of payoff ties are searched


@dataclass(frozen=True)
class BaronFerejohnEquilibrium:
    """Stationary equilibrium of the Baron-Ferejohn closed-rule game.

    Attributes
    ----------
    payoffs : ndarray, shape (n,)
        Ex-ante expected payoff (continuation value) :math:`v_i` of every member; sums to 1.
    proposer_share : ndarray, shape (n,)
        Share member ``i`` keeps when recognised, :math:`1 - \\delta \\sum_{j \\in C_i} v_j`.
    partner_share : ndarray, shape (n,)
        Price of member ``j``'s vote, :math:`\\delta v_j`, paid when ``j`` is a partner.
    inclusion_probability : ndarray, shape (n,)
        Probability :math:`m_j` that ``j`` is a (non-proposer) coalition partner in a round.
    coalition_matrix : ndarray, shape (n, n)
        Entry ``[k, j]``: probability that proposer ``k`` includes ``j`` as a partner.
    coalition_size : int
        Number of votes needed (the quota ``q``), proposer included.
    delta : float
        Common discount factor.
    """

    payoffs: NDArray[np.float64]
    proposer_share: NDArray[np.float64]
    partner_share: NDArray[np.float64]
    inclusion_probability: NDArray[np.float64]
    coalition_matrix: NDArray[np.float64]
    coalition_size: int
    delta: float


def _slots(groups: list[NDArray[np.int_]], n: int, q: int) -> NDArray[np.int_]:
    """slots[k, g]: number of partners proposer k takes from group g (cheapest first)."""
    out = np.zeros((n, len(groups)), dtype=int)
    for k in range(n):
        remaining = q - 1
        for g, members in enumerate(groups):
            take = min(len(members) - int(k in members), remaining)
            out[k, g] = take
            remaining -= take
    return out


def _mixing(
    groups: list[NDArray[np.int_]],
    slots: NDArray[np.int_],
    p: NDArray[np.float64],
    coef: NDArray[np.float64],
    target: NDArray[np.float64],
    tol: float,
) -> NDArray[np.float64] | None:
    """Proposers' inclusion probabilities ``pi`` with ``coef * (p @ pi) == target``.

    ``coef_i = delta v_i`` and ``target_i = v_i - p_i (1 - delta S_i)`` (member i's expected
    income as a partner). Tries an even split among equally cheap members first, then a
    feasibility LP.
    """
    n = len(p)
    even = np.zeros((n, n))
    for k in range(n):
        for g, members in enumerate(groups):
            others = members[members != k]
            if len(others):
                even[k, others] = slots[k, g] / len(others)
    free = coef <= tol
    if np.allclose(coef * (p @ even), target, atol=tol, rtol=0) or np.all(free):
        return even
    # Variables pi[k, i] (k != i) flattened; equality constraints per (k, group) and per i.
    idx = [(k, i) for k in range(n) for i in range(n) if k != i]
    col = {ki: c for c, ki in enumerate(idx)}
    rows, rhs = [], []
    for k in range(n):
        for g, members in enumerate(groups):
            row = np.zeros(len(idx))
            for i in members:
                if i != k:
                    row[col[k, i]] = 1.0
            rows.append(row)
            rhs.append(slots[k, g])
    for i in range(n):
        if free[i]:
            continue
        row = np.zeros(len(idx))
        for k in range(n):
            if k != i:
                row[col[k, i]] = coef[i] * p[k]
        rows.append(row)
        rhs.append(target[i])
    res = optimize.linprog(
        np.zeros(len(idx)), A_eq=np.array(rows), b_eq=np.array(rhs), bounds=(0, 1), method="highs"
    )
    if res.status != 0:
        return None
    pi = np.zeros((n, n))
    for (k, i), c in col.items():
        pi[k, i] = res.x[c]
    if not np.allclose(coef * (p @ pi), target, atol=1e-8, rtol=0):
        return None
    return pi


def _solve_unequal(p: NDArray[np.float64], delta: float, q: int, tol: float = 1e-10):
    n = len(p)
    levels = np.unique(p)
    if len(levels) > _MAX_DISTINCT:
        raise ValueError(
            f"recognition may have at most {_MAX_DISTINCT} distinct values, got {len(levels)}"
        )
    blocks_of_level = [np.flatnonzero(p == level) for level in levels]
    # Payoffs are weakly increasing in recognition probability (Eraslan 2002), so the members
    # with equal payoffs form consecutive runs of recognition levels: try every run structure.
    for cuts in itertools.product([False, True], repeat=len(levels) - 1):
        groups, current = [], [blocks_of_level[0]]
        for cut, block in zip(cuts, blocks_of_level[1:], strict=True):
            if cut:
                groups.append(np.concatenate(current))
                current = [block]
            else:
                current.append(block)
        groups.append(np.concatenate(current))
        slots = _slots(groups, n, q)
        n_g = len(groups)
        a = np.zeros((n_g, n_g))
        b = np.zeros(n_g)
        for g, members in enumerate(groups):
            a[g, g] += len(members) - delta * p @ slots[:, g]
            a[g] += delta * p[members] @ slots[members]
            b[g] = p[members].sum()
        try:
            x = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            continue
        if np.any(np.diff(x) <= tol) or np.any(x < -tol):
            continue
        group_of = np.empty(n, dtype=int)
        for g, members in enumerate(groups):
            group_of[members] = g
        v = x[group_of]
        cost = slots @ x  # S_i: sum of the q - 1 cheapest others' values
        coef: NDArray[np.float64] = np.asarray(delta * v, dtype=float)
        target = v - p * (1.0 - delta * cost)  # must equal delta v_i m_i
        if np.any(target < -1e-9) or np.any(target > coef * (1.0 - p) + 1e-9):
            continue
        pi = _mixing(groups, slots, p, coef, target, 1e-10)
        if pi is None:
            continue
        return v, cost, pi
    raise RuntimeError("no stationary equilibrium found (please report this as a bug)")


def baron_ferejohn(
    n: int,
    delta: float,
    quota: int | None = None,
    recognition: ArrayLike | None = None,
) -> BaronFerejohnEquilibrium:
    r"""Stationary equilibrium of the Baron-Ferejohn closed-rule legislative bargaining game.

    Parameters
    ----------
    n : int
        Number of members, ``n >= 1``.
    delta : float
        Common discount factor in ``[0, 1]``.
    quota : int, optional
        Votes needed to pass, ``1 <= quota <= n`` (default simple majority
        ``n // 2 + 1``; ``quota = n`` is unanimity).
    recognition : array_like, shape (n,), optional
        Recognition probabilities :math:`p_i` summing to 1 (default equal, ``1/n``). At most
        14 distinct values are supported.

    Returns
    -------
    BaronFerejohnEquilibrium

    Notes
    -----
    Equal recognition (Baron & Ferejohn 1989, Proposition 2, generalised to quota ``q``): every
    member's value is :math:`1/n`; the proposer keeps :math:`1 - \delta (q-1)/n` and each of
    ``q - 1`` partners, drawn uniformly from the other members, gets :math:`\delta/n`.

    Unequal recognition (Eraslan 2002): payoffs are weakly increasing in :math:`p_i`, so the
    members with equal payoffs form runs of consecutive recognition levels. For each run
    structure the per-run sums of the stationarity equations are linear in the run values; a
    structure is accepted when its values are strictly increasing and some mixing of the
    proposers over the marginal (equally cheap) members realises every member's partner
    probability :math:`m_i` (a feasibility LP).

    Tie convention: when members are equally cheap, the proposer splits inclusion evenly among
    them if that is consistent with equilibrium (always so for equal recognition probabilities);
    otherwise ``coalition_matrix`` holds one consistent mixing (payoffs are unique, mixing
    need not be). With ``delta = 0`` votes are free and ``payoffs == recognition``.

    References
    ----------
    .. [1] D. P. Baron, J. A. Ferejohn, "Bargaining in legislatures", APSR 83(4), 1989.
    .. [2] H. Eraslan, "Uniqueness of stationary equilibrium payoffs in the Baron-Ferejohn
       model", Journal of Economic Theory 103(1), 2002.

    Examples
    --------
    >>> eq = baron_ferejohn(5, 1.0)
    >>> float(eq.proposer_share[0]), float(eq.partner_share[0])
    (0.6, 0.2)
    >>> baron_ferejohn(3, 0.9, recognition=[0.5, 0.3, 0.2]).payoffs.round(4)
    array([0.3548, 0.3226, 0.3226])
    """
    n = check_integer("n", n, low=1)
    d = float(check_unit("delta", delta))
    q = n // 2 + 1 if quota is None else check_integer("quota", quota, low=1, high=n)
    if recognition is None:
        p = np.full(n, 1.0 / n)
    else:
        p = check_probability_vector("recognition", recognition)
        if p.shape != (n,):
            raise ValueError(f"recognition must have shape ({n},), got shape {p.shape}")
    if n == 1 or np.all(p == p[0]):
        v = np.full(n, 1.0 / n)
        pi = np.full((n, n), (q - 1) / (n - 1)) if n > 1 else np.zeros((1, 1))
        np.fill_diagonal(pi, 0.0)
        cost = np.full(n, (q - 1) / n)
    elif d == 0.0:
        v = p.copy()
        pi = np.full((n, n), (q - 1) / (n - 1))
        np.fill_diagonal(pi, 0.0)
        cost = np.array([np.sort(np.delete(v, k))[: q - 1].sum() for k in range(n)])
    else:
        v, cost, pi = _solve_unequal(p, d, q)
    return BaronFerejohnEquilibrium(
        payoffs=v,
        proposer_share=1.0 - d * cost,
        partner_share=d * v,
        inclusion_probability=p @ pi,
        coalition_matrix=pi,
        coalition_size=q,
        delta=d,
    )
