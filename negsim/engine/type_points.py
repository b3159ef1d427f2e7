r"""The sweep's fast route for scenarios with private types: a chunk of points at once
up to the screening recursion, then the recursion point by point.

:func:`negsim.solve` on a point of a scenario with private types (:mod:`negsim.engine.
screening`) validates the point's scenario and each type's scenario
(:meth:`negsim.Scenario.with_changes`), solves the complete-information game once for the
point and once more for each type that changes a number (the types' ranking), builds the
result's tables, and only then runs the screening recursion. When a point and every type
only set discount factors, war costs or private benefits to valid numbers
(:func:`negsim.engine.points.fast_point`), each of those games differs from the scenario's
in its discount factors and disagreement flows only, so :class:`TypeBatch` computes them
for the whole chunk on the batch path (:class:`negsim.engine.points.Batch`,
:func:`negsim.engine.points.solve_points`: one vectorised backward induction over the points
and the types), takes each type's rank from it (its complete-information SPE value at the
start, then its continuation values summed, as :func:`negsim.engine.screening.solve_types`
ranks them) and hands the type games to :func:`negsim.engine.screening.screen`, the same
recursion :func:`negsim.solve` runs (Fudenberg & Tirole 1991, sec. 10.2; Sobel & Takahashi
1983).

A point the route cannot take exactly -- a value that is not a fast one, a stationary tail
the batch path leaves to the engine, values that are not finite, two types whose ranks are
within 1e-9 of each other (their order could depend on the solver's rounding), or a
recursion that raises -- is left to :func:`negsim.solve` (``rest``), so a row never depends on
the route (tests hold them equal to 1e-9).

References
----------
.. [1] D. Fudenberg, J. Tirole, *Game Theory*, MIT Press, 1991, sec. 10.2.
.. [2] J. Sobel, I. Takahashi, "A multistage model of bargaining", Review of Economic
   Studies 50(3), 411-426, 1983.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from negsim.engine.points import Batch, solve_points
from negsim.engine.screening import Screening, TypeGame, screen
from negsim.engine.type_offers import WarmChoice
from negsim.errors import NegsimError
from negsim.scenario import Scenario

__all__ = ["RANK_GAP", "TypeBatch", "TypePoints"]

#: Types whose complete-information values at the start are closer than this are left to
#: :func:`negsim.solve`: their order (which decides the belief states) could depend on rounding
RANK_GAP = 1e-9


@dataclass
class TypePoints:
    """The points of a chunk the route solved: their positions in the chunk, their
    complete-information arrays (the keys of :func:`negsim.engine.points.solve_points`, a
    points axis first) and their screening equilibria; ``rest``: the positions left to
    :func:`negsim.solve`."""

    positions: list[int]
    base: dict[str, np.ndarray]
    screenings: list[Screening]
    rest: list[int]


@dataclass
class TypeBatch:
    """A scenario with private types prepared for the fast route: the batch path of its
    complete-information game (the scenario without ``types``) and each type's changes."""

    scenario: Scenario
    batch: Batch = field(init=False)
    actor: str = field(init=False)
    informed: int = field(init=False)
    types: list[tuple[str, float, dict[str, Any]]] = field(init=False)  # name, prior, changes
    supported: tuple[bool, str] = field(init=False)
    choice: WarmChoice = field(init=False, default_factory=lambda: WarmChoice())

    def __post_init__(self) -> None:
        s = self.scenario
        if not s.types:
            raise ValueError("TypeBatch needs a scenario with private types")
        (self.actor, specs), *_ = s.types.items()
        self.informed = list(s.actors).index(self.actor)
        self.types = [(name, float(spec.prior), dict(spec.changes)) for name, spec in specs.items()]
        self.batch = Batch(s.model_copy(update={"types": {}}))
        self.supported = self._support()

    def _support(self) -> tuple[bool, str]:
        fine, why = self.batch.supported
        if not fine:
            return False, why
        if self.scenario.terminal != "war":
            # the types' ranks are SPE values with a war at the end (solve_types)
            return False, "a terminal other than war: the types' ranks need the engine"
        for name, _, changes in self.types:
            if not self.batch.fast_point(changes):
                return False, (
                    f"type {name} changes more than discount, war cost or private benefit "
                    "numbers: its game needs Scenario.with_changes"
                )
        return True, f"{why}, {len(self.types)} private types of {self.actor}"

    def fast_point(self, point: Mapping[str, Any]) -> bool:
        """Whether the route takes ``point`` (:func:`negsim.engine.points.fast_point`)."""
        return self.supported[0] and self.batch.fast_point(point)

    def solve(self, points: Sequence[Mapping[str, Any]]) -> TypePoints:
        """The complete-information arrays and the screening equilibrium of every point the
        route takes (see the module docstring)."""
        fast = [p for p, point in enumerate(points) if self.fast_point(point)]
        rest = sorted(set(range(len(points))) - set(fast))
        changed = [changes for _, _, changes in self.types if changes]
        games = 1 + len(changed)  # the point's own game, then each type that changes one
        variants = [v for p in fast for v in [points[p], *({**points[p], **c} for c in changed)]]
        if not variants:
            return TypePoints([], {}, [], rest)
        discount, flow = self.batch.point_arrays(variants)
        sol = solve_points(self.batch, discount, flow)
        finite = np.all(
            [
                np.isfinite(sol[key]).reshape(len(variants), -1).all(axis=1)
                for key in ("threat", "value", "continuation")
            ],
            axis=0,
        )
        usable = (sol["ok"] & ~sol["engine"] & finite).reshape(len(fast), games).all(axis=1)
        positions, screenings, rows = [], [], []
        for q, p in enumerate(fast):
            found = self._screen(q * games, discount, flow, sol) if usable[q] else None
            if found is None:
                rest.append(p)
            else:
                positions.append(p)
                screenings.append(found)
                rows.append(q * games)
        base = {key: value[np.asarray(rows, dtype=int)] for key, value in sol.items()}
        return TypePoints(positions, base, screenings, sorted(rest))

    def _screen(
        self, first: int, discount: np.ndarray, flow: np.ndarray, sol: dict[str, np.ndarray]
    ) -> Screening | None:
        """The screening equilibrium of the point whose games start at row ``first``, or
        None where the route leaves it to :func:`negsim.solve`."""
        space, k = self.batch.space, self.informed
        per_type: list[TypeGame] = []
        extra = 0
        for name, prior, changes in self.types:
            row = first
            if changes:
                extra += 1
                row = first + extra
            arrays = [
                dataclasses.replace(a, discount=discount[row, r], flow=flow[row, r])
                for r, a in enumerate(space.arrays)
            ]
            rank = (
                float(sol["value"][row, 0, 0, k]),
                float(sol["continuation"][row, :, :, k].sum()),
            )
            per_type.append((name, prior, space.labels, space.transition, arrays, rank))
        values = sorted(game[5][0] for game in per_type)
        if any(b - a <= RANK_GAP for a, b in zip(values[:-1], values[1:], strict=True)):
            return None
        try:
            return screen(self.actor, k, per_type, self.choice)
        except NegsimError:
            return None  # negsim.solve raises it too, with its own message
