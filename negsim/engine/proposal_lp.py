r"""The proposer's linear program, solved by HiGHS models kept warm across the recursion.

With linear utilities (curvature 1 for everyone) the proposer j's best offer to a
coalition (:func:`negsim.models.spatial.best_proposal`; Rubinstein 1982, Baron &
Ferejohn 1989, Banks & Duggan 2000) is the linear program

.. math::

    \max_{x, d, y} \; u_j + \epsilon \sum_{i \in C} u_i \quad \text{s.t.} \quad
    u_i \ge f_i \; (i \text{ with a floor}), \quad d_{ik} \ge |x_k - a_{ik}|, \quad
    \sum_{i} y_{iq} = 1, \quad l \le x \le h, \; 0 \le d, y \le 1,

with ``u_i = sum_k s_ik (1 - d_ik) + sum_q s_iq y_iq`` and the tie-break weight
``epsilon = 1e-7`` (:data:`negsim.models.spatial.TIE_BREAK`). Between rounds, nodes and
types of one solve only numbers change -- the floors (row bounds), the red lines (column
bounds) and, under schedules, the saliences and ideal points -- not the program's shape.
:class:`WarmProposals` keeps one HiGHS model (Huangfu & Hall 2018, dual simplex) per
shape -- a proposer, the actors whose utility enters the program, its distance and share
variables -- and updates it in place (``changeColsCost``, ``changeColsBounds``,
``changeRowsBounds``, ``changeCoeff`` for whatever differs from the last solve), so each
solve starts from the optimal basis of the neighbouring one (the same proposer and
coalition one round later, or in the previous node or type) instead of building a model
through :func:`scipy.optimize.linprog`.

Only distance variables that carry a weight are kept: ``d_ik`` for an actor outside the
objective and the floors, or for an issue it does not weigh, is free in ``[0, 1]`` and
appears nowhere else, so dropping it leaves the optimal ``(x, y)`` unchanged.

**Same answers as the general path.** When every nonbasic column and every nonbasic
inequality row that could move has a reduced cost (dual) of at least
:data:`negsim.models.parametric_lp.DEGENERATE` in magnitude, the optimum is unique (strict
dual nondegeneracy; e.g. Bertsimas & Tsitsiklis 1997, *Introduction to Linear
Optimization*, ex. 3.6), so every exact solver returns it whatever its path. Otherwise
(ties the tie-break does not resolve, e.g. a pie two responders weigh equally and the
proposer does not weigh), and where HiGHS finds no feasible offer, the answer is left to
:func:`negsim.models.spatial.best_proposal`, whose solver path decided such cases before:
the numbers stay what they were. Penalties (leaders), curved utilities and the closed
form of a single pie go there too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

from negsim.models import spatial
from negsim.models.parametric_lp import DEGENERATE, finite_bounds, pass_model, quiet_highs

__all__ = ["ProposalProgram", "WarmModel", "WarmProposals", "settlement"]

#: HiGHS's tolerances, those of the general path (scipy's default primal feasibility
#: tolerance; the dual one that resolves the tie-break, see ``best_proposal``)
PRIMAL_TOL, DUAL_TOL = 1e-7, 1e-10
_BASIC = highspy.HighsBasisStatus.kBasic


@dataclass(frozen=True)
class ProposalProgram:
    """``min cost @ z`` s.t. ``row_lower <= matrix z <= row_upper``,
    ``col_lower <= z <= col_upper``; ``z = (x, d, y)`` with the ``distance`` variables
    ``d_ik`` for the (actor, issue) pairs listed and one share per ``space.slots``."""

    key: tuple  # the shape: the same key, the same sparsity pattern and sizes
    cost: np.ndarray
    matrix: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray

    @classmethod
    def of(
        cls, space: spatial.SettlementSpace, proposer: int, floors: np.ndarray
    ) -> ProposalProgram:
        """The program of :func:`negsim.models.spatial.best_proposal` (linear utilities,
        no penalties) for ``floors`` (N,), NaN where an actor has none."""
        N, P = space.n_actors, space.n_positions
        constrained = np.flatnonzero(~np.isnan(floors))
        objective = spatial.TIE_BREAK * ~np.isnan(floors)
        objective[proposer] = 1.0
        weighted = set(constrained.tolist()) | {proposer}
        sal = space.salience_position
        distance = [(i, k) for i in sorted(weighted) for k in range(P) if sal[i, k] != 0]
        slots = space.slots
        D, S = len(distance), len(slots)
        jac = np.zeros((N, P + D + S))  # u_i = const_i + jac[i] @ z
        pairs = np.array(distance, dtype=int).reshape(-1, 2)
        jac[pairs[:, 0], P + np.arange(D)] = -sal[pairs[:, 0], pairs[:, 1]]
        owners = np.array(slots, dtype=int).reshape(-1, 2)
        jac[owners[:, 0], P + D + np.arange(S)] = space.salience_pie[owners[:, 0], owners[:, 1]]
        n_pies = space.members.shape[1]
        matrix = np.zeros((2 * D + n_pies + len(constrained), P + D + S))
        epigraph = 2 * np.arange(D)  # sign * x_k - d_ik <= sign * a_ik, sign = 1, -1
        matrix[epigraph, pairs[:, 1]], matrix[epigraph + 1, pairs[:, 1]] = 1.0, -1.0
        matrix[epigraph, P + np.arange(D)] = matrix[epigraph + 1, P + np.arange(D)] = -1.0
        matrix[2 * D + owners[:, 1], P + D + np.arange(S)] = 1.0  # each pie shared out
        matrix[2 * D + n_pies :] = jac[constrained]
        ideal = space.ideal[pairs[:, 0], pairs[:, 1]]
        const = sal.sum(axis=1)
        return cls(
            key=(proposer, tuple(constrained.tolist()), tuple(distance), tuple(slots), P, n_pies),
            cost=-(objective @ jac),
            matrix=matrix,
            col_lower=np.concatenate([space.low, np.zeros(D + S)]),
            col_upper=np.concatenate([space.high, np.ones(D + S)]),
            row_lower=np.concatenate(
                [np.full(2 * D, -np.inf), np.ones(n_pies), floors[constrained] - const[constrained]]
            ),
            row_upper=np.concatenate(
                [
                    np.stack([ideal, -ideal], axis=1).ravel(),
                    np.ones(n_pies),
                    np.full(len(constrained), np.inf),
                ]
            ),
        )


@dataclass
class WarmModel:
    """One HiGHS model of a :class:`ProposalProgram` shape, updated in place."""

    program: ProposalProgram  # as loaded into ``highs``
    highs: Any

    @classmethod
    def of(cls, program: ProposalProgram) -> WarmModel:
        h = pass_model(
            quiet_highs(PRIMAL_TOL, DUAL_TOL),
            program.cost,
            program.matrix,
            program.col_lower,
            program.col_upper,
            program.row_lower,
            program.row_upper,
        )
        return cls(program, h)

    def solve(self, program: ProposalProgram) -> np.ndarray | None:
        """The unique optimum of ``program`` (same key as the loaded one), from the last
        optimal basis; None when HiGHS finds none or other optima may exist."""
        self._update(program)
        h = self.highs
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution, basis = h.getSolution(), h.getBasis()
        nonbasic_cols = np.array([s != _BASIC for s in basis.col_status])
        nonbasic_rows = np.array([s != _BASIC for s in basis.row_status], dtype=bool)
        movable_cols = nonbasic_cols & (program.col_lower < program.col_upper)
        movable_rows = nonbasic_rows & (program.row_lower < program.row_upper)
        if np.any(np.abs(np.array(solution.col_dual))[movable_cols] < DEGENERATE) or np.any(
            np.abs(np.array(solution.row_dual))[movable_rows] < DEGENERATE
        ):
            return None
        return np.array(solution.col_value)

    def _update(self, new: ProposalProgram) -> None:
        """Push whatever differs from the loaded program into HiGHS (its basis stays)."""
        old, h = self.program, self.highs
        if not np.array_equal(new.cost, old.cost):
            cols = np.arange(len(new.cost), dtype=np.int32)
            h.changeColsCost(len(cols), cols, new.cost)
        if not (
            np.array_equal(new.col_lower, old.col_lower)
            and np.array_equal(new.col_upper, old.col_upper)
        ):
            cols = np.arange(len(new.cost), dtype=np.int32)
            h.changeColsBounds(
                len(cols), cols, finite_bounds(new.col_lower), finite_bounds(new.col_upper)
            )
        if not (
            np.array_equal(new.row_lower, old.row_lower)
            and np.array_equal(new.row_upper, old.row_upper)
        ):
            rows = np.arange(len(new.row_lower), dtype=np.int32)
            h.changeRowsBounds(
                len(rows), rows, finite_bounds(new.row_lower), finite_bounds(new.row_upper)
            )
        for r, c in zip(*np.nonzero(new.matrix != old.matrix), strict=True):
            h.changeCoeff(int(r), int(c), float(new.matrix[r, c]))
        self.program = new


@dataclass
class WarmProposals:
    """:func:`negsim.models.spatial.best_proposal` with one warm HiGHS model per program
    shape (see the module docstring); ``runs`` counts HiGHS runs, ``referred`` the offers
    left to the general path."""

    models: dict[tuple, WarmModel] = field(default_factory=dict)
    runs: int = 0
    referred: int = 0

    def best(
        self,
        space: spatial.SettlementSpace,
        proposer: int,
        floors: np.ndarray,
        penalties: Sequence[spatial.Penalty] = (),
    ) -> spatial.Settlement | None:
        """The proposer's best settlement meeting every floor (None if there is none),
        exactly as :func:`negsim.models.spatial.best_proposal` returns it."""
        closed_form = space.n_positions == 0 and space.members.shape[1] <= 1
        if penalties or not space.linear or closed_form:
            return spatial.best_proposal(space, proposer, floors, penalties)
        program = ProposalProgram.of(space, proposer, floors)
        model = self.models.get(program.key)
        if model is None:
            model = self.models[program.key] = WarmModel.of(program)
        self.runs += 1
        z = model.solve(program)
        if z is None:
            self.referred += 1
            return spatial.best_proposal(space, proposer, floors, penalties)
        return settlement(space, z)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["models"] = {}  # HiGHS models are rebuilt where the object is unpickled
        return state


def settlement(space: spatial.SettlementSpace, z: np.ndarray) -> spatial.Settlement:
    """The settlement of a proposal program's solution ``z = (x, d, y)``: positions clipped
    to the space's bounds (HiGHS may overshoot them by its tolerance), pie shares from the
    last ``len(space.slots)`` columns."""
    P, n_slots = space.n_positions, len(space.slots)
    x = np.clip(z[:P], space.low, space.high)
    y = np.zeros(space.members.shape)
    for value, (i, q) in zip(z[len(z) - n_slots :], space.slots, strict=True):
        y[i, q] = value
    return spatial.Settlement(x=x, y=y, utilities=spatial.utilities(space, x, y))
