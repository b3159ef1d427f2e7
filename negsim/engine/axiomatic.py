"""The axiomatic concepts at every (round, state), given the SPE pass's threat points.

Nash (1950) bargaining (symmetric and capability-weighted), Kalai & Smorodinsky (1975)
and the capability x salience compromise, each with threat point
``max(W_i(t, s), reservation_i)`` over the bargaining players; on request, Nash with the
impasse point ``max(I_i(t, s), reservation_i)`` and weights ``1 / r_i`` (Binmore,
Rubinstein & Wolinsky 1986; :mod:`negsim.engine.disagreement`). The (t, s) cells are
independent problems, so each concept is solved for all of them at once (the ``*_batch``
functions of :mod:`negsim.models.spatial`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from negsim.engine.disagreement import brw_weights
from negsim.engine.offers import settlement_space
from negsim.engine.states import StateSpace
from negsim.models import spatial

__all__ = ["AXIOMATIC", "NEEDS_EGALITARIAN", "Cells", "axiomatic_settlements"]


@dataclass(frozen=True)
class Cells:
    """The (t, s) cells whose players' red lines overlap, as inputs of the batch solvers."""

    keys: list[tuple[int, int]]
    spaces: list[spatial.SettlementSpace]
    floor: np.ndarray  # (cells, N) max(threat, reservation)
    players: np.ndarray  # (cells, N) bool
    capability: np.ndarray  # (cells, N)
    egalitarian: list[tuple[spatial.Settlement, float] | None]  # max-min gains (Nash, KS start)
    impasse: np.ndarray | None = None  # (cells, N) max(impasse point, reservation)
    patience: np.ndarray | None = None  # (cells, N) weights 1 / r_i (1 for non-players)


_Solver = Callable[[Cells], list[spatial.Settlement | None]]

#: Concept -> solver over all cells (the SPE is the backward induction itself).
AXIOMATIC: dict[str, _Solver] = {
    "nash": lambda c: spatial.nash_settlement_batch(
        c.spaces, c.floor, c.players, None, c.egalitarian
    ),
    "nash_weighted": lambda c: spatial.nash_settlement_batch(
        c.spaces, c.floor, c.players, c.capability, c.egalitarian
    ),
    "kalai_smorodinsky": lambda c: spatial.kalai_smorodinsky_batch(
        c.spaces, c.floor, c.players, c.egalitarian
    ),
    "compromise": lambda c: _compromise(c),
    "nash_impasse": lambda c: spatial.nash_settlement_batch(
        c.spaces, _given(c.impasse), c.players, _given(c.patience)
    ),
}
#: Concepts whose solvers start from the egalitarian (max-min gain) point.
NEEDS_EGALITARIAN = {"nash", "nash_weighted", "kalai_smorodinsky"}


def _compromise(cells: Cells) -> list[spatial.Settlement | None]:
    """The compromise at every cell; it depends on the space and the capabilities alone
    (not the threat points), so cells sharing both share one computation."""
    done: dict[tuple[int, bytes], spatial.Settlement] = {}
    out: list[spatial.Settlement | None] = []
    for space, capability in zip(cells.spaces, cells.capability, strict=True):
        key = (id(space), capability.tobytes())
        if key not in done:
            done[key] = spatial.compromise_settlement(space, capability)
        out.append(done[key])
    return out


def _given(values: np.ndarray | None) -> np.ndarray:
    if values is None:
        raise ValueError("nash_impasse needs the impasse points")
    return values


def axiomatic_settlements(
    space: StateSpace,
    threat: np.ndarray,
    concepts: tuple[str, ...],
    impasse: np.ndarray | None = None,
) -> dict[str, dict[tuple[int, int], spatial.Settlement | None]]:
    """Settlements of ``concepts`` at every (t, s) for threat points (T + 1, S, N) (and
    impasse points (T + 1, S, N) for ``nash_impasse``); cells whose players' red lines do
    not overlap have no settlement and are left out."""
    keys: list[tuple[int, int]] = []
    spaces: list[spatial.SettlementSpace] = []
    for t in range(space.rounds):
        for s, a in enumerate(space.arrays):
            found = settlement_space(a, t, np.flatnonzero(a.players))
            if found is not None:
                keys.append((t, s))
                spaces.append(found)
    if not keys:
        return {}
    arrays = space.arrays
    players = np.stack([arrays[s].players for _, s in keys])
    floor = np.stack([np.maximum(threat[t, s], arrays[s].reservation[t]) for t, s in keys])
    capability = np.stack([arrays[s].capability[t] for t, s in keys])
    egalitarian = (
        spatial.max_min_gain_batch(spaces, floor, players)
        if NEEDS_EGALITARIAN & set(concepts)
        else []
    )
    point = patience = None
    if impasse is not None:
        point = np.stack([np.maximum(impasse[t, s], arrays[s].reservation[t]) for t, s in keys])
        discount = np.stack([arrays[s].discount[t] for t, s in keys])
        patience = np.where(players, brw_weights(np.where(players, discount, 0.5)), 1.0)
    cells = Cells(keys, spaces, floor, players, capability, egalitarian, point, patience)
    return {c: dict(zip(keys, AXIOMATIC[c](cells), strict=True)) for c in concepts}
