"""Which coalitions a proposer may form: every veto player, the proposer, and the votes
it must buy to reach the quota (Baron & Ferejohn 1989's minimum winning coalitions)."""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from negsim.engine.arrays import RoundArrays
from negsim.engine.tolerances import MAX_COALITIONS, TOL

__all__ = ["cheapest_coalitions", "coalition_masks", "enumerated_coalitions"]


def _seats(a: RoundArrays, proposer: int) -> tuple[list[int], list[int], int]:
    """Members every coalition needs (veto players and the proposer), the others, and how
    many of the others' votes the quota requires."""
    required = sorted(set(np.flatnonzero(a.veto).tolist()) | {proposer})
    others = [i for i in range(len(a.actors)) if i not in required]
    return required, others, max(a.quota - len(required), 0)


def enumerated_coalitions(a: RoundArrays, proposer: int) -> list[tuple[int, ...]] | None:
    """Every coalition the proposer may form: all veto players, the proposer and enough
    others to reach the quota (empty when the quota cannot be reached); None when there
    are more than 64 combinations of others, where the engine buys the cheapest votes."""
    required, others, extra = _seats(a, proposer)
    if extra == 0:
        return [tuple(required)]
    if extra > len(others):
        return []
    if comb(len(others), extra) > MAX_COALITIONS:
        return None
    return [tuple(sorted([*required, *c])) for c in combinations(others, extra)]


def cheapest_coalitions(
    a: RoundArrays, proposer: int, continuation: np.ndarray
) -> list[tuple[int, ...]]:
    """Coalitions when there are too many to enumerate (documented heuristic): buy the
    cheapest votes, by continuation value. Members tied at the price of the last vote
    bought are rotated through the remaining seats, so that each is included equally often
    (as in the uniform mix over all coalitions); always taking the first of them made the
    stationary tail cycle instead of converging."""
    required, others, extra = _seats(a, proposer)
    ranked = sorted(others, key=lambda i: continuation[i])
    price = continuation[ranked[extra - 1]]
    sure = [i for i in ranked if continuation[i] < price - TOL]
    tied = [i for i in ranked if abs(continuation[i] - price) <= TOL]
    seats = extra - len(sure)
    if seats == len(tied):
        return [tuple(sorted([*required, *sure, *tied]))]
    return [
        tuple(sorted([*required, *sure, *(tied[(j + k) % len(tied)] for k in range(seats))]))
        for j in range(len(tied))
    ]


def coalition_masks(n_actors: int, coalitions: list[tuple[int, ...]]) -> np.ndarray:
    """Coalitions as (C, N) boolean masks."""
    masks = np.zeros((len(coalitions), n_actors), dtype=bool)
    for c, members in enumerate(coalitions):
        masks[c, list(members)] = True
    return masks
